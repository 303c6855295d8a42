"""Interoperability (SPEC §11): the state as FollowTheMoney entities and as BODS 0.4 statements,
and BODS files imported as events.

The mappings are pure functions of a state document and the envelopes of its evidence
(``ftm_links.entities``, ``bods_export.statements``) or of parsed statements
(``bods_import.plan``); the functions here bind them to a :class:`~ledger.api.Ledger`. Each
format's library is imported only when that format is used: ``followthemoney`` for FtM (the
``interop`` extra); BODS needs nothing beyond the ledger (``libcovebods`` validates it in tests).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

import orjson

from ledger.interop.common import state_with_evidence

if TYPE_CHECKING:
    from ledger.api import Ledger
    from ledger.interop.bods_import import BodsImport


def export_ftm(lg: Ledger, out: IO[bytes], *, as_of: Any = None, known_at: Any = None,
               min_certainty: str = "rumored") -> int:
    """Write the state as of ``as_of`` (as known at ``known_at``) as FtM entities, one JSON object
    a line; every entity is checked with FtM's ``model.get_proxy`` first. Returns the count."""
    try:
        from ledger.interop.ftm import check_entity
        from ledger.interop.ftm_links import entities
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        from ledger.errors import LedgerError
        raise LedgerError(f"export --format ftm needs the followthemoney package ({exc}); "
                          "install it with: pip install 'alliance-ledger[interop]'") from None
    state, envelopes = state_with_evidence(lg, as_of, known_at, min_certainty)
    count = 0
    for entity in entities(state, envelopes):
        check_entity(entity)
        out.write(orjson.dumps(entity) + b"\n")
        count += 1
    return count


def export_bods(lg: Ledger, out: IO[bytes], *, as_of: Any = None, known_at: Any = None,
                publisher: str = "alliance-ledger", published: str | None = None) -> list[str]:
    """Write the state as a BODS 0.4 package (a JSON array of statements); returns warnings for
    what BODS could not carry. ``published`` is the publication date (default today, UTC)."""
    from ledger.interop.bods_export import Publication, dumps, statements

    state, envelopes = state_with_evidence(lg, as_of, known_at)
    warnings: list[str] = []
    result = statements(state, envelopes, Publication.make(publisher, published), warnings)
    out.write(dumps(result))
    return warnings


def import_bods(lg: Ledger, files: list[tuple[str, bytes]], *, stream: str = "bods",
                dry_run: bool = False) -> BodsImport:
    """Turn BODS statements (0.4, or 0.3 upgraded on reading) into events of SPEC §4 and append
    them with :meth:`Ledger.append`, so every rule applies and nothing is written on an error.

    ``files`` are (name, bytes) pairs read in order, as one series: a file that updates records
    of another is imported after it, in the same call. Importing the same files again is a no-op.
    """
    from ledger.interop.bods_import import run_import

    return run_import(lg, files, stream=stream, dry_run=dry_run)


__all__ = ["export_bods", "export_ftm", "import_bods", "state_with_evidence"]
