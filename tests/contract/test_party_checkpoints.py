"""A busy party's checkpoints are derived data: with or without them, every one-party answer is
the full fold of the ledger filtered to the party, whatever was recorded after them (backdated
events, corrections, retractions, new links), and ``verify`` re-folds them."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from ledger.read import party_checkpoints
from projections import filter_party, fold, removed_ids
from tests import dbkit
from tests.contract.test_checkpoints import PARTIES, _date, _event, build
from tests.contract.test_party_index import _extra, _moves
from tests.procs import verify_child_answers
from tests.samples import SRC


@pytest.fixture(autouse=True)
def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every party of these small ledgers is busy, and its checkpoints a few events apart."""
    monkeypatch.setattr(party_checkpoints, "BUSY", 10)
    monkeypatch.setattr(party_checkpoints, "PART", 7)


class _Spy:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.used = 0
        real = party_checkpoints.fold_from_checkpoint

        def counted(*args: Any) -> Any:
            found = real(*args)
            self.used += found is not None
            return found
        monkeypatch.setattr(party_checkpoints, "fold_from_checkpoint", counted)


def _after(lg: Ledger, rnd: random.Random) -> None:
    """What arrives after a rebuild: new events (some backdated), a correction, a retraction, a
    condition no right named before (a link the checkpoints' closures lack)."""
    lg.append([_event(rnd, n, lo=2015) for n in range(200, 212)])
    lg.append([{**_event(rnd, 212), "effective_date": _date(rnd, 2000, 2003)}])  # backdated
    gone = removed_ids(lg.store.fold_events(lg.store.head()[0]))
    old = next(e for e in lg.events() if e["type"] == "InvestmentMade" and e["id"] not in gone)
    lg.append([{**{k: old[k] for k in ("type", "effective_date", "source", "data")}, "id": "late-fix",
                "corrects": old["id"], "data": {**old["data"], "money": {"amount": "3", "currency": "USD"}}}])
    lg.append([{"id": "late-cond", "type": "ConditionDefined", "effective_date": "2016", "source": SRC,
                "data": {"condition": "late-cond", "description": "d"}},
               {"id": "late-right", "type": "RightGranted", "effective_date": "2017-03-01", "source": SRC,
                "data": {"right": "late-right", "holder": PARTIES[0], "grantor": PARTIES[1], "kind": "license",
                         "scope": "s", "ends_when": "late-cond"}},
               {"id": "late-met", "type": "ConditionMet", "effective_date": "2018-01-01", "source": SRC,
                "data": {"condition": "late-cond"}},
               {"id": "old-link", "type": "RightGranted", "effective_date": "2005-03-01", "source": SRC,
                "data": {"right": "old-link", "holder": PARTIES[1], "grantor": PARTIES[2], "kind": "license",
                         "scope": "s", "ends_when": "old-cond"}}])


def _assert_party_answers(lg: Ledger, rnd: random.Random, rebuilt_at: int, queries: int = 10) -> None:
    head = lg.store.head()[0]
    everything = list(lg.store.fold_events(head))
    days = sorted({e["effective_date"] for e in everything if len(e["effective_date"]) == 10})
    for _ in range(queries):
        as_of = rnd.choice(["2030-12-31", f"{rnd.randint(1999, 2026)}-06-15", rnd.choice(days)])
        known_at = rnd.choice([head, rebuilt_at, rnd.randint(rebuilt_at, head), rnd.randint(1, head)])
        for party in PARTIES:
            got = lg.state(as_of=as_of, known_at=known_at, party=party).to_dict()
            want = filter_party(fold(everything, as_of=as_of, known_at=known_at), party)
            assert {k: got[k] for k in want} == want, (party, as_of, known_at)


def _ledger_with_busy_parties(lg: Ledger, rnd: random.Random, moves: bool) -> int:
    build(lg, rnd, count=4)
    _extra(lg)
    if moves:
        _moves(lg, rnd)
    # a condition no right names yet: a right recorded after the rebuild links its party to it
    lg.append([{"id": "old-cond", "type": "ConditionDefined", "effective_date": "1995", "source": SRC,
                "data": {"condition": "old-cond", "description": "d"}},
               {"id": "old-met", "type": "ConditionMet", "effective_date": "2012-05-01", "source": SRC,
                "data": {"condition": "old-cond"}}])
    lg.rebuild(4)
    return lg.store.head()[0]


