"""The progress bar of append and import (SPEC §7): on a terminal it shows the count, the rate and
the time left; in a pipe it says nothing, so scripts get only the answer."""

from __future__ import annotations

import io
import sys

import pytest
from rich.console import Console

from ledger.cli import common, inputs


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_pipe_there_is_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with inputs.progress_bar("appending", 1_000_000) as tick:
        assert tick is None


def test_small_batches_need_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", Terminal())
    with inputs.progress_bar("appending", 50) as tick:
        assert tick is None


def test_on_a_terminal_the_bar_counts_and_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    console = Console(file=screen, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(common, "err", lambda: console)
    clock = iter([100.0, 100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0])
    monkeypatch.setattr("time.monotonic", lambda: next(clock, 107.0))
    with inputs.progress_bar("appending", 40_000) as tick:
        assert tick is not None
        tick(10_000)
        tick(20_000)
    drawn = screen.getvalue()
    assert "appending" in drawn and "20000/40000" in drawn.replace(",", "")
    assert "20,000 events/s" in drawn and "left" in drawn


def test_a_streamed_file_is_followed_by_its_bytes_so_time_left_is_known(
        monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "big.jsonl"
    path.write_bytes(b"x" * 2_000_000)
    source = inputs.InputEvents(str(path))
    assert source.size == 2_000_000
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    monkeypatch.setattr(common, "err", lambda: console)
    try:
        with inputs.progress_bar("appending", None, source=source) as tick:
            assert tick is not None
            source._stream.read(1_000_000)  # half the file read
            assert source.position() == 1_000_000  # what the bar's completed share is taken from
            tick(5_000)
    finally:
        source.close()
    drawn = screen.getvalue()
    assert "5,000 events" in drawn and "left" in drawn


def test_a_small_streamed_file_needs_no_bar(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "small.jsonl"
    path.write_bytes(b"{}\n")
    source = inputs.InputEvents(str(path))
    monkeypatch.setattr(sys, "stderr", Terminal())
    with inputs.progress_bar("appending", None, source=source) as tick:
        assert tick is None
    source.close()
