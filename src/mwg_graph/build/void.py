"""The dataset's own description (DCAT-AP 3 + VoID), completed at build time.

data/dataset.ttl holds what people write (titles, descriptions, keywords, creator, translation
note); what only the build or the site's operator knows — version, dates, sizes, distributions,
vocabularies, the catalogue, the publisher and the contact point — is added here. The publisher is
a setting, not a fact of data/: whoever runs the site publishes the data, and the source page never
says who that is.

The description is a graph of its own (``void.ttl``, ``/.well-known/void``) and is also merged into
the release, so a harvester reading either finds a titled dataset with its publisher, licence and
distributions, and ``void:triples`` is the size of the release it describes.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD, Namespace

from mwg_graph.config import Settings
from mwg_graph.formats import RDF_FORMATS, RdfFormat, dump_file_name
from mwg_graph.iris import SCHEMA, SD, Iris

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# IANA's registry pages are the IRIs DCAT-AP 3 expects for dcat:mediaType (class dcterms:MediaType).
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# The EU file-type authority table, which DCAT-AP 3 recommends for dcterms:format.
EU_FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
EU_FILE_TYPE = {
    "turtle": "RDF_TURTLE",
    "jsonld": "JSON_LD",
    "ntriples": "RDF_N_TRIPLES",
    "rdfxml": "RDF_XML",
}
EU_LANGUAGES = "http://publications.europa.eu/resource/authority/language/"
EU_DATA_THEMES = URIRef("http://publications.europa.eu/resource/authority/data-theme")
# DCAT-AP's own property; a release's files never change once published, hence STABLE.
DCATAP_AVAILABILITY = URIRef("http://data.europa.eu/r5r/availability")
STABLE = URIRef("http://publications.europa.eu/resource/authority/planned-availability/STABLE")
GZIP = URIRef(IANA_MEDIA_TYPES + "application/gzip")
DCAT3_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it


def media_type_iri(media_type: str) -> URIRef:
    return URIRef(IANA_MEDIA_TYPES + media_type)


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


def publisher_iri(settings: Settings) -> URIRef:
    """The agent publishing the data: the site's operator when configured, else the creator."""
    iris = Iris(settings.base_iri)
    if settings.publisher_name:
        return iris.instance("agent", "publisher")
    return iris.instance("agent", "mwg-graph-project")


def check_publisher_settings(settings: Settings) -> None:
    """Refuse settings that would publish a broken description (a clear error, before building)."""
    if settings.publisher_url and not settings.publisher_url.startswith(("http://", "https://")):
        raise ValueError(
            f"--publisher-url {settings.publisher_url!r}: give an http:// or https:// address"
        )
    if settings.contact_email and (
        "@" not in settings.contact_email or any(c in settings.contact_email for c in " <>\"'")
    ):
        raise ValueError(f"--contact-email {settings.contact_email!r}: give an e-mail address")


def describe_publisher(settings: Settings) -> Graph:
    """The publisher of the dataset and of the ontology (both say ``dcterms:publisher``)."""
    iris = Iris(settings.base_iri)
    graph = iris.bind_prefixes(Graph())
    agent = publisher_iri(settings)
    graph.add((iris.dataset, DCTERMS.publisher, agent))
    graph.add((URIRef(settings.ontology_iri), DCTERMS.publisher, agent))
    if settings.publisher_name:
        graph.add((agent, RDF.type, FOAF.Agent))
        graph.add((agent, FOAF.name, Literal(settings.publisher_name)))
        graph.add((agent, RDFS.label, Literal(settings.publisher_name)))
    if settings.publisher_url:
        graph.add((agent, FOAF.homepage, URIRef(settings.publisher_url)))
    return graph


def _contact_point(description: Graph, settings: Settings, content: Graph) -> URIRef:
    """A vCard for whoever answers questions about the data: the publisher, as configured.

    Named by a fragment of the dataset's IRI, not a blank node, so that a release's description
    can be matched triple by triple against the next one (mwg-graph diff)."""
    contact = URIRef(Iris(settings.base_iri).dataset + "#contact-point")
    add = description.add
    add((contact, RDF.type, VCARD.Organization))
    names = {n.language: str(n) for n in content.objects(publisher_iri(settings), FOAF.name)}
    name = settings.publisher_name or names.get("en") or next(iter(names.values()), "mwg-graph")
    add((contact, VCARD.fn, Literal(name)))
    if settings.publisher_url:
        add((contact, VCARD.hasURL, URIRef(settings.publisher_url)))
    if settings.contact_email:
        add((contact, VCARD.hasEmail, URIRef("mailto:" + settings.contact_email)))
    return contact


