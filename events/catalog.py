"""The catalog: every event type in one discriminated union on ``type``, read through one adapter.

The 21 types are declared once each, in :mod:`events.entities` and :mod:`events.deals`; this
module lists them in catalog order. :mod:`events.refs` (which ids each type defines and uses)
is the pydantic-free table the read paths use; the two must name the same types, which is
checked here at import.
"""

from __future__ import annotations

from typing import Annotated, Any, Union, get_args

from pydantic import Field, TypeAdapter

from events.deals import (
    AgreementSigned,
    ConditionDefined,
    ConditionMet,
    NegotiationConcluded,
    NegotiationOpened,
    PartnershipAmended,
    PartnershipEnded,
    PartnershipFormed,
    RightAmended,
    RightEnded,
    RightGranted,
    RightRestricted,
)
from events.entities import (
    EventRetracted,
    InvestmentMade,
    LegalActionFiled,
    LegalActionUpdated,
    MetricReported,
    PartyRegistered,
    PartyRestructured,
    RoleChanged,
    StakeChanged,
)
from events.envelope import INPUT_KEYS, Envelope
from events.refs import EVENT_TYPES
from events.upcast import CURRENT_SCHEMA_VERSION

Event = Annotated[
    Union[
        PartyRegistered, PartyRestructured, InvestmentMade, StakeChanged,
        RightGranted, RightAmended, RightRestricted, RightEnded,
        ConditionDefined, ConditionMet,
        PartnershipFormed, PartnershipAmended, PartnershipEnded,
        AgreementSigned, NegotiationOpened, NegotiationConcluded,
        RoleChanged, LegalActionFiled, LegalActionUpdated, MetricReported, EventRetracted,
    ],
    Field(discriminator="type"),
]

__all__ = ["CURRENT_SCHEMA_VERSION", "EVENT_ADAPTER", "EVENT_CLASSES", "EVENT_LIST_ADAPTER", "Event", "to_document",
           "to_documents"]

EVENT_CLASSES: tuple[type[Envelope], ...] = get_args(get_args(Event)[0])
"""Every event model, in catalog order (read off the union, so there is one list)."""
if tuple(cls.__name__ for cls in EVENT_CLASSES) != EVENT_TYPES:  # pragma: no cover - a catalog edit gone wrong
    raise ImportError("events.catalog and events.refs name different event types")

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_LIST_ADAPTER: TypeAdapter[list[Event]] = TypeAdapter(list[Event])


def to_document(event: Envelope, event_id: str) -> dict[str, Any]:
    """The canonical input document of one event (see :func:`to_documents`), with ``event_id``."""
    return {**to_documents([event])[0], "id": event_id}  # type: ignore[list-item]


_OPTIONAL_KEYS = ("id", "source", "recorded_by", "corrects")


def to_documents(events: list[Event]) -> list[dict[str, Any]]:
    """The canonical input documents of events: what is stored, hashed and exported.

    Optional envelope fields are always present (``null`` when absent) so every stored envelope
    has the same keys (:data:`events.envelope.INPUT_KEYS`). Amendment payloads keep explicit
    nulls; other payloads drop absent fields. One serializer call serves the whole list (per
    event it was a sixth more time on the append path). Ids left out stay ``None`` here; the
    caller generates them.
    """
    docs: list[dict[str, Any]] = EVENT_LIST_ADAPTER.dump_python(events, mode="json", exclude_none=True)
    for event, doc in zip(events, docs, strict=True):
        if len(doc) != len(INPUT_KEYS):  # exclude_none dropped optional envelope fields: they are always present
            for key in _OPTIONAL_KEYS:
                doc.setdefault(key, None)
        data = event.data
        if data.amends:  # an amendment keeps the nulls it was given (null clears a field)
            doc["data"] = data.model_dump(mode="json", exclude_unset=True)
    return docs
