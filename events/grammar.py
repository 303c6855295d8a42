"""The parts of the catalog that need no pydantic: how dates, decimals and ids are written, and
how sure a source is. Read paths (the fold, the CLI's queries) use these and never load the
validation models, which cost most of a command's start-up.

Every pattern uses explicit ASCII classes and is matched whole: ``\\d`` matches any Unicode digit
in both Python's and pydantic's (Rust) regex engines (``"١٢"``, ``"５"``), and Python's ``$``
matches before a trailing newline (``"2025-01-01\\n"`` was stored as a date).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]{0,198}[a-z0-9])?$"
EVENT_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,200}$"
DECIMAL_PATTERN = r"^-?[0-9]{1,40}(?:\.[0-9]{1,40})?$"
DECIMAL_RE = re.compile(r"-?[0-9]{1,40}(?:\.[0-9]{1,40})?", re.ASCII)
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", re.ASCII)


class Certainty(StrEnum):
    """How sure the source is; ordered rumored < reported < announced < confirmed."""

    rumored = "rumored"
    reported = "reported"
    announced = "announced"
    confirmed = "confirmed"


CERTAINTY_RANK = {"rumored": 0, "reported": 1, "announced": 2, "confirmed": 3}

_VALID_DATES: dict[str, str] = {}
"""Date texts already checked. Dates repeat heavily in a batch (effective and published dates),
and this check was a quarter of validation time; the calendar bounds the cache's size."""


def check_date(value: Any) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD (a real calendar date), keep the text as given
    (a ``date`` becomes its ISO text); ``ValueError`` otherwise."""
    if type(value) is str and value in _VALID_DATES:
        return value
    if isinstance(value, datetime):  # a datetime is a date too; a time of day is not a date
        raise ValueError("a date must not carry a time of day; give YYYY, YYYY-MM or YYYY-MM-DD")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError("a date must be a string YYYY, YYYY-MM or YYYY-MM-DD")
    match = _DATE_RE.fullmatch(value)
    if not match:
        raise ValueError(f"{value[:40]!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date ({exc})") from None
    if int(year) < 1:
        raise ValueError(f"{value!r}: year must be 0001 or later")
    if type(value) is str and len(_VALID_DATES) < 200_000:
        _VALID_DATES[value] = value
    return value


def date_sort_key(text: str) -> str:
    """A partial date sorts as the first day of its period: '2021' -> '2021-01-01'."""
    if len(text) == 10:
        return text
    if len(text) == 7:
        return text + "-01"
    return text + "-01-01"


def period_end(text: str) -> str:
    """The last day of a partial date's period (``until`` is inclusive): '2030' -> '2030-12-31'."""
    if len(text) == 10:
        return text
    if len(text) == 4:
        return text + "-12-31"
    year, month = int(text[:4]), int(text[5:7])
    if month == 12:  # December ends on the 31st (and 9999-12 has no next month to count back from)
        return f"{text}-31"
    nxt = date(year, month + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()


def add_days(day: str, days: int) -> str:
    """The ISO date ``days`` after ``day`` (a full date; ``days`` may be negative)."""
    return date.fromordinal(date.fromisoformat(day).toordinal() + days).isoformat()


def next_day(day: str) -> str:
    """The ISO date after ``day`` (a full date): the one definition the fold, the report and the
    interop mappings use for "the first day after an inclusive end"."""
    return add_days(day, 1)
