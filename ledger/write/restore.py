"""``import``: an export restored into an empty ledger. What import accepts, verify passes: the
file must be stored envelopes in the exact form export writes, pass the same chain check as
``verify`` (:mod:`ledger.core.verify`), and every event the rules of an append.

The export is read, checked and inserted chunk by chunk in one transaction (as an append is,
:mod:`ledger.write.batch`); the kinds of problem are reported in the order a whole-file check
reports them: the shape of each line, its recording fields, the chain, validation, ids used
twice, canonical form, an import into a ledger that is not empty, then the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ledger.core import intake
from ledger.core.envelope import ENVELOPE_FIELDS, GENESIS_HASH, INPUT_FIELDS
from ledger.core.verify import ChainWalk, export_chain, export_form
from ledger.errors import ConflictError, Problem
from ledger.store.port import WriteTransaction
from ledger.write.appender import Appender
from ledger.write.batch import Refusals, chunks
from ledger.write.columns import Ids, Positions, plain
from ledger.write.result import AppendResult, Chain

SHAPE, FORM, CHAIN, VALID, IDS, CANON, NOT_EMPTY, RULES = range(8)


class _Restore:
    def __init__(self, appender: Appender, progress: Callable[[int], None] | None) -> None:
        self.appender, self.progress = appender, progress
        self.refusals = Refusals()
        self.walk = ChainWalk(limit=1_000)
        self.seen = 0
        self.positions = Positions()
        self.ids = Ids()
        self.chain = Chain(0, GENESIS_HASH, "", {})
        self.writable = True

    def check(self, given: list[Any]) -> tuple[int, list[dict[str, Any]]]:
        """The checks of one chunk that need no database: (its offset, its documents)."""
        offset, add = self.seen, self.refusals.add
        self.seen += len(given)
        add(SHAPE, [Problem(offset + n, e.get("id") if isinstance(e, dict) else None, None,
                            "not a stored envelope (export line) with exactly the fields " + ", ".join(ENVELOPE_FIELDS))
                    for n, e in enumerate(given) if not isinstance(e, dict) or list(e) != list(ENVELOPE_FIELDS)],
            self.seen)
        if self.refusals.before(FORM):
            return offset, []
        add(FORM, export_form(given, offset), self.seen)
        if self.refusals.before(CHAIN):
            return offset, []
        add(CHAIN, export_chain(self.walk, given, offset), self.seen)
        if self.refusals.before(VALID):
            return offset, []
        docs, problems = intake.validate([{k: e[k] for k in INPUT_FIELDS if e[k] is not None} for e in given], offset)
        add(VALID, problems, self.seen)
        if problems:
            return offset, []
        add(CANON, [Problem(offset + n, e["id"], "data", "not in canonical form (was this file written by export?)")
                    for n, (e, d) in enumerate(zip(given, docs, strict=True)) if {k: e[k] for k in INPUT_FIELDS} != d],
            self.seen)
        return offset, docs

    def write(self, w: WriteTransaction, given: list[dict[str, Any]], offset: int, docs: list[dict[str, Any]]) -> None:
        self.ids.extend(d["id"] for d in docs)
        self.positions.add_unknown(len(docs))
        if not docs or self.refusals.before(IDS):
            return
        stored = {e["id"]: e["position"] for e in w.by_ids([d["id"] for d in docs])} if self.writable else {}
        local: dict[str, int] = {}
        twice = []
        for n, doc in enumerate(docs):
            earlier = local.get(doc["id"])
            if earlier is None and doc["id"] in stored:
                earlier = stored[doc["id"]] - 1  # the chain held: positions follow the file's order
            local.setdefault(doc["id"], offset + n)
            if earlier is not None:
                twice.append(Problem(offset + n, doc["id"], "id", f"the same id is used by event {earlier + 1} of "
                                     "this batch"))
            elif doc["recorded_by"] is not None and "\x00" in doc["recorded_by"]:
                twice.append(Problem(offset + n, doc["id"], "recorded_by", "must not contain NUL characters"))
        self.refusals.add(IDS, twice, self.seen)
        if twice or not self.writable or self.refusals.before(RULES):
            return
        self.chain.stamps.clear()  # one recorded_at per original batch: keep only this chunk's
        rows, party_rows, problems = self.appender.check_and_build(
            w, [(offset + n, d) for n, d in enumerate(docs)], self.chain, self.positions, given)
        self.refusals.add(RULES, problems, self.seen)
        if rows:
            w.insert(rows, party_rows)
        if self.progress is not None:
            self.progress(offset + len(docs))


def restore(appender: Appender, envelopes: Iterable[Any], progress: Callable[[int], None] | None = None,
            chunk: int | None = None) -> AppendResult:
    run = _Restore(appender, progress)
    parts = chunks(envelopes, chunk)
    first = next(parts, [])
    offset, docs = run.check(first)
    if not run.seen:
        raise intake.no_events()
    if run.refusals.before(RULES):  # a broken file: check the rest without the database
        for part in parts:
            run.check(part)
        run.refusals.raise_first()
    with appender.transaction() as w:
        head = w.head()[0]
        if head:
            run.writable = False
            run.refusals.error(NOT_EMPTY, ConflictError(f"import needs an empty ledger; this one holds {head} events"))
        else:
            appender.begin(w, head)
        run.write(w, first, offset, docs)
        del first, docs
        for part in parts:
            offset, docs = run.check(part)
            run.write(w, part, offset, docs)
        run.refusals.raise_first()
    appender.catalog.head = run.chain.head
    return AppendResult(plain(run.positions), plain(run.ids), run.chain.head, 0, run.chain.head, run.chain.prev)
