"""A stand-in for the audit build (SPEC §12), for the explorer's browser test only.

It adds ``Ledger.trail`` and explain's ``fields`` in the document shapes agreed for the audit
feature (notes/shapes.md), computed plainly from ``explain`` itself, so the explorer's
provenance and trail views are rendered and checked before the real ones land. Nothing in the
product imports it. Run as the CLI: ``python -m tests.fake_audit --db URL serve ...``.
"""

from __future__ import annotations

from typing import Any

from events import date_sort_key
from ledger.api import Ledger
from ledger.read.queries import Document

PROVENANCE = ("since", "updated", "certainty", "evidence")
_explain = Ledger.explain


def _brief(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e[k] for k in ("id", "type", "effective_date", "position", "certainty", "source")}


def explain_with_fields(self: Ledger, item: str, as_of: Any = None, known_at: Any = None,
                        min_certainty: str = "rumored") -> Document:
    doc = _explain(self, item, as_of, known_at, min_certainty).to_dict()
    if doc["item"] is not None:
        withdrawn = {s["event"]["id"] for s in doc["superseded"]}
        live = [e for e in doc["events"] if e["id"] not in withdrawn]
        fields: dict[str, Any] = {}
        for name, value in doc["item"].items():
            if name in PROVENANCE:
                continue
            if name == "invested":
                fields[name] = {"value": value, "set_by": [{**_brief(e), "money": e["data"]["money"]} for e in live
                                                           if e["type"] == "InvestmentMade"]}
                continue
            naming = [e for e in live if name in e["data"]]
            fields[name] = {"value": value, "set_by": _brief(naming[-1]) if naming else None,
                            "rule": "until" if name == "status" and value == "ended" and not naming else None}
        doc["fields"] = fields
    return Document(doc)


def trail(self: Ledger, item: str, field: str | None = None, date_from: str | None = None, date_to: str | None = None,
          known_at: Any = None, min_certainty: str = "rumored") -> Document:
    now = _explain(self, item, "9999-12-31", known_at, min_certainty).to_dict()
    by = {s["event"]["id"]: s["by"][0] for s in now["superseded"]}
    changes: list[dict[str, Any]] = []
    before: dict[str, Any] = {}
    for event in sorted([*now["events"], *(s["event"] for s in now["superseded"])],
                        key=lambda e: (date_sort_key(e["effective_date"]), e["position"])):
        if event["id"] in by:
            changes.append({"effective_date": event["effective_date"], "fields": {}, "event": _brief(event),
                            "withdrawn": {"by": by[event["id"]]["id"], "action": by[event["id"]]["action"]}})
            continue
        after = _explain(self, item, date_sort_key(event["effective_date"]), event["position"], min_certainty)["item"] or {}
        diff = {k: {"before": before.get(k), "after": v} for k, v in after.items()
                if k not in PROVENANCE and before.get(k) != v and (field is None or k == field)}
        if diff:
            changes.append({"effective_date": event["effective_date"], "fields": diff, "event": _brief(event),
                            "withdrawn": None})
        before = after
    section, _, key = item.partition(":")
    value = now["item"].get(field) if field and now["item"] else now["item"]
    return Document({"query": item, "section": section, "key": key, "field": field, "from": date_from, "to": date_to,
                     "known_at": now["known_at"], "min_certainty": min_certainty, "changes": changes, "value": value})


Ledger.explain = explain_with_fields  # type: ignore[method-assign]
Ledger.trail = trail  # type: ignore[attr-defined]

if __name__ == "__main__":
    from ledger.cli import main

    main()
