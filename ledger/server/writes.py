"""``POST /api/events``: append a batch over HTTP with the CLI's validation and conflict rules.

Order matters: who is asking is settled before a byte of the body is read (an anonymous client
cannot make the server buffer anything), then size and time limits, then parsing, then the
append, which writes all of the batch or nothing. ``recorded_by`` is set to the token's name,
whatever the client sent: the ledger records who appended, not who claims to have.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ledger.errors import ValidationError
from ledger.server.auth import CHALLENGE, Identity
from ledger.server.body import parse_events, read_limited
from ledger.server.errors import ApiError, ledger_error_response
from ledger.server.params import only
from ledger.server.reads import json_response, pool_of

router = APIRouter(prefix="/api", tags=["write"])


def writer_identity(request: Request) -> Identity:
    if not request.app.state.writable:
        raise ApiError(403, "this server is read-only: it was started without --token-file")
    identity: Identity | None = request.scope.get("state", {}).get("identity")
    if identity is None or request.scope["state"].get("via_cookie"):
        raise ApiError(401, "writing needs Authorization: Bearer <token> with a write token", headers=CHALLENGE)
    if not identity.can_write:
        raise ApiError(403, f"the token of {identity.name!r} may read, not write")
    return identity


@router.post("/events", status_code=201, dependencies=[Depends(only("expected_version", "stream", "dry_run"))],
             responses={200: {"description": "nothing new (all already present) or a dry run"},
                        201: {"description": "appended; positions of every given event"}})
async def append(request: Request, expected_version: Annotated[int | None, Query(ge=0)] = None,
                 stream: Annotated[str | None, Query()] = None, dry_run: bool = False) -> Response:
    """Append a JSON array or JSON Lines body atomically; answers as `append --format json`."""
    identity = writer_identity(request)
    settings = request.app.state
    body = await read_limited(request, settings.max_body, settings.body_timeout)

    def run(events: list[Any]) -> Any:
        with pool_of(request).writer() as lg:
            return lg.append(events, expected_version=expected_version, stream=stream, dry_run=dry_run)

    try:
        events = await run_in_threadpool(parse_events, body)
        for event in events:
            if isinstance(event, dict):
                event["recorded_by"] = identity.name
        result = await run_in_threadpool(run, events)
    except ValidationError as exc:
        return ledger_error_response(exc, invalid_status=422)
    status = 201 if result.appended and not result.dry_run else 200
    return json_response(result.to_dict(positions=True), status)
