"""Reading JSON text the way a ledger must: nothing in it silently dropped or rewritten.

Two things general-purpose parsers do quietly are errors here:

- a key repeated inside one object (``"money"`` twice): the last value would win unseen, so the
  event stored would not be the event written. orjson cannot report it; the standard library's
  decoder can, through ``object_pairs_hook``;
- ``NaN`` and ``Infinity`` (not JSON at all), which the standard library accepts by default.

Integers keep every digit (orjson turns an integer past 64 bits into a binary float, which then
failed validation as "binary floats are not allowed" for a number written without a point).
Binary floats still arrive as ``float``, for validation to refuse with its own message.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ledger.errors import Problem, ValidationError


class DuplicateKey(ValueError):
    """A key given twice in one JSON object."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_pairs, parse_constant=_no_constant)


class _Pairs(list):  # type: ignore[type-arg]
    """An object kept as its list of pairs (the slow path that locates a duplicate key)."""


_LOCATOR = json.JSONDecoder(object_pairs_hook=_Pairs, parse_constant=_no_constant)


def _decode(decoder: json.JSONDecoder, text: str) -> Any:
    try:
        return decoder.decode(text)
    except RecursionError:  # the stdlib decoder recurses per level; orjson stops at 1024
        raise ValueError("nested too deeply (no event is more than a few levels deep)") from None


_DECIMAL_DECODER = json.JSONDecoder(object_pairs_hook=_unique_pairs, parse_constant=_no_constant,
                                    parse_float=Decimal)


def loads(text: str | bytes, *, decimal_floats: bool = False) -> Any:
    """Parse one JSON document strictly (see the module docstring); raises ``ValueError``
    (``json.JSONDecodeError`` or :class:`DuplicateKey`). ``decimal_floats``: numbers with a point
    become exact ``Decimal`` (for formats such as BODS that write shares as JSON numbers)."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    return _decode(_DECIMAL_DECODER if decimal_floats else _DECODER, text)


def _duplicate_path(value: Any, path: str = "") -> str | None:
    """The path of the first repeated key in a value decoded by :data:`_LOCATOR`."""
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, item in value:
            where = f"{path}.{key}" if path else key
            if key in seen:
                return where
            seen.add(key)
            found = _duplicate_path(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _duplicate_path(item, f"{path}[{i}]")
            if found:
                return found
    return None


AMBIGUOUS = "ambiguous JSON"
"""The summary of a refusal for a key given twice (well-formed JSON, but no one can say what it means)."""


def _refusal(problem: Problem, exc: ValueError) -> ValidationError:
    return ValidationError([problem], AMBIGUOUS if isinstance(exc, DuplicateKey) else "broken JSON")


def _problem(name: str, where: str, exc: ValueError, body: str | None, index: int | None = None) -> Problem:
    if isinstance(exc, DuplicateKey):
        try:
            field = _duplicate_path(_decode(_LOCATOR, body)) if body is not None else None
        except ValueError:  # the text breaks later too: name the key without its place
            field = None
        if field and index is None and field.startswith("["):  # a JSON array: the element is the event
            head, _, rest = field[1:].partition("]")
            index, field = int(head), rest.lstrip(".")
        return Problem(index, None, field or None, f"{name}{where}: the key {exc.key!r} is given twice in one "
                       "object (the ledger will not guess which value you meant)")
    if isinstance(exc, json.JSONDecodeError):  # a JSON Lines line has one line: its column only
        return syntax_problem(name, where, exc.msg, None if where else exc.lineno, exc.colno, index)
    return Problem(index, None, None, f"{name}{where}: not valid JSON: {exc}")


def syntax_problem(name: str, where: str, msg: str, line: int | None, column: int,
                   index: int | None = None) -> Problem:
    """Broken JSON placed in our words ("f line 3, column 7: not valid JSON: Expecting value"),
    for the whole-text reader and the streaming one alike."""
    place = f" line {line}, column {column}" if line is not None else f", column {column}"
    return Problem(index, None, None, f"{name}{where}{place}: not valid JSON: {msg}")


def parse_text(text: bytes | str, name: str = "input") -> list[Any]:
    """A JSON array, a single JSON object, or JSON Lines, as a list; errors name the line."""
    try:
        body = text.decode("utf-8") if isinstance(text, bytes | bytearray) else text
        body = body.removeprefix("\ufeff")  # a UTF-8 byte-order mark (Windows editors): RFC 8259 lets us ignore it
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem(None, None, None, f"{name}: not UTF-8 text ({exc.reason} at byte "
                                       f"{exc.start})")], "broken JSON") from None
    body = body.strip()
    if not body:
        raise ValidationError([Problem(None, None, None, f"{name} is empty: give a JSON array or JSON Lines")],
                              "empty input")
    if body[0] == "[" or (body[0] == "{" and "\n" not in body):
        return _whole(body, name)
    if body[0] == "{":  # one object spread over lines (pretty-printed), or JSON Lines
        try:
            return [_decode(_DECODER, body)]
        except DuplicateKey as exc:
            if _is_one_document(body):
                raise _refusal(_problem(name, "", exc, body), exc) from None
        except ValueError:
            pass  # JSON Lines: read line by line below, so errors name the line
    return list(_lines(body, name))


def _is_one_document(body: str) -> bool:
    try:
        _decode(_LOCATOR, body)
        return True
    except ValueError:
        return False


def _whole(body: str, name: str) -> list[Any]:
    try:
        value = _decode(_DECODER, body)
    except ValueError as exc:
        raise _refusal(_problem(name, "", exc, body), exc) from None
    return list(value) if isinstance(value, list) else [value]


def _lines(body: str, name: str) -> Iterator[Any]:
    index = 0
    # "\n" only: str.splitlines() also splits at U+2028, U+0085 and other characters a JSON string
    # may hold raw, which would cut an event in two
    for lineno, line in enumerate(body.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            yield _decode(_DECODER, line)
        except ValueError as exc:
            raise _refusal(_problem(name, f" line {lineno}", exc, line, index), exc) from None
        index += 1
