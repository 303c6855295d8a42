"""The ASGI middleware in front of every route: who is asking, private mode, security headers.

It runs before routing, so ``--private`` covers everything (API, explorer, static files,
``/openapi.json``) except the login form. A bearer header that is present but wrong is a 401
everywhere, even on an open route: a client with a broken token should hear so, not get
anonymous answers. The identity found is left in ``scope["state"]`` for the write route.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import Any

from starlette.responses import HTMLResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.server.auth import CHALLENGE, COOKIE, Identity, Tokens, bearer
from ledger.server.errors import error_response

PUBLIC_PATHS = ("/login", "/static/login.css")
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                 b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def cookie_token(scope: Scope) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


class Guard:
    """Identify the caller, enforce ``--private``, add security headers to every answer."""

    def __init__(self, app: ASGIApp, tokens: Tokens, private: bool) -> None:
        self.app = app
        self.tokens = tokens
        self.private = private

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        path = scope.get("path", "")
        given = bearer(_header(scope, b"authorization"))
        identity: Identity | None = None
        if given is not None:
            identity = self.tokens.check(given) if given else None
            if identity is None:
                await error_response(401, "the bearer token is not valid", headers=CHALLENGE)(scope, receive, send_secured)
                return
        via_cookie = False
        if identity is None and self.private:
            token = cookie_token(scope)
            identity = self.tokens.check(token) if token else None
            via_cookie = identity is not None
        state: dict[str, Any] = scope.setdefault("state", {})
        state["identity"], state["via_cookie"] = identity, via_cookie
        if self.private and identity is None and path not in PUBLIC_PATHS:
            await self._refuse(scope, path)(scope, receive, send_secured)
            return
        await self.app(scope, receive, send_secured)

    @staticmethod
    def _refuse(scope: Scope, path: str) -> Any:
        if path.startswith("/api/") or path == "/openapi.json" or scope.get("method") != "GET":
            return error_response(401, "this server is private: send Authorization: Bearer <token>", headers=CHALLENGE)
        if path == "/":
            return RedirectResponse("/login", status_code=303)
        return HTMLResponse("<!doctype html><title>401</title><p>This server is private. <a href=\"/login\">Log in</a>.",
                            status_code=401, headers=CHALLENGE)
