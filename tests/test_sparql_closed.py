"""The endpoint never opens a connection: SERVICE, LOAD, FROM, FROM NAMED and the protocol's graph
parameters naming outside IRIs are proven harmless with a listener on 127.0.0.1 that must receive
nothing. No ``file:`` access either."""

from __future__ import annotations

import socket
import threading

import pytest

from mwg_graph.sparql.guard import MAX_DEPTH, Refused, check_query, normalise

from .loopback import Listener


@pytest.fixture
def listener():
    running = Listener()
    yield running
    running.close()


def test_the_listener_does_notice_a_connection(listener):
    socket.create_connection(("127.0.0.1", listener.port)).close()
    for _ in range(50):
        if listener.connections:
            break
        threading.Event().wait(0.05)
    assert listener.connections == 1


def test_nothing_reaches_out(server, listener, tmp_path):
    outside = f"http://127.0.0.1:{listener.port}/data.ttl"
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:is> <urn:here> .\n")
    requests_made = [
        ("query", f"SELECT * WHERE {{ SERVICE <{outside}> {{ ?s ?p ?o }} }}", 403),
        ("query", f"SELECT * WHERE {{ SERVICE SILENT <{outside}> {{ ?s ?p ?o }} }}", 403),
        ("query", f"SELECT * WHERE {{ BIND(<{outside}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}", 403),
        ("query", f"SELECT * WHERE {{ SERV\\u0049CE <{outside}> {{ ?s ?p ?o }} }}", 403),
        ("query", f"SELECT * FROM <{outside}> WHERE {{ ?s ?p ?o }}", 200),
        ("query", f"SELECT * FROM NAMED <{outside}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", 200),
        ("query", f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}", 200),
        ("update", f"LOAD <{outside}>", 403),
        ("update", f"LOAD <{secret.as_uri()}>", 403),
    ]
    for param, text, status in requests_made:
        response = server.post("/sparql", data={param: text})
        assert response.status_code == status, (text, response.text)
        if status == 200:
            assert response.json()["results"]["bindings"] == [], text  # an empty graph
    for dataset in (
        {"default-graph-uri": outside},
        {"named-graph-uri": outside},
        {"default-graph-uri": secret.as_uri()},
    ):
        response = server.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"} | dataset)
        assert response.status_code == 200
        assert response.json()["results"]["bindings"] == []
    threading.Event().wait(0.5)
    assert listener.connections == 0


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p ?o OPTIONAL { SERVICE <http://x/> { ?s ?p ?o } } }",
        "SELECT * { FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }",
        "ASK { { SELECT * { SERVICE <http://x/> { ?s ?p ?o } } } }",
        "select * { service <http://x/> { ?s ?p ?o } }",
    ],
)
def test_service_is_found_anywhere_in_the_query(query):
    with pytest.raises(Refused) as refused:
        check_query(query)
    assert refused.value.status == 403


def test_the_word_service_elsewhere_is_fine():
    check_query('SELECT * { ?s <http://example.org/service> "SERVICE" }')


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p 1.SERVICE <http://x/> { ?a ?b ?c } }",  # '.' ends the triple
        "SELECT * { ?s ?p ?o FILTER(?o<'a>') SERVICE <http://x/> { ?a ?b ?c } #' \n}",
        "SELECT * { ?s <http://x/O'Brien> ?o . SERVICE <http://x/> { ?a ?b ?c } }",
        "PREFIX ex: <urn:ex:> SELECT * { ?s ex:a\\' SERVICE <http://x/> { } ex:b\\' }",
        "SELECT * { SERV\\u0049CE <http://x/> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o }\n#\\u000aSERVICE <http://x/> { ?a ?b ?c }",  # an escaped newline
    ],
)
def test_service_cannot_hide_behind_quotes_escapes_or_comments(query):
    with pytest.raises(Refused) as refused:
        check_query(query)
    assert refused.value.status == 403


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?service ex:service _:service ; <http://x/service> 'SERVICE' } # SERVICE",
        'SELECT * { ?s ?p """a\nSERVICE <http://x/> {}""" }',
        "SELECT * { ?s ?p 'it''s' }",
        "SELECT (?a + ?b AS ?delete) { }",
    ],
)
def test_the_word_in_names_strings_and_comments_is_fine(query):
    check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <a:a> <a:b> <a:c> }",
        "PREFIX a: <urn:a:> # INSERT?\nBASE <urn:b> delete where { ?s ?p ?o }",
        "  # a comment first\nLOAD <http://x/>",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        'INSERT DATA { <urn:a> <urn:b> "' + "x" * 100_000,  # broken: refused all the same
    ],
)
def test_updates_are_found_by_their_first_word(query):
    with pytest.raises(Refused) as refused:
        check_query(query)
    assert refused.value.status == 403 and "read-only" in refused.value.message


def test_nesting_is_bounded_by_the_brackets_open_at_once():
    check_query("SELECT * {" + "{ }" * 10_000 + "}")  # many, but never deep
    with pytest.raises(Refused) as refused:
        check_query("SELECT * {" + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1) + "}")
    assert refused.value.status == 400
    check_query("SELECT * { ?s ?p '" + "{" * 10_000 + "' }")  # brackets in a string do not count


def test_normalised_text_ignores_comments_and_whitespace_outside_strings_and_iris():
    assert normalise("SELECT  *\n# a comment\nWHERE {\t?s ?p 'a  b' } # end") == (
        "SELECT * WHERE { ?s ?p 'a  b' }"
    )
    assert normalise('ASK { ?s ?p "#not a comment" }') == 'ASK { ?s ?p "#not a comment" }'


def test_whitespace_beside_brackets_commas_and_semicolons_does_not_make_a_query_new():
    """Issue 9: a client dodging the runaway memory writes ``{?a`` for ``{ ?a`` (SPARQL reads
    both alike); whitespace that can change how SPARQL reads a query still counts."""
    spaced = "SELECT (COUNT( * ) AS ?n) { ?a ?b ?c . ?d ?e ?f } GROUP BY ?a"
    for dense in (
        "SELECT(COUNT(*)AS ?n){?a ?b ?c . ?d ?e ?f}GROUP BY ?a",
        "SELECT (COUNT(*) AS ?n)\n{\n  ?a ?b ?c .\n  ?d ?e ?f\n}\nGROUP BY ?a",
        "SELECT(COUNT(*)AS ?n){?a ?b ?c . ?d ?e ?f}#x\nGROUP BY ?a",
    ):
        assert normalise(dense) == normalise(spaced), dense
    assert normalise("ASK{?s ?p ?o ;?q ?r ,?t}") == normalise("ASK { ?s ?p ?o ; ?q ?r , ?t }")
    # Two numbers or one, a comparison or an IRI, text in strings and IRIs: never the same query.
    assert normalise("SELECT * { VALUES ?x {1.5} }") != normalise("SELECT * { VALUES ?x {1 .5} }")
    lt_gt = "ASK { FILTER(?a < (?b)) FILTER((?c) > ?d) }"
    iri = "ASK { FILTER(?a <(?b))FILTER((?c)> ?d) }"
    assert normalise(lt_gt) != normalise(iri)
    assert normalise("ASK { ?s ?p '( a , b )' }") != normalise("ASK { ?s ?p '(a,b)' }")
    assert normalise("ASK { ?s ?p <urn:x(1)> }") != normalise("ASK { ?s ?p <urn:x(2)> }")
