"""A whole-ledger fold split across two processes (``ledger.read.split``: the stakes in a child)
answers exactly as one process does, on both engines; a child that fails leaves the stakes to
this process, and a stored event that cannot be folded is the same integrity failure either way."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from ledger import Ledger, LedgerError
from projections import fold
from tests.contract.test_checkpoints import build
from tests.integrity.test_integrity_tamper import sql
from tests.procs import child_answers
from tests.samples import basic, investment


def _split_always(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Split every whole fold, whatever the ledger's size and the machine's cores; returns the list
    each answer of the child is appended to (None: it failed, the stakes were folded here)."""
    import ledger.read.split as split

    return child_answers(monkeypatch, (split, "SPLIT_FROM"), (split, "_stakes"))


def test_the_split_fold_answers_as_one_fold_does(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(11)
    build(ledger, rnd)  # backdated events, corrections and retractions after its checkpoints
    ledger.store.clear_checkpoints()  # every rumored query folds the whole ledger too
    head = ledger.store.head()[0]
    everything = list(ledger.store.fold_events(head))
    answers = _split_always(monkeypatch)
    for n in range(10):
        as_of = rnd.choice(["2030-12-31", f"{rnd.randint(1999, 2030)}-{rnd.randint(1, 12):02d}-15"])
        known_at = rnd.choice([head, rnd.randint(1, head)])
        least = rnd.choice(["rumored", "reported", "announced", "confirmed"])
        got = ledger.state(as_of=as_of, known_at=known_at, min_certainty=least).to_dict()
        want = fold(everything, as_of=as_of, known_at=known_at, min_certainty=least)
        assert {k: got[k] for k in want} == want, (as_of, known_at, least)
        assert len(answers) == n + 1 and answers[-1] == want["stakes"]  # the child sent them


def test_a_child_that_fails_leaves_the_stakes_to_this_process(ledger: Ledger, monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    import ledger.read.split as split

    ledger.append(basic())
    ledger.append([investment("inv-2023", "2023-01-23", "10000000000")])
    want = ledger.state("2024-01-01", min_certainty="reported").to_json()  # one process (a small ledger)
    answers = _split_always(monkeypatch)
    start = split.Child.start

    def unopenable(module: str, request: bytes) -> Any:
        """The real child, asked to open a store that is not there: it reads its request, fails, exits 1."""
        return start(module, orjson.dumps({**orjson.loads(request), "address": str(tmp_path / "none" / "x.db")}))

    monkeypatch.setattr(split.Child, "start", staticmethod(unopenable))
    assert ledger.state("2024-01-01", min_certainty="reported").to_json() == want
    assert answers == [None]
    assert ledger.state("2024-01-01").stakes  # and there are stakes to fold


@pytest.mark.parametrize(("position", "sent"), [(3, [None]), (5, [])])
def test_an_event_that_cannot_be_folded_is_the_same_failure_split_or_not(
    ledger: Ledger, db_url: str, monkeypatch: pytest.MonkeyPatch, position: int, sent: list[Any],
) -> None:
    """Position 3 is a stake event (the child's: it fails, this process folds the stakes and meets
    the event); position 5 a right (this process's own part fails first, and stops the child)."""
    ledger.append(basic())
    sql(db_url, f"UPDATE events SET payload = '{{not json' WHERE position = {position}")
    with pytest.raises(LedgerError) as alone:
        ledger.state("2024-01-01", min_certainty="reported")
    answers = _split_always(monkeypatch)
    with pytest.raises(LedgerError) as split:
        ledger.state("2024-01-01", min_certainty="reported")
    assert str(split.value) == str(alone.value) and f"position {position}" in str(split.value)
    assert answers == sent
