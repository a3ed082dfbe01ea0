"""The /sparql endpoint as clients see it: protocol, formats, errors, CORS, limits of the body."""

from __future__ import annotations

import csv
import io
import json
import re

import pyoxigraph
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper
from werkzeug.datastructures import MultiDict

from mwg_graph.sparql.protocol import ProtocolError, read_request
from mwg_graph.sparql.results import write_solutions, write_triples

MWG = "https://w3id.org/mwg/id/organization/mwg"
MEMBERS = f"SELECT ?m WHERE {{ <{MWG}> <http://www.w3.org/ns/org#hasMember> ?m }}"
JSON_RESULTS = "application/sparql-results+json"


def ask(server, query: str, **kwargs):
    return server.get("/sparql", params={"query": query}, **kwargs)


# ---- request validation, as a table --------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "content_type", "args", "body", "status"),
    [
        ("GET", None, {"query": ["ASK {}", "SELECT * {}"]}, b"", 400),  # two different queries
        ("POST", "text/plain", {}, b"ASK {}", 415),
        ("POST", None, {}, b"query=ASK%20%7B%7D", 415),
        ("POST", "application/sparql-query; charset=UTF-16", {}, "ASK {}".encode("utf-16"), 415),
        ("POST", "application/sparql-query", {}, b"ASK {\xff}", 400),
        ("POST", "application/x-www-form-urlencoded", {}, b"query=%FF", 400),
        ("POST", "application/x-www-form-urlencoded", {}, b"nothing=1", 400),
        ("POST", "application/sparql-query", {"query": ["ASK {}"]}, b"ASK {}", 400),
        ("PUT", "application/sparql-query", {}, b"ASK {}", 405),
        ("GET", None, {"query": ["ASK {}"], "format": ["banana"]}, b"", 400),
    ],
)
def test_invalid_requests(method, content_type, args, body, status):
    with pytest.raises(ProtocolError) as raised:
        read_request(
            method,
            content_type,
            MultiDict([(k, v) for k, vs in args.items() for v in vs]),
            body,
            None,
        )
    assert raised.value.status == status


def test_form_and_url_parameters_combine():
    asked = read_request(
        "POST",
        "application/x-www-form-urlencoded",
        MultiDict([("default-graph-uri", "http://a/"), ("named-graph-uri", "http://b/")]),
        b"query=ASK%20%7B%7D&named-graph-uri=http%3A%2F%2Fc%2F",
        None,
    )
    assert asked.query == "ASK {}"
    assert asked.default_graphs == ("http://a/",)
    assert asked.named_graphs == ("http://b/", "http://c/")


# ---- result writers -----------------------------------------------------------------------------


TRICKY = (
    'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("say \\"hi\\",\\nthere"@en UNDEF) '
    "(<http://x/> UNDEF) } OPTIONAL { BIND(BNODE() AS ?b) } }"
)


def _solutions(query: str = TRICKY):
    return pyoxigraph.Store().query(query)


def test_result_writers_escape_what_they_must():
    def written(media_type: str) -> str:
        answer = write_solutions(_solutions(), media_type, max_rows=10, max_bytes=10_000)
        assert answer is not None and answer.cut is None
        return answer.body.decode()

    parsed = list(csv.reader(io.StringIO(written("text/csv"))))
    assert parsed[:2] == [["a", "b"], ['say "hi",\nthere', parsed[1][1]]]
    assert parsed[2][0] == "http://x/" and parsed[1][1].startswith("_:")
    assert (
        written("text/tab-separated-values")
        .splitlines()[1]
        .startswith('"say \\"hi\\",\\nthere"@en\t_:')
    )
    bindings = json.loads(written("application/sparql-results+json"))["results"]["bindings"]
    assert bindings[0]["a"] == {"type": "literal", "value": 'say "hi",\nthere', "xml:lang": "en"}
    assert bindings[0]["b"]["type"] == "bnode"
    assert "<bnode>" in written("application/sparql-results+xml")


