"""Unit tests of the pure projection: every event type's effect, the two times, corrections, views."""

from __future__ import annotations

import gc
import json

import pytest

from projections import (
    FIELDS,
    SECTIONS,
    Folder,
    diff_states,
    explain_item,
    filter_active,
    filter_party,
    fold,
    item_key,
    parse_key,
    removed_ids,
    select_events,
)
from tests.eventfactory import History, money

FAR = "2100-01-01"


def one(sections: dict, section: str, **key: str) -> dict:
    """The single item of ``section`` matching ``key`` fields."""
    found = [item for item in sections[section] if all(item[k] == v for k, v in key.items())]
    assert len(found) == 1, found
    return found[0]


def base() -> History:
    h = History()
    h.parties("msft", "oai", "oracle")
    return h


# --- parties ---------------------------------------------------------------------------------


def test_party_registered_echoes_fields_with_provenance():
    h = History()
    h.party("oai", "2015-12-11", kind="nonprofit", name="OpenAI", jurisdiction="US-DE", aliases=["Open AI"])
    party = one(fold(h.events, as_of=FAR), "parties", party="oai")
    assert party == {
        "party": "oai", "name": "OpenAI", "kind": "nonprofit", "jurisdiction": "US-DE", "aliases": ["Open AI"],
        "controlled_by": None, "summary": None, "since": "2015-12-11", "updated": "2015-12-11",
        "certainty": "confirmed", "evidence": ["reg-oai"],
    }


def test_party_restructured_changes_only_given_fields_and_keeps_latest_summary():
    h = History()
    h.party("oai", "2015-12-11", kind="nonprofit", name="OpenAI")
    h.party("foundation", "2025")
    h.add("PartyRestructured", {"party": "oai", "kind": "capped_profit", "summary": "LP created"}, "2019-03",
          certainty="reported")
    h.add("PartyRestructured", {"party": "oai", "kind": "public_benefit_corp", "controlled_by": "foundation",
                                "summary": "recapitalized"}, "2025-10-28")
    party = one(fold(h.events, as_of=FAR), "parties", party="oai")
    assert party["kind"] == "public_benefit_corp"
    assert party["name"] == "OpenAI"
    assert party["controlled_by"] == "foundation"
    assert party["summary"] == "recapitalized"
    assert party["since"] == "2015-12-11" and party["updated"] == "2025-10-28"
    assert party["certainty"] == "reported"
    assert party["evidence"] == ["reg-oai", "e3", "e4"]
    mid = one(fold(h.events, as_of="2020-01-01"), "parties", party="oai")
    assert (mid["kind"], mid["controlled_by"], mid["summary"], mid["updated"]) == (
        "capped_profit", None, "LP created", "2019-03")


def test_restructuring_an_undefined_party_is_skipped():
    h = History()
    h.add("PartyRegistered", {"party": "oai", "name": "OpenAI", "kind": "company"}, "2015", certainty="rumored")
    h.add("PartyRestructured", {"party": "oai", "name": "OpenAI Inc", "summary": "renamed"}, "2016")
    assert fold(h.events, as_of=FAR, min_certainty="reported")["parties"] == []


# --- stakes ----------------------------------------------------------------------------------


def test_investments_sum_exactly_per_currency_and_stake_is_null_until_known():
    h = base()
    h.add("InvestmentMade", {"investor": "msft", "investee": "oai", "money": money("1000000000")}, "2019-07-22")
    h.add("InvestmentMade", {"investor": "msft", "investee": "oai", "money": money("0.1", "EUR")}, "2020")
    h.add("InvestmentMade", {"investor": "msft", "investee": "oai", "money": money("0.2", "EUR", approximate=True),
                             "instrument": "equity", "round": "B"}, "2021-01-23", certainty="reported")
    h.add("InvestmentMade", {"investor": "msft", "investee": "oai", "money": money("12000000000")}, "2023-01-23")
    stake = one(fold(h.events, as_of=FAR), "stakes", holder="msft", issuer="oai")
    assert stake == {
        "holder": "msft", "issuer": "oai", "stake": None,
        "invested": [{"amount": "0.3", "currency": "EUR", "approximate": True},
                     {"amount": "13000000000", "currency": "USD"}],
        "since": "2019-07-22", "updated": "2023-01-23", "certainty": "reported", "evidence": ["e4", "e5", "e6", "e7"],
    }


def test_stake_changed_is_absolute_and_zero_disposes():
    h = base()
    h.add("StakeChanged", {"holder": "msft", "issuer": "oai", "stake": {"min": "20", "max": "30"}}, "2023")
    h.add("StakeChanged", {"holder": "msft", "issuer": "oai", "stake": {"exact": "27", "basis": "equity"}}, "2025-10")
    h.add("StakeChanged", {"holder": "oracle", "issuer": "oai", "stake": {"exact": "0"}}, "2025-11")
    state = fold(h.events, as_of=FAR)
    msft = one(state, "stakes", holder="msft", issuer="oai")
    assert msft["stake"] == {"exact": "27", "basis": "equity"}
    assert msft["invested"] == []
    assert one(fold(h.events, as_of="2024-01-01"), "stakes", holder="msft")["stake"] == {
        "min": "20", "max": "30", "basis": "equity"}
    assert one(state, "stakes", holder="oracle")["stake"] == {"exact": "0", "basis": "equity"}
    assert [(s["holder"], s["issuer"]) for s in state["stakes"]] == [("msft", "oai"), ("oracle", "oai")]


