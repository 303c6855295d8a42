"""The envelope every event travels in, and the one discriminated union read through one adapter."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import Field, TypeAdapter

from events import catalog as c
from events.primitives import Certainty, EventId, Frozen, FuzzyDate, ShortText, Slug, Source

CURRENT_SCHEMA_VERSION = 1


class Envelope(Frozen):
    """Fields common to every event (SPEC §3). Recording fields are added by the store, never here."""

    id: EventId | None = None
    effective_date: FuzzyDate
    stream: Slug = "main"
    certainty: Certainty = Certainty.reported
    source: Source | None = None
    recorded_by: ShortText | None = None
    corrects: EventId | None = None


class PartyRegistered(Envelope):
    type: Literal["PartyRegistered"]
    data: c.PartyRegisteredData


class PartyRestructured(Envelope):
    type: Literal["PartyRestructured"]
    data: c.PartyRestructuredData


class InvestmentMade(Envelope):
    type: Literal["InvestmentMade"]
    data: c.InvestmentMadeData


class StakeChanged(Envelope):
    type: Literal["StakeChanged"]
    data: c.StakeChangedData


class RightGranted(Envelope):
    type: Literal["RightGranted"]
    data: c.RightGrantedData


class RightAmended(Envelope):
    type: Literal["RightAmended"]
    data: c.RightAmendedData


class RightRestricted(Envelope):
    type: Literal["RightRestricted"]
    data: c.RightRestrictedData


class RightEnded(Envelope):
    type: Literal["RightEnded"]
    data: c.RightEndedData


class ConditionDefined(Envelope):
    type: Literal["ConditionDefined"]
    data: c.ConditionDefinedData


class ConditionMet(Envelope):
    type: Literal["ConditionMet"]
    data: c.ConditionMetData


class PartnershipFormed(Envelope):
    type: Literal["PartnershipFormed"]
    data: c.PartnershipFormedData


class PartnershipAmended(Envelope):
    type: Literal["PartnershipAmended"]
    data: c.PartnershipAmendedData


class PartnershipEnded(Envelope):
    type: Literal["PartnershipEnded"]
    data: c.PartnershipEndedData


class AgreementSigned(Envelope):
    type: Literal["AgreementSigned"]
    data: c.AgreementSignedData


class NegotiationOpened(Envelope):
    type: Literal["NegotiationOpened"]
    data: c.NegotiationOpenedData


class NegotiationConcluded(Envelope):
    type: Literal["NegotiationConcluded"]
    data: c.NegotiationConcludedData


class RoleChanged(Envelope):
    type: Literal["RoleChanged"]
    data: c.RoleChangedData


class LegalActionFiled(Envelope):
    type: Literal["LegalActionFiled"]
    data: c.LegalActionFiledData


class LegalActionUpdated(Envelope):
    type: Literal["LegalActionUpdated"]
    data: c.LegalActionUpdatedData


class MetricReported(Envelope):
    type: Literal["MetricReported"]
    data: c.MetricReportedData


class EventRetracted(Envelope):
    type: Literal["EventRetracted"]
    data: c.EventRetractedData



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

EVENT_CLASSES: tuple[type[Envelope], ...] = get_args(get_args(Event)[0])
"""Every event model, in catalog order (read off the union, so there is one list)."""
EVENT_TYPES: tuple[str, ...] = tuple(cls.__name__ for cls in EVENT_CLASSES)

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_LIST_ADAPTER: TypeAdapter[list[Event]] = TypeAdapter(list[Event])


def to_document(event: Envelope, event_id: str) -> dict[str, Any]:
    """The canonical input document of one event (see :func:`to_documents`), with ``event_id``."""
    return {**to_documents([event])[0], "id": event_id}  # type: ignore[list-item]


_OPTIONAL_KEYS = ("id", "source", "recorded_by", "corrects")


def to_documents(events: list[Event]) -> list[dict[str, Any]]:
    """The canonical input documents of events: what is stored, hashed and exported.

    Optional envelope fields are always present (``null`` when absent) so every stored envelope
    has the same keys. Amendment payloads keep explicit nulls; other payloads drop absent fields.
    One serializer call serves the whole list (per event it was a sixth more time on the append
    path). Ids left out stay ``None`` here; the caller generates them.
    """
    docs: list[dict[str, Any]] = EVENT_LIST_ADAPTER.dump_python(events, mode="json", exclude_none=True)
    for event, doc in zip(events, docs, strict=True):
        if len(doc) != 9:  # exclude_none dropped some optional envelope fields: they are always present
            for key in _OPTIONAL_KEYS:
                doc.setdefault(key, None)
        data = event.data
        if data.amends:  # an amendment keeps the nulls it was given (null clears a field)
            doc["data"] = data.model_dump(mode="json", exclude_unset=True)
    return docs
