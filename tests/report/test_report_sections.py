"""The report's partnerships, agreements, legal actions and roles sections, and its legend looks.

The sections are checked against the ledger itself, never against written-down answers: on the
bundled Microsoft–OpenAI dataset, each section's table lists exactly the items
``lg.state(as_of=D)`` lists, with the same status, at every date where one of them changes (and
the day before), read back from the rendered page (the periods' ``data-from``/``data-to``), also
for a one-party report. Each row's events are the item's evidence, each linked to its source
only when that is an http(s) URL, with ``retrieved_from`` as "(read at ...)". Hostile text in
these sections is escaped, in the tables and in the chart JSON. No two legend entries of a
rendered report look the same (colour, dash, symbol), with more series than the palette has
colours.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from events import date_sort_key, period_end
from ledger import Ledger
from ledger.cli.demo import dataset
from ledger.report.build import build_report
from ledger.report.palette import CERTAINTY_STYLE, SERIES_COLORS, STATUS_COLORS, STRUCK_COLOR
from projections import item_key
from tests.samples import SRC, party

SECTIONS = {"partnerships": "partnerships-table", "agreements": "agreements-table",
            "legal_actions": "legal-actions-table", "roles": "roles-table"}
TYPES = {"partnerships": ("PartnershipFormed", "PartnershipAmended", "PartnershipEnded"),
         "agreements": ("AgreementSigned",), "legal_actions": ("LegalActionFiled", "LegalActionUpdated"),
         "roles": ("RoleChanged",)}
CHART_OF = {"partnerships": "partnerships", "agreements": "agreements", "legal_actions": "cases", "roles": "roles"}


class _Rows(HTMLParser):
    """The rows of the section tables: key, status, periods, and per event its links."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self._table: str | None = None
        self._row: dict[str, Any] | None = None
        self._event: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") in SECTIONS.values():
            self._table = a["id"]
            self.tables[self._table] = []
        elif self._table and tag == "tr" and "data-key" in a:
            self._row = {"key": a["data-key"], "status": a["data-status"], "periods": [], "events": []}
            self.tables[self._table].append(self._row)
        elif self._row is not None and tag == "li" and "data-status" in a:
            self._row["periods"].append((a["data-status"], a["data-from"], a["data-to"]))
        elif self._row is not None and tag == "li" and "data-event" in a:
            self._event = {"id": a["data-event"], "hrefs": []}
            self._row["events"].append(self._event)
        elif self._event is not None and tag == "a":
            self._event["hrefs"].append(a.get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tr":
            self._row = None
        elif tag == "li":
            self._event = None


def rows_of(text: str) -> dict[str, list[dict[str, Any]]]:
    parser = _Rows()
    parser.feed(text)
    return {section: parser.tables[table] for section, table in SECTIONS.items()}


def status_on(row: dict[str, Any], day: str) -> str | None:
    """What the page says the item's status is on ``day`` (None: the item did not exist yet)."""
    found = [status for status, start, end in row["periods"] if start <= day < end]
    assert len(found) <= 1, (row["key"], day, found)
    return found[0] if found else None


def charts_of(text: str) -> dict[str, Any]:
    found = re.findall(r'<script type="application/json" data-chart="chart-(\w+)">(.*?)</script>', text, re.S)
    return {name: json.loads(body) for name, body in found}


def window_end(text: str) -> str:
    match = re.search(r'id="as-of-range">(\S+) → (\S+)</b>', text)
    assert match
    return match[2]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Ledger, Path]]:
    folder = tmp_path_factory.mktemp("real")
    with Ledger.open(f"sqlite:///{folder}/real.db", init=True) as lg:
        lg.append(dataset())
        yield lg, folder


def _check_dates(lg: Ledger, section: str, end: str) -> list[str]:
    """Every date where an item of ``section`` can change, the day before each, and the window's end."""
    days = {end}
    for e in lg.events(types=list(TYPES[section])):
        day = date_sort_key(e["effective_date"])
        days |= {day, (date.fromisoformat(day) - timedelta(days=1)).isoformat()}
        if e["data"].get("until"):
            last = period_end(e["data"]["until"])
            days |= {last, (date.fromisoformat(last) + timedelta(days=1)).isoformat()}
    return sorted(d for d in days if d <= end)


