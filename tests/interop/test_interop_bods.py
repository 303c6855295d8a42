"""BODS 0.4: the export validates with libcovebods; the published examples import and fold to
the holdings their statements declare; our export imports back into the same stakes and roles.

Expected holdings are read from the example files here, independently of the importer: on each
statementDate, a record says what its latest statement (dated that day or before) says.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from events import period_end
from ledger import Ledger
from ledger.cli.demo import dataset
from ledger.errors import ValidationError
from ledger.interop import export_bods, import_bods
from tests.bods_examples import example_path
from tests.bods_validate import validate

ROLE_OF = {"boardMember": "board-member", "boardChair": "chair"}


def example(name: str) -> tuple[str, bytes]:
    return name, example_path(name).read_bytes()


def statements(name: str) -> list[dict[str, Any]]:
    return json.loads(example(name)[1])


def declared(stmts: list[dict[str, Any]], day: str) -> tuple[dict[tuple[str, str], Decimal], set[tuple[str, str, str]]]:
    """Holdings and board roles the statements declare on ``day``: per relationship record, its
    latest statement dated on or before ``day``; a closed record or an ended interest holds nothing."""
    latest: dict[str, dict[str, Any]] = {}
    for s in sorted(stmts, key=lambda s: s["statementDate"]):
        if s["recordType"] == "relationship" and s["statementDate"][:10] <= day:
            latest[s["recordId"]] = s
    stakes, roles = {}, set()
    for s in latest.values():
        d = s["recordDetails"]
        pair = (d["interestedParty"].lower(), d["subject"].lower())
        for i in d["interests"]:
            ended = s["recordStatus"] == "closed" or bool(i.get("endDate") and i["endDate"] <= day)
            if i["type"] == "shareholding":
                stakes[pair] = Decimal(0) if ended else Decimal(str(i["share"]["exact"]))
            elif i["type"] in ROLE_OF and not ended:
                roles.add((*pair, ROLE_OF[i["type"]]))
    return stakes, roles


def held(lg: Ledger, day: str) -> tuple[dict[tuple[str, str], Decimal], set[tuple[str, str, str]]]:
    state = lg.state(as_of=day).to_dict()
    stakes = {(s["holder"], s["issuer"]): Decimal(s["stake"]["exact"]) for s in state["stakes"] if s["stake"]}
    roles = {(r["person"], r["organization"], r["role"]) for r in state["roles"] if r["status"] == "active"}
    return stakes, roles


@pytest.mark.parametrize("name", ["tecido.json", "fermcat.json"])
def test_published_examples_fold_to_the_holdings_their_statements_declare(ledger: Ledger, name: str) -> None:
    stmts = statements(name)
    done = import_bods(ledger, [example(name)])
    assert done.result.appended == len(done.events) > 0
    days = sorted({s["statementDate"][:10] for s in stmts})
    assert len(days) >= 4
    for day in days:
        want_stakes, want_roles = declared(stmts, day)
        got_stakes, got_roles = held(ledger, day)
        assert {k: v for k, v in got_stakes.items() if v} == {k: v for k, v in want_stakes.items() if v}, day
        assert got_roles == want_roles, day


def test_an_interest_counts_from_its_start_date_and_ends_on_its_end_date(ledger: Ledger) -> None:
    """fermcat: the record of Declan's 50% is new on 2021-09-11 with startDate 2021-04-03, the
    date from which Riyadh's 50% and board seat ended (endDate)."""
    stmts = statements("fermcat.json")
    new = next(s for s in stmts if s["recordType"] == "relationship" and s["recordStatus"] == "new"
               and s["statementDate"] > "2021")
    start = new["recordDetails"]["interests"][0]["startDate"]
    ended = next(s for s in stmts if s["recordType"] == "relationship" and s["recordStatus"] == "closed")
    end = ended["recordDetails"]["interests"][0]["endDate"]
    assert start == end == "2021-04-03"
    import_bods(ledger, [example("fermcat.json")])
    before, _ = held(ledger, "2021-04-02")
    after, roles_after = held(ledger, start)
    newcomer = (new["recordDetails"]["interestedParty"].lower(), new["recordDetails"]["subject"].lower())
    leaver = (ended["recordDetails"]["interestedParty"].lower(), ended["recordDetails"]["subject"].lower())
    assert newcomer not in before and after[newcomer] == Decimal(str(new["recordDetails"]["interests"][0]["share"]["exact"]))
    assert before[leaver] == Decimal(50) and after[leaver] == 0
    assert (*leaver, "board-member") not in roles_after