# --- rights and conditions -------------------------------------------------------------------


def test_right_granted_defaults():
    h = base()
    h.grant("excl", "2019-07-22", kind="exclusive_license", scope="GPT models in Azure")
    assert one(fold(h.events, as_of=FAR), "rights", right="excl") == {
        "right": "excl", "holder": "msft", "grantor": "oai", "kind": "exclusive_license",
        "scope": "GPT models in Azure", "status": "active", "until": None, "ends_when": None,
        "restricted_when": None, "terms": {}, "reason": None, "ended_by": None, "ended_on": None,
        "since": "2019-07-22", "updated": "2019-07-22", "certainty": "confirmed", "evidence": ["grant-excl"],
    }


def test_right_amended_sets_clears_and_leaves_absent_fields():
    h = base()
    h.condition("agi", "2019")
    h.grant("lic", "2019-07-22", until="2030", ends_when="agi", terms={"revenue_share": "20", "years": 7})
    h.add("RightAmended", {"right": "lic", "scope": "all models", "until": None, "terms": {"revenue_share": "8"}},
          "2025-10-28")
    right = one(fold(h.events, as_of=FAR), "rights", right="lic")
    assert right["scope"] == "all models"
    assert right["until"] is None
    assert right["ends_when"] == "agi"
    assert right["terms"] == {"revenue_share": "8"}
    assert right["kind"] == "license"
    assert right["updated"] == "2025-10-28"
    h.add("RightAmended", {"right": "lic", "terms": None, "ends_when": None}, "2026")
    right = one(fold(h.events, as_of=FAR), "rights", right="lic")
    assert (right["terms"], right["ends_when"], right["status"]) == ({}, None, "active")
    assert one(fold(h.events, as_of="2019-12-31"), "rights", right="lic")["terms"] == {
        "revenue_share": "20", "years": "7"}


def test_right_restricted_then_ended_first_end_wins():
    h = base()
    h.grant("lic", "2019")
    h.add("RightRestricted", {"right": "lic", "reason": "AGI clause"}, "2023-03")
    h.add("RightEnded", {"right": "lic", "reason": "renegotiated"}, "2024-05-02", certainty="announced")
    h.add("RightEnded", {"right": "lic", "reason": "again"}, "2024-06-01", certainty="reported")
    h.add("RightRestricted", {"right": "lic", "reason": "too late"}, "2024-07-01")
    assert one(fold(h.events, as_of="2023-12-31"), "rights", right="lic")["status"] == "restricted"
    right = one(fold(h.events, as_of=FAR), "rights", right="lic")
    assert (right["status"], right["reason"], right["ended_by"], right["ended_on"]) == (
        "ended", "renegotiated", "event", "2024-05-02")
    assert right["certainty"] == "reported"
    assert right["updated"] == "2024-07-01"
    assert right["evidence"] == ["grant-lic", "e5", "e6", "e7", "e8"]


def test_condition_met_ends_and_restricts_the_rights_that_name_it():
    h = base()
    h.condition("agi", "2019", verified_by="expert panel")
    h.grant("models", "2019", ends_when="agi")
    h.grant("future", "2019", restricted_when="agi")
    h.grant("other", "2019")
    h.add("ConditionMet", {"condition": "agi"}, "2030-06", event_id="agi-met", certainty="reported")
    state = fold(h.events, as_of=FAR)
    assert one(state, "conditions", condition="agi") == {
        "condition": "agi", "description": "agi happens", "verified_by": "expert panel", "status": "met",
        "met_on": "2030-06", "since": "2019", "updated": "2030-06", "certainty": "reported",
        "evidence": ["def-agi", "agi-met"],
    }
    models = one(state, "rights", right="models")
    assert (models["status"], models["ended_by"], models["ended_on"], models["reason"]) == (
        "ended", "condition", "2030-06", None)
    assert models["evidence"] == ["grant-models", "agi-met"] and models["certainty"] == "reported"
    future = one(state, "rights", right="future")
    assert (future["status"], future["ended_by"], future["evidence"]) == ("restricted", None, ["grant-future", "agi-met"])
    other = one(state, "rights", right="other")
    assert (other["status"], other["evidence"]) == ("active", ["grant-other"])
    before = fold(h.events, as_of="2030-05-31")
    assert one(before, "conditions", condition="agi")["status"] == "defined"
    assert {r["right"]: r["status"] for r in before["rights"]} == {"models": "active", "future": "active", "other": "active"}


