"""The W3C SPARQL 1.1 Protocol and Service Description test manifests, run against the real server.

https://w3c.github.io/rdf-tests/sparql/sparql11/ — the manifests are in tests/w3c/sparql11/.
Every ``mf:ProtocolTest`` is one test case. This endpoint is read-only, so the update tests
(``update_*``, expected 2xx) instead check that the update is refused with a 4xx and that the data
is
unchanged; ``bad_update_*`` tests expect a 4xx as written. Known failures are listed in
:data:`KNOWN_FAILURES` with the reason (there are none today); nothing is skipped.

The dataset tests need the graphs ``data1-3``: a server of our own loads
``derived/protocol-graphs.trig`` as named graphs beside the release (setting ``extra_data``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from xml.etree import ElementTree

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

from .conftest import W3C_DIR, start_backed_server, start_server, stop_oxigraph, stop_server

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PROTOCOL = W3C_DIR / "sparql11" / "protocol" / "manifest.ttl"
SERVICE_DESCRIPTION = W3C_DIR / "sparql11" / "service-description" / "manifest.ttl"
KNOWN_FAILURES: dict[str, str] = {}


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[str, ...]  # "2xx", "3xx", "4xx"
    boolean: bool | None
    result_format: str | None  # boolean | tabular | RDF


@dataclass(frozen=True)
class ProtocolCase:
    name: str
    title: str
    steps: tuple[Step, ...]

    @property
    def is_update(self) -> bool:
        return self.name.startswith("update_")


def _steps(manifest: Graph, test: URIRef) -> tuple[Step, ...]:
    action = manifest.value(test, MF.action)
    steps = []
    for request in Collection(manifest, manifest.value(action, HT.requests)):
        headers = {}
        header_list = manifest.value(request, HT.headers)
        for header in Collection(manifest, header_list) if header_list else []:
            headers[str(manifest.value(header, HT.fieldName))] = str(
                manifest.value(header, HT.fieldValue)
            )
        body_node = manifest.value(request, HT.body)
        body = None
        if body_node is not None:
            encoding = str(manifest.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = str(manifest.value(body_node, CNT.chars)).encode(encoding)
        response = manifest.value(request, HT.resp)
        statuses = tuple(
            sorted(
                str(s).rsplit("StatusCode", 1)[1]
                for s in manifest.objects(response, MF.expectedStatus)
            )
        )
        boolean = manifest.value(response, MF.expectedBoolean)
        fmt = manifest.value(response, MF.expectedFormat)
        steps.append(
            Step(
                str(manifest.value(request, HT.methodName)),
                str(manifest.value(request, HT.absolutePath)),
                headers,
                body,
                statuses,
                None if boolean is None else boolean.toPython(),
                None if fmt is None else str(fmt),
            )
        )
    return tuple(steps)


def protocol_cases() -> list[ProtocolCase]:
    manifest = Graph().parse(PROTOCOL, format="turtle")
    root = next(manifest.subjects(RDF.type, MF.Manifest))
    cases = []
    for test in Collection(manifest, manifest.value(root, MF.entries)):
        name = str(test).rsplit("#", 1)[1]
        cases.append(ProtocolCase(name, str(manifest.value(test, MF.name)), _steps(manifest, test)))
    return cases


CASES = protocol_cases()


def test_manifest_is_complete():
    assert len(CASES) == 34
    assert sum(c.is_update for c in CASES) == 7


@pytest.fixture(scope="module", params=["serve", "sparql-backend"])
def dataset_server(request, built_settings, tmp_path_factory):
    """Our server on the release plus the tests' graphs; or answering from Oxigraph server
    holding both (the release published by ``mwg-graph publish``, the graphs loaded beside it)."""
    extra = W3C_DIR / "derived" / "protocol-graphs.trig"
    tmp = tmp_path_factory.mktemp("w3c")
    env = {"MWG_EXTRA_DATA": str(extra), "MWG_QUERY_WORKERS": "2"}
    settings = replace(built_settings, workers=1)
    if request.param == "serve":
        running, oxigraph = start_server(settings, tmp / "server.log", env), None
    else:
        running, oxigraph = start_backed_server(settings, tmp, env, extra)
    yield running
    stop_server(running)
    if oxigraph is not None:
        stop_oxigraph(oxigraph)


def _send(server, step: Step) -> requests.Response:
    path = step.path.replace("/sparql/", "/sparql", 1)
    headers = {k: v for k, v in step.headers.items()}
    return server.request(step.method, path, headers=headers, data=step.body)


def _check_format(response: requests.Response, step: Step) -> None:
    media_type = response.headers["Content-Type"].split(";")[0].strip()
    if step.result_format == "boolean":
        assert media_type in ("application/sparql-results+json", "application/sparql-results+xml")
    elif step.result_format == "tabular":
        assert media_type in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )
    elif step.result_format == "RDF":
        assert media_type in ("application/rdf+xml", "text/turtle", "application/n-triples")
        Graph().parse(
            data=response.content,
            format={
                "application/rdf+xml": "xml",
                "text/turtle": "turtle",
                "application/n-triples": "nt",
            }[media_type],
        )
    if step.boolean is not None:
        if media_type == "application/sparql-results+json":
            answer = json.loads(response.content)["boolean"]
        else:
            ns = "{http://www.w3.org/2005/sparql-results#}"
            answer = ElementTree.fromstring(response.content).find(ns + "boolean").text == "true"
        assert answer is step.boolean


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(case: ProtocolCase, dataset_server):
    if case.name in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[case.name])
    if case.is_update:
        # Read-only endpoint: the update (first step) must be refused, and the data stay as it was.
        before = _graph_count(dataset_server)
        refused = _send(dataset_server, case.steps[0])
        assert 400 <= refused.status_code < 500, refused.text
        assert "read-only" in refused.text
        assert _graph_count(dataset_server) == before
        return
    for step in case.steps:
        response = _send(dataset_server, step)
        klass = f"{response.status_code // 100}xx"
        assert klass in step.statuses, f"{case.title}: got {response.status_code} {response.text}"
        if klass == "2xx":
            _check_format(response, step)


def _graph_count(server) -> list:
    response = server.get(
        "/sparql",
        params={
            "query": "SELECT ?g (COUNT(*) AS ?n) "
            "{ { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } "
            "GROUP BY ?g ORDER BY ?g"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert len(rows) == 4  # the default graph and data1-3
    return rows


# ---- service description ---------------------------------------------------------------------

SD_TESTS = [
    str(t).rsplit("#", 1)[1]
    for t in Graph().parse(SERVICE_DESCRIPTION).subjects(RDF.type, MF.ServiceDescriptionTest)
]


@pytest.mark.parametrize("name", sorted(SD_TESTS))
def test_service_description(name: str, dataset_server):
    response = dataset_server.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    description = Graph().parse(data=response.text, format="turtle")
    service = description.value(predicate=RDF.type, object=SD.Service, any=False)
    if name == "returns-rdf":
        assert len(description) > 0
    elif name == "has-endpoint-triple":
        assert (service, SD.endpoint, URIRef(dataset_server.url + "/sparql")) in description
    elif name == "conforms-to-schema":
        # The spec's schema, checked as its domain/range and required-structure statements say.
        assert (service, SD.supportedLanguage, SD.SPARQL11Query) in description
        dataset = description.value(service, SD.defaultDataset)
        assert (dataset, RDF.type, SD.Dataset) in description
        default_graph = description.value(dataset, SD.defaultGraph)
        assert (default_graph, RDF.type, SD.Graph) in description
        names = {
            str(description.value(n, SD.name)) for n in description.objects(dataset, SD.namedGraph)
        }
        assert names == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}
        for fmt in description.objects(service, SD.resultFormat):
            assert str(fmt).startswith("http://www.w3.org/ns/formats/")
    else:
        raise AssertionError(f"unknown service description test {name}")
