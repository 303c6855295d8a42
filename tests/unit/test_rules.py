"""The append rules of SPEC §4, on the pure core alone: no database, no store, no Ledger.

:func:`ledger.core.intake.prepare` turns input into canonical documents (and refuses an id used
twice in one batch); :class:`ledger.core.rules.Definitions` checks each document against what
is defined so far. :func:`check_batch` drives them the way the appender does inside its write
transaction, with the dependants of a key found in the batch itself, so each rule is seen in
isolation and fast.
"""

from __future__ import annotations

from typing import Any

import pytest

from events import date_sort_key, iter_refs, withdrawn_id
from ledger.core.intake import prepare
from ledger.core.rules import Definitions, Key
from ledger.errors import Problem, ValidationError
from tests.samples import SRC, investment, party


def check_batch(defs: Definitions, batch: list[dict[str, Any]]) -> list[Problem]:
    """Check and apply a batch as the appender does: all or nothing (rolled back on a problem)."""
    docs = prepare(batch)
    applied: dict[str, dict[str, Any]] = {}
    superseded: set[str] = set()

    def uses(key: Key) -> list[tuple[str, str]]:
        return [(d["id"], date_sort_key(d["effective_date"])) for d in applied.values() if d["id"] not in superseded
                and any((r.namespace, v) == key and not r.defines for r, _, v in iter_refs(d["type"], d["data"]))]

    problems: list[Problem] = []
    defs.begin()
    for i, doc in enumerate(docs):
        target_id = withdrawn_id(doc)
        target = applied.get(target_id) if target_id else None
        found = defs.check(i, doc, target, uses)
        if found:
            problems += found
            continue
        defs.apply(doc, target)
        applied[doc["id"]] = doc
        if target_id:
            superseded.add(target_id)
    if problems:
        defs.rollback()
    else:
        defs.commit()
    return problems


def _messages(problems: list[Problem]) -> list[tuple[int | None, str | None, str]]:
    return [(p.index, p.field, p.message) for p in problems]


def test_a_valid_batch_defines_what_it_names() -> None:
    defs = Definitions()
    assert check_batch(defs, [party("microsoft", "1975-04-04"), party("openai"), investment("inv", "2019-07-22", "1")]) == []
    assert set(defs.defs) == {("party", "microsoft"), ("party", "openai")}
    assert defs.uses[("party", "openai")] == 1 and defs.streams == {"main": 2, "microsoft-openai": 1}


def test_duplicate_ids_in_one_batch_are_refused_before_any_rule() -> None:
    with pytest.raises(ValidationError) as caught:
        prepare([party("microsoft"), {**party("openai"), "id": "reg-microsoft"}])
    assert [(p.index, p.event_id, p.field) for p in caught.value.problems] == [(1, "reg-microsoft", "id")]
    assert "event 1 of this batch" in caught.value.problems[0].message


def test_an_undefined_reference_is_named_with_its_field() -> None:
    defs = Definitions()
    problems = check_batch(defs, [party("microsoft", "1975-04-04"), investment("inv", "2019-07-22", "1")])
    assert _messages(problems) == [(1, "data.investee", "party 'openai' is not defined: define it first "
                                    "(earlier in the batch or the ledger)")]
    assert defs.defs == {} and defs.streams == {}  # the rejected batch left nothing behind


def test_a_definition_effective_after_its_use_is_refused() -> None:
    defs = Definitions()
    problems = check_batch(defs, [party("microsoft", "1975-04-04"), party("openai", "2019-01-01"),
                                  investment("inv", "2015-12-11", "1")])
    assert [(p.index, p.field) for p in problems] == [(2, "data.investee")]
    assert "defined effective 2019-01-01" in problems[0].message and "2015-12-11" in problems[0].message


def test_a_correction_cannot_date_a_definition_after_its_uses() -> None:
    defs = Definitions()
    later = {**party("openai", "2020-01-01"), "id": "reg-openai-fix", "corrects": "reg-openai"}
    problems = check_batch(defs, [party("microsoft", "1975-04-04"), party("openai", "2015-12-11"),
                                  investment("inv", "2019-07-22", "1"), later])
    assert [(p.index, p.field) for p in problems] == [(3, "effective_date")]
    assert "after live events that use it: 'inv' (2019-07-22)" in problems[0].message


def test_a_second_definition_of_an_id_is_refused() -> None:
    defs = Definitions()
    assert check_batch(defs, [party("openai")]) == []
    problems = check_batch(defs, [{**party("openai"), "id": "again"}])
    assert [(p.index, p.field) for p in problems] == [(0, "data.party")]
    assert "already defined by event 'reg-openai'" in problems[0].message


def test_a_correction_must_have_the_type_of_what_it_corrects() -> None:
    defs = Definitions()
    stake = {"id": "fix", "type": "StakeChanged", "effective_date": "2019-07-22", "source": SRC, "corrects": "inv",
             "data": {"holder": "microsoft", "issuer": "openai", "stake": {"exact": "49"}}}
    problems = check_batch(defs, [party("microsoft"), party("openai"), investment("inv", "2019-07-22", "1"), stake])
    assert [(p.index, p.field) for p in problems] == [(3, "type")]
    assert "InvestmentMade, this is StakeChanged" in problems[0].message


def test_a_correction_of_the_right_type_withdraws_its_target() -> None:
    defs = Definitions()
    fixed = investment("fix", "2019-07-22", "2", corrects="inv")
    assert check_batch(defs, [party("microsoft"), party("openai"), investment("inv", "2019-07-22", "1"), fixed]) == []
    assert defs.superseded == {"inv": "fix"} and defs.uses[("party", "openai")] == 1


def test_retracting_a_definition_still_in_use_names_the_dependants() -> None:
    defs = Definitions()
    retraction = {"id": "oops", "type": "EventRetracted", "effective_date": "2020-01-01", "source": SRC,
                  "data": {"target": "reg-openai", "reason": "wrong"}}
    problems = check_batch(defs, [party("microsoft"), party("openai"), investment("inv", "2019-07-22", "1"),
                                  retraction])
    assert [(p.index, p.field) for p in problems] == [(3, "data.target")]
    assert "party 'openai' defined by that event is still referenced by live events 'inv'" in problems[0].message


def test_retracting_an_unused_definition_removes_it() -> None:
    defs = Definitions()
    retraction = {"id": "oops", "type": "EventRetracted", "effective_date": "2020-01-01", "source": SRC,
                  "data": {"target": "reg-openai", "reason": "wrong"}}
    assert check_batch(defs, [party("microsoft"), party("openai"), retraction]) == []
    assert set(defs.defs) == {("party", "microsoft")} and defs.superseded == {"reg-openai": "oops"}
