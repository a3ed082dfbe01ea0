"""Our JSON-LD: one published ``@context`` that makes the graph read like plain JSON.

Short keys, ``th``/``en`` language maps and IRIs as plain strings, so a web page can use
``doc.name.th`` without an RDF library. Processors in our own code resolve the context from the
release on disk (:func:`local_loader`), never from the network.

Documents name their context by a *relative* reference (:func:`context_reference`), which every
JSON-LD processor resolves against the document's own URL (JSON-LD 1.1 API, context processing).
So the context is found wherever the site runs — on any host, port or path prefix, with no
registered w3id.org redirect and without trusting a Host header — and a downloaded dump finds the
``context.jsonld`` that sits beside it in its release folder, offline.
"""

from __future__ import annotations

import json
from typing import Any

from pyld import jsonld
from rdflib import Graph

from mwg_graph.iris import Iris

CONTEXT_FILE = "context.jsonld"
# The context's own version. Documents name the versioned URL ``{base}context/v1.jsonld``, which
# never changes meaning: terms may be added to v1, but a renamed or removed key makes a v2 (and v1
# stays served). ``{base}context.jsonld`` is always the newest version.
CONTEXT_VERSION = "v1"

# short key → (property CURIE, kind); kind: "lang" (language map), "id" (IRI), "value" (plain
# literal) or a datatype CURIE (typed literal written as a bare string, e.g. "lat": "13.76629")
_TERMS: dict[str, tuple[str, str]] = {
    "name": ("skos:prefLabel", "lang"),
    "altName": ("skos:altLabel", "lang"),
    "hiddenName": ("skos:hiddenLabel", "lang"),
    "definition": ("skos:definition", "lang"),
    "label": ("rdfs:label", "lang"),
    "comment": ("rdfs:comment", "lang"),
    "note": ("skos:note", "lang"),
    "editorialNote": ("skos:editorialNote", "lang"),
    "title": ("dcterms:title", "lang"),
    "description": ("dcterms:description", "lang"),
    "history": ("mwgo:history", "lang"),
    "acronym": ("mwgo:acronym", "value"),
    "position": ("schema:position", "xsd:integer"),
    "foundingDate": ("schema:foundingDate", "xsd:gYearMonth"),
    "meetingFrequency": ("mwgo:meetingFrequency", "id"),
    "member": ("org:hasMember", "id"),
    "membership": ("org:hasMembership", "id"),
    "memberOf": ("org:memberOf", "id"),
    "memberOrganization": ("org:member", "id"),
    "organization": ("org:organization", "id"),
    "role": ("org:role", "id"),
    "goal": ("mwgo:hasGoal", "id"),
    "vision": ("mwgo:hasVision", "id"),
    "mission": ("mwgo:hasMission", "id"),
    "strategy": ("mwgo:hasStrategy", "id"),
    "mainIssue": ("mwgo:mainIssue", "id"),
    "worksWithSector": ("mwgo:worksWithSector", "id"),
    "workingArea": ("mwgo:workingArea", "id"),
    "collaboratesWith": ("mwgo:collaboratesWith", "id"),
    "targetGroup": ("mwgo:targetGroup", "id"),
    "targetLevel": ("mwgo:targetLevel", "id"),
    "nationality": ("mwgo:nationality", "id"),
    "country": ("mwgo:country", "id"),
    "iso3166_2": ("mwgo:iso3166_2", "value"),
    "iso3166Alpha2": ("mwgo:iso3166Alpha2", "value"),
    "iso3166Alpha3": ("mwgo:iso3166Alpha3", "value"),
    "iso3166Numeric": ("mwgo:iso3166Numeric", "value"),
    "sameAs": ("owl:sameAs", "id"),
    "lat": ("geo:lat", "xsd:decimal"),
    "long": ("geo:long", "xsd:decimal"),
    "containedInPlace": ("schema:containedInPlace", "id"),
    "inScheme": ("skos:inScheme", "id"),
    "derivedFrom": ("prov:wasDerivedFrom", "id"),
    "license": ("dcterms:license", "id"),
    "publisher": ("dcterms:publisher", "id"),
    "source": ("dcterms:source", "id"),
    "hasPart": ("dcterms:hasPart", "id"),
    "isPartOf": ("dcterms:isPartOf", "id"),
    "language": ("dcterms:language", "value"),
    "version": ("owl:versionInfo", "value"),
    "isDefinedBy": ("rdfs:isDefinedBy", "id"),
    "subClassOf": ("rdfs:subClassOf", "id"),
    "subPropertyOf": ("rdfs:subPropertyOf", "id"),
    "domain": ("rdfs:domain", "id"),
    "range": ("rdfs:range", "id"),
    "creator": ("dcterms:creator", "id"),
    "broadMatch": ("skos:broadMatch", "id"),
    "relatedMatch": ("skos:relatedMatch", "id"),
    "exactMatch": ("skos:exactMatch", "id"),
}


