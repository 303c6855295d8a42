"""Which ids each event type defines and which it refers to, and which event a correction or a
retraction withdraws.

One table drives three things: reference checks at append, the party index (which events
involve a party), and the dependants named when a retraction would orphan them.
:func:`withdrawal` is the one answer to "which event does this one withdraw" for the rules, the
fold, the audit trail, verify and the report.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

NAMESPACES = ("party", "right", "condition", "partnership", "agreement", "negotiation", "case")


class Ref(NamedTuple):
    namespace: str
    field: str
    many: bool = False
    defines: bool = False


_P = "party"
REFERENCES: dict[str, tuple[Ref, ...]] = {
    "PartyRegistered": (Ref(_P, "party", defines=True),),
    "PartyRestructured": (Ref(_P, "party"), Ref(_P, "controlled_by")),
    "InvestmentMade": (Ref(_P, "investor"), Ref(_P, "investee")),
    "StakeChanged": (Ref(_P, "holder"), Ref(_P, "issuer")),
    "RightGranted": (
        Ref("right", "right", defines=True), Ref(_P, "holder"), Ref(_P, "grantor"),
        Ref("condition", "ends_when"), Ref("condition", "restricted_when"),
    ),
    "RightAmended": (Ref("right", "right"), Ref("condition", "ends_when"), Ref("condition", "restricted_when")),
    "RightRestricted": (Ref("right", "right"),),
    "RightEnded": (Ref("right", "right"),),
    "ConditionDefined": (Ref("condition", "condition", defines=True),),
    "ConditionMet": (Ref("condition", "condition"),),
    "PartnershipFormed": (Ref("partnership", "partnership", defines=True), Ref(_P, "parties", many=True)),
    "PartnershipAmended": (Ref("partnership", "partnership"),),
    "PartnershipEnded": (Ref("partnership", "partnership"),),
    "AgreementSigned": (
        Ref("agreement", "agreement", defines=True), Ref(_P, "parties", many=True),
        Ref("agreement", "supersedes", many=True),
    ),
    "NegotiationOpened": (Ref("negotiation", "negotiation", defines=True), Ref(_P, "parties", many=True)),
    "NegotiationConcluded": (Ref("negotiation", "negotiation"), Ref("agreement", "agreement")),
    "RoleChanged": (Ref(_P, "person"), Ref(_P, "organization")),
    "LegalActionFiled": (
        Ref("case", "case", defines=True), Ref(_P, "plaintiffs", many=True), Ref(_P, "defendants", many=True),
    ),
    "LegalActionUpdated": (
        Ref("case", "case"), Ref(_P, "add_plaintiffs", many=True), Ref(_P, "add_defendants", many=True),
    ),
    "MetricReported": (Ref(_P, "party"),),
    "EventRetracted": (),
}

EVENT_TYPES: tuple[str, ...] = tuple(REFERENCES)
"""Every event type's name, in catalog order (:mod:`events.catalog` checks its union against it)."""

DEFINING_TYPES = frozenset(t for t, refs in REFERENCES.items() if any(r.defines for r in refs))


def iter_refs(event_type: str, data: Mapping[str, Any]) -> Iterator[tuple[Ref, str, str]]:
    """Yield (ref, field path, id) for every id the payload names, definitions included."""
    for ref in REFERENCES[event_type]:
        value = data.get(ref.field)
        if value is None:
            continue
        if ref.many:
            for i, item in enumerate(value):
                yield ref, f"{ref.field}[{i}]", item
        else:
            yield ref, ref.field, value


class Withdrawal(NamedTuple):
    target: str
    """The id of the event withdrawn."""
    action: str
    """``"corrected"`` (by an event whose ``corrects`` names it) or ``"retracted"`` (by an
    EventRetracted whose ``data.target`` names it)."""


def withdrawal(event: Mapping[str, Any]) -> Withdrawal | None:
    """Which event ``event`` (an input document, a stored envelope or a fold row) withdraws, and
    how; None for an event that withdraws nothing.

    A correction names its target in the envelope, a retraction in its payload; the append rules
    refuse an event that would be both (a retraction cannot be corrected), so the order of the
    two checks only matters for data the rules never let in.
    """
    corrected = event.get("corrects")
    if corrected is not None:
        return Withdrawal(str(corrected), "corrected")
    if event["type"] == "EventRetracted":
        return Withdrawal(str(event["data"]["target"]), "retracted")
    return None


def withdrawn_id(event: Mapping[str, Any]) -> str | None:
    """The id of the event ``event`` withdraws (see :func:`withdrawal`), or None."""
    found = withdrawal(event)
    return None if found is None else found.target


def defined_key(event_type: str, data: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (namespace, id) an event defines, or None."""
    for ref in REFERENCES[event_type]:
        if ref.defines:
            return ref.namespace, data[ref.field]
    return None
