"""Reading a file of events as a stream: the items of a JSON array or of JSON Lines one at a
time, as strictly as :func:`ledger.core.jsontext.parse_text` (a key given twice, ``NaN`` and
broken JSON refused, with the line or the event), so an append of a file of any size holds one
chunk of it at a time, not the file.

A small input (up to :data:`WHOLE`, the whole of it read at once) and the rare shapes that
cannot be told apart without the whole text (one pretty-printed object) go through
:func:`~ledger.core.jsontext.parse_text` itself, so their errors are exactly its errors.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import IO, Any

from ledger.core.jsontext import _DECODER, _LOCATOR, DuplicateKey, _problem, _refusal, parse_text, syntax_problem
from ledger.errors import Problem, ValidationError

WHOLE = 1 << 20
"""Inputs up to this many bytes are parsed whole (no file is worse off than before)."""
BLOCK = 1 << 20
"""Bytes read at a time."""
MAX_ITEM = 512 << 20
"""A JSON array element still incomplete past this many characters is broken, not unfinished
(an event is a few hundred bytes; a hostile 100 MB string still gets its own error)."""
_SPACE = " \t\n\r"


def iter_items(stream: IO[bytes], name: str = "input") -> Iterator[Any]:
    """The items of a JSON array, a single JSON object, or JSON Lines read from ``stream``."""
    head = stream.read(WHOLE + 1)
    if head.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark: ignored (RFC 8259), as parse_text does
        head = head[3:] + stream.read(3)
    if len(head) <= WHOLE:
        yield from parse_text(head, name)
        return
    start = len(head) - len(head.lstrip())
    first = head[start:start + 1]
    if first == b"[":
        yield from _array(head, stream, name)
        return
    line = head[start:].split(b"\n", 1)[0]
    if first == b"{" and not _decodes(line):  # one pretty-printed object (or a broken first line)
        yield from parse_text(head + stream.read(), name)
        return
    yield from _lines(head, stream, name, start)


def _decodes(line: bytes) -> bool:
    try:
        _DECODER.decode(line.decode("utf-8"))
        return True
    except (ValueError, UnicodeDecodeError):
        return False


def _not_utf8(name: str, exc: UnicodeDecodeError, offset: int) -> ValidationError:
    return ValidationError([Problem(None, None, None, f"{name}: not UTF-8 text ({exc.reason} at byte "
                                    f"{offset + exc.start})")], "broken JSON")


def _lines(head: bytes, stream: IO[bytes], name: str, start: int) -> Iterator[Any]:
    """JSON Lines: numbered from the first line with content, as :func:`parse_text` numbers them."""
    index, lineno, offset = 0, 0, start
    rest = head[start:]
    while True:
        block = stream.read(BLOCK)
        rest += block
        parts = rest.split(b"\n")
        rest = parts.pop() if block else b""
        for raw in parts:
            lineno += 1
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _not_utf8(name, exc, offset) from None
            offset += len(raw) + 1
            if not line.strip():
                continue
            try:
                yield _DECODER.decode(line)
            except RecursionError:
                raise _refusal(_problem(name, f" line {lineno}", ValueError("nested too deeply (no event is more "
                               "than a few levels deep)"), line, index), ValueError()) from None
            except ValueError as exc:
                raise _refusal(_problem(name, f" line {lineno}", exc, line, index), exc) from None
            index += 1
        if not block:
            return


class _Text:
    """Decoded text of the stream, kept from the current element on; positions are absolute."""

    def __init__(self, head: bytes, stream: IO[bytes], name: str) -> None:
        self.stream, self.name = stream, name
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.buf, self.base, self.bytes_read, self.eof = "", 0, 0, False
        self.lines_before, self.last_newline = 0, -1  # newlines dropped before ``base``; where the last was
        self._feed(head.lstrip())

    def _feed(self, data: bytes) -> None:
        try:
            self.buf += self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise _not_utf8(self.name, exc, self.bytes_read) from None
        self.bytes_read += len(data)
        self.eof = not data

    def more(self) -> bool:
        """Read on: as much again as is held (an element that needs many reads is decoded a few
        times, not once per block)."""
        if self.eof:
            return False
        self._feed(self.stream.read(max(BLOCK, len(self.buf))))
        return True

    def drop(self, upto: int) -> None:
        """Forget the text before absolute position ``upto``."""
        cut = upto - self.base
        newline = self.buf.rfind("\n", 0, cut)
        if newline >= 0:
            self.lines_before += self.buf.count("\n", 0, cut)
            self.last_newline = self.base + newline
        self.buf, self.base = self.buf[cut:], upto

    def skip_space(self, pos: int) -> int:
        while True:
            i = pos - self.base
            while i < len(self.buf) and self.buf[i] in _SPACE:
                i += 1
            if i < len(self.buf) or not self.more():
                return i + self.base

    def char(self, pos: int) -> str:
        return self.buf[pos - self.base:pos - self.base + 1]

    def broken(self, msg: str, pos: int) -> ValidationError:
        """The error :func:`parse_text` gives, with the line and column in the whole text (which
        it strips: an error at the end is placed after the last character that is not a space)."""
        if self.eof:
            pos = min(pos, self.base + len(self.buf.rstrip()))
        i = pos - self.base
        newline = self.buf.rfind("\n", 0, i)
        line = self.lines_before + self.buf.count("\n", 0, i) + 1
        col = pos - (self.base + newline if newline >= 0 else self.last_newline)
        return ValidationError([syntax_problem(self.name, "", msg, line, col)], "broken JSON")

    def element_text(self, i: int) -> str:
        """The text of the element at buffer index ``i`` (read on until it is whole, or the end)."""
        while True:
            try:
                _, end = _LOCATOR.raw_decode(self.buf, i)
                return self.buf[i:end]
            except (ValueError, RecursionError):
                if not self.more():
                    return self.buf[i:]


def _array(head: bytes, stream: IO[bytes], name: str) -> Iterator[Any]:
    text = _Text(head, stream, name)
    pos, index = 1, 0  # after "["
    pos = text.skip_space(pos)
    if text.char(pos) == "]":
        pos += 1
    else:
        while True:
            value, end = _element(text, pos, index)
            yield value
            index += 1
            pos = text.skip_space(end)
            sep = text.char(pos)
            if sep == "]":
                pos += 1
                break
            if sep != ",":
                raise text.broken("Expecting ',' delimiter", pos)
            pos = text.skip_space(pos + 1)
            text.drop(pos)
    pos = text.skip_space(pos)
    if text.char(pos):
        raise text.broken("Extra data", pos)


def _element(text: _Text, pos: int, index: int) -> tuple[Any, int]:
    """One element starting at ``pos``: decoded once the text holds it and what follows it."""
    while True:
        i = pos - text.base
        try:
            value, end = _DECODER.raw_decode(text.buf, i)
            if end < len(text.buf) or text.eof or not text.more():
                return value, end + text.base
        except DuplicateKey as exc:
            raise _refusal(_problem(text.name, "", exc, text.element_text(i), index), exc) from None
        except json.JSONDecodeError as exc:
            if len(text.buf) - i < MAX_ITEM and text.more():
                continue
            raise text.broken(exc.msg, exc.pos + text.base) from None
        except ValueError as exc:  # NaN, Infinity
            raise _refusal(_problem(text.name, "", exc, None), exc) from None
        except RecursionError:
            raise text.broken("nested too deeply (no event is more than a few levels deep)", pos) from None
