"""What the linked-data views share: language, links onto this server, labels, and format output.

The RDF keeps the canonical IRIs (``{base}id/…``); HTML links point at this server's own paths, so
``{base}id/x/y`` is linked as ``{public root}doc/x/y``. The public root is ``settings.public_url``
when set, else ``/`` on whatever host the request came to; absolute links never come from the
request's Host (:mod:`mwg_graph.web.origin`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, Response, g, request
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD
from rdflib.term import Node
from werkzeug.exceptions import BadRequest, ServiceUnavailable

from mwg_graph import labels
from mwg_graph.formats import RDF_OFFERS, RdfFormat, negotiate
from mwg_graph.iris import GEO, KINDS, ORG, SCHEMA, Iris
from mwg_graph.jsonld import compact, context_reference
from mwg_graph.web import http, origin
from mwg_graph.web.collation import by_name, script_language
from mwg_graph.web.i18n import LANGUAGE_COOKIE, LANGUAGES, request_language, t, year_month
from mwg_graph.web.releases import PublishedRelease
from mwg_graph.web.state import get_release, get_settings, state
from mwg_graph.web.store_terms import subjects_starting_with
from mwg_graph.web.svgmap import Point

HTML = "text/html"
DOC_OFFERS = [HTML, *RDF_OFFERS]

# Names of the outside terms pages show (our own terms carry rdfs:label in the ontology).
TERM_NAMES: dict[URIRef, tuple[str, str]] = {
    RDF.type: ("ประเภท", "type"),
    SKOS.prefLabel: ("ชื่อ", "name"),
    SKOS.altLabel: ("ชื่ออื่น", "other name"),
    SKOS.hiddenLabel: ("ชื่อตามที่เขียนในต้นฉบับ", "name as the source spells it"),
    SKOS.definition: ("คำนิยาม", "definition"),
    SKOS.inScheme: ("อยู่ในชุดแนวคิด", "in scheme"),
    SKOS.broadMatch: ("ใกล้เคียงแบบกว้างกว่า", "broad match"),
    SKOS.relatedMatch: ("เกี่ยวข้องกับ", "related match"),
    SKOS.exactMatch: ("ตรงกับ", "exact match"),
    RDFS.label: ("ป้ายชื่อ", "label"),
    RDFS.comment: ("คำอธิบาย", "comment"),
    RDFS.subClassOf: ("เป็นคลาสย่อยของ", "subclass of"),
    RDFS.subPropertyOf: ("เป็นคุณสมบัติย่อยของ", "subproperty of"),
    RDFS.domain: ("โดเมน", "domain"),
    RDFS.range: ("เรนจ์", "range"),
    RDFS.isDefinedBy: ("นิยามใน", "defined by"),
    OWL.sameAs: ("สิ่งเดียวกับ", "same as"),
    OWL.versionInfo: ("รุ่น", "version"),
    OWL.versionIRI: ("IRI ของรุ่น", "version IRI"),
    DCTERMS.title: ("ชื่อเรื่อง", "title"),
    DCTERMS.description: ("คำอธิบาย", "description"),
    DCTERMS.license: ("สัญญาอนุญาต", "licence"),
    DCTERMS.publisher: ("ผู้เผยแพร่", "publisher"),
    DCTERMS.creator: ("ผู้สร้าง", "creator"),
    DCTERMS.language: ("ภาษา", "language"),
    DCTERMS.issued: ("วันที่เผยแพร่", "issued"),
    DCTERMS.modified: ("แก้ไขล่าสุด", "modified"),
    DCTERMS.hasVersion: ("รุ่น", "version"),
    DCTERMS.bibliographicCitation: ("การอ้างอิง", "citation"),
    DCTERMS.source: ("แหล่งที่มา", "source"),
    DCTERMS.isPartOf: ("เป็นส่วนหนึ่งของ", "part of"),
    DCTERMS.hasPart: ("ประกอบด้วย", "has part"),
    PROV.wasDerivedFrom: ("ได้มาจาก", "derived from"),
    ORG.hasMember: ("มีสมาชิก", "has member"),
    ORG.hasMembership: ("มีการเป็นสมาชิก", "has membership"),
    ORG.memberOf: ("เป็นสมาชิกของ", "member of"),
    ORG.member: ("สมาชิก", "member"),
    ORG.organization: ("องค์กร", "organisation"),
    ORG.role: ("บทบาท", "role"),
    SCHEMA.position: ("ลำดับ", "position"),
    SCHEMA.foundingDate: ("วันที่ก่อตั้ง", "founding date"),
    SCHEMA.containedInPlace: ("อยู่ใน", "contained in"),
    GEO.lat: ("ละติจูด", "latitude"),
    GEO.long: ("ลองจิจูด", "longitude"),
    DCAT.distribution: ("ไฟล์เผยแพร่", "distribution"),
    DCAT.mediaType: ("ชนิดสื่อ", "media type"),
    DCAT.downloadURL: ("ที่อยู่ดาวน์โหลด", "download URL"),
    DCAT.accessService: ("บริการเข้าถึง", "access service"),
    DCAT.endpointURL: ("ที่อยู่บริการ", "endpoint URL"),
    DCAT.servesDataset: ("ให้บริการชุดข้อมูล", "serves dataset"),
    VOID.triples: ("จำนวนทริเปิล", "triples"),
    VOID.entities: ("จำนวนสิ่ง", "entities"),
    VOID.vocabulary: ("คำศัพท์ที่ใช้", "vocabulary"),
    VOID.dataDump: ("ไฟล์ข้อมูล", "data dump"),
    VOID.sparqlEndpoint: ("SPARQL endpoint", "SPARQL endpoint"),
    VOID.uriSpace: ("ช่วง IRI", "URI space"),
    FOAF.Document: ("เอกสาร", "document"),
    ORG.Organization: ("องค์กร", "organisation"),
    ORG.OrganizationalCollaboration: ("ความร่วมมือขององค์กร", "organisational collaboration"),
    ORG.Membership: ("การเป็นสมาชิก", "membership"),
    ORG.Role: ("บทบาท", "role"),
    SCHEMA.NGO: ("องค์กรพัฒนาเอกชน", "NGO"),
    SCHEMA.AdministrativeArea: ("เขตการปกครอง", "administrative area"),
    SCHEMA.Country: ("ประเทศ", "country"),
    SKOS.Concept: ("แนวคิด", "concept"),
    SKOS.ConceptScheme: ("ชุดแนวคิด", "concept scheme"),
    PROV.Entity: ("สิ่งที่มีที่มา (PROV)", "entity (PROV)"),
    PROV.Agent: ("ผู้กระทำ (PROV)", "agent (PROV)"),
    FOAF.Agent: ("ผู้กระทำ", "agent"),
    FOAF.Organization: ("องค์กร", "organisation"),
    DCAT.Dataset: ("ชุดข้อมูล", "dataset"),
    DCAT.Distribution: ("ไฟล์เผยแพร่", "distribution"),
    DCAT.DataService: ("บริการข้อมูล", "data service"),
    VOID.Dataset: ("ชุดข้อมูล (VoID)", "dataset (VoID)"),
    OWL.Class: ("คลาส", "class"),
    OWL.Ontology: ("ออนโทโลยี", "ontology"),
    OWL.ObjectProperty: ("คุณสมบัติเชิงวัตถุ", "object property"),
    OWL.DatatypeProperty: ("คุณสมบัติเชิงข้อมูล", "datatype property"),
    OWL.AnnotationProperty: ("คุณสมบัติหมายเหตุ", "annotation property"),
}
# Well-known sites, so an outside link reads "Wikidata Q1861", never a bare IRI.
SITE_NAMES = {
    "http://www.wikidata.org/entity/": "Wikidata",
    "https://www.wikidata.org/wiki/": "Wikidata",
    "https://sws.geonames.org/": "GeoNames",
    "https://creativecommons.org/licenses/": "Creative Commons",
    "https://doi.org/": "DOI",
    "http://purl.org/cld/freq/": "Dublin Core frequency",
}
PROPERTY_ORDER = [
    RDF.type, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition,
    DCTERMS.title, DCTERMS.description, RDFS.label, RDFS.comment,
]  # fmt: skip
# Shown elsewhere on the page: types under the title, sources under "where these facts come from".
HIDDEN_ON_PAGE = {PROV.wasDerivedFrom, RDF.type}


# ---- language and links ------------------------------------------------------------------


def lang() -> str:
    if "mwg_lang" not in g:
        g.mwg_lang, g.mwg_lang_fixed = request_language()
    return g.mwg_lang


def lang_fixed() -> bool:
    lang()
    return g.mwg_lang_fixed


def public_root() -> str:
    url = get_settings().public_url
    if url:
        return url if url.endswith("/") else url + "/"
    return "/"


def site_href(path: str, fragment: str = "", keep_lang: bool = True) -> str:
    href = public_root() + path.lstrip("/")
    if keep_lang and lang_fixed():
        href += ("&" if "?" in href else "?") + urlencode({"lang": lang()})
    return href + (f"#{fragment}" if fragment else "")


def absolute(href: str) -> str:
    """An absolute URL for a link made by :func:`site_href` or :func:`href_for` (safe to memoise:
    never built from the request's Host, see :mod:`mwg_graph.web.origin`)."""
    return origin.absolute(href)


def page_link(code: str | None) -> str:
    """This page's absolute URL in language ``code`` (``None``: the negotiated, x-default one).

    Built from the request's path (part of every page memo key), never from its Host.
    """
    href = site_href(request.path.lstrip("/"), keep_lang=False)
    return absolute(href + ("?" + urlencode({"lang": code}) if code else ""))


def lang_switch_href(code: str) -> str:
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = code
    return request.path + "?" + urlencode(args)


def iris() -> Iris:
    return Iris(get_settings().base_iri)


def href_for(iri: str) -> str:
    """Where a page links for ``iri``: this server's own path for ours, the IRI itself otherwise."""
    base = get_settings().base_iri
    if not iri.startswith(base):
        return iri
    rest = iri[len(base) :]
    path, _, fragment = rest.partition("#")
    if path.startswith("id/"):
        path = "doc/" + path[3:]
    return site_href(path, fragment)


LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def remember_language(response: Response) -> Response:
    """Keep a ``?lang=`` choice in the ``lang`` cookie, and say that pages depend on it.

    Every page, and every response that has a language (``Content-Language``), may have been
    chosen by the cookie, so it varies by ``Cookie`` as well: a shared cache must not hand one
    reader's language to another.
    """
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE, chosen, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax", httponly=True
        )
    if response.mimetype == HTML or "Content-Language" in response.headers:
        http.add_vary(response, "Cookie")
    return response


