"""Writes and auth over HTTP (SPEC §10): bearer tokens from --token-file, roles, read-only and
private servers, recorded_by from the token, and the CLI's validation and conflict rules."""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ledger import Ledger, LedgerError
from ledger.cli import app as cli_app
from ledger.server import create_app
from ledger.server.auth import COOKIE, Tokens
from tests.procs import investments, parties
from tests.serverkit import OTHER_WRITE_TOKEN, READ_TOKEN, WRITE_TOKEN, assert_clean, bearer, jsonl, token_file


@pytest.fixture
def url(db_url: str) -> str:
    with Ledger.open(db_url, init=True) as lg:
        lg.append(parties())
    return db_url


@pytest.fixture
def tokens(tmp_path: Path) -> Path:
    return token_file(tmp_path / "tokens.txt")


@pytest.fixture
def client(url: str, tokens: Path) -> Iterator[TestClient]:
    with TestClient(create_app(url, token_file=tokens, max_body=64 * 1024), raise_server_exceptions=False) as c:
        yield c


def head(url: str) -> int:
    with Ledger.open(url) as lg:
        return lg.resolve_known_at(None)[0]


def test_a_write_token_appends_and_recorded_by_is_its_name(client: TestClient, url: str) -> None:
    batch = investments("http-", 3, stream="s")
    batch[0]["recorded_by"] = "mallory"  # what the client claims does not count
    response = client.post("/api/events", content=jsonl(batch), headers=bearer(WRITE_TOKEN))
    assert response.status_code == 201, response.text
    assert response.json()["positions"] == [3, 4, 5] and response.json()["appended"] == 3
    with Ledger.open(url) as lg:
        assert {e["recorded_by"] for e in lg.events(after=2)} == {"alice (newsroom)"}
    again = client.post("/api/events", content=json.dumps(batch[1:]), headers=bearer(WRITE_TOKEN))
    assert again.status_code == 200 and again.json()["existing"] == 2 and again.json()["appended"] == 0
    assert head(url) == 5