def _distribution(
    description: Graph, settings: Settings, version: str, fmt: RdfFormat, gzipped: bool
) -> URIRef:
    base = settings.base_iri
    name = dump_file_name(fmt.suffix) + (".gz" if gzipped else "")
    distribution = URIRef(f"{base}downloads/{version}/{name}")
    add = description.add
    add((distribution, RDF.type, DCAT.Distribution))
    add((distribution, DCAT.accessURL, URIRef(f"{base}downloads/")))
    add((distribution, DCAT.downloadURL, distribution))
    add((distribution, DCAT.mediaType, media_type_iri(fmt.media_type)))
    add((media_type_iri(fmt.media_type), RDF.type, DCTERMS.MediaType))
    add((distribution, DCTERMS["format"], URIRef(EU_FILE_TYPES + EU_FILE_TYPE[fmt.name])))
    if gzipped:
        add((distribution, DCAT.compressFormat, GZIP))
        add((GZIP, RDF.type, DCTERMS.MediaType))
    add((distribution, DCTERMS.license, URIRef(settings.license_iri)))
    add((distribution, DCATAP_AVAILABILITY, STABLE))
    packed = ", gzip" if gzipped else ""
    add((distribution, DCTERMS.title, Literal(f"{name} (release {version})", lang="en")))
    add((distribution, DCTERMS.title, Literal(f"{name} (รุ่น {version})", lang="th")))
    add(
        (
            distribution,
            DCTERMS.description,
            Literal(f"The whole dataset as {fmt.media_type}{packed}.", lang="en"),
        )
    )
    add(
        (
            distribution,
            DCTERMS.description,
            Literal(f"ชุดข้อมูลทั้งหมดในรูปแบบ {fmt.media_type}{packed}", lang="th"),
        )
    )
    return distribution


def describe_release(
    content: Graph,
    settings: Settings,
    version: str,
    built_at: str,
    issued: str,
    add_subsets: Callable[[Graph], None] | None = None,
) -> Graph:
    """DCAT-AP 3 + VoID for one release of ``content`` (ontology + data, without this description).

    ``void:triples`` counts the release as published: ``content`` plus this description (the
    default graph). ``add_subsets`` adds the partner datasets' ``void:subset`` descriptions
    (:func:`mwg_graph.build.partners.describe_partners`) before the count is made.
    """
    iris = Iris(settings.base_iri)
    dataset = iris.dataset
    description = iris.bind_prefixes(Graph())
    description.bind("vcard", VCARD)
    add = description.add
    # The hand-written part (data/dataset.ttl), and the names of the agents it points to, so the
    # description alone is complete for a harvester.
    for _, p, o in content.triples((dataset, None, None)):
        if p != DCTERMS.license:
            add((dataset, p, o))
            if p in (DCTERMS.creator, DCTERMS.spatial) and isinstance(o, URIRef):
                for triple in content.triples((o, None, None)):
                    add(triple)
    description += describe_publisher(settings)
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, OWL.versionInfo, Literal(version)))
    add((dataset, DCAT3_VERSION, Literal(version)))
    add((dataset, DCTERMS.hasVersion, Literal(version)))
    add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    add((dataset, DCTERMS.modified, Literal(built_at, datatype=XSD.dateTime)))
    add((dataset, DCTERMS.license, URIRef(settings.license_iri)))
    add((dataset, DCTERMS.accessRights, URIRef(
        "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
    )))  # fmt: skip
    for code in ("THA", "ENG"):
        add((dataset, DCTERMS.language, URIRef(EU_LANGUAGES + code)))
    add((dataset, FOAF.homepage, URIRef(settings.base_iri)))
    add((dataset, DCAT.landingPage, URIRef(settings.base_iri)))
    add((dataset, DCAT.contactPoint, _contact_point(description, settings, content)))
    network = iris.instance("organization", "mwg")
    founded = content.value(network, SCHEMA.foundingDate)
    if founded is not None:
        # The facts describe the network from its first monthly meeting on.
        period = URIRef(dataset + "#temporal-coverage")
        add((dataset, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        add((period, DCAT.startDate, founded))
    add((dataset, VOID.uriSpace, Literal(settings.base_iri + "id/")))
    add((dataset, VOID.sparqlEndpoint, URIRef(settings.base_iri + "sparql")))
    add((dataset, VOID.rootResource, network))
    for vocabulary in vocabularies(content):
        add((dataset, VOID.vocabulary, vocabulary))
    for fmt in RDF_FORMATS:
        if not fmt.dumped:
            continue
        for gzipped in (False, True):
            distribution = _distribution(description, settings, version, fmt, gzipped)
            add((dataset, DCAT.distribution, distribution))
            add((dataset, VOID.dataDump, distribution))
    endpoint = URIRef(settings.base_iri + "sparql")
    service = URIRef(settings.base_iri + "sparql#service")
    add((service, RDF.type, DCAT.DataService))
    add((service, RDF.type, SD.Service))
    add((service, DCAT.endpointURL, endpoint))
    add((service, DCAT.endpointDescription, endpoint))  # GET /sparql: the service description
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.title, Literal("SPARQL endpoint of the MWG knowledge graph", lang="en")))
    add((service, DCTERMS.title, Literal("SPARQL endpoint ของกราฟความรู้ MWG", lang="th")))
    add((service, DCTERMS.license, URIRef(settings.license_iri)))
    add((dataset, DCAT.accessService, service))
    _describe_catalog(description, content, settings, issued, built_at)
    if add_subsets is not None:
        add_subsets(description)
    _count_entities(description, content, dataset, settings.base_iri + "id/")
    _count_triples(description, content, dataset)
    return description