def test_an_update_restating_an_old_start_date_takes_effect_on_its_statement_date(ledger: Ledger) -> None:
    """fermcat's buy-out: the 2022-01-21 statement gives 100% with the 2019 startDate; the 2021
    statements said 50%, so 50% must stand until 2022-01-21."""
    stmts = statements("fermcat.json")
    buyout = next(s for s in stmts if any((i.get("share") or {}).get("exact") == 100
                                          for i in s["recordDetails"].get("interests", [])))
    pair = (buyout["recordDetails"]["interestedParty"].lower(), buyout["recordDetails"]["subject"].lower())
    import_bods(ledger, [example("fermcat.json")])
    assert held(ledger, "2022-01-20")[0][pair] == 50
    assert held(ledger, buyout["statementDate"][:10])[0][pair] == 100


@pytest.mark.parametrize("together", [True, False])
def test_bods_03_examples_upgrade_and_update(ledger: Ledger, together: bool) -> None:
    first, update = statements("1-single-direct.json"), statements("2-single-update.json")
    assert first[0]["publicationDetails"]["bodsVersion"] == "0.3"
    files = [example("1-single-direct.json"), example("2-single-update.json")]
    if together:
        done = import_bods(ledger, files)
        warnings = done.warnings
    else:
        import_bods(ledger, files[:1])
        warnings = import_bods(ledger, files[1:]).warnings
    rel0 = next(s for s in first if s["statementType"] == "ownershipOrControlStatement")
    rel1 = next(s for s in update if s["statementType"] == "ownershipOrControlStatement"
                and "describedByPersonStatement" in s["interestedParty"])
    pair = (rel0["interestedParty"]["describedByPersonStatement"], rel0["subject"]["describedByEntityStatement"])
    assert held(ledger, rel0["statementDate"])[0] == {pair: Decimal(str(rel0["interests"][0]["share"]["exact"]))}
    assert held(ledger, rel1["statementDate"])[0] == {pair: Decimal(str(rel1["interests"][0]["share"]["exact"]))}
    assert any("unspecified interestedParty" in w for w in warnings)
    person = next(p for p in ledger.state().to_dict()["parties"] if p["kind"] == "person")
    assert (person["name"], person["aliases"]) == ("Christopher Taggart", ["Chris Taggart"])


def test_reimporting_the_same_files_appends_nothing(ledger: Ledger) -> None:
    first = import_bods(ledger, [example("tecido.json")])
    head = ledger.store.count()
    again = import_bods(ledger, [example("tecido.json")])
    assert first.result.appended > 0 and again.result.appended == 0 and ledger.store.count() == head


def _demo(lg: Ledger) -> None:
    lg.append(dataset())


def test_demo_export_validates_with_libcovebods(ledger: Ledger, tmp_path: Path) -> None:
    _demo(ledger)
    for as_of, known_at in ((None, None), ("2023-11-20", None), ("2025-02-01", 60)):
        path = tmp_path / f"demo-{as_of}-{known_at}.json"
        with path.open("wb") as fh:
            warnings = export_bods(ledger, fh, as_of=as_of, known_at=known_at)
        assert any(w.endswith("partnerships not exported: BODS has no interest type for a commercial partnership")
                   for w in warnings) and any("investments not exported" in w for w in warnings)
        report = validate(path)
        assert report["version"] == "0.4"
        assert report["schema_errors"] == [] and report["additional_checks"] == [], report
        assert report["additional_fields"] == {} and report["identifiers"] == 0
    stmts = json.loads((tmp_path / "demo-None-None.json").read_text())
    types = {i["type"] for s in stmts for i in s["recordDetails"].get("interests", [])}
    assert {"shareholding", "boardMember", "boardChair", "seniorManagingOfficial", "rightsGrantedByContract"} <= types


