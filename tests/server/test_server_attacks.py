"""An attack on a real ``serve`` process (uvicorn, SQLite, the demo ledger): wrong tokens,
oversized and slow bodies, malformed JSON, duplicate keys, path traversal, huge and unknown
query parameters, concurrent writers. After every refused request the head is unchanged, and
no answer carries a traceback, a file path or SQL; the server keeps answering throughout."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ledger import Ledger
from tests.procs import investments
from tests.serverkit import READ_TOKEN, WRITE_TOKEN, Server, assert_clean, head, jsonl, load_demo, serving, token_file

MAX_BODY = 65536


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    where = tmp_path_factory.mktemp("attack")
    url = f"sqlite:///{where}/ledger.db"
    load_demo(url)
    tokens = token_file(where / "tokens.txt")
    with serving(url, "--token-file", str(tokens), "--max-body", str(MAX_BODY), "--body-timeout", "1",
                 log_dir=where) as server:
        yield server, url
        log = server.log()
    for token in (WRITE_TOKEN, READ_TOKEN):
        assert token not in log, "a token reached the server log"
    assert "Traceback" not in log


def raw(server: Server, request: bytes, *, pause: float = 0, tail: bytes = b"", timeout: float = 15) -> tuple[int, str]:
    """Send bytes as they are (no client normalises the path); the status and the body back."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as s:
        s.sendall(request)
        if pause:
            time.sleep(pause)
            with contextlib.suppress(OSError):
                s.sendall(tail)
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            data += chunk
    head_part, _, body = data.partition(b"\r\n\r\n")
    status = int(head_part.split(b" ", 2)[1]) if head_part.startswith(b"HTTP/") else 0
    return status, body.decode(errors="replace")


def get(server: Server, target: str, headers: str = "") -> tuple[int, str]:
    return raw(server, f"GET {target} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n".encode("latin-1"))


def post(server: Server, body: bytes, token: str | None = WRITE_TOKEN, query: str = "", extra: str = "") -> tuple[int, str]:
    auth = f"Authorization: Bearer {token}\r\n" if token is not None else ""
    request = (f"POST /api/events{query} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n").encode("latin-1") + body
    return raw(server, request)


def refused(target: tuple[Server, str], status: int, answer: tuple[int, str], before: int) -> dict[str, Any]:
    server, url = target
    got, body = answer
    assert got == status, body[:400]
    assert_clean(body)
    assert head(url) == before, "a refused request wrote something"
    return json.loads(body) if body.startswith("{") else {}


ONE = investments("atk-", 1, stream="attack")


def test_wrong_and_missing_tokens(target: tuple[Server, str]) -> None:
    server, url = target
    before = head(url)
    for token in (None, "", "x", WRITE_TOKEN[:-1], WRITE_TOKEN + "a", " " + WRITE_TOKEN + " junk", "\u00e9" * 20):
        refused(target, 401, post(server, jsonl(ONE), token), before)
    refused(target, 401, post(server, jsonl(ONE), None, extra=f"Authorization: Basic {WRITE_TOKEN}\r\n"), before)
    refused(target, 403, post(server, jsonl(ONE), READ_TOKEN), before)


def test_oversized_bodies_by_header_and_by_count(target: tuple[Server, str]) -> None:
    server, url = target
    before = head(url)
    lying = (f"POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WRITE_TOKEN}\r\n"
             "Content-Length: 1000000000000\r\nConnection: close\r\n\r\n[").encode()
    assert "limit of 65536 bytes" in refused(target, 413, raw(server, lying), before)["error"]
    chunk = b"[" + b" " * 8190 + b"\r\n"
    chunked = (f"POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WRITE_TOKEN}\r\n"
               "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode()
    chunked += b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(12)) + b"0\r\n\r\n"
    refused(target, 413, raw(server, chunked), before)
    big = jsonl(investments("huge-", 600, stream="attack"))
    assert len(big) > MAX_BODY
    refused(target, 413, post(server, big), before)


def test_a_slow_body_times_out(target: tuple[Server, str]) -> None:
    server, url = target
    before = head(url)
    start = (f"POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {WRITE_TOKEN}\r\n"
             "Content-Length: 2000\r\nConnection: close\r\n\r\n[{").encode()
    began = time.monotonic()
    answer = raw(server, start, pause=2.5, tail=b'"id": "slow"}]')
    refused(target, 408, answer, before)
    assert time.monotonic() - began < 10
    assert get(server, "/api/streams")[0] == 200  # still serving


