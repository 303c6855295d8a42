"""The bundled dataset's sourcing rules, checked mechanically (issue 15; ledger/data/SOURCES.md).

A provenance tool whose own demo cites content farms is not trustworthy, so the rules a reviewer
would check by hand are checked here on every run:

- every event cites the *original* publication: an https URL whose host is not a copy, scraper or
  content farm (the blocklist below); a copy actually read goes in ``retrieved_from``, never in ``url``;
- ``publisher`` names the original publisher ("Reuters"), never "X (republished by Y)";
- certainty follows the rubric written in SOURCES.md for the kind of source (a filing, a regulator's
  or court's record, a company's own site, or the press);
- the raw JSON keeps the validation rules the store enforces (strict booleans, ISO-4217 codes, no
  negative money, no party twice, ASCII dates);
- the story SOURCES.md tells (its "Key dates" table) holds through the real Ledger, on both engines.

The host lists live here, not in SOURCES.md, so that adding a source of a new kind is a conscious
change to this file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from rich.console import Console

from events import CERTAINTY_RANK
from ledger import Ledger
from ledger.cli.demo import dataset, load

DATA_DIR = Path(__file__).parents[2] / "ledger" / "data"
DATA_FILE = DATA_DIR / "microsoft_openai.jsonl"
SOURCES_MD = DATA_DIR / "SOURCES.md"

BLOCKLIST = frozenset({
    # content farms and look-alike sites the dataset once cited
    "pakfaizal.com", "techbrunch.co", "solondais.fr", "cryptodnes.bg", "socialsamosa.com", "industriesnews.net",
    "globalindustries.mx", "warptechlab.com", "anyfans.com", "jobandnetwork.com", "centerconsulting.com",
    "311institute.com",
    # scrapers, mirrors and aggregators: acceptable as ``retrieved_from`` (where a text was read), never as the source
    "theoutpost.ai", "particle.news", "usaemall.com", "instametta.com", "cashwinner.info", "newsogle.com",
    "modeledge.ai", "theinformationmachine.fyi", "longform.social", "solarbaron.one", "go-vip.net", "justia.com",
    "wpnews.pro", "ainews247.org", "headtopics.com", "techquest.store", "wonderfulworld.click", "crypto-observer.com",
    "news.fyself.com", "rbtfl.xyz", "promtvault.app",
})
PRIMARY_RECORD_HOSTS = frozenset({"sec.gov", "gov.uk", "ftc.gov", "ec.europa.eu", "courtlistener.com", "uscourts.gov"})
COMPANY_HOSTS = frozenset({
    "openai.com", "microsoft.com", "group.softbank", "amd.com", "oracle.com", "nvidia.com", "aboutamazon.com",
    "amazon.com", "coreweave.com", "broadcom.com", "blog.google", "abc.xyz",
})
PUBLISHER_COPY_WORDS = re.compile(r"republish|reproduc|syndicat|citing|quoting|copy of|\bvia\b|\(", re.IGNORECASE)
ASCII_DATE = re.compile(r"\A[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?\Z")
ISO_4217_USED = frozenset({"USD", "EUR", "GBP", "JPY"})


def _events() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA_FILE.read_text(encoding="utf-8").splitlines()]


def _host_in(host: str, domains: frozenset[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def source_kind(url: str) -> str:
    """primary record (filing, regulator, court) | company (a party's own site) | press (everything else)."""
    host = urlsplit(url).hostname or ""
    if _host_in(host, PRIMARY_RECORD_HOSTS):
        return "primary record"
    if _host_in(host, COMPANY_HOSTS):
        return "company"
    return "press"


def _md_table(heading: str) -> list[list[str]]:
    """The rows of the first Markdown table after ``heading`` in SOURCES.md (header and rule dropped)."""
    text = SOURCES_MD.read_text(encoding="utf-8")
    start = text.index(heading)
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            rows.append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def rubric() -> dict[str, set[str]]:
    """Allowed certainties per source kind, read from SOURCES.md's rubric table."""
    table = {}
    for row in _md_table("## Certainty rubric"):
        table[row[0]] = {word for word in re.findall(r"[a-z]+", row[-1]) if word in CERTAINTY_RANK}
    return table


def test_every_event_cites_an_original_https_url_not_a_copy() -> None:
    problems = []
    for e in _events():
        url = e["source"].get("url")
        host = urlsplit(url).hostname if url else None
        if not url or not url.startswith("https://") or not host:
            problems.append(f"{e['id']}: no https url")
        elif _host_in(host, BLOCKLIST):
            problems.append(f"{e['id']}: {host} is a copy or content-farm site; cite the original and put this in retrieved_from")
    assert not problems, "\n".join(problems)


def test_publisher_is_the_original_publisher() -> None:
    bad = [(e["id"], e["source"].get("publisher")) for e in _events()
           if not e["source"].get("publisher") or PUBLISHER_COPY_WORDS.search(e["source"]["publisher"])]
    assert not bad, bad


def test_retrieved_from_is_another_https_copy() -> None:
    for e in _events():
        copy = e["source"].get("retrieved_from")
        if copy is not None:
            assert copy != e["source"]["url"], f"{e['id']}: retrieved_from repeats url"
            assert copy.startswith("https://"), e["id"]


def test_rubric_in_sources_md_covers_every_source_kind() -> None:
    table = rubric()
    assert set(table) == {"primary record", "company", "press"}
    assert table["primary record"] == table["company"] == {"announced", "confirmed"}
    assert "confirmed" not in table["press"] and {"rumored", "reported"} <= table["press"]


def test_certainty_follows_the_rubric_for_its_source_kind() -> None:
    """A filing or a company's own statement is at least ``announced``; ``confirmed`` needs a primary record
    or the company's own page; press reports are at most ``announced``. The existence of a party is not in
    doubt, so a PartyRegistered may be ``confirmed`` whatever source anchors its date."""
    table = rubric()
    problems = []
    for e in _events():
        kind = source_kind(e["source"]["url"])
        if e["type"] == "PartyRegistered" and kind == "press":
            continue
        if e["certainty"] not in table[kind]:
            problems.append(f"{e['id']}: {e['certainty']} from a {kind} source ({urlsplit(e['source']['url']).hostname})")
    assert not problems, "\n".join(problems)


def _walk(value: Any, path: str) -> Any:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    else:
        yield path, value


def test_raw_json_keeps_the_store_validation_rules() -> None:
    problems = []
    for e in _events():
        for path, value in _walk(e, e["id"]):
            leaf = path.rsplit(".", 1)[-1]
            if leaf in ("approximate", "binding") and type(value) is not bool:
                problems.append(f"{path}: {value!r} is not a JSON boolean")
            if leaf == "currency" and value not in ISO_4217_USED:
                problems.append(f"{path}: {value!r} is not an ISO-4217 code this dataset uses")
            if leaf == "amount" and str(value).startswith("-"):
                problems.append(f"{path}: negative money")
            if leaf in ("effective_date", "published_at", "until", "retrieved_at") and value is not None \
                    and not ASCII_DATE.match(value):
                problems.append(f"{path}: {value!r} is not an ASCII YYYY[-MM[-DD]] date")
        parties = e["data"].get("parties")
        if parties is not None and len(set(parties)) != len(parties):
            problems.append(f"{e['id']}: a party is listed twice")
    assert not problems, "\n".join(problems)


def test_every_source_url_is_listed_in_sources_md() -> None:
    text = SOURCES_MD.read_text(encoding="utf-8")
    missing = sorted({e["source"]["url"] for e in _events()} - set(re.findall(r"https://[^\s|)]+", text)))
    assert not missing, missing


def _render(item: dict[str, Any], field: str) -> str:
    value = item[field]
    if field == "stake":
        amount = value["exact"] if value.get("exact") is not None else f"{value['min']}-{value['max']}"
        return f"{amount} {value['basis']}"
    if field == "invested":
        return "; ".join(f"{'~' if m.get('approximate') else ''}{m['amount']} {m['currency']}" for m in value)
    return str(value)


def _find(state: dict[str, Any], item: str) -> dict[str, Any]:
    section, key = item.split(":", 1)
    fields = {"stakes": ("holder", "issuer"), "roles": ("person", "organization", "role")}.get(section)
    for candidate in state[section]:
        if fields is None:
            own = candidate[{"rights": "right", "parties": "party", "legal_actions": "case",
                             "partnerships": "partnership", "agreements": "agreement"}[section]]
        else:
            own = "/".join(candidate[f] for f in fields)
        if own == key:
            return candidate
    raise AssertionError(f"{item} is not in the state")


@pytest.fixture
def demo_ledger(ledger: Ledger) -> Ledger:
    load(ledger, dataset(), Console(quiet=True))
    return ledger


def test_key_dates_in_sources_md_hold_through_the_ledger(demo_ledger: Ledger) -> None:
    rows = _md_table("## Key dates")
    assert len(rows) >= 20, "SOURCES.md lost its key dates"
    states: dict[str, dict[str, Any]] = {}
    wrong = []
    for as_of, item, field, expected in rows:
        state = states.setdefault(as_of, demo_ledger.state(as_of=as_of).to_dict())
        got = _render(_find(state, item), field)
        if got != expected:
            wrong.append(f"{as_of} {item} {field}: SOURCES.md says {expected!r}, the ledger says {got!r}")
    assert not wrong, "\n".join(wrong)
