"""The fold: selected stored events in, the state document's sections out (SPEC §2, §5).

Selection (:mod:`projections.select`) decides which events count and their order; a
:class:`Folder` applies them in that order, one dispatch per event type, to plain dicts. A
Folder can be snapshotted and fed further events that come later in fold order, which is what
a checkpoint is; :func:`fold` is selection plus one Folder.

Everything works on plain dicts with local-variable lookups in the hot loop, because a full
rebuild of a million events must run at well over 150,000 events/s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from events import date_sort_key
from events.stored import StoredEnvelope
from projections import deals, entities, rights
from projections._items import Accumulator, Item
from projections.sections import KEY_FIELDS, SECTIONS, sorted_keys
from projections.select import check_query, concat_days, gc_paused, plan, sort_key

DATA_FORMAT = 1
"""Version of :meth:`Folder.to_data`'s layout; a checkpoint of another version is not used."""

DISPATCH: dict[str, entities.Handler] = {**entities.HANDLERS, **rights.HANDLERS, **deals.HANDLERS}
"""StoredEnvelope type -> handler. EventRetracted has none: it only removes, which selection does."""

_FINISHERS: dict[str, Callable[[Item, str], None]] = {
    "stakes": entities.render_stake,
    "rights": rights.settle_until,
    "partnerships": rights.settle_until,
}
"""Per-section steps that depend on the query date or turn internal values into output values."""

_COLLECTIONS: dict[str, tuple[str, ...]] = {
    "parties": ("aliases",), "stakes": ("stake",), "rights": ("terms",), "partnerships": ("parties", "money", "terms"),
    "agreements": ("parties", "supersedes"), "negotiations": ("parties",), "legal_actions": ("plaintiffs", "defendants"),
}
"""List or dict fields (besides ``evidence``) that the output must not share with the accumulator."""


class FoldError(ValueError):
    """A stored event the fold cannot apply (see :meth:`Folder._run`)."""

    def __init__(self, event: StoredEnvelope | None, cause: BaseException) -> None:
        self.event_id = event.get("id") if isinstance(event, dict) else None
        self.position = event.get("position") if isinstance(event, dict) else None
        super().__init__(f"event {self.event_id!r} at position {self.position} cannot be folded "
                         f"({type(cause).__name__}: {cause})")


class _Spent(dict):  # type: ignore[type-arg]
    """The state of a consumed Folder: any use fails loudly instead of folding into nothing."""

    def __getitem__(self, key: Any) -> Any:
        raise RuntimeError("this Folder's result was consumed; fold again or use a snapshot")


_SPENT: Any = _Spent()


