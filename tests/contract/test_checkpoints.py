"""Checkpoints are derived data: with or without them, every (as_of, known_at) answer is the same.

Ledgers here get checkpoints, then backdated events, corrections and retractions recorded after
them; the state through the checkpoints must equal a pure fold of everything, at random dates
and recording positions.
"""

from __future__ import annotations

import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import date_sort_key
from ledger import Ledger
from projections import fold
from tests import dbkit
from tests.samples import SRC

PARTIES = ["alpha", "beta", "gamma", "delta", "omega"]


def _date(rnd: random.Random, lo: int = 2000, hi: int = 2024) -> str:
    year = rnd.randint(lo, hi)
    shape = rnd.random()
    if shape < 0.1:
        return str(year)
    if shape < 0.2:
        return f"{year}-{rnd.randint(1, 12):02d}"
    return f"{year}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"


def _event(rnd: random.Random, n: int, lo: int = 2000) -> dict:
    a, b = rnd.sample(PARTIES, 2)
    kind = rnd.random()
    base = {"id": f"ev-{n}", "effective_date": _date(rnd, lo), "source": SRC,
            "certainty": rnd.choice(["rumored", "reported", "announced", "confirmed"])}
    if kind < 0.45:
        return {**base, "type": "InvestmentMade", "data": {"investor": a, "investee": b,
                "money": {"amount": str(rnd.randint(1, 10**9)), "currency": rnd.choice(["USD", "EUR"])}}}
    if kind < 0.75:
        return {**base, "type": "StakeChanged", "data": {"holder": a, "issuer": b,
                "stake": {"exact": str(rnd.randint(0, 100))}}}
    if kind < 0.9:
        return {**base, "type": "MetricReported", "data": {"party": a, "metric": "revenue",
                "value": str(rnd.randint(1, 1000)), "unit": "USD", "period": f"FY{rnd.randint(2000, 2024)}"}}
    return {**base, "type": "RightGranted", "data": {"right": f"right-{n}", "holder": a, "grantor": b,
            "kind": "license", "scope": "models", "until": _date(rnd, 2005, 2030), "ends_when": "agi"}}


def build(lg: Ledger, rnd: random.Random, count: int = 8) -> None:
    setup = [{"id": f"reg-{p}", "type": "PartyRegistered", "effective_date": "1990", "source": SRC,
              "data": {"party": p, "name": p, "kind": "company"}} for p in PARTIES]
    setup.append({"id": "agi", "type": "ConditionDefined", "effective_date": "1990", "source": SRC,
                  "data": {"condition": "agi", "description": "AGI declared"}})
    lg.append(setup)
    first = [_event(rnd, n) for n in range(60)]
    lg.append(first)
    lg.rebuild(count)
    later = [_event(rnd, n) for n in range(60, 90)]  # backdated among them, by construction
    investments = [e for e in first if e["type"] == "InvestmentMade"]
    for i, old in enumerate(rnd.sample(investments, 3)):
        fix = {**old, "id": f"fix-{i}", "corrects": old["id"], "effective_date": _date(rnd)}
        fix["data"] = {**old["data"], "money": {"amount": "7", "currency": "USD"}}
        later.append(fix)
    corrected = {e.get("corrects") for e in later}
    for i, target in enumerate(rnd.sample([e for e in first if e["id"] not in corrected], 3)):
        # targets dated before and after the checkpoints: only the former may retire one
        later.append({"id": f"retract-{i}", "type": "EventRetracted", "effective_date": "2024-12-28", "source": SRC,
                      "data": {"target": target["id"], "reason": "wrong"}})
    later.append({"id": "agi-met", "type": "ConditionMet", "effective_date": _date(rnd, 2010, 2020),
                  "source": SRC, "data": {"condition": "agi"}})
    for start in range(0, len(later), 7):
        lg.append(later[start:start + 7])


