"""An append or import of any size goes chunk by chunk inside one transaction: the same ledger,
the same result and the same refusals as one chunk, and nothing written when a late chunk is bad."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest

import ledger.write.batch as batch
from ledger import Ledger
from ledger.cli.demo import dataset
from ledger.errors import ConflictError, ValidationError
from tests.samples import basic, investment, party

RECORDING = ("recorded_at", "prev_hash", "hash")
"""The fields that depend on the time of the append (the rest must match exactly)."""


def _content(lg: Ledger) -> list[dict[str, Any]]:
    return [{k: v for k, v in env.items() if k not in RECORDING} for env in lg.events()]


def _outcome(lg: Ledger, events: list[dict[str, Any]], **kw: Any) -> Any:
    try:
        r = lg.append(copy.deepcopy(events), **kw)
    except (ValidationError, ConflictError) as exc:
        problems = [(p.index, p.event_id, p.field, p.message) for p in getattr(exc, "problems", [])]
        return type(exc).__name__, str(exc), problems
    return list(r.positions), list(r.ids), r.appended, r.existing, r.head, r.streams, r.dry_run


def _run(tmp_path: Any, name: str, chunk: int, monkeypatch: pytest.MonkeyPatch, batches: list[list[dict[str, Any]]],
         **kw: Any) -> tuple[list[Any], list[dict[str, Any]], int]:
    """Append ``batches`` in turn (``kw`` applies to the last one) into a fresh ledger."""
    monkeypatch.setattr(batch, "CHUNK", chunk)
    with Ledger.open(f"sqlite:///{tmp_path}/{name}.db", init=True) as lg:
        outcomes = [_outcome(lg, b, **(kw if n == len(batches) - 1 else {})) for n, b in enumerate(batches)]
        return outcomes, _content(lg), lg.count()


def _same_in_chunks(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, batches: list[list[dict[str, Any]]],
                    **kw: Any) -> list[Any]:
    where = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    where.mkdir()
    whole = _run(where, "whole", 100_000, monkeypatch, batches, **kw)
    for size in (1, 2, 7):
        assert _run(where, f"chunk{size}", size, monkeypatch, batches, **kw) == whole, size
    return whole[0]


def test_the_demo_ledger_appended_in_tiny_chunks_is_the_same_ledger(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = dataset()
    outcomes = _same_in_chunks(tmp_path, monkeypatch, [events, events[:50]])
    assert outcomes[0][2] == len(events) and outcomes[1][3] == 50  # appended, then a no-op retry


def test_a_bad_event_in_a_late_chunk_leaves_nothing_written(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    events = dataset()
    broken = [*events[:-1], {**events[-1], "effective_date": "2025-13-01"}]
    outcomes = _same_in_chunks(tmp_path, monkeypatch, [events[:10], broken])
    assert outcomes[1][0] == "ValidationError" and outcomes[1][2][0][:3] == (len(events) - 1, events[-1]["id"],
                                                                             "effective_date")
    monkeypatch.setattr(batch, "CHUNK", 3)
    with Ledger.open(f"sqlite:///{tmp_path}/late.db", init=True) as lg:
        with pytest.raises(ValidationError):
            lg.append(broken)
        assert lg.count() == 0 and list(lg.events()) == []


@pytest.mark.parametrize("case", ["duplicate id", "duplicate of a no-op", "reference to a later event",
                                  "correction across chunks", "rule broken late", "conflicting id",
                                  "several problems"])
def test_refusals_across_chunks_are_the_one_shot_refusals(tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
                                                           case: str) -> None:
    first = basic()
    more = {
        "duplicate id": [investment("a", "2021", "1"), investment("b", "2021", "2"), investment("a", "2021", "1")],
        "duplicate of a no-op": [first[0], investment("b", "2021", "2"), first[0]],
        "reference to a later event": [investment("x", "2021", "1", investee="newco"), party("newco")],
        "correction across chunks": [investment("c1", "2021", "1"), investment("c2", "2021", "2"),
                                     investment("c3", "2021", "3", corrects="c1"),
                                     investment("c4", "2021", "4", corrects="c3")],
        "rule broken late": [investment("r1", "2021", "1"), investment("r2", "2021", "2"),
                             investment("r3", "2021", "3", investee="nobody")],
        "conflicting id": [investment("k1", "2021", "1"), {**first[2], "effective_date": "2019-07-23"}],
        "several problems": [investment("s1", "2021", "1", investee="nobody"), investment("s1", "2021", "1"),
                             investment("s2", "2021", "x")],
    }[case]
    outcomes = _same_in_chunks(tmp_path, monkeypatch, [first, more])
    ok = case == "correction across chunks"
    assert isinstance(outcomes[1][0], list) == ok, outcomes[1]


def test_expected_version_and_dry_run_in_chunks(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = basic()
    one_stream = [investment(f"v{i}", "2021", str(i + 1)) for i in range(5)]
    two_streams = [*one_stream[:3], investment("w", "2021", "9", stream="other")]
    assert _same_in_chunks(tmp_path, monkeypatch, [first, two_streams], expected_version=1)[1][0] == "ValidationError"
    assert _same_in_chunks(tmp_path, monkeypatch, [first, one_stream], expected_version=0)[1][0] == "ConflictError"
    assert _same_in_chunks(tmp_path, monkeypatch, [first, one_stream], expected_version=2)[1][2] == 5
    dry = _same_in_chunks(tmp_path, monkeypatch, [first, one_stream], dry_run=True)
    assert dry[1][6] is True


def test_an_import_in_tiny_chunks_is_the_same_ledger(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with Ledger.open(f"sqlite:///{tmp_path}/src.db", init=True) as src:
        src.append(dataset()[:60])
        src.append(dataset()[60:])
        out = io.BytesIO()
        src.export(out)
    lines = out.getvalue().splitlines()
    import orjson

    envelopes = [orjson.loads(line) for line in lines]
    exports = []
    for size in (100_000, 1, 5):
        monkeypatch.setattr(batch, "CHUNK", size)
        with Ledger.open(f"sqlite:///{tmp_path}/copy{size}.db", init=True) as lg:
            result = lg.import_envelopes(copy.deepcopy(envelopes))
            assert (result.appended, result.head) == (len(envelopes), len(envelopes))
            copied = io.BytesIO()
            lg.export(copied)
            exports.append(copied.getvalue())
            assert lg.verify().ok
    assert exports == [out.getvalue()] * 3
    edited = copy.deepcopy(envelopes)
    edited[-1]["stream_version"] += 1
    for size in (100_000, 2):
        monkeypatch.setattr(batch, "CHUNK", size)
        with Ledger.open(f"sqlite:///{tmp_path}/bad{size}.db", init=True) as lg:
            with pytest.raises(ValidationError) as info:
                lg.import_envelopes(copy.deepcopy(edited))
            assert info.value.problems[0].index == len(edited) - 1
            assert lg.count() == 0
