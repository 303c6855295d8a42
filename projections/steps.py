"""The fold of one query, stopped at every event that changes one item: the basis of blame and trails.

Per-field provenance and trails must agree with the state by construction, so they do not
re-implement a single rule: the selected events run through the same :class:`Folder` (the same
handlers, in the same order) as ``state``, in segments that end at each event able to touch the
item (:func:`projections.about.is_about`, a superset of what the handlers touch). Around such an
event the item is copied before and read after, and the handler's own assignments to it are
recorded (a handler that restates a value, such as a second appointment to a role, did set it
even though it did not change it). A step is kept when the event assigned or changed anything.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from events.stored import StoredEnvelope
from projections._items import Item
from projections.about import conditions_of, is_about
from projections.fold import Folder
from projections.sections import FIELDS, KEY_FIELDS, META_FIELDS
from projections.select import plan

BODY_FIELDS: dict[str, tuple[str, ...]] = {
    name: tuple(f for f in fields if f not in META_FIELDS) for name, fields in FIELDS.items()
}
"""The fields that blame and trails report: key and body fields, not since/updated/certainty/evidence."""


@dataclass(frozen=True)
class Step:
    """One event that set or changed the item.

    ``before`` (None: the item did not exist) and ``after`` are copies of the fold's internal item
    (stakes keep ``invested`` as per-currency ``[total, approximate]`` pairs; ``until`` is not
    settled): :func:`projections.fold.finish_item` gives the output form at a date. ``assigned``
    holds the fields the handler assigned (every field when the event created the item).
    """

    event: StoredEnvelope
    before: Item | None
    after: Item
    assigned: frozenset[str] = field(default_factory=frozenset)

    def set_fields(self) -> set[str]:
        """Fields this event set: assigned by the handler, or changed in place (a list extended)."""
        if self.before is None:
            return set(self.after)
        return set(self.assigned) | {name for name in self.after if self.after[name] != self.before.get(name)}


class _Recorder(dict):  # type: ignore[type-arg]
    """An item that remembers which keys were assigned, put in the accumulator for one event."""

    __slots__ = ("assigned",)

    def __init__(self, item: Item) -> None:
        super().__init__(item)
        self.assigned: set[str] = set()

    def __setitem__(self, key: str, value: Any) -> None:
        self.assigned.add(key)
        super().__setitem__(key, value)


def accumulator_key(section: str, parts: tuple[str, ...]) -> Any:
    """How the fold's accumulator keys an item: its one key field, or the tuple of them."""
    return parts[0] if len(KEY_FIELDS[section]) == 1 else tuple(parts)


def item_steps(
    known: list[StoredEnvelope], section: str, parts: tuple[str, ...], as_of: str, min_certainty: str,
) -> list[Step]:
    """The steps of the item ``parts`` of ``section`` in the fold of ``known`` as of ``as_of``.

    ``known`` are the stored events as known at the query's ``known_at`` (already cut there), so
    withdrawals among them apply exactly as in ``state``.
    """
    conditions = conditions_of(known, section, parts)
    acc_key = accumulator_key(section, parts)
    folder = Folder()
    # The live accumulator's section: handlers mutate it in place, and it is only read (and the
    # one item swapped for a recorder and back) between two applies.
    items = folder.dump(copy=False)[0][section]
    steps: list[Step] = []
    pending: list[StoredEnvelope] = []
    for e in plan(known, as_of, None, min_certainty):
        if not is_about(e, section, parts, conditions):
            pending.append(e)
            continue
        if pending:
            folder.apply(pending, in_fold_order=True)
            pending = []
        current = items.get(acc_key)
        before = copy.deepcopy(current) if current is not None else None
        recorder = None
        if current is not None:
            recorder = items[acc_key] = _Recorder(current)
        folder.apply([e], in_fold_order=True)
        after = items.get(acc_key)
        if after is None:
            continue
        assigned: set[str] = set()
        if after is recorder:
            assigned = recorder.assigned
            after = items[acc_key] = dict(recorder)
        elif before is not None:  # redefined: a new item replaced the old one
            before = None
        if before is None or assigned or after != before:
            steps.append(Step(e, before, copy.deepcopy(after), frozenset(assigned)))
    return steps
