"""Bearer tokens from ``--token-file``: who may read and who may write.

A token file holds one ``token role name`` a line (role ``read`` or ``write``; ``#`` starts a
comment). Only SHA-256 digests of the tokens stay in memory, every check compares the
presented token's digest with all of them in constant time (``hmac.compare_digest``), and no
token ever reaches a log or a message: errors name the line, not its content.

Browsers cannot send a bearer header when they navigate, so a ``--private`` explorer also
accepts the token from an HttpOnly, SameSite=Strict cookie set by the login form; that cookie
only ever grants reading. Writes need the ``Authorization`` header.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import LedgerError

ROLES = ("read", "write")
MIN_TOKEN_LENGTH = 16
COOKIE = "alliance_ledger_token"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="alliance-ledger"'}


@dataclass(frozen=True)
class Identity:
    """The holder of a valid token: ``name`` becomes ``recorded_by`` of what it appends."""

    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role == "write"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class Tokens:
    """The digests of the known tokens and whom each one identifies."""

    def __init__(self, entries: list[tuple[bytes, Identity]]) -> None:
        self._entries = entries

    @classmethod
    def empty(cls) -> Tokens:
        return cls([])

    @classmethod
    def parse(cls, text: str, where: str = "token file") -> Tokens:
        """Read ``token role name`` lines; refuse weak, duplicate or malformed lines by line number."""
        entries: list[tuple[bytes, Identity]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) != 3:
                raise LedgerError(f"{where} line {number}: expected `token role name` (role read or write)")
            token, role, name = parts[0], parts[1].lower(), parts[2].strip()
            if role not in ROLES:
                raise LedgerError(f"{where} line {number}: role must be read or write")
            if len(token) < MIN_TOKEN_LENGTH:
                raise LedgerError(f"{where} line {number}: the token is shorter than {MIN_TOKEN_LENGTH} characters; "
                                  "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
            if len(name) > 200 or not name.isprintable():
                raise LedgerError(f"{where} line {number}: the name must be printable text of at most 200 characters")
            digest = _digest(token)
            if any(hmac.compare_digest(digest, d) for d, _ in entries):
                raise LedgerError(f"{where} line {number}: this token is already on an earlier line")
            entries.append((digest, Identity(name, role)))
        return cls(entries)

    @classmethod
    def load(cls, path: str | Path) -> Tokens:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LedgerError(f"cannot read the token file {file}: {exc}") from None
        return cls.parse(text, f"token file {file.name}")

    def __len__(self) -> int:
        return len(self._entries)

    def check(self, token: str) -> Identity | None:
        """Whom ``token`` identifies, or None. Every digest is compared, so timing says nothing."""
        digest = _digest(token)
        found = None
        for known, identity in self._entries:
            if hmac.compare_digest(digest, known):
                found = identity
        return found


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header ('' when the header is malformed)."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else ""