def assert_sections_match_state(lg: Ledger, text: str, who: str | None = None) -> int:
    """The page's four section tables against ``lg.state``: the items at the window's end with
    their status, and every item's status at each date where one can change. Returns how many
    (item, date) statuses were compared."""
    end = window_end(text)
    rows = rows_of(text)
    compared = 0
    for section in SECTIONS:
        by_key = {row["key"]: row for row in rows[section]}
        assert len(by_key) == len(rows[section]), f"{section}: a key is listed twice"
        final = {item_key(section, i): i for i in lg.state(as_of=end, party=who).to_dict()[section]}
        assert set(by_key) == set(final), section
        for key, item in final.items():
            assert by_key[key]["status"] == item["status"], (section, key)
        for day in _check_dates(lg, section, end):
            state = {item_key(section, i): i["status"] for i in lg.state(as_of=day, party=who).to_dict()[section]}
            page = {key: status_on(row, day) for key, row in by_key.items()}
            assert {k: v for k, v in page.items() if v is not None} == state, (section, day)
            compared += len(state)
    return compared


@pytest.mark.parametrize(("who", "since"), [(None, None), ("microsoft", None), ("sam-altman", None), (None, "2024")])
def test_sections_list_what_the_state_lists(real: tuple[Ledger, Path], who: str | None, since: str | None) -> None:
    """Also for a window that starts late: periods that began before it keep their true start."""
    lg, folder = real
    text = build_report(lg, folder / f"report-{who}-{since}.html", party=who, date_from=since).read_text(encoding="utf-8")
    compared = assert_sections_match_state(lg, text, who)
    assert compared > (100 if who is None else 10)  # the dataset has items in every section


def test_every_item_lists_its_events_with_their_sources(real: tuple[Ledger, Path]) -> None:
    lg, folder = real
    text = build_report(lg, folder / "sources.html").read_text(encoding="utf-8")
    end = window_end(text)
    envs = {e["id"]: e for e in lg.events()}
    drawn = set(re.findall(r'<tr id="ev-([^"]+)"', text))
    rows = rows_of(text)
    read_at = 0
    for section in SECTIONS:
        final = {item_key(section, i): i for i in lg.state(as_of=end).to_dict()[section]}
        for row in rows[section]:
            assert [e["id"] for e in row["events"]] == final[row["key"]]["evidence"], (section, row["key"])
            for ev in row["events"]:
                src = envs[ev["id"]]["source"]
                expected = [f"#ev-{ev['id']}"] if ev["id"] in drawn else []  # its row in the event table
                expected += [u for u in (src.get("url"), src.get("retrieved_from")) if u and re.match("https?://", u)]
                assert ev["hrefs"] == expected, (section, ev)
                read_at += bool(src.get("retrieved_from"))
    assert read_at > 0  # the dataset reads some of these sources in a copy: shown as "(read at ...)"
    assert text.count("(read at") >= read_at
    hovers = {h for chart in charts_of(text).values() for t in chart["data"] for h in t.get("hovertext") or ()
              if isinstance(h, str)}
    copies = [e for e in envs.values() if e["source"].get("retrieved_from") and e["id"] in drawn]
    assert copies
    for e in copies:  # its row in the event table and its hover on the timeline name both addresses
        url, copy = e["source"]["url"], e["source"]["retrieved_from"]
        row = re.search(rf'<tr id="ev-{re.escape(e["id"])}".*?</tr>', text, re.S)
        assert row and f'href="{html.escape(url)}"' in row[0] and "(read at" in row[0], e["id"]
        assert f'href="{html.escape(copy)}"' in row[0], e["id"]
        url_text, copy_text = html.escape(url[:80], quote=False), html.escape(copy[:80], quote=False)
        assert any(url_text in h and f"(read at <i>{copy_text}" in h for h in hovers), e["id"]


def test_new_charts_draw_every_item_and_event(real: tuple[Ledger, Path]) -> None:
    lg, folder = real
    text = build_report(lg, folder / "charts.html").read_text(encoding="utf-8")
    charts = charts_of(text)
    rows = rows_of(text)
    drawn = set(re.findall(r'<tr id="ev-([^"]+)"', text))  # the events in the event table (the window)
    for section, name in CHART_OF.items():
        chart = charts[name]
        assert chart["layout"]["xaxis"]["type"] == "date"
        lanes = chart["layout"]["yaxis"]["categoryarray"]
        assert len(lanes) == len(rows[section]) > 0, section
        marked = {c[0] for t in chart["data"] if t["type"] == "scatter" for c in t["customdata"]}
        events = {e["id"] for row in rows[section] for e in row["events"]}
        assert marked == events & drawn, section  # one mark per event in the window
        statuses = {t["name"] for t in chart["data"] if t["type"] == "bar"}
        assert statuses == {row_status for row in rows[section] for row_status, _, _ in row["periods"]}, section