class Folder:
    """An incremental fold: apply events in fold order, ask for the sections at any later date.

    The caller selects the events (:func:`select_events`); a Folder only accumulates. Batches
    must follow each other in fold order, which is checked at batch boundaries: an event that
    belongs before what is already folded (a backdated arrival) means the caller must restart
    from an earlier snapshot. ``snapshot()`` is a deep copy, cheap enough to keep checkpoints.
    """

    __slots__ = ("_state", "_last")

    def __init__(self) -> None:
        state: Accumulator = {name: {} for name in SECTIONS}
        state["_met"] = {}
        state["_watch"] = {}
        self._state = state
        self._last: tuple[str, int] | None = None

    @property
    def last(self) -> tuple[str, int] | None:
        """(date sort key, position) of the last folded event; None before any."""
        return self._last

    def apply(self, events: Iterable[StoredEnvelope], *, in_fold_order: bool = False) -> None:
        """Fold a batch of selected events; within the batch, order does not matter, unless
        ``in_fold_order`` says the batch is already in fold order (what :func:`select_events`
        returns): then it is folded as given, without regrouping it by day."""
        if in_fold_order:
            batch = list(events)
        else:
            days: dict[str, list[StoredEnvelope]] = {}
            for e in events:
                days.setdefault(date_sort_key(e["effective_date"]), []).append(e)
            batch = concat_days(days, by_position=False)
        if batch and self._last is not None and sort_key(batch[0]) <= self._last:
            raise ValueError(
                f"event {batch[0]['id']!r} at {sort_key(batch[0])} comes before what is already folded "
                f"(up to {self._last}): fold again from an earlier snapshot"
            )
        with gc_paused():
            self._run(batch)

    def _run(self, ordered: list[StoredEnvelope]) -> None:
        """The hot loop: one dict lookup and one call per event.

        Events that are not what the catalog validates (a type it does not know, a payload
        missing a field) can only come from a store edited behind the ledger's back: they stop
        the fold with :class:`FoldError` naming the event, never a silently different state.
        """
        state = self._state
        handler_for = DISPATCH.get
        e: StoredEnvelope | None = None
        try:
            for e in ordered:
                handler = handler_for(e["type"])
                if handler is not None:
                    handler(state, e)
                elif e["type"] != "EventRetracted":
                    raise KeyError(f"unknown event type {e['type']!r}")
        except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation) as exc:
            raise FoldError(e, exc) from exc
        if ordered:
            self._last = sort_key(ordered[-1])

    def result(self, as_of: str, *, consume: bool = False) -> dict[str, list[Item]]:
        """The sections as of ``as_of`` (which must not precede the folded events), sorted by key.

        The output shares nothing with the accumulator, so folding may continue afterwards;
        unless ``consume``: then the items themselves become the output (no copy, half the
        memory of a large state) and this Folder can no longer be used.
        """
        check_query(as_of, None, "rumored")
        if self._last is not None and self._last[0] > as_of:
            raise ValueError(f"as_of {as_of} precedes events already folded (up to {self._last[0]})")
        state = self._state
        if consume:
            self._state = _SPENT
        with gc_paused():
            return {
                name: _section(state[name], _COLLECTIONS.get(name, ()), _FINISHERS.get(name), as_of, consume)
                for name in SECTIONS
            }

    def dump(self, *, copy: bool = True) -> tuple[Accumulator, tuple[str, int] | None]:
        """The accumulator and the last folded key, for a store to persist as a checkpoint.

        It holds only dicts, lists, tuples, strings, numbers, booleans, None and Decimals.
        ``copy=False`` hands out the live accumulator, for a caller that only reads it at once
        (serializing a million-event state: the copy doubled the memory of ``rebuild``).
        """
        return (_copy_state(self._state) if copy else self._state), self._last

    def to_data(self, *, totals: bool = True) -> dict[str, Any]:
        """The accumulator as plain JSON data (a checkpoint's stored form: data, never code).

        Items are listed per section in key order, the order of :meth:`result` (their keys are
        rebuilt from their key fields on load, and :func:`finish_stored` turns a stored section
        into the result's without a Folder), the per-currency totals of stakes become decimal
        strings, and the condition indexes lists. It shares the items with the accumulator:
        serialize it before folding further.

        ``totals=False`` leaves the stakes as they are, their totals Decimals, for a serializer
        that writes a Decimal as ``format(total, "f")`` (the checkpoint's): the same text without
        copying every stake to replace its totals (a third of the time of encoding one).
        """
        state = self._state
        with gc_paused():
            sections: dict[str, Any] = {name: list(map(state[name].__getitem__, sorted_keys(state[name])))
                                        for name in SECTIONS}
            if totals:
                sections["stakes"] = [
                    {**item, "invested": {cur: [format(total, "f"), approx]
                                          for cur, (total, approx) in item["invested"].items()}}
                    for item in sections["stakes"]
                ]
        head = self.header_data()
        return {"format": head["format"], "last": head["last"], "sections": sections, "met": head["met"],
                "watch": head["watch"]}

    def header_data(self) -> dict[str, Any]:
        """What :meth:`to_data` holds besides the sections (the layout version, the last folded key,
        the condition indexes), without reading the sections."""
        state = self._state
        return {"format": DATA_FORMAT, "last": list(self._last) if self._last is not None else None,
                "met": state["_met"], "watch": {condition: list(rights) for condition, rights in state["_watch"].items()}}

    @classmethod
    def from_data(cls, data: Any) -> Folder:
        """A Folder from :meth:`to_data` output; ``ValueError`` for anything else."""
        try:
            if data["format"] != DATA_FORMAT:
                raise ValueError(f"checkpoint format {data['format']!r}, this code reads {DATA_FORMAT}")
            state: Accumulator = {}
            for name in SECTIONS:
                fields = KEY_FIELDS[name]
                items = data["sections"][name]
                if len(fields) == 1:
                    state[name] = {item[fields[0]]: item for item in items}
                else:
                    state[name] = {tuple(item[f] for f in fields): item for item in items}
            _load_totals(state["stakes"].values())
            state["_met"] = dict(data["met"])
            state["_watch"] = {condition: dict.fromkeys(rights) for condition, rights in data["watch"].items()}
            last = data["last"]
            return cls.load(state, (str(last[0]), int(last[1])) if last is not None else None)
        except (KeyError, TypeError, IndexError, InvalidOperation, AttributeError) as exc:
            raise ValueError(f"not a fold checkpoint ({type(exc).__name__}: {exc})") from None

    @classmethod
    def load(cls, state: Accumulator, last: tuple[str, int] | None) -> Folder:
        """A Folder resumed from :meth:`dump` output (taken over, not copied)."""
        folder = cls.__new__(cls)
        folder._state = state
        folder._last = tuple(last) if last is not None else None  # type: ignore[assignment]
        return folder

    def __eq__(self, other: object) -> bool:
        """Same accumulated state (what a stored checkpoint is checked against)."""
        return isinstance(other, Folder) and self._last == other._last and self._state == other._state

    __hash__ = None  # type: ignore[assignment]

    def __deepcopy__(self, memo: dict[int, Any]) -> Folder:
        return self.snapshot()

    def snapshot(self) -> Folder:
        """An independent copy: a checkpoint that later applies to this Folder do not touch."""
        clone = Folder.__new__(Folder)
        with gc_paused():
            clone._state = _copy_state(self._state)
        clone._last = self._last
        return clone


