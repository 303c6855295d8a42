"""Event types about parties and what links them by money, shares, roles, courts and figures.

Each type is declared once: its payload (``...Data``) and then its event model, a frozen
pydantic model whose ``type`` is fixed, so ``InvestmentMade(effective_date=..., data=...)``
builds one with keyword completion in an editor. A released shape never changes: a new shape
gets a new ``schema_version`` and an upcaster (:mod:`events.upcast`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from events.envelope import Data, Envelope
from events.kinds import Instrument, LegalKind, LegalStatus, PartyKind
from events.primitives import (
    DECIMAL_PATTERN,
    Distinct,
    EventId,
    Money,
    Parties,
    ShortText,
    Slug,
    SlugList,
    Stake,
    Terms,
    Text,
)


class PartyRegisteredData(Data):
    party: Slug
    name: ShortText
    kind: PartyKind
    jurisdiction: ShortText | None = None
    aliases: Annotated[list[ShortText], Field(max_length=50), Distinct] | None = None


class PartyRegistered(Envelope):
    """Adds a party (a company, fund, person, government...)."""

    type: Literal["PartyRegistered"] = "PartyRegistered"
    data: PartyRegisteredData

class PartyRestructuredData(Data):
    party: Slug
    kind: PartyKind | None = None
    name: ShortText | None = None
    controlled_by: Slug | None = None
    summary: Text


class PartyRestructured(Envelope):
    """Changes a party's form, name or control; ``summary`` says what happened."""

    type: Literal["PartyRestructured"] = "PartyRestructured"
    data: PartyRestructuredData

class InvestmentMadeData(Data):
    investor: Slug
    investee: Slug
    money: Money
    instrument: Instrument | None = None
    round: ShortText | None = None
    post_money_valuation: Money | None = None
    terms: Terms | None = None


class InvestmentMade(Envelope):
    """Adds to the cumulative investment of ``investor`` in ``investee`` (summed per currency)."""

    type: Literal["InvestmentMade"] = "InvestmentMade"
    data: InvestmentMadeData

class StakeChangedData(Data):
    holder: Slug
    issuer: Slug
    stake: Stake


class StakeChanged(Envelope):
    """Sets ``holder``'s stake in ``issuer`` (absolute; ``{"exact": "0"}`` disposes of it)."""

    type: Literal["StakeChanged"] = "StakeChanged"
    data: StakeChangedData

class RoleChangedData(Data):
    person: Slug
    organization: Slug
    role: Slug
    change: Literal["appointed", "removed", "resigned"]


class RoleChanged(Envelope):
    """A person is appointed to, removed from or resigns a role in an organization."""

    type: Literal["RoleChanged"] = "RoleChanged"
    data: RoleChangedData

class LegalActionFiledData(Data):
    case: Slug
    kind: LegalKind
    plaintiffs: Parties
    defendants: Parties
    court: ShortText | None = None
    claim: Text


class LegalActionFiled(Envelope):
    """Adds an open case (a lawsuit, a regulatory inquiry, an arbitration)."""

    type: Literal["LegalActionFiled"] = "LegalActionFiled"
    data: LegalActionFiledData

class LegalActionUpdatedData(Data):
    case: Slug
    status: LegalStatus
    summary: Text
    add_plaintiffs: SlugList | None = None
    add_defendants: SlugList | None = None


class LegalActionUpdated(Envelope):
    """Updates a case: dismissal, withdrawal, settlement or ruling close it; appeal or refiling reopen it."""

    type: Literal["LegalActionUpdated"] = "LegalActionUpdated"
    data: LegalActionUpdatedData

class MetricReportedData(Data):
    party: Slug
    metric: Slug
    value: Annotated[str, Field(pattern=DECIMAL_PATTERN, description="exact decimal string")]
    unit: ShortText
    period: Annotated[str, Field(min_length=1, max_length=50)]


class MetricReported(Envelope):
    """A reported figure of a party (the latest report for the same period wins)."""

    type: Literal["MetricReported"] = "MetricReported"
    data: MetricReportedData

class EventRetractedData(Data):
    target: EventId
    reason: Text


class EventRetracted(Envelope):
    """The ``target`` event no longer contributes, from this recording on."""

    type: Literal["EventRetracted"] = "EventRetracted"
    data: EventRetractedData
