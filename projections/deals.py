"""Handlers for agreements and negotiations: documents that are signed, superseded or concluded."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from projections._items import Accumulator, define, new_item, touch
from projections.entities import Handler


def agreement_signed(st: Accumulator, e: Mapping[str, Any]) -> None:
    """Add the agreement and mark each agreement it supersedes (first supersession wins).

    The superseding event is evidence of the superseded agreement too: it changed its status.
    Superseded ids absent from the (filtered) fold are skipped like any update.
    """
    d = e["data"]
    name = d["agreement"]
    agreements = st["agreements"]
    supersedes = list(d.get("supersedes") or ())
    item = {
        "agreement": name, "parties": list(d["parties"]), "title": d["title"], "binding": d["binding"],
        "summary": d["summary"], "supersedes": supersedes, "status": "signed", "superseded_by": None,
    }
    define(agreements, name, new_item(e, item))
    for old_name in supersedes:
        old = agreements.get(old_name)
        if old is None or old is item:
            continue
        if old["status"] != "superseded":
            old["status"] = "superseded"
            old["superseded_by"] = name
        touch(old, e)


def negotiation_opened(st: Accumulator, e: Mapping[str, Any]) -> None:
    d = e["data"]
    item = {
        "negotiation": d["negotiation"], "parties": list(d["parties"]), "topic": d["topic"],
        "status": "open", "outcome": None, "agreement": None,
    }
    define(st["negotiations"], d["negotiation"], new_item(e, item))


def negotiation_concluded(st: Accumulator, e: Mapping[str, Any]) -> None:
    """The outcome becomes the status; a later conclusion restates it (the latest wins)."""
    d = e["data"]
    item = st["negotiations"].get(d["negotiation"])
    if item is None:
        return
    item["status"] = d["outcome"]
    item["outcome"] = d["outcome"]
    item["agreement"] = d.get("agreement")
    touch(item, e)


HANDLERS: dict[str, Handler] = {
    "AgreementSigned": agreement_signed,
    "NegotiationOpened": negotiation_opened,
    "NegotiationConcluded": negotiation_concluded,
}
