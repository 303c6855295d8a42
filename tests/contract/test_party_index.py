"""A one-party state reads only that party's indexed events (plus the shared types); it must
equal the full fold filtered to the party, whatever the ledger holds."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import date_sort_key
from ledger import Ledger
from projections import filter_party, fold
from tests.contract.test_checkpoints import PARTIES, build
from tests.samples import SRC


def _extra(lg: Ledger) -> None:
    """Items whose parties are reached only through another item or change later."""
    lg.append([
        {"id": "pf", "type": "PartnershipFormed", "effective_date": "2001", "source": SRC,
         "data": {"partnership": "p1", "parties": ["alpha", "beta"], "kind": "research", "summary": "s"}},
        {"id": "pe", "type": "PartnershipEnded", "effective_date": "2010", "source": SRC,
         "data": {"partnership": "p1", "reason": "done"}},
        {"id": "case", "type": "LegalActionFiled", "effective_date": "2005", "source": SRC,
         "data": {"case": "c1", "kind": "lawsuit", "plaintiffs": ["gamma"], "defendants": ["delta"], "claim": "x"}},
        {"id": "case-up", "type": "LegalActionUpdated", "effective_date": "2006", "source": SRC,
         "data": {"case": "c1", "status": "amended", "summary": "adds omega", "add_defendants": ["omega"]}},
        {"id": "ctrl", "type": "PartyRestructured", "effective_date": "2007", "source": SRC,
         "data": {"party": "beta", "controlled_by": "omega", "summary": "omega takes control"}},
        {"id": "ag1", "type": "AgreementSigned", "effective_date": "2008", "source": SRC,
         "data": {"agreement": "a1", "parties": ["alpha", "gamma"], "title": "t", "binding": True, "summary": "s"}},
        {"id": "ag2", "type": "AgreementSigned", "effective_date": "2009", "source": SRC,
         "data": {"agreement": "a2", "parties": ["delta", "beta"], "title": "t2", "binding": True, "summary": "s",
                  "supersedes": ["a1"]}},
    ])


def assert_party_views_match(lg: Ledger, rnd: random.Random) -> None:
    head = lg.store.head()[0]
    everything = list(lg.store.fold_events(head))
    days = sorted({date_sort_key(e["effective_date"]) for e in everything})
    for _ in range(8):
        # a date events fall on, too: a party read bounded by the date must keep the events of that day
        as_of = rnd.choice(["2030-12-31", f"{rnd.randint(2000, 2025)}-06-15", rnd.choice(days)])
        known_at = rnd.choice([head, rnd.randint(1, head)])
        for party in PARTIES:
            got = lg.state(as_of=as_of, known_at=known_at, party=party).to_dict()
            want = filter_party(fold(everything, as_of=as_of, known_at=known_at), party)
            assert {k: got[k] for k in want} == want, (party, as_of, known_at)


def test_party_index_state_equals_filtered_full_fold(ledger: Ledger) -> None:
    rnd = random.Random(11)
    build(ledger, rnd)
    _extra(ledger)
    assert_party_views_match(ledger, rnd)


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6))
def test_party_index_property(tmp_path_factory: pytest.TempPathFactory, seed: int) -> None:
    with Ledger.open(f"sqlite:///{tmp_path_factory.mktemp('pi')}/l.db", init=True) as lg:
        rnd = random.Random(seed)
        build(lg, rnd)
        if seed % 2:
            _extra(lg)
        assert_party_views_match(lg, rnd)


def _moves(lg: Ledger, rnd: random.Random) -> None:
    """Items whose parties a later correction of their definition changes, after other events
    about them were recorded (indexed then under the parties they had): a right's holder, a
    partnership's or agreement's parties, a case's plaintiffs, who controls a party."""
    def two() -> list[str]:
        return rnd.sample(PARTIES, 2)

    day = f"{rnd.randint(2001, 2005)}-03-01"
    grants = {f"mr{i}": {"id": f"mr{i}", "type": "RightGranted", "effective_date": day, "source": SRC,
                         "data": {"right": f"mr{i}", "holder": h, "grantor": g, "kind": "license", "scope": "s"}}
              for i, (h, g) in enumerate(two() for _ in range(3))}
    forms = {f"mp{i}": {"id": f"mp{i}", "type": "PartnershipFormed", "effective_date": day, "source": SRC,
                        "data": {"partnership": f"mp{i}", "parties": two(), "kind": "research", "summary": "s"}}
             for i in range(2)}
    signs = {f"mg{i}": {"id": f"mg{i}", "type": "AgreementSigned", "effective_date": day, "source": SRC,
                        "data": {"agreement": f"mg{i}", "parties": two(), "title": "t", "binding": True, "summary": "s"}}
             for i in range(2)}
    case = {"id": "mc", "type": "LegalActionFiled", "effective_date": day, "source": SRC,
            "data": {"case": "mc", "kind": "lawsuit", "plaintiffs": [PARTIES[0]], "defendants": [PARTIES[1]], "claim": "x"}}
    control = {"id": "mctl", "type": "PartyRestructured", "effective_date": day, "source": SRC,
               "data": {"party": PARTIES[2], "controlled_by": PARTIES[3], "summary": "s"}}
    cond = {"id": "mcond", "type": "ConditionDefined", "effective_date": "2000", "source": SRC,
            "data": {"condition": "mcond", "description": "d"}}
    lg.append([cond, *grants.values(), *forms.values(), *signs.values(), case, control])
    later = f"{rnd.randint(2006, 2012)}-06-01"
    lg.append([
        {"id": "m-end", "type": "RightEnded", "effective_date": later, "source": SRC, "data": {"right": "mr0", "reason": "r"}},
        {"id": "m-amend", "type": "RightAmended", "effective_date": later, "source": SRC,
         "data": {"right": "mr1", "ends_when": "mcond"}},
        {"id": "m-restrict", "type": "RightRestricted", "effective_date": later, "source": SRC,
         "data": {"right": "mr2", "reason": "r"}},
        {"id": "m-pend", "type": "PartnershipEnded", "effective_date": later, "source": SRC,
         "data": {"partnership": "mp0", "reason": "r"}},
        {"id": "m-super", "type": "AgreementSigned", "effective_date": later, "source": SRC,
         "data": {"agreement": "mg9", "parties": two(), "title": "t", "binding": True, "summary": "s",
                  "supersedes": ["mg0"]}},
        {"id": "m-case", "type": "LegalActionUpdated", "effective_date": later, "source": SRC,
         "data": {"case": "mc", "status": "dismissed", "summary": "s"}},
    ])
    def moved(event: dict, field: str, value: object, n: int) -> dict:
        return {**event, "id": f"{event['id']}-fix{n}", "corrects": event["id"] if n == 1 else f"{event['id']}-fix{n - 1}",
                "data": {**event["data"], field: value}}
    fixes = [moved(grants[f"mr{i}"], "holder", rnd.choice([p for p in PARTIES if p != grants[f"mr{i}"]["data"]["grantor"]]), 1)
             for i in range(3)]
    fixes += [moved(forms["mp0"], "parties", two(), 1), moved(signs["mg0"], "parties", two(), 1),
              moved(case, "plaintiffs", [PARTIES[4]], 1), moved(control, "controlled_by", PARTIES[4], 1)]
    lg.append(fixes)
    lg.append([{"id": "m-met", "type": "ConditionMet", "effective_date": f"{rnd.randint(2013, 2020)}-01-01",
                "source": SRC, "data": {"condition": "mcond"}}])
    if rnd.random() < 0.5:  # a correction of the correction moves the right on again
        lg.append([moved({**fixes[0], "id": "mr0"}, "holder", rnd.choice(
            [p for p in PARTIES if p != fixes[0]["data"]["grantor"]]), 2)])