def test_party_checkpoints_answer_like_the_filtered_full_fold(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    rnd = random.Random(4)
    rebuilt_at = _ledger_with_busy_parties(ledger, rnd, moves=True)
    made = ledger.party_checkpoints()
    assert {party for party, _, _ in made} == set(PARTIES) and len(made) > len(PARTIES)
    _assert_party_answers(ledger, rnd, rebuilt_at)
    assert spy.used > 0
    used = spy.used
    _after(ledger, rnd)
    _assert_party_answers(ledger, rnd, rebuilt_at, queries=14)
    assert spy.used > used  # still used for what the later events leave valid
    report = ledger.verify()
    assert report.ok, report.problems


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6))
def test_party_checkpoints_property(tmp_path_factory: pytest.TempPathFactory, seed: int) -> None:
    with Ledger.open(f"sqlite:///{tmp_path_factory.mktemp('pc')}/l.db", init=True) as lg:
        rnd = random.Random(seed)
        rebuilt_at = _ledger_with_busy_parties(lg, rnd, moves=seed % 2 == 1)
        _assert_party_answers(lg, rnd, rebuilt_at, queries=4)
        _after(lg, rnd)
        _assert_party_answers(lg, rnd, rebuilt_at, queries=6)


@pytest.mark.parametrize("edit", ["state", "closure"])
def test_verify_refolds_the_party_checkpoints(ledger: Ledger, edit: str) -> None:
    rnd = random.Random(9)
    _ledger_with_busy_parties(ledger, rnd, moves=False)
    assert ledger.verify().ok
    (checkpoint_id, party, day, _), *_ = ledger.store.party_checkpoints()
    other = ledger.store.party_checkpoints()[-1][0]
    column = "state" if edit == "state" else "closure"
    with dbkit.connect(ledger.url, begin=True) as conn:  # another checkpoint's content in its place
        conn.exec_driver_sql(f"UPDATE party_checkpoints SET {column} = (SELECT {column} FROM party_checkpoints "
                             f"WHERE id = {other}) WHERE id = {checkpoint_id}")
    report = ledger.verify()
    assert not report.ok
    assert f"party checkpoint {checkpoint_id} ({party}, {day})" in report.problems[0]["problem"]
    assert "alliance-ledger rebuild" in report.problems[0]["problem"]
    ledger.rebuild(4)
    assert ledger.verify().ok


