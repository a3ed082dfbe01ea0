"""The query page in headless Chromium: pick an example, run it, see the table; nothing external."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.browser
def test_run_an_example_and_see_the_table(server, browser):
    page = browser.new_page(accept_downloads=True, locale="en-US")  # the English page
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server.url) else outside.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(server.url + "/sparql")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.focus("#query")  # the YASQE editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    start = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert start.startswith("SELECT") and "PREFIX" not in start  # the server supplies prefixes
    page.click("a.example[data-example='02-strategies']")
    page.wait_for_selector("table.sparql-results tbody tr")
    rows = page.locator("table.sparql-results tbody tr")
    assert rows.count() == 5
    first = rows.nth(0).locator("td").nth(1).locator("a")
    assert first.get_attribute("href") == "/id/strategy/1"  # IRIs link into the dataset
    assert "5 results" in page.inner_text("#status")
    assert "format=json" in page.get_attribute("#download-json", "href")
    assert "format=csv" in page.get_attribute("#download-csv-exact", "href")
    with page.expect_download() as download:  # the spreadsheet-safe CSV, made on the page
        page.click("#download-csv")
    assert Path(download.value.path()).read_text(encoding="utf-8-sig").count("\n") == 6
    assert outside == [] and errors == []
    page.close()


@pytest.mark.browser
def test_errors_are_shown(server, browser):
    page = browser.new_page()
    page.goto(server.url + "/sparql")
    page.focus("#query")  # the YASQE editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('SELECT * WHERE {')")
    page.click("#run")
    page.wait_for_selector("pre.sparql-error")
    assert "Syntax error" in page.inner_text("pre.sparql-error")
    assert "400" in page.inner_text("#status")
    page.close()
