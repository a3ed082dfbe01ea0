"""The static site's /sparql page (mwg_graph.web.browser_sparql) in headless Chromium: Oxigraph's
WebAssembly build answers in the browser, from the release's dumps, with the network blocked to
everything but the static host.

The site is written by ``write_browser_sparql`` with the dumps copied from the built release, and
served by a plain loopback static server (``http.server``). Expectations come from the real server's
``/sparql`` endpoint for the same query, from the server's guard (for what is refused), and from
the page's words table, never from the page's own output.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import threading
from dataclasses import replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from mwg_graph.sparql.examples import load_examples
from mwg_graph.sparql.guard import MAX_DEPTH, Refused, check_query
from mwg_graph.store import DUMP, PARTNER_QUADS
from mwg_graph.web.browser_sparql import STATIC_DIR, write_browser_sparql
from mwg_graph.web.views.sparql_words import WORDS

pytestmark = pytest.mark.browser

EXAMPLES = {e.name: e for e in load_examples()}
SITE_TIMEOUT = 2.0  # the exported page's time limit here, so the runaway test takes seconds
# A count over a three-way cross join of every triple: ~10^11 steps, constant memory.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = SimpleHTTPRequestHandler.extensions_map | {
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".nt": "application/n-triples",
        ".nq": "application/n-quads",
    }

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(built_settings, tmp_path_factory):
    """The page and its assets plus the release's dumps, on a loopback static server."""
    folder = tmp_path_factory.mktemp("site")
    release = built_settings.dist_dir / "current"
    settings = replace(built_settings, query_timeout=SITE_TIMEOUT)
    written = write_browser_sparql(folder, release, settings)
    (folder / "downloads").mkdir()
    for name in (DUMP, PARTNER_QUADS):
        if (release / name).is_file():
            shutil.copy(release / name, folder / "downloads" / name)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {
        "url": f"http://127.0.0.1:{httpd.server_address[1]}",
        "dir": folder,
        "written": written,
        "write": partial(write_browser_sparql, folder, release, settings),
    }
    httpd.shutdown()
    httpd.server_close()


def open_page(browser, site_url: str):
    """A page whose every request not to the static host is aborted (and recorded)."""
    context = browser.new_context(accept_downloads=True)
    context.site_requests = []  # the requests let through
    outside: list[str] = []
    errors: list[str] = []

    def gate(route):
        if route.request.url.startswith((site_url + "/", "blob:" + site_url + "/")):
            context.site_requests.append(route.request.url)
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", gate)
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, outside, errors


def site_requests(context) -> list[str]:
    return context.site_requests


def enter_query(page, query: str) -> None:
    """Put the query into the editor, as the reader's typing would."""
    page.focus("#query")  # the editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)


def finished(page) -> str:
    page.wait_for_selector("#status.ok, #status.error", timeout=30_000)
    return page.inner_text("#status")


def shown_rows(page) -> tuple[list[str], list[list[str]]]:
    """The results table: its variables and, per row, each cell's full IRI or literal text."""
    return page.evaluate(
        """() => {
          const table = document.querySelector("table.sparql-results");
          const vars = Array.from(table.tHead.rows[0].cells).map(th => th.textContent.slice(1));
          const rows = Array.from(table.tBodies[0].rows).map(tr => Array.from(tr.cells).map(td => {
            const iri = td.querySelector("[title]");
            if (iri) return iri.title;
            const text = td.querySelector("span");
            return text ? text.textContent : td.textContent;
          }));
          return [vars, rows];
        }"""
    )