def test_missing_wrong_and_read_tokens_write_nothing(client: TestClient, url: str) -> None:
    body = jsonl(investments("x-", 2))
    for headers in ({}, bearer("w-" + "a" * 29 + "b"), bearer(""), {"Authorization": "Basic " + WRITE_TOKEN},
                    {"Authorization": WRITE_TOKEN}, bearer(WRITE_TOKEN.upper())):
        response = client.post("/api/events", content=body, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert WRITE_TOKEN not in response.text and WRITE_TOKEN.upper() not in response.text
    read = client.post("/api/events", content=body, headers=bearer(READ_TOKEN))
    assert read.status_code == 403 and "reader" in read.json()["error"]
    assert head(url) == 2


def test_a_wrong_token_is_refused_even_on_open_reads(client: TestClient) -> None:
    assert client.get("/api/streams").status_code == 200
    assert client.get("/api/streams", headers=bearer(READ_TOKEN)).status_code == 200
    assert client.get("/api/streams", headers=bearer("nope-nope-nope-nope")).status_code == 401


def test_without_a_token_file_every_write_is_403(url: str) -> None:
    with TestClient(create_app(url), raise_server_exceptions=False) as c:
        for headers in ({}, bearer(WRITE_TOKEN)):
            response = c.post("/api/events", content=jsonl(investments("ro-", 1)), headers=headers)
            assert response.status_code in (401, 403)
        assert c.post("/api/events", content=b"[]").status_code == 403
        assert c.get("/api/streams").status_code == 200
    assert head(url) == 2


def test_invalid_events_are_422_with_the_cli_messages(client: TestClient, url: str, tmp_path: Path) -> None:
    bad = investments("ok-", 1) + investments("bad-", 1)
    bad[1]["data"]["money"]["amount"] = 1.5
    bad.append({"id": "typo", "type": "InvestmentMade", "effective_date": "2020-02-30", "source": {"title": "t"},
                "data": {"investor": "microsoft", "investee": "openai", "money": {"amount": "1", "currency": "usd"}}})
    response = client.post("/api/events", content=jsonl(bad), headers=bearer(WRITE_TOKEN))
    assert response.status_code == 422
    doc = response.json()
    assert doc["error"].endswith("nothing was written")
    assert {(p["index"], p["id"]) for p in doc["problems"]} == {(1, "bad-0"), (2, "typo")}
    path = tmp_path / "bad.jsonl"
    path.write_bytes(jsonl(bad))
    cli = CliRunner().invoke(cli_app, ["--db", url, "append", str(path)])
    assert cli.exit_code == 2
    from ledger.errors import Problem

    for p in doc["problems"]:
        assert str(Problem(p["index"], p["id"], p["field"], p["message"])) in cli.stderr
    assert head(url) == 2


def test_conflicts_are_409_and_write_nothing(client: TestClient, url: str) -> None:
    assert client.post("/api/events", content=jsonl(investments("c-", 1, stream="s")),
                       headers=bearer(WRITE_TOKEN)).status_code == 201
    changed = investments("c-", 1, stream="s", amount="2")
    response = client.post("/api/events", content=jsonl(changed), headers=bearer(WRITE_TOKEN))
    assert response.status_code == 409 and "different content" in response.json()["error"]
    stale = client.post("/api/events?expected_version=0&stream=s", content=jsonl(investments("d-", 1, stream="s")),
                        headers=bearer(WRITE_TOKEN))
    assert stale.status_code == 409 and "version 1" in stale.json()["error"]
    ok = client.post("/api/events?expected_version=1", content=jsonl(investments("d-", 1, stream="s")),
                     headers=bearer(WRITE_TOKEN))
    assert ok.status_code == 201 and ok.json()["streams"] == {"s": 2}
    assert client.post("/api/events?expected_version=-1", content=b"[]", headers=bearer(WRITE_TOKEN)).status_code == 400
    assert head(url) == 4


def test_a_recorded_by_from_another_token_is_other_content(client: TestClient, url: str) -> None:
    batch = jsonl(investments("who-", 1))
    assert client.post("/api/events", content=batch, headers=bearer(WRITE_TOKEN)).status_code == 201
    assert client.post("/api/events", content=batch, headers=bearer(OTHER_WRITE_TOKEN)).status_code == 409
    assert head(url) == 3


def test_bodies_past_max_body_are_413_by_header_and_by_count(client: TestClient, url: str) -> None:
    big = jsonl(investments("big-", 400))
    assert len(big) > 64 * 1024
    assert client.post("/api/events", content=big, headers=bearer(WRITE_TOKEN)).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
        for i in range(0, len(big), 4096):
            yield big[i:i + 4096]

    streamed = client.post("/api/events", content=chunks(), headers=bearer(WRITE_TOKEN))
    assert streamed.status_code == 413 and "limit of 65536 bytes" in streamed.json()["error"]
    assert head(url) == 2


def test_private_servers_need_a_token_everywhere_and_the_cookie_only_reads(url: str, tokens: Path) -> None:
    with TestClient(create_app(url, token_file=tokens, private=True), raise_server_exceptions=False) as c:
        for path in ("/api/state", "/api/meta", "/openapi.json", "/static/app.css"):
            assert c.get(path).status_code == 401, path
        assert c.get("/", follow_redirects=False).headers["location"] == "/login"
        assert c.get("/login").status_code == 200
        assert c.get("/api/streams", headers=bearer(READ_TOKEN)).status_code == 200
        assert c.post("/login", data={"token": "wrong-wrong-wrong-wrong"}).status_code == 401
        login = c.post("/login", data={"token": WRITE_TOKEN}, follow_redirects=False)
        assert login.status_code == 303
        cookie = login.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
        assert c.get("/").status_code == 200 and c.get("/api/streams").status_code == 200
        write = c.post("/api/events", content=jsonl(investments("ck-", 1)))  # cookie alone: no write
        assert write.status_code == 401
        assert c.cookies.get(COOKIE) == WRITE_TOKEN
    assert head(url) == 2
    with pytest.raises(LedgerError, match="--private needs"):
        create_app(url, private=True)


def test_tokens_are_kept_as_digests_and_never_logged(client: TestClient, tokens: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    loaded = Tokens.load(tokens)
    dumped = pickle.dumps(loaded.__dict__)
    for token in (WRITE_TOKEN, READ_TOKEN, OTHER_WRITE_TOKEN):
        assert token.encode() not in dumped
    assert loaded.check(WRITE_TOKEN) is not None and loaded.check(WRITE_TOKEN + "x") is None
    with caplog.at_level(logging.DEBUG):
        client.post("/api/events", content=b"[", headers=bearer(WRITE_TOKEN))
        client.post("/api/events", content=b"[]", headers=bearer(READ_TOKEN))
        client.get("/api/state", headers=bearer("z" * 40))
    logged = caplog.text + repr([r.__dict__ for r in caplog.records])
    assert WRITE_TOKEN not in logged and READ_TOKEN not in logged and "z" * 40 not in logged


@pytest.mark.parametrize(("text", "message"), [
    ("short write alice\n", "line 1: the token is shorter"),
    (f"{WRITE_TOKEN} admin alice\n", "line 1: role must be read or write"),
    (f"# c\n\n{WRITE_TOKEN} write a\n{WRITE_TOKEN} read b\n", "line 4: this token is already"),
    (f"{WRITE_TOKEN} write\n", "line 1: expected `token role name`"),
])
def test_token_file_mistakes_name_the_line_not_the_token(text: str, message: str) -> None:
    with pytest.raises(LedgerError, match=message) as caught:
        Tokens.parse(text)
    assert WRITE_TOKEN not in str(caught.value) and "short" not in str(caught.value).split(":")[0]


def test_serve_refuses_a_bad_token_file_and_an_uninitialised_database(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("tooshort write x\n")
    db = f"sqlite:///{tmp_path}/x.db"
    result = CliRunner().invoke(cli_app, ["--db", db, "serve", "--token-file", str(tmp_path / "t.txt")])
    assert result.exit_code == 2 and "line 1" in result.stderr and "tooshort" not in result.stderr
    result = CliRunner().invoke(cli_app, ["--db", db, "serve"])
    assert result.exit_code == 2 and "init" in result.stderr


def test_errors_leak_no_internals(client: TestClient) -> None:
    for response in (client.post("/api/events", content=b"\xff\xfe", headers=bearer(WRITE_TOKEN)),
                     client.get("/api/explain/stakes/" + "x" * 2000), client.get("/api/nothing-here")):
        assert response.status_code in (400, 404)
        assert_clean(response.text)
