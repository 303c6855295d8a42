"""BODS statements -> events of SPEC §4, appended through ``Ledger.append`` (SPEC §11).

Statements are taken in statementDate order; later statements of a record update it:

* entity / person records -> PartyRegistered (id: a slug of the recordId), then
  PartyRestructured when a later statement changes the name or the kind;
* relationship interests -> StakeChanged (shareholding, voting rights, rights to profit),
  RoleChanged (board member, board chair, senior managing official), RightGranted /
  RightEnded (rights granted by contract, appointment of the board);
* an interest's end date, an interest an update no longer lists, or a closed record ends it:
  the stake disposed (``{"exact": "0"}``), the role removed, the right ended.

When does a declared value take effect? The first statement of a record declares its whole
history, so an interest counts from its ``startDate``. A later statement declares the record
as of its own date: its value counts from its ``startDate`` only if that lies after the
previous statement (the change happened in between), otherwise from the statementDate (an
update that restates an old start date, like a buy-out to 100% of a holding held since 2019,
must not rewrite what earlier statements declared). Ids are deterministic, so importing the
same files again appends nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from events import date_sort_key
from ledger.errors import Problem, ValidationError
from ledger.interop import bods_records as rec
from ledger.interop.bods_read import Statement, StatementProblem, read_files

if TYPE_CHECKING:
    from ledger.api import Ledger
    from ledger.write.result import AppendResult


@dataclass
class BodsImport:
    """What an import did: the append result, the events it built, and what it could not hold."""

    result: AppendResult
    events: list[dict[str, Any]]
    warnings: list[str]


@dataclass
class _Key:
    active: bool = False
    value: Any = None
    right: str | None = None
    generation: int = 0


@dataclass
class _Record:
    prior: str | None = None  # date of the previous statement of this record read here
    keys: dict[tuple[str, ...], _Key] = field(default_factory=dict)


class Planner:
    """Turns statements into input events; ``existing`` are the ledger's party and right ids."""

    def __init__(self, parties: set[str], rights: set[str]) -> None:
        self.existing_parties, self.existing_rights = parties, rights
        self.events: list[dict[str, Any]] = []
        self.origins: list[Statement] = []
        self.notes: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.slugs: dict[str, str] = {}  # recordId -> party slug
        self.taken: dict[str, str] = {}
        self.registered: dict[str, dict[str, Any]] = {}  # slug -> PartyRegistered event (date set last)
        self.names: dict[str, tuple[str, str]] = {}  # slug -> (name, kind) as last declared
        self.records: dict[str, _Record] = {}
        self._seq: dict[str, int] = {}
        self._sids: dict[str, str] = {}

    def warn(self, text: str) -> None:
        self.notes[text] = self.notes.get(text, 0) + 1

    def emit(self, stmt: Statement, type_: str, day: str, data: dict[str, Any], sure: str, label: str) -> None:
        n = self._seq[stmt.statement_id] = self._seq.get(stmt.statement_id, 0) + 1
        sid = rec.slugify(stmt.statement_id, self._sids)
        event = {"id": f"bods:{sid}:{n}:{label}"[:200].rstrip(":.-"), "type": type_, "effective_date": day,
                 "certainty": sure, "source": rec.source(stmt), "data": data}
        self.events.append(event)
        self.origins.append(stmt)

    # -- parties ------------------------------------------------------------------------------
    def name_parties(self, statements: list[Statement]) -> None:
        """Slugs for every entity and person record first, so a relationship may come before them."""
        for stmt in statements:
            if stmt.record_type != "relationship" and stmt.record_id not in self.slugs:
                self.slugs[stmt.record_id] = rec.slugify(stmt.record_id, self.taken)

    def party(self, stmt: Statement) -> None:
        slug = self.slugs[stmt.record_id]
        data = rec.party_data(stmt, slug, self.warn)
        sure = rec.certainty(stmt)
        if slug not in self.names:
            self.names[slug] = (data["name"], data["kind"])
            if slug not in self.existing_parties:
                self.emit(stmt, "PartyRegistered", stmt.date, data, sure, "party")
                self.registered[slug] = self.events[-1]
                founded = stmt.details.get("foundingDate")
                if isinstance(founded, str) and rec.FULL_DATE.match(founded) and founded < stmt.date:
                    self.events[-1]["effective_date"] = founded
        elif self.names[slug] != (data["name"], data["kind"]):
            change = {k: data[k] for k, old in zip(("name", "kind"), self.names[slug], strict=True) if data[k] != old}
            self.names[slug] = (data["name"], data["kind"])
            self.emit(stmt, "PartyRestructured", stmt.date, {"party": slug, **change, "summary":
                      f"BODS statement {stmt.statement_id} updates the {stmt.record_type} record's "
                      + " and ".join(change)}, sure, "restructured")
        if stmt.status == "closed" or stmt.details.get("dissolutionDate") or stmt.details.get("deathDate"):
            self.warn(f"closed, dissolved or deceased {stmt.record_type} records stay parties (the ledger has no "
                      "event for a party's end); their relationships end by their own statements")

    def resolve(self, stmt: Statement, name: str) -> str | None:
        ref = stmt.details.get(name)
        if isinstance(ref, dict):
            self.warn(f"relationship with an unspecified {name} ({ref.get('reason', 'unknown')}) not imported: the "
                      "ledger holds interests of named parties only")
            return None
        if not isinstance(ref, str):
            self.problems.append(stmt.problem(f"recordDetails.{name}", "missing: a recordId or an unspecified record"))
            return None
        if ref in self.slugs:
            return self.slugs[ref]
        slug = rec.slugify(ref)
        if slug in self.existing_parties:
            return slug
        self.problems.append(stmt.problem(f"recordDetails.{name}", f"record {ref!r} is described by no entity or "
                                          "person statement in the input, and is no party of the ledger"))
        return None

    # -- relationships ------------------------------------------------------------------------
    def relationship(self, stmt: Statement) -> None:
        subject, holder = self.resolve(stmt, "subject"), self.resolve(stmt, "interestedParty")
        if subject is None or holder is None:
            return
        record = self.records.setdefault(stmt.record_id, _Record())
        has_prior = record.prior is not None or stmt.status != "new"
        sure = rec.certainty(stmt)
        found = rec.interests(stmt, rec.slugify(stmt.record_id), sure, self.warn, self.problems)
        grouped: dict[tuple[str, ...], list[rec.Interest]] = {}
        for item in found:
            grouped.setdefault(item.key, []).append(item)
        for key, items in grouped.items():
            items.sort(key=lambda i: date_sort_key(i.start) if i.start else "")
            fresh = key not in record.keys
            state = record.keys.setdefault(key, _Key())
            for item in items:
                begin = item.start if item.start and (not has_prior or (
                    record.prior is not None and date_sort_key(item.start) > record.prior)) else stmt.date
                ended_only = item.end is not None and (item.start is None or (
                    has_prior and date_sort_key(item.end) <= date_sort_key(begin)))
                if ended_only:  # only its end is news (or all BODS knows of it)
                    if state.active or (fresh and key[0] != "right"):
                        self.end(stmt, key, state, subject, holder, item.end or stmt.date, item.certainty)
                    continue
                self.start(stmt, key, state, subject, holder, begin, item)
                if item.end is not None and not any(o is not item and o.start == item.end for o in items):
                    self.end(stmt, key, state, subject, holder, item.end, item.certainty)
        for key, state in record.keys.items():
            if state.active and (key not in grouped or stmt.status == "closed"):
                self.end(stmt, key, state, subject, holder, stmt.date, sure)
        record.prior = stmt.date

    def start(self, stmt: Statement, key: tuple[str, ...], state: _Key, subject: str, holder: str,
              day: str, item: rec.Interest) -> None:
        if state.active and state.value == item.value:
            return
        sure, kind = item.certainty, key[0]
        if kind == "stake":
            self.emit(stmt, "StakeChanged", day, {"holder": holder, "issuer": subject, "stake": item.value}, sure, "stake")
        elif kind == "role" and not state.active:
            self.emit(stmt, "RoleChanged", day, {"person": holder, "organization": subject, "role": key[1],
                                                 "change": "appointed"}, sure, f"role.{key[1]}")
        elif kind == "right" and not state.active:
            state.generation += 1
            state.right = key[1] if state.generation == 1 else f"{key[1]}-{state.generation}"
            right_kind, scope = item.value
            self.emit(stmt, "RightGranted", day, {"right": state.right, "holder": holder, "grantor": subject,
                                                  "kind": right_kind, "scope": scope}, sure, f"right.{state.right}")
        elif kind == "control" and not state.active:
            self.emit(stmt, "PartyRestructured", day, {"party": subject, "controlled_by": holder, "summary":
                      f"BODS statement {stmt.statement_id}: {holder} controls {subject}"}, sure, "control")
        state.active, state.value = True, item.value

    def end(self, stmt: Statement, key: tuple[str, ...], state: _Key, subject: str, holder: str,
            day: str, sure: str) -> None:
        kind = key[0]
        if kind == "stake":
            basis = (state.value or {}).get("basis", "equity")
            self.emit(stmt, "StakeChanged", day, {"holder": holder, "issuer": subject,
                                                  "stake": {"exact": "0", "basis": basis}}, sure, "stake-ended")
        elif kind == "role":
            self.emit(stmt, "RoleChanged", day, {"person": holder, "organization": subject, "role": key[1],
                                                 "change": "removed"}, sure, f"role-ended.{key[1]}")
        elif kind == "right":
            right = state.right or key[1]
            if state.active or right in self.existing_rights:
                self.emit(stmt, "RightEnded", day, {"right": right, "reason": f"BODS statement {stmt.statement_id}: "
                          f"the interest ended ({stmt.status} record)"}, sure, f"right-ended.{right}")
        else:
            self.warn("the end of a control interest is not imported (the ledger's controlled_by is only ever set)")
        state.active = False

    def finish(self) -> None:
        """Date each registration no later than the first event that names its party."""
        first: dict[str, str] = {}
        for event in self.events:
            for name in ("holder", "grantor", "issuer", "person", "organization", "party", "controlled_by"):
                slug = event["data"].get(name)
                if isinstance(slug, str) and slug in self.registered and event["type"] != "PartyRegistered":
                    day = event["effective_date"]
                    if slug not in first or date_sort_key(day) < date_sort_key(first[slug]):
                        first[slug] = day
        for slug, event in self.registered.items():
            if slug in first and date_sort_key(first[slug]) < date_sort_key(event["effective_date"]):
                event["effective_date"] = first[slug]
        order = sorted(range(len(self.events)), key=lambda i: self.events[i]["type"] != "PartyRegistered")
        self.events = [self.events[i] for i in order]
        self.origins = [self.origins[i] for i in order]


