"""The explorer in a real browser (Debian's headless Chromium via Selenium) against a real
``serve`` process with the demo dataset: pages render without console errors, the slider,
known-at and certainty controls change the graph, graph clicks and search results open item,
party and event pages, the diff view shows changes, URLs reproduce views, data is never HTML,
and a phone-width page does not overflow sideways."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browserkit import Browser, browser_or_skip
from tests.serverkit import WRITE_TOKEN, Server, load_demo, serving, token_file


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    browser_or_skip()
    where = tmp_path_factory.mktemp("explorer")
    url = f"sqlite:///{where}/demo.db"
    load_demo(url)
    with serving(url, log_dir=where) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    b = Browser()
    try:
        yield b
    finally:
        b.quit()


def graph_ids(b: Browser) -> tuple[list[str], list[str]]:
    nodes, edges = b.js("const cy = window.explorerGraph; return [cy.nodes().map(n => n.id()).sort(), "
                        "cy.edges().map(e => e.id()).sort()];")
    return nodes, edges


def go(b: Browser, server: Server, hash_: str) -> None:
    b.open(f"{server.base}/#{hash_}")
    assert b.console_errors() == []


def click_at(b: Browser, element: object, x: float, y: float) -> None:
    """A real pointer click at (x, y) pixels from the element's top-left corner."""
    from selenium.webdriver.common.action_chains import ActionChains

    size = b.js("const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];", element)
    ActionChains(b.driver).move_to_element_with_offset(element, int(x - size[0] / 2), int(y - size[1] / 2)).click().perform()


def test_graph_renders_the_alliance_without_console_errors(browser: Browser, server: Server) -> None:
    go(browser, server, "/graph?as_of=2025-11-01")
    nodes, edges = graph_ids(browser)
    assert {"microsoft", "openai", "oracle", "softbank"} <= set(nodes)
    assert "stake:microsoft/openai" in edges and "investment:microsoft/openai:inv" in edges
    assert "partnership:stargate:softbank-openai" in edges
    links = browser.driver.find_elements("css selector", "#graph-links a.item-link")
    hrefs = [a.get_attribute("href") for a in links]
    assert len(hrefs) > 10 and all("#/item/" in h and "as_of=2025-11-01" in h for h in hrefs)
    assert browser.js("return document.title") == "alliance-ledger explorer"


def test_moving_the_slider_changes_the_graph_and_the_url_reproduces_it(browser: Browser, server: Server) -> None:
    go(browser, server, "/graph?as_of=2025-11-01")
    late = graph_ids(browser)
    slider = browser.driver.find_element("id", "as-of-range")
    width = browser.js("return arguments[0].getBoundingClientRect().width", slider)
    click_at(browser, slider, width * 0.38, 8)
    browser.wait_ready()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser.driver, 20).until(lambda d: "as_of=2025-11-01" not in d.current_url)
    browser.wait_ready()
    early = graph_ids(browser)
    day = browser.js("return document.getElementById('as-of-label').textContent")
    assert day < "2025-11-01" and f"as_of={day}" in browser.driver.current_url
    assert early != late and len(early[1]) < len(late[1])
    again = browser.driver.current_url
    browser.open(again)
    assert graph_ids(browser) == early  # the URL alone reproduces the view
    assert browser.console_errors() == []


