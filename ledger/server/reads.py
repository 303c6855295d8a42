"""The read routes of SPEC §10. Each answers with exactly the bytes the CLI prints for
``--format json`` (``doc.to_json()`` and a newline), because both call the same Ledger method."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response, StreamingResponse

from ledger.errors import NotFoundError, Problem
from ledger.server.errors import ApiError
from ledger.server.params import only
from ledger.server.pool import LedgerPool

router = APIRouter(prefix="/api", tags=["read"])
Text = Annotated[str | None, Query()]
MAX_KEY = 1000
FAR_FUTURE = "9999-12-31"


def pool_of(request: Request) -> LedgerPool:
    pool: LedgerPool = request.app.state.pool
    return pool


def json_response(doc: Any, status: int = 200) -> Response:
    """A Document as the CLI writes it, or a plain dict as the CLI's ``emit_json`` writes it."""
    text = doc.to_json() if hasattr(doc, "to_json") else orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode()
    return Response(text + "\n", status_code=status, media_type="application/json")


@router.get("/state", dependencies=[Depends(only("as_of", "known_at", "party", "min_certainty", "active"))])
def state(request: Request, as_of: Text = None, known_at: Text = None, party: Text = None,
          min_certainty: str = "rumored", active: bool = False) -> Response:
    """The state document of SPEC §5 (as `alliance-ledger state --format json`)."""
    with pool_of(request).reader() as lg:
        if party is None:  # the whole state: straight from a checkpoint when one is the answer
            stream = lg.stream_state(as_of, known_at, min_certainty, active)
            if stream.whole is not None:
                return json_response(stream.whole)
            # it holds the checkpoint's bytes, not the ledger: read after the ledger is back in the pool
            return StreamingResponse(stream.chunks(), media_type="application/json")
        return json_response(lg.state(as_of, known_at, min_certainty, party, active))


@router.get("/diff", dependencies=[Depends(only("from", "to", "as_of", "party", "min_certainty",
                                                repeat=("known_at",)))])
def diff(request: Request, date_from: Annotated[str | None, Query(alias="from")] = None,
         date_to: Annotated[str | None, Query(alias="to")] = None, as_of: Text = None,
         known_at: Annotated[list[str] | None, Query()] = None, party: Text = None,
         min_certainty: str = "rumored") -> Response:
    """Changes between two dates (``from``, ``to``, at most one ``known_at``), or between two beliefs
    about one date (``as_of`` and ``known_at`` twice)."""
    known = known_at or []
    with pool_of(request).reader() as lg:
        if date_from is not None and date_to is not None and as_of is None and len(known) <= 1:
            doc = lg.diff(date_from, date_to, known[0] if known else None, min_certainty=min_certainty, party=party)
        elif date_from is None and date_to is None and as_of is not None and len(known) == 2:
            doc = lg.diff_beliefs(as_of, known[0], known[1], min_certainty=min_certainty, party=party)
        else:
            raise ApiError(400, "give from and to (optionally one known_at), or as_of with known_at twice")
        return json_response(doc)


@router.get("/history", dependencies=[Depends(only("party", "stream", "since", "from", "to", "limit",
                                                   repeat=("type",)))])
def history(request: Request, party: Text = None, stream: Text = None,
            type: Annotated[list[str] | None, Query()] = None, since: Annotated[int, Query(ge=0)] = 0,
            date_from: Annotated[str | None, Query(alias="from")] = None,
            date_to: Annotated[str | None, Query(alias="to")] = None,
            limit: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """Events in recording order with corrections and retractions marked (as `history --format json`)."""
    with pool_of(request).reader() as lg:
        return json_response(lg.history(party=party, stream=stream, type=type or None, since=since,
                                        date_from=date_from, date_to=date_to, limit=limit))


def _item(section: str, key: str) -> str:
    if len(key) > MAX_KEY:
        raise ApiError(400, "invalid item", [Problem(None, None, "key", f"longer than {MAX_KEY} characters")])
    return f"{section}:{key}"


@router.get("/explain/{section}/{key:path}", dependencies=[Depends(only("as_of", "known_at", "min_certainty"))])
def explain(request: Request, section: str, key: str, as_of: Text = None, known_at: Text = None,
            min_certainty: str = "rumored") -> Response:
    """The events behind one item and, where the build has it, each field's provenance (SPEC §12).
    An item that exists at other dates answers with ``item: null``; one the ledger never had is 404."""
    item = _item(section, key)
    with pool_of(request).reader() as lg:  # an item the ledger never had is the library's NotFoundError
        return json_response(lg.explain(item, as_of, known_at, min_certainty))


@router.get("/trail/{section}/{key:path}", dependencies=[Depends(only("field", "from", "to", "known_at",
                                                                      "min_certainty"))])
def trail(request: Request, section: str, key: str, field: Text = None,
          date_from: Annotated[str | None, Query(alias="from")] = None,
          date_to: Annotated[str | None, Query(alias="to")] = None, known_at: Text = None,
          min_certainty: str = "rumored") -> Response:
    """The item's successive values over effective time (SPEC §12), when this build has trails."""
    item = _item(section, key)
    with pool_of(request).reader() as lg:
        return json_response(lg.trail(item, field=field, date_from=date_from, date_to=date_to, known_at=known_at,
                                      min_certainty=min_certainty))


@router.get("/events/{event_id}", dependencies=[Depends(only())])
def event(request: Request, event_id: str) -> Response:
    """One stored envelope with ``corrected_by`` / ``retracted_by``."""
    if len(event_id) > 200:
        raise NotFoundError("no event with such an id (ids have at most 200 characters)")
    with pool_of(request).reader() as lg:
        return json_response(lg.event(event_id))


@router.get("/streams", dependencies=[Depends(only())])
def streams(request: Request) -> Response:
    """Each stream's version, event count and last position (as `streams --format json`)."""
    with pool_of(request).reader() as lg:
        return json_response(lg.streams())


@router.get("/verify", dependencies=[Depends(only())])
def verify(request: Request) -> Response:
    """The integrity report (as `verify --format json`); ``ok: false`` names the first bad event."""
    with pool_of(request).reader() as lg:
        return json_response(lg.verify().to_dict())