def test_right_naming_an_already_met_condition_is_applied_at_once():
    h = base()
    h.condition("agi", "2019")
    h.add("ConditionMet", {"condition": "agi"}, "2024")
    h.grant("late", "2025-02-03", ends_when="agi")
    h.grant("amended", "2023")
    h.add("RightAmended", {"right": "amended", "restricted_when": "agi"}, "2025-03")
    state = fold(h.events, as_of=FAR)
    late = one(state, "rights", right="late")
    assert (late["status"], late["ended_by"], late["ended_on"]) == ("ended", "condition", "2025-02-03")
    assert one(state, "rights", right="amended")["status"] == "restricted"
    assert one(fold(h.events, as_of="2025-02-28"), "rights", right="amended")["status"] == "active"


def test_amending_an_ended_right_changes_fields_not_status():
    h = base()
    h.grant("lic", "2019")
    h.add("RightEnded", {"right": "lic", "reason": "terminated"}, "2020")
    h.add("RightAmended", {"right": "lic", "scope": "nothing"}, "2021")
    right = one(fold(h.events, as_of=FAR), "rights", right="lic")
    assert (right["status"], right["scope"], right["ended_on"]) == ("ended", "nothing", "2020")


@pytest.mark.parametrize(("until", "as_of", "status", "ended_on"), [
    ("2030", "2030-12-31", "active", None),
    ("2030", "2031-01-01", "ended", "2030-12-31"),
    ("2024-02", "2024-02-29", "active", None),
    ("2024-02", "2024-03-01", "ended", "2024-02-29"),
    ("2025-06-15", "2025-06-16", "ended", "2025-06-15"),
])
def test_until_is_inclusive_end_of_period(until, as_of, status, ended_on):
    h = base()
    h.grant("lic", "2019", until=until)
    h.partnership("deal", "2019", until=until)
    state = fold(h.events, as_of=as_of)
    for section, key in (("rights", "right"), ("partnerships", "partnership")):
        item = state[section][0]
        assert (item["status"], item["ended_on"], item["until"]) == (status, ended_on, until), item[key]
        assert item["ended_by"] == ("until" if ended_on else None)


def test_until_and_ends_when_whichever_comes_first_wins():
    h = base()
    h.condition("agi", "2019")
    h.grant("cond-first", "2019", until="2030", ends_when="agi")
    h.grant("until-first", "2019", until="2027-06", ends_when="agi")
    h.grant("restricted", "2019", until="2027", restricted_when="agi")
    h.add("ConditionMet", {"condition": "agi"}, "2028-03-01")
    state = fold(h.events, as_of="2031-01-01")
    first = one(state, "rights", right="cond-first")
    assert (first["status"], first["ended_by"], first["ended_on"]) == ("ended", "condition", "2028-03-01")
    second = one(state, "rights", right="until-first")
    assert (second["status"], second["ended_by"], second["ended_on"]) == ("ended", "until", "2027-06-30")
    third = one(state, "rights", right="restricted")
    assert (third["status"], third["ended_by"], third["ended_on"]) == ("ended", "until", "2027-12-31")


def test_right_ended_by_event_before_until_keeps_its_end():
    h = base()
    h.grant("lic", "2019", until="2022")
    h.add("RightEnded", {"right": "lic", "reason": "early exit"}, "2021-05")
    right = one(fold(h.events, as_of=FAR), "rights", right="lic")
    assert (right["ended_by"], right["ended_on"], right["reason"]) == ("event", "2021-05", "early exit")


def test_condition_met_twice_keeps_first_date():
    h = base()
    h.condition("agi", "2019")
    h.add("ConditionMet", {"condition": "agi"}, "2030")
    h.add("ConditionMet", {"condition": "agi"}, "2031", certainty="rumored")
    cond = one(fold(h.events, as_of=FAR), "conditions", condition="agi")
    assert (cond["met_on"], cond["updated"], cond["certainty"]) == ("2030", "2031", "rumored")


# --- partnerships, agreements, negotiations --------------------------------------------------


def test_partnership_formed_amended_ended():
    h = base()
    h.partnership("oci", "2024-06-11", parties=("oai", "oracle"), money=money("300000000000"),
                  terms={"gigawatts": "4.5"}, summary="Stargate capacity")
    h.add("PartnershipAmended", {"partnership": "oci", "money": None, "summary": "expanded", "until": "2035"},
          "2025-07")
    item = one(fold(h.events, as_of="2030-01-01"), "partnerships", partnership="oci")
    assert item == {
        "partnership": "oci", "parties": ["oai", "oracle"], "kind": "cloud_compute", "money": None,
        "until": "2035", "terms": {"gigawatts": "4.5"}, "summary": "expanded", "status": "active",
        "reason": None, "ended_by": None, "ended_on": None, "since": "2024-06-11", "updated": "2025-07",
        "certainty": "confirmed", "evidence": ["form-oci", "e5"],
    }
    assert one(fold(h.events, as_of="2025-01-01"), "partnerships")["money"] == {
        "amount": "300000000000", "currency": "USD"}
    h.add("PartnershipEnded", {"partnership": "oci", "reason": "dissolved"}, "2026-01-05")
    h.add("PartnershipAmended", {"partnership": "oci", "kind": "other"}, "2026-02")
    item = one(fold(h.events, as_of=FAR), "partnerships", partnership="oci")
    assert (item["status"], item["reason"], item["ended_by"], item["ended_on"], item["kind"]) == (
        "ended", "dissolved", "event", "2026-01-05", "other")


