"""The closed vocabularies of the catalog (kinds, instruments, statuses), as typing Literals:
no pydantic, so the read side and the exports can name them without loading the models."""

from __future__ import annotations

from typing import Literal

PartyKind = Literal["company", "nonprofit", "capped_profit", "public_benefit_corp", "fund", "person", "government", "other"]
Instrument = Literal["equity", "profit_interest", "convertible", "cloud_credits", "debt", "other"]
RightKind = Literal[
    "exclusive_license", "license", "ip_access", "exclusive_cloud", "right_of_first_refusal",
    "revenue_share", "board_seat", "board_observer", "warrant", "other",
]
PartnershipKind = Literal["cloud_compute", "data_center", "licensing", "distribution", "research", "investment", "other"]
LegalKind = Literal["lawsuit", "regulatory_inquiry", "arbitration", "other"]
LegalStatus = Literal["amended", "dismissed", "withdrawn", "settled", "ruled", "appealed", "refiled"]
