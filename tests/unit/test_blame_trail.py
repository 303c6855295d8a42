"""Per-field provenance and trails on hand-built histories (SPEC §12): each case names the event
(or rule) that must stand behind each value, so a wrong attribution fails here by name."""

from __future__ import annotations

from typing import Any

import pytest

from projections import fold
from projections.explain import explain_item
from projections.trail import trail_item
from tests.eventfactory import History, money


def _fields(events: list[dict[str, Any]], item: str, as_of: str, known_at: int | None = None,
            min_certainty: str = "rumored") -> dict[str, Any]:
    section, _, key = item.partition(":")
    doc = explain_item(events, section=section, key=key, as_of=as_of, known_at=known_at, min_certainty=min_certainty)
    assert doc["fields"] is not None, item
    return doc["fields"]


def _who(fields: dict[str, Any]) -> dict[str, tuple[Any, str | None, str | None]]:
    """field -> (value, id of the event that set it, rule)."""
    return {name: (f["value"], f["set_by"]["id"] if f["set_by"] else None, f["rule"])
            for name, f in fields.items() if name != "invested"}


def _trail(events: list[dict[str, Any]], item: str, **kw: Any) -> dict[str, Any]:
    section, _, key = item.partition(":")
    parts = tuple(key.split("/"))
    known_at = kw.pop("known_at", None)
    known = [e for e in events if known_at is None or e["position"] <= known_at]
    result = trail_item(known, section=section, parts=parts, **kw)
    assert result is not None
    return result


def _rows(trail: dict[str, Any]) -> list[tuple[str, str | None, dict[str, Any], str | None]]:
    """(date, event id or None, {field: after}, withdrawn action or None) per change."""
    return [(c["effective_date"], c["event"]["id"] if c["event"] else None,
             {k: v["after"] for k, v in c["fields"].items()}, c["withdrawn"]["action"] if c["withdrawn"] else None)
            for c in trail["changes"]]


@pytest.fixture
def right_life() -> History:
    """A right granted (until 2024), amended, restricted, and then ended by the calendar."""
    h = History()
    h.parties("msft", "oai")
    h.grant("lic", "2020-01-15", until="2024", event_id="grant")
    h.add("RightAmended", {"right": "lic", "scope": "GPT-4", "terms": {"share": "20"}}, "2021-03", event_id="amend")
    h.add("RightRestricted", {"right": "lic", "reason": "board vote"}, "2022-05-01", event_id="restrict")
    return h


def test_a_right_granted_amended_restricted_and_ended_by_until(right_life: History) -> None:
    events = right_life.events
    before_end = _who(_fields(events, "rights:lic", "2023-01-01"))
    assert before_end["status"] == ("restricted", "restrict", None)
    assert before_end["reason"] == ("board vote", "restrict", None)
    assert before_end["scope"] == ("GPT-4", "amend", None)
    assert before_end["terms"] == ({"share": "20"}, "amend", None)
    assert before_end["kind"] == ("license", "grant", None)
    assert before_end["until"] == ("2024", "grant", None)
    assert before_end["ended_by"] == (None, None, None) and before_end["ends_when"] == (None, None, None)
    after_end = _who(_fields(events, "rights:lic", "2025-06-01"))
    # the calendar ended it: the lifecycle fields name the event that set `until`, with the rule
    assert after_end["status"] == ("ended", "grant", "until")
    assert after_end["ended_by"] == ("until", "grant", "until")
    assert after_end["ended_on"] == ("2024-12-31", "grant", "until")
    assert after_end["reason"] == ("board vote", "restrict", None)


def test_the_trail_of_that_right_lists_the_calendar_ending_the_day_after_until(right_life: History) -> None:
    trail = _trail(right_life.events, "rights:lic")
    rows = _rows(trail)
    assert [(r[0], r[1]) for r in rows] == [("2020-01-15", "grant"), ("2021-03", "amend"),
                                            ("2022-05-01", "restrict"), ("2025-01-01", None)]
    assert rows[1][2] == {"scope": "GPT-4", "terms": {"share": "20"}}
    assert rows[2][2] == {"status": "restricted", "reason": "board vote"}
    assert rows[3][2] == {"status": "ended", "ended_by": "until", "ended_on": "2024-12-31"}
    assert trail["changes"][2]["fields"]["status"]["before"] == "active"
    assert trail["value"] == fold(right_life.events, as_of="2100-01-01")["rights"][0]
    # bounded: the value is the state's as of the end date, and only changes in the window are listed
    window = _trail(right_life.events, "rights:lic", date_from="2021-01-01", date_to="2024-12-31")
    assert [r[1] for r in _rows(window)] == ["amend", "restrict"]
    assert window["value"] == fold(right_life.events, as_of="2024-12-31")["rights"][0]
    assert window["value"]["status"] == "restricted"
    status = _trail(right_life.events, "rights:lic", field="status")
    assert [(r[0], r[2]) for r in _rows(status)] == [("2020-01-15", {"status": "active"}),
                                                     ("2022-05-01", {"status": "restricted"}),
                                                     ("2025-01-01", {"status": "ended"})]
    assert status["value"] == "ended"


