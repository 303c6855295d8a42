"""The stored form of a fold checkpoint: the accumulator as data (:meth:`projections.Folder.to_data`),
never pickled, as lines of JSON compressed with zlib.

The first line is the header (``{"lines":1,`` first, then the Folder's layout version, the last folded key, the condition
indexes, the event ``schema_version`` folded, the section names); every other line is
``[section, [item, ...]]`` with up to :data:`PIECE` items. Lines, not one document, because
decoding one 200 MB document made the JSON parser hold its own copy of it beside the Python
objects (peak 1.7 GB for a million-event ledger, where the objects are 1.1 GB): line by line,
out of a streaming decompressor, only the objects and one line are held. A checkpoint written as
one document (before lines) is still read.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from itertools import zip_longest
from typing import Any

import orjson

from events import upcast as upcasting
from projections import DATA_FORMAT, SECTIONS, Folder

PIECE = 2_000
"""Items per line."""

_READ = 1 << 20
"""Compressed bytes decompressed at a time."""

_MARK = b'{"lines":1,'
"""How the header of a checkpoint in lines begins (one written as one document begins otherwise)."""


def _lines(folder: Folder) -> Iterator[bytes]:
    """The lines of the checkpoint of ``folder``: the same fold in the same order gives the same
    bytes, which is what lets ``verify`` compare texts."""
    data = folder.to_data(totals=False)
    sections = data.pop("sections")
    return lines_of(data, sections.items())


def lines_of(header: dict[str, Any], parts: Iterable[tuple[str, list[Any]]]) -> Iterator[bytes]:
    """The lines of a checkpoint: ``header`` is :meth:`Folder.header_data`, and the items come as
    (section, items) in section order and key order, in pieces of any size (cut here into lines of
    :data:`PIECE`, so a checkpoint written from a stream of pieces is the bytes of one written whole)."""
    yield orjson.dumps({"lines": 1, **header, "schema_version": upcasting.CURRENT_SCHEMA_VERSION,
                        "sections": list(SECTIONS)})
    name: str | None = None
    buffer: list[Any] = []
    for section, items in parts:
        if section != name:
            yield from _cut(name, buffer, True)
            name, buffer = section, []
        buffer.extend(items)
        if len(buffer) >= PIECE:
            yield from _cut(name, buffer, False)
            buffer = buffer[len(buffer) - len(buffer) % PIECE:]
    yield from _cut(name, buffer, True)


def _cut(name: str | None, items: list[Any], rest: bool) -> Iterator[bytes]:
    """Lines of :data:`PIECE` items of section ``name`` (and the shorter last one, with ``rest``)."""
    total = _total if name == "stakes" else None  # a Decimal anywhere else fails, as it must
    end = len(items) if rest else len(items) - len(items) % PIECE
    for start in range(0, end, PIECE):
        yield orjson.dumps([name, items[start:min(start + PIECE, end)]], default=total)


def _total(value: Any) -> str:
    """A stake's total as :meth:`Folder.to_data` writes it (orjson calls this for what it cannot
    write: in a stake, only the Decimal totals)."""
    if type(value) is Decimal:
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON data")


def text(folder: Folder) -> bytes:
    """The checkpoint of ``folder`` before compression."""
    return b"\n".join(_lines(folder))


def encode(folder: Folder) -> bytes:
    return packed(_lines(folder))


def packed(lines: Iterable[bytes]) -> bytes:
    """A checkpoint row's bytes: ``lines`` joined with newlines, compressed as they come."""
    packer = zlib.compressobj(1)
    parts = []
    for n, line in enumerate(lines):
        parts.append(packer.compress(line if n == 0 else b"\n" + line))
    parts.append(packer.flush())
    return b"".join(parts)


def _stored_lines(blob: bytes) -> Iterator[bytes]:
    pending: list[bytes] = []
    for piece in _inflated(blob):
        if b"\n" not in piece:
            pending.append(piece)
            continue
        first, *middle, last = piece.split(b"\n")
        yield b"".join([*pending, first])
        yield from middle
        pending = [last]
    yield b"".join(pending)


def _inflated(blob: bytes) -> Iterator[bytes]:
    """The decompressed text of ``blob``, a :data:`_READ` of it at a time; the next one is
    decompressed in a thread while the caller parses this one (zlib lets go of the GIL while it
    inflates: on the 1M ledger's latest checkpoint, 214 MB of text inflated in 0.63 s, this hid
    ~0.2 s of it; the GIL's hand-offs cost the rest). One piece ahead at most, so memory holds
    two, and a reader that stops early leaves only that one piece's work to finish."""
    unpacker = zlib.decompressobj()
    starts = [*range(0, len(blob), _READ), len(blob)]  # the last one flushes and checks the end

    def piece(start: int) -> bytes:
        if start < len(blob):
            return unpacker.decompress(blob[start:start + _READ])
        rest = unpacker.flush()
        if not unpacker.eof:
            raise ValueError("the compressed data is cut short")
        return rest

    if len(starts) < 3:  # a small checkpoint (a party's, a test's): no thread
        yield from map(piece, starts)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="checkpoint-inflate") as pool:
        ahead = pool.submit(piece, starts[0])
        for start in starts[1:]:
            done = ahead.result()
            ahead = pool.submit(piece, start)
            yield done
        yield ahead.result()