def _describe_catalog(
    description: Graph, content: Graph, settings: Settings, issued: str, built_at: str
) -> None:
    """The site as a ``dcat:Catalog`` of one dataset: what DCAT-AP harvesters start from."""
    iris = Iris(settings.base_iri)
    catalog = URIRef(settings.base_iri + "id/dataset/catalog")
    add = description.add
    add((catalog, RDF.type, DCAT.Catalog))
    add((catalog, DCAT.dataset, iris.dataset))
    add((catalog, DCAT.service, URIRef(settings.base_iri + "sparql#service")))
    for p in (DCTERMS.title, DCTERMS.description):
        for title in content.objects(iris.dataset, p):
            add((catalog, p, title))
    add((catalog, DCTERMS.publisher, publisher_iri(settings)))
    add((catalog, DCTERMS.license, URIRef(settings.license_iri)))
    add((catalog, FOAF.homepage, URIRef(settings.base_iri)))
    add((catalog, DCAT.themeTaxonomy, EU_DATA_THEMES))
    add((catalog, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
    add((catalog, DCTERMS.modified, Literal(built_at, datatype=XSD.dateTime)))
    for code in ("THA", "ENG"):
        add((catalog, DCTERMS.language, URIRef(EU_LANGUAGES + code)))
    for spatial in content.objects(iris.dataset, DCTERMS.spatial):
        add((catalog, DCTERMS.spatial, spatial))


def _count_entities(description: Graph, content: Graph, dataset: URIRef, uri_space: str) -> None:
    """Add ``void:entities``: the resources with an IRI in ``uri_space`` that the dumps describe.

    VoID (section 4.6) counts as an entity only a resource whose IRI is in the dataset's URI
    space; ontology terms, Wikidata items or media types are described but are not ours. Counted
    over content and description, as the dumps hold both, so the count is what a query finds.
    """
    entities = {
        subject
        for graph in (content, description)
        for subject in graph.subjects()
        if isinstance(subject, URIRef) and str(subject).startswith(uri_space)
    }
    description.add((dataset, VOID.entities, Literal(len(entities), datatype=XSD.integer)))


def _count_triples(description: Graph, content: Graph, dataset: URIRef) -> None:
    """Add ``void:triples``: the number of distinct triples of content + description.

    A placeholder is counted first and then replaced by the count, so the count includes its own
    triple; triples the description repeats from the content are counted once, as in the dumps.
    """
    placeholder = Literal(-1, datatype=XSD.integer)
    description.add((dataset, VOID.triples, placeholder))
    total = len(content) + sum(1 for triple in description if triple not in content)
    description.remove((dataset, VOID.triples, placeholder))
    description.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
