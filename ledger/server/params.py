"""Query-string discipline: every route names the parameters it takes, and anything else is a 400.

A mistyped parameter (``?asof=``) silently ignored would answer a different question than the
one asked, and a repeated scalar (``?as_of=a&as_of=b``) is ambiguous; both are refused, naming
the parameter. Values are bounded in length so a huge query never reaches the ledger.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from ledger.errors import Problem
from ledger.server.errors import ApiError

MAX_VALUE = 512
MAX_PARAMS = 40


def only(*names: str, repeat: tuple[str, ...] = ()) -> Callable[[Request], None]:
    """A dependency refusing unknown, repeated (unless in ``repeat``) or oversized query parameters."""
    allowed = set(names) | set(repeat)
    listing = ", ".join(sorted(allowed)) or "none"

    def check(request: Request) -> None:
        items = request.query_params.multi_items()
        if len(items) > MAX_PARAMS:
            raise ApiError(400, f"too many query parameters ({len(items)}; at most {MAX_PARAMS})")
        problems = []
        seen: set[str] = set()
        for key, value in items:
            if key not in allowed:
                shown = key if len(key) <= 40 else key[:40] + "…"
                problems.append(Problem(None, None, shown, f"unknown parameter; this route takes: {listing}"))
            elif key in seen and key not in repeat:
                problems.append(Problem(None, None, key, "given more than once"))
            elif len(value) > MAX_VALUE:
                problems.append(Problem(None, None, key, f"value too long ({len(value)} characters; at most {MAX_VALUE})"))
            seen.add(key)
        if problems:
            raise ApiError(400, "invalid query parameters", problems)

    return check
