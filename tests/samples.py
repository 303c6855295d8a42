"""Small sourced event batches the store and CLI tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GOLDEN_V1 = Path(__file__).parent / "data" / "v1_ledger.jsonl"
"""An export of a ledger of every event type at schema_version 1 (see tests/contract/test_upcast.py)."""


def golden_envelopes() -> list[dict[str, Any]]:
    """The stored envelopes of :data:`GOLDEN_V1`, in position order."""
    return [json.loads(line) for line in GOLDEN_V1.read_text(encoding="utf-8").splitlines()]

SRC = {"url": "https://example.org/news", "title": "A report", "publisher": "Example", "published_at": "2023-01-23"}


def party(pid: str, date: str = "2015-12-11", kind: str = "company", **extra: Any) -> dict[str, Any]:
    return {"id": f"reg-{pid}", "type": "PartyRegistered", "effective_date": date, "certainty": "confirmed",
            "source": SRC, "data": {"party": pid, "name": pid.title(), "kind": kind}, **extra}


def investment(eid: str, date: str, amount: str, *, investor: str = "microsoft", investee: str = "openai",
               stream: str = "microsoft-openai", certainty: str = "confirmed", **extra: Any) -> dict[str, Any]:
    return {"id": eid, "type": "InvestmentMade", "effective_date": date, "stream": stream, "certainty": certainty,
            "source": SRC, "data": {"investor": investor, "investee": investee,
                                    "money": {"amount": amount, "currency": "USD"}}, **extra}


def basic() -> list[dict[str, Any]]:
    """Two parties, an investment, an exclusive licence that ends when AGI is declared."""
    return [
        party("microsoft", "1975-04-04"),
        party("openai", "2015-12-11", kind="nonprofit"),
        investment("inv-2019", "2019-07-22", "1000000000"),
        {"id": "agi", "type": "ConditionDefined", "effective_date": "2019-07-22", "source": SRC,
         "data": {"condition": "agi-declared", "description": "OpenAI's board declares AGI"}},
        {"id": "lic", "type": "RightGranted", "effective_date": "2020-09-22", "stream": "microsoft-openai",
         "source": SRC, "certainty": "announced",
         "data": {"right": "gpt3-license", "holder": "microsoft", "grantor": "openai", "kind": "exclusive_license",
                  "scope": "GPT-3", "ends_when": "agi-declared"}},
    ]
