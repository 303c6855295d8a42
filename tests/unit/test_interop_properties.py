"""Property tests of the interop mappings on random ledgers (the fold tests' generator).

An export is computed from a state and its evidence, and an import from statements, so each
answer can be computed two ways: the last period of a stake or role in an export must equal
the state's value, and a BODS export imported again must fold to the same holdings, roles and
rights at every date. Every FtM entity must load unchanged, every BODS export validate.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from events import date_sort_key, period_end
from ledger.interop.bods_export import Publication, dumps, statements
from ledger.interop.bods_import import plan
from ledger.interop.bods_read import read_files
from ledger.interop.common import role_periods, stake_periods
from ledger.interop.ftm import check_entity
from ledger.interop.ftm_links import entities, party_id
from projections import fold
from tests.bods_validate import validate
from tests.eventfactory import History
from tests.unit.test_fold_properties import FAR, histories

SETTINGS = settings(max_examples=80, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PUBLISHED = "2100-01-01"


def _state(events: list[dict[str, Any]], as_of: str = FAR) -> dict[str, Any]:
    return fold(events, as_of=as_of)


@SETTINGS
@given(histories())
def test_periods_end_where_the_state_is(events: list[dict[str, Any]]) -> None:
    state, envelopes = _state(events), {e["id"]: e for e in events}
    for stake in state["stakes"]:
        periods = stake_periods(stake, envelopes)
        held = stake["stake"] is not None and Decimal(stake["stake"].get("exact") or 1) != 0
        assert bool(periods and periods[-1].end is None) == held
        if held:
            assert periods[-1].value == stake["stake"] or {**periods[-1].value, "basis": "equity"} == stake["stake"]
    for role in state["roles"]:
        periods = role_periods(role, envelopes)
        assert bool(periods and periods[-1].end is None) == (role["status"] == "active")


@SETTINGS
@given(histories())
def test_every_ftm_entity_loads_unchanged(events: list[dict[str, Any]]) -> None:
    state, envelopes = _state(events), {e["id"]: e for e in events}
    made = list(entities(state, envelopes))
    for entity in made:
        check_entity(entity)
    ids = {e["id"] for e in made}
    assert {party_id(p["party"]) for p in state["parties"]} <= ids
    open_owned = {(e["properties"]["owner"][0], e["properties"]["asset"][0], e["properties"]["percentage"][0])
                  for e in made if e["schema"] == "Ownership" and "endDate" not in e["properties"]}
    held = {(party_id(s["holder"]), party_id(s["issuer"]), s["stake"]["exact"]) for s in state["stakes"]
            if s["stake"] and Decimal(s["stake"]["exact"]) != 0}
    assert open_owned == held


def _round_trip(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Export at FAR, read the JSON back, plan the events, and store them as a History would."""
    state, envelopes = _state(events), {e["id"]: e for e in events}
    warnings: list[str] = []
    body = dumps(statements(state, envelopes, Publication.make("test", PUBLISHED), warnings))
    planner = plan(read_files([("export.json", body)]), set(), set())
    h = History()
    for e in planner.events:
        h.add(e["type"], e["data"], e["effective_date"], event_id=e["id"], certainty=e["certainty"])
    return h.events


def _view(state: dict[str, Any]) -> dict[str, set[tuple[Any, ...]]]:
    return {
        "holdings": {(s["holder"], s["issuer"], Decimal(s["stake"].get("exact") or -1), s["stake"].get("min"),
                      s["stake"].get("max")) for s in state["stakes"]
                     if s["stake"] and Decimal(s["stake"].get("exact") or 1) != 0},
        "roles": {(r["person"], r["organization"], r["role"], r["status"]) for r in state["roles"]},
        # BODS has no "restricted": a restricted right is exported (and comes back) as held
        "rights": {(r["right"], r["holder"], r["grantor"], "ended" if r["status"] == "ended" else "held")
                   for r in state["rights"]},
    }


@SETTINGS
@given(histories())
def test_bods_export_imports_back_to_the_same_state_at_every_date(events: list[dict[str, Any]]) -> None:
    back = _round_trip(events)
    days = sorted({period_end(e["effective_date"]) for e in events + back} | {FAR}, key=date_sort_key)
    for day in days:
        assert _view(_state(events, day)) == _view(_state(back, day)), day
    now, again = _state(events), _state(back)
    assert {(p["party"], p["name"], p["kind"], p["controlled_by"]) for p in now["parties"]} == \
        {(p["party"], p["name"], p["kind"], p["controlled_by"]) for p in again["parties"]}


@settings(max_examples=15, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(histories())
def test_every_bods_export_validates(events: list[dict[str, Any]]) -> None:
    state, envelopes = _state(events, "2099-01-01"), {e["id"]: e for e in events}
    body = dumps(statements(state, envelopes, Publication.make("test", "2026-01-01"), []))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.json"
        path.write_bytes(body)
        report = validate(path)
    assert report["schema_errors"] == [] and report["additional_checks"] == [], report
    assert report["additional_fields"] == {}