def test_agreement_supersedes_earlier_agreements():
    h = base()
    sign = {"parties": ["msft", "oai"], "binding": True, "summary": "terms"}
    h.add("AgreementSigned", {"agreement": "a2019", "title": "2019 deal", **sign}, "2019-07-22")
    h.add("AgreementSigned", {"agreement": "a2023", "title": "2023 deal", **sign}, "2023-01-23")
    h.add("AgreementSigned", {"agreement": "a2025", "title": "2025 deal", "supersedes": ["a2019", "a2023"], **sign},
          "2025-10-28", certainty="announced")
    state = fold(h.events, as_of=FAR)
    old = one(state, "agreements", agreement="a2019")
    assert (old["status"], old["superseded_by"], old["updated"], old["certainty"]) == (
        "superseded", "a2025", "2025-10-28", "announced")
    assert old["evidence"] == ["e4", "e6"]
    new = one(state, "agreements", agreement="a2025")
    assert new == {
        "agreement": "a2025", "parties": ["msft", "oai"], "title": "2025 deal", "binding": True, "summary": "terms",
        "supersedes": ["a2019", "a2023"], "status": "signed", "superseded_by": None, "since": "2025-10-28",
        "updated": "2025-10-28", "certainty": "announced", "evidence": ["e6"],
    }
    assert one(state, "agreements", agreement="a2023")["supersedes"] == []
    assert [a["status"] for a in fold(h.events, as_of="2024-01-01")["agreements"]] == ["signed", "signed"]


def test_negotiations_open_then_conclude():
    h = base()
    h.add("NegotiationOpened", {"negotiation": "recap", "parties": ["msft", "oai"], "topic": "stake"}, "2024-09")
    h.add("NegotiationOpened", {"negotiation": "talks", "parties": ["oai", "oracle"], "topic": "chips"}, "2024-10")
    h.add("AgreementSigned", {"agreement": "deal", "parties": ["msft", "oai"], "title": "t", "binding": True,
                              "summary": "s"}, "2025-10-28")
    h.add("NegotiationConcluded", {"negotiation": "recap", "outcome": "agreed", "agreement": "deal"}, "2025-10-28")
    h.add("NegotiationConcluded", {"negotiation": "talks", "outcome": "abandoned"}, "2025-03")
    state = fold(h.events, as_of=FAR)
    assert one(state, "negotiations", negotiation="recap") == {
        "negotiation": "recap", "parties": ["msft", "oai"], "topic": "stake", "status": "agreed",
        "outcome": "agreed", "agreement": "deal", "since": "2024-09", "updated": "2025-10-28",
        "certainty": "confirmed", "evidence": ["e4", "e7"],
    }
    talks = one(state, "negotiations", negotiation="talks")
    assert (talks["status"], talks["outcome"], talks["agreement"]) == ("abandoned", "abandoned", None)
    assert one(fold(h.events, as_of="2025-01-01"), "negotiations", negotiation="recap")["status"] == "open"


# --- roles, legal actions, metrics -----------------------------------------------------------


def test_roles_appointed_removed_reappointed_and_removal_of_unheld_role():
    h = base()
    h.party("sam", kind="person")
    h.party("mira", kind="person")
    role = {"person": "sam", "organization": "oai", "role": "ceo"}
    h.add("RoleChanged", {**role, "change": "appointed"}, "2019-03")
    h.add("RoleChanged", {**role, "change": "removed"}, "2023-11-17")
    h.add("RoleChanged", {**role, "change": "appointed"}, "2023-11-22")
    h.add("RoleChanged", {"person": "mira", "organization": "oai", "role": "interim-ceo", "change": "resigned"},
          "2023-11-19")
    key = {"person": "sam", "organization": "oai", "role": "ceo"}
    assert one(fold(h.events, as_of="2023-11-20"), "roles", **key)["status"] == "ended"
    state = fold(h.events, as_of=FAR)
    assert one(state, "roles", **key) == {
        **key, "status": "active", "change": "appointed", "since": "2019-03", "updated": "2023-11-22",
        "certainty": "confirmed", "evidence": ["e6", "e7", "e8"],
    }
    mira = one(state, "roles", person="mira")
    assert (mira["status"], mira["change"], mira["since"]) == ("ended", "resigned", "2023-11-19")
    assert [item_key("roles", r) for r in state["roles"]] == ["mira/oai/interim-ceo", "sam/oai/ceo"]


