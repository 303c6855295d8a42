"""The event catalog of alliance-ledger: pydantic models only, no I/O (SPEC §3-§4).

What the read paths need (the date grammar, certainty order, the reference table) imports no
pydantic; the models themselves load on first use (``from events import InvestmentMade``), so a
query never pays for building the validation schema of 21 event types.

    from events import InvestmentMade, Money, Source
    event = InvestmentMade(effective_date="2019-07-22", source=Source(url="https://..."),
                           data={"investor": "microsoft", "investee": "openai",
                                 "money": Money(amount="1000000000", currency="USD")})
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from events.grammar import CERTAINTY_RANK, Certainty, add_days, check_date, date_sort_key, next_day, period_end
from events.refs import (
    DEFINING_TYPES,
    EVENT_TYPES,
    NAMESPACES,
    REFERENCES,
    Withdrawal,
    defined_key,
    iter_refs,
    withdrawal,
    withdrawn_id,
)
from events.stored import StoredEnvelope

if TYPE_CHECKING:
    from events.catalog import (
        CURRENT_SCHEMA_VERSION,
        EVENT_ADAPTER,
        EVENT_CLASSES,
        EVENT_LIST_ADAPTER,
        Event,
        to_document,
        to_documents,
    )
    from events.deals import (
        AgreementSigned,
        AgreementSignedData,
        ConditionDefined,
        ConditionDefinedData,
        ConditionMet,
        ConditionMetData,
        NegotiationConcluded,
        NegotiationConcludedData,
        NegotiationOpened,
        NegotiationOpenedData,
        PartnershipAmended,
        PartnershipAmendedData,
        PartnershipEnded,
        PartnershipEndedData,
        PartnershipFormed,
        PartnershipFormedData,
        RightAmended,
        RightAmendedData,
        RightEnded,
        RightEndedData,
        RightGranted,
        RightGrantedData,
        RightRestricted,
        RightRestrictedData,
    )
    from events.entities import (
        EventRetracted,
        EventRetractedData,
        InvestmentMade,
        InvestmentMadeData,
        LegalActionFiled,
        LegalActionFiledData,
        LegalActionUpdated,
        LegalActionUpdatedData,
        MetricReported,
        MetricReportedData,
        PartyRegistered,
        PartyRegisteredData,
        PartyRestructured,
        PartyRestructuredData,
        RoleChanged,
        RoleChangedData,
        StakeChanged,
        StakeChangedData,
    )
    from events.envelope import Envelope
    from events.primitives import Money, Source, Stake

_LAZY = {
    **dict.fromkeys(("CURRENT_SCHEMA_VERSION", "EVENT_ADAPTER", "EVENT_CLASSES", "EVENT_LIST_ADAPTER", "Event",
                     "to_document", "to_documents"), "events.catalog"),
    **dict.fromkeys(("AgreementSigned", "ConditionDefined", "ConditionMet", "NegotiationConcluded", "NegotiationOpened",
                     "PartnershipAmended", "PartnershipEnded", "PartnershipFormed", "RightAmended", "RightEnded",
                     "RightGranted", "RightRestricted"), "events.deals"),
    **{name + "Data": "events.deals" for name in (
        "AgreementSigned", "ConditionDefined", "ConditionMet", "NegotiationConcluded", "NegotiationOpened",
        "PartnershipAmended", "PartnershipEnded", "PartnershipFormed", "RightAmended", "RightEnded",
        "RightGranted", "RightRestricted")},
    **dict.fromkeys(("EventRetracted", "InvestmentMade", "LegalActionFiled", "LegalActionUpdated", "MetricReported",
                     "PartyRegistered", "PartyRestructured", "RoleChanged", "StakeChanged"), "events.entities"),
    **{name + "Data": "events.entities" for name in (
        "EventRetracted", "InvestmentMade", "LegalActionFiled", "LegalActionUpdated", "MetricReported",
        "PartyRegistered", "PartyRestructured", "RoleChanged", "StakeChanged")},
    "Envelope": "events.envelope",
    **dict.fromkeys(("Money", "Source", "Stake"), "events.primitives"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'events' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [  # every name importable from here (a test checks it against _LAZY)
    "AgreementSigned", "AgreementSignedData", "CERTAINTY_RANK", "CURRENT_SCHEMA_VERSION", "Certainty",
    "ConditionDefined", "ConditionDefinedData", "ConditionMet", "ConditionMetData", "DEFINING_TYPES",
    "EVENT_ADAPTER", "EVENT_CLASSES", "EVENT_LIST_ADAPTER", "EVENT_TYPES", "Envelope", "Event",
    "EventRetracted", "EventRetractedData", "InvestmentMade", "InvestmentMadeData", "LegalActionFiled",
    "LegalActionFiledData", "LegalActionUpdated", "LegalActionUpdatedData", "MetricReported",
    "MetricReportedData", "Money", "NAMESPACES", "NegotiationConcluded", "NegotiationConcludedData",
    "NegotiationOpened", "NegotiationOpenedData", "PartnershipAmended", "PartnershipAmendedData",
    "PartnershipEnded", "PartnershipEndedData", "PartnershipFormed", "PartnershipFormedData",
    "PartyRegistered", "PartyRegisteredData", "PartyRestructured", "PartyRestructuredData",
    "REFERENCES", "RightAmended", "RightAmendedData", "RightEnded", "RightEndedData", "RightGranted",
    "RightGrantedData", "RightRestricted", "RightRestrictedData", "RoleChanged", "RoleChangedData",
    "Source", "Stake", "StakeChanged", "StakeChangedData", "StoredEnvelope", "Withdrawal", "add_days",
    "check_date", "date_sort_key", "defined_key",
    "iter_refs", "next_day", "period_end", "to_document", "to_documents", "withdrawal", "withdrawn_id",
]


def __dir__() -> list[str]:
    return __all__
