"""Reading a request body without trusting it: bounded in size and in time, and parsed strictly.

The declared ``Content-Length`` is checked first, then the bytes actually received are counted
as they stream in (a client can lie or send chunked), so memory never holds more than the
limit. A deadline stops a client trickling bytes to hold a worker. The JSON is parsed with the
CLI's strict reader (same messages), which refuses an object that repeats a key: which value a
duplicate key means is a guess no ledger should make.
"""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Request

from ledger.core.jsontext import AMBIGUOUS, parse_text
from ledger.errors import ValidationError
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


def parse_events(body: bytes) -> list[Any]:
    """The events of a JSON array or JSON Lines body, read by the CLI's strict reader (same
    messages): broken JSON is a 400, a key given twice (well-formed but ambiguous) a 422."""
    try:
        return parse_text(body, "request body")
    except ValidationError as exc:
        if exc.summary == AMBIGUOUS:
            raise
        raise ApiError(400, exc.summary, exc.problems) from None
