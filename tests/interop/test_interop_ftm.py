"""FollowTheMoney export: every line loads with ``model.get_proxy`` keeping every value written,
references resolve within the export and fit FtM's ranges, and the mapping says what the state says."""

from __future__ import annotations

import io
import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from followthemoney import model
from followthemoney.util import make_entity_id
from typer.testing import CliRunner

from ledger import Ledger
from ledger.cli import app
from ledger.cli.demo import dataset
from ledger.interop import export_ftm
from ledger.interop.ftm import FtmRejected, check_entity


def _export(lg: Ledger, **query: Any) -> list[dict[str, Any]]:
    buf = io.BytesIO()
    count = export_ftm(lg, buf, **query)
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert len(lines) == count
    return lines


def pid(party: str) -> str:
    return make_entity_id("alliance-ledger", "party", party)  # type: ignore[return-value]


@pytest.fixture
def demo(ledger: Ledger) -> Ledger:
    ledger.append(dataset())
    return ledger


def test_every_line_is_accepted_by_followthemoney_unchanged(demo: Ledger) -> None:
    for as_of in (None, "2019-08-01", "2023-11-20"):
        for data in _export(demo, as_of=as_of):
            proxy = model.get_proxy(data, cleaned=False)
            assert proxy.schema.name == data["schema"] and proxy.id == data["id"]
            kept = proxy.to_dict()["properties"]
            assert {k: sorted(v) for k, v in kept.items()} == {k: sorted(v) for k, v in data["properties"].items()}


@pytest.mark.parametrize("as_of", [None, "2023-11-20"])  # in 2023 OpenAI, which is owned, was a nonprofit
def test_references_resolve_and_fit_the_schema_ranges(demo: Ledger, as_of: str | None) -> None:
    entities = _export(demo, as_of=as_of)
    schema_of = {e["id"]: e["schema"] for e in entities}
    assert len(schema_of) == len(entities), "ids are unique"
    refs = 0
    for e in entities:
        schema = model.get(e["schema"])
        for name, values in e["properties"].items():
            prop = schema.get(name)
            if prop.type.name != "entity":
                continue
            for value in values:
                refs += 1
                assert value in schema_of, (e["schema"], name, value)
                assert model.get(schema_of[value]).is_a(prop.range), (e["schema"], name, schema_of[value])
    assert refs > 50


