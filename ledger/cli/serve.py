"""``alliance-ledger serve``: the HTTP API and web explorer (SPEC §10).

FastAPI and uvicorn are imported inside the command only: every other command starts without
them (start-up time is part of the CLI's interface, SPEC §7).
"""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import DbOpt, app, db_url, guarded, note


@app.command()
@guarded
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="address to bind; 0.0.0.0 serves every interface")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="TCP port", min=0, max=65535)] = 8000,
    token_file: Annotated[str | None, typer.Option("--token-file", metavar="FILE", help="`token role name` lines (role read or "
                                                   "write); without it the server is read-only")] = None,
    max_body: Annotated[int, typer.Option("--max-body", metavar="BYTES", help="largest request body in bytes", min=1)] = 32 * 1024 * 1024,
    private: Annotated[bool, typer.Option("--private", help="every route, the explorer too, needs a token")] = False,
    body_timeout: Annotated[float, typer.Option("--body-timeout", metavar="SECONDS", help="seconds a client may take to send a body",
                                                min=0.1)] = 60.0,
    db: DbOpt = None,
) -> None:
    """Serve the JSON API and the web explorer over one ledger (several processes may share one PostgreSQL ledger).

    Example:

    \b
        alliance-ledger --db alliance-ledger-demo.db serve
        alliance-ledger --db postgresql://ledger@db/ledger serve --host 0.0.0.0 --port 8080 --token-file tokens.txt
    """
    import uvicorn

    from ledger.api import safe_url
    from ledger.server import create_app

    url = db_url(ctx, db)[0]
    application = create_app(url, token_file=token_file, max_body=max_body, private=private,
                             body_timeout=body_timeout)
    mode = "private" if private else "read-only" if token_file is None else "open reads, token writes"
    note(f"serving {safe_url(url)} on http://{host}:{port}/ ({mode}); Ctrl-C stops")
    uvicorn.run(application, host=host, port=port, log_level="info", server_header=False, proxy_headers=False)