def assert_same_answers(lg: Ledger, rnd: random.Random, queries: int = 12) -> int:
    """Random queries answered through the checkpoints equal a pure fold of every event, and the
    whole state written as a stream (straight from a checkpoint when one is the answer) is the
    same bytes as the state written whole. Returns how many of the streams read a checkpoint."""
    head = lg.store.head()[0]
    everything = list(lg.store.fold_events(head))
    streamed = 0
    for _ in range(queries):
        as_of = f"{rnd.randint(1999, 2031)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        as_of = rnd.choice([as_of, "2030-12-31"])
        known_at = rnd.choice([head, rnd.randint(1, head)])
        state = lg.state(as_of=as_of, known_at=known_at)
        got = state.to_dict()
        want = fold(everything, as_of=as_of, known_at=known_at)
        assert {k: got[k] for k in want} == want, (as_of, known_at)
        active = rnd.random() < 0.3
        stream = lg.stream_state(as_of=as_of, known_at=known_at, active=active)
        written, whole = io.BytesIO(), io.BytesIO()
        stream.write_json(written)
        (lg.state(as_of=as_of, known_at=known_at, active=True) if active else state).write_json(whole)
        assert written.getvalue() == whole.getvalue(), (as_of, known_at, active, stream.streamed)
        streamed += stream.streamed
    return streamed


def test_checkpoints_answer_like_a_full_fold_on_both_engines(ledger: Ledger) -> None:
    rnd = random.Random(7)
    build(ledger, rnd)
    assert_same_answers(ledger, rnd, queries=25)
    ledger.rebuild(5)  # now after the backdated events: checkpoints are used for late queries
    before = ledger.checkpoint_cache.used
    assert assert_same_answers(ledger, rnd, queries=25) > 0
    assert ledger.checkpoint_cache.used > before
    with dbkit.connect(ledger.url, begin=True) as conn:
        conn.exec_driver_sql("DELETE FROM checkpoints")
    ledger.checkpoint_cache.clear()
    assert_same_answers(ledger, rnd, queries=10)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), count=st.integers(1, 10))
def test_checkpointed_state_equals_full_fold(tmp_path_factory: pytest.TempPathFactory, seed: int, count: int) -> None:
    path = tmp_path_factory.mktemp("cp") / "l.db"
    with Ledger.open(f"sqlite:///{path}", init=True) as lg:
        rnd = random.Random(seed)
        build(lg, rnd, count)
        assert_same_answers(lg, rnd)
        lg.rebuild(count)
        assert_same_answers(lg, rnd)
        assert lg.checkpoint_cache.used > 0
        assert lg.stream_state(as_of="2030-12-31").streamed  # the current state streams from the latest checkpoint
        withdraw_late(lg, rnd)  # after the checkpoints, of events dated on both sides of them
        assert_same_answers(lg, rnd)


def withdraw_late(lg: Ledger, rnd: random.Random) -> None:
    """Retract two live events and correct one, each withdrawal dated after every checkpoint."""
    from ledger.read.checkpoints import removals

    gone = removals(lg.store, lg.store.head()[0])
    live = [e for e in lg.events() if e["type"] in ("InvestmentMade", "StakeChanged") and e["id"] not in gone]
    first, second, third = rnd.sample(live, 3)
    lg.append([{"id": f"late-drop-{e['id']}", "type": "EventRetracted", "effective_date": "2024-12-28",
                "source": SRC, "data": {"target": e["id"], "reason": "wrong"}} for e in (first, second)])
    lg.append([{**{k: third[k] for k in ("type", "data", "source", "certainty")}, "id": f"late-fix-{third['id']}",
                "effective_date": "2024-12-28", "corrects": third["id"]}])


def test_a_checkpoint_is_used_and_a_backdated_event_invalidates_it(ledger: Ledger) -> None:
    from ledger.read import checkpoints

    rnd = random.Random(3)
    build(ledger, rnd)
    made = ledger.rebuild(4)
    head = ledger.store.head()[0]
    last_day = made[-1][0]
    assert checkpoints.still_valid(ledger.store, last_day, head, head)
    ledger.append([{"id": "late", "type": "InvestmentMade", "effective_date": "2031-01-01", "source": SRC,
                    "data": {"investor": "alpha", "investee": "beta", "money": {"amount": "1", "currency": "USD"}}}])
    assert checkpoints.still_valid(ledger.store, last_day, head, head + 1)  # dated after: still good
    ledger.append([{"id": "backdated", "type": "InvestmentMade", "effective_date": "1999", "source": SRC,
                    "data": {"investor": "alpha", "investee": "beta", "money": {"amount": "1", "currency": "USD"}}}])
    assert not checkpoints.still_valid(ledger.store, last_day, head, head + 2)
    assert checkpoints.still_valid(ledger.store, last_day, head, head + 1)  # the earlier belief still can
    assert_same_answers(ledger, rnd)


