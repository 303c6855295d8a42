"""Stored events keep their ``schema_version``; reading upcasts them (events/upcast.py).

``tests/data/v1_ledger.jsonl`` is an export of a ledger of every event type, corrections and a
retraction included, written at schema_version 1. It never changes: it is what databases
recorded today hold, so whatever later versions do, it must keep importing, verifying and folding
to ``tests/data/v1_state.json`` (a deliberate change of the state document updates that file,
never the events file). The second half registers a hypothetical version 2 (in the test only)
and shows the wiring: queries see v2, while ``verify`` and ``export`` see the rows as stored.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

import events.upcast
from events import EVENT_TYPES
from ledger import Ledger
from ledger.errors import SchemaVersionError
from tests.samples import GOLDEN_V1, golden_envelopes

DATA = GOLDEN_V1.parent
GOLDEN = GOLDEN_V1
_golden = golden_envelopes
V1_TYPES = 21
"""How many event types version 1 had (all of them are in the file)."""


def _export(lg: Ledger) -> bytes:
    out = io.BytesIO()
    lg.export(out)
    return out.getvalue()


def test_the_golden_file_is_version_1_of_every_event_type() -> None:
    envelopes = _golden()
    assert {e["schema_version"] for e in envelopes} == {1}
    types = {e["type"] for e in envelopes}
    assert len(types) == V1_TYPES and types <= set(EVENT_TYPES)  # a later type is not in a v1 file
    assert any(e["corrects"] for e in envelopes)


def test_v1_events_keep_loading_and_folding(ledger: Ledger) -> None:
    ledger.import_envelopes(_golden())
    assert ledger.verify().ok
    expected = json.loads((DATA / "v1_state.json").read_text(encoding="utf-8"))
    assert ledger.state(as_of="2025-12-31").to_dict() == expected
    assert _export(ledger) == GOLDEN.read_bytes()  # the export is the rows as stored, byte for byte


def _v2(document: dict[str, Any]) -> dict[str, Any]:
    """Hypothetical version 2: a metric's unit is stored as an upper-case code."""
    if document["type"] == "MetricReported":
        document["data"]["unit"] = document["data"]["unit"].upper()
    return document


@pytest.fixture
def version_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events.upcast, "CURRENT_SCHEMA_VERSION", 2)
    monkeypatch.setitem(events.upcast.UPCASTERS, 1, _v2)


def test_a_stored_v1_row_reads_as_v2_while_verify_and_export_see_v1(ledger: Ledger, request: pytest.FixtureRequest) -> None:
    ledger.import_envelopes(_golden())
    request.getfixturevalue("version_2")  # the code is upgraded; the rows stay as they were written

    one = ledger.event("metric").to_dict()
    assert (one["data"]["unit"], one["schema_version"]) == ("USD", 2)  # the row mapper
    assert {e["schema_version"] for e in ledger.history().to_dict()["events"]} == {2}
    for state in (ledger.state(as_of="2025-12-31"), ledger.state(as_of="2025-12-31", party="lab")):
        assert [m["unit"] for m in state.to_dict()["metrics"]] == ["USD"]  # the fold reads
    explained = ledger.explain("metrics:lab/revenue/FY2024", as_of="2025-12-31").to_dict()
    assert explained["fields"]["unit"]["value"] == "USD"

    assert ledger.verify().ok  # the hash covers what was stored
    assert _export(ledger) == GOLDEN.read_bytes()
    assert '"unit":"usd"' in GOLDEN.read_text(encoding="utf-8")


def test_a_checkpoint_of_v1_folds_is_not_used_by_v2_code(ledger: Ledger, request: pytest.FixtureRequest) -> None:
    ledger.import_envelopes(_golden())
    ledger.rebuild(2)  # folded as version 1 saw the events
    request.getfixturevalue("version_2")
    used = ledger.checkpoint_cache.used
    assert [m["unit"] for m in ledger.state(as_of="2025-12-31").to_dict()["metrics"]] == ["USD"]
    assert ledger.checkpoint_cache.used == used
    report = ledger.verify()
    assert not report.ok and "rebuild" in report.problems[0]["problem"]
    ledger.rebuild(2)
    assert ledger.verify().ok
    assert [m["unit"] for m in ledger.state(as_of="2025-12-31").to_dict()["metrics"]] == ["USD"]
    assert ledger.checkpoint_cache.used == used + 1


def test_events_of_a_newer_version_are_refused_by_name(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger.import_envelopes(_golden()[:2])
    monkeypatch.setattr(events.upcast, "CURRENT_SCHEMA_VERSION", 0)  # the rows are newer than this "code"
    with pytest.raises(SchemaVersionError, match="upgrade alliance-ledger"):
        ledger.event("reg-acme")
    with pytest.raises(SchemaVersionError, match="upgrade alliance-ledger"):
        ledger.state(as_of="2025-12-31")