def test_legal_action_lifecycle():
    h = base()
    h.party("musk", kind="person")
    h.add("LegalActionFiled", {"case": "musk-v-oai", "kind": "lawsuit", "plaintiffs": ["musk"],
                               "defendants": ["oai"], "claim": "breach"}, "2024-02-29")
    update = {"case": "musk-v-oai", "summary": "s"}
    h.add("LegalActionUpdated", {**update, "status": "amended", "add_defendants": ["msft", "oai"]}, "2024-08")
    states = {}
    for status, date in (("withdrawn", "2024-09"), ("refiled", "2024-10"), ("dismissed", "2025-03"),
                         ("appealed", "2025-04"), ("settled", "2025-06")):
        h.add("LegalActionUpdated", {**update, "status": status, "summary": status}, date)
        states[status] = one(fold(h.events, as_of=FAR), "legal_actions")["status"]
    assert states == {"withdrawn": "closed", "refiled": "open", "dismissed": "closed", "appealed": "open",
                      "settled": "closed"}
    after_amend = one(fold(h.events, as_of="2024-08-31"), "legal_actions")
    assert (after_amend["status"], after_amend["last_update"], after_amend["defendants"]) == (
        "open", "amended", ["oai", "msft"])
    filed = one(fold(h.events, as_of="2024-03-01"), "legal_actions")
    assert filed == {
        "case": "musk-v-oai", "kind": "lawsuit", "plaintiffs": ["musk"], "defendants": ["oai"], "court": None,
        "claim": "breach", "status": "open", "last_update": None, "summary": None, "since": "2024-02-29",
        "updated": "2024-02-29", "certainty": "confirmed", "evidence": ["e5"],
    }
    final = one(fold(h.events, as_of=FAR), "legal_actions")
    assert (final["last_update"], final["summary"], len(final["evidence"])) == ("settled", "settled", 7)


def test_metrics_latest_report_wins_per_period():
    h = base()
    metric = {"party": "oai", "metric": "revenue", "unit": "USD"}
    h.add("MetricReported", {**metric, "value": "3700000000", "period": "FY2024"}, "2024-09", certainty="reported")
    h.add("MetricReported", {**metric, "value": "4000000000", "period": "FY2024"}, "2025-01")
    h.add("MetricReported", {**metric, "value": "1.5", "period": "FY2025/Q1", "unit": "USD bn"}, "2025-04")
    state = fold(h.events, as_of=FAR)
    fy24 = one(state, "metrics", period="FY2024")
    assert fy24 == {
        "party": "oai", "metric": "revenue", "period": "FY2024", "value": "4000000000", "unit": "USD",
        "since": "2024-09", "updated": "2025-01", "certainty": "reported", "evidence": ["e4", "e5"],
    }
    assert [item_key("metrics", m) for m in state["metrics"]] == ["oai/revenue/FY2024", "oai/revenue/FY2025/Q1"]
    assert parse_key("metrics", "oai/revenue/FY2025/Q1") == ("oai", "revenue", "FY2025/Q1")


# --- the two times, certainty ----------------------------------------------------------------


def test_partial_dates_sort_as_first_day_and_keep_precision():
    h = base()
    h.grant("lic", "2021-01-01")
    h.add("RightRestricted", {"right": "lic", "reason": "recorded first, dated later"}, "2021-01-02")
    h.add("RightAmended", {"right": "lic", "scope": "month"}, "2021-01")
    h.add("RightAmended", {"right": "lic", "scope": "year"}, "2021")
    right = one(fold(h.events, as_of=FAR), "rights", right="lic")
    # same sort key 2021-01-01: position order; the 2021-01-02 event comes last
    assert right["evidence"] == ["grant-lic", "e6", "e7", "e5"]
    assert (right["scope"], right["updated"], right["since"]) == ("year", "2021-01-02", "2021-01-01")
    assert [e["id"] for e in select_events(h.events, as_of="2021-01-01")][-3:] == ["grant-lic", "e6", "e7"]
    # same-day events fold in position order whatever order they are given in
    assert fold(list(reversed(h.events)), as_of=FAR) == fold(h.events, as_of=FAR)
    folder = Folder()
    folder.apply(list(reversed(select_events(h.events, as_of=FAR))))
    assert folder.result(FAR) == fold(h.events, as_of=FAR)


def test_as_of_includes_the_day_and_excludes_later_events():
    h = base()
    h.grant("lic", "2024-06-01")
    assert fold(h.events, as_of="2024-05-31")["rights"] == []
    assert len(fold(h.events, as_of="2024-06-01")["rights"]) == 1
    h2 = base()
    h2.grant("lic", "2024-06")
    assert len(fold(h2.events, as_of="2024-06-01")["rights"]) == 1


def test_backdated_event_changes_the_past_but_known_at_reproduces_it():
    h = base()
    h.grant("lic", "2020")
    before = fold(h.events, as_of="2022-01-01")
    h.add("RightEnded", {"right": "lic", "reason": "found later"}, "2021-03")
    assert one(fold(h.events, as_of="2022-01-01"), "rights")["status"] == "ended"
    assert fold(h.events, as_of="2022-01-01", known_at=4) == before