def init_templates(app: Flask) -> None:
    """What every page's template may use (the language, its words, links), and the hook that
    remembers a language chosen with ``?lang=``."""
    app.after_request(remember_language)

    @app.context_processor
    def _search_form() -> dict:
        return {"search_lang_fixed": lang_fixed()}

    @app.context_processor
    def _globals() -> dict:
        return {
            "lang": lang(),
            "other_lang": "en" if lang() == "th" else "th",
            "t": lambda key: t(key, lang()),
            "site_href": site_href,
            "lang_switch_href": lang_switch_href,
            "page_link": page_link,
            "href_for": href_for,
        }


# ---- labels -------------------------------------------------------------------------------


def reading_order(language: str) -> tuple[str | None, ...]:
    """A reader of ``language``: theirs first, then the site's other language, then untagged."""
    return (language, *[x for x in LANGUAGES if x != language], None)


def pick(values: list[Literal], language: str) -> Literal | None:
    return labels.pick(values, reading_order(language), fallback=True)


def curie(graph: Graph, node: URIRef) -> str:
    try:
        return graph.namespace_manager.normalizeUri(node)
    except Exception:  # rdflib raises for IRIs it cannot split
        return str(node)


def friendly_outside_name(iri: str) -> str | None:
    if iri.startswith("https://creativecommons.org/licenses/"):
        parts = iri.removeprefix("https://creativecommons.org/licenses/").strip("/").split("/")
        return "CC " + " ".join(p.upper() if i == 0 else p for i, p in enumerate(parts))
    for prefix, site in SITE_NAMES.items():
        if iri.startswith(prefix):
            rest = iri[len(prefix) :].strip("/")
            return f"{site} {rest}".strip()
    return None


