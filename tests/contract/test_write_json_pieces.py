"""Document.write_json writes a large answer in pieces: the bytes are exactly orjson's indented
document (what to_json gives, and what the server sends), whatever the piece size."""

from __future__ import annotations

import io
import random
from typing import Any

import orjson
import pytest

import ledger.read.documents as documents
from ledger import Ledger
from ledger.cli.demo import dataset


def _value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 3 or r < 0.3:
        return rng.choice([1, -2.5, 'x\ny\u2028"\\', None, True, False, "", "é€😀", 12345678901234567890])
    if r < 0.6:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {f"k{i}\n\t": _value(rng, depth + 1) for i in range(rng.randint(0, 4))}


def _written(doc: documents.Document) -> bytes:
    out = io.BytesIO()
    doc.write_json(out)
    return out.getvalue()


@pytest.mark.parametrize("piece", [1, 2, 3, 2_000])
def test_pieces_give_orjson_bytes(piece: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "PIECE", piece)
    rng = random.Random(piece)
    for _ in range(500):
        doc = {f"f{i}": _value(rng) for i in range(rng.randint(0, 6))}
        if rng.random() < 0.5:
            doc["items"] = [_value(rng) for _ in range(rng.randint(0, 9))]
        assert _written(documents.Document(doc)) == orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def test_a_state_in_pieces_is_its_to_json(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with Ledger.open(f"sqlite:///{tmp_path}/demo.db", init=True) as lg:
        lg.append(dataset())
        state = lg.state(as_of="2025-06-01")
    monkeypatch.setattr(documents, "PIECE", 2)
    assert sum(len(v) for v in state.doc.values() if isinstance(v, list)) > 20
    assert _written(state) == state.to_json().encode() + b"\n"