def _copy_state(state: Accumulator) -> Accumulator:
    """A deep copy of the accumulator that knows its shape (``copy.deepcopy`` is ~10x slower).

    Items hold scalars, flat lists/dicts (``_COLLECTIONS``, evidence), and for stakes the
    per-currency ``[total, approximate]`` pairs; the indexes are a flat dict and a dict of dicts.
    """
    out: Accumulator = {}
    for name in SECTIONS:
        collections = _COLLECTIONS.get(name, ()) + ("evidence",)
        section = {}
        for key, item in state[name].items():
            clone = item.copy()
            for field in collections:
                if clone[field] is not None:
                    clone[field] = clone[field].copy()
            section[key] = clone
        out[name] = section
    for item in out["stakes"].values():
        item["invested"] = {currency: pair.copy() for currency, pair in item["invested"].items()}
    out["_met"] = dict(state["_met"])
    out["_watch"] = {condition: dict(rights) for condition, rights in state["_watch"].items()}
    return out


def _section(
    items: dict[Any, Item], collections: tuple[str, ...], finish: Callable[[Item, str], None] | None, as_of: str,
    consume: bool = False,
) -> list[Item]:
    """One output section: items sorted by key, copied so they share nothing mutable with the fold
    (or, when the fold is consumed, the items themselves)."""
    rows = []
    for key in sorted_keys(items):
        item = items[key]
        if not consume:
            item = item.copy()
            item["evidence"] = item["evidence"].copy()
            for name in collections:
                value = item[name]
                if value is not None:
                    item[name] = value.copy()
        if finish is not None:
            finish(item, as_of)
        rows.append(item)
    return rows


def _load_totals(stakes: Iterable[Item]) -> None:
    for item in stakes:
        item["invested"] = {cur: [Decimal(total), bool(approx)] for cur, (total, approx) in item["invested"].items()}


def finish_stored(section: str, items: list[Item], as_of: str) -> list[Item]:
    """A piece of a section as :meth:`Folder.result` shows it, from the items :meth:`Folder.to_data`
    stored (fresh, in key order: they are finished in place). With no event folded after them
    this is the result itself, a piece at a time: how a whole state streams from a checkpoint.
    ``ValueError`` for what ``to_data`` cannot have written."""
    try:
        if section == "stakes":  # no date in it: rendered from the stored texts
            for item in items:
                entities.render_stored_stake(item)
            return items
        finish = _FINISHERS.get(section)
        if finish is not None:
            for item in items:
                finish(item, as_of)
    except (KeyError, TypeError, IndexError, InvalidOperation, AttributeError) as exc:
        raise ValueError(f"not a fold checkpoint ({type(exc).__name__}: {exc})") from None
    return items


def finish_item(section: str, item: Item, as_of: str) -> Item:
    """One accumulator item as a result as of ``as_of`` shows it: copied and finished by the
    same per-section steps (``until`` settled, stakes' totals rendered); the item is untouched."""
    return _section({0: item}, _COLLECTIONS.get(section, ()), _FINISHERS.get(section), as_of)[0]


def fold(
    events: Iterable[StoredEnvelope], *, as_of: str, known_at: int | None = None, min_certainty: str = "rumored"
) -> dict[str, list[Item]]:
    """The state sections as of ``as_of``, as known at position ``known_at`` (SPEC §2, §5).

    Pure: the same events and arguments give equal output, JSON-serializable with the stdlib.
    """
    check_query(as_of, known_at, min_certainty)
    folder = Folder()
    with gc_paused():
        folder._run(plan(events, as_of, known_at, min_certainty))
        return folder.result(as_of, consume=True)