def test_min_certainty_drops_weaker_events_and_their_updates():
    h = base()
    h.grant("rumor", "2024", event_id="x")
    h.add("RightGranted", {"right": "weak", "holder": "msft", "grantor": "oai", "kind": "license", "scope": "s"},
          "2024", certainty="rumored")
    h.add("RightRestricted", {"right": "weak", "reason": "r"}, "2025", certainty="confirmed")
    h.add("RightEnded", {"right": "rumor", "reason": "rumor says"}, "2025", certainty="reported")
    assert [r["right"] for r in fold(h.events, as_of=FAR)["rights"]] == ["rumor", "weak"]
    strict = fold(h.events, as_of=FAR, min_certainty="announced")
    assert [(r["right"], r["status"]) for r in strict["rights"]] == [("rumor", "active")]
    loose = fold(h.events, as_of=FAR, min_certainty="reported")
    assert [(r["right"], r["status"], r["certainty"]) for r in loose["rights"]] == [("rumor", "ended", "reported")]


# --- corrections and retractions -------------------------------------------------------------


def test_correction_replaces_figure_from_its_recording_on():
    h = base()
    h.add("InvestmentMade", {"investor": "msft", "investee": "oai", "money": money("1000")}, "2019", event_id="inv")
    h.correct("inv", data={"money": money("1500")}, event_id="fix")
    stake = one(fold(h.events, as_of=FAR), "stakes")
    assert (stake["invested"], stake["evidence"]) == ([{"amount": "1500", "currency": "USD"}], ["fix"])
    assert one(fold(h.events, as_of=FAR, known_at=4), "stakes")["invested"] == [{"amount": "1000", "currency": "USD"}]


def test_correction_chain_and_corrected_effective_date():
    h = base()
    h.grant("lic", "2019")
    h.add("RightEnded", {"right": "lic", "reason": "v1"}, "2024-05", event_id="v1")
    h.correct("v1", data={"reason": "v2"}, event_id="v2", certainty="reported")
    h.correct("v2", data={"reason": "v3"}, date="2026-02", event_id="v3", certainty="confirmed")
    at_2025 = one(fold(h.events, as_of="2025-06-01"), "rights")
    assert (at_2025["status"], at_2025["evidence"]) == ("active", ["grant-lic"])
    final = one(fold(h.events, as_of=FAR), "rights")
    assert (final["reason"], final["ended_on"], final["evidence"], final["certainty"]) == (
        "v3", "2026-02", ["grant-lic", "v3"], "confirmed")
    assert one(fold(h.events, as_of="2025-06-01", known_at=6), "rights")["reason"] == "v2"
    assert one(fold(h.events, as_of="2025-06-01", known_at=5), "rights")["reason"] == "v1"


def test_removal_by_a_filtered_correction_still_applies():
    h = base()
    h.grant("lic", "2019")
    h.add("RightEnded", {"right": "lic", "reason": "confirmed end"}, "2020", event_id="end")
    h.correct("end", certainty="rumored", date="2030")
    right = one(fold(h.events, as_of="2025-01-01", min_certainty="reported"), "rights")
    assert (right["status"], right["evidence"]) == ("active", ["grant-lic"])


def test_confirming_a_report_by_correction_raises_certainty():
    h = base()
    h.add("InvestmentMade", {"investor": "msft", "investee": "oai", "money": money("10")}, "2023", event_id="r",
          certainty="reported")
    h.correct("r", certainty="confirmed", event_id="c")
    assert one(fold(h.events, as_of=FAR), "stakes")["certainty"] == "confirmed"


def test_retraction_removes_from_its_recording_on():
    h = base()
    h.grant("lic", "2019")
    h.add("RightEnded", {"right": "lic", "reason": "misreported"}, "2020", event_id="bad")
    h.retract("bad", "2099-01-01", event_id="ret")
    assert one(fold(h.events, as_of="2021-01-01"), "rights")["status"] == "active"
    assert one(fold(h.events, as_of="2021-01-01", known_at=5), "rights")["status"] == "ended"


def test_removal_is_monotonic_even_when_the_withdrawing_event_is_withdrawn():
    """Documented choice (the brief's rule): being named by ``corrects`` or a retraction removes for good."""
    h = base()
    h.grant("lic", "2019")
    h.add("RightEnded", {"right": "lic", "reason": "r"}, "2020", event_id="end")
    h.retract("end", "2021", event_id="ret1")
    h.retract("ret1", "2022", event_id="ret2")
    assert removed_ids(h.events) == {"end", "ret1"}
    assert one(fold(h.events, as_of=FAR), "rights")["status"] == "active"


def test_retracting_a_definition_skips_its_updates():
    h = base()
    h.grant("lic", "2019")
    h.add("RightRestricted", {"right": "lic", "reason": "r"}, "2020")
    h.retract("grant-lic", "2021")
    assert fold(h.events, as_of=FAR)["rights"] == []


# --- views -----------------------------------------------------------------------------------


def alliance() -> History:
    h = base()
    h.party("softbank")
    h.party("holdco", "2001")
    h.add("PartyRestructured", {"party": "holdco", "controlled_by": "softbank", "summary": "bought"}, "2002")
    h.condition("agi", "2019")
    h.condition("unused", "2019")
    h.grant("lic", "2019", ends_when="agi")
    h.grant("oracle-right", "2019", holder="oracle")
    h.add("InvestmentMade", {"investor": "softbank", "investee": "oai", "money": money("40")}, "2025")
    h.partnership("stargate", "2025", parties=("oai", "oracle", "softbank"))
    h.add("RightEnded", {"right": "oracle-right", "reason": "over"}, "2026")
    return h


