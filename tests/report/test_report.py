"""The HTML report: content, escaping, self-containment, the derived series, and a real render.

The render test takes a screenshot with Debian's headless Chromium (``/usr/bin/chromium``; it
skips with the reason when absent) with the network disabled, and checks the page is not blank
and that plotly drew all seven charts (timeline, money, rights, partnerships, agreements, legal
actions, roles).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger
from ledger.errors import ValidationError
from ledger.report.build import build_report, collect
from tests.samples import SRC, basic, investment, party

CHROMIUM = Path("/usr/bin/chromium")
DATASET = Path(__file__).resolve().parents[2] / "ledger" / "data" / "microsoft_openai.jsonl"
EVIL_TITLE = '<script>alert("pwned")</script> Microsoft & OpenAI "deal"'
EVIL_PUBLISHER = "<img src=x onerror=alert(1)>"
TODAY = "2025-11-25"


def _src(url: str, title: str, publisher: str = "Example", published_at: str | None = None) -> dict[str, Any]:
    out = {"url": url, "title": title, "publisher": publisher}
    if published_at:
        out["published_at"] = published_at
    return out


def sample_events() -> list[dict[str, Any]]:
    """The basic sample plus partial dates, a correction, a retraction, rights that end or are
    restricted, stakes (exact, range, a change of basis), several streams, and hostile text;
    a partnership, a role lost and regained, an agreement superseded and a case closed."""
    mo = "microsoft-openai"
    return [
        *basic(),
        party("oracle", "1977-06-16"),
        party("google", "1998-09-04"),
        party("altman", "1985-04-22", kind="person"),
        investment("inv-2021", "2021", "2000000000", certainty="reported"),
        investment("inv-2023", "2023-01", "12000000000", certainty="reported",
                   source=_src("javascript:alert(1)", EVIL_TITLE, EVIL_PUBLISHER)),
        {**investment("inv-2023-fix", "2023-01-23", "10000000000"), "corrects": "inv-2023",
         "source": _src("https://blogs.microsoft.com/blog/2023/01/23/microsoftandopenaiextendpartnership/",
                        "Microsoft and OpenAI extend partnership", "Microsoft", "2023-01-23")},
        {"id": "stake-2019", "type": "StakeChanged", "effective_date": "2019-07-22", "stream": mo,
         "certainty": "reported", "source": SRC,
         "data": {"holder": "microsoft", "issuer": "openai", "stake": {"exact": "49", "basis": "profit_share"}}},
        {"id": "stake-2024", "type": "StakeChanged", "effective_date": "2024-05", "stream": mo,
         "certainty": "rumored", "source": SRC,
         "data": {"holder": "microsoft", "issuer": "openai", "stake": {"min": "20", "max": "30"}}},
        {"id": "stake-2025", "type": "StakeChanged", "effective_date": "2025-10-28", "stream": mo,
         "certainty": "confirmed", "source": SRC,
         "data": {"holder": "microsoft", "issuer": "openai", "stake": {"exact": "27"}}},
        {"id": "azure-excl", "type": "RightGranted", "effective_date": "2019-07-22", "stream": mo,
         "certainty": "confirmed", "source": SRC,
         "data": {"right": "azure-exclusive", "holder": "microsoft", "grantor": "openai", "kind": "exclusive_cloud",
                  "scope": "Azure is OpenAI's exclusive cloud", "until": "2024"}},
        {"id": "observer", "type": "RightGranted", "effective_date": "2023-11-29", "stream": mo,
         "certainty": "announced", "source": SRC,
         "data": {"right": "board-observer", "holder": "microsoft", "grantor": "openai", "kind": "board_observer",
                  "scope": "non-voting observer seat"}},
        {"id": "observer-end", "type": "RightEnded", "effective_date": "2024-07-10", "stream": mo,
         "certainty": "confirmed", "source": SRC,
         "data": {"right": "board-observer", "reason": "Microsoft gives up its observer seat"}},
        {"id": "rofr", "type": "RightGranted", "effective_date": "2025-01-21", "stream": mo,
         "certainty": "reported", "source": SRC,
         "data": {"right": "compute-rofr", "holder": "microsoft", "grantor": "openai",
                  "kind": "right_of_first_refusal", "scope": "new compute capacity"}},
        {"id": "rofr-limit", "type": "RightRestricted", "effective_date": "2025-06-01", "stream": mo,
         "certainty": "reported", "source": SRC, "data": {"right": "compute-rofr", "reason": "<b>bold</b> claim"}},
        {"id": "oracle-deal", "type": "PartnershipFormed", "effective_date": "2024-06-11", "stream": "openai-oracle",
         "certainty": "announced", "source": _src("https://www.oracle.com/news/", "OpenAI selects Oracle", "Oracle"),
         "data": {"partnership": "oci-capacity", "parties": ["openai", "oracle"], "kind": "cloud_compute",
                  "summary": "Oracle Cloud Infrastructure extends Azure for OpenAI"}},
        investment("goog-rumor", "2024-02", "500000000", investor="google", stream="openai-google",
                   certainty="rumored"),
        {"id": "goog-retract", "type": "EventRetracted", "effective_date": "2024-03-01", "stream": "openai-google",
         "source": SRC, "data": {"target": "goog-rumor", "reason": "denied by both companies"}},
        {"id": "ceo-out", "type": "RoleChanged", "effective_date": "2023-11-17", "stream": "openai-governance",
         "certainty": "confirmed", "source": SRC,
         "data": {"person": "altman", "organization": "openai", "role": "ceo", "change": "removed"}},
        {"id": "ceo-back", "type": "RoleChanged", "effective_date": "2023-11-22", "stream": "openai-governance",
         "certainty": "confirmed", "source": SRC,
         "data": {"person": "altman", "organization": "openai", "role": "ceo", "change": "appointed"}},
        party("ftc", "1914-09-26", kind="government"),
        {"id": "deal-2019", "type": "AgreementSigned", "effective_date": "2019-07-22", "stream": mo,
         "certainty": "confirmed", "source": SRC,
         "data": {"agreement": "msft-openai-2019", "parties": ["microsoft", "openai"], "title": "2019 partnership",
                  "binding": True, "summary": "investment and exclusive computing partnership"}},
        {"id": "deal-2025", "type": "AgreementSigned", "effective_date": "2025-10-28", "stream": mo,
         "certainty": "confirmed", "source": SRC,
         "data": {"agreement": "msft-openai-2025", "parties": ["microsoft", "openai"], "title": "2025 agreement",
                  "binding": True, "summary": "definitive agreement", "supersedes": ["msft-openai-2019"]}},
        {"id": "ftc-filed", "type": "LegalActionFiled", "effective_date": "2024-01-25", "stream": "openai-regulatory",
         "certainty": "confirmed", "source": SRC,
         "data": {"case": "ftc-6b", "kind": "regulatory_inquiry", "plaintiffs": ["ftc"],
                  "defendants": ["microsoft", "openai"], "claim": "6(b) study of AI partnerships"}},
        {"id": "ftc-report", "type": "LegalActionUpdated", "effective_date": "2025-01-17",
         "stream": "openai-regulatory", "certainty": "confirmed", "source": SRC,
         "data": {"case": "ftc-6b", "status": "ruled", "summary": "staff report, no enforcement action"}},
    ]


@pytest.fixture
def lg(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(f"sqlite:///{tmp_path}/ledger.db", init=True) as ledger:
        ledger.append(sample_events())
        yield ledger


@pytest.fixture
def page(lg: Ledger, tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "out").mkdir()
    out = build_report(lg, tmp_path / "out" / "report.html", title="Microsoft & <OpenAI>")
    return out, out.read_text(encoding="utf-8")


def _charts(text: str) -> dict[str, Any]:
    found = re.findall(r'<script type="application/json" data-chart="chart-(\w+)">(.*?)</script>', text, re.S)
    return {name: json.loads(body) for name, body in found}


def test_report_lists_every_event_with_its_source(lg: Ledger, page: tuple[Path, str]) -> None:
    out, text = page
    assert out.exists() and out.name == "report.html"
    ids = [e["id"] for e in lg.events() if e["type"] != "PartyRegistered"]
    for event_id in ids:
        assert f'id="ev-{event_id}"' in text, event_id
    assert 'href="https://blogs.microsoft.com/blog/2023/01/23/microsoftandopenaiextendpartnership/"' in text
    assert ">Microsoft and OpenAI extend partnership</a>" in text
    assert re.search(r'id="ev-inv-2023" class="struck" data-status="corrected"', text)
    assert re.search(r'id="ev-goog-rumor" class="struck" data-status="retracted"', text)
    assert re.search(r'id="ev-inv-2023-fix" class="live"', text)
    head = lg.store.head()
    assert f'<b id="head-position">{head[0]}</b>' in text and head[1] in text
    assert '<b id="as-of-range">2019-07-22 → ' in text  # the default window starts at the first non-registration
    assert "all parties" in text
    assert "<title>Microsoft &amp; &lt;OpenAI&gt;</title>" in text


def test_report_escapes_user_text(page: tuple[Path, str]) -> None:
    _, text = page
    lowered = text.lower()
    assert "<script>alert" not in lowered
    assert "<img src=x" not in lowered
    assert "<b>bold</b>" not in text
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in text  # shown, as text, in the table
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", lowered)  # a javascript: source URL is never a link
    for name, body in re.findall(r'data-chart="chart-(\w+)">(.*?)</script>', text, re.S):
        assert "<" not in body and ">" not in body, name  # chart JSON cannot close its script element
    hover = json.dumps(_charts(text)["timeline"])
    assert "&lt;script&gt;alert" in hover  # plotly is given escaped text too


def test_report_is_self_contained(page: tuple[Path, str]) -> None:
    _, text = page
    lowered = text.lower()
    tags = re.findall(r"<script\b[^>]*>", lowered)
    charts = ("agreements", "cases", "money", "partnerships", "rights", "roles", "timeline")
    assert sorted(set(tags)) == [f'<script type="application/json" data-chart="chart-{name}">' for name in charts] + [
        "<script>"]
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", lowered, flags=re.S)  # page, not code
    assert not re.search(r"<link\b", markup)
    assert not re.search(r"<(img|iframe|object|embed|audio|video|source|base)\b", markup)
    assert "@import" not in markup
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", markup)
    assert not re.search(r"\bsrc\s*=\s*['\"]?(https?:)?//", lowered)
    assert "Plotly.newPlot" in text and len(text) > 1_000_000  # plotly.js is inlined


def test_partial_dates_sit_at_the_start_of_their_period(lg: Ledger, page: tuple[Path, str]) -> None:
    data = collect(lg, today=TODAY)
    by_id = {e.id: e for e in data.events}
    year, month = by_id["inv-2021"], by_id["inv-2023"]
    assert (year.effective, year.start, year.end, year.precision) == ("2021", "2021-01-01", "2021-12-31", "year")
    assert (month.effective, month.start, month.end, month.precision) == ("2023-01", "2023-01-01", "2023-01-31", "month")
    assert [e.id for e in data.events][:3] == ["inv-2019", "agi", "stake-2019"]  # fold order
    _, text = page
    assert re.search(r'<td class="mono" title="placed at 2021-01-01">2021</td>', text)
    timeline = _charts(text)["timeline"]
    placed = {}
    for trace in timeline["data"]:
        for x, custom in zip(trace.get("x", []), trace.get("customdata", []), strict=False):
            placed[custom[0]] = x
    assert placed["inv-2021"] == "2021-01-01" and placed["inv-2023"] == "2023-01-01"
    assert placed["inv-2019"] == "2019-07-22"
    periods = next(t for t in timeline["data"] if t["name"].startswith("period"))
    assert "2021-01-01" in periods["x"] and "2022-01-01" in periods["x"]  # the bar covers the whole year
    hover = next(t for t in timeline["data"] if t["name"] == "reported")["hovertext"]
    assert any("2021 (known to the year; placed at 2021-01-01)" in h for h in hover)


def test_series_follow_the_fold(lg: Ledger) -> None:
    data = collect(lg, today=TODAY)
    assert (data.start, data.end) == ("2019-07-22", TODAY)
    usd = data.investments[("microsoft", "openai", "USD")]
    assert [(p.date, p.total) for p in usd] == [
        ("2019-07-22", Decimal("1000000000")), ("2021-01-01", Decimal("3000000000")),
        ("2023-01-23", Decimal("13000000000")),  # the correction replaced the 12B report
    ]
    assert usd[-1].events == ("inv-2023-fix",)
    assert ("google", "openai", "USD") not in data.investments  # retracted
    profit = data.stakes[("microsoft", "openai", "profit_share")]
    assert [(p.date, p.low) for p in profit] == [("2019-07-22", Decimal(49)), ("2024-05-01", None)]
    equity = data.stakes[("microsoft", "openai", "equity")]
    assert [(p.date, p.low, p.high, p.exact) for p in equity] == [
        ("2024-05-01", Decimal(20), Decimal(30), False), ("2025-10-28", Decimal(27), Decimal(27), True)]
    rights = {r.right: [(s.status, s.start, s.end) for s in r.segments] for r in data.rights}
    stop = "2025-11-26"
    assert rights["azure-exclusive"] == [("active", "2019-07-22", "2025-01-01"), ("ended", "2025-01-01", stop)]
    assert rights["board-observer"] == [("active", "2023-11-29", "2024-07-10"), ("ended", "2024-07-10", stop)]
    assert rights["compute-rofr"] == [("active", "2025-01-21", "2025-06-01"), ("restricted", "2025-06-01", stop)]
    assert rights["gpt3-license"] == [("active", "2020-09-22", stop)]
    assert [r.right for r in data.rights][0] == "azure-exclusive"  # ordered by first segment
    ended = next(s for s in data.rights[0].segments if s.status == "ended")
    assert ended.item["ended_by"] == "until" and ended.item["ended_on"] == "2024-12-31"
    assert data.counts == {"shown": len(data.events), "corrected": 1, "retracted": 1}


def test_rights_chart_draws_segments_on_a_date_axis(page: tuple[Path, str]) -> None:
    rights = _charts(page[1])["rights"]
    by_status = {t["name"]: t for t in rights["data"]}
    assert set(by_status) == {"active", "restricted", "ended"}
    assert rights["layout"]["xaxis"]["type"] == "date"
    restricted = by_status["restricted"]
    end = date.fromisoformat(re.search(r'id="as-of-range">\S+ → (\S+)</b>', page[1])[1])  # type: ignore[index]
    days = (end - date(2025, 6, 1)).days + 1  # through the window's last day
    assert restricted["base"] == ["2025-06-01"] and restricted["x"] == [days * 86_400_000]
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in restricted["hovertext"][0]
    assert restricted["marker"]["pattern"]["shape"] == ["/"]  # resting on reported evidence


def test_filter_by_party_and_window(lg: Ledger, tmp_path: Path) -> None:
    data = collect(lg, party="oracle", date_from="2024", date_to="2024-12", today=TODAY)
    assert (data.start, data.end) == ("2024-01-01", "2024-12-31")
    assert [e.id for e in data.events] == ["oracle-deal"]
    assert data.before_window == 1  # oracle's registration
    assert not data.investments and not data.rights
    text = build_report(lg, tmp_path / "o.html", party="oracle", date_from="2024", date_to="2024-12").read_text()
    assert 'id="filter">party <b>oracle</b> · from 2024 · to 2024-12' in text
    assert 'id="ev-inv-2019"' not in text and 'id="ev-oracle-deal"' in text
    assert "No investments or stakes recorded for this filter." in text
    window = collect(lg, date_from="2023-11", date_to="2023-11-30", today=TODAY)
    assert [e.id for e in window.events] == ["ceo-out", "ceo-back", "observer"]
    assert {e.id for e in collect(lg, date_from="2021-06", date_to="2021-06", today=TODAY).events} == {"inv-2021"}


def test_bad_windows_are_refused(lg: Ledger, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="date_from"):
        build_report(lg, tmp_path / "x.html", date_from="2024-13")
    with pytest.raises(ValidationError, match="date_to"):
        build_report(lg, tmp_path / "x.html", date_from="2024", date_to="2023")
    assert not (tmp_path / "x.html").exists()


def test_empty_ledger(tmp_path: Path) -> None:
    with Ledger.open(f"sqlite:///{tmp_path}/empty.db", init=True) as empty:
        text = build_report(empty, tmp_path / "empty.html").read_text()
    assert '<b id="head-position">0</b>' in text
    assert "No events in this window." in text and 'data-chart="' not in text


# -- rendering in a real browser ----------------------------------------------------------------

def _png_pixels(path: Path) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes): width, height, bytes
    per pixel and the unfiltered rows. Pure Python (zlib), so the test needs no imaging library."""
    raw = path.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos:pos + 4])
        kind, body = raw[pos + 4:pos + 8], raw[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
    bpp = 3 if color == 2 else 4
    data = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = data[start], bytearray(data[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 0xFF
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                up, corner = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        prev = bytes(line)
        rows.append(prev)
    return width, height, bpp, rows


def _keep(shot: Path, name: str) -> None:
    """Copy a screenshot to $REPORT_SCREENSHOT_DIR when set, for a person to look at."""
    folder = os.environ.get("REPORT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(folder) / name)


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    base = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--hide-scrollbars",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",  # no network: must work offline
            f"--user-data-dir={profile}", "--virtual-time-budget=15000"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=180, check=False)


def screenshot(page: Path, shot: Path, tmp: Path) -> None:
    """Render ``page`` in headless Chromium, network off, into ``shot`` (1400×2000)."""
    result = _chromium([f"--screenshot={shot}", "--window-size=1400,2000", page.resolve().as_uri()], tmp / "profile")
    assert shot.exists(), f"chromium wrote no screenshot: {result.stderr[-2000:]}"


def test_report_renders_in_headless_chromium(page: tuple[Path, str], tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        reason = "headless render needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
        if os.environ.get("ALLIANCE_LEDGER_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    out, _ = page
    shot = tmp_path / "shot.png"
    screenshot(out, shot, tmp_path)
    _keep(shot, "alliance-ledger-report-test.png")
    width, height, bpp, rows = _png_pixels(shot)
    assert (width, height) == (1400, 2000)
    background = rows[5][:bpp]
    pixels = width * height
    differ = sum(1 for row in rows for j in range(0, len(row), bpp) if row[j:j + bpp] != background)
    colors = {row[j:j + 3] for row in rows for j in range(0, len(row), bpp)}
    assert differ / pixels > 0.03, f"only {differ / pixels:.1%} of the page differs from the background"
    assert len(colors) > 10, f"only {len(colors)} colours: the charts did not draw"
    dom = _chromium(["--dump-dom", out.resolve().as_uri()], tmp_path / "profile2").stdout
    drawn = set(re.findall(r'<div class="chart[^"]*" id="chart-(\w+)"[^>]*>\s*<div class="plot-container', dom))
    assert drawn == {"timeline", "money", "rights", "partnerships", "agreements", "cases", "roles"}, drawn
    assert dom.count('class="main-svg"') >= 7 * 2, "plotly did not draw the seven charts"
    assert 'class="nojs"' not in dom


@pytest.mark.skipif(not DATASET.exists(), reason=f"the bundled dataset {DATASET.name} is not there yet")
def test_report_of_the_bundled_dataset(tmp_path: Path) -> None:
    from ledger.core.jsontext import parse_text

    events = parse_text(DATASET.read_bytes(), DATASET.name)
    with Ledger.open(f"sqlite:///{tmp_path}/real.db", init=True) as real:
        real.append(events)
        out = build_report(real, tmp_path / "real.html", title="Microsoft and OpenAI")
        data = collect(real)
    text = out.read_text(encoding="utf-8")
    assert len(data.events) > 0 and len(_charts(text)) >= 2
    assert ("microsoft", "openai", "USD") in data.investments
    for event in data.events:
        assert f'id="ev-{event.id}"' in text
    if CHROMIUM.exists():
        screenshot(out, tmp_path / "real.png", tmp_path)
        _keep(tmp_path / "real.png", "alliance-ledger-report-real.png")
