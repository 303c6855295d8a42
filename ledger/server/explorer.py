"""The web explorer: its page, its static files, the two helper routes it reads besides the
documented API (``/api/meta`` and ``/api/search``), and the login form of a ``--private`` server.

Everything the page loads is in ``static/`` (the graph library is vendored), so it works with
no network; the page itself holds no data, it fetches the JSON API like any other client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from ledger.server.auth import COOKIE
from ledger.server.body import read_limited
from ledger.server.catalogue import Catalogue
from ledger.server.errors import ApiError
from ledger.server.params import MAX_VALUE, only
from ledger.server.reads import json_response, pool_of

STATIC = Path(__file__).parent / "static"
router = APIRouter(tags=["explorer"])


def catalogue(request: Request) -> Catalogue:
    cat: Catalogue = request.app.state.catalogue
    with pool_of(request).reader() as lg:
        cat.refresh(lg)
    return cat


@router.get("/", include_in_schema=False)
def index() -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers={"cache-control": "no-cache"})


@router.get("/api/meta", dependencies=[Depends(only())])
def meta(request: Request) -> Response:
    """The explorer's frame: head, range of effective dates, recordings (for known_at), item keys."""
    doc = catalogue(request).meta()
    return json_response(doc)


@router.get("/api/search", dependencies=[Depends(only("q"))])
def search(request: Request, q: Annotated[str, Query(max_length=MAX_VALUE)] = "") -> Response:
    """Parties, items and events whose text holds every word of ``q``."""
    return json_response(catalogue(request).search(q))


LOGIN = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>alliance-ledger: log in</title>
<link rel="stylesheet" href="/static/login.css"></head><body><main>
<h1>alliance-ledger</h1><p>This ledger is private. Paste a read or write token.</p>{message}
<form method="post" action="/login"><label>Token <input type="password" name="token" autocomplete="off" required
autofocus></label><button type="submit">Open the explorer</button></form></main></body></html>"""


@router.get("/login", include_in_schema=False)
def login_form() -> Response:
    return HTMLResponse(LOGIN.format(message=""))


@router.post("/login", include_in_schema=False)
async def login(request: Request) -> Response:
    """Check a token typed into the form and keep it in an HttpOnly cookie that grants reading."""
    try:
        body = await read_limited(request, 4096, 10.0)
        token = parse_qs(body.decode("utf-8"), max_num_fields=4).get("token", [""])[0].strip()
    except (ApiError, UnicodeDecodeError, ValueError):
        token = ""
    if not token or request.app.state.tokens.check(token) is None:
        return HTMLResponse(LOGIN.format(message='<p class="bad">That token is not valid.</p>'), status_code=401)
    answer = RedirectResponse("/", status_code=303)
    answer.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                      secure=request.url.scheme == "https")
    return answer