def server_rows(server, query: str) -> tuple[list[str], list[list[str]]]:
    answer = server.get("/sparql", params={"query": query, "format": "json"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    variables = data["head"]["vars"]

    def value(term):
        if term is None:
            return ""
        return "_:" + term["value"] if term["type"] == "bnode" else term["value"]

    return variables, [[value(b.get(v)) for v in variables] for b in data["results"]["bindings"]]


def download(page, selector: str) -> bytes:
    """What the reader gets by clicking a download link (made in the browser, a blob: URL)."""
    with page.expect_download() as event:
        page.click(selector)
    return Path(event.value.path()).read_bytes()


def test_the_examples_give_the_rows_and_downloads_of_the_servers_endpoint(site, server, browser):
    context, page, outside, errors = open_page(browser, site["url"])
    page.close()
    for name in ("01-members", "03-provinces", "07-collaborators"):
        # A tab of its own per example: headless Chromium stops starting downloads in a tab after
        # ten or so (the eleventh never came, whichever link it was).
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(site["url"] + "/en/sparql.html")
        query = EXAMPLES[name].query
        page.click(f"a.example[data-example='{name}']")
        finished(page)
        assert page.get_attribute("#status", "class") == "ok", page.inner_text("#results")
        variables, rows = server_rows(server, query)
        assert rows  # an example that answers nothing would prove nothing
        assert shown_rows(page) == [variables, rows]
        # The address bar holds the query, as on the server's page.
        assert parse_qs(urlsplit(page.url).query)["query"] == [query]
        # The downloads are made in the browser: the exact CSV and TSV read as the server's do.
        made_csv = download(page, "#download-csv-exact").decode("utf-8")
        server_csv = server.get("/sparql", params={"query": query, "format": "csv"}).text
        assert list(csv.reader(io.StringIO(made_csv))) == list(csv.reader(io.StringIO(server_csv)))
        made_tsv = download(page, "#download-tsv").decode("utf-8")
        server_tsv = server.get("/sparql", params={"query": query, "format": "tsv"}).text
        assert made_tsv.splitlines() == server_tsv.splitlines()
        made_json = json.loads(download(page, "#download-json"))
        server_json = server.get("/sparql", params={"query": query, "format": "json"}).json()
        assert made_json["results"] == server_json["results"]
        excel = download(page, "#download-csv")
        assert excel.startswith(b"\xef\xbb\xbf")  # CSV for Excel: UTF-8 with a byte-order mark
    # The engine, the data and the worker came from the static host, through the gate.
    assert {"/static/vendor/oxigraph/web_bg.wasm", "/downloads/mwg.nt"} <= {
        urlsplit(url).path for url in site_requests(context)
    }
    assert outside == [] and errors == []
    context.close()


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_shared_link_reproduces_the_query_and_its_results(site, server, browser, lang):
    from axe_playwright_python.sync_playwright import Axe

    query = EXAMPLES["02-strategies"].query
    context, page, outside, errors = open_page(browser, site["url"])
    page.goto(f"{site['url']}/{lang}/sparql.html?query={quote(query)}")
    assert page.get_attribute("html", "lang") == lang
    assert WORDS["title"][lang] in page.inner_text("h1")
    finished(page)
    assert shown_rows(page) == list(server_rows(server, query))
    page.focus("#query")  # the editor is loaded when the reader reaches for the query box
    page.wait_for_selector(".CodeMirror")
    assert page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()") == query
    # The page with its results and editor: axe-core finds nothing, in either language.
    results = Axe().run(page)
    found = [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
    assert found == []
    assert outside == [] and errors == []
    context.close()


def test_a_runaway_query_is_stopped_at_the_time_limit(site, server, browser):
    context, page, outside, errors = open_page(browser, site["url"])
    page.goto(site["url"] + "/en/sparql.html")
    enter_query(page, RUNAWAY)
    page.click("#run")
    page.wait_for_selector("#stop", state="visible")
    status = finished(page)
    assert status == WORDS["timed_out"]["en"].replace("{s}", f"{SITE_TIMEOUT:g}")
    assert page.is_hidden("#stop")
    # The worker was replaced: the next query runs.
    page.click("a.example[data-example='03-provinces']")
    finished(page)
    assert shown_rows(page) == list(server_rows(server, EXAMPLES["03-provinces"].query))
    # The reader's Stop button ends a query too.
    enter_query(page, RUNAWAY)
    page.click("#run")
    page.click("#stop")
    assert finished(page) == WORDS["stopped"]["en"]
    assert outside == [] and errors == []
    context.close()


REFUSED = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "LOAD <http://example.org/data.ttl>",
]


def test_service_updates_and_mistakes_get_the_servers_answer(site, server, browser):
    context, page, outside, errors = open_page(browser, site["url"])
    page.goto(site["url"] + "/th/sparql.html")
    for query in [*REFUSED, "SELECT ?s WHERE {\n  ?s ?p\n}"]:
        enter_query(page, query)
        page.click("#run")
        status = finished(page)
        answer = server.get("/sparql", params={"query": query})
        assert answer.status_code == (403 if query in REFUSED else 400)
        assert status.startswith(WORDS["error"]["th"].replace("{n}", str(answer.status_code)))
        # The same words (and, for a syntax error, the same position: the prefixes the page adds
        # are not counted, as the server's are not).
        assert page.inner_text("pre.sparql-error").strip() == answer.text.strip()
    assert outside == [] and errors == []
    context.close()


def test_the_site_holds_the_engine_and_its_licences(site):
    names = {p.relative_to(site["dir"]).as_posix() for p in site["written"]}
    assert {"sparql.html", "th/sparql.html", "en/sparql.html"} <= names
    vendor = "static/vendor/oxigraph/"
    assert {vendor + n for n in ("web.js", "web_bg.wasm", "LICENSE-MIT", "LICENSE-APACHE")} <= names
    # Writing again changes nothing: same release, same bytes, nothing rewritten.
    stamps = {p: p.stat().st_mtime_ns for p in site["written"]}
    again = site["write"]()
    assert {p: p.stat().st_mtime_ns for p in again} == stamps


GUARD_CASES = [
    "SELECT * { ?s ?p ?o OPTIONAL { SERVICE <http://x/> { ?s ?p ?o } } }",
    "select * { service <http://x/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p 1.SERVICE <http://x/> { ?a ?b ?c } }",
    "SELECT * { ?s ?p ?o FILTER(?o<'a>') SERVICE <http://x/> { ?a ?b ?c } #' \n}",
    "SELECT * { ?s <http://x/O'Brien> ?o . SERVICE <http://x/> { ?a ?b ?c } }",
    "PREFIX ex: <urn:ex:> SELECT * { ?s ex:a\\' SERVICE <http://x/> { } ex:b\\' }",
    "SELECT * { SERV\\u0049CE <http://x/> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o }\n#\\u000aSERVICE <http://x/> { ?a ?b ?c }",
    "SELECT * { ?service ex:service _:service ; <http://x/service> 'SERVICE' } # SERVICE",
    'SELECT * { ?s ?p """a\nSERVICE <http://x/> {}""" }',
    "SELECT * { ?s ?p 'it''s' }",
    "SELECT (?a + ?b AS ?delete) { }",
    "INSERT DATA { <a:a> <a:b> <a:c> }",
    "PREFIX a: <urn:a:> # INSERT?\nBASE <urn:b> delete where { ?s ?p ?o }",
    "  # a comment first\nLOAD <http://x/>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    'SELECT * { ?s ?p "ชื่อ SERVICE" . ?s ?p ?ชื่อ }',
    "ASK " + "{" * MAX_DEPTH + "}" * MAX_DEPTH,
    "ASK " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1),
    "SELECT * {\n" + "(" * (MAX_DEPTH + 5),
    "",
]


def test_the_browsers_guard_decides_as_the_servers(tmp_path):
    """sparql-guard.js (run by Node.js) and guard.py refuse the same queries in the same words."""

    def python(query: str) -> list:
        try:
            check_query(query)
        except Refused as refused:
            return [refused.status, refused.message]
        return ["ok"]

    runner = tmp_path / "guard.mjs"
    runner.write_text(
        f'import {{ checkQuery }} from "{(STATIC_DIR / "js" / "sparql-guard.js").as_uri()}";\n'
        'import { readFileSync } from "node:fs";\n'
        "const cases = JSON.parse(readFileSync(0, 'utf8'));\n"
        "console.log(JSON.stringify(cases.map(q => { try { checkQuery(q); return ['ok']; }"
        " catch (e) { return [e.status, e.message]; } })));\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["node", str(runner)], input=json.dumps(GUARD_CASES), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [python(q) for q in GUARD_CASES]
