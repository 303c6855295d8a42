"""The fast check of the party index (``ledger.core.index_check.IndexDigest``): the rows the events give
and the stored rows agree exactly when they are the same set, in whatever order and lists the
store reads them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.index_check import IndexDigest

ROWS = st.sets(st.tuples(st.integers(1, 50), st.sampled_from(["openai", "microsoft", "stream:main", "right:r1"])),
               max_size=40)


def _given(rows: set[tuple[int, str]]) -> IndexDigest:
    """A digest of ``rows`` as the events would give them (position by position)."""
    digest = IndexDigest(lambda ids: {})
    for position in sorted({p for p, _ in rows}):
        keys = [k for p, k in rows if p == position]
        digest.rows += len(keys)
        digest.total += sum(hash((position, k)) for k in keys)
    return digest


@settings(max_examples=300, deadline=None)
@given(ROWS, ROWS, st.integers(1, 7), st.randoms(use_true_random=False))
def test_the_sums_agree_exactly_when_the_rows_are_the_same(wanted, stored, cut, rnd) -> None:
    listed = list(stored)
    rnd.shuffle(listed)
    lists = [listed[i:i + cut] for i in range(0, len(listed), cut)]
    assert _given(wanted).agrees(lists) == (wanted == stored)
    assert _given(stored).agrees(lists)


def test_the_sums_come_from_the_events_keys() -> None:
    """Fed real envelopes, the digest counts each event's keys (its stream's among them)."""
    env = {"id": "e1", "type": "PartyRegistered", "position": 1, "stream": "main", "effective_date": "2020",
           "data": {"party": "openai", "name": "OpenAI", "kind": "company"}, "corrects": None}
    digest = IndexDigest(lambda ids: {})
    digest.check([env])
    assert digest.agrees([[(1, "stream:main"), (1, "openai")]])
    assert not digest.agrees([[(1, "stream:main")]])
    assert not digest.agrees([[(1, "stream:main"), (1, "openai"), (2, "openai")]])
