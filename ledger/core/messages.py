"""Validation messages in the ledger's words, not pydantic's: "'Microsoft' is not an id: ..."
rather than "String should match pattern '^[a-z0-9]...$'", "'sure' is not one of rumored,
reported, announced, confirmed" rather than "Input should be 'rumored', ...". Each message says
what the value must be, with an example where one helps; the value is shown, shortened."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from events.grammar import DECIMAL_PATTERN, EVENT_ID_PATTERN, SLUG_PATTERN

_PATTERNS = {
    SLUG_PATTERN: "is not an id: use lowercase letters, digits, '.', '_' and '-', starting and ending with a letter "
                  "or digit, e.g. microsoft or msft-azure-exclusive",
    EVENT_ID_PATTERN: "is not an event id: 1 to 200 characters of letters, digits, '.', '_', ':' and '-'",
    DECIMAL_PATTERN: "is not a decimal number written as a string, e.g. \"27.5\" (at most 40 digits each side of "
                     "the point)",
}
_TERMS_KEY = "is not a terms key: 1 to 100 characters of letters, digits, '_', '.' and '-'"
_JSON_TYPES = {"str": "a string", "int": "a whole number", "float": "a binary float", "bool": "true or false",
               "NoneType": "null", "list": "a list", "dict": "an object"}


def shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value[:60] + ("…" if len(value) > 60 else ""))
    return text if len(text) <= 80 else text[:77] + "…"


def _kind_of(value: Any) -> str:
    return _JSON_TYPES.get(type(value).__name__, type(value).__name__)


def message_for(error: Mapping[str, Any]) -> str:
    """Our message for one pydantic error (its ``type``, ``ctx`` and ``input``)."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "unknown field (not part of this event type; check the spelling)"
    if kind == "missing":
        return "required field is missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a JSON object, got {_kind_of(value)}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return f"{shown(value)} {_PATTERNS.get(pattern, _TERMS_KEY if 'A-Za-z0-9_.-' in pattern else 'is not in the expected form')}"
    if kind == "string_type":
        return f"expected text (a JSON string), got {_kind_of(value)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters (this one has {len(value) if isinstance(value, str) else '?'})"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} entries"
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} entries"
    if kind == "list_type":
        return f"expected a list, got {_kind_of(value)}"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"expected true or false, got {shown(value)}"
    if kind in ("literal_error", "enum"):
        choices = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{shown(value)} is not one of {choices}"
    return str(error["msg"])


def suggest(word: str, choices: Iterable[str], what: str, limit: int = 12) -> str:
    """"did you mean ...?" for close choices, else the choices themselves (some of them)."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    if not close:
        lowered = {o.lower(): o for o in options}
        close = [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)]
    if close:
        return f"did you mean {' or '.join(repr(c) for c in close)}?"
    if not options:
        return f"the ledger holds no {what}"
    shown = ", ".join(options[:limit]) + (f" … ({len(options)} in all)" if len(options) > limit else "")
    return f"{what}: {shown}"
