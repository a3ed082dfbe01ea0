"""Our JSON-LD: one published ``@context`` that makes the graph read like plain JSON.

Short keys, ``th``/``en`` language maps and IRIs as plain strings, so a web page can use
``doc.name.th`` without an RDF library. Documents refer to the context by URL; processors in our own
code resolve that URL from the release on disk (:func:`local_loader`), never from the network.
"""

from __future__ import annotations

import json
from typing import Any

from pyld import jsonld
from rdflib import Graph

from .namespaces import Iris

CONTEXT_FILE = "context.jsonld"

# short key → (property CURIE, kind) ; kind: "lang" (language map), "id" (IRI), "value" (literal)
_TERMS: dict[str, tuple[str, str]] = {
    "name": ("skos:prefLabel", "lang"),
    "altName": ("skos:altLabel", "lang"),
    "hiddenName": ("skos:hiddenLabel", "lang"),
    "definition": ("skos:definition", "lang"),
    "label": ("rdfs:label", "lang"),
    "comment": ("rdfs:comment", "lang"),
    "title": ("dcterms:title", "lang"),
    "description": ("dcterms:description", "lang"),
    "history": ("mwgo:history", "lang"),
    "acronym": ("mwgo:acronym", "value"),
    "position": ("schema:position", "value"),
    "foundingDate": ("schema:foundingDate", "value"),
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
    "lat": ("geo:lat", "value"),
    "long": ("geo:long", "value"),
    "containedInPlace": ("schema:containedInPlace", "id"),
    "inScheme": ("skos:inScheme", "id"),
    "derivedFrom": ("prov:wasDerivedFrom", "id"),
    "license": ("dcterms:license", "id"),
    "publisher": ("dcterms:publisher", "id"),
    "source": ("dcterms:source", "id"),
    "language": ("dcterms:language", "value"),
    "version": ("owl:versionInfo", "value"),
    "isDefinedBy": ("rdfs:isDefinedBy", "id"),
    "subClassOf": ("rdfs:subClassOf", "id"),
    "subPropertyOf": ("rdfs:subPropertyOf", "id"),
    "domain": ("rdfs:domain", "id"),
    "range": ("rdfs:range", "id"),
}


def context_url(iris: Iris) -> str:
    return iris.base + CONTEXT_FILE


def build_context(iris: Iris) -> dict[str, Any]:
    """The ``@context`` object (without the outer ``{"@context": …}``)."""
    context: dict[str, Any] = {"@version": 1.1, "id": "@id", "type": "@type"}
    context.update(iris.prefixes())
    for key, (curie, kind) in _TERMS.items():
        if kind == "lang":
            context[key] = {"@id": curie, "@container": "@language"}
        elif kind == "id":
            context[key] = {"@id": curie, "@type": "@id"}
        else:
            context[key] = {"@id": curie}
    return context


def context_document(iris: Iris) -> dict[str, Any]:
    return {"@context": build_context(iris)}


def local_loader(iris: Iris):
    """A pyld document loader that knows our context and refuses every other URL."""
    document = context_document(iris)
    url = context_url(iris)

    def load(requested: str, options: dict | None = None) -> dict[str, Any]:
        if requested == url:
            return {"contextUrl": None, "documentUrl": url, "document": document}
        raise jsonld.JsonLdError(
            f"remote document {requested} refused: mwg-graph never fetches JSON-LD from the network",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )

    return load


def expanded(graph: Graph) -> list[dict[str, Any]]:
    return json.loads(graph.serialize(format="json-ld"))


def compact(graph: Graph, iris: Iris) -> dict[str, Any]:
    """The graph compacted with our context; ``@context`` is the context's URL."""
    result = jsonld.compact(
        expanded(graph), context_url(iris), options={"documentLoader": local_loader(iris)}
    )
    result["@context"] = context_url(iris)
    return result


def frame(graph: Graph, iris: Iris, frame_doc: dict[str, Any]) -> dict[str, Any]:
    frame_doc = {**frame_doc, "@context": context_url(iris)}
    result = jsonld.frame(
        expanded(graph), frame_doc, options={"documentLoader": local_loader(iris), "embed": "@once"}
    )
    result["@context"] = context_url(iris)
    return result
