"""The store contract: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import text

from ledger import ConflictError, Ledger, SchemaVersionError, ValidationError
from tests import dbkit
from tests.oldschema import seed_at_revision
from tests.samples import SRC, basic, investment, party


def snapshot(lg: Ledger) -> tuple[int, str]:
    head, last_hash, _ = lg.store.head()
    return head, last_hash


def test_append_assigns_gap_free_positions_stream_versions_and_a_chain(ledger: Ledger) -> None:
    result = ledger.append(basic())
    assert result.positions == [1, 2, 3, 4, 5]
    assert result.appended == 5 and result.existing == 0
    envs = list(ledger.events())
    assert [e["position"] for e in envs] == [1, 2, 3, 4, 5]
    assert [e["stream_version"] for e in envs if e["stream"] == "microsoft-openai"] == [1, 2]
    assert [e["stream_version"] for e in envs if e["stream"] == "main"] == [1, 2, 3]
    assert envs[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(envs, envs[1:], strict=False))
    assert all(e["recorded_at"].endswith("Z") for e in envs)
    assert result.last_hash == envs[-1]["hash"]


def test_stored_envelope_keeps_what_was_said(ledger: Ledger) -> None:
    ev = investment("inv", "2021", "2000000000.50", certainty="reported")
    ledger.append([party("microsoft", "1975"), party("openai", "2015"), ev])
    stored = next(ledger.events(ids=["inv"]))
    assert stored["effective_date"] == "2021"
    assert stored["data"]["money"] == {"amount": "2000000000.50", "currency": "USD"}
    assert stored["source"] == SRC
    assert list(stored) == ["id", "type", "effective_date", "stream", "certainty", "source", "recorded_by",
                            "corrects", "data", "position", "recorded_at", "stream_version", "schema_version",
                            "prev_hash", "hash"]


def test_same_id_same_content_is_an_idempotent_no_op(ledger: Ledger) -> None:
    ledger.append(basic())
    before = snapshot(ledger)
    again = ledger.append(basic())
    assert again.positions == [1, 2, 3, 4, 5] and again.appended == 0 and again.existing == 5
    assert snapshot(ledger) == before


def test_same_id_other_content_is_a_conflict_and_writes_nothing(ledger: Ledger) -> None:
    ledger.append(basic())
    before = snapshot(ledger)
    changed = investment("inv-2019", "2019-07-22", "2000000000")
    with pytest.raises(ConflictError, match="inv-2019"):
        ledger.append([investment("inv-new", "2020", "5"), changed])
    assert snapshot(ledger) == before


def test_expected_version_mismatch_is_a_conflict(ledger: Ledger) -> None:
    ledger.append(basic())
    before = snapshot(ledger)
    with pytest.raises(ConflictError, match="version 2, not the expected 1"):
        ledger.append([investment("inv-2021", "2021", "2000000000")], expected_version=1)
    assert snapshot(ledger) == before
    result = ledger.append([investment("inv-2021", "2021", "2000000000")], expected_version=2)
    assert result.streams == {"microsoft-openai": 3}


def test_expected_version_needs_one_stream(ledger: Ledger) -> None:
    with pytest.raises(ValidationError, match="one stream"):
        ledger.append(basic(), expected_version=0)


@pytest.mark.parametrize(("mutate", "field", "message"), [
    (lambda e: e["data"]["money"].update(amount=1.5), "data.money.amount", "binary floats"),
    (lambda e: e.update(effective_date="2025-02-30"), "effective_date", "not a calendar date"),
    (lambda e: e.update(colour="red"), "colour", "unknown field"),
    (lambda e: e.update(type="InvestmentMode"), "type", "valid types: PartyRegistered"),
    (lambda e: e["data"].update(investor="nobody"), "data.investor", "'nobody' is not defined"),
    (lambda e: e.update(effective_date="2010"), "data.investee", "after this event's effective date"),
    (lambda e: e["data"]["money"].update(currency="usd"), "data.money.currency", "not an ISO 4217 currency code"),
    (lambda e: e["data"]["money"].update(currency="ZZZ"), "data.money.currency", "not an ISO 4217 currency code"),
    (lambda e: e["data"]["money"].update(amount="-5"), "data.money.amount", "not negative"),
    (lambda e: e["data"]["money"].update(approximate="yes"), "data.money.approximate", "expected true or false"),
])
def test_bad_event_names_index_id_and_field_and_writes_nothing(ledger: Ledger, mutate, field, message) -> None:
    ledger.append(basic())
    before = snapshot(ledger)
    bad = investment("inv-bad", "2021-01-01", "10")
    mutate(bad)
    with pytest.raises(ValidationError) as info:
        ledger.append([investment("inv-ok", "2021", "1"), bad])
    problem = info.value.problems[0]
    assert problem.index == 1 and problem.event_id == "inv-bad" and problem.field == field
    assert message in problem.message
    assert snapshot(ledger) == before


def test_stake_over_100_and_inverted_range_are_rejected(ledger: Ledger) -> None:
    ledger.append(basic())
    stake = {"id": "s", "type": "StakeChanged", "effective_date": "2025", "source": SRC,
             "data": {"holder": "microsoft", "issuer": "openai", "stake": {"exact": "101"}}}
    with pytest.raises(ValidationError, match="between 0 and 100"):
        ledger.append([stake])
    stake["data"]["stake"] = {"min": "30", "max": "20"}
    with pytest.raises(ValidationError, match="above max"):
        ledger.append([stake])


def test_references_may_be_defined_earlier_in_the_same_batch_but_not_later(ledger: Ledger) -> None:
    with pytest.raises(ValidationError, match="'openai' is not defined"):
        ledger.append([party("microsoft"), investment("i", "2019", "1"), party("openai", "2015")])
    assert snapshot(ledger) == (0, "0" * 64)
    ledger.append([party("microsoft"), party("openai", "2015"), investment("i", "2019", "1")])


def test_second_definition_is_an_error_but_a_correction_of_it_is_not(ledger: Ledger) -> None:
    ledger.append(basic())
    dup = {**party("openai", "2015-12-11"), "id": "reg-openai-2"}
    with pytest.raises(ValidationError, match="already defined by event 'reg-openai'"):
        ledger.append([dup])
    fix = {**party("openai", "2015-12-11", kind="nonprofit"), "id": "reg-openai-fix", "corrects": "reg-openai"}
    fix["data"]["name"] = "OpenAI Inc."
    assert ledger.append([fix]).appended == 1


def test_correction_rules(ledger: Ledger) -> None:
    ledger.append(basic())
    wrong_type = {**party("xai"), "id": "c1", "corrects": "inv-2019"}
    with pytest.raises(ValidationError, match="type of the event it corrects"):
        ledger.append([wrong_type])
    missing = {**investment("c2", "2019", "1"), "corrects": "nope"}
    with pytest.raises(ValidationError, match="'nope' does not exist"):
        ledger.append([missing])
    first = {**investment("c3", "2019-07-22", "1000000001"), "corrects": "inv-2019"}
    ledger.append([first])
    twice = {**investment("c4", "2019-07-22", "1000000002"), "corrects": "inv-2019"}
    with pytest.raises(ValidationError, match="already corrected or retracted by 'c3'"):
        ledger.append([twice])
    chain = {**investment("c5", "2019-07-22", "1000000002"), "corrects": "c3"}
    assert ledger.append([chain]).appended == 1


def test_retracting_a_definition_still_referenced_names_the_dependants(ledger: Ledger) -> None:
    ledger.append(basic())
    retract = {"id": "r1", "type": "EventRetracted", "effective_date": "2024", "source": SRC,
               "data": {"target": "reg-openai", "reason": "wrong"}}
    with pytest.raises(ValidationError, match="still referenced by live events 'inv-2019', 'lic'"):
        ledger.append([retract])
    ledger.append([{**retract, "id": "r0", "data": {"target": "inv-2019", "reason": "never happened"}}])
    with pytest.raises(ValidationError, match="'lic'"):
        ledger.append([retract])


def test_empty_batch_is_an_error(ledger: Ledger) -> None:
    with pytest.raises(ValidationError, match="no events"):
        ledger.append([])


def test_duplicate_ids_in_one_batch_are_an_error(ledger: Ledger) -> None:
    with pytest.raises(ValidationError, match="event 2 id 'reg-a': id: the same id is used by event 1 of this batch"):
        ledger.append([party("a"), {**party("b"), "id": "reg-a"}])


def test_dry_run_validates_and_writes_nothing(ledger: Ledger) -> None:
    result = ledger.append(basic(), dry_run=True)
    assert result.dry_run and result.appended == 5
    assert snapshot(ledger) == (0, "0" * 64)
    assert ledger.append(basic()).positions == [1, 2, 3, 4, 5]


def test_read_filters(ledger: Ledger) -> None:
    ledger.append(basic())
    assert [e["id"] for e in ledger.events(stream="microsoft-openai")] == ["inv-2019", "lic"]
    assert [e["id"] for e in ledger.events(types=["PartyRegistered"])] == ["reg-microsoft", "reg-openai"]
    assert [e["id"] for e in ledger.events(party="openai")] == ["reg-openai", "inv-2019", "lic"]
    assert [e["id"] for e in ledger.events(after=3)] == ["agi", "lic"]


def test_export_import_round_trip_is_byte_identical(ledger: Ledger, db_url: str, tmp_path) -> None:
    ledger.append(basic())
    ledger.append([{**investment("fix", "2019-07-22", "1000000001"), "corrects": "inv-2019"},
                   {"id": "amend", "type": "RightAmended", "effective_date": "2021", "source": SRC,
                    "data": {"right": "gpt3-license", "until": None, "scope": "GPT-3 and successors"}}])
    first = io.BytesIO()
    assert ledger.export(first) == 7
    copy_url = f"sqlite:///{tmp_path}/copy.db"
    with Ledger.open(copy_url, init=True) as copy:
        lines = [__import__("orjson").loads(line) for line in first.getvalue().splitlines()]
        copy.import_envelopes(lines)
        second = io.BytesIO()
        copy.export(second)
        assert copy.verify().ok
    assert second.getvalue() == first.getvalue()


def test_import_refuses_an_edited_export(ledger: Ledger, tmp_path) -> None:
    import orjson

    ledger.append(basic())
    buf = io.BytesIO()
    ledger.export(buf)
    lines = [orjson.loads(line) for line in buf.getvalue().splitlines()]
    lines[2]["data"]["money"]["amount"] = "9"
    with Ledger.open(f"sqlite:///{tmp_path}/copy.db", init=True) as copy:
        with pytest.raises(ValidationError, match="hash does not match.*the file was edited"):
            copy.import_envelopes(lines)
        assert copy.store.count() == 0


def test_import_needs_an_empty_ledger(ledger: Ledger) -> None:
    ledger.append(basic())
    buf = io.BytesIO()
    ledger.export(buf)
    import orjson

    with pytest.raises(ConflictError, match="empty ledger"):
        ledger.import_envelopes([orjson.loads(line) for line in buf.getvalue().splitlines()])


def test_open_refuses_an_uninitialised_database(db_url: str) -> None:
    with pytest.raises(SchemaVersionError, match="alliance-ledger .*init"):
        Ledger.open(db_url)


def test_open_refuses_a_newer_schema(ledger: Ledger, db_url: str) -> None:
    with dbkit.connect(db_url, begin=True) as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaVersionError, match="newer version; upgrade alliance-ledger"):
        Ledger.open(db_url)
    with pytest.raises(SchemaVersionError, match="newer"):
        Ledger.init(db_url)


@pytest.mark.parametrize("revision", ["0001", "0004"])
def test_init_upgrades_an_older_database_without_losing_events(db_url: str, revision: str, tmp_path: Path) -> None:
    from ledger.store import migrate

    before = seed_at_revision(db_url, revision, basic(), tmp_path)
    with pytest.raises(SchemaVersionError, match=f"at schema revision {revision}.*init"):
        Ledger.open(db_url)
    assert Ledger.init(db_url) == (revision, migrate.code_head())
    with Ledger.open(db_url) as lg:
        assert snapshot(lg) == before
        report = lg.verify()  # the chain, and the party index rebuilt and compared (stream keys included)
        assert report.ok, report.problems
        with Ledger.open(f"sqlite:///{tmp_path / 'seed.db'}") as seed:  # the same events, written at head
            for party_name in ("openai", "microsoft"):
                assert lg.history(party=party_name).to_json() == seed.history(party=party_name).to_json()
                assert lg.state(as_of="2025-01-01", party=party_name).to_json() == \
                    seed.state(as_of="2025-01-01", party=party_name).to_json()
            for stream in {e["stream"] for e in seed.events()}:
                assert list(lg.events(stream=stream)) == list(seed.events(stream=stream))
        lg.append([investment("inv-after-upgrade", "2024", "1")])
        assert lg.verify().ok


def test_database_refuses_update_and_delete(ledger: Ledger) -> None:
    ledger.append(basic())
    for sql in ("UPDATE events SET payload = '{}' WHERE position = 1", "DELETE FROM events WHERE position = 5",
                "DELETE FROM event_parties"):
        with pytest.raises(Exception, match="append-only"), dbkit.connect(ledger.url, begin=True) as conn:
            conn.execute(text(sql))
    assert ledger.store.count() == 5
    assert ledger.verify().ok


def test_state_known_at_uses_positions_and_timestamps(ledger: Ledger) -> None:
    ledger.append(basic())
    assert ledger.resolve_known_at(None)[0] == 5
    assert ledger.resolve_known_at(3)[0] == 3
    with pytest.raises(ValidationError, match=r"position 99 is past the ledger's head \(5\)"):
        ledger.resolve_known_at("99")  # says so, not an answer as of now that looks like one as of 99
    assert ledger.resolve_known_at("2000-01-01T00:00:00Z") == (0, None)
    _, ts = ledger.resolve_known_at(None)
    assert ledger.resolve_known_at(ts)[0] == 5
    with pytest.raises(ValidationError, match="neither a position nor"):
        ledger.resolve_known_at("yesterday")


def test_tiny_and_huge_decimals_round_trip_through_export(ledger: Ledger, tmp_path) -> None:
    import orjson

    ledger.append([party("microsoft"), party("openai", "2015"), investment("tiny", "2020", "0.0000001"),
                   investment("huge", "2021", "123456789012345678901234567890.5")])
    assert next(ledger.events(ids=["tiny"]))["data"]["money"]["amount"] == "0.0000001"
    buf = io.BytesIO()
    ledger.export(buf)
    with Ledger.open(f"sqlite:///{tmp_path}/copy.db", init=True) as copy:
        copy.import_envelopes([orjson.loads(line) for line in buf.getvalue().splitlines()])
        again = io.BytesIO()
        copy.export(again)
    assert again.getvalue() == buf.getvalue()


def test_appends_and_queries_leave_no_cyclic_garbage(ledger: Ledger) -> None:
    """Paused-GC work hands its survivors straight to the oldest generation (projections.select),
    so cyclic garbage made there waits for a full collection: the library must make none. (An
    expanding IN construct per id lookup once left cycles holding every batch's ids.)"""
    import gc

    ledger.append(basic())  # first use: connections, compiled statements, caches
    ledger.state(as_of="2025-01-01")
    ledger.state(as_of="2025-01-01", party="openai")
    gc.collect()
    for k in range(3):
        ledger.append([investment(f"inv-cycle-{k}", "2024", str(k + 1))])
        ledger.append([investment(f"inv-cycle-{k}", "2024", str(k + 1))])  # idempotent: the id lookup path
        ledger.state(as_of="2025-01-01")
        ledger.state(as_of="2025-01-01", party="openai")
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        found = gc.collect()
        kinds = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert found == 0, f"cyclic garbage left behind: {kinds}"
