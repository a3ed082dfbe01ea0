"""The query page as people use it, in headless Chromium: both languages, shared links, keys,
sorting, and axe-core (the accessibility rules) finding nothing on it.

Expectations come from the example queries themselves, from the source page and from the page's own
words table (the Thai a Thai reader sees), never from the page's output.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from mwg_graph.config import PROJECT_ROOT
from mwg_graph.sparql.examples import load_examples
from mwg_graph.web.views.sparql_words import WORDS

pytestmark = pytest.mark.browser

EXAMPLES = {e.name: e for e in load_examples()}
STRATEGIES = EXAMPLES["02-strategies"]
PROVINCES = EXAMPLES["03-provinces"]
THAI = re.compile(r"[\u0e00-\u0e7f]")
SOURCE = (PROJECT_ROOT / "data" / "sources" / "mwg-about.th.txt").read_text(encoding="utf-8")
AREA = SOURCE.split("พื้นที่การทำงานของภาคีเครือข่ายครอบคลุม:", 1)[1].strip().split("\n", 1)[0]
WORKING_AREA = AREA.replace(" และ", " ").split()  # the 16 provinces, as the source page names them


def open_page(browser, url: str):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))
    return context, page, errors, outside


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_shared_link_reproduces_query_and_results(server, browser, lang):
    context, page, errors, outside = open_page(browser, server.url)
    page.goto(f"{server.url}/sparql?lang={lang}&query={quote(STRATEGIES.query)}")
    assert page.get_attribute("html", "lang") == lang
    page.wait_for_selector("table.sparql-results th button")  # the script's table, sortable
    assert page.locator("table.sparql-results tbody tr").count() == 5  # the five strategies
    page.focus("#query")  # the editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    editor_text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert editor_text == STRATEGIES.query
    assert WORDS["title"][lang] in page.inner_text("h1")
    members = EXAMPLES["01-members"]
    title = members.title_th if lang == "th" else members.title
    assert page.inner_text("a.example[data-example='01-members']") == title
    assert errors == [] and outside == []
    context.close()


def test_without_javascript_a_shared_link_shows_the_results(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server.url}/sparql?lang=th&query={quote(STRATEGIES.query)}")
    rows = page.locator("table.sparql-results tbody tr")
    assert rows.count() == 5
    assert THAI.search(rows.nth(0).inner_text())  # each strategy's Thai text is in its row
    assert page.locator("#query").input_value() == STRATEGIES.query
    # The plain form: GET /sparql?query=…, the table comes back rendered by the server.
    page.fill("#query", PROVINCES.query)
    page.click("#run")
    page.wait_for_load_state()
    sent = parse_qs(urlsplit(page.url).query)["query"][0]
    assert sent.replace("\r\n", "\n") == PROVINCES.query  # a form sends line breaks as CRLF
    assert page.locator("table.sparql-results tbody tr").count() == 16  # the 16 provinces
    context.close()


def test_a_syntax_error_without_javascript_is_a_page_not_a_500(server):
    answer = requests.get(
        server.url + "/sparql",
        params={"query": "SELECT * WHERE {", "format": ""},
        headers={"Accept": "text/html"},
        timeout=30,
    )
    assert answer.status_code == 200
    assert "Syntax error" in answer.text and "Traceback" not in answer.text


def test_ctrl_enter_runs_and_the_address_bar_holds_the_query(server, browser):
    context, page, errors, _ = open_page(browser, server.url)
    page.goto(f"{server.url}/sparql?lang=th")
    page.focus("#query")  # the editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    page.evaluate(
        "q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", PROVINCES.query
    )
    page.click(".CodeMirror")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.sparql-results tbody tr")
    assert page.locator("table.sparql-results tbody tr").count() == 16
    assert parse_qs(urlsplit(page.url).query)["query"] == [PROVINCES.query]
    status = page.locator("#status")
    assert status.get_attribute("aria-live") == "polite"
    assert "ผลลัพธ์ 16 แถว" in status.inner_text()  # the Thai words, "16 result rows"
    # Reloading the address bar's URL brings back the same query and its results.
    page.reload()
    page.wait_for_selector("table.sparql-results th button")
    assert page.locator("table.sparql-results tbody tr").count() == 16
    assert errors == []
    context.close()


def test_thai_interface_and_labelled_editor(server, browser):
    context, page, _, _ = open_page(browser, server.url)
    page.goto(f"{server.url}/sparql?lang=th")
    for key in ("examples", "query_label", "run", "results"):
        assert page.get_by_text(WORDS[key]["th"], exact=True).first.is_visible()
    assert page.get_by_label(WORDS["query_label"]["th"]).count() >= 1  # textarea, then editor
    page.focus("#query")  # the editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    page.click(".CodeMirror")
    focused_label = page.evaluate(
        "document.getElementById(document.activeElement.getAttribute('aria-labelledby'))"
        ".textContent"
    )
    assert focused_label == WORDS["query_label"]["th"]
    # Tab indents inside the editor; Esc then Tab leaves it for the next control.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.CodeMirror') !== null")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.yasqe') === null")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"  # the prefixes, next
    context.close()


def test_sorting_a_column_follows_thai_collation(server, browser):
    context, page, _, _ = open_page(browser, server.url)
    page.goto(f"{server.url}/sparql?lang=th&query={quote(PROVINCES.query)}")
    page.wait_for_selector("table.sparql-results th button")
    headings = page.locator("table.sparql-results thead th").all_inner_texts()
    column = headings.index("?th")  # the Thai name of each province (the example's variable)
    page.locator("table.sparql-results thead th button").nth(column).click()
    cells = page.locator(f"table.sparql-results tbody tr td:nth-child({column + 1}) span")
    names = cells.all_inner_texts()
    # Thai order puts a leading vowel after its consonant: เชียงใหม่ (ช) sorts before ตาก (ต),
    # although by code point เ (U+0E40) comes after every consonant.
    assert sorted(names) == sorted(WORKING_AREA)
    assert names.index("เชียงใหม่") < names.index("ตาก")
    assert names.index("กรุงเทพมหานคร") == 0  # ก is the first consonant
    assert page.get_attribute(f"table.sparql-results thead th >> nth={column}", "aria-sort") == (
        "ascending"
    )
    page.locator("table.sparql-results thead th button").nth(column).click()
    assert cells.all_inner_texts() == names[::-1]
    context.close()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_axe_finds_no_violations(server, browser, lang):
    from axe_playwright_python.sync_playwright import Axe

    context, page, _, _ = open_page(browser, server.url)
    page.goto(f"{server.url}/sparql?lang={lang}&query={quote(STRATEGIES.query)}")
    page.wait_for_selector("table.sparql-results th button")
    page.focus("#query")  # the editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    page.click("details.prefixes summary")  # the prefixes shown too, with their colours
    results = Axe().run(page)
    violations = [
        (v["id"], [(n["target"], n["failureSummary"]) for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]
    assert violations == [], "\n".join(map(str, violations))
    context.close()


def test_the_editor_script_loads_only_when_the_query_box_is_focused(server, browser):
    """The ~1 MB YASGUI bundle must neither hold up the first paint nor block a reader who only
    looks: it is fetched when the query box first gets focus, never before."""
    context, page, errors, _ = open_page(browser, server.url)
    page.goto(f"{server.url}/sparql?lang=en")
    page.wait_for_load_state("networkidle")
    loaded = "performance.getEntriesByType('resource').map(e => e.name)"
    assert not any("yasgui" in name for name in page.evaluate(loaded))
    assert page.locator(".CodeMirror").count() == 0
    page.focus("#query")
    page.wait_for_selector(".CodeMirror")
    assert any(name.endswith("/vendor/yasgui/yasgui.min.js") for name in page.evaluate(loaded))
    assert page.evaluate("document.activeElement.closest('.CodeMirror') !== null")
    assert errors == []
    context.close()
