"""The application factory: one ledger URL in, one ASGI app out.

``create_app`` opens the ledger at once (a wrong URL or an uninitialised database fails at
start-up, not at the first request), reads the token file, and wires the routes, the error
handlers and the guard. Interactive docs pages (Swagger) are off: they load scripts from a
CDN, and the server promises to work offline; the OpenAPI document stays at /openapi.json.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from ledger.server import errors, explorer, reads, writes
from ledger.server.auth import Tokens
from ledger.server.catalogue import Catalogue
from ledger.server.guard import Guard
from ledger.server.pool import LedgerPool

MAX_BODY = 32 * 1024 * 1024


def create_app(url: str, *, token_file: str | Path | None = None, max_body: int = MAX_BODY, private: bool = False,
               body_timeout: float = 60.0, readers: int = 4) -> FastAPI:
    """The HTTP API and explorer over the ledger at ``url``.

    ``token_file``: ``token role name`` lines; without it the server is read-only. ``max_body``:
    the largest accepted request body in bytes (413 beyond). ``private``: every route needs a
    token. ``body_timeout``: seconds a client may take to send its body (408 beyond).
    ``readers``: Ledger handles for concurrent reads.
    """
    tokens = Tokens.load(token_file) if token_file is not None else Tokens.empty()
    if private and not len(tokens):
        from ledger.errors import LedgerError

        raise LedgerError("--private needs a --token-file with at least one token")
    pool = LedgerPool(url, readers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()

    app = FastAPI(title="alliance-ledger", summary="An event-sourced, bitemporal ledger of corporate alliances",
                  version=_version(), docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.pool = pool
    app.state.tokens = tokens
    app.state.writable = token_file is not None
    app.state.max_body = max_body
    app.state.body_timeout = body_timeout
    app.state.catalogue = Catalogue()
    errors.install(app)
    app.include_router(reads.router)
    app.include_router(writes.router)
    app.include_router(explorer.router)
    app.mount("/static", StaticFiles(directory=explorer.STATIC), name="static")
    app.add_middleware(Guard, tokens=tokens, private=private)
    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("alliance-ledger")
    except PackageNotFoundError:
        return "0"