def test_rows_over_the_cap_are_cut_and_the_document_stays_whole():
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } }"
    for media_type in ("application/sparql-results+json", "text/tab-separated-values"):
        answer = write_solutions(_solutions(query), media_type, max_rows=3, max_bytes=10_000)
        assert answer is not None and (answer.cut, answer.rows) == ("rows", 3)
    document = json.loads(
        write_solutions(_solutions(query), "application/sparql-results+json", 3, 10_000).body
    )
    assert [b["n"]["value"] for b in document["results"]["bindings"]] == ["1", "2", "3"]


def test_the_row_cap_stops_the_engine_not_just_the_answer():
    """Oxigraph evaluates as its writer pulls rows: past the row cap nothing more is evaluated.

    100 subjects, so the product below has 10,000 rows (1.5 MB, well under the byte cap); with a
    3-row cap most of them must still be unread in the engine after the answer is written.
    """
    store = pyoxigraph.Store()
    store.extend(
        pyoxigraph.Quad(pyoxigraph.NamedNode(f"http://x/s{i}"), pyoxigraph.NamedNode("http://x/p"),
                        pyoxigraph.Literal(f"value {i}"))
        for i in range(100)
    )  # fmt: skip
    solutions = store.query("SELECT * { ?a ?b ?c . ?d ?e ?f }")
    answer = write_solutions(solutions, "application/sparql-results+json", 3, 16_000_000)
    assert answer is not None and (answer.cut, answer.rows) == ("rows", 3)
    assert len(json.loads(answer.body)["results"]["bindings"]) == 3
    assert sum(1 for _ in solutions) > 10_000 // 2
    triples = store.query("CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }")
    graph = write_triples(triples, "application/n-triples", {}, 3, 16_000_000)
    assert graph is not None and (graph.cut, graph.rows) == ("rows", 3)
    assert sum(1 for _ in triples) > 10_000 // 2


def test_bytes_over_the_cap_are_cut_after_the_last_row_that_fits():
    values = " ".join(f'"{"x" * 90}{n}"' for n in range(50))
    query = "SELECT ?n WHERE { VALUES ?n { " + values + " } }"
    for media_type in ("application/sparql-results+json", "application/sparql-results+xml",
                       "text/csv", "text/tab-separated-values"):  # fmt: skip
        answer = write_solutions(_solutions(query), media_type, max_rows=100, max_bytes=2_000)
        assert answer is not None and answer.cut == "bytes", media_type
        assert len(answer.body) <= 2_000 and 0 < answer.rows < 50
    answer = write_solutions(_solutions(query), "application/sparql-results+json", 100, 2_000)
    assert len(json.loads(answer.body)["results"]["bindings"]) == answer.rows
    triples = pyoxigraph.Store().query(
        "CONSTRUCT { ?s <http://x/p> ?n } WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 9 10 } "
        "BIND(IRI(CONCAT('http://x/', STR(?n))) AS ?s) }"
    )
    graph = write_triples(triples, "text/turtle", {"x": "http://x/"}, max_rows=100, max_bytes=200)
    assert graph is not None and graph.cut == "bytes" and len(graph.body) <= 200
    assert len(Graph().parse(data=graph.body.decode(), format="turtle")) == graph.rows > 0