# -- hostile text ------------------------------------------------------------------------------

EVIL = '<script>alert("x")</script>'
EVIL_SRC = {"url": "javascript:alert(1)", "title": f"{EVIL} title", "publisher": "<img src=x onerror=alert(2)>",
            "retrieved_from": "javascript:alert(3)"}


def hostile_events() -> list[dict[str, Any]]:
    src_read = {**SRC, "retrieved_from": "https://mirror.example.org/copy?a=1&b=<2>"}
    return [
        party("microsoft", "1975-04-04"), party("openai", "2015-12-11", kind="nonprofit"),
        party("ftc", "1914-09-26", kind="government"), party("altman", "1985-04-22", kind="person"),
        {"id": "p1", "type": "PartnershipFormed", "effective_date": "2019-07-22", "source": EVIL_SRC,
         "data": {"partnership": "p-evil", "parties": ["microsoft", "openai"], "kind": "cloud_compute",
                  "summary": f"{EVIL} summary", "terms": {"note": f"{EVIL} term"}, "until": "2021"}},
        {"id": "a1", "type": "AgreementSigned", "effective_date": "2019-07-22", "source": src_read,
         "data": {"agreement": "a-evil", "parties": ["microsoft", "openai"], "title": f"{EVIL} agreement",
                  "binding": False, "summary": f"{EVIL} agreed"}},
        {"id": "c1", "type": "LegalActionFiled", "effective_date": "2024-01-25", "source": EVIL_SRC,
         "data": {"case": "c-evil", "kind": "lawsuit", "plaintiffs": ["ftc"], "defendants": ["microsoft"],
                  "court": f"{EVIL} court", "claim": f"{EVIL} claim"}},
        {"id": "c2", "type": "LegalActionUpdated", "effective_date": "2024-06-01", "source": SRC,
         "data": {"case": "c-evil", "status": "settled", "summary": f"{EVIL} settled"}},
        {"id": "r1", "type": "RoleChanged", "effective_date": "2019-03", "source": EVIL_SRC,
         "data": {"person": "altman", "organization": "openai", "role": "ceo", "change": "appointed"}},
    ]


def test_hostile_text_in_the_new_sections_is_escaped(tmp_path: Path) -> None:
    with Ledger.open(f"sqlite:///{tmp_path}/evil.db", init=True) as lg:
        lg.append(hostile_events())
        text = build_report(lg, tmp_path / "evil.html").read_text(encoding="utf-8")
        assert_sections_match_state(lg, text)  # an until that passed ends the partnership on its day
    lowered = text.lower()
    assert "<script>alert" not in lowered and "<img src=x" not in lowered
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", lowered)
    for word in ("summary", "term", "agreement", "agreed", "court", "claim", "settled", "title"):
        assert f"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; {word}" in text, word  # shown, as text
    assert "javascript:alert(3)" in text  # a non-http retrieved_from is shown, never linked
    assert 'href="https://mirror.example.org/copy?a=1&amp;b=&lt;2&gt;"' in text
    charts = charts_of(text)
    assert {"partnerships", "agreements", "cases", "roles"} <= set(charts)
    for name, body in re.findall(r'data-chart="chart-(\w+)">(.*?)</script>', text, re.S):
        assert "<" not in body and ">" not in body, name  # chart JSON cannot close its script element
    for name in ("partnerships", "agreements", "cases"):
        hover = json.dumps(charts[name])
        assert "&lt;script&gt;alert" in hover and "<script>" not in hover, name  # plotly gets escaped text
    rows = rows_of(text)
    assert [p[:2] for p in rows["partnerships"][0]["periods"]] == [("active", "2019-07-22"), ("ended", "2022-01-01")]