def label(graph: Graph, node: Node, language: str) -> tuple[str, str | None]:
    """(text, language of the text) naming ``node``: its label, else a readable stand-in."""
    if isinstance(node, Literal):
        return str(node), node.language
    naming = (SKOS.prefLabel, RDFS.label, DCTERMS.title)
    chosen = labels.label(graph, node, naming, reading_order(language), fallback=True)
    if chosen is not None:
        return str(chosen), chosen.language
    if isinstance(node, URIRef):
        if node in TERM_NAMES:
            th, en = TERM_NAMES[node]
            return (th, "th") if language == "th" else (en, "en")
        friendly = friendly_outside_name(str(node))
        if friendly:
            return friendly, None
        return curie(graph, node), None
    return "…", None


# ---- one resource, ready for a template ------------------------------------------------


@dataclass
class Value:
    text: str
    lang: str | None = None
    href: str | None = None
    datatype: str | None = None
    other_language: bool = False


@dataclass
class Row:
    prop: URIRef
    label: str
    values: list[Value] = field(default_factory=list)


def node_value(vocab: Graph, description: Graph, node: Node, language: str) -> Value:
    if isinstance(node, Literal):
        datatype = curie(vocab, node.datatype) if node.datatype else None
        text = year_month(str(node), language) if node.datatype == XSD.gYearMonth else str(node)
        return Value(
            text, node.language or script_language(text), None, datatype,
            other_language=bool(node.language and node.language != language),
        )  # fmt: skip
    text, text_lang = label(description, node, language)
    if text == "…" or (isinstance(node, URIRef) and text == curie(description, node)):
        text, text_lang = label(vocab, node, language)
    href = href_for(str(node)) if isinstance(node, URIRef) else None
    return Value(text, text_lang or script_language(text), href)