# ---- over HTTP ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON_RESULTS),
        ("*/*", JSON_RESULTS),
        ("application/sparql-results+json", JSON_RESULTS),
        ("application/json", JSON_RESULTS),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/*", "text/csv"),
    ],
)
def test_select_formats_by_accept(server, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = ask(server, MEMBERS, headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats(server, accept, fmt):
    query = f"CONSTRUCT WHERE {{ <{MWG}> ?p ?o }}"
    response = ask(server, query, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=fmt)
    assert (URIRef(MWG), None, None) in graph


def test_describe(server):
    response = ask(server, f"DESCRIBE <{MWG}>", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(Graph().parse(data=response.text, format="nt")) > 10


def test_not_acceptable(server):
    assert ask(server, MEMBERS, headers={"Accept": "image/png"}).status_code == 406
    assert ask(server, "ASK {}", headers={"Accept": "text/turtle"}).status_code == 406
    assert (
        ask(server, "CONSTRUCT WHERE {?s ?p ?o}", headers={"Accept": "text/csv"}).status_code == 406
    )


def test_format_parameter_overrides_accept(server):
    response = server.get(
        "/sparql",
        params={"query": MEMBERS, "format": "csv"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert response.headers["Content-Type"].startswith("text/csv")
    assert len(response.text.strip().splitlines()) == 22  # header + 21 members
    construct = server.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2", "format": "json"}
    )
    assert construct.headers["Content-Type"].startswith("application/ld+json")


def test_the_three_ways_to_send_a_query_agree(server):
    headers = {"Accept": JSON_RESULTS}
    by_get = server.get("/sparql", params={"query": MEMBERS}, headers=headers).json()
    by_form = server.post("/sparql", data={"query": MEMBERS}, headers=headers).json()
    direct = server.post(
        "/sparql",
        data=MEMBERS.encode(),
        headers=headers | {"Content-Type": "application/sparql-query"},
    ).json()
    assert by_get == by_form == direct
    assert len(by_get["results"]["bindings"]) == 21


def test_thai_text_round_trips(server):
    # (a name: the dataset's keywords, dcat:keyword, include the word too)
    query = 'SELECT ?s WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> "สุขภาพ"@th }'
    response = server.post(
        "/sparql",
        data=query.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert response.json()["results"]["bindings"] == [
        {"s": {"type": "uri", "value": "https://w3id.org/mwg/id/theme/health"}}
    ]


def test_syntax_error_gives_parser_message_and_position(server):
    response = ask(server, "SELECT *\nWHERE { ?s ?p }")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Syntax error" in response.text
    assert re.search(r"error at 2:\d+", response.text)  # line:column of the parser's complaint


def test_updates_are_refused_and_change_nothing(server):
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    before = ask(server, count).json()
    for request in (
        dict(data={"update": "CLEAR ALL"}),
        dict(data=b"DROP ALL", headers={"Content-Type": "application/sparql-update"}),
        dict(
            data=b"INSERT DATA { <a:a> <a:a> <a:a> }",
            headers={"Content-Type": "application/sparql-query"},
        ),
        dict(data={"query": f"DELETE WHERE {{ <{MWG}> ?p ?o }}"}),
        dict(data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"}),
    ):
        response = server.post("/sparql", **request)
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
    assert server.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 403
    assert ask(server, count).json() == before


def test_request_body_is_capped(server):
    limit = server.settings.max_body_bytes
    response = server.post(
        "/sparql",
        data=b"query=" + b"x" * limit,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert str(limit) in response.text


def test_cors(server):
    response = ask(server, "ASK {}", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "MWG-Results-Truncated" in response.headers["Access-Control-Expose-Headers"]
    preflight = server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()
    posted = server.post("/sparql", data={"query": "ASK {}"}, headers={"Origin": "https://x.org"})
    assert posted.headers["Access-Control-Allow-Origin"] == "*"


def test_service_description_by_accept(server):
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        (None, "turtle"),
    ):
        response = server.get("/sparql", headers={"Accept": accept} if accept else {})
        assert response.status_code == 200
        graph = Graph().parse(data=response.content, format=fmt)
        endpoint = URIRef(server.url + "/sparql")
        assert endpoint in set(graph.objects())
    assert (
        "text/html"
        in server.get("/sparql", headers={"Accept": "text/html"}).headers["Content-Type"]
    )


def test_predeclared_prefixes(server):
    response = ask(server, "SELECT ?p WHERE { organization:mwg mwgo:workingArea ?p }")
    assert len(response.json()["results"]["bindings"]) == 16


# ---- real clients -------------------------------------------------------------------------------


def test_sparqlwrapper(server):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(MEMBERS)
    client.setReturnFormat(JSON)
    assert len(client.query().convert()["results"]["bindings"]) == 21
    client.setMethod("POST")
    client.setQuery("ASK { ?s ?p ?o }")
    assert client.query().convert()["boolean"] is True


def test_rdflib_sparqlstore(server):
    store = SPARQLStore(server.url + "/sparql", returnFormat="xml")
    graph = Graph(store=store)
    rows = list(graph.query(MEMBERS))
    assert len(rows) == 21
    assert graph.query(f"ASK {{ <{MWG}> ?p ?o }}").askAnswer is True
    constructed = graph.query(f"CONSTRUCT WHERE {{ <{MWG}> ?p ?o }}").graph
    assert len(constructed) > 10