def decode(blob: bytes) -> Folder:
    """The Folder a checkpoint row holds; :class:`ValueError` when the row is not one."""
    try:
        data = _gathered(blob)
        if data is None:  # one document (the form before lines, or another layout of it)
            data = orjson.loads(zlib.decompress(blob))
        if not isinstance(data, dict):
            raise ValueError("not an object")
        if data.get("schema_version", 1) != upcasting.CURRENT_SCHEMA_VERSION:
            raise ValueError(f"folded events of schema_version {data.get('schema_version', 1)!r}; this code "
                             f"reads {upcasting.CURRENT_SCHEMA_VERSION}")
    except (zlib.error, orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a fold checkpoint ({type(exc).__name__}: {exc})") from None
    return Folder.from_data(data)


def _gathered(blob: bytes) -> dict[str, Any] | None:
    """The data of a checkpoint in lines, each section's items gathered; None when it is not in lines."""
    found = pieces(blob)
    if found is None:
        return None
    header, parts = found
    sections: dict[str, list[Any]] = {name: [] for name in header["sections"]}
    for name, items in parts:
        sections[name].extend(items)
    header["sections"] = sections
    return header


def pieces(blob: bytes) -> tuple[dict[str, Any], Iterator[tuple[str, list[Any]]]] | None:
    """The header of a checkpoint in lines and its (section, items) lines, read one at a time as
    they are iterated; None for a checkpoint written as one document. ``ValueError`` (or a JSON or
    zlib error) for a row that is not a checkpoint, raised as far as it is read."""
    if zlib.decompressobj().decompress(blob[:65536], len(_MARK)) != _MARK:
        return None
    lines = _stored_lines(blob)
    header = orjson.loads(next(lines))
    if not isinstance(header, dict):
        raise ValueError("its first line is not a header")
    names = header.get("sections")
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValueError("its header names no sections")

    order = {name: n for n, name in enumerate(names)}

    def parts() -> Iterator[tuple[str, list[Any]]]:
        at = 0
        for line in lines:
            name, items = orjson.loads(line)
            if order.get(name, -1) < at or not isinstance(items, list):
                raise ValueError(f"a line of section {str(name)[:40]!r}, which its header does not name "
                                 "there")
            at = order[name]
            yield name, items

    return header, parts()


def usable(header: dict[str, Any], day: str) -> bool:
    """Whether a checkpoint's header (:func:`pieces`) says this code reads it (the Folder's layout,
    the sections, the events' ``schema_version``) and that it is folded up to ``day``, its date,
    and no further: what a reader checks before it trusts the lines without decoding them all."""
    last = header.get("last")
    return (header.get("format") == DATA_FORMAT and header.get("sections") == list(SECTIONS)
            and header.get("schema_version") == upcasting.CURRENT_SCHEMA_VERSION
            and (last is None or (isinstance(last, list) and bool(last) and isinstance(last[0], str)
                                  and last[0] <= day)))


def differs(blob: bytes, folder: Folder) -> str | None:
    """Why a stored checkpoint is not ``folder`` (None: it is).

    First the stored text against the text :func:`encode` writes for the fold, line by line (a
    byte comparison, ~20x faster than decoding a million-item accumulator and comparing objects);
    only when they differ are the two decoded and compared, so a checkpoint written in another but
    equal form (one document, another compression) still passes, and an edited one still fails.
    Line by line, not as two whole texts: at a million events each text is 214 MB, and making
    both (and the list of lines joined into one) for each of eight checkpoints cost ``verify``'s
    child seconds of page faults.
    """
    try:
        if _same_lines(_stored_lines(blob), _lines(folder)):
            return None
        return "differs from the fold of the events" if decode(blob) != folder else None
    except (ValueError, zlib.error) as exc:  # unreadable is as bad as wrong
        return f"is not readable ({exc})"


def _same_lines(stored: Iterator[bytes], made: Iterator[bytes]) -> bool:
    """Whether two texts given as their lines (no newline inside a line) are the same bytes;
    stops reading at the first line that differs."""
    try:
        return all(a == b for a, b in zip_longest(stored, made))
    finally:
        close = getattr(stored, "close", None)
        if close is not None:
            close()