def test_the_mapping_follows_the_state(demo: Ledger) -> None:
    state = demo.state().to_dict()
    entities = _export(demo)
    by_schema = Counter(e["schema"] for e in entities)
    events = {e["id"]: e for e in dataset()}
    persons = [p for p in state["parties"] if p["kind"] == "person"]
    assert by_schema["Person"] == len(persons)
    assert by_schema["Company"] + by_schema["Organization"] + by_schema["PublicBody"] == len(state["parties"]) - len(persons)
    investments = [e for s in state["stakes"] for e in s["evidence"] if events[e]["type"] == "InvestmentMade"]
    assert by_schema["Payment"] == len(investments) >= 5
    assert by_schema["CourtCase"] == len(state["legal_actions"])
    assert by_schema["CourtCaseParty"] == sum(len(c["plaintiffs"]) + len(c["defendants"]) for c in state["legal_actions"])
    assert by_schema["Contract"] == len(state["rights"]) + len(state["agreements"])
    pairs = sum(len(p["parties"]) * (len(p["parties"]) - 1) // 2 for p in state["partnerships"])
    assert by_schema["UnknownLink"] == pairs
    issuers = {s["issuer"] for s in state["stakes"] if s["stake"]}
    assert all(e["schema"] == "Company" for e in entities if e["id"] in {pid(i) for i in issuers})

    owned = [e for e in entities if e["schema"] == "Ownership" and e["properties"]["owner"] == [pid("microsoft")]]
    current = [e for e in owned if "endDate" not in e["properties"]]
    stake = next(s for s in state["stakes"] if (s["holder"], s["issuer"]) == ("microsoft", "openai"))
    assert len(current) == 1 and current[0]["properties"]["percentage"] == [stake["stake"]["exact"]]
    setter = events[current[0]["properties"]["recordId"][0]]
    assert setter["type"] == "StakeChanged" and current[0]["properties"]["startDate"] == [setter["effective_date"]]
    assert current[0]["properties"]["sourceUrl"] == [setter["source"]["url"]]

    payments = [e for e in entities if e["schema"] == "Payment" and e["properties"]["payer"] == [pid("microsoft")]]
    total = sum(Decimal(p["properties"]["amount"][0]) for p in payments)
    assert total == Decimal(stake["invested"][0]["amount"])


def test_roles_become_one_directorship_per_term(demo: Ledger) -> None:
    entities = _export(demo)
    terms = sorted((e["properties"].get("startDate", [None])[0], e["properties"].get("endDate", [None])[0])
                   for e in entities if e["schema"] == "Directorship"
                   and e["properties"]["director"] == [pid("sam-altman")] and e["properties"]["role"] == ["board-member"])
    removed = next(e for e in dataset() if e["id"] == "openai-2023-11-17-altman-board-removed")
    rejoined = next(e for e in dataset() if e["id"] == "openai-2024-03-08-altman-rejoins-board")
    assert terms == [("2015-12-11", removed["effective_date"]), (rejoined["effective_date"], None)]


def test_provenance_every_entity_cites_its_events(demo: Ledger) -> None:
    entities = _export(demo)
    articles = {e["id"]: e for e in entities if e["schema"] == "Article"}
    known = {e["id"] for e in dataset()}
    for e in entities:
        if e["schema"] == "Article":
            assert any(note.split(":")[0].split()[-1] in known for note in e["properties"]["notes"])
            continue
        proofs = e["properties"]["proof"]
        assert proofs and all(p in articles for p in proofs)
        if model.get(e["schema"]).get("recordId") is not None:
            assert set(e["properties"]["recordId"]) <= known


def test_a_copy_read_elsewhere_is_named(ledger: Ledger) -> None:
    source = {"url": "https://example.com/original", "title": "Original", "publisher": "Example",
              "retrieved_from": "https://archive.example.org/copy", "retrieved_at": "2025-01-02"}
    ledger.append([{"id": "reg-acme", "type": "PartyRegistered", "effective_date": "2020-01-01", "source": source,
                    "data": {"party": "acme", "name": "Acme", "kind": "company"}}])
    entities = {e["schema"]: e for e in _export(ledger)}
    article, company = entities["Article"], entities["Company"]
    assert article["id"] == make_entity_id("alliance-ledger", "event", "reg-acme")
    assert "retrieved from https://archive.example.org/copy" in article["properties"]["notes"]
    assert article["properties"]["retrievedAt"] == ["2025-01-02"] == company["properties"]["retrievedAt"]
    assert company["properties"]["sourceUrl"] == ["https://example.com/original"]
    assert company["properties"]["proof"] == [article["id"]]


def test_export_is_deterministic_and_dated(demo: Ledger) -> None:
    assert _export(demo, as_of="2024-06-01") == _export(demo, as_of="2024-06-01")
    early = _export(demo, as_of="2019-08-01")
    names = {n for e in early if e["schema"] in ("Company", "Organization") for n in e["properties"]["name"]}
    assert "SoftBank Group Corp." not in names and "Microsoft Corporation" in names
    assert [e["properties"]["date"] for e in early if e["schema"] == "Payment"] == [["2019-07-22"]]


def test_check_entity_refuses_what_ftm_would_drop() -> None:
    good = {"id": "x1", "schema": "Ownership", "properties": {"owner": ["a1"], "asset": ["b1"], "percentage": ["27"]}}
    check_entity(good)
    for bad in ({**good, "properties": {**good["properties"], "sourceUrl": ["not a url"]}},
                {**good, "properties": {**good["properties"], "shareholders": ["a1"]}}):
        with pytest.raises(FtmRejected):
            check_entity(bad)


def test_cli_export_ftm_writes_the_same_lines(demo: Ledger, tmp_path: Any) -> None:
    out = tmp_path / "x.ftm.jsonl"
    result = CliRunner().invoke(app, ["--db", demo.url, "export", "--format", "ftm", "--as-of", "2024-06-01",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line) for line in out.read_text().splitlines()] == _export(demo, as_of="2024-06-01")
    bad = CliRunner().invoke(app, ["--db", demo.url, "export", "--format", "ftm", "--as-of", "2024-13-01"])
    assert bad.exit_code == 2
