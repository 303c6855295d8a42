"""One answer to "which event does this correction or retraction withdraw": events.withdrawal.

The append rules, verify, the fold's removals, the audit's "withdrawn by", the report's marks
and the store's withdrawal index all call it; the fold's selection loop
(:func:`projections.select.plan`) keeps an inlined copy for speed, and these properties hold
that copy to the function on random histories (shapes the append rules let in: a correction of
any type but a retraction, a retraction of anything but a retraction).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from events import Withdrawal, withdrawal, withdrawn_id
from projections import removed_ids
from projections.select import plan

TYPES = ("PartyRegistered", "InvestmentMade", "StakeChanged", "RightGranted", "ConditionMet", "EventRetracted")
IDS = [f"e{n}" for n in range(12)]


@st.composite
def histories(draw: Any) -> list[dict[str, Any]]:
    """Fold rows with random withdrawals (targets may be missing or repeated: the selection
    must not care), random dates and certainties, in position order."""
    events = []
    for position in range(1, draw(st.integers(0, 12)) + 1):
        type_ = draw(st.sampled_from(TYPES))
        corrects = None if type_ == "EventRetracted" else draw(st.none() | st.sampled_from(IDS))
        data: dict[str, Any] = {"target": draw(st.sampled_from(IDS)), "reason": "r"} if type_ == "EventRetracted" else {}
        events.append({"position": position, "id": IDS[position - 1], "type": type_, "corrects": corrects,
                       "effective_date": draw(st.sampled_from(("2020", "2020-06", "2020-06-15", "2021-01-01"))),
                       "certainty": draw(st.sampled_from(("rumored", "reported", "confirmed"))), "data": data})
    return events


def test_withdrawal_of_each_kind_of_event() -> None:
    assert withdrawal({"type": "InvestmentMade", "corrects": "a", "data": {}}) == Withdrawal("a", "corrected")
    assert withdrawal({"type": "EventRetracted", "corrects": None, "data": {"target": "b", "reason": "r"}}) \
        == Withdrawal("b", "retracted")
    assert withdrawal({"type": "InvestmentMade", "data": {}}) is None  # a fold row may lack `corrects`
    assert withdrawn_id({"type": "EventRetracted", "corrects": None, "data": {"target": "b"}}) == "b"
    assert withdrawn_id({"type": "StakeChanged", "corrects": None, "data": {}}) is None


@settings(max_examples=300, derandomize=True, deadline=None)
@given(histories(), st.none() | st.integers(0, 12))
def test_the_selection_loop_withdraws_what_the_function_says(events: list[dict[str, Any]], known_at: int | None) -> None:
    known = [e for e in events if known_at is None or e["position"] <= known_at]
    expected_gone = {t for e in known if (t := withdrawn_id(e)) is not None}
    selected = plan(events, "9999-12-31", known_at, "rumored")
    assert {e["id"] for e in selected} == {e["id"] for e in known if e["type"] != "EventRetracted"} - expected_gone
    assert removed_ids(events, known_at) == expected_gone