def test_lane_labels_escape_their_text() -> None:
    """Lane labels are built from slugs today, but they are chart text all the same."""
    from ledger.report.lifecharts import lane_label

    label = lane_label("<img src=x>", "<script>alert(1)</script>")
    assert "<img" not in label and "<script" not in label and "&lt;img src=x&gt;" in label


# -- legends -----------------------------------------------------------------------------------

def legend_entries(chart: dict[str, Any]) -> list[tuple[str, tuple[Any, ...]]]:
    """(name, look) of each trace the legend shows; the look is what the legend draws for it."""
    out = []
    for t in chart["data"]:
        if t.get("showlegend") is False:
            continue
        marker, line, mode = t.get("marker", {}), t.get("line", {}), t.get("mode", "")
        if t["type"] == "bar":
            look = (marker.get("color"), None, "bar")
        elif "lines" in mode:
            look = (line.get("color"), line.get("dash", "solid"), marker.get("symbol") if "markers" in mode else None)
        else:
            look = (marker.get("color"), None, marker.get("symbol"))
        out.append((t["name"], look))
    return out


def assert_legends_distinct(text: str) -> dict[str, list[tuple[str, tuple[Any, ...]]]]:
    """Within a chart, no two legend entries look alike; across the page, one look has one name
    (the same status is drawn the same way in every chart: that is not a clash)."""
    entries = {name: legend_entries(chart) for name, chart in charts_of(text).items()}
    names_of: dict[tuple[Any, ...], set[str]] = {}
    for chart, found in entries.items():
        looks = [look for _, look in found]
        assert len(looks) == len(set(looks)), f"{chart}: two legend entries look alike: {found}"
        for name, look in found:
            names_of.setdefault(look, set()).add(name)
    clashes = {look: names for look, names in names_of.items() if len(names) > 1}
    assert not clashes, clashes
    return entries


def test_legend_entries_of_the_sample_report_are_distinct(tmp_path: Path) -> None:
    from tests.report.test_report import sample_events

    with Ledger.open(f"sqlite:///{tmp_path}/s.db", init=True) as lg:
        lg.append(sample_events())
        text = build_report(lg, tmp_path / "s.html").read_text(encoding="utf-8")
    entries = assert_legends_distinct(text)
    assert {"timeline", "money", "rights", "partnerships", "agreements", "cases", "roles"} <= set(entries)
    assert len(entries["money"]) >= 3  # investment and stakes of one pair: each its own look


def many_pairs(n: int) -> list[dict[str, Any]]:
    out = [party("openai", "2000-01-01", kind="nonprofit")]
    for i in range(n):
        investor = f"investor-{i:02d}"
        out += [party(investor, "2000-01-01"),
                {"id": f"inv-{i}", "type": "InvestmentMade", "effective_date": f"20{10 + i % 15}-01-01",
                 "source": SRC, "data": {"investor": investor, "investee": "openai",
                                         "money": {"amount": str(1000 + i), "currency": "USD" if i % 3 else "EUR"}}},
                {"id": f"stake-{i}", "type": "StakeChanged", "effective_date": f"20{10 + i % 15}-01-01",
                 "source": SRC, "data": {"holder": investor, "issuer": "openai", "stake": {"exact": str(i % 7 + 1)}}}]
    return out


def test_legend_entries_stay_distinct_past_the_palette(tmp_path: Path) -> None:
    with Ledger.open(f"sqlite:///{tmp_path}/m.db", init=True) as lg:
        lg.append(many_pairs(40))  # 80 series, eight times the palette
        text = build_report(lg, tmp_path / "m.html").read_text(encoding="utf-8")
    money = assert_legends_distinct(text)["money"]
    assert len(money) == 80
    colors = [look[0] for _, look in money]
    assert len(set(colors[: len(SERIES_COLORS)])) == len(SERIES_COLORS)  # a new colour while the palette lasts
    meanings = set(STATUS_COLORS.values()) | {s["color"] for s in CERTAINTY_STYLE.values()} | {STRUCK_COLOR}
    assert not set(colors) & meanings  # a series never takes a status's or a certainty's colour


def test_each_status_has_its_own_colour() -> None:
    assert len(set(STATUS_COLORS.values())) == len(STATUS_COLORS)
    from projections import STATUSES

    drawn = {s for name in ("rights", *SECTIONS) for s in STATUSES[name]}
    assert drawn <= set(STATUS_COLORS)
