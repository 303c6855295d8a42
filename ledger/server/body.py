"""Reading a request body without trusting it: bounded in size and in time, and parsed strictly.

The declared ``Content-Length`` is checked first, then the bytes actually received are counted
as they stream in (a client can lie or send chunked), so memory never holds more than the
limit. A deadline stops a client trickling bytes to hold a worker. The JSON is parsed with the
CLI's parser (same messages), and then refused if an object repeats a key: which value a
duplicate key means is a guess no ledger should make.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from fastapi import Request

from ledger.errors import Problem, ValidationError
from ledger.intake import parse_text
from ledger.server.errors import ApiError


async def read_limited(request: Request, limit: int, timeout: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise ApiError(400, "the Content-Length header is not a number")
        if int(declared) > limit:
            raise ApiError(413, f"the request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise ApiError(413, f"the request body is larger than the limit of {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise ApiError(408, f"the request body did not arrive within {timeout:g} seconds") from None
    return b"".join(chunks)


class _Marked(dict[str, Any]):
    """A parsed object that repeated a key, itself or in an object inside it."""

    duplicates: list[str]


def _inner(value: Any) -> list[str]:
    if isinstance(value, _Marked):
        return value.duplicates
    if isinstance(value, list):
        return [d for v in value for d in _inner(v)]
    return []


def _hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    found: list[str] = []
    for key, value in pairs:
        if key in obj:
            found.append(key)
        obj[key] = value
        found.extend(_inner(value))
    if not found:
        return obj
    marked = _Marked(obj)
    marked.duplicates = found
    return marked


def _duplicate_problems(body: bytes, items: list[Any]) -> list[Problem]:
    text = body.strip()
    if text[:1] == b"[":
        parsed = json.loads(text, object_pairs_hook=_hook)
        tops = parsed if isinstance(parsed, list) else [parsed]
    elif text[:1] == b"{" and len(items) == 1:
        try:
            tops = [json.loads(text, object_pairs_hook=_hook)]
        except ValueError:
            tops = [json.loads(line, object_pairs_hook=_hook) for line in text.splitlines() if line.strip()]
    else:
        tops = [json.loads(line, object_pairs_hook=_hook) for line in text.splitlines() if line.strip()]
    problems: list[Problem] = []
    for index, top in enumerate(tops):
        names = _inner(top)
        if names:
            eid = items[index].get("id") if index < len(items) and isinstance(items[index], dict) else None
            problems.append(Problem(index, eid if isinstance(eid, str) else None, names[0],
                                    "duplicate key in a JSON object: its value is ambiguous; give each key once"))
    return problems


def parse_events(body: bytes) -> list[Any]:
    """The events of a JSON array or JSON Lines body; broken JSON is a 400, a repeated key a 422."""
    try:
        items = parse_text(body, "request body")
        problems = _duplicate_problems(body, items)
    except ValidationError as exc:
        raise ApiError(400, str(exc).split("\n", 1)[0].rstrip(":"), exc.problems) from None
    except (RecursionError, ValueError):  # UnicodeDecodeError is a ValueError
        raise ApiError(400, "the request body is not UTF-8 JSON, or nests too deeply") from None
    if problems:
        raise ValidationError(problems)
    return items
