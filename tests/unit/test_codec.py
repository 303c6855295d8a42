"""The append path's bulk shortcuts give exactly what the one-event definitions give.

``events.to_documents`` (one serializer call per batch) must give what each model's own dump
gives, and ``codec.seal`` (payloads serialized once, spliced in) must give ``codec.event_hash``: a
difference would fork the hash chain between writing and ``verify``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from events import EVENT_LIST_ADAPTER, to_document, to_documents
from ledger.core.envelope import GENESIS_HASH, INPUT_FIELDS, canonical, event_hash, seal

DATA_FILE = Path(__file__).parents[2] / "ledger/data/microsoft_openai.jsonl"
SRC = {"url": "https://example.com/a", "title": "t"}
EXTRA: list[dict[str, Any]] = [
    # an amendment keeps the nulls it was given, other payloads drop them; optional envelope fields absent
    {"type": "RightAmended", "effective_date": "2024", "data": {"right": "r", "until": None, "terms": {"a": "1"}}},
    {"type": "PartnershipAmended", "effective_date": "2024-05", "source": SRC,
     "data": {"partnership": "p", "money": None, "summary": "s"}},
    {"type": "StakeChanged", "effective_date": "2024-05-01", "recorded_by": "me",
     "data": {"holder": "a", "issuer": "b", "stake": {"exact": 5, "min": None}}},
    {"type": "InvestmentMade", "effective_date": "2021", "corrects": "x",
     "data": {"investor": "a", "investee": "b", "money": {"amount": "1.50", "currency": "USD", "approximate": None}}},
]


def _inputs() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in DATA_FILE.read_text(encoding="utf-8").splitlines()]
    return rows + EXTRA


def test_to_documents_follows_the_document_rules_for_every_event() -> None:
    models = EVENT_LIST_ADAPTER.validate_python(_inputs())
    docs = to_documents(models)
    for model, doc in zip(models, docs, strict=True):
        assert list(sorted(doc)) == sorted(INPUT_FIELDS)  # optional fields present, null when absent
        assert doc["id"] == model.id and doc["corrects"] == model.corrects and doc["recorded_by"] == model.recorded_by
        data = model.data
        # checked against each model's own dump: amendments keep given nulls, other payloads drop them
        expected = data.model_dump(mode="json", exclude_unset=True) if data.amends else \
            data.model_dump(mode="json", exclude_none=True)
        assert doc["data"] == expected
        assert doc["source"] == (model.source.model_dump(mode="json", exclude_none=True) if model.source else None)
    assert docs[-4]["data"] == {"right": "r", "until": None, "terms": {"a": "1"}}  # the null is kept
    assert docs[-2]["data"]["stake"] == {"exact": "5", "basis": "equity"}  # the default is filled in
    assert docs[-2]["source"] is None and docs[-1]["corrects"] == "x"
    assert to_document(models[0], "given-id") == {**docs[0], "id": "given-id"}


@pytest.mark.parametrize("index", range(0, 138, 7))
def test_seal_gives_the_hash_and_texts_of_the_one_event_definition(index: int) -> None:
    doc = to_documents(EVENT_LIST_ADAPTER.validate_python(_inputs()))[index]
    body = {**doc, "id": doc["id"] or "generated", "position": index + 1, "recorded_at": "2026-11-25T10:00:00.000001Z",
            "stream_version": 3, "schema_version": 1, "prev_hash": GENESIS_HASH}
    digest, data, source = seal(body)
    assert digest == event_hash({**body, "hash": "ignored"})
    assert data == canonical(doc["data"]).decode()
    assert source == (canonical(doc["source"]).decode() if doc["source"] is not None else None)