def rows(vocab: Graph, description: Graph, subject: Node, language: str) -> list[Row]:
    by_prop: dict[URIRef, list[Node]] = {}
    for p, o in description.predicate_objects(subject):
        if p in HIDDEN_ON_PAGE:
            continue
        by_prop.setdefault(p, []).append(o)
    result = []
    for prop, objects in by_prop.items():
        values = [node_value(vocab, description, o, language) for o in objects]
        values = by_name(values, lambda v: v.text, lambda v: v.other_language)
        # "Solidarity Center"@th and @en say the same: show it once.
        seen: set[str] = set()
        values = [v for v in values if not (v.text in seen or seen.add(v.text))]
        result.append(Row(prop, label(vocab, prop, language)[0], values))
    order = {p: i for i, p in enumerate(PROPERTY_ORDER)}
    return by_name(result, lambda r: r.label, lambda r: order.get(r.prop, len(order)))


def incoming_rows(vocab: Graph, description: Graph, subject: Node, language: str) -> list[Row]:
    by_prop: dict[URIRef, list[Node]] = {}
    for s, p in description.subject_predicates(subject):
        by_prop.setdefault(p, []).append(s)
    result = []
    for prop, subjects in by_prop.items():
        values = [node_value(vocab, description, s, language) for s in subjects]
        values = by_name(values, lambda v: v.text)
        result.append(Row(prop, label(vocab, prop, language)[0], values))
    return by_name(result, lambda r: r.label)


# ---- pieces several views use -------------------------------------------------------
# Here rather than in one blueprint, so that no blueprint imports another.


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within bounds, or a 400 that names it (search, reconcile)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"Parameter '{name}' must be a whole number, not {raw[:40]!r}.") from None
    if not low <= value <= high:
        raise BadRequest(f"Parameter '{name}' must be between {low} and {high}, not {value}.")
    return value