def test_the_validator_is_not_vacuous(ledger: Ledger, tmp_path: Path) -> None:
    """A broken copy of our export must fail: a partial interest date and a share over 100."""
    _demo(ledger)
    buf = io.BytesIO()
    export_bods(ledger, buf)
    stmts = json.loads(buf.getvalue())
    rel = next(s for s in stmts if s["recordId"] == "microsoft/openai")
    rel["recordDetails"]["interests"][0]["startDate"] = "2023-01"
    rel["recordDetails"]["interests"][0]["share"] = {"exact": 132.5}
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(stmts))
    assert len(validate(path)["schema_errors"]) >= 2


def test_export_keeps_ranges_history_and_date_precision(ledger: Ledger) -> None:
    """As known before a correction: a rumoured 30-35% range, known to the month, is the open interest."""
    src = {"url": "https://example.org/report", "title": "A report", "published_at": "2025-07"}
    ledger.append([
        {"id": "reg-m", "type": "PartyRegistered", "effective_date": "1975", "source": src,
         "data": {"party": "microsoft", "name": "Microsoft", "kind": "company"}},
        {"id": "reg-o", "type": "PartyRegistered", "effective_date": "2015", "source": src,
         "data": {"party": "openai", "name": "OpenAI", "kind": "capped_profit"}},
        {"id": "stake-49", "type": "StakeChanged", "effective_date": "2023-01-23", "certainty": "reported",
         "source": src, "data": {"holder": "microsoft", "issuer": "openai", "stake": {"exact": "49"}}},
        {"id": "stake-range", "type": "StakeChanged", "effective_date": "2025-07", "certainty": "rumored",
         "source": src, "data": {"holder": "microsoft", "issuer": "openai", "stake": {"min": "30", "max": "35"}}},
    ])
    ledger.append([{"id": "stake-27", "type": "StakeChanged", "effective_date": "2025-07", "certainty": "confirmed",
                    "corrects": "stake-range", "source": src,
                    "data": {"holder": "microsoft", "issuer": "openai", "stake": {"exact": "27"}}}])
    buf = io.BytesIO()
    export_bods(ledger, buf, as_of="2025-09-01", known_at=4)
    rel = next(s for s in json.loads(buf.getvalue()) if s["recordId"] == "microsoft/openai")
    stakes = [i for i in rel["recordDetails"]["interests"] if "share" in i]
    assert stakes[-1]["share"] == {"minimum": 30, "maximum": 35}
    assert stakes[-1]["startDate"] == "2025-07-01" and "endDate" not in stakes[-1]
    assert stakes[-2]["endDate"] == "2025-07-01"
    index = rel["recordDetails"]["interests"].index(stakes[-1])
    notes = {(a["statementPointerTarget"], a["description"]) for a in rel["annotations"]}
    assert (f"/recordDetails/interests/{index}/startDate",
            "rounded from 2025-07: the ledger knows this date only to that precision") in notes
    assert (f"/recordDetails/interests/{index}", "certainty: rumored") in notes
    buf = io.BytesIO()
    export_bods(ledger, buf, as_of="2025-09-01")  # as known now: the correction's 27%
    rel = next(s for s in json.loads(buf.getvalue()) if s["recordId"] == "microsoft/openai")
    assert [i["share"] for i in rel["recordDetails"]["interests"] if "share" in i][-1] == {"exact": 27}


def test_round_trip_gives_the_same_stakes_roles_and_rights(ledger: Ledger, tmp_path: Path) -> None:
    _demo(ledger)
    buf = io.BytesIO()
    export_bods(ledger, buf)
    with Ledger.open(f"sqlite:///{tmp_path}/copy.db", init=True) as copy:
        done = import_bods(copy, [("demo.json", buf.getvalue())])
        assert done.warnings == []
        days = sorted({period_end(e["effective_date"]) for e in dataset()})
        for day in days:
            a, b = ledger.state(as_of=day).to_dict(), copy.state(as_of=day).to_dict()
            assert _stakes(a) == _stakes(b), day
            assert _keys(a, "roles", "person", "organization", "role", "status") == \
                _keys(b, "roles", "person", "organization", "role", "status"), day
            assert _keys(a, "rights", "right", "holder", "grantor", "status") == \
                _keys(b, "rights", "right", "holder", "grantor", "status"), day
        now_a, now_b = ledger.state().to_dict(), copy.state().to_dict()
        assert _keys(now_a, "parties", "party", "name", "kind", "controlled_by") == \
            _keys(now_b, "parties", "party", "name", "kind", "controlled_by")
        assert _keys(now_a, "rights", "right", "kind", "scope") == _keys(now_b, "rights", "right", "kind", "scope")
        # dates known only to the month come back with that precision (BODS carries them as annotations)
        assert _keys(now_a, "roles", "person", "role", "since", "updated") == \
            _keys(now_b, "roles", "person", "role", "since", "updated")
        assert ("elon-musk", "board-member", "2015-12-11", "2018-02") in _keys(now_b, "roles", "person", "role", "since",
                                                                              "updated")
        assert len(_stakes(now_a)) >= 3 and len(now_a["roles"]) >= 8