VOCABULARY_PREFIXES = (
    "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "dcat", "void", "foaf", "org",
    "schema", "geo", "freq", "mwgo",
)  # fmt: skip


def context_url(iris: Iris) -> str:
    """The URL every JSON-LD document of ours names as its ``@context`` (versioned, stable)."""
    return f"{iris.base}context/{CONTEXT_VERSION}.jsonld"


def latest_context_url(iris: Iris) -> str:
    return iris.base + CONTEXT_FILE


# The context's path on our server, and the reference a release's dump uses (the copy beside it).
CONTEXT_PATH = f"context/{CONTEXT_VERSION}.jsonld"
DUMP_CONTEXT_REFERENCE = CONTEXT_FILE


def context_reference(request_path: str) -> str:
    """The context's address relative to a document served at ``request_path``.

    ``/doc/organization/sc`` → ``../../context/v1.jsonld``; ``/network.jsonld`` →
    ``context/v1.jsonld``. Relative, so it resolves on whatever address the document was fetched
    from, under any path prefix a proxy adds.
    """
    depth = max(request_path.count("/") - 1, 0)
    return "../" * depth + CONTEXT_PATH


def build_context(iris: Iris) -> dict[str, Any]:
    """The ``@context`` object (without the outer ``{"@context": …}``)."""
    context: dict[str, Any] = {"@version": 1.1, "id": "@id", "type": "@type"}
    # Vocabulary prefixes only: instance IRIs (``{base}id/…``, Wikidata entities) stay whole
    # strings, so ``id`` is always a full IRI a page can link to.
    vocabularies = {p: ns for p, ns in iris.prefixes().items() if p in VOCABULARY_PREFIXES}
    context.update(vocabularies)
    for key, (curie, kind) in _TERMS.items():
        if kind == "lang":
            context[key] = {"@id": curie, "@container": "@language"}
        elif kind == "id":
            context[key] = {"@id": curie, "@type": "@id"}
        elif kind == "value":
            context[key] = {"@id": curie}
        else:
            context[key] = {"@id": curie, "@type": kind}
    return context


def context_document(iris: Iris) -> dict[str, Any]:
    return {"@context": build_context(iris)}


def local_loader(iris: Iris):
    """A pyld document loader that knows our context and refuses every other URL."""
    document = context_document(iris)
    urls = {context_url(iris), latest_context_url(iris)}

    def load(requested: str, options: dict | None = None) -> dict[str, Any]:
        if requested in urls:
            return {"contextUrl": None, "documentUrl": requested, "document": document}
        raise jsonld.JsonLdError(
            f"remote document {requested} refused: mwg-graph never fetches JSON-LD remotely",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )

    return load


def expanded(graph: Graph) -> list[dict[str, Any]]:
    return json.loads(graph.serialize(format="json-ld"))


