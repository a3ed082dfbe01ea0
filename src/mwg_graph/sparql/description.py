"""The endpoint's SPARQL 1.1 Service Description, https://www.w3.org/TR/sparql11-service-description/.

Returned for a GET on the endpoint without a query (RDF by content negotiation). ``sd:endpoint`` is
the endpoint's address as the client reached it (or the configured ``public_url``), as §3.2 of the
spec asks. The default dataset links to the dataset's VoID/DCAT description.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from mwg_graph.iris import SD, Iris

FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "JSON-LD",
    "N-Triples",
    "RDF_XML",
)


def service_description(
    endpoint: str, base_iri: str, triples: int, named_graphs: list[str], limits: dict[str, object]
) -> Graph:
    iris = Iris(base_iri)
    graph = Graph(bind_namespaces="none")
    for prefix, ns in (
        ("sd", SD),
        ("formats", FORMATS),
        ("void", VOID),
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("rdfs", RDFS),
        ("xsd", XSD),
    ):
        graph.bind(prefix, ns)
    service = URIRef(base_iri + "sparql#service")
    add = graph.add
    add((service, RDF.type, SD.Service))
    add((service, RDF.type, DCAT.DataService))
    add((service, SD.endpoint, URIRef(endpoint)))
    add((service, DCAT.endpointURL, URIRef(endpoint)))
    add((service, SD.supportedLanguage, SD.SPARQL11Query))
    add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for name in RESULT_FORMAT_IRIS:
        add((service, SD.resultFormat, FORMATS[name]))
    add((service, DCAT.servesDataset, iris.dataset))
    add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only SPARQL 1.1 Query endpoint. Updates and SERVICE are refused; FROM, "
                "FROM NAMED, default-graph-uri and named-graph-uri name graphs of this dataset "
                "only (any other IRI is an empty graph, never fetched). Each query may run "
                f"{limits['query_timeout']} s and returns at most {limits['max_rows']} rows or "
                "triples (a capped result has the header MWG-Results-Truncated); request bodies "
                f"are limited to {limits['max_body_bytes']} bytes. The graph's prefixes (skos:, "
                "org:, mwgo:, province:, …) are predeclared.",
                lang="en",
            ),
        )
    )

    dataset = BNode()
    default_graph = BNode()
    add((service, SD.defaultDataset, dataset))
    add((dataset, RDF.type, SD.Dataset))
    add((dataset, SD.defaultGraph, default_graph))
    add((dataset, RDFS.seeAlso, iris.dataset))  # the VoID / DCAT description
    add((default_graph, RDF.type, SD.Graph))
    add((default_graph, VOID.triples, Literal(triples, datatype=XSD.integer)))
    add((default_graph, DCTERMS.source, iris.dataset))
    for name in named_graphs:
        named = BNode()
        add((dataset, SD.namedGraph, named))
        add((named, RDF.type, SD.NamedGraph))
        add((named, SD.name, URIRef(name)))
    return graph
