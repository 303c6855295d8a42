"""Upcasters: how a stored envelope of an older ``schema_version`` becomes the current shape.

Version 1 is the first released shape, so there is nothing to upcast yet; the registry and the
refusal of versions newer than the code are the mechanism later versions plug into.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CURRENT_SCHEMA_VERSION = 1
"""The schema_version new events are stored with (what the catalog's models describe)."""

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
UPCASTERS: dict[int, Upcaster] = {}
"""``UPCASTERS[n]`` turns a version-n document into a version n+1 document."""


class SchemaTooNew(ValueError):
    """A stored event was written by a newer version of alliance-ledger."""


def upcast(document: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring a stored document of ``version`` up to :data:`CURRENT_SCHEMA_VERSION`."""
    if version > CURRENT_SCHEMA_VERSION:
        raise SchemaTooNew(
            f"event {document.get('id')!r} has schema_version {version}; this alliance-ledger reads up to "
            f"{CURRENT_SCHEMA_VERSION}: upgrade alliance-ledger"
        )
    while version < CURRENT_SCHEMA_VERSION:
        document = UPCASTERS[version](document)
        version += 1
    return document