def assert_history_covers_the_party(lg: Ledger) -> None:
    """``history --party X`` lists every event behind every item of X's state."""
    for party in PARTIES:
        state = lg.state(as_of="2030-12-31", party=party).to_dict()
        listed = {e["id"] for e in lg.history(party=party)["events"]}
        for section in ("parties", "stakes", "rights", "partnerships", "agreements", "conditions", "legal_actions"):
            for item in state[section]:
                assert set(item["evidence"]) <= listed, (party, section, item)


def test_a_correction_that_moves_an_item_to_another_party_moves_its_whole_story(ledger: Ledger) -> None:
    rnd = random.Random(5)
    build(ledger, rnd)
    _moves(ledger, rnd)
    assert_party_views_match(ledger, rnd)
    assert_history_covers_the_party(ledger)


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6))
def test_party_views_with_party_changing_corrections_property(tmp_path_factory: pytest.TempPathFactory,
                                                               seed: int) -> None:
    with Ledger.open(f"sqlite:///{tmp_path_factory.mktemp('mv')}/l.db", init=True) as lg:
        rnd = random.Random(seed)
        build(lg, rnd, count=2)
        _moves(lg, rnd)
        assert_party_views_match(lg, rnd)
        assert_history_covers_the_party(lg)


@given(st.lists(st.tuples(st.integers(1, 3 * 65_536), st.sets(st.sampled_from(["a", "b", "stream:x", "case:c"]),
                                                             min_size=1)), max_size=60, unique_by=lambda t: t[0]))
def test_index_rows_are_inserted_in_full_key_order(events: list[tuple[int, set[str]]]) -> None:
    """The two stable sorts give exactly ``sorted`` for rows built in position order."""
    from ledger.store.rows import bucket
    from ledger.store.sql import _index_order

    rows = [(bucket(p), key, p) for p, keys in sorted(events) for key in keys]
    assert _index_order(rows) == sorted(rows)