@pytest.mark.parametrize("body", [
    b"[", b'[{"id": "a",}]', b"{\"id\": NaN}", b"\xff\xfe[]", b"[" * 5000 + b"]" * 5000, b"", b"   ",
    b'{"id": "a"}\n{"id": ', b"null", b'"just a string"', b"[1, 2, 3]", b"[[]]", b"{}",
])
def test_malformed_json_is_refused(target: tuple[Server, str], body: bytes) -> None:
    server, url = target
    before = head(url)
    status, text = post(server, body)
    assert status in (400, 422), text
    refused(target, status, (status, text), before)


def test_duplicate_keys_are_refused_naming_the_event(target: tuple[Server, str]) -> None:
    server, url = target
    before = head(url)
    ok = json.dumps(ONE[0])
    twice = ok[:-1] + ', "id": "other"}'
    nested = ok.replace('"amount": "1"', '"amount": "1", "amount": "1000000"')
    for body, field in ((twice.encode(), "id"), (f"[{ok.replace('atk-0', 'atk-x')}, {nested}]".encode(), "amount")):
        doc = refused(target, 422, post(server, body), before)
        assert doc["problems"][0]["field"].endswith(field) and "given twice" in doc["problems"][0]["message"]


@pytest.mark.parametrize("path", [
    "/api/events/../../etc/passwd", "/api/events/..%2f..%2fetc%2fpasswd", "/api/events/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fserver%2fapp.py",
    "/static/%2e%2e/app.py", "/api/explain/stakes/..%2f..%2f..%2fetc%2fpasswd", "/api/trail/../../etc/passwd",
    "/..%2f..%2fetc/passwd", "//etc/passwd", "/static//etc/passwd", "/api/events/%00", "/static/js/%00.js",
])
def test_path_traversal_finds_nothing(target: tuple[Server, str], path: str) -> None:
    server, _ = target
    status, body = get(server, path)
    assert status in (400, 404), (status, body[:300])
    assert "root:" not in body and "create_app" not in body
    assert_clean(body)


def test_huge_and_unknown_query_values(target: tuple[Server, str]) -> None:
    server, _ = target
    status, body = get(server, "/api/state?as_of=" + "9" * 5000)
    assert status == 400 and "too long" in body
    assert_clean(body)
    status, body = get(server, "/api/state?as_of=2024-01-01&" + "&".join(f"p{i}=1" for i in range(60)))
    assert status == 400 and "too many" in body
    status, body = get(server, "/api/history?limit=99999999999999999999999")
    assert status in (200, 400)
    assert_clean(body)
    status, body = get(server, "/api/state?as_of=2024-01-01&asof=2025-01-01")
    assert status == 400 and json.loads(body)["problems"][0]["field"] == "asof"
    status, body = get(server, "/api/state?as_of=2024-01-01&as_of=2025-01-01")
    assert status == 400 and "more than once" in body
    status, body = get(server, "/api/state?" + "x" * 200_000)  # past the HTTP parser's limit
    assert status in (0, 400, 413, 414, 431)
    assert_clean(body)
    assert get(server, "/api/streams")[0] == 200


def test_concurrent_writers_get_gap_free_positions(target: tuple[Server, str]) -> None:
    server, url = target
    before = head(url)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        for b in range(4):
            answer = post(server, jsonl(investments(f"cw{n}-{b}-", 5, stream=f"cw{n}")))
            with lock:
                results.append(answer)

    def stale(n: int) -> None:  # all claim the stream is new: one wins, the others get 409
        answer = post(server, jsonl(investments(f"st{n}-", 2, stream="contended")), query="?expected_version=0")
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    threads += [threading.Thread(target=stale, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 6 * 4 + 1 and statuses.count(409) == 3, statuses
    for _, body in results:
        assert_clean(body)
    positions = sorted(p for s, body in results if s == 201 for p in json.loads(body)["positions"])
    assert positions == list(range(before + 1, before + 1 + 6 * 4 * 5 + 2))
    with Ledger.open(url) as lg:
        assert lg.verify().ok
        assert [e["position"] for e in lg.events()] == list(range(1, positions[-1] + 1))