def service_root() -> str:
    """The site's absolute root, no language, no trailing slash: where the reconciliation service
    is, as its manifest and the /link page give it."""
    return absolute(site_href("", keep_lang=False)).rstrip("/")


def kinds_present(store) -> dict[str, list[URIRef]]:
    """The IRIs the release mints, by kind, for the kinds it has any of (index pages, sitemap)."""
    base = iris().base + "id/"
    found: dict[str, list[URIRef]] = {k: [] for k in KINDS}
    for subject in subjects_starting_with(store, base):
        kind = str(subject)[len(base) :].split("/", 1)[0]
        if kind in found:
            found[kind].append(subject)
    return {k: v for k, v in found.items() if v}


def province_points(graph: Graph, provinces, language: str) -> list[Point]:
    """The provinces that have coordinates, as linked points of a map (a page, an index)."""
    points = []
    for province in provinces:
        lat, long = graph.value(province, GEO.lat), graph.value(province, GEO.long)
        if lat is None or long is None:
            continue
        text, text_lang = label(graph, province, language)
        points.append(Point(text, float(lat), float(long), href_for(str(province)), text_lang))
    return points


# ---- formats ----------------------------------------------------------------------------


class NoRelease(ServiceUnavailable):
    """503 for the moment before the first release is loaded; says so and when to come back."""

    description = "No release of the graph is being served yet; try again in a few seconds."

    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("Retry-After", "5")]


def require_release() -> PublishedRelease:
    release = get_release()
    if release is None:
        g.pop("mwg_release", None)
        raise NoRelease()
    return release


class SortedGraph(Graph):
    """A graph that lists its triples in sorted order, whatever the pattern.

    rdflib writes N-Triples, RDF/XML and JSON-LD in the order its store lists triples, and its
    in-memory store keeps them in sets, whose order follows the process's hash seed. So each
    server worker and each replica wrote the same document in other bytes, under another ETag (a
    cache or a client revalidating against another replica lost its copy), and the export needed
    a fixed seed. Listed in sorted order, the bytes depend on the triples only.
    """

    def triples(self, triple, *args, **kwargs):  # type: ignore[override]
        found = super().triples(triple, *args, **kwargs)
        return iter(sorted(found, key=lambda t: tuple(_sort_key(term) for term in t)))


def _sort_key(term: Node) -> str:
    return term.n3() if hasattr(term, "n3") else str(term)


def in_order(graph: Graph) -> Graph:
    """``graph`` as a :class:`SortedGraph` (same triples, same prefixes)."""
    ordered = SortedGraph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():  # its own too (the VoID's vcard:)
        ordered.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        ordered.add(triple)
    return ordered


def serialize(graph: Graph, fmt: RdfFormat, iris_: Iris, context_ref: str) -> bytes:
    graph = in_order(graph)
    if fmt.name == "jsonld":
        document = compact(graph, iris_, context_ref)
        return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()
    data = graph.serialize(format=fmt.rdflib_format, encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode()


def serialized(release: PublishedRelease, key: object, graph_fn, fmt: RdfFormat) -> bytes:
    """``graph_fn()`` in ``fmt``, remembered per release; JSON-LD names its context relative to
    this request's path (jsonld.context_reference), so the path's depth is part of the key."""
    context_ref = context_reference(request.path)
    return state().memo.get(
        release.version,
        ("bytes", key, fmt.name, context_ref),
        lambda: serialize(graph_fn(), fmt, iris(), context_ref),
    )


def choose_offer(offers: list[str] | None = None) -> str | None:
    return negotiate(request.headers.get("Accept"), offers or DOC_OFFERS)


def media_type_header(media_type: str) -> str:
    if media_type.startswith("text/") or media_type in ("application/n-triples",):
        return media_type + "; charset=utf-8"
    return media_type


def t_(key: str) -> str:
    from mwg_graph.web.i18n import t

    return t(key, lang())
