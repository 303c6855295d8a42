"""The streamed reader of append/import files (ledger.core.jsonstream) reads what parse_text reads,
and refuses what it refuses with the same problem (a file read in small blocks here)."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import pytest

import ledger.core.jsonstream as js
from ledger.core.jsontext import parse_text
from ledger.errors import ValidationError


def _outcome(read: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "ok", read(data)
    except ValidationError as exc:
        return "refused", [(p.index, p.event_id, p.field, p.message) for p in exc.problems]


def _both(data: bytes, monkeypatch: pytest.MonkeyPatch, whole: int, block: int) -> tuple[Any, Any]:
    monkeypatch.setattr(js, "WHOLE", whole)
    monkeypatch.setattr(js, "BLOCK", block)
    return (_outcome(lambda b: parse_text(b, "f"), data),
            _outcome(lambda b: list(js.iter_items(io.BytesIO(b), "f")), data))


CASES = [
    b'[{"a":1},{"b":[1,2,3]}, 3, "x" ,{"c":{"d":null}}]', b'  [\n {"a": 1},\n {"b": 2}\n]\n', b'[]        ', b'[ ]  \n\n  ',
    b'[1,2,]   ', b'[1 2]    ', b'[1,2] x   ', b'[{"a":1,"a":2}]', b'[{"q":1},{"x":{"a":1,"a":2},"y":3}, 4]',
    b'[NaN,   1]', b'[1, {"a": NaN}]', b'[1       ', b'[{"a":1},\n{"a":\n tru}]', b'[12345678901234567890123, 1.5]',
    b'{"a":1}\n{"b":2}\n', b'\n\n{"a":1}\n\n{"b":2,"b":3}\n', b'{"a":1}\n{"b":\n', b'{"a":\n1,\n"bbbbbbbb":2}\n',
    b'{"a":1}\n{"b":NaN}\n', b'"x"\n"y"\n  ', '{"a":"\u2028"}\n{"b":1}\n'.encode(), b'{"a":1}\n\xff\n  ',
    '[{"a":"é€"}, {"b":"😀"}]'.encode(), b'{"a":1}\r\n{"b":2}\r\n',
]


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize(("whole", "block"), [(8, 5), (16, 1), (1 << 20, 1 << 20)])
def test_streamed_reading_is_parse_text(data: bytes, whole: int, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    expected, got = _both(data, monkeypatch, whole, block)
    assert got == expected


def test_mutated_files_read_the_same_or_refused_at_the_first_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(20261201)
    items = [{"id": f"e{i}", "data": {"x": i, "s": "é€\n" * (i % 3), "l": [1, None, True]}} for i in range(30)]
    bases = [json.dumps(items).encode(), json.dumps(items, indent=2).encode(),
             b"\n".join(json.dumps(x).encode() for x in items) + b"\n"]
    compared = 0
    for _ in range(400):
        data = bytearray(rng.choice(bases))
        for _ in range(rng.randint(0, 3)):
            k = rng.randrange(len(data))
            op = rng.random()
            if op < 0.4:
                del data[k]
            elif op < 0.8:
                data.insert(k, rng.choice(b'{}[],:"\n aN0\xff'))
            else:
                data[k:k] = b'"x": 1, "x": 2, '
        for whole, block in ((8, 5), (64, 7)):
            expected, got = _both(bytes(data), monkeypatch, whole, block)
            assert got[0] == expected[0]
            if got == expected:
                compared += 1
                continue
            # the whole-text reader decodes all of the file first (a bad byte late in it wins) and
            # cannot place a duplicate key in a file broken further on: the stream names the first
            # problem it meets, with its event and field
            first = expected[1][0]
            assert "not UTF-8" in first[3] or (first[:3] == (None, None, None) and first[3] == got[1][0][3])
    assert compared > 700
