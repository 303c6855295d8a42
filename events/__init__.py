"""The event catalog of alliance-ledger: pydantic models only, no I/O (SPEC §3-§4)."""

from events.envelope import (
    CURRENT_SCHEMA_VERSION,
    EVENT_ADAPTER,
    EVENT_CLASSES,
    EVENT_LIST_ADAPTER,
    EVENT_TYPES,
    Envelope,
    Event,
    to_document,
    to_documents,
)
from events.primitives import CERTAINTY_RANK, Certainty, check_date, date_sort_key, period_end
from events.refs import DEFINING_TYPES, NAMESPACES, REFERENCES, defined_key, iter_refs

__all__ = [
    "CERTAINTY_RANK", "CURRENT_SCHEMA_VERSION", "DEFINING_TYPES", "EVENT_ADAPTER", "EVENT_CLASSES",
    "EVENT_LIST_ADAPTER", "EVENT_TYPES", "NAMESPACES", "REFERENCES", "Certainty", "Envelope", "Event",
    "check_date", "date_sort_key", "defined_key", "iter_refs", "period_end", "to_document",
    "to_documents",
]
