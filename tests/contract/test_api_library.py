"""The library as a script uses it (SPEC §6, issue #18), on both engines: typed events, result
documents with attributes, typed errors with structured fields, batch-relative positions."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import events
from events import InvestmentMade, InvestmentMadeData, Money, PartyRegistered, PartyRegisteredData, Source
from ledger import Ledger
from ledger.errors import ConflictError, ValidationError
from tests.samples import SRC, basic, investment


def typed_basic_prefix() -> list[object]:
    source = Source(**SRC)
    return [
        PartyRegistered(id="reg-microsoft", effective_date="1975-04-04", certainty="confirmed", source=source,
                        data=PartyRegisteredData(party="microsoft", name="Microsoft", kind="company")),
        PartyRegistered(id="reg-openai", effective_date="2015-12-11", certainty="confirmed", source=source,
                        data=PartyRegisteredData(party="openai", name="Openai", kind="nonprofit")),
        InvestmentMade(id="inv-2019", effective_date="2019-07-22", stream="microsoft-openai", certainty="confirmed",
                       source=source, data=InvestmentMadeData(investor="microsoft", investee="openai",
                                                              money=Money(amount="1000000000", currency="USD"))),
    ]


def test_every_event_and_payload_type_is_importable_by_name() -> None:
    for name in events.EVENT_TYPES:
        cls, payload = getattr(events, name), getattr(events, name + "Data")
        assert cls.model_fields["type"].default == name and payload.__name__ == name + "Data"
        assert name in events.__all__ and name + "Data" in events.__all__
    assert set(events._LAZY) <= set(events.__all__)
    for name in events.__all__:
        assert getattr(events, name) is not None, name


def test_typed_events_append_and_store_exactly_as_their_dicts(ledger: Ledger, tmp_path: Path) -> None:
    typed = ledger.append(typed_basic_prefix())
    assert (typed.appended, typed.first_position, typed.last_position) == (3, 1, 3)
    as_dicts = ledger.append(basic()[:3])  # the same events as dicts: an idempotent no-op
    assert (as_dicts.appended, as_dicts.existing, as_dicts.positions) == (0, 3, [1, 2, 3])


def test_a_no_op_retry_reports_the_batch_not_the_head(ledger: Ledger) -> None:
    ledger.append(basic())
    later = ledger.append([investment("inv-2021", "2021", "2000000000")])
    assert (later.first_position, later.last_position, later.head) == (6, 6, 6)
    retry = ledger.append(basic()[2:4])
    assert (retry.appended, retry.first_position, retry.last_position, retry.head) == (0, 3, 4, 6)


def test_result_documents_have_attributes_lengths_and_frames(ledger: Ledger) -> None:
    ledger.append(basic())
    state = ledger.state(as_of="2021", party="Microsoft")
    assert state.as_of == "2021-12-31" and state.party == "microsoft" and state.known_at["position"] == 5
    assert len(state.rights) == 1 and [r["right"] for r in state.rights] == ["gpt3-license"]
    frame = state.stakes.to_pandas()
    assert list(frame["holder"]) == ["microsoft"] and "invested" in frame.columns
    history = ledger.history(party="openai")
    positions = [e["position"] for e in history]
    assert len(history) == len(history.events) == 4 and positions == sorted(positions) and 1 not in positions
    streams = ledger.streams()
    assert {s["name"]: s["version"] for s in streams} == {"main": 3, "microsoft-openai": 2}
    diff = ledger.diff("2019-01-01", "2021-01-01")
    assert [item["right"] for item in diff.changes["rights"]["added"]] == ["gpt3-license"]
    with pytest.raises(AttributeError, match="fields: "):
        _ = state.no_such_field


def test_conflicts_carry_structured_fields(ledger: Ledger) -> None:
    ledger.append(basic())
    with pytest.raises(ConflictError) as stream_conflict:
        ledger.append([investment("inv-2021", "2021", "1")], expected_version=1, stream="microsoft-openai")
    e = stream_conflict.value
    assert (e.stream, e.expected, e.actual, e.event_id) == ("microsoft-openai", 1, 2, None)
    with pytest.raises(ConflictError) as id_conflict:
        ledger.append([investment("inv-2019", "2019-07-22", "5")])
    e = id_conflict.value
    assert (e.event_id, e.position, e.expected, e.actual) == ("inv-2019", 3, None, None)
    assert ledger.count() == 5


@pytest.mark.parametrize(("call", "field"), [
    (lambda lg: lg.state(as_of=20240101), "as_of"),
    (lambda lg: lg.state(known_at=[1]), "known_at"),
    (lambda lg: lg.state(min_certainty="sure"), "min_certainty"),
    (lambda lg: lg.history(limit=-1), "limit"),
    (lambda lg: lg.history(type=["Nope"]), "type"),
    (lambda lg: lg.explain("nonsense:x"), "item"),
])
def test_bad_arguments_raise_our_validation_error(ledger: Ledger, call, field: str) -> None:
    ledger.append(basic())
    with pytest.raises(ValidationError) as info:
        call(ledger)
    assert info.value.problems[0].field == field


def test_open_takes_a_plain_path_or_raises_ours(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    with Ledger.open(str(path), init=True) as lg:
        assert lg.count() == 0
    assert path.exists()
    from ledger.errors import LedgerError

    with pytest.raises(LedgerError):
        Ledger.open(str(tmp_path / "missing" / "x.db"))


def test_a_ledger_in_memory_keeps_its_schema_after_init() -> None:
    """``sqlite://`` is one database held by one connection: the migration's engine must not
    close it when it is done (it did: every call after ``init`` failed on a closed database)."""
    with Ledger.open("sqlite://", init=True) as lg:
        lg.append(basic())
        assert lg.count() == len(basic())
        parties = [p["party"] for p in lg.state(as_of="2030-01-01").to_dict()["parties"]]
        assert "microsoft" in parties
        assert lg.verify().ok


def test_every_public_method_documents_its_parameters_and_return() -> None:
    for name, member in inspect.getmembers(Ledger, inspect.isfunction):
        if name.startswith("_"):
            continue
        doc = inspect.getdoc(member) or ""
        params = [p for p in inspect.signature(member).parameters if p not in ("self", "cls")]
        assert doc and ":returns" in doc, f"Ledger.{name} does not say what it returns"
        for param in params:
            assert re.search(rf"(:param|,)\s*(``)?{param}\b|``{param}``", doc), \
                f"Ledger.{name} does not document {param!r}"