def test_filter_party_keeps_items_naming_the_party_and_their_conditions():
    state = fold(alliance().events, as_of=FAR)
    msft = filter_party(state, "msft")
    assert [p["party"] for p in msft["parties"]] == ["msft"]
    assert [r["right"] for r in msft["rights"]] == ["lic"]
    assert [c["condition"] for c in msft["conditions"]] == ["agi"]
    assert msft["partnerships"] == [] and msft["stakes"] == []
    softbank = filter_party(state, "softbank")
    assert [p["party"] for p in softbank["parties"]] == ["holdco", "softbank"]
    assert [(s["holder"], s["issuer"]) for s in softbank["stakes"]] == [("softbank", "oai")]
    assert [p["partnership"] for p in softbank["partnerships"]] == ["stargate"]
    assert softbank["conditions"] == []
    assert filter_party({"as_of": "x", **state}, "nobody")["as_of"] == "x"


def test_filter_active_keeps_initial_or_restricted_status():
    h = alliance()
    h.grant("restricted", "2019")
    h.add("RightRestricted", {"right": "restricted", "reason": "r"}, "2020")
    state = fold(h.events, as_of=FAR)
    active = filter_active(state)
    assert [r["right"] for r in active["rights"]] == ["lic", "restricted"]
    assert active["parties"] == state["parties"] and active["stakes"] == state["stakes"]
    assert [c["condition"] for c in active["conditions"]] == ["agi", "unused"]


def test_diff_states_lists_added_removed_changed_with_events():
    h = alliance()
    before = fold(h.events, as_of="2024-01-01")
    after = fold(h.events, as_of=FAR)
    diff = diff_states(before, after)
    assert set(diff) == set(SECTIONS)
    assert [s["issuer"] for s in diff["stakes"]["added"]] == ["oai"]
    assert [p["partnership"] for p in diff["partnerships"]["added"]] == ["stargate"]
    assert diff["rights"]["added"] == [] and diff["rights"]["removed"] == []
    assert diff["rights"]["changed"] == [{
        "key": {"right": "oracle-right"},
        "changes": {
            "status": {"before": "active", "after": "ended"}, "reason": {"before": None, "after": "over"},
            "ended_by": {"before": None, "after": "event"}, "ended_on": {"before": None, "after": "2026"},
            "updated": {"before": "2019", "after": "2026"},
        },
        "events": ["e13"],
    }]
    assert diff["parties"] == {"added": [], "removed": [], "changed": []}
    back = diff_states(after, before)
    assert [p["partnership"] for p in back["partnerships"]["removed"]] == ["stargate"]


def test_diff_lists_evidence_only_change_with_empty_changes():
    h = base()
    h.grant("lic", "2019", event_id="g")
    before = fold(h.events, as_of=FAR)
    h.correct("g", event_id="same")
    change = diff_states(before, fold(h.events, as_of=FAR))["rights"]["changed"]
    assert change == [{"key": {"right": "lic"}, "changes": {}, "events": ["same"]}]


def test_explain_item_lists_events_and_superseded_with_who_withdrew_them():
    h = base()
    h.condition("agi", "2019")
    h.grant("lic", "2019", ends_when="agi")
    h.add("RightRestricted", {"right": "lic", "reason": "typo"}, "2020", event_id="r1")
    h.correct("r1", data={"reason": "fixed"}, event_id="r2")
    h.add("ConditionMet", {"condition": "agi"}, "2021", event_id="met")
    h.retract("met", "2022", event_id="ret")
    h.add("RightEnded", {"right": "lic", "reason": "later"}, "2030", event_id="late")
    out = explain_item(h.events, section="rights", key="lic", as_of="2025-01-01")
    assert out["item"]["status"] == "restricted"
    assert [e["id"] for e in out["events"]] == ["grant-lic", "r2"]
    assert out["events"][0] == h.get("grant-lic")
    assert [(s["event"]["id"], s["by"]) for s in out["superseded"]] == [
        ("r1", [{"id": "r2", "action": "corrected"}]), ("met", [{"id": "ret", "action": "retracted"}])]
    early = explain_item(h.events, section="rights", key="lic", as_of="2025-01-01", known_at=8)
    assert [e["id"] for e in early["events"]] == ["grant-lic", "r2", "met"] and early["item"]["status"] == "ended"
    assert explain_item(h.events, section="rights", key="nope", as_of=FAR)["item"] is None


def test_explain_composite_key():
    h = base()
    h.add("InvestmentMade", {"investor": "msft", "investee": "oai", "money": money("1")}, "2019", event_id="i")
    out = explain_item(h.events, section="stakes", key="msft/oai", as_of=FAR)
    assert out["item"]["invested"] == [{"amount": "1", "currency": "USD"}]
    assert [e["id"] for e in out["events"]] == ["i"] and out["superseded"] == []
    with pytest.raises(ValueError, match="holder/issuer"):
        explain_item(h.events, section="stakes", key="msft", as_of=FAR)


# --- output shape and the incremental fold ---------------------------------------------------