def test_only_withdrawals_of_events_dated_within_a_checkpoint_invalidate_it(ledger: Ledger) -> None:
    """Invalidation is exact: retracting or correcting an event dated after the checkpoint's date
    keeps it in use; withdrawing one dated on or before that date does not."""
    from ledger.read import checkpoints

    rnd = random.Random(5)
    build(ledger, rnd)
    ledger.append([{"id": "late", "type": "InvestmentMade", "effective_date": "2031-01-01", "source": SRC,
                    "data": {"investor": "alpha", "investee": "beta", "money": {"amount": "1", "currency": "USD"}}}])
    day, position = ledger.rebuild(4)[-2]  # the last one is dated 2031-01-01, the late event's date
    withdrawn = checkpoints.removals(ledger.store, position)
    early = next(e for e in ledger.events() if e["type"] == "InvestmentMade" and e["id"] not in withdrawn
                 and date_sort_key(e["effective_date"]) <= day)
    ledger.append([{"id": "fix-late", "type": "InvestmentMade", "effective_date": "2032", "source": SRC,
                    "corrects": "late", "data": {"investor": "alpha", "investee": "beta",
                                                 "money": {"amount": "2", "currency": "USD"}}}])
    ledger.append([{"id": "drop-fix", "type": "EventRetracted", "effective_date": "2032", "source": SRC,
                    "data": {"target": "fix-late", "reason": "wrong"}}])
    assert checkpoints.still_valid(ledger.store, day, position, position + 2)
    before = ledger.checkpoint_cache.used
    assert_same_answers(ledger, rnd, queries=6)
    assert ledger.checkpoint_cache.used > before  # the late withdrawals did not retire it
    ledger.append([{"id": "drop-early", "type": "EventRetracted", "effective_date": "2032", "source": SRC,
                    "data": {"target": early["id"], "reason": "wrong"}}])
    assert not checkpoints.still_valid(ledger.store, day, position, position + 3)
    assert checkpoints.still_valid(ledger.store, day, position, position + 2)  # the earlier belief still can
    assert_same_answers(ledger, rnd)


def with_tail(lg: Ledger, seed: int, count: int, year: str) -> random.Random:
    """A ledger built and given ``count`` checkpoints, then a tail dated in ``year``, after all of
    them: keyed facts (new and stored items) and a met condition that ends rights defined before."""
    rnd = random.Random(seed)
    build(lg, rnd, count)
    lg.rebuild(count)
    lg.append([{**_event(rnd, 700 + n), "effective_date": f"{year}-0{1 + n % 8}-0{1 + n % 9}"} for n in range(25)])
    lg.append([{"id": f"agi-met-{year}", "type": "ConditionMet", "effective_date": f"{year}-10-01", "source": SRC,
                "data": {"condition": "agi"}}])
    return rnd


