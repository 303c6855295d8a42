"""The event catalog: one frozen model per event type and the envelope around it (SPEC §3, §4).

Every type is a past-tense fact. A released shape never changes: a new shape gets a new
``schema_version`` and an upcaster in :mod:`events.upcast`.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StrictBool, model_validator

from events.primitives import (
    DECIMAL_PATTERN,
    Distinct,
    EventId,
    Frozen,
    FuzzyDate,
    Money,
    ShortText,
    Slug,
    Stake,
    Terms,
    Text,
)

PartyKind = Literal["company", "nonprofit", "capped_profit", "public_benefit_corp", "fund", "person", "government", "other"]
Instrument = Literal["equity", "profit_interest", "convertible", "cloud_credits", "debt", "other"]
RightKind = Literal[
    "exclusive_license", "license", "ip_access", "exclusive_cloud", "right_of_first_refusal",
    "revenue_share", "board_seat", "board_observer", "warrant", "other",
]
PartnershipKind = Literal["cloud_compute", "data_center", "licensing", "distribution", "research", "investment", "other"]
LegalKind = Literal["lawsuit", "regulatory_inquiry", "arbitration", "other"]
LegalStatus = Literal["amended", "dismissed", "withdrawn", "settled", "ruled", "appealed", "refiled"]
Parties = Annotated[list[Slug], Field(min_length=1, max_length=100), Distinct]
SlugList = Annotated[list[Slug], Field(max_length=100), Distinct]


class Data(Frozen):
    """Base of the type-specific payloads."""

    amends: ClassVar[bool] = False
    """Amendment payloads keep explicit nulls (null clears a field; an absent field is unchanged)."""

    @classmethod
    def key_field(cls) -> str:
        return next(iter(cls.model_fields))


class Amendment(Data):
    """Base of the *Amended payloads. Their rules live here, not on :class:`Data`, so the other
    payloads (95% of events) pay no Python call per event for them."""

    amends: ClassVar[bool] = True
    not_clearable: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _amendment_rules(self) -> Amendment:
        given = self.model_fields_set - {self.key_field()}
        if not given:
            raise ValueError("an amendment must name at least one field to change")
        for name in self.not_clearable:
            if name in given and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared (null); give a new value")
        return self


class PartyRegisteredData(Data):
    party: Slug
    name: ShortText
    kind: PartyKind
    jurisdiction: ShortText | None = None
    aliases: Annotated[list[ShortText], Field(max_length=50), Distinct] | None = None


class PartyRestructuredData(Data):
    party: Slug
    kind: PartyKind | None = None
    name: ShortText | None = None
    controlled_by: Slug | None = None
    summary: Text


class InvestmentMadeData(Data):
    investor: Slug
    investee: Slug
    money: Money
    instrument: Instrument | None = None
    round: ShortText | None = None
    post_money_valuation: Money | None = None
    terms: Terms | None = None


class StakeChangedData(Data):
    holder: Slug
    issuer: Slug
    stake: Stake


class RightGrantedData(Data):
    right: Slug
    holder: Slug
    grantor: Slug
    kind: RightKind
    scope: Text
    until: FuzzyDate | None = None
    ends_when: Slug | None = None
    restricted_when: Slug | None = None
    terms: Terms | None = None


class RightAmendedData(Amendment):
    not_clearable = ("kind", "scope")
    right: Slug
    kind: RightKind | None = None
    scope: Text | None = None
    until: FuzzyDate | None = None
    ends_when: Slug | None = None
    restricted_when: Slug | None = None
    terms: Terms | None = None


class RightRestrictedData(Data):
    right: Slug
    reason: Text


class RightEndedData(Data):
    right: Slug
    reason: Text


class ConditionDefinedData(Data):
    condition: Slug
    description: Text
    verified_by: Text | None = None


class ConditionMetData(Data):
    condition: Slug


class PartnershipFormedData(Data):
    partnership: Slug
    parties: Annotated[list[Slug], Field(min_length=2, max_length=100), Distinct]
    kind: PartnershipKind
    money: Money | None = None
    until: FuzzyDate | None = None
    terms: Terms | None = None
    summary: Text


class PartnershipAmendedData(Amendment):
    not_clearable = ("kind", "summary")
    partnership: Slug
    kind: PartnershipKind | None = None
    money: Money | None = None
    until: FuzzyDate | None = None
    terms: Terms | None = None
    summary: Text | None = None


class PartnershipEndedData(Data):
    partnership: Slug
    reason: Text


class AgreementSignedData(Data):
    agreement: Slug
    parties: Parties
    title: ShortText
    binding: StrictBool
    summary: Text
    supersedes: SlugList | None = None


class NegotiationOpenedData(Data):
    negotiation: Slug
    parties: Parties
    topic: Text


class NegotiationConcludedData(Data):
    negotiation: Slug
    outcome: Literal["agreed", "abandoned"]
    agreement: Slug | None = None


class RoleChangedData(Data):
    person: Slug
    organization: Slug
    role: Slug
    change: Literal["appointed", "removed", "resigned"]


class LegalActionFiledData(Data):
    case: Slug
    kind: LegalKind
    plaintiffs: Parties
    defendants: Parties
    court: ShortText | None = None
    claim: Text


class LegalActionUpdatedData(Data):
    case: Slug
    status: LegalStatus
    summary: Text
    add_plaintiffs: SlugList | None = None
    add_defendants: SlugList | None = None


class MetricReportedData(Data):
    party: Slug
    metric: Slug
    value: Annotated[str, Field(pattern=DECIMAL_PATTERN, description="exact decimal string")]
    unit: ShortText
    period: Annotated[str, Field(min_length=1, max_length=50)]


class EventRetractedData(Data):
    target: EventId
    reason: Text