def plan(statements: list[Statement], parties: set[str], rights: set[str]) -> Planner:
    """All events for ``statements`` (in order); raises with every problem found."""
    planner = Planner(parties, rights)
    planner.name_parties(statements)
    for stmt in statements:
        if stmt.record_type == "relationship":
            planner.relationship(stmt)
        else:
            planner.party(stmt)
    if planner.problems:
        raise ValidationError(planner.problems)
    planner.finish()
    return planner


def warnings_text(notes: dict[str, int]) -> Iterator[str]:
    for text, count in notes.items():
        yield text + (f" ({count} times)" if count > 1 else "")


def run_import(lg: Ledger, files: list[tuple[str, bytes]], *, stream: str, dry_run: bool) -> BodsImport:
    statements = read_files(files)
    known = lg.state(as_of="9999-12-31").to_dict()
    planner = plan(statements, {p["party"] for p in known["parties"]}, {r["right"] for r in known["rights"]})
    try:
        result = lg.append(planner.events, stream=stream, dry_run=dry_run)
    except ValidationError as exc:
        raise ValidationError([_locate(p, planner) for p in exc.problems]) from None
    return BodsImport(result, planner.events, list(warnings_text(planner.notes)))


def _locate(problem: Problem, planner: Planner) -> Problem:
    """An append problem (event index in the built batch) as a problem of the statement behind it."""
    if problem.index is None or not 0 <= problem.index < len(planner.origins):
        return problem
    stmt = planner.origins[problem.index]
    field = f"event {planner.events[problem.index]['id']}" + (f": {problem.field}" if problem.field else "")
    return StatementProblem(stmt.index, stmt.record_id, field, problem.message, file=stmt.file)