def _stakes(state: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(s["holder"], s["issuer"], json.dumps(s["stake"], sort_keys=True)) for s in state["stakes"] if s["stake"]}


def _keys(state: dict[str, Any], section: str, *fields: str) -> set[tuple[Any, ...]]:
    return {tuple(item[f] for f in fields) for item in state[section]}


def test_bad_statements_are_rejected_naming_statement_record_and_field(ledger: Ledger) -> None:
    stmts = statements("tecido.json")
    rel = next(s for s in stmts if s["recordType"] == "relationship")
    rel["recordDetails"]["interests"][0]["share"] = {"exact": 120}
    index = stmts.index(rel)
    with pytest.raises(ValidationError) as caught:
        import_bods(ledger, [("bad.json", json.dumps(stmts).encode())])
    text = str(caught.value)
    assert f"bad.json statement {index + 1} (recordId {rel['recordId']!r})" in text
    assert "recordDetails.interests[0].share.exact" in text and "nothing was written" in text
    assert ledger.store.count() == 0


def test_unheld_interests_are_reported_not_dropped_silently(ledger: Ledger) -> None:
    done = import_bods(ledger, [example("tecido.json")])
    assert any(w.startswith("votingRights interest not imported") for w in done.warnings)
    kinds = {e["type"] for e in done.events}
    assert kinds == {"PartyRegistered", "StakeChanged", "RoleChanged"}


