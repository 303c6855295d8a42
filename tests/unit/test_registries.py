"""Every event type, and every state section, is known to every registry that lists them.

Adding an event type touches several tables that nothing else ties together: the catalog's
union (events/catalog.py) and reference table (events/refs.py, checked against each other at
import), the fold's dispatch (projections/fold.py), the JSON Schema the CLI prints, the "what
happened" line of the CLI's and the report's event tables (ledger/report/model.py), and, for
the section its events fold into, the CLI's tables and a FollowTheMoney and a BODS decision
(mapped, or listed as not mapped with the reason). A type or section that one of them forgets
fails here; so does a type without a sample below (add one: it is what the checks run on).
"""

from __future__ import annotations

from typing import Any

import pytest

from events import EVENT_ADAPTER, EVENT_TYPES, to_document, withdrawal
from ledger.cli.read import SECTIONS as CLI_SECTIONS
from ledger.cli.tables import _SUMMARY_FIELDS
from ledger.core.json_schemas import json_schemas
from ledger.interop.bods_export import IN_BODS, NOT_IN_BODS
from ledger.interop.ftm_links import IN_FTM, NOT_IN_FTM
from ledger.report.model import summarize
from projections import DISPATCH, SECTIONS, fold
from tests.samples import golden_envelopes as _golden

DAY = "2025-01-01"  # after every definition of the golden ledger, before its condition is met
SAMPLES: dict[str, dict[str, Any]] = {
    "PartyRegistered": {"party": "newco", "name": "New Co", "kind": "company"},
    "PartyRestructured": {"party": "fund", "name": "Big Fund II", "summary": "renamed"},
    "InvestmentMade": {"investor": "fund", "investee": "acme", "money": {"amount": "10", "currency": "USD"}},
    "StakeChanged": {"holder": "fund", "issuer": "acme", "stake": {"exact": "1"}},
    "RightGranted": {"right": "new-right", "holder": "fund", "grantor": "acme", "kind": "license", "scope": "all"},
    "RightAmended": {"right": "lic", "scope": "everything"},
    "RightRestricted": {"right": "lic", "reason": "a dispute"},
    "RightEnded": {"right": "seat", "reason": "resigned"},
    "ConditionDefined": {"condition": "ipo", "description": "the lab lists its shares"},
    "ConditionMet": {"condition": "agi-declared"},
    "PartnershipFormed": {"partnership": "new-p", "parties": ["acme", "fund"], "kind": "research", "summary": "s"},
    "PartnershipAmended": {"partnership": "cloud", "summary": "amended after its end"},
    "PartnershipEnded": {"partnership": "cloud", "reason": "ended again"},
    "AgreementSigned": {"agreement": "deal-3", "parties": ["acme", "fund"], "title": "Deal three", "binding": True,
                        "summary": "s"},
    "NegotiationOpened": {"negotiation": "more-talks", "parties": ["acme", "fund"], "topic": "a fund"},
    "NegotiationConcluded": {"negotiation": "talks", "outcome": "abandoned"},
    "RoleChanged": {"person": "ann", "organization": "acme", "role": "chair", "change": "appointed"},
    "LegalActionFiled": {"case": "suit-2", "kind": "arbitration", "plaintiffs": ["fund"], "defendants": ["acme"],
                         "claim": "c"},
    "LegalActionUpdated": {"case": "suit", "status": "settled", "summary": "settled"},
    "MetricReported": {"party": "acme", "metric": "revenue", "value": "1", "unit": "USD", "period": "FY2024"},
    "EventRetracted": {"target": "metric", "reason": "wrong"},
}


def _sample(event_type: str) -> dict[str, Any]:
    """The sample as a fold row after the golden ledger (validated by the catalog first)."""
    model = EVENT_ADAPTER.validate_python({"type": event_type, "effective_date": DAY, "source": {"title": "t"},
                                           "data": SAMPLES[event_type]})
    return {**to_document(model, f"sample-{event_type}"), "position": len(_golden()) + 1}


def test_every_event_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(EVENT_TYPES)


def test_the_cli_names_every_section() -> None:
    assert CLI_SECTIONS == SECTIONS  # copied there so that --help need not import the fold
    assert set(_SUMMARY_FIELDS) == set(SECTIONS)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_has_an_ftm_and_a_bods_decision(section: str) -> None:
    assert (section in IN_FTM) != (section in NOT_IN_FTM)
    assert (section in IN_BODS) != (section in NOT_IN_BODS)


def test_interop_decisions_name_only_sections() -> None:
    assert set(IN_FTM) | set(NOT_IN_FTM) | set(IN_BODS) | set(NOT_IN_BODS) == set(SECTIONS)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_is_in_every_registry(event_type: str) -> None:
    sample = _sample(event_type)
    if event_type == "EventRetracted":
        assert withdrawal(sample) is not None  # selection removes its target; it has no fold branch
    else:
        assert event_type in DISPATCH
    schema = json_schemas()["events"]
    assert schema["$defs"][event_type]["properties"]["type"]["const"] == event_type
    assert summarize(sample) != summarize({**sample, "type": "NoSuchType"})  # its own line, not the field dump

    before = fold(_golden(), as_of="2025-12-31")
    after = fold([*_golden(), sample], as_of="2025-12-31")
    touched = [name for name in SECTIONS if before[name] != after[name]]
    assert touched, f"a {event_type} changes no section of the state"
    for name in touched:
        assert name in IN_FTM or name in NOT_IN_FTM
        assert name in IN_BODS or name in NOT_IN_BODS


def test_the_ftm_mapping_makes_the_schemata_it_declares() -> None:
    """What IN_FTM declares is what the mapping makes: of the golden ledger (every section has
    items), each mapped section yields one of its schemata, and nothing else is made."""
    pytest.importorskip("followthemoney")
    from ledger.interop.ftm_links import entities

    golden = _golden()
    state = fold(golden, as_of="2025-12-31")
    assert all(state[name] for name in SECTIONS)
    made = {entity["schema"] for entity in entities(state, {e["id"]: e for e in golden})}
    for section, schemata in IN_FTM.items():
        assert made & set(schemata), section
    assert made <= {s for schemata in IN_FTM.values() for s in schemata} | {"Article"}
