"""The dataset's own description (DCAT + VoID), completed at build time.

data/dataset.ttl holds what people write (titles, publisher, licence, translation note); what only
the build knows — version, dates, size, distributions, vocabularies — is added here.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from .config import Settings
from .formats import RDF_FORMATS
from .namespaces import SD, Iris

DUMP_NAME = "mwg"


def dump_file_name(suffix: str) -> str:
    return DUMP_NAME + suffix


def vocabularies(graph: Graph) -> list[URIRef]:
    """Namespaces of the predicates and classes the graph uses, for ``void:vocabulary``."""
    found: set[str] = set()
    terms = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    for term in terms:
        text = str(term)
        cut = max(text.rfind("#"), text.rfind("/"))
        if cut > 0:
            found.add(text[: cut + 1])
    return [URIRef(v) for v in sorted(found)]


def describe_release(
    content: Graph, settings: Settings, version: str, built_at: str, issued: str
) -> Graph:
    iris = Iris(settings.base_iri)
    dataset = iris.dataset
    description = iris.bind_prefixes(Graph())
    add = description.add
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, OWL.versionInfo, Literal(version)))
    add((dataset, DCTERMS.hasVersion, Literal(version)))
    add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    add((dataset, DCTERMS.modified, Literal(built_at, datatype=XSD.dateTime)))
    add((dataset, DCTERMS.license, URIRef(settings.license_iri)))
    add((dataset, VOID.uriSpace, Literal(settings.base_iri + "id/")))
    add((dataset, VOID.triples, Literal(len(content), datatype=XSD.integer)))
    add(
        (
            dataset,
            VOID.entities,
            Literal(len(set(content.subjects(RDF.type))), datatype=XSD.integer),
        )
    )
    add((dataset, VOID.sparqlEndpoint, URIRef(settings.base_iri + "sparql")))
    for vocabulary in vocabularies(content):
        add((dataset, VOID.vocabulary, vocabulary))
    for fmt in RDF_FORMATS:
        if fmt.name == "rdfxml":
            continue
        name = dump_file_name(fmt.suffix)
        distribution = URIRef(f"{settings.base_iri}downloads/{version}/{name}")
        add((dataset, DCAT.distribution, distribution))
        add((dataset, VOID.dataDump, distribution))
        add((distribution, RDF.type, DCAT.Distribution))
        add((distribution, DCAT.mediaType, Literal(fmt.media_type)))
        add((distribution, DCAT.downloadURL, distribution))
        add((distribution, DCTERMS.license, URIRef(settings.license_iri)))
        add((distribution, DCTERMS.title, Literal(f"{name} (release {version})", lang="en")))
        add((distribution, DCTERMS.title, Literal(f"{name} (รุ่น {version})", lang="th")))
    endpoint = URIRef(settings.base_iri + "sparql")
    service = URIRef(settings.base_iri + "sparql#service")
    add((service, RDF.type, DCAT.DataService))
    add((service, RDF.type, SD.Service))
    add((service, DCAT.endpointURL, endpoint))
    add((service, DCAT.servesDataset, dataset))
    add((dataset, DCAT.accessService, service))
    return description
