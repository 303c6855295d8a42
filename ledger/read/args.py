"""Query arguments as people write them, checked and made exact before anything is read.

Forgiving where the meaning is plain (SPEC §7): ``2024`` and ``2024-06`` as dates (the end of
the period, echoed back as the full date), word values in any case (``Confirmed``), a party by
its id in any case or by a recorded alias. Strict where a guess could mislead: an unknown
party, stream, item or type is an error with the valid choices or a "did you mean", never an
empty answer. The clock is read here (``as_of`` defaults to today, UTC), never in a fold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from events import CERTAINTY_RANK, EVENT_TYPES, check_date, date_sort_key, period_end
from ledger.core.envelope import parse_ts
from ledger.core.messages import suggest
from ledger.errors import ValidationError, bad_argument
from ledger.store.port import EventStore
from projections import KEY_FIELDS, SECTIONS, parse_key

_POSITION = re.compile(r"[0-9]{1,30}", re.ASCII)


def as_of(value: str | date | None) -> str:
    """A full ISO date: ``YYYY``/``YYYY-MM`` mean the last day of the period; default today (UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).date().isoformat() if value.tzinfo else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return datetime.now(UTC).date().isoformat()
    try:
        return period_end(check_date(value))
    except (ValueError, TypeError):
        raise bad_argument("as_of", f"{str(value)[:40]!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD") from None


def bound(value: str | date | None, field: str, end: bool) -> str | None:
    """A range bound (``from``/``to``) as the full date it stands for: the first day of its
    period for a start, the last day for an end (both inclusive)."""
    if isinstance(value, datetime):  # a datetime is a date too, whose isoformat() keeps the time
        value = value.date()
    if value is None or isinstance(value, date):
        return value.isoformat() if isinstance(value, date) else None
    try:
        checked = check_date(value)
    except (ValueError, TypeError):
        raise bad_argument(field, f"{str(value)[:40]!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD") from None
    return period_end(checked) if end else date_sort_key(checked)


def window(date_from: str | date | None, date_to: str | date | None, what: str = "the range") -> tuple[str | None, str | None]:
    low, high = bound(date_from, "from", end=False), bound(date_to, "to", end=True)
    if low and high and high < low:
        raise bad_argument("to", f"{what} ends ({high}) before it starts ({low})")
    return low, high


def flag(value: Any, field: str) -> bool:
    """A yes/no argument: a bool only ("false" is a true string, and would filter silently)."""
    if isinstance(value, bool):
        return value
    raise bad_argument(field, f"expected true or false, got {str(value)[:40]!r}")


def certainty(value: Any) -> str:
    word = value.value if hasattr(value, "value") else value
    if isinstance(word, str) and word.lower() in CERTAINTY_RANK:
        return word.lower()
    hint = suggest(word, CERTAINTY_RANK, "levels") if isinstance(word, str) else ""
    raise bad_argument("min_certainty", f"{str(word)[:40]!r} is not one of {', '.join(CERTAINTY_RANK)}"
                       + (f"; {hint}" if hint.startswith("did you mean") else ""))


def event_types(value: str | Sequence[str] | None) -> list[str] | None:
    """Event type names, in any case (``investmentmade``), checked against the catalog."""
    if value is None:
        return None
    names = [value] if isinstance(value, str) else list(value)
    by_lower = {t.lower(): t for t in EVENT_TYPES}
    out = []
    for name in names:
        found = by_lower.get(str(name).lower())
        if found is None:
            raise bad_argument("type", f"{str(name)[:60]!r} is not an event type; "
                               f"{suggest(str(name), EVENT_TYPES, 'valid types', limit=30)}")
        out.append(found)
    return out or None


def whole_number(value: Any, field: str, least: int, most: int = 2**62) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise bad_argument(field, f"a {field} is a whole number from {least} to {most if most < 2**62 else '2^62'}; "
                           f"got {str(value)[:40]!r}")
    return value


def known_at(store: EventStore, value: int | str | datetime | None) -> tuple[int, str | None]:
    """A position or a UTC timestamp (ISO text or datetime) -> (position, its recorded_at)."""
    head, _, head_ts = store.head()
    if value is None:
        return head, head_ts
    if isinstance(value, bool) or not isinstance(value, int | str | datetime):
        raise bad_argument("known_at", f"expected a position or a timestamp, got {type(value).__name__}")
    if isinstance(value, int) or (isinstance(value, str) and _POSITION.fullmatch(value)):
        position = int(value)
        if position < 0:
            raise bad_argument("known_at", "a position is 0 or more")
        if position > head:
            raise bad_argument("known_at", f"position {position} is past the ledger's head ({head}): nothing was "
                               "recorded there yet; leave --known-at out for what the ledger knows now"
                               + ("; a moment is written as a date or a UTC time, e.g. 2024-06-01 or "
                                  "2024-06-01T12:00:00Z" if isinstance(value, str) else ""))
    else:
        try:
            if isinstance(value, str) and _DAY.fullmatch(value):
                value = f"{value}T23:59:59.999999Z"  # a day is known at its end (UTC), as --as-of means its end
            ts = value if isinstance(value, datetime) else parse_ts(value)
            if ts.tzinfo is None:
                ts = ts.replace(tzinfo=UTC)
        except OverflowError:
            raise bad_argument("known_at", f"{value!r} lies outside the years 0001-9999 once converted to UTC") from None
        except ValueError:
            raise bad_argument("known_at", f"{str(value)[:60]!r} is neither a position nor an ISO timestamp like "
                               "2025-06-01T12:00:00Z") from None
        position = store.position_at(ts)
    return position, store.recorded_at(position) if position else None


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)

