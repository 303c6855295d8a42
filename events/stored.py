"""The one name for a stored envelope as the read side sees it (pydantic-free).

A stored envelope is the event document of SPEC §3 plus its recording: ``position``,
``recorded_at``, ``stream_version``, ``prev_hash``, ``hash`` and ``schema_version``. The read
paths fold these as plain mappings (PERF-NOTES: building a model per stored event costs more
than the fold), so this is a mapping type, not a model; ``events.Event`` is the validated model
of what is appended."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

StoredEnvelope: TypeAlias = Mapping[str, Any]
