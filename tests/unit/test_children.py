"""The child processes of split reads (``ledger.read.children``): an answer counts only when its
whole frame arrived, and the parent has it without waiting for the child to exit."""

from __future__ import annotations

import time

from ledger.read.children import Child


def _ask(mode: str) -> tuple[bytes | None, float]:
    child = Child.start("tests.child_modes", mode.encode())
    assert child is not None
    started = time.monotonic()
    try:
        answer = child.answer()
    finally:
        child.stop()
    return answer, time.monotonic() - started


def test_a_whole_answer_is_taken_without_waiting_for_the_exit() -> None:
    answer, took = _ask("whole-then-linger")
    assert answer == b"x" * 300_000  # larger than a pipe's buffer: read while it is written
    assert took < 4, f"waited {took:.1f} s: for the child's exit, not its answer"


def test_an_answer_cut_short_or_missing_is_none() -> None:
    assert _ask("cut-short")[0] is None
    assert _ask("nothing")[0] is None
    assert _ask("empty")[0] == b""  # an empty answer is still an answer


def test_a_child_stopped_before_it_answers_is_killed() -> None:
    child = Child.start("tests.child_modes", b"whole-then-linger")
    assert child is not None
    started = time.monotonic()
    child.stop()
    assert child.process.returncode is not None and time.monotonic() - started < 4
