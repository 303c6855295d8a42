"""Property tests of blame and trails against the state (SPEC §12): two ways to the same answer.

Random valid histories (tests/unit/test_fold_properties.py: corrections of figures, dates and
certainty, chains of corrections, retractions) and random queries (as_of, known_at,
min_certainty): explain's ``fields`` equal the state's item field by field and name only its
evidence; a trail's last value is the state's item (or field) as of the trail's end; replaying
a trail's changes up to any date gives the state as of that date; the trail's events are the
item's evidence, and its withdrawn events are explain's.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from events import date_sort_key, period_end
from projections import SECTIONS, fold, item_key, parse_key
from projections.explain import explain_item
from projections.steps import BODY_FIELDS
from projections.trail import LAST_DAY, trail_item
from tests.unit.test_fold_properties import CERTAINTIES, FAR, SETTINGS, _as_of, histories

Events = list[dict[str, Any]]
LIFECYCLE = ("right", "right", "right", "condition", "condition", "partnership", "partnership", "agreement",
             "agreement", "negotiation", "case")
AUDIT_HISTORIES = st.one_of(histories(), histories(max_ops=40, kinds=LIFECYCLE))
"""The generic generator, and one weighted to the items with a lifecycle (until, conditions,
supersession), where blame has rules and trails have calendar changes."""
_EMPTY: tuple[Any, ...] = (None, [], {})


def _around_untils(events: Events) -> list[str]:
    """The last day of every ``until`` period in the events and the day after: where the calendar
    ends a right or partnership."""
    days = set()
    for e in events:
        until = e["data"].get("until")
        if until:
            end = period_end(until)
            days |= {end, (date.fromisoformat(end) + timedelta(days=1)).isoformat()}
    return sorted(days)


def _query(draw: Any, events: Events) -> tuple[int, str, str]:
    """(known_at, as_of, min_certainty): known_at is the whole ledger half of the time; as_of an
    event's date, a day around an ``until`` ending, or far ahead."""
    known_at = draw(st.one_of(st.just(len(events)), st.integers(0, len(events))))
    untils = _around_untils(events)
    as_of = draw(st.sampled_from(untils)) if untils and draw(st.booleans()) else _as_of(draw, events)
    return known_at, as_of, draw(st.sampled_from(CERTAINTIES))


def _items(state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(section, item) for section in SECTIONS for item in state[section]]


def _find(state: dict[str, Any], section: str, key: str) -> dict[str, Any] | None:
    return next((it for it in state[section] if item_key(section, it) == key), None)


@SETTINGS
@given(AUDIT_HISTORIES, st.data())
def test_explain_fields_are_the_state_item_and_name_its_evidence(events: Events, data: Any) -> None:
    known_at, as_of, floor = _query(data.draw, events)
    state = fold(events, as_of=as_of, known_at=known_at, min_certainty=floor)
    by_id = {e["id"]: e for e in events}
    for section, item in _items(state):
        key = item_key(section, item)
        doc = explain_item(events, section=section, key=key, as_of=as_of, known_at=known_at, min_certainty=floor)
        fields = doc["fields"]
        assert doc["item"] == item and list(fields) == list(BODY_FIELDS[section])
        evidence = item["evidence"]
        for name, entry in fields.items():
            assert entry["value"] == item[name], (section, key, name)
            if name == "invested":
                assert [ref["id"] for ref in entry["set_by"]] == [
                    i for i in evidence if by_id[i]["type"] == "InvestmentMade"]
                continue
            ref = entry["set_by"]
            if ref is None:  # the documented exception: an empty start value nobody gave
                assert entry["value"] in _EMPTY and entry["rule"] is None, (section, key, name)
                continue
            assert ref["id"] in evidence, (section, key, name, ref["id"])
            event = by_id[ref["id"]]
            assert (ref["type"], ref["effective_date"], ref["position"], ref["certainty"], ref["source"]) == (
                event["type"], event["effective_date"], event["position"], event["certainty"], event["source"])
            if entry["rule"] == "until":
                assert item["ended_by"] == "until" and fields["until"]["set_by"] == ref
            elif entry["rule"] == "condition":
                assert section == "rights" and (event["type"] == "ConditionMet" or event["data"]["right"] == key)
            elif entry["rule"] == "supersedes":
                assert section == "agreements" and key in event["data"]["supersedes"]


_RESTATED: dict[str, dict[str, tuple[str, ...]]] = {
    "stakes": {"StakeChanged": ("stake",)},
    "metrics": {"MetricReported": ("value", "unit")},
    "roles": {"RoleChanged": ("status", "change")},
    "rights": {"RightAmended": ("kind", "scope", "until", "ends_when", "restricted_when", "terms")},
    "partnerships": {"PartnershipAmended": ("kind", "money", "until", "terms", "summary")},
}
"""Events that set a field whenever they carry it (SPEC §4-§5: a stake is absolute, the latest
report of a metric wins, a role change sets the status, an amendment sets every field it names)."""


