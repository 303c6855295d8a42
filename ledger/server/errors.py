"""Errors as JSON: ``{"error": ..., "problems": [{index, id, field, message}]}`` with the status
codes of SPEC §10, and nothing else leaves the process.

The library's typed errors map to statuses by kind. Messages that can carry what the server
must not show (a database URL or file path, a driver message quoting SQL) are replaced by a
generic sentence and logged; any other exception is logged with its traceback and answered 500.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ledger.errors import (
    ConflictError,
    IntegrityError,
    LedgerError,
    NotFoundError,
    Problem,
    SchemaVersionError,
    StorageError,
    ValidationError,
)

log = logging.getLogger("ledger.server")

GENERIC = {
    400: "bad request", 401: "a valid bearer token is needed", 403: "forbidden", 404: "not found",
    405: "method not allowed", 408: "the request body came too slowly", 413: "the request body is too large",
    500: "internal error: the server log has the details", 503: "the ledger database is unavailable",
}


class ApiError(Exception):
    """An answer decided by the server itself (auth, limits, query checks): status, message, problems."""

    def __init__(self, status: int, message: str, problems: Iterable[Problem] = (),
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = list(problems)
        self.headers = dict(headers or {})


def problem_dict(p: Problem) -> dict[str, Any]:
    return p.to_dict()


def error_response(status: int, message: str, problems: Iterable[Problem] = (),
                   headers: Mapping[str, str] | None = None) -> Response:
    body = orjson.dumps({"error": message, "problems": [problem_dict(p) for p in problems]},
                        option=orjson.OPT_INDENT_2) + b"\n"
    return Response(body, status_code=status, media_type="application/json", headers=dict(headers or {}))


def ledger_error_response(exc: LedgerError, *, invalid_status: int = 400) -> Response:
    """A library error as its HTTP answer; ``invalid_status`` is 422 for a rejected batch of events."""
    if isinstance(exc, NotFoundError):  # a kind of ValidationError: first
        return error_response(404, str(exc))
    if isinstance(exc, ValidationError):
        head = str(exc).split("\n", 1)[0].rstrip(":")
        return error_response(invalid_status, head, exc.problems)
    if isinstance(exc, ConflictError):
        if exc.__cause__ is not None:  # raised by the storage layer: its text quotes the driver
            log.warning("conflict from the database: %s", exc)
            return error_response(409, "the database refused the write (a concurrent writer or a duplicate); "
                                  "nothing was written: re-read and retry")
        return error_response(409, str(exc))
    if isinstance(exc, SchemaVersionError | StorageError):
        log.error("ledger unavailable: %s", exc)
        return error_response(503, GENERIC[503])
    if isinstance(exc, IntegrityError):
        log.error("integrity failure: %s", exc)
        return error_response(500, "the ledger failed an integrity check: run `alliance-ledger verify`")
    return error_response(400, str(exc))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the JSON error document."""

    async def on_api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc.status, exc.message, exc.problems, exc.headers)

    async def on_ledger_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, LedgerError)
        return ledger_error_response(exc)

    async def on_bad_query(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [Problem(None, None, str(e["loc"][-1]) if e.get("loc") else None, str(e.get("msg", "invalid")))
                    for e in exc.errors()]
        return error_response(400, "invalid query parameters", problems)

    async def on_http(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, GENERIC.get(exc.status_code, "error"), headers=exc.headers)

    async def on_anything(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, GENERIC[500])

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(LedgerError, on_ledger_error)
    app.add_exception_handler(RequestValidationError, on_bad_query)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)