def test_an_unreadable_party_checkpoint_is_passed_over(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    rnd = random.Random(2)
    rebuilt_at = _ledger_with_busy_parties(ledger, rnd, moves=False)
    with dbkit.connect(ledger.url, begin=True) as conn:
        conn.exec_driver_sql("UPDATE party_checkpoints SET closure = 'not json'")
    _assert_party_answers(ledger, rnd, rebuilt_at, queries=3)
    assert spy.used == 0
    assert not ledger.verify().ok


@pytest.mark.parametrize("how", ["corrects", "retracts"])
def test_a_listed_event_withdrawn_after_the_rebuild_is_left_out(ledger: Ledger, monkeypatch: pytest.MonkeyPatch,
                                                                how: str) -> None:
    """An event a checkpoint lists as coming after it, withdrawn later: the checkpoint is still
    used (the withdrawn event is dated after it), and the event is not folded."""
    import orjson

    spy = _Spy(monkeypatch)
    rnd = random.Random(6)
    _ledger_with_busy_parties(ledger, rnd, moves=False)
    by_position = {e["position"]: e for e in ledger.events()}
    gone = removed_ids(ledger.store.fold_events(ledger.store.head()[0]))
    party, closure, target = next(
        (party, closure, found) for checkpoint_id, party, _, _ in ledger.store.party_checkpoints()
        if (closure := orjson.loads(ledger.store.party_checkpoint_blob(checkpoint_id)[0]))["until"] is not None
        and (found := next((e for e in (by_position[p] for _, p in closure["later"])
                            if e["type"] == "InvestmentMade" and e["id"] not in gone), None)) is not None)
    if how == "corrects":
        fix = {k: target[k] for k in ("type", "effective_date", "source")}
        ledger.append([{**fix, "id": "w", "corrects": target["id"],
                        "data": {**target["data"], "money": {"amount": "1", "currency": "EUR"}}}])
    else:
        ledger.append([{"id": "w", "type": "EventRetracted", "effective_date": "2031", "source": SRC,
                        "data": {"target": target["id"], "reason": "wrong"}}])
    head = ledger.store.head()[0]
    everything = list(ledger.store.fold_events(head))
    as_of = closure["until"]
    got = ledger.state(as_of=as_of, party=party).to_dict()
    want = filter_party(fold(everything, as_of=as_of), party)
    assert {k: got[k] for k in want} == want
    assert spy.used == 1


def test_a_link_the_checkpoint_lacks_makes_the_party_read_whole(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """A right recorded after the rebuild names a condition met long before, which no event of the
    party's closure named: its events are not in the checkpoint, so the party is read whole (and
    the right is ended from the start, as in the full fold)."""
    spy = _Spy(monkeypatch)
    rnd = random.Random(8)
    _ledger_with_busy_parties(ledger, rnd, moves=False)
    ledger.append([{"id": "new-link", "type": "RightGranted", "effective_date": "2029-01-01", "source": SRC,
                    "data": {"right": "new-link", "holder": PARTIES[1], "grantor": PARTIES[2], "kind": "license",
                             "scope": "s", "ends_when": "old-cond"}}])
    everything = list(ledger.store.fold_events(ledger.store.head()[0]))
    got = ledger.state(as_of="2030-12-31", party=PARTIES[1]).to_dict()
    want = filter_party(fold(everything, as_of="2030-12-31"), PARTIES[1])
    assert {k: got[k] for k in want} == want
    assert next(r for r in got["rights"] if r["right"] == "new-link")["status"] == "ended"
    assert spy.used == 0
    got = ledger.state(as_of="2030-12-31", party=PARTIES[0]).to_dict()  # another party: its checkpoint serves
    assert {k: got[k] for k in want} == filter_party(fold(everything, as_of="2030-12-31"), PARTIES[0])
    assert spy.used == 1


def test_cli_rebuild_names_the_busy_parties_and_parties_only_keeps_the_rest(ledger: Ledger) -> None:
    from typer.testing import CliRunner

    from ledger.cli import app

    rnd = random.Random(1)
    _ledger_with_busy_parties(ledger, rnd, moves=False)
    runner = CliRunner()
    done = runner.invoke(app, ["--db", ledger.url, "rebuild", "--count", "3"])
    assert done.exit_code == 0, done.stderr
    assert "3 checkpoint(s) at position" in done.stderr and f"checkpoints of the {len(PARTIES)} busiest parties" \
        in done.stderr
    whole = ledger.store.checkpoints()
    before = ledger.store.party_checkpoints()
    ledger.append([_event(rnd, 900, lo=2024)])
    done = runner.invoke(app, ["--db", ledger.url, "rebuild", "--parties"])
    assert done.exit_code == 0, done.stderr
    assert done.stderr.strip() == f"checkpoints of the {len(PARTIES)} busiest parties"
    assert ledger.store.checkpoints() == whole  # the whole ledger's are left as they were
    after = ledger.store.party_checkpoints()
    assert {p for _, p, _, _ in after} == {p for _, p, _, _ in before}
    assert {pos for *_, pos in after} == {ledger.store.head()[0]}
    assert ledger.verify().ok
    done = runner.invoke(app, ["--db", ledger.url, "rebuild", "--parties", "--latest"])
    assert done.exit_code == 2 and "latest or parties" in done.stderr


def test_the_child_process_refolds_the_party_checkpoints_when_they_are_all_there_is(
        ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """``rebuild --parties`` alone (a ledger too large for the whole one's fold): ``verify`` still
    re-folds them beside its chain walk, and names an edited one."""
    answers = verify_child_answers(monkeypatch)
    _ledger_with_busy_parties(ledger, random.Random(3), moves=False)
    with dbkit.connect(ledger.url, begin=True) as conn:
        conn.exec_driver_sql("DELETE FROM checkpoints")
    assert ledger.store.party_checkpoints() and not ledger.store.checkpoints()
    assert ledger.verify().ok
    (first, party, day, _), *_ = ledger.store.party_checkpoints()
    last = ledger.store.party_checkpoints()[-1][0]
    with dbkit.connect(ledger.url, begin=True) as conn:
        conn.exec_driver_sql(f"UPDATE party_checkpoints SET state = (SELECT state FROM party_checkpoints "
                             f"WHERE id = {last}) WHERE id = {first}")
    report = ledger.verify()
    assert not report.ok and f"party checkpoint {first} ({party}, {day})" in report.problems[0]["problem"]
    assert answers == [[], report.problems]  # both verdicts came from the child