def test_cli_import_and_export_bods(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ledger.cli import app

    db = f"sqlite:///{tmp_path}/cli.db"
    tecido = tmp_path / "tecido.json"
    tecido.write_bytes(example("tecido.json")[1])
    run = CliRunner().invoke
    dry = run(app, ["--db", db, "import", "--format", "bods", "--dry-run", str(tecido)])
    assert dry.exit_code == 0, dry.output
    planned = [json.loads(line) for line in dry.stdout.splitlines() if line.startswith("{")]
    assert not (tmp_path / "cli.db").exists() and len(planned) > 5  # a dry run writes nothing, not even a file
    done = run(app, ["--db", db, "import", "--format", "BODS", str(tecido)])
    assert done.exit_code == 0, done.output
    with Ledger.open(db) as lg:
        assert [e["id"] for e in lg.events()] == [e["id"] for e in planned]
    out = tmp_path / "out.json"
    exported = run(app, ["--db", db, "export", "--format", "bods", "--as-of", "2023-03-03", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    report = validate(out)
    assert report["schema_errors"] == report["additional_checks"] == [] and report["additional_fields"] == {}

    stmts = statements("tecido.json")
    stmts[2]["statementDate"] = "20 January 2019"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(stmts))
    refused_dry = run(app, ["--db", str(tmp_path / "never.db"), "import", "--format", "bods", str(bad), "--dry-run"])
    assert refused_dry.exit_code == 2 and not (tmp_path / "never.db").exists()  # a dry run leaves no file
    refused = run(app, ["--db", db, "import", "--format", "bods", str(bad)])
    assert refused.exit_code == 2
    assert f"bad.json statement 3 (recordId {stmts[2]['recordId']!r}): statementDate" in refused.output
    assert run(app, ["--db", db, "import", "--format", "bods", str(tmp_path / "missing.json")]).exit_code == 2
    assert run(app, ["--db", db, "import", str(tecido), str(bad)]).exit_code == 2


def _st(sid: str, day: str, record: str, kind: str, details: dict[str, Any], status: str = "new") -> dict[str, Any]:
    return {"statementId": sid * 32, "statementDate": day, "recordId": record, "recordType": kind,
            "recordStatus": status, "declarationSubject": "e", "recordDetails": {"isComponent": False, **details},
            "publicationDetails": {"publicationDate": day, "bodsVersion": "0.4", "publisher": {"name": "t"}}}


def test_what_the_ledger_cannot_hold_is_reported(ledger: Ledger) -> None:
    stmts = [
        _st("a", "2020-01-01", "e", "entity", {"entityType": {"type": "registeredEntity"}, "name": "E Ltd"}),
        _st("b", "2020-01-01", "p", "person", {"personType": "anonymousPerson",
                                               "unspecifiedPersonDetails": {"reason": "subjectExemptFromDisclosure"}}),
        _st("c", "2020-01-01", "q", "person", {"personType": "knownPerson", "names": [{"fullName": "Q"}]}),
        _st("d", "2020-01-01", "r1", "relationship", {"subject": "e", "interestedParty": "p", "interests": [
            {"type": "shareholding", "share": {"exclusiveMinimum": 25, "maximum": 50}, "startDate": "2019-05-01"},
            {"type": "trustee", "startDate": "2019-05-01"}]}),
        _st("f", "2020-01-01", "r2", "relationship", {"subject": "e", "interestedParty": {"reason": "unknown"},
                                                      "interests": [{"type": "shareholding", "share": {"exact": 20}}]}),
        _st("g", "2020-01-01", "r3", "relationship", {"subject": "e", "interestedParty": "q", "interests": [
            {"type": "shareholding", "directOrIndirect": "indirect", "share": {"exact": 10}}]}),
    ]
    done = import_bods(ledger, [("odd.json", json.dumps(stmts).encode())])
    state = ledger.state(as_of="2020-01-01").to_dict()
    assert [(s["holder"], s["stake"]) for s in state["stakes"]] == [("p", {"basis": "equity", "min": "25", "max": "50"})]
    assert ledger.state(as_of="2019-04-30").to_dict()["stakes"] == []
    text = "\n".join(done.warnings)
    for expected in ("exclusive share bounds imported as inclusive", "trustee interest not imported",
                     "unspecified interestedParty (unknown)", "indirect interest not imported", "placeholder name"):
        assert expected in text
    assert {p["party"]: p["name"] for p in state["parties"]}["p"] == "anonymousPerson p"


def test_bods_03_replacement_by_another_holder_closes_the_replaced_pair(ledger: Ledger) -> None:
    def pub(day: str) -> dict[str, Any]:
        return {"publicationDate": day, "bodsVersion": "0.3", "publisher": {"name": "t"}}

    stmts = [
        {"statementID": "ent", "statementType": "entityStatement", "statementDate": "2018-01-01",
         "entityType": "registeredEntity", "name": "E", "publicationDetails": pub("2018-01-01")},
        *({"statementID": who, "statementType": "personStatement", "statementDate": "2018-01-01",
           "personType": "knownPerson", "names": [{"type": "individual", "fullName": who.upper()}],
           "publicationDetails": pub("2018-01-01")} for who in ("x", "y")),
        {"statementID": "old", "statementType": "ownershipOrControlStatement", "statementDate": "2018-01-01",
         "subject": {"describedByEntityStatement": "ent"}, "interestedParty": {"describedByPersonStatement": "x"},
         "interests": [{"type": "shareholding", "share": {"exact": 100}, "startDate": "2017-06-01"}],
         "publicationDetails": pub("2018-01-01")},
        {"statementID": "new", "statementType": "ownershipOrControlStatement", "statementDate": "2019-03-01",
         "subject": {"describedByEntityStatement": "ent"}, "interestedParty": {"describedByPersonStatement": "y"},
         "interests": [{"type": "shareholding", "share": {"exact": 100}, "startDate": "2019-02-15"}],
         "replacesStatements": ["old"], "publicationDetails": pub("2019-03-01")},
    ]
    import_bods(ledger, [("sale.json", json.dumps(stmts).encode())])
    assert held(ledger, "2019-02-14")[0] == {("x", "ent"): 100}
    # y's is a new record: it counts from its start date; x's ends when its statement is replaced
    assert held(ledger, "2019-02-15")[0] == {("x", "ent"): 100, ("y", "ent"): 100}
    assert held(ledger, "2019-03-01")[0] == {("x", "ent"): 0, ("y", "ent"): 100}
