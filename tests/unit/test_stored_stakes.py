"""A stake streamed from a checkpoint is rendered from its stored totals without a Decimal round
trip: the same text as rendering the Decimal totals, and an edited total is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections import entities
from projections.fold import finish_stored


@given(st.dictionaries(st.sampled_from(["USD", "EUR", "JPY", "GBP"]),
                       st.tuples(st.decimals(min_value=-10**15, max_value=10**15, allow_nan=False, allow_infinity=False),
                                                 st.booleans()), max_size=4))
def test_stored_totals_render_as_the_decimal_totals(totals: dict[str, tuple[Decimal, bool]]) -> None:
    folded = {"invested": dict(totals)}
    entities.render_stake(folded, "2020-01-01")
    stored = {"invested": {cur: [format(total, "f"), approx] for cur, (total, approx) in totals.items()}}
    assert finish_stored("stakes", [stored], "2020-01-01") == [folded]


@pytest.mark.parametrize("total", ["1e5", "12,5", " 1", "NaN", 5, None, "1.", ".5"])
def test_an_edited_stored_total_is_refused(total: object) -> None:
    with pytest.raises(ValueError):
        finish_stored("stakes", [{"invested": {"USD": [total, False]}}], "2020-01-01")
