"""The Ledger reads the server needed: streams(), event(id), and history's repeated types,
effective-date bounds and limit. Each is checked against a second computation over the raw
events (``Ledger.events``), by property tests where the inputs vary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import EVENT_TYPES, date_sort_key, period_end
from ledger import Ledger, NotFoundError, ValidationError
from tests.procs import investments, parties
from tests.serverkit import engine_url, load_demo


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    with engine_url(request.param, tmp_path_factory.mktemp("reads")) as url:
        load_demo(url)
        with Ledger.open(url) as lg:
            yield lg


def _reference(lg: Ledger, types: list[str] | None, low: str | None, high: str | None, since: int,
               limit: int | None, party: str | None) -> list[str]:
    """History by hand: every stored event, filtered in Python one condition at a time (the party's
    events are those of ``history(party=...)`` unfiltered: the other filters must compose with it)."""
    wanted = {e["id"] for e in lg.history(party=party)["events"]} if party else None
    out = []
    for env in lg.events():
        day = date_sort_key(env["effective_date"])
        if env["position"] <= since or (types and env["type"] not in types) or (wanted is not None and env["id"] not in wanted):
            continue
        if (low and day < date_sort_key(low)) or (high and day > period_end(high)):
            continue
        out.append(env["id"])
    return out[:limit] if limit else out


DATES = st.sampled_from([None, "2019", "2020-09", "2023-01-23", "2023-11", "2024", "2025-10-28"])
TYPES = st.one_of(st.none(), st.lists(st.sampled_from(sorted(EVENT_TYPES)), min_size=1, max_size=3, unique=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(types=TYPES, low=DATES, high=DATES, since=st.integers(0, 140), limit=st.one_of(st.none(), st.integers(1, 40)),
       party=st.sampled_from([None, "openai", "oracle"]))
def test_history_filters_agree_with_filtering_every_event_by_hand(
    demo: Ledger, types: list[str] | None, low: str | None, high: str | None, since: int, limit: int | None,
    party: str | None,
) -> None:
    if low and high and period_end(high) < date_sort_key(low):  # a range that ends before it starts says so
        with pytest.raises(ValidationError, match="ends .* before it starts"):
            demo.history(party=party, type=types, since=since, date_from=low, date_to=high, limit=limit)
        return
    doc = demo.history(party=party, type=types, since=since, date_from=low, date_to=high, limit=limit)
    assert [e["id"] for e in doc["events"]] == _reference(demo, types, low, high, since, limit, party)
    assert doc["type"] == types and doc["limit"] == limit


def test_history_bounds_are_inclusive_periods_and_refuse_nonsense(demo: Ledger) -> None:
    doc = demo.history(date_from="2023-11", date_to="2023-11")
    assert doc["from"] == "2023-11-01" and doc["to"] == "2023-11-30"
    assert doc["events"] and all(e["effective_date"].startswith("2023-11") for e in doc["events"])
    for bad in ({"date_from": "2023-13"}, {"date_to": "23-11"}, {"limit": 0}, {"type": ["Nope"]}):
        with pytest.raises(ValidationError):
            demo.history(**bad)  # type: ignore[arg-type]
    assert demo.history(type="RoleChanged")["type"] == ["RoleChanged"]


def test_event_by_id_carries_what_withdrew_it(demo: Ledger) -> None:
    marked = {e["id"]: e for e in demo.history()["events"]}
    for eid, entry in marked.items():
        if entry["corrected_by"] or entry["retracted_by"] or eid in ("party-openai",):
            assert demo.event(eid).to_dict() == entry
    with pytest.raises(NotFoundError, match="no-such"):
        demo.event("no-such")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c-d"]), st.integers(1, 4)), min_size=1, max_size=6))
def test_streams_agree_with_counting_stored_events(tmp_path_factory: pytest.TempPathFactory,
                                                   batches: list[tuple[str, int]]) -> None:
    with Ledger.open(f"sqlite:///{tmp_path_factory.mktemp('streams')}/s.db", init=True) as lg:
        lg.append(parties())
        for n, (stream, size) in enumerate(batches):
            lg.append(investments(f"b{n}-", size, stream=stream))
        stored: list[dict[str, Any]] = list(lg.events())
        counts = Counter(e["stream"] for e in stored)
        expected = [{"name": s, "version": counts[s], "events": counts[s],
                     "last_position": max(e["position"] for e in stored if e["stream"] == s)} for s in sorted(counts)]
        assert lg.streams()["streams"] == expected
        assert all(max(e["stream_version"] for e in stored if e["stream"] == s["name"]) == s["version"]
                   for s in lg.streams()["streams"])


def test_streams_on_an_empty_ledger(tmp_path: Any) -> None:
    with Ledger.open(f"sqlite:///{tmp_path}/e.db", init=True) as lg:
        assert lg.streams().to_dict() == {"streams": []}
