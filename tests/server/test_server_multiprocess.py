"""Several server processes share one PostgreSQL ledger (SPEC §10): two uvicorn processes on one
database, writers hammering both at once; positions come out gap-free, each event is recorded
by the token that sent it, and both servers verify the same intact chain."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

from ledger import Ledger
from tests.procs import investments, parties
from tests.serverkit import OTHER_WRITE_TOKEN, WRITE_TOKEN, pg_schema_url, serving, token_file


def _post(base: str, token: str, body: bytes) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(base + "/api/events", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _get(base: str, path: str) -> dict[str, object]:
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return dict(json.loads(response.read()))


def test_two_server_processes_write_one_postgresql_ledger(tmp_path: Path) -> None:
    tokens = token_file(tmp_path / "tokens.txt")
    with pg_schema_url() as url:
        with Ledger.open(url, init=True) as lg:
            lg.append(parties())
        with serving(url, "--token-file", str(tokens), log_dir=tmp_path) as a, \
                serving(url, "--token-file", str(tokens), log_dir=tmp_path) as b:
            assert a.proc.pid != b.proc.pid
            answers: list[tuple[str, int, dict[str, object]]] = []
            lock = threading.Lock()
            start = threading.Barrier(8)  # every writer starts at once: the two servers contend

            def writer(name: str, base: str, token: str, n: int) -> None:
                start.wait(timeout=60)
                for batch in range(6):
                    events = investments(f"{name}{n}-{batch}-", 4, stream=f"{name}{n}")
                    status, doc = _post(base, token, json.dumps(events).encode())
                    with lock:
                        answers.append((name, status, doc))

            threads = [threading.Thread(target=writer, args=("a", a.base, WRITE_TOKEN, n)) for n in range(4)]
            threads += [threading.Thread(target=writer, args=("b", b.base, OTHER_WRITE_TOKEN, n)) for n in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=300)
            assert [s for _, s, _ in answers] == [201] * 48, answers[:3]
            placed = sorted(p for _, _, doc in answers for p in doc["positions"])  # type: ignore[attr-defined]
            assert placed == list(range(3, 3 + 48 * 4))
            # Then one batch through each server in turn: whatever the scheduling above did, the
            # log must show the two processes' writes following each other on one chain.
            for turn, (name, server, token) in enumerate([("a", a, WRITE_TOKEN), ("b", b, OTHER_WRITE_TOKEN)] * 2):
                status, doc = _post(server.base, token, json.dumps(investments(f"{name}turn{turn}-", 1)).encode())
                assert status == 201 and doc["first_position"] == 3 + 48 * 4 + turn, doc
            for server in (a, b):
                report = _get(server.base, "/api/verify")
                assert report["ok"] is True and report["head_position"] == 2 + 48 * 4 + 4
            assert _get(a.base, "/api/streams") == _get(b.base, "/api/streams")
            assert "Traceback" not in a.log() + b.log()
        with Ledger.open(url) as lg:
            stored = list(lg.events())
            assert [e["position"] for e in stored] == list(range(1, 3 + 48 * 4 + 4))
            who = {e["id"][0]: set() for e in stored[2:]}
            for e in stored[2:]:
                who[e["id"][0]].add(e["recorded_by"])
            assert who == {"a": {"alice (newsroom)"}, "b": {"bob"}}
            order = [e["id"][0] for e in stored[2:]]
            assert order[-4:] == ["a", "b", "a", "b"], "each server's write follows the other's on one chain"
            assert lg.verify().ok
