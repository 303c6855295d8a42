"""The JSON API answers with exactly the bytes the CLI prints for ``--format json`` (SPEC §10),
on SQLite and PostgreSQL, and maps the library's errors to 400/404/409/422 documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from ledger import Ledger
from ledger.cli import app as cli_app
from ledger.server import create_app
from tests.serverkit import WRITE_TOKEN, bearer, engine_url, jsonl, load_demo, token_file

runner = CliRunner()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with engine_url(request.param, tmp_path_factory.mktemp("api")) as url:
        load_demo(url)
        yield url


@pytest.fixture(scope="module")
def client(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tokens = token_file(tmp_path_factory.mktemp("tokens") / "tokens.txt")
    with TestClient(create_app(demo_url, token_file=tokens), raise_server_exceptions=False) as c:
        yield c


def cli_json(url: str, *args: str) -> str:
    result = runner.invoke(cli_app, ["--db", url, *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return result.stdout


SAME = [
    (["state", "--as-of", "2024-06-01"], "/api/state?as_of=2024-06-01"),
    (["state", "--as-of", "2025-11-01", "--known-at", "40", "--party", "microsoft", "--min-certainty", "reported",
      "--active"], "/api/state?as_of=2025-11-01&known_at=40&party=microsoft&min_certainty=reported&active=true"),
    (["diff", "2023-01-01", "2025-11-01", "--party", "microsoft"], "/api/diff?from=2023-01-01&to=2025-11-01&party=microsoft"),
    (["diff", "2023-01-01", "2025-11-01", "--known-at", "60"], "/api/diff?from=2023-01-01&to=2025-11-01&known_at=60"),
    (["diff", "--as-of", "2025-01-01", "--known-at", "10", "--known-at", "60"],
     "/api/diff?as_of=2025-01-01&known_at=10&known_at=60"),
    (["history"], "/api/history"),
    (["history", "--party", "openai", "--type", "RoleChanged", "--type", "PartyRegistered", "--from", "2023-11",
      "--to", "2023-12", "--limit", "5"],
     "/api/history?party=openai&type=RoleChanged&type=PartyRegistered&from=2023-11&to=2023-12&limit=5"),
    (["history", "--stream", "microsoft-openai", "--since", "100"], "/api/history?stream=microsoft-openai&since=100"),
    (["explain", "stakes:microsoft/openai", "--as-of", "2025-11-01"], "/api/explain/stakes/microsoft/openai?as_of=2025-11-01"),
    (["explain", "rights:msft-azure-exclusive-cloud", "--as-of", "2024-01-01", "--known-at", "50"],
     "/api/explain/rights/msft-azure-exclusive-cloud?as_of=2024-01-01&known_at=50"),
    (["streams"], "/api/streams"),
    (["verify"], "/api/verify"),
]


@pytest.mark.parametrize(("args", "path"), SAME, ids=[" ".join(a[:2]) for a, _ in SAME])
def test_every_read_route_is_byte_identical_to_the_cli(client: TestClient, demo_url: str, args: list[str],
                                                       path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.content.decode() == cli_json(demo_url, *args)


def test_event_route_is_the_library_document_with_its_withdrawals(client: TestClient, demo_url: str) -> None:
    with Ledger.open(demo_url) as lg:
        corrected = next(e for e in lg.history()["events"] if e["corrected_by"])
        expected = lg.event(corrected["id"]).to_json() + "\n"
    response = client.get(f"/api/events/{corrected['id']}")
    assert response.status_code == 200 and response.text == expected
    doc = response.json()
    assert doc["corrected_by"] == corrected["corrected_by"] and doc["hash"] == corrected["hash"]
    correction = client.get(f"/api/events/{doc['corrected_by']}").json()
    assert correction["corrects"] == corrected["id"] and correction["corrected_by"] is None


def test_append_dry_run_answers_as_the_cli(client: TestClient, demo_url: str, tmp_path: Path) -> None:
    new = [{"id": "api-dry-1", "type": "InvestmentMade", "effective_date": "2026-01-05", "stream": "microsoft-openai",
            "source": {"title": "t"}, "data": {"investor": "microsoft", "investee": "openai",
                                               "money": {"amount": "5", "currency": "USD"}}}]
    path = tmp_path / "new.jsonl"
    path.write_bytes(jsonl(new))
    expected = cli_json(demo_url, "append", str(path), "--dry-run", "--positions")
    response = client.post("/api/events?dry_run=true", content=jsonl(new), headers=bearer(WRITE_TOKEN))
    assert response.status_code == 200 and response.text == expected
    assert json.loads(expected)["dry_run"] is True


def test_openapi_lists_the_routes(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    for route in ("/api/state", "/api/diff", "/api/history", "/api/explain/{section}/{key}", "/api/trail/{section}/{key}",
                  "/api/events/{event_id}", "/api/streams", "/api/verify", "/api/events"):
        assert route in doc["paths"], route
    assert "post" in doc["paths"]["/api/events"]
    assert client.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


def test_errors_are_json_documents_with_problems(client: TestClient) -> None:
    bad_date = client.get("/api/state?as_of=2024-13-01")
    assert bad_date.status_code == 400
    assert bad_date.json()["problems"][0]["field"] == "as_of" and "2024-13-01" in bad_date.json()["problems"][0]["message"]
    assert client.get("/api/state?min_certainty=sure").json()["problems"][0]["field"] == "min_certainty"
    assert client.get("/api/history?type=Nope").status_code == 400
    assert client.get("/api/history?from=2023-1").json()["problems"][0]["field"] == "from"
    assert client.get("/api/diff?from=2023-01-01").status_code == 400
    unknown = client.get("/api/events/no-such-event")
    assert unknown.status_code == 404 and unknown.json() == {"error": "no event with id 'no-such-event' in this ledger",
                                                             "problems": []}
    typo = client.get("/api/explain/stakes/microsoft/openaj")
    assert typo.status_code == 404 and "microsoft/openai" in typo.json()["error"]
    assert client.get("/api/explain/nosection/x").status_code == 400


def test_an_item_known_at_another_date_is_not_a_404(client: TestClient) -> None:
    early = client.get("/api/explain/stakes/microsoft/openai?as_of=2010-01-01")
    assert early.status_code == 200 and early.json()["item"] is None


def test_trail_route_is_the_librarys_trail(client: TestClient, demo_url: str) -> None:
    response = client.get("/api/trail/stakes/microsoft/openai?field=stake")
    with Ledger.open(demo_url) as lg:
        expected = lg.trail("stakes:microsoft/openai", field="stake").to_json() + "\n"
    assert response.status_code == 200 and response.text == expected
    typo = client.get("/api/trail/stakes/microsoft/openaj")
    assert typo.status_code == 404 and "did you mean stakes:microsoft/openai" in typo.json()["error"]


def test_search_finds_stargate_first_and_meta_frames_the_slider(client: TestClient) -> None:
    found = client.get("/api/search?q=Stargate").json()
    assert found["items"][0] == {"section": "partnerships", "key": "stargate", "label": found["items"][0]["label"],
                                 "status": "active", "certainty": found["items"][0]["certainty"]}
    assert "stargate-2025-01-21-formed" in [e["id"] for e in found["events"]]
    assert client.get("/api/search?q=microsoft").json()["parties"][0]["key"] == "microsoft"
    meta = client.get("/api/meta").json()
    assert meta["first_date"] == "2015-12-11" and meta["head"]["position"] == sum(r["count"] for r in meta["recordings"])
    assert [r["position"] for r in meta["recordings"]] == sorted(r["position"] for r in meta["recordings"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31)),
       known=st.one_of(st.none(), st.integers(0, 140)), certainty=st.sampled_from(["rumored", "reported", "confirmed"]),
       party=st.sampled_from([None, "microsoft", "openai", "oracle"]), active=st.booleans())
def test_any_state_query_over_http_equals_the_cli(client: TestClient, demo_url: str, day: date, known: int | None,
                                                  certainty: str, party: str | None, active: bool) -> None:
    args = ["state", "--as-of", day.isoformat(), "--min-certainty", certainty]
    query: dict[str, str] = {"as_of": day.isoformat(), "min_certainty": certainty}
    if known is not None:
        args += ["--known-at", str(known)]
        query["known_at"] = str(known)
    if party:
        args += ["--party", party]
        query["party"] = party
    if active:
        args.append("--active")
        query["active"] = "true"
    response = client.get("/api/state", params=query)
    assert response.status_code == 200 and response.text == cli_json(demo_url, *args)


def test_the_whole_state_streamed_from_a_checkpoint_is_the_cli_bytes(client: TestClient, demo_url: str) -> None:
    """After ``rebuild`` the current state is read straight from the latest checkpoint, as a
    streamed response: the same bytes as the CLI (which streams it too) and as the state folded whole."""
    with Ledger.open(demo_url) as lg:
        lg.rebuild(3)
        assert lg.stream_state(as_of="2030-01-01").streamed
        whole = lg.state(as_of="2030-01-01").to_json() + "\n"
    response = client.get("/api/state?as_of=2030-01-01")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.content.decode() == whole == cli_json(demo_url, "state", "--as-of", "2030-01-01")
    active = client.get("/api/state?as_of=2030-01-01&active=true").content.decode()
    assert active == cli_json(demo_url, "state", "--as-of", "2030-01-01", "--active")
