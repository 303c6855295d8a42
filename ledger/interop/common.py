"""What the FollowTheMoney and BODS exports share: the state with its evidence, and periods.

Both formats describe relationships as intervals (an Ownership or an interest with a start and
an end date), while the state holds one current value per item. The history of a stake or a
role is read from the item's own ``evidence`` (its live contributing events, in fold order), so
an export says what the state says and nothing the fold did not keep: corrected and retracted
events never appear. A property test checks that the last period equals the state's value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from events import date_sort_key, next_day, period_end

if TYPE_CHECKING:
    from ledger.api import Ledger

Envelopes = Mapping[str, Mapping[str, Any]]
"""Stored envelopes by event id (at least every id named in some item's evidence)."""


def state_with_evidence(lg: Ledger, as_of: Any = None, known_at: Any = None,
             min_certainty: str = "rumored") -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The state document and the stored envelopes of every event in its evidence lists."""
    doc = lg.state(as_of=as_of, known_at=known_at, min_certainty=min_certainty).to_dict()
    ids = sorted({eid for section in doc.values() if isinstance(section, list)
                  for item in section for eid in item.get("evidence", ())})
    return doc, {env["id"]: env for env in lg.events(ids=ids)}


@dataclass
class Period:
    """One interval of a relationship: ``value`` held from ``start`` until ``end`` (exclusive).

    ``start`` is None when the ledger records only the end (a removal nobody was seen to be
    appointed to); ``end`` is None while it lasts. ``events`` are the ids behind the period.
    """

    start: str | None
    end: str | None
    value: Any
    events: list[str] = field(default_factory=list)


def _in_order(item: Mapping[str, Any], envelopes: Envelopes, types: Iterable[str]) -> list[Mapping[str, Any]]:
    wanted = set(types)
    return [envelopes[eid] for eid in item["evidence"] if eid in envelopes and envelopes[eid]["type"] in wanted]


def stake_periods(item: Mapping[str, Any], envelopes: Envelopes) -> list[Period]:
    """The successive stakes of a holder in an issuer: each StakeChanged starts a period and ends
    the previous one; a stake of exactly 0 (a disposal) only ends one. Two values set on the same
    day leave the later one (fold order), as the fold does."""
    periods: list[Period] = []
    for env in _in_order(item, envelopes, ("StakeChanged",)):
        day, stake = env["effective_date"], env["data"]["stake"]
        if periods and periods[-1].end is None:
            periods[-1].end = day
        carried: list[str] = []
        if periods and periods[-1].start == day:
            carried = periods.pop().events
        if stake.get("exact") is not None and Decimal(stake["exact"]) == 0:
            if periods and periods[-1].end == day:
                periods[-1].events.extend([*carried, env["id"]])
            continue
        periods.append(Period(day, None, stake, [*carried, env["id"]]))
    return periods


def role_periods(item: Mapping[str, Any], envelopes: Envelopes) -> list[Period]:
    """Terms of one person in one role: appointed opens a term (again after an end), removed or
    resigned closes the open one, or records an end alone when no appointment is known."""
    periods: list[Period] = []
    for env in _in_order(item, envelopes, ("RoleChanged",)):
        day, change = env["effective_date"], env["data"]["change"]
        open_term = periods[-1] if periods and periods[-1].end is None and periods[-1].start is not None else None
        if change == "appointed":
            if open_term is None:
                periods.append(Period(day, None, "appointed", [env["id"]]))
            else:
                open_term.events.append(env["id"])
        elif open_term is not None:
            open_term.end = day
            open_term.value = change
            open_term.events.append(env["id"])
        elif not periods or periods[-1].end != day:
            periods.append(Period(None, day, change, [env["id"]]))
    return periods


def ended_on(item: Mapping[str, Any]) -> str | None:
    """The first day an ended right or partnership no longer holds: the ending event's date, or
    the day after an inclusive ``until``."""
    if item.get("status") != "ended" or not item.get("ended_on"):
        return None
    if item.get("ended_by") == "until":
        return next_day(period_end(item["ended_on"]))
    return str(item["ended_on"])


def full_date(text: str) -> str:
    """A ledger date as a full ``YYYY-MM-DD`` (a partial date becomes the first day of its period,
    as BODS asks for interest dates)."""
    return date_sort_key(text)


CLOSING = frozenset({"dismissed", "withdrawn", "settled", "ruled"})
REOPENING = frozenset({"appealed", "refiled"})


def closing_date(item: Mapping[str, Any], envelopes: Envelopes) -> str | None:
    """Effective date of the update that closed a closed case: the first closing update since the last
    appeal or refiling (an amendment changes nothing), as the fold's status rule says (SPEC §5)."""
    if item.get("status") != "closed":
        return None
    last = None
    for env in _in_order(item, envelopes, ("LegalActionUpdated",)):
        status = env["data"]["status"]
        if status in CLOSING and last is None:
            last = env["effective_date"]
        elif status in REOPENING:
            last = None
    return last


def sources(event_ids: Iterable[str], envelopes: Envelopes) -> list[tuple[str, Mapping[str, Any]]]:
    """(event id, source) for each event that has a source, in the given order."""
    return [(eid, envelopes[eid]["source"]) for eid in event_ids if eid in envelopes and envelopes[eid].get("source")]
