"""A one-party state reads only that party's indexed events (plus the shared types); it must
equal the full fold filtered to the party, whatever the ledger holds."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from ledger.foldreads import read_for_fold
from projections import filter_party, fold
from tests.samples import SRC
from tests.test_checkpoints import PARTIES, build


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
    everything = list(read_for_fold(lg.store, head))
    for _ in range(8):
        as_of = rnd.choice(["2030-12-31", f"{rnd.randint(2000, 2025)}-06-15"])
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


@given(st.lists(st.tuples(st.integers(1, 3 * 65_536), st.sets(st.sampled_from(["a", "b", "stream:x", "case:c"]),
                                                             min_size=1)), max_size=60, unique_by=lambda t: t[0]))
def test_index_rows_are_inserted_in_full_key_order(events: list[tuple[int, set[str]]]) -> None:
    """The two stable sorts give exactly ``sorted`` for rows built in position order."""
    from ledger.schema import bucket
    from ledger.sqlstore import _index_order

    rows = [(bucket(p), key, p) for p, keys in sorted(events) for key in keys]
    assert _index_order(rows) == sorted(rows)
