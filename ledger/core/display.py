"""How values read as text, the same in the terminal tables and the HTML report: money with
thousands separators and its currency (``~`` when approximate), stakes as percentages with
their basis, lists and objects on one line. Exact: a figure is never rounded for display."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any


def money(value: Mapping[str, Any] | None) -> str:
    """``~13,000,000,000 USD``; empty for none."""
    if not value:
        return ""
    try:
        amount = f"{Decimal(str(value['amount'])):,}"
    except (InvalidOperation, KeyError, TypeError, ValueError):
        amount = str(value.get("amount"))
    return f"{'~' if value.get('approximate') else ''}{amount} {value.get('currency', '')}".strip()


def stake(value: Mapping[str, Any] | None) -> str:
    """``27%`` (equity), ``49% (profit share)``, ``30–35%``; ``no stake`` for none."""
    if not value:
        return "no stake"
    pct = f"{value['exact']}%" if value.get("exact") is not None else f"{value.get('min')}–{value.get('max')}%"
    basis = value.get("basis") or "equity"
    return pct if basis == "equity" else f"{pct} ({basis.replace('_', ' ')})"


def cell(value: Any) -> str:
    """Any field value on one line: money and stakes as above, booleans yes/no, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        if "amount" in value and "currency" in value:
            return money(value)
        if "exact" in value or "min" in value:
            return stake(value)
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    return str(value)
