"""The append rules of SPEC §4 over :class:`Definitions`: an in-memory index of what the ledger
defines (parties, rights, conditions...), what uses them, and the stream versions. (Not the
event *catalog*, :mod:`events.catalog`, which declares the event types.)

The definitions are derived data, rebuilt by applying stored events in position order, and
brought up to date inside each write transaction (under the writers' lock) before a batch is
checked. Checking a batch applies it tentatively with an undo journal, so a rejected batch
leaves the definitions exactly as they were. Pure Python: no I/O (lookups of older events come in as callbacks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from events import date_sort_key, defined_key, iter_refs
from events.refs import Ref
from ledger.errors import Problem

Key = tuple[str, str]
RefUse = tuple[Ref, str, str]
Doc = Mapping[str, Any]
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Definition:
    event_id: str
    effective: str
    parties: frozenset[str]


class Definitions:
    """Live definitions, dependants counts, superseded events and stream versions."""

    def __init__(self) -> None:
        self.head = 0
        self.streams: dict[str, int] = {}
        self.defs: dict[Key, Definition] = {}
        self.def_by_event: dict[str, Key] = {}
        self.uses: dict[Key, int] = {}
        self.superseded: dict[str, str] = {}
        # one copy of each party set and date that definitions hold (a million-event catalog held
        # 170,000 definitions, most with a set and a date equal to another's)
        self._shared: dict[Any, Any] = {}
        self._journal: list[tuple[dict[Any, Any], Any, Any]] | None = None

    # -- journaled mutation -------------------------------------------------------------------
    JOURNAL_LIMIT = 100_000
    """Undo entries kept before a batch gives up its undo journal (a batch of a million events
    would otherwise hold ~5 entries an event): then a rollback empties the catalog, which the
    next transaction rebuilds from the stored events."""

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        journal = self._journal
        if journal is not None:
            journal.append((table, key, table.get(key, _MISSING)))
            if len(journal) > self.JOURNAL_LIMIT:
                self._journal = None
        if value is _MISSING:
            table.pop(key, None)
        else:
            table[key] = value

    @property
    def open(self) -> bool:
        """Whether tentative changes are being made (between :meth:`begin` and commit / rollback)."""
        return self._open

    _open = False

    def begin(self) -> None:
        self._journal = []
        self._open = True
        self._saved_head = self.head

    def rollback(self) -> None:
        assert self._open
        if self._journal is None:  # too big to undo: start again from nothing
            self.__init__()  # type: ignore[misc]
            self._open = False
            return
        for table, key, old in reversed(self._journal):
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old
        self.head = self._saved_head
        self._journal = None
        self._open = False

    def commit(self) -> None:
        self._journal = None
        self._open = False

    # -- applying -----------------------------------------------------------------------------
    def index_keys(self, doc: Doc, target: Doc | None, refs: list[RefUse] | None = None) -> set[str]:
        """The keys an event is indexed under (the ``event_parties`` rows it gets).

        ``stream:<name>`` of its stream; a party slug for every party it involves (named, or
        through the item it names: a right's holder and grantor...), and ``namespace:id`` for
        every other item it names, so a one-party query can also fetch the events of the
        conditions and cases its items depend on. A correction or retraction is indexed under its
        target's keys too (but not its target's stream).
        """
        keys = self._item_keys(doc, refs)
        keys.add(f"stream:{doc['stream']}")
        if target is not None:
            keys |= self._item_keys(target, None)
        return keys

    def _item_keys(self, doc: Doc, refs: list[RefUse] | None) -> set[str]:
        keys: set[str] = set()
        for ref, _, value in refs if refs is not None else iter_refs(doc["type"], doc["data"]):
            if ref.namespace == "party":
                keys.add(value)
                continue
            keys.add(f"{ref.namespace}:{value}")
            if not ref.defines and (d := self.defs.get((ref.namespace, value))) is not None:
                keys |= d.parties
        return keys

    def apply(self, doc: Doc, target: Doc | None, refs: list[RefUse] | None = None) -> None:
        """Record a (valid) event. ``target`` is the event it corrects or retracts, if any.

        ``refs`` is ``list(iter_refs(...))`` of the event when the caller already has it.
        """
        self._set(self.streams, doc["stream"], self.streams.get(doc["stream"], 0) + 1)
        if target is not None:
            self._unlink(target, doc["id"])
        if doc["type"] == "EventRetracted":
            return
        self._record(doc, list(iter_refs(doc["type"], doc["data"])) if refs is None else refs, counts=True)

    def apply_definitions(self, doc: Doc, target: Doc | None, refs: list[RefUse]) -> None:
        """:meth:`apply`, of only what :meth:`index_keys` reads (the definitions and their parties),
        not the stream versions and use counts the rules check: what ``verify`` needs to rebuild
        the party index, at half the cost."""
        if target is not None:
            self._unlink(target, doc["id"], counts=False)
        if doc["type"] != "EventRetracted":
            self._record(doc, refs, counts=False)

    def _record(self, doc: Doc, refs: list[RefUse], counts: bool) -> None:
        for ref, _, value in refs:
            key = (ref.namespace, value)
            if ref.defines:
                own = frozenset(v for r, _, v in refs if r.namespace == "party")
                own = self._shared.setdefault(own, own)  # most definitions name the same one or two parties
                day = date_sort_key(doc["effective_date"])
                day = self._shared.setdefault(day, day)
                self._set(self.defs, key, Definition(doc["id"], day, own))
                self._set(self.def_by_event, doc["id"], key)
            elif counts:
                self._set(self.uses, key, self.uses.get(key, 0) + 1)

    def _unlink(self, target: Doc, by: str, counts: bool = True) -> None:
        if counts:
            self._set(self.superseded, target["id"], by)
        for ref, _, value in iter_refs(target["type"], target["data"]):
            key = (ref.namespace, value)
            if ref.defines:
                if self.def_by_event.get(target["id"]) == key:
                    self._set(self.defs, key, _MISSING)
            elif counts:
                self._set(self.uses, key, self.uses.get(key, 0) - 1)

    # -- checking -----------------------------------------------------------------------------
    def check(
        self, index: int, doc: Doc, target: Doc | None, uses: Callable[[Key], list[tuple[str, str]]],
        refs: list[RefUse] | None = None,
    ) -> list[Problem]:
        """Problems of one event against the definitions as they stand (earlier batch events applied).

        ``uses(key)`` lists the live events that refer to ``key`` as (id, date sort key): the slow
        path, asked only when a retraction or a correction could orphan them.
        """
        problems: list[Problem] = []

        def problem(fld: str | None, msg: str) -> None:
            problems.append(Problem(index, doc["id"], fld, msg))

        replaced_key: Key | None = None
        if doc["corrects"] is not None:
            replaced_key = self._check_target(doc["corrects"], doc, target, "corrects", problem)
        if doc["type"] == "EventRetracted":
            key = self._check_target(doc["data"]["target"], doc, target, "data.target", problem)
            if key is not None and self.uses.get(key, 0) > 0:
                names = [event_id for event_id, _ in uses(key)]
                shown = ", ".join(repr(n) for n in names[:10]) + (" ..." if len(names) > 10 else "")
                problem("data.target", f"{key[0]} {key[1]!r} defined by that event is still referenced by live events "
                        f"{shown}: retract or correct those first")
            return problems
        effective = date_sort_key(doc["effective_date"])
        for ref, path, value in refs if refs is not None else iter_refs(doc["type"], doc["data"]):
            key = (ref.namespace, value)
            existing = self.defs.get(key)
            if ref.defines:
                if existing is not None and key != replaced_key:
                    problem(f"data.{path}", f"{ref.namespace} {value!r} is already defined by event "
                            f"{existing.event_id!r}; to change that definition append a correction of it")
                elif existing is not None and effective > existing.effective and self.uses.get(key, 0) > 0:
                    earlier = sorted((day, event_id) for event_id, day in uses(key) if day < effective)
                    if earlier:  # the rule "defined before it is used" holds for corrections too
                        shown = ", ".join(f"{event_id!r} ({day})" for day, event_id in earlier[:10])
                        problem("effective_date", f"this correction dates {ref.namespace} {value!r} "
                                f"{doc['effective_date']}, after live events that use it: {shown}"
                                + (" ..." if len(earlier) > 10 else "") + "; correct or retract those first")
            elif existing is None:
                problem(f"data.{path}", f"{ref.namespace} {value!r} is not defined: define it first "
                        f"(earlier in the batch or the ledger)")
            elif existing.effective > effective:
                problem(f"data.{path}", f"{ref.namespace} {value!r} is defined effective {existing.effective} "
                        f"(event {existing.event_id!r}), after this event's effective date {doc['effective_date']}")
        return problems

    def _check_target(
        self, target_id: str, doc: Doc, target: Doc | None, fld: str, problem: Callable[[str | None, str], None],
    ) -> Key | None:
        """Check a correction's or retraction's target; returns the key it defines, if any."""
        if target is None:
            problem(fld, f"event {target_id!r} does not exist in the ledger or earlier in the batch")
            return None
        if target_id in self.superseded:
            by = self.superseded[target_id]
            problem(fld, f"event {target_id!r} was already corrected or retracted by {by!r}; "
                    f"address {by!r} instead")
            return None
        if target["type"] == "EventRetracted":
            problem(fld, "a retraction cannot be corrected or retracted; record the fact again instead")
            return None
        if fld == "corrects" and target["type"] != doc["type"]:
            problem("type", f"a correction must have the type of the event it corrects ({target_id!r} is "
                    f"{target['type']}, this is {doc['type']})")
            return None
        key = self.def_by_event.get(target_id)
        if fld == "corrects" and key is not None and defined_key(doc["type"], doc["data"]) != key:
            problem(f"data.{key[0]}", f"a correction of a definition must keep its id {key[1]!r}; "
                    f"retract it and define the new id instead")
        return key