def test_an_amended_until_reopens_a_right_the_calendar_had_ended() -> None:
    h = History()
    h.parties("msft", "oai")
    h.grant("lic", "2020", until="2021", event_id="grant")
    h.add("RightAmended", {"right": "lic", "until": "2030"}, "2022-06-01", event_id="extend")
    rows = _rows(_trail(h.events, "rights:lic", field="status"))
    assert rows == [("2020", "grant", {"status": "active"}, None), ("2022-01-01", None, {"status": "ended"}, None),
                    ("2022-06-01", "extend", {"status": "active"}, None),
                    ("2031-01-01", None, {"status": "ended"}, None)]  # a trail without an end sees ahead
    assert [r[0] for r in _rows(_trail(h.events, "rights:lic", field="status", date_to="2030-12-31"))] == [
        "2020", "2022-01-01", "2022-06-01"]
    assert _who(_fields(h.events, "rights:lic", "2023-01-01"))["until"] == ("2030", "extend", None)


def test_a_condition_met_ends_a_right_and_says_so() -> None:
    h = History()
    h.parties("msft", "oai")
    h.condition("agi", "2019")
    h.grant("lic", "2020", ends_when="agi", event_id="grant")
    h.add("ConditionMet", {"condition": "agi"}, "2023-11-17", event_id="met")
    h.grant("late", "2024", ends_when="agi", event_id="late-grant")  # granted after the condition was met
    fields = _who(_fields(h.events, "rights:lic", "2025-01-01"))
    assert fields["status"] == ("ended", "met", "condition")
    assert fields["ended_by"] == ("condition", "met", "condition")
    assert fields["ended_on"] == ("2023-11-17", "met", "condition")
    assert fields["ends_when"] == ("agi", "grant", None)
    late = _who(_fields(h.events, "rights:late", "2025-01-01"))
    assert late["status"] == ("ended", "late-grant", "condition")
    assert late["ended_on"] == ("2024", "late-grant", "condition")
    assert ("2023-11-17", "met", {"status": "ended", "ended_by": "condition", "ended_on": "2023-11-17"}, None) \
        in _rows(_trail(h.events, "rights:lic"))


def test_a_superseding_agreement_sets_the_old_ones_status() -> None:
    h = History()
    h.parties("msft", "oai")
    base = {"parties": ["msft", "oai"], "title": "t", "binding": True, "summary": "s"}
    h.add("AgreementSigned", {"agreement": "a2019", **base}, "2019", event_id="sign-2019")
    h.add("AgreementSigned", {"agreement": "a2025", **base, "supersedes": ["a2019"]}, "2025-10-28", event_id="sign-2025")
    fields = _who(_fields(h.events, "agreements:a2019", "2026-01-01"))
    assert fields["status"] == ("superseded", "sign-2025", "supersedes")
    assert fields["superseded_by"] == ("a2025", "sign-2025", "supersedes")
    assert fields["title"] == ("t", "sign-2019", None)
    assert fields["supersedes"] == ([], None, None)  # an empty start value no event gave


def test_a_corrected_stake_is_blamed_on_the_correction_now_and_on_the_report_before() -> None:
    h = History()
    h.parties("msft", "oai")
    h.add("StakeChanged", {"holder": "msft", "issuer": "oai", "stake": {"exact": "49", "basis": "profit_share"}},
          "2023-01-23", certainty="reported", event_id="s49")
    fix = h.correct("s49", data={"stake": {"exact": "32.5"}}, certainty="announced", event_id="s32")
    now = _fields(h.events, "stakes:msft/oai", "2024-01-01")
    assert now["stake"]["value"] == {"exact": "32.5", "basis": "equity"}
    assert now["stake"]["set_by"]["id"] == "s32" and now["stake"]["set_by"]["certainty"] == "announced"
    assert now["stake"]["set_by"]["source"] == {"title": "test source for s32"}
    then = _fields(h.events, "stakes:msft/oai", "2024-01-01", known_at=fix["position"] - 1)
    assert then["stake"]["value"] == {"exact": "49", "basis": "profit_share"}
    assert then["stake"]["set_by"]["id"] == "s49" and then["stake"]["set_by"]["certainty"] == "reported"
    assert _rows(_trail(h.events, "stakes:msft/oai", field="stake")) == [
        ("2023-01-23", "s49", {}, "corrected"), ("2023-01-23", "s32", {"stake": {"exact": "32.5", "basis": "equity"}}, None)]
    withdrawn = _trail(h.events, "stakes:msft/oai")["changes"][0]["withdrawn"]
    assert withdrawn == {"by": "s32", "action": "corrected"}
    assert _rows(_trail(h.events, "stakes:msft/oai", known_at=fix["position"] - 1, field="stake")) == [
        ("2023-01-23", "s49", {"stake": {"exact": "49", "basis": "profit_share"}}, None)]


