"""Value types shared by every event: exact decimals, dates with precision, slugs, money, stakes.

Why not plain ``Decimal``/``date``: the ledger must keep what the source said. A figure known
only as "2021" stays "2021" (not 2021-01-01), and a money amount never passes through a
binary float, so these types validate strictly and serialize back to the same text.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

from events.currencies import ISO_4217
from events.grammar import (  # noqa: F401  (re-exported: the value types' grammar)
    CERTAINTY_RANK,
    DECIMAL_PATTERN,
    DECIMAL_RE,
    EVENT_ID_PATTERN,
    SLUG_PATTERN,
    Certainty,
    check_date,
    date_sort_key,
    period_end,
)

_DECIMAL_RE = DECIMAL_RE


class Frozen(BaseModel):
    """Base of every model: immutable, and unknown fields are errors (typos must not pass)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


def _check_full_date(value: Any) -> str:
    text = check_date(value)
    if len(text) != 10:
        raise ValueError(f"{text!r}: a full date YYYY-MM-DD is needed here")
    return text


FuzzyDate = Annotated[str, BeforeValidator(check_date)]
"""A date kept with its precision: ``"2021"``, ``"2025-05"`` or ``"2025-05-14"``."""

FullDate = Annotated[str, BeforeValidator(_check_full_date)]


_DIGITS = "at most 40 digits before the decimal point and 40 after it"


def _check_decimal(value: Any) -> Decimal:
    """Exact decimals only: strings, integers or ``Decimal``. Floats, NaN, infinities and booleans
    are errors. Every accepted value has a canonical text that this check accepts back (what
    ``append`` takes, ``import`` restores): a ``Decimal("1e400")`` would be a 401-digit string."""
    if isinstance(value, bool):
        raise ValueError(f"expected a decimal number written as a string like \"27.5\", got {str(value).lower()}")
    if isinstance(value, float):
        raise ValueError("binary floats are not allowed: write the number as a string, e.g. \"4.5\"")
    if isinstance(value, int):
        if len(str(abs(value))) > 40:
            raise ValueError(_DIGITS)
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("NaN and infinities are not numbers the ledger can keep")
        if not _DECIMAL_RE.fullmatch(_decimal_text(value)):
            raise ValueError(_DIGITS)
        return value
    if isinstance(value, str) and _DECIMAL_RE.fullmatch(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the regex already guards this
            pass
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", value, re.ASCII):
        raise ValueError(_DIGITS)
    raise ValueError(f"{str(value)[:40]!r} is not a decimal number written as a string like \"13000000000\" or \"27.5\"")


def _decimal_text(value: Decimal) -> str:
    """Plain positional notation ("0.0000001", never "1E-7"): what the input grammar accepts back."""
    return format(value, "f")


ExactDecimal = Annotated[
    Decimal, BeforeValidator(_check_decimal), PlainSerializer(_decimal_text, return_type=str, when_used="json"),
    # what the validator takes, said in the schema (pydantic's own would admit a JSON float)
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": DECIMAL_PATTERN}, {"type": "integer"}],
                    "description": "an exact decimal: a string such as \"27.5\", or an integer; never a float"}),
]


def _check_percent(value: Decimal) -> Decimal:
    if not Decimal(0) <= value <= Decimal(100):
        raise ValueError(f"a percentage must be between 0 and 100, got {value}")
    return value


Percent = Annotated[ExactDecimal, AfterValidator(_check_percent)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, min_length=1, max_length=200)]


def distinct(values: list[Any]) -> list[Any]:
    """A list of ids names each once: the same party twice in ``parties`` is a typo, not a fact."""
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{str(value)[:60]!r} is listed twice")
        seen.add(value)
    return values


Distinct = AfterValidator(distinct)

Parties = Annotated[list[Slug], Field(min_length=1, max_length=100), Distinct]
SlugList = Annotated[list[Slug], Field(max_length=100), Distinct]
EventId = Annotated[str, Field(pattern=EVENT_ID_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=20_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=2_000)]


def _check_currency(value: str) -> str:
    if value not in ISO_4217:
        raise ValueError(f"{value[:20]!r} is not an ISO 4217 currency code (e.g. USD, EUR, JPY)")
    return value


Currency = Annotated[
    str, AfterValidator(_check_currency),
    WithJsonSchema({"type": "string", "enum": sorted(ISO_4217), "description": "ISO 4217 code"}),
]


def _not_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(f"a money amount is not negative (got {_decimal_text(value)}): record a sale, refund or "
                         "write-down as its own event")
    return value


class Money(Frozen):
    amount: Annotated[ExactDecimal, AfterValidator(_not_negative)]
    currency: Currency
    approximate: StrictBool | None = None


class Stake(Frozen):
    """A percentage held: exact, or a range reported as such ("between 20 and 30 percent")."""

    exact: Percent | None = None
    min: Percent | None = None
    max: Percent | None = None
    basis: Literal["equity", "profit_share", "voting"] = "equity"

    @model_validator(mode="after")
    def _exact_or_range(self) -> Stake:
        if self.exact is not None:
            if self.min is not None or self.max is not None:
                raise ValueError("give either exact or min/max, not both")
        elif self.min is None or self.max is None:
            raise ValueError("give exact, or both min and max")
        elif self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


TermValue = Annotated[str, Field(max_length=2_000)] | ExactDecimal
Terms = Annotated[dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,100}$")], TermValue], Field(max_length=200)]


class Source(Frozen):
    """Where a fact comes from. A URL or a title is required so a reader can find it again."""

    url: Annotated[str, Field(max_length=2_000)] | None = None
    title: ShortText | None = None
    publisher: ShortText | None = None
    published_at: FuzzyDate | None = None
    quote: Text | None = None
    retrieved_from: Annotated[str, Field(max_length=2_000)] | None = None
    """The URL of the copy actually read, when it is not the original publication (``url``):
    a syndication, an archive, a mirror of a filing."""
    retrieved_at: FuzzyDate | None = None
    """When that copy (or the original) was read."""

    @model_validator(mode="after")
    def _url_or_title(self) -> Source:
        if not self.url and not self.title:
            raise ValueError("a source needs a url or a title")
        return self
