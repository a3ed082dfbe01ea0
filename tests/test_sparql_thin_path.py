"""The thin path for ``/sparql`` queries answers exactly as the Flask route does.

:mod:`mwg_graph.web.views.sparql_thin` answers plain query requests without Flask and hands the rest
to the Flask route; ``?lang=`` is one thing it hands over (the route may set the language cookie).
So the same request with ``lang=en`` added, from a client whose cookie already says ``en`` (no
cookie is set, nothing else differs), is answered by the Flask route: each pair below must get the
same status, the same header fields and the same body, from the real server.
"""

from __future__ import annotations

import pytest

ORG = "PREFIX org: <http://www.w3.org/ns/org#>\n"
MEMBERS = ORG + "SELECT ?m WHERE { ?n org:hasMember ?m } ORDER BY ?m LIMIT 5"
JSON_RESULTS = "application/sparql-results+json"
TSV = "text/tab-separated-values"
IGNORED = {"date", "server"}  # set by the HTTP server for every answer, per moment

CASES = [
    pytest.param("GET", "/sparql", {"query": MEMBERS}, None, {"Accept": JSON_RESULTS}, id="json"),
    pytest.param(
        "GET", "/sparql/", {"query": MEMBERS}, None, {"Accept": JSON_RESULTS}, id="trailing-slash"
    ),
    pytest.param("GET", "/sparql", {"query": MEMBERS, "format": "csv"}, None, {}, id="csv-link"),
    pytest.param("GET", "/sparql", {"query": MEMBERS}, None, {"Accept": TSV}, id="tsv"),
    pytest.param(
        "GET",
        "/sparql",
        {"query": ORG + "ASK { ?s a org:Organization }"},
        None,
        {"Accept": "application/sparql-results+xml"},
        id="ask-xml",
    ),
    pytest.param(
        "GET",
        "/sparql",
        {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 7"},
        None,
        {"Accept": "text/turtle"},
        id="construct-turtle",
    ),
    pytest.param("GET", "/sparql", {"query": "DESCRIBE <x>"}, None, {}, id="relative-iri"),
    pytest.param("GET", "/sparql", {"query": "SELEKT * {}"}, None, {}, id="syntax-error"),
    pytest.param("GET", "/sparql", {"query": MEMBERS}, None, {"Accept": "image/png"}, id="406"),
    pytest.param(
        "GET",
        "/sparql",
        {"query": MEMBERS, "default-graph-uri": "not an iri"},
        None,
        {},
        id="bad-dataset",
    ),
    pytest.param(
        "GET", "/sparql", {"query": "INSERT DATA { <a> <b> <c> }"}, None, {}, id="update-refused"
    ),
    pytest.param("POST", "/sparql", {}, {"query": MEMBERS}, {"Accept": JSON_RESULTS}, id="form"),
    pytest.param(
        "POST",
        "/sparql",
        {},
        MEMBERS.encode(),
        {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        id="direct-post",
    ),
    pytest.param("GET", "/sparql", {"query": MEMBERS}, None, {"Accept": "text/html"}, id="page"),
]


def _answer(server, method, path, params, data, headers):
    response = server.request(
        method, path, params=params, data=data, headers=headers | {"Cookie": "lang=en"}
    )
    # Sorted: only the order of fields of the same name means anything (RFC 9110 §5.3), and the
    # HTTP server may place Content-Length itself.
    kept = sorted((k, v) for k, v in response.raw.headers.items() if k.lower() not in IGNORED)
    return response.status_code, kept, response.content


@pytest.mark.parametrize(("method", "path", "params", "data", "headers"), CASES)
def test_thin_path_answers_as_the_flask_route(server, method, path, params, data, headers):
    thin = _answer(server, method, path, params, data, headers)
    flask = _answer(server, method, path, params | {"lang": "en"}, data, headers)
    assert thin[0] == flask[0]
    assert thin[1] == flask[1]
    assert thin[2] == flask[2]
    assert thin[0] != 500


def test_answers_name_the_release_and_allow_any_origin(server):
    """What the thin path adds by itself, checked outright rather than against the route."""
    response = server.get("/sparql", params={"query": MEMBERS}, headers={"Accept": JSON_RESULTS})
    assert response.status_code == 200
    assert response.headers["MWG-Release"] == server.get("/version").json()["release"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Vary"] == "Accept"
    assert len(response.json()["results"]["bindings"]) == 5