@pytest.mark.parametrize("piece", [2_000, 3])
def test_a_whole_state_with_a_tail_streams_from_the_checkpoint(ledger: Ledger, piece: int,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Events dated after the latest checkpoint (new items, updates of stored ones, a met condition
    that ends rights the tail never names, a late withdrawal) are folded on the checkpoint's items
    they read, not on the decoded checkpoint: the same bytes as the state folded whole, at the
    latest date and between checkpoints; with too few rounds allowed, the state is folded whole.
    Stored lines of 3 items put folded and new items at the ends of lines and between them."""
    from ledger.read import checkpoint_text, checkpoints, tailed

    monkeypatch.setattr(checkpoint_text, "PIECE", piece)
    rnd = with_tail(ledger, 11, 4, "2031")
    rounds: list[int] = []
    real = tailed._round

    def streamed(as_of: str, most: int = tailed.ROUNDS) -> tuple[bool, bytes]:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(checkpoints, "load", lambda *a: pytest.fail("decoded a checkpoint"))
            mp.setattr(tailed, "_round", lambda *a: rounds.append(1) or real(*a))
            mp.setattr(tailed, "ROUNDS", most)
            stream = ledger.stream_state(as_of=as_of)
            written = io.BytesIO()
            stream.write_json(written)
        return stream.streamed, written.getvalue()

    def whole(as_of: str) -> bytes:
        out = io.BytesIO()
        ledger.state(as_of=as_of).write_json(out)
        return out.getvalue()

    for as_of in ("2035-01-01", "2031-05-05", "2018-06-30"):
        assert streamed(as_of) == (True, whole(as_of)), as_of
    assert len(rounds) >= 3 * 2  # each state: a round on no items, then at least one on those read
    assert streamed("2035-01-01", most=1) == (False, whole("2035-01-01"))  # the first round cannot answer
    withdraw_late(ledger, rnd)  # withdrawals dated after every checkpoint keep the latest valid
    assert streamed("2035-01-01") == (True, whole("2035-01-01"))
    assert assert_same_answers(ledger, rnd, queries=12) > 0


@pytest.mark.parametrize("piece", [2_000, 3])
def test_rebuild_latest_folds_a_tail_on_without_decoding_the_checkpoint(ledger: Ledger, piece: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``rebuild(latest=True)`` over a valid checkpoint with a tail writes the new one from the stored
    lines and the tail's sparse fold, never decoding the checkpoint: the very bytes a full fold
    encodes (what verify compares), and the current state streams from it with no tail."""
    import zlib

    from ledger.read import checkpoint_text, checkpoints

    monkeypatch.setattr(checkpoint_text, "PIECE", piece)
    rnd = with_tail(ledger, 13, 3, "2032")
    withdraw_late(ledger, rnd)
    head = ledger.store.head()[0]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(checkpoints, "load", lambda *a: pytest.fail("decoded a checkpoint"))
        (day, position), = ledger.rebuild(latest=True)
    assert (day, position) == (ledger.store.checkpoint_days(head)[-1], head)
    made = next(cid for cid, d, p in ledger.store.checkpoints() if (d, p) == (day, position))
    (_, folder, _), = checkpoints._folds_at(ledger.store, head, [day])
    assert zlib.decompress(ledger.store.checkpoint_blob(made)) == checkpoint_text.text(folder)
    assert ledger.verify().ok
    assert ledger.stream_state(as_of="2035-01-01").streamed
    assert_same_answers(ledger, rnd, queries=8)  # every answer still the full fold's


def test_rebuild_latest_folds_on_from_a_checkpoint_and_the_current_state_streams_again(ledger: Ledger) -> None:
    """``rebuild(latest=True)`` after appends (backdated ones and withdrawals among them) adds one
    checkpoint at the latest date from the best valid one: verify re-folds it from every event
    and finds it equal, the current whole state streams from it again, and answers stay a full fold."""
    from ledger.read import checkpoints

    rnd = random.Random(3)
    build(ledger, rnd, 4)
    ledger.rebuild(4)
    assert ledger.stream_state(as_of="2035-01-01").streamed
    withdraw_late(ledger, rnd)
    ledger.append([{**_event(rnd, 500), "effective_date": "2031-06-01"}, _event(rnd, 501)])  # one dated after
    # every checkpoint, one backdated
    assert not ledger.stream_state(as_of="2035-01-01").streamed  # no checkpoint is valid any more: folded whole
    before = len(ledger.store.checkpoints())
    (day, position), = ledger.rebuild(latest=True)
    assert position == ledger.store.head()[0] and day == ledger.store.checkpoint_days(position)[-1]
    assert len(ledger.store.checkpoints()) == before + 1
    with pytest.MonkeyPatch.context() as mp:  # already current: nothing added, its items not even decoded
        mp.setattr(checkpoints, "load", lambda *a: pytest.fail("decoded a current checkpoint"))
        assert ledger.rebuild(latest=True) == [(day, position)]
    assert len(ledger.store.checkpoints()) == before + 1
    report = ledger.verify()
    assert report.ok, report.problems
    assert ledger.stream_state(as_of="2035-01-01").streamed
    assert assert_same_answers(ledger, rnd, queries=10) >= 0
    with dbkit.connect(ledger.url, begin=True) as conn:
        conn.exec_driver_sql("DELETE FROM checkpoints")
    assert ledger.rebuild(latest=True)  # no checkpoint to start from: a fold from the start
    assert ledger.verify().ok and ledger.stream_state(as_of="2035-01-01").streamed