def test_every_item_has_the_section_fields_in_order_and_output_is_plain_json():
    h = alliance()
    h.add("AgreementSigned", {"agreement": "a", "parties": ["msft", "oai"], "title": "t", "binding": False,
                              "summary": "s"}, "2020")
    h.add("NegotiationOpened", {"negotiation": "n", "parties": ["msft", "oai"], "topic": "t"}, "2020")
    h.add("RoleChanged", {"person": "msft", "organization": "oai", "role": "board-observer",
                          "change": "appointed"}, "2023")
    h.add("LegalActionFiled", {"case": "c", "kind": "other", "plaintiffs": ["msft"], "defendants": ["oai"],
                               "claim": "c"}, "2024")
    h.add("MetricReported", {"party": "oai", "metric": "users", "value": "800000000", "unit": "weekly",
                             "period": "2025-10"}, "2025-10")
    h.add("StakeChanged", {"holder": "msft", "issuer": "oai", "stake": {"exact": "27"}}, "2025")
    state = fold(h.events, as_of=FAR)
    assert list(state) == list(SECTIONS)
    for name in SECTIONS:
        assert state[name], name
        for item in state[name]:
            assert tuple(item) == FIELDS[name]
    text = json.dumps(state, sort_keys=False)
    assert json.loads(text) == state
    assert text == json.dumps(fold(list(reversed(h.events)), as_of=FAR), sort_keys=False)


def test_result_shares_nothing_with_the_accumulator():
    h = alliance()
    folder = Folder()
    folder.apply(select_events(h.events, as_of=FAR))
    first = folder.result(FAR)
    first["rights"][0]["evidence"].append("tampered")
    first["partnerships"][0]["parties"].append("tampered")
    assert folder.result(FAR) == fold(h.events, as_of=FAR)


def test_folder_snapshot_and_batches():
    h = alliance()
    selected = select_events(h.events, as_of=FAR)
    folder = Folder()
    folder.apply(selected[:8])
    checkpoint = folder.snapshot()
    folder.apply(selected[8:])
    assert folder.result(FAR) == fold(h.events, as_of=FAR)
    assert checkpoint.result(FAR) == fold(selected[:8], as_of=FAR)
    checkpoint.apply(selected[8:])
    assert checkpoint.result(FAR) == folder.result(FAR)
    with pytest.raises(ValueError, match="comes before"):
        folder.apply(selected[:1])
    with pytest.raises(ValueError, match="precedes"):
        folder.result("2020-01-01")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"as_of": "2024-06"}, "full date"),
    ({"as_of": "2024-06-01", "known_at": "7"}, "known_at"),
    ({"as_of": "2024-06-01", "min_certainty": "sure"}, "min_certainty"),
])
def test_bad_query_parameters_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        fold([], **kwargs)


def test_fold_restores_the_garbage_collector_setting():
    h = alliance()
    assert gc.isenabled()
    fold(h.events, as_of=FAR)
    assert gc.isenabled()
    gc.disable()
    try:
        fold(h.events, as_of=FAR)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_empty_ledger_gives_empty_sections():
    assert fold([], as_of="2024-01-01") == {name: [] for name in SECTIONS}


def test_a_consumed_folder_gives_the_same_result_and_cannot_be_reused() -> None:
    import pytest

    from projections import Folder, select_events
    from tests.eventfactory import History

    h = History()
    h.add("PartyRegistered", {"party": "a", "name": "A", "kind": "company"}, "2000")
    h.add("PartyRegistered", {"party": "b", "name": "B", "kind": "company"}, "2000")
    h.add("InvestmentMade", {"investor": "a", "investee": "b", "money": {"amount": "5", "currency": "USD"}}, "2001")
    folder = Folder()
    folder.apply(select_events(h.events, as_of="2030-01-01"))
    copied = folder.result("2030-01-01")
    consumed = folder.snapshot().result("2030-01-01", consume=True)
    assert consumed == copied
    folder.result("2030-01-01", consume=True)
    later = h.add("InvestmentMade", {"investor": "a", "investee": "b", "money": {"amount": "1", "currency": "USD"}},
                  "2002")
    with pytest.raises(RuntimeError, match="consumed"):
        folder.apply([later])


def test_gc_paused_promotes_survivors_without_a_young_collection_and_keeps_a_hosts_frozen_objects() -> None:
    import weakref

    from projections.select import gc_paused

    class Node:
        pass

    with gc_paused():
        assert not gc.isenabled()
        kept = [[i] for i in range(100_000)]
        cyclic = Node()
        cyclic.me = cyclic  # type: ignore[attr-defined]
        gone = weakref.ref(cyclic)
        del cyclic
    assert gc.isenabled()
    # already in the oldest generation: no young collection will scan the 100,000 survivors
    assert {id(kept[0]), id(kept[-1])} <= {id(o) for o in gc.get_objects(generation=2)}
    assert len(kept) == 100_000
    gc.collect()
    assert gone() is None  # cyclic garbage made during the pause is still collected
    gc.freeze()  # a host process that freezes its own objects keeps them frozen
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            kept.append([0])
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
