"""Bad requests, table-driven: each row is one hostile or broken request and the answer it must get.

Requests are sent byte for byte as written (:mod:`tests.raw_http`), to a server with a 1 s query
time limit so that the runaway-query rows finish quickly. Every answer is also checked for what must
never be in it: a stack trace, or markup that came from the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import pytest

from mwg_graph.config import Settings
from tests.conftest import RunningServer, start_server, stop_server
from tests.raw_http import raw_request

TRACE_MARKERS = ("Traceback", 'File "/', "site-packages")
SCRIPT = "<script>alert(1)</script>"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
JSON = {"Accept": "application/sparql-results+json"}


def q(text: str) -> str:
    return quote(text, safe="")


@dataclass(frozen=True)
class Row:
    name: str
    target: str
    status: int
    says: str  # a fragment the answer's body must contain (case-insensitive)
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


ROWS = [
    # -- SPARQL: syntax, updates, SERVICE ---------------------------------------------------------
    Row("malformed query (GET)", f"/sparql?query={q('SELECT * WHERE {')}", 400, "syntax"),
    Row("malformed query (POST body)", "/sparql", 400, "syntax", "POST", DIRECT,
        b"SELEKT ?s WHERE { ?s ?p ?o }"),
    Row("update in the query parameter", f"/sparql?query={q('INSERT DATA { <a:a> <a:b> <a:c> }')}",
        403, "read-only"),
    Row("update parameter on GET", f"/sparql?update={q('DROP ALL')}", 403, "read-only"),
    Row("update as application/sparql-update", "/sparql", 403, "read-only", "POST",
        {"Content-Type": "application/sparql-update"}, b"CLEAR DEFAULT"),
    Row("update in a form", "/sparql", 403, "read-only", "POST", FORM,
        b"update=" + q("LOAD <http://example.org/x>").encode()),
    Row("SERVICE to 127.0.0.1", "/sparql?query="
        + q("SELECT * WHERE { SERVICE <http://127.0.0.1:22/> { ?s ?p ?o } }"), 403, "SERVICE"),
    Row("SERVICE to 169.254.169.254", "/sparql?query="
        + q("SELECT * WHERE { SERVICE <http://169.254.169.254/latest/> { ?s ?p ?o } }"),
        403, "SERVICE"),
    Row("SERVICE SILENT in a POST body", "/sparql", 403, "SERVICE", "POST", DIRECT,
        b"ASK { SERVICE SILENT <http://169.254.169.254/> { ?s ?p ?o } }"),
    # -- parameters -------------------------------------------------------------------------------
    Row("two query parameters", f"/sparql?query={q('ASK {}')}&query={q('ASK {}')}", 400,
        "exactly one"),
    Row("empty query parameter", "/sparql?query=", 400, "query is empty"),
    Row("form without a query", "/sparql", 400, "no 'query' parameter", "POST", FORM, b"foo=bar"),
    Row("unknown format parameter", f"/sparql?query={q('ASK {}')}&format=pdf", 400,
        "unknown format"),
    Row("graph parameters without a query", "/sparql?default-graph-uri=http%3A%2F%2Fx.org%2F",
        400, "need a query"),
    # -- content types and bodies -----------------------------------------------------------------
    Row("POST without Content-Type", "/sparql", 415, "Content-Type", "POST", {}, b"ASK {}"),
    Row("POST as text/plain", "/sparql", 415, "text/plain", "POST",
        {"Content-Type": "text/plain"}, b"ASK {}"),
    Row("POST as JSON", "/sparql", 415, "application/json", "POST",
        {"Content-Type": "application/json"}, b'{"query": "ASK {}"}'),
    Row("POST body in Latin-1", "/sparql", 415, "UTF-8", "POST",
        {"Content-Type": "application/sparql-query; charset=iso-8859-1"}, b"ASK {}"),
    Row("query body not UTF-8", "/sparql", 400, "UTF-8", "POST", DIRECT,
        b'ASK { ?s ?p "\xff\xfe" }'),
    Row("form not UTF-8", "/sparql", 400, "UTF-8", "POST", FORM, b"query=ASK%20%7B%7D%FF"),
    Row("body over the limit", "/sparql", 413, "larger than", "POST",
        {**DIRECT, "Content-Length": "5000000"}, b"A" * 5_000_000),
    Row("URL over the limit", "/sparql?query=" + "A" * 9000, 414, "too large"),
    Row("header over the limit", "/healthz", 431, "header", "GET", {"X-Big": "A" * 9000}),
    # -- Accept -----------------------------------------------------------------------------------
    Row("SELECT with Accept image/png", f"/sparql?query={q('SELECT * WHERE { ?s ?p ?o } LIMIT 1')}",
        406, "text/csv", "GET", {"Accept": "image/png"}),
    Row("service description as image/png", "/sparql", 406, "text/turtle", "GET",
        {"Accept": "image/png"}),
    Row("document as image/png", "/doc/organization/mwg", 406, "text/turtle", "GET",
        {"Accept": "image/png"}),
    # -- unknown resources in every format --------------------------------------------------------
    Row("unknown IRI", "/id/organization/no-such-org", 404, "not found"),
    Row("unknown document (HTML)", "/doc/organization/no-such-org", 404, "not found", "GET",
        {"Accept": "text/html"}),
    Row("unknown document (Turtle)", "/doc/organization/no-such-org.ttl", 404, "not found"),
    Row("unknown document (JSON-LD)", "/doc/organization/no-such-org.jsonld", 404, "@graph"),
    Row("unknown document (N-Triples)", "/doc/organization/no-such-org.nt", 404, "not found"),
    Row("unknown document (RDF/XML)", "/doc/organization/no-such-org.rdf", 404, "not found"),
    Row("unknown kind", "/id/no-such-kind/x", 404, "not found"),
    Row("unknown download", "/downloads/no-such-file.ttl", 404, "not found"),
    Row("unknown release", "/downloads/19990101-00000000/mwg.ttl", 404, "not found"),
    # -- traversal --------------------------------------------------------------------------------
    Row(".. in a download", "/downloads/..%2f..%2fetc%2fpasswd", 404, "not found"),
    Row("encoded .. in static", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404, "not found"),
    Row("double-encoded ..", "/static/..%252f..%252fsrc%252fmwg_graph%252fapp.py", 404,
        "not found"),
    # -- markup through parameters ----------------------------------------------------------------
    Row("markup in format (SPARQL)", f"/sparql?query={q('ASK {}')}&format={q(SCRIPT)}", 406,
        "none of which the request accepts"),
    Row("markup in format (document)", f"/doc/organization/mwg?format={q(SCRIPT)}", 200, "</html>"),
    Row("markup in lang", f"/?lang={q(SCRIPT)}", 200, "</html>"),
    Row("markup in lang of a document", f"/doc/organization/mwg?lang={q(SCRIPT)}", 200, "</html>",
        "GET", {"Accept": "text/html"}),
    Row("markup in an unknown path", f"/{q(SCRIPT)}", 404, "not found", "GET",
        {"Accept": "text/html"}),
    # -- methods ----------------------------------------------------------------------------------
    Row("DELETE on the endpoint", "/sparql", 405, "not allowed", "DELETE"),
    Row("PUT a document", "/doc/organization/mwg", 405, "method", "PUT",
        {"Content-Type": "text/turtle"}, b"<a:a> <a:b> <a:c> ."),
    # -- queries that would run forever -----------------------------------------------------------
    Row("runaway query (GET)", f"/sparql?query={q(RUNAWAY)}", 503, "timed out", "GET", JSON),
    Row("runaway query (POST)", "/sparql", 503, "timed out", "POST", DIRECT, RUNAWAY.encode()),
]  # fmt: skip


@pytest.fixture(scope="module")
def strict_server(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[RunningServer]:  # fmt: skip
    """The release of data/, served with a 1 s query limit."""
    log: Path = tmp_path_factory.mktemp("strict") / "server.log"
    running = start_server(replace(built_settings, query_timeout=1.0), log)
    yield running
    stop_server(running)


def test_the_table_is_big_enough() -> None:
    assert len(ROWS) >= 30
    assert len({r.name for r in ROWS}) == len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_bad_request(strict_server: RunningServer, row: Row) -> None:
    headers = {"Accept-Language": "en", **row.headers}  # messages in English, to match `says`
    response = raw_request(strict_server.url, row.method, row.target, headers, row.body)
    assert response.status == row.status, response.text[:500]
    assert row.says.lower() in response.text.lower(), response.text[:500]
    assert not any(marker in response.text for marker in TRACE_MARKERS)
    assert SCRIPT not in response.text  # nothing from the request comes back as markup
    if response.status == 503:
        assert response.headers.get("Retry-After", "").isdigit() or "timed out" in response.text
