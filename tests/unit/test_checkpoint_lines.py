"""A checkpoint's lines read back from its compressed row: the same lines however the row is cut
into pieces to decompress, and with the next piece decompressed in a thread (what a large
checkpoint gets) as without; a row cut short or damaged is an error however it is read."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.read import checkpoint_text

LINES = st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b" ")), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(LINES, st.integers(1, 200))
def test_lines_come_back_the_same_however_the_row_is_cut(lines: list[bytes], read: int) -> None:
    blob = checkpoint_text.packed(lines)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checkpoint_text, "_READ", read)
        assert list(checkpoint_text._stored_lines(blob)) == lines
        for cut in (blob[:-3], blob[:len(blob) // 2], b""):
            with pytest.raises((ValueError, zlib.error)):
                list(checkpoint_text._stored_lines(cut))
    with pytest.raises(ValueError, match="cut short"):
        list(checkpoint_text._stored_lines(blob[:-3]))  # in one piece, unthreaded


def test_a_large_row_is_read_through_the_thread_and_its_errors_reach_the_reader(
        monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [b"%d" % n * 50 for n in range(2_000)]
    blob = checkpoint_text.packed(lines)
    monkeypatch.setattr(checkpoint_text, "_READ", 512)
    assert len(blob) > 3 * 512  # so the pieces after the first are decompressed in the thread
    seen: list[str] = []
    real = checkpoint_text.ThreadPoolExecutor

    def spy(*args: object, **kwargs: object) -> object:
        seen.append("pool")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checkpoint_text, "ThreadPoolExecutor", spy)
    assert list(checkpoint_text._stored_lines(blob)) == lines
    assert seen == ["pool"]
    damaged = blob[:700] + bytes(b ^ 0xFF for b in blob[700:720]) + blob[720:]
    with pytest.raises((zlib.error, ValueError)):
        list(checkpoint_text._stored_lines(damaged))
    reader = checkpoint_text._stored_lines(blob)
    assert next(reader) == lines[0]
    reader.close()  # a reader that stops early: the piece ahead finishes, nothing hangs


@settings(max_examples=300, deadline=None)
@given(LINES, LINES, st.booleans())
def test_two_texts_compared_line_by_line_are_equal_exactly_when_their_bytes_are(
        a: list[bytes], b: list[bytes], same: bool) -> None:
    """What ``verify`` compares a stored checkpoint with its re-fold by, without making either text."""
    if same:
        b = list(a)
    assert checkpoint_text._same_lines(iter(a), iter(b)) == (b"\n".join(a) == b"\n".join(b))
    reader = checkpoint_text._stored_lines(checkpoint_text.packed(a))
    assert checkpoint_text._same_lines(reader, iter(b)) == (a == b)
