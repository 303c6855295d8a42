"""The catalog's ISO 4217 list is data copied into ``events/`` (the catalog imports only pydantic
and the standard library): it must be the standard's list as pycountry knows it, not drift."""

from __future__ import annotations

import pycountry

from events.currencies import ISO_4217


def test_the_code_list_is_iso_4217() -> None:
    assert {c.alpha_3 for c in pycountry.currencies} == ISO_4217
    assert {"USD", "EUR", "JPY", "GBP", "CHF"} <= ISO_4217 and "ZZZ" not in ISO_4217