def test_invested_lists_every_contributing_investment_and_not_the_corrected_rumour() -> None:
    h = History()
    h.parties("msft", "oai")
    pair = {"investor": "msft", "investee": "oai"}
    h.add("InvestmentMade", {**pair, "money": money("1000000000")}, "2019-07-22", event_id="i2019")
    h.add("InvestmentMade", {**pair, "money": money("2000000000", approximate=True)}, "2021", event_id="i2021")
    h.add("InvestmentMade", {**pair, "money": money("20000000000")}, "2023-01-09", certainty="rumored", event_id="rumour")
    h.correct("rumour", data={"money": money("10000000000")}, date="2023-01-23", certainty="confirmed", event_id="i2023")
    h.add("InvestmentMade", {**pair, "money": money("5", "EUR")}, "2024", event_id="eur")
    invested = _fields(h.events, "stakes:msft/oai", "2025-01-01")["invested"]
    assert invested["value"] == [{"amount": "5", "currency": "EUR"},
                                 {"amount": "13000000000", "currency": "USD", "approximate": True}]
    assert [(ref["id"], ref["money"]["amount"]) for ref in invested["set_by"]] == [
        ("i2019", "1000000000"), ("i2021", "2000000000"), ("i2023", "10000000000"), ("eur", "5")]
    assert "rule" not in invested
    assert [r[1] for r in _rows(_trail(h.events, "stakes:msft/oai", field="invested"))] == [
        "i2019", "i2021", "rumour", "i2023", "eur"]
    # as known before the correction, the rumour counts and is what set the total
    early = _fields(h.events, "stakes:msft/oai", "2025-01-01", known_at=5)["invested"]
    assert [ref["id"] for ref in early["set_by"]] == ["i2019", "i2021", "rumour"]
    assert early["value"] == [{"amount": "23000000000", "currency": "USD", "approximate": True}]


def test_a_restating_event_is_the_one_that_set_it_last_and_a_filtered_one_is_not() -> None:
    h = History()
    h.parties("alice", "oai")
    role = {"person": "alice", "organization": "oai", "role": "ceo"}
    h.add("RoleChanged", {**role, "change": "appointed"}, "2019", event_id="first")
    h.add("RoleChanged", {**role, "change": "appointed"}, "2023-11-22", certainty="reported", event_id="again")
    assert _who(_fields(h.events, "roles:alice/oai/ceo", "2024-01-01"))["status"] == ("active", "again", None)
    confirmed = _who(_fields(h.events, "roles:alice/oai/ceo", "2024-01-01", min_certainty="confirmed"))
    assert confirmed["status"] == ("active", "first", None)
    rows = _rows(_trail(h.events, "roles:alice/oai/ceo"))
    assert rows[1] == ("2023-11-22", "again", {}, None)  # set, but no value changed
    assert [r[1] for r in _rows(_trail(h.events, "roles:alice/oai/ceo", field="status"))] == ["first"]


def test_an_amendment_that_clears_a_field_set_it_to_null() -> None:
    h = History()
    h.parties("msft", "oai")
    h.condition("agi", "2019")
    h.grant("lic", "2020", restricted_when="agi", event_id="grant")
    h.add("RightAmended", {"right": "lic", "restricted_when": None}, "2025-10-28", event_id="clear")
    assert _who(_fields(h.events, "rights:lic", "2026-01-01"))["restricted_when"] == (None, "clear", None)
    # and a later ConditionMet no longer touches it: no step, no rule
    h.add("ConditionMet", {"condition": "agi"}, "2026-02-01", event_id="met")
    assert _who(_fields(h.events, "rights:lic", "2026-03-01"))["status"] == ("active", "grant", None)


def test_unknown_field_is_refused_with_the_fields_and_an_unknown_item_is_none() -> None:
    h = History()
    h.parties("msft", "oai")
    with pytest.raises(ValueError, match=r"no field 'stak'; fields: holder, issuer, stake, invested"):
        trail_item(h.events, section="stakes", parts=("msft", "oai"), field="stak")
    assert trail_item(h.events, section="stakes", parts=("msft", "oai")) is None
    assert explain_item(h.events, section="stakes", key="msft/oai", as_of="2025-01-01")["fields"] is None


def test_a_retracted_definition_leaves_a_trail_of_its_withdrawn_event() -> None:
    h = History()
    h.parties("msft", "oai")
    h.partnership("deal", "2024")
    h.retract("form-deal", "2024-06-01", event_id="oops")
    trail = _trail(h.events, "partnerships:deal")
    assert _rows(trail) == [("2024", "form-deal", {}, "retracted")] and trail["value"] is None
    assert trail["changes"][0]["withdrawn"] == {"by": "oops", "action": "retracted"}
