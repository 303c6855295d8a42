"""Event types about rights, the conditions they depend on, partnerships, agreements and
negotiations: the items with a lifecycle (see :mod:`events.entities` for the conventions).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from events.envelope import Amendment, Data, Envelope
from events.kinds import PartnershipKind, RightKind
from events.primitives import (
    Distinct,
    FuzzyDate,
    Money,
    Parties,
    ShortText,
    Slug,
    SlugList,
    Terms,
    Text,
)


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


class RightGranted(Envelope):
    """Adds an active right of ``holder`` over ``grantor`` (a licence, an exclusivity, a board seat...)."""

    type: Literal["RightGranted"] = "RightGranted"
    data: RightGrantedData

class RightAmendedData(Amendment):
    not_clearable = ("kind", "scope")
    right: Slug
    kind: RightKind | None = None
    scope: Text | None = None
    until: FuzzyDate | None = None
    ends_when: Slug | None = None
    restricted_when: Slug | None = None
    terms: Terms | None = None


class RightAmended(Envelope):
    """Changes the named fields of a right (``null`` clears one; an absent field is unchanged)."""

    type: Literal["RightAmended"] = "RightAmended"
    data: RightAmendedData

class RightRestrictedData(Data):
    right: Slug
    reason: Text


class RightRestricted(Envelope):
    """A right becomes restricted."""

    type: Literal["RightRestricted"] = "RightRestricted"
    data: RightRestrictedData

class RightEndedData(Data):
    right: Slug
    reason: Text


class RightEnded(Envelope):
    """A right ends."""

    type: Literal["RightEnded"] = "RightEnded"
    data: RightEndedData

class ConditionDefinedData(Data):
    condition: Slug
    description: Text
    verified_by: Text | None = None


class ConditionDefined(Envelope):
    """Declares a trigger (e.g. ``agi-declared``) that rights may end or be restricted by."""

    type: Literal["ConditionDefined"] = "ConditionDefined"
    data: ConditionDefinedData

class ConditionMetData(Data):
    condition: Slug


class ConditionMet(Envelope):
    """A condition is met: rights that end or are restricted by it do so, as of this date."""

    type: Literal["ConditionMet"] = "ConditionMet"
    data: ConditionMetData

class PartnershipFormedData(Data):
    partnership: Slug
    parties: Annotated[list[Slug], Field(min_length=2, max_length=100), Distinct]
    kind: PartnershipKind
    money: Money | None = None
    until: FuzzyDate | None = None
    terms: Terms | None = None
    summary: Text


class PartnershipFormed(Envelope):
    """Adds an active partnership of two or more parties."""

    type: Literal["PartnershipFormed"] = "PartnershipFormed"
    data: PartnershipFormedData

class PartnershipAmendedData(Amendment):
    not_clearable = ("kind", "summary")
    partnership: Slug
    kind: PartnershipKind | None = None
    money: Money | None = None
    until: FuzzyDate | None = None
    terms: Terms | None = None
    summary: Text | None = None


class PartnershipAmended(Envelope):
    """Changes the named fields of a partnership."""

    type: Literal["PartnershipAmended"] = "PartnershipAmended"
    data: PartnershipAmendedData

class PartnershipEndedData(Data):
    partnership: Slug
    reason: Text


class PartnershipEnded(Envelope):
    """A partnership ends."""

    type: Literal["PartnershipEnded"] = "PartnershipEnded"
    data: PartnershipEndedData

class AgreementSignedData(Data):
    agreement: Slug
    parties: Parties
    title: ShortText
    binding: StrictBool
    summary: Text
    supersedes: SlugList | None = None


class AgreementSigned(Envelope):
    """Adds a signed agreement; the agreements it supersedes become superseded."""

    type: Literal["AgreementSigned"] = "AgreementSigned"
    data: AgreementSignedData

class NegotiationOpenedData(Data):
    negotiation: Slug
    parties: Parties
    topic: Text


class NegotiationOpened(Envelope):
    """Adds an open negotiation."""

    type: Literal["NegotiationOpened"] = "NegotiationOpened"
    data: NegotiationOpenedData

class NegotiationConcludedData(Data):
    negotiation: Slug
    outcome: Literal["agreed", "abandoned"]
    agreement: Slug | None = None


class NegotiationConcluded(Envelope):
    """A negotiation is agreed or abandoned."""

    type: Literal["NegotiationConcluded"] = "NegotiationConcluded"
    data: NegotiationConcludedData