def in_order(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Expanded JSON-LD with its nodes and every property's values sorted (never a ``@list``).

    rdflib lists them in its store's order, which follows the process's hash seed, so every
    server worker and replica wrote the same document in other bytes (other ETags); those arrays
    are sets in JSON-LD, so sorting them changes nothing but the bytes.
    """

    def text(value: Any) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)

    def node(item: dict[str, Any]) -> dict[str, Any]:
        return {
            key: sorted(value, key=text) if key != "@id" and isinstance(value, list) else value
            for key, value in item.items()
        }

    return sorted((node(n) for n in nodes), key=lambda n: (str(n.get("@id", "")), text(n)))


def compact(graph: Graph, iris: Iris, reference: str) -> dict[str, Any]:
    """The graph compacted with our context; ``@context`` is ``reference`` (see module doc)."""
    result = jsonld.compact(
        in_order(expanded(graph)), context_url(iris), options={"documentLoader": local_loader(iris)}
    )
    result["@context"] = reference
    return result


def frame(graph: Graph, iris: Iris, frame_doc: dict[str, Any]) -> dict[str, Any]:
    frame_doc = {**frame_doc, "@context": context_url(iris)}
    return jsonld.frame(
        expanded(graph), frame_doc, options={"documentLoader": local_loader(iris), "embed": "@once"}
    )


def _sort_key(node: Any) -> tuple:
    if not isinstance(node, dict):
        return (1, 0, str(node))
    position = node.get("position")
    try:
        number = int(position) if position is not None else 10**6
    except (TypeError, ValueError):
        number = 10**6
    name = node.get("name", {})
    label = name.get("en", "") if isinstance(name, dict) else str(name)
    return (0, number, str(label).lower(), str(node.get("id", "")))


def _tidy(node: Any) -> Any:
    """Arrays of nodes in a stable order: by ``position`` if they have one, else by English name."""
    if isinstance(node, list):
        return sorted((_tidy(n) for n in node), key=_sort_key)
    if isinstance(node, dict):
        return {k: _tidy(v) if k != "@context" else v for k, v in node.items()}
    return node


# What the framed network document embeds (and so what a page can render without a lookup).
NETWORK_EMBEDS = (
    "member", "goal", "vision", "mission", "strategy", "mainIssue", "worksWithSector",
    "workingArea", "collaboratesWith", "targetGroup",
)  # fmt: skip
_ALWAYS_ARRAYS = ("member", "vision", "mission", "strategy", "mainIssue", "worksWithSector",
                  "workingArea", "collaboratesWith", "targetGroup", "goal", "type")  # fmt: skip


def network_document(graph: Graph, iris: Iris, network: str, reference: str) -> dict[str, Any]:
    """The network with its members, statements, themes, provinces and target groups embedded.

    A page reads ``doc.member[0].name.th`` with no RDF knowledge. Built from a sub-graph: the
    network's own triples (less its memberships) and those of each resource it links to (less their
    provenance and back-links), plus the names of what those link to (levels, nationalities).
    """
    from rdflib import URIRef
    from rdflib.namespace import PROV, SKOS

    from mwg_graph.iris import ORG

    node = URIRef(network)
    sub = Graph()
    skip_network = {ORG.hasMembership}
    skip_linked = {PROV.wasDerivedFrom, ORG.memberOf, ORG.hasMembership, SKOS.inScheme}
    linked = set()
    for p, o in graph.predicate_objects(node):
        if p in skip_network:
            continue
        sub.add((node, p, o))
        if isinstance(o, URIRef):
            linked.add(o)
    second = set()
    for item in linked:
        for p, o in graph.predicate_objects(item):
            if p in skip_linked:
                continue
            sub.add((item, p, o))
            if isinstance(o, URIRef) and o not in linked and o != node:
                second.add(o)
    for item in second:
        for label in graph.objects(item, SKOS.prefLabel):
            sub.add((item, SKOS.prefLabel, label))
    frame_doc: dict[str, Any] = {"@id": network}
    for key in NETWORK_EMBEDS:
        frame_doc[key] = {"@embed": "@always"}
    framed = frame(sub, iris, frame_doc)
    graph_nodes = framed.pop("@graph", None)
    if graph_nodes:
        framed.update(graph_nodes[0])
    framed = _tidy(framed)
    for key in _ALWAYS_ARRAYS:
        if key in framed and not isinstance(framed[key], list):
            framed[key] = [framed[key]]
    ordered = {"@context": reference}
    ordered.update({k: v for k, v in framed.items() if k != "@context"})
    return ordered