def test_known_at_and_certainty_change_the_graph(browser: Browser, server: Server) -> None:
    from selenium.webdriver.support.ui import Select

    go(browser, server, "/graph?as_of=2025-11-01")
    everything = graph_ids(browser)[1]
    Select(browser.driver.find_element("id", "certainty")).select_by_value("confirmed")
    browser.wait_ready()
    confirmed = graph_ids(browser)[1]
    assert "min_certainty=confirmed" in browser.driver.current_url and set(confirmed) < set(everything)
    Select(browser.driver.find_element("id", "certainty")).select_by_value("rumored")
    browser.wait_ready()
    known = Select(browser.driver.find_element("id", "known-at"))
    values = [o.get_attribute("value") for o in known.options]
    assert values[0] == "" and len(values) > 3
    known.select_by_value(values[len(values) // 2])
    browser.wait_ready()
    earlier = graph_ids(browser)[1]
    assert f"known_at={values[len(values) // 2]}" in browser.driver.current_url and set(earlier) < set(everything)
    assert browser.console_errors() == []


def settled_point(b: Browser, script: str) -> tuple[float, float]:
    """Scroll the graph into view and read a rendered point once it stops moving (resize, fit)."""
    import time

    b.js("document.getElementById('graph').scrollIntoView({block: 'center'})")
    last = None
    for _ in range(50):
        point = tuple(b.js(script))
        if point == last:
            return point  # type: ignore[return-value]
        last = point
        time.sleep(0.1)
    raise AssertionError("the graph kept moving")


def test_clicking_a_node_and_an_edge_opens_their_pages(browser: Browser, server: Server) -> None:
    go(browser, server, "/graph?as_of=2025-11-01")
    holder = browser.driver.find_element("id", "graph")
    x, y = settled_point(browser, "const p = window.explorerGraph.getElementById('microsoft').renderedPosition(); "
                         "return [p.x, p.y];")
    click_at(browser, holder, x, y)
    browser.wait_ready()
    assert "#/party/microsoft" in browser.driver.current_url
    assert browser.driver.find_element("tag name", "h1").text == "Microsoft Corporation"
    assert "Stakes and investments" in browser.driver.find_element("id", "view").text
    go(browser, server, "/graph?as_of=2025-11-01&kinds=stake")
    x, y = settled_point(browser, "const e = window.explorerGraph.getElementById('stake:openai-foundation/openai'); "
                         "const p = e.renderedMidpoint(); return [p.x, p.y];")
    click_at(browser, browser.driver.find_element("id", "graph"), x, y)
    browser.wait_ready()
    assert "#/item/stakes/openai-foundation/openai" in browser.driver.current_url
    text = browser.driver.find_element("id", "view").text
    assert "Fields" in text and "26%" in text and "Events behind it" in text
    assert browser.console_errors() == []


def test_search_finds_stargate_and_its_results_open(browser: Browser, server: Server) -> None:
    from selenium.webdriver.common.keys import Keys

    go(browser, server, "/graph")
    box = browser.driver.find_element("id", "search-input")
    box.send_keys("stargate", Keys.ENTER)
    browser.wait_ready()
    assert "#/search?q=stargate" in browser.driver.current_url
    items = browser.driver.find_elements("css selector", "#results-items a")
    assert items and items[0].text == "stargate"
    items[0].click()
    browser.wait_ready()
    assert "#/item/partnerships/stargate" in browser.driver.current_url
    view = browser.driver.find_element("id", "view").text
    assert "softbank" in view and "stargate-2025-01-21-formed" in view
    browser.driver.back()
    browser.wait_ready()
    event = browser.driver.find_element("css selector", "#results-events a")
    name = event.text
    event.click()
    browser.wait_ready()
    assert f"#/event/{name}" in browser.driver.current_url
    view = browser.driver.find_element("id", "view").text
    assert "Source" in view and "Recording" in view and name in view
    assert browser.console_errors() == []


def test_event_pages_show_what_corrected_them_and_what_they_corrected(browser: Browser, server: Server) -> None:
    with urllib.request.urlopen(server.base + "/api/history") as r:
        history = json.loads(r.read())["events"]
    old = next(e for e in history if e["corrected_by"])
    go(browser, server, f"/event/{old['id']}")
    notice = browser.driver.find_element("id", "withdrawn")
    assert "Corrected by" in notice.text and old["corrected_by"] in notice.text
    notice.find_element("tag name", "a").click()
    browser.wait_ready()
    assert f"This event corrects {old['id']}" in browser.driver.find_element("id", "view").text
    links = [a.get_attribute("href") for a in browser.driver.find_elements("css selector", "#view a[target=_blank]")]
    assert links and all(h.startswith(("https://", "http://")) for h in links)
    assert browser.console_errors() == []


def test_the_diff_view_shows_changes_between_dates_and_beliefs(browser: Browser, server: Server) -> None:
    from selenium.webdriver.support.ui import Select

    go(browser, server, "/diff?from=2023-01-01&to=2025-11-01&party=microsoft")
    sections = browser.driver.find_elements("css selector", ".diff-section")
    assert sections, browser.driver.find_element("id", "view").text[:500]
    text = browser.driver.find_element("id", "view").text
    assert "microsoft / openai" in text and "stake" in text and "→" in text
    form = browser.driver.find_element("id", "diff-form")
    form.find_element("css selector", "input[value=beliefs]").click()
    selects = form.find_elements("css selector", "select")
    Select(selects[0]).select_by_index(len(Select(selects[0]).options) - 1)
    form.find_element("css selector", "button[type=submit]").click()
    browser.wait_ready()
    assert "mode=beliefs" in browser.driver.current_url
    summary = browser.driver.find_element("id", "diff-summary").text
    assert "known at" in summary and browser.driver.find_elements("css selector", ".diff-section")
    assert browser.console_errors() == []


def test_every_view_loads_from_its_url_alone(browser: Browser, server: Server) -> None:
    for hash_, needle in (("/party/openai?as_of=2023-11-20", "Roles"), ("/item/rights/msft-azure-exclusive-cloud?as_of=2024-01-01",
                          "Fields"), ("/events?stream=musk-v-openai", "musk-v-openai"), ("/search?q=coreweave", "coreweave"),
                          ("/item/metrics/microsoft/net-income/FY2025-Q3", "25824000000"),
                          ("/state?as_of=2025-01-01", "Legal actions")):
        go(browser, server, hash_)
        assert needle in browser.driver.find_element("id", "view").text, hash_
    go(browser, server, "/no-such-view")
    assert "No such page" in browser.driver.find_element("id", "view").text


def test_a_phone_width_page_reads_without_sideways_scrolling(server: Server) -> None:
    phone = Browser(390, 844, mobile=True)
    try:
        for hash_ in ("/graph?as_of=2025-11-01", "/item/stakes/microsoft/openai?as_of=2025-11-01", "/diff?from=2023-01-01&to=2025-11-01"):
            phone.open(f"{server.base}/#{hash_}")
            overflow = phone.js("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (hash_, overflow)
            if hash_.startswith("/graph"):  # the legend goes under the graph, not beside it
                assert phone.js("return getComputedStyle(document.querySelector('.graph-wrap'))"
                                ".gridTemplateColumns.split(' ').length") == 1
        assert phone.console_errors() == []
    finally:
        phone.quit()


def test_data_is_shown_as_text_never_as_html(tmp_path: Path) -> None:
    browser_or_skip()
    url = f"sqlite:///{tmp_path}/xss.db"
    load_demo(url)
    evil = '<img src=x onerror="document.body.dataset.pwned=1">'
    event = {"id": "xss-party", "type": "PartyRegistered", "effective_date": "2020-01-01",
             "source": {"title": evil, "url": "javascript:document.body.dataset.pwned=2"},
             "data": {"party": "evil-corp", "name": evil, "kind": "company", "aliases": [evil]}}
    with serving(url, "--token-file", str(token_file(tmp_path / "t.txt")), log_dir=tmp_path) as s:
        request = urllib.request.Request(s.base + "/api/events", data=json.dumps([event]).encode(), method="POST",
                                         headers={"Authorization": f"Bearer {WRITE_TOKEN}"})
        urllib.request.urlopen(request).close()
        b = Browser()
        try:
            for hash_ in ("/party/evil-corp", "/event/xss-party", "/search?q=evil", "/graph?isolated=1"):
                b.open(f"{s.base}/#{hash_}")
                assert b.js("return document.querySelectorAll('#view img').length") == 0
                assert b.js("return document.body.dataset.pwned") is None
            b.open(f"{s.base}/#/event/xss-party")
            assert evil in b.driver.find_element("id", "view").text
            assert not b.driver.find_elements("css selector", "a[href^=javascript]")
            assert b.console_errors() == []
        finally:
            b.quit()


def test_item_pages_show_field_provenance_and_the_trail(tmp_path: Path) -> None:
    """Each field names the event that set it (explain's ``fields``), and the trail lists changes
    and withdrawals (the corrected January 2023 rumour)."""
    browser_or_skip()
    url = f"sqlite:///{tmp_path}/audit.db"
    load_demo(url)
    with serving(url, log_dir=tmp_path) as s:
        b = Browser()
        try:
            b.open(f"{s.base}/#/item/stakes/microsoft/openai?as_of=2025-11-01")
            view = b.driver.find_element("id", "view")
            rows = {r.find_element("css selector", "td").text: r.text for r in view.find_elements("css selector", "tr")[1:5]}
            assert "msft-openai-2025-10-28-stake-27" in rows["stake"] and "Microsoft Form 10-Q" in rows["stake"]
            trail = view.find_elements("css selector", "table")[-1]
            text = trail.text
            assert "2019-07-22" in text and "→" in text and "corrected by" in text
            assert trail.find_elements("css selector", "tr.withdrawn")
            assert b.console_errors() == []
        finally:
            b.quit()
