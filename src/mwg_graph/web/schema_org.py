"""The JSON-LD a page embeds about its resource, in schema.org terms, for search engines and
scripts.

https://schema.org/ and Google's structured-data guides: the network is a schema:NGO with
``member``, ``areaServed`` and ``foundingDate``; the dataset is a schema:Dataset (dataset search)
with its downloads as ``distribution``/``DataDownload``. Every other resource is a schema.org type
close to it (Organization, AdministrativeArea, Country, DefinedTerm, CreativeWork, Thing) with its
names, its description and ``sameAs`` links.

:func:`script_json` makes the JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` are written as
``\\u003c`` etc., so no literal in the data can close the element.
"""

from __future__ import annotations

import json
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, VOID

from mwg_graph import labels
from mwg_graph.iris import GEO, ORG, SCHEMA, Iris

SCHEMA_CONTEXT = "https://schema.org"
# schema:inLanguage has the domain CreativeWork (and a few actions and events): of our types, only
# these two may carry it; an Organization or a Place has no language of its own.
IN_LANGUAGE_TYPES = ("Dataset", "CreativeWork")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def script_json(document: dict[str, Any]) -> str:
    text = json.dumps(document, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _texts(graph: Graph, node: URIRef, prop: URIRef, lang: str) -> tuple[str | None, list[str]]:
    values = [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
    main = labels.pick(values, (lang,), fallback=True)
    others = [str(v) for v in values if v is not main]
    return (str(main) if main is not None else None), others


def _name_parts(graph: Graph, node: URIRef, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name, others = _texts(graph, node, SKOS.prefLabel, lang)
    if name is None:
        name, others = _texts(graph, node, DCTERMS.title, lang)
    if name:
        out["name"] = name
    alternates = others + [str(v) for v in graph.objects(node, SKOS.altLabel)]
    if alternates:
        out["alternateName"] = sorted(set(alternates))
    description, _ = _texts(graph, node, DCTERMS.description, lang)
    if description is None:
        description, _ = _texts(graph, node, SKOS.definition, lang)
    if description:
        out["description"] = description
    return out


def _ref(
    graph: Graph, node: URIRef, lang: str, schema_type: str, url: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": schema_type, "@id": str(node)}
    out.update({k: v for k, v in _name_parts(graph, node, lang).items() if k == "name"})
    if url:
        out["url"] = url
    return out


def _place(graph: Graph, node: URIRef, lang: str, url: str | None) -> dict[str, Any]:
    place = _ref(graph, node, lang, "AdministrativeArea", url)
    lat, long = graph.value(node, GEO.lat), graph.value(node, GEO.long)
    if lat is not None and long is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": float(lat), "longitude": float(long)}
    return place


def describe_for_search(
    graph: Graph, node: URIRef, iris: Iris, lang: str, page_url: str, href_for
) -> dict[str, Any]:
    """schema.org JSON-LD for ``node``; ``href_for(iri)`` is the page URL of a linked resource."""
    types = set(graph.objects(node, RDF.type))
    doc: dict[str, Any] = {"@context": SCHEMA_CONTEXT, "@id": str(node)}
    if SCHEMA.NGO in types or ORG.OrganizationalCollaboration in types:
        doc["@type"] = "NGO"
    elif ORG.Organization in types:
        doc["@type"] = "Organization"
    elif SCHEMA.AdministrativeArea in types:
        doc.update(_place(graph, node, lang, None))
        doc["@type"] = "AdministrativeArea"
    elif SCHEMA.Country in types:
        doc["@type"] = "Country"
    elif DCAT.Dataset in types or VOID.Dataset in types:
        doc["@type"] = "Dataset"
    elif SKOS.Concept in types or (node, SKOS.inScheme, None) in graph:
        doc["@type"] = "DefinedTerm"
    elif OWL.Ontology in types:
        doc["@type"] = "CreativeWork"
    else:
        doc["@type"] = "Thing"
    if doc["@type"] in IN_LANGUAGE_TYPES:
        doc["inLanguage"] = lang
    doc.update(_name_parts(graph, node, lang))
    doc["url"] = page_url
    same = [str(o) for o in graph.objects(node, OWL.sameAs)]
    if same:
        doc["sameAs"] = sorted(same)
    acronym = graph.value(node, iris.terms.acronym)
    if acronym is not None:
        doc["alternateName"] = sorted({*doc.get("alternateName", []), str(acronym)})

    if doc["@type"] in ("NGO", "Organization"):
        founding = graph.value(node, SCHEMA.foundingDate)
        if founding is not None:
            doc["foundingDate"] = str(founding)
        members = sorted(graph.objects(node, ORG.hasMember), key=str)
        if members:
            doc["member"] = [
                _ref(graph, m, lang, "Organization", href_for(str(m))) for m in members
            ]
        areas = sorted(graph.objects(node, iris.terms.workingArea), key=str)
        if areas:
            doc["areaServed"] = [_place(graph, a, lang, href_for(str(a))) for a in areas]
        parents = sorted(graph.objects(node, ORG.memberOf), key=str)
        if parents:
            doc["memberOf"] = [_ref(graph, p, lang, "NGO", href_for(str(p))) for p in parents]
        history, _ = _texts(graph, node, iris.terms.history, lang)
        if history and "description" not in doc:
            doc["description"] = history
    if doc["@type"] == "Dataset":
        _dataset(graph, node, doc)
    return doc


def _dataset(graph: Graph, node: URIRef, doc: dict[str, Any]) -> None:
    license_ = graph.value(node, DCTERMS.license)
    if license_ is not None:
        doc["license"] = str(license_)
    for prop, key in ((OWL.versionInfo, "version"), (DCTERMS.modified, "dateModified"),
                      (DCTERMS.issued, "datePublished")):  # fmt: skip
        value = graph.value(node, prop)
        if value is not None:
            doc[key] = str(value)
    for prop, key in ((DCTERMS.publisher, "publisher"), (DCTERMS.creator, "creator")):
        agent = graph.value(node, prop)
        if isinstance(agent, URIRef):
            doc[key] = {"@type": "Organization", "@id": str(agent)}
            name = graph.value(agent, SKOS.prefLabel) or graph.value(agent, FOAF.name)
            if name is not None:
                doc[key]["name"] = str(name)
    downloads = []
    for dist in sorted(graph.objects(node, DCAT.distribution), key=str):
        item = {"@type": "DataDownload", "contentUrl": str(dist)}
        # schema.org wants the file's own media type as text; DCAT has IANA IRIs.
        media = graph.value(dist, DCAT.compressFormat) or graph.value(dist, DCAT.mediaType)
        if media is not None:
            item["encodingFormat"] = str(media).removeprefix(IANA_MEDIA_TYPES)
        downloads.append(item)
    if downloads:
        doc["distribution"] = downloads
    keywords = [str(v) for v in graph.objects(node, DCAT.keyword)]
    if keywords:
        doc["keywords"] = sorted(keywords)
    places = [
        {"@type": "Place", "@id": str(p), "name": str(name)}
        for p in sorted(graph.objects(node, DCTERMS.spatial), key=str)
        if (name := _texts(graph, p, SKOS.prefLabel, "en")[0]) is not None
    ]
    if places:
        doc["spatialCoverage"] = places
    doc["isAccessibleForFree"] = True
    doc.setdefault("description", doc.get("name", "MWG knowledge graph"))


def breadcrumb_page(page_url: str, trail: list[tuple[str, str]]) -> dict[str, Any]:
    """The page about a resource, with its breadcrumb trail (schema.org ``WebPage.breadcrumb``,
    a ``BreadcrumbList``): hung on the resource as ``mainEntityOfPage``, so the page keeps one
    JSON-LD document whose top is still the resource itself."""
    return {
        "@type": "WebPage",
        "@id": page_url,
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i, "name": name, "item": url}
                for i, (name, url) in enumerate(trail, start=1)
            ],
        },
    }