_ITEM_INDEX: dict[str, str] = {
    "rights": "right:", "partnerships": "partnership:", "agreements": "agreement:", "conditions": "condition:",
    "negotiations": "negotiation:", "legal_actions": "case:",
}
"""Sections whose items are indexed under ``namespace:id``; the others under their first key
field, a party (a party, a stake's holder, a role's person, a metric's party)."""


def index_key(section: str, parts: tuple[str, ...]) -> str:
    return _ITEM_INDEX[section] + parts[0] if section in _ITEM_INDEX else parts[0]


def item(value: str, store: EventStore | None = None) -> tuple[str, str, tuple[str, ...]]:
    """``SECTION:KEY``, or a bare key when only one section has an item with it -> (section, key,
    key parts). With ``store``, a bare key is looked up in the party index."""
    if not isinstance(value, str) or not value:
        raise bad_argument("item", "name an item as SECTION:KEY, e.g. stakes:microsoft/openai")
    section, sep, key = value.partition(":")
    if not sep and store is not None:
        found = _bare_key_sections(store, value)
        if len(found) == 1:
            section, key = found[0], value
        elif len(found) > 1:
            raise bad_argument("item", f"{value!r} names items in {', '.join(found)}: say which, e.g. {found[0]}:{value}")
        else:
            raise bad_argument("item", f"{value!r}: no party, right, partnership, agreement, condition, negotiation or "
                               "case has that id; name an item as SECTION:KEY, e.g. stakes:microsoft/openai")
    if section not in SECTIONS or not key:
        raise bad_argument("item", f"{value!r}: name an item as SECTION:KEY, e.g. rights:msft-azure-exclusive-cloud "
                           f"or stakes:microsoft/openai; sections: {', '.join(SECTIONS)}"
                           + (f"; {hint}" if section not in SECTIONS
                              and (hint := suggest(section, SECTIONS, "sections")).startswith("did you mean") else ""))
    try:
        return section, key, parse_key(section, key)
    except ValueError as exc:
        raise bad_argument("item", f"{value!r}: {exc}") from None


def _bare_key_sections(store: EventStore, value: str) -> list[str]:
    """The sections a key without ``SECTION:`` can name. ``a/b`` has the shape of a stake key only;
    ``a/b/c`` that of a role and of a metric (say which); a plain id is looked up in the party
    index, as a party and under each namespaced section."""
    slashes = value.count("/")
    if slashes == 1:
        return ["stakes"]
    if slashes > 1:  # a role (person/organization/role) or a metric (party/metric/period)
        first = value.split("/", 1)[0]
        return [section for section, kind in (("roles", "RoleChanged"), ("metrics", "MetricReported"))
                if _indexed(store, first, [kind])] or ["roles", "metrics"]
    found = [name for name in SECTIONS if name in _ITEM_INDEX and _indexed(store, _ITEM_INDEX[name] + value)]
    return (["parties"] if _indexed(store, value) else []) + found


def _indexed(store: EventStore, key: str, types: list[str] | None = None) -> bool:
    """Whether the party index holds an event under ``key`` (of one of ``types``, if given)."""
    return next(iter(store.read(party=key, types=types, batch=1)), None) is not None


def party(store: EventStore, value: str | None) -> str | None:
    """A party as the ledger knows it: its id (fast path: the party index has it), else its id in
    another case, a recorded alias or its name; otherwise an error with what was meant."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise bad_argument("party", "a party is named by its id, e.g. microsoft")
    if ":" not in value and _indexed(store, value):  # "stream:x", "right:y" are index keys, not parties
        return value
    known: dict[str, set[str]] = {}  # every way of naming a party -> the ids it names
    ids: set[str] = set()
    for env in store.read(types=["PartyRegistered", "PartyRestructured"]):
        data = env["data"]
        if not isinstance(data, dict) or "party" not in data:
            continue
        pid = data["party"]
        ids.add(pid)
        for name in (pid, data.get("name"), *(data.get("aliases") or ())):
            if isinstance(name, str):
                known.setdefault(name.lower(), set()).add(pid)
    found = sorted(known.get(value.lower(), ()))
    exact = [pid for pid in found if pid.lower() == value.lower()]
    if len(exact) == 1 or len(found) == 1:
        return (exact or found)[0]
    if found:
        raise bad_argument("party", f"{value!r} names several parties ({', '.join(found)}): say which by its id")
    hint = suggest(value, [*ids, *(k for k in known if " " not in k)], "parties")  # ids and aliases for "did you mean"
    if not hint.startswith("did you mean"):
        hint = suggest(value, ids, "parties")  # otherwise the ids themselves
    raise ValidationError([_problem("party", f"{value!r} is not a party of this ledger; {hint}")], "invalid argument")


def stream(store: EventStore, value: str | None) -> str | None:
    if value is None or _indexed(store, f"stream:{value}"):
        return value
    names = [name for name, *_ in store.streams()]
    raise bad_argument("stream", f"{str(value)[:60]!r} is not a stream of this ledger; {suggest(value, names, 'streams')}")


def _problem(field: str, message: str) -> Any:
    from ledger.errors import Problem

    return Problem(None, None, field, message)


def item_fields(section: str) -> tuple[str, ...]:
    """The key fields of a section's items (for messages)."""
    return KEY_FIELDS[section]