@SETTINGS
@given(AUDIT_HISTORIES, st.data())
def test_blame_says_which_rule_set_a_value_and_credits_restatements(events: Events, data: Any) -> None:
    known_at, as_of, floor = _query(data.draw, events)
    known = events[:known_at]
    by_id = {e["id"]: e for e in known}
    order = {e["id"]: (date_sort_key(e["effective_date"]), e["position"]) for e in known}
    for section, item in _items(fold(known, as_of=as_of, min_certainty=floor)):
        key = item_key(section, item)
        fields = explain_item(known, section=section, key=key, as_of=as_of, min_certainty=floor)["fields"]
        if section in ("rights", "partnerships"):
            assert (fields["status"]["rule"] == "until") == (item["ended_by"] == "until"), (section, key)
        if section == "rights" and item["ended_by"] == "condition":
            assert fields["ended_by"]["rule"] == fields["ended_on"]["rule"] == "condition", key
        if section == "agreements" and item["status"] == "superseded":
            assert fields["status"]["rule"] == fields["superseded_by"]["rule"] == "supersedes", key
        for name, entry in fields.items():
            ref = entry["set_by"] if name != "invested" else None
            if ref is not None and section != "conditions" and by_id[ref["id"]]["type"] == "ConditionMet":
                assert entry["rule"] == "condition", (key, name)
            setters = [i for i in item["evidence"] if _always_sets(by_id[i], section, name)]
            if setters and entry["rule"] is None:
                assert ref is not None and order[ref["id"]] >= order[setters[-1]], (section, key, name, setters)


def _always_sets(e: dict[str, Any], section: str, name: str) -> bool:
    if name not in _RESTATED.get(section, {}).get(e["type"], ()):
        return False
    return name in e["data"] if e["type"].endswith("Amended") else True


def _order(change: dict[str, Any]) -> tuple[str, int]:
    event = change["event"]
    return date_sort_key(change["effective_date"]), event["position"] if event else 0


@SETTINGS
@given(AUDIT_HISTORIES, st.data())
def test_blame_names_the_last_event_that_set_each_field_in_the_trail(events: Events, data: Any) -> None:
    """The event blamed for a field comes no earlier than the last change of that field in the
    trail up to as_of (later only when it restated the same value)."""
    known_at, as_of, floor = _query(data.draw, events)
    known = events[:known_at]
    for section, item in _items(fold(known, as_of=as_of, min_certainty=floor)):
        key = item_key(section, item)
        fields = explain_item(known, section=section, key=key, as_of=as_of, min_certainty=floor)["fields"]
        trail = trail_item(known, section=section, parts=parse_key(section, key), min_certainty=floor, date_to=as_of)
        assert trail is not None
        for name, entry in fields.items():
            if name == "invested" or entry["rule"] == "until":
                continue
            changes = [c for c in trail["changes"] if name in c["fields"] and c["withdrawn"] is None]
            if entry["set_by"] is None:
                assert all(c["fields"][name]["after"] in _EMPTY for c in changes), (section, key, name)
                continue
            if not changes:  # never changed from its start value: the blamed event restated it
                assert entry["value"] in _EMPTY, (section, key, name)
                continue
            blamed = (date_sort_key(entry["set_by"]["effective_date"]), entry["set_by"]["position"])
            assert _order(changes[-1]) <= blamed, (section, key, name)


@SETTINGS
@given(AUDIT_HISTORIES, st.data())
def test_a_trails_last_value_is_the_state_item_and_field(events: Events, data: Any) -> None:
    known_at, as_of, floor = _query(data.draw, events)
    known = events[:known_at]
    at_end = fold(known, as_of=as_of, min_certainty=floor)
    for section, item in _items(fold(known, as_of=FAR, min_certainty=floor)):
        key = item_key(section, item)
        parts = parse_key(section, key)
        expected = _find(at_end, section, key)
        trail = trail_item(known, section=section, parts=parts, min_certainty=floor, date_to=as_of)
        assert trail is not None and trail["value"] == expected, (section, key)
        field = data.draw(st.sampled_from(BODY_FIELDS[section]))
        narrowed = trail_item(known, section=section, parts=parts, min_certainty=floor, field=field, date_to=as_of)
        assert narrowed is not None
        assert narrowed["value"] == (expected[field] if expected is not None else None), (section, key, field)
        assert all(set(c["fields"]) == {field} for c in narrowed["changes"] if c["withdrawn"] is None)


def _replay(section: str, changes: list[dict[str, Any]], day: str) -> dict[str, Any] | None:
    """The item's fields after the live changes dated up to ``day`` (a field a change does not
    list is unchanged; a new item's unlisted fields are null)."""
    value: dict[str, Any] | None = None
    for change in changes:
        if change["withdrawn"] is None and date_sort_key(change["effective_date"]) <= day:
            value = value or dict.fromkeys(BODY_FIELDS[section])
            value.update({name: v["after"] for name, v in change["fields"].items()})
    return value


@SETTINGS
@given(AUDIT_HISTORIES, st.data())
def test_replaying_a_trail_up_to_any_date_gives_the_state_of_that_date(events: Events, data: Any) -> None:
    known_at, _, floor = _query(data.draw, events)
    known = events[:known_at]
    final = fold(known, as_of=LAST_DAY, min_certainty=floor)
    for section, item in _items(final):
        key = item_key(section, item)
        trail = trail_item(known, section=section, parts=parse_key(section, key), min_certainty=floor)
        assert trail is not None and trail["value"] == item
        changes = trail["changes"]
        assert [c["event"]["id"] for c in changes if c["event"] and not c["withdrawn"]] == item["evidence"]
        withdrawn = explain_item(known, section=section, key=key, as_of=LAST_DAY, min_certainty=floor)["superseded"]
        listed = [c["event"]["id"] for c in changes if c["withdrawn"]]
        assert sorted(listed) == sorted(w["event"]["id"] for w in withdrawn)
        days = {date_sort_key(c["effective_date"]) for c in changes} | {"2019-01-01", FAR}
        for day in sorted(days):
            state_item = _find(fold(known, as_of=day, min_certainty=floor), section, key)
            replayed = _replay(section, changes, day)
            if state_item is None:
                assert replayed is None, (section, key, day)
            else:
                assert replayed == {name: state_item[name] for name in BODY_FIELDS[section]}, (section, key, day)
