"""The project's namespaces, prefix bindings and the one rule for minting and rebasing IRIs.

The files in ``ontology/`` and ``data/`` are written against :data:`DEFAULT_BASE_IRI`; everything
that needs an IRI under the configured base goes through :class:`Iris`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from mwg_graph.config import DEFAULT_BASE_IRI

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
FREQ = Namespace("http://purl.org/cld/freq/")
WD = Namespace("http://www.wikidata.org/entity/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@dataclass(frozen=True)
class Kind:
    """One kind of resource the graph mints (docs/MODEL.md): everything that names it in one row,
    so a new kind is one row here, not an edit in each module that lists kinds."""

    segment: str  # the path segment in {base}id/{segment}/{slug}
    prefix: str  # the Turtle prefix data/ binds to {base}id/{segment}/
    one_th: str  # one resource, as search results label it
    one_en: str
    many_th: str  # the kind, as index pages name it
    many_en: str

    def one(self, lang: str) -> str:
        return self.one_th if lang == "th" else self.one_en

    def many(self, lang: str) -> str:
        return self.many_th if lang == "th" else self.many_en


KIND_TABLE: tuple[Kind, ...] = (
    Kind("organization", "organization", "องค์กร", "organisation", "องค์กร", "Organisations"),
    Kind("membership", "membership", "การเป็นสมาชิก", "membership", "การเป็นสมาชิก", "Memberships"),
    Kind("role", "role", "บทบาท", "role", "บทบาท", "Roles"),
    Kind("goal", "goal", "เป้าหมาย", "goal", "เป้าหมาย", "Goals"),
    Kind("vision", "vision", "วิสัยทัศน์", "vision statement", "วิสัยทัศน์", "Vision statements"),
    Kind("mission", "mission", "พันธกิจ", "mission", "พันธกิจ", "Missions"),
    Kind("strategy", "strategy", "ยุทธศาสตร์", "strategy", "ยุทธศาสตร์", "Strategies"),
    Kind("theme", "theme", "ประเด็นหลัก", "main issue", "ประเด็นหลัก", "Themes"),
    Kind("sector", "sector", "ภาคส่วน", "sector", "ภาคส่วน", "Sectors"),
    Kind("collaborator-category", "collab", "ประเภทองค์กรความร่วมมือ", "collaborator category",
         "ประเภทองค์กรความร่วมมือ", "Collaborator categories"),
    Kind("target-group", "target", "กลุ่มเป้าหมาย", "target group", "กลุ่มเป้าหมาย",
         "Target groups"),
    Kind("target-level", "level", "ระดับกลุ่มเป้าหมาย", "target level", "ระดับกลุ่มเป้าหมาย",
         "Target levels"),
    Kind("nationality", "nationality", "สัญชาติ", "nationality", "สัญชาติ", "Nationalities"),
    Kind("province", "province", "จังหวัด", "province", "จังหวัด", "Provinces"),
    Kind("country", "country", "ประเทศ", "country", "ประเทศ", "Countries"),
    Kind("scheme", "scheme", "ชุดแนวคิด", "concept scheme", "ชุดแนวคิด", "Concept schemes"),
    Kind("source", "source", "แหล่งข้อมูล", "source", "แหล่งข้อมูล", "Sources"),
    Kind("dataset", "dataset", "ชุดข้อมูล", "dataset", "ชุดข้อมูล", "Datasets"),
    Kind("agent", "agent", "ผู้จัดทำ", "agent", "ผู้จัดทำ", "Agents"),
)  # fmt: skip
# Path segment → its kind: `segment in KINDS` is the one check for a valid kind.
KINDS: dict[str, Kind] = {kind.segment: kind for kind in KIND_TABLE}

STANDARD_PREFIXES = {
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dcterms": DCTERMS,
    "prov": PROV, "dcat": DCAT, "void": VOID, "foaf": FOAF, "org": ORG, "schema": SCHEMA,
    "geo": GEO, "freq": FREQ, "wd": WD,
}  # fmt: skip

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Iris:
    """IRIs under one base. ``Iris(base).instance("province", "th-10")``."""

    base: str = DEFAULT_BASE_IRI

    @property
    def ontology(self) -> URIRef:
        return URIRef(self.base + "def")

    @property
    def terms(self) -> Namespace:
        return Namespace(self.base + "def#")

    @property
    def dataset(self) -> URIRef:
        return self.instance("dataset", "mwg")

    @property
    def source_page(self) -> URIRef:
        return self.instance("source", "mwg-about")

    def instance(self, kind: str, slug: str) -> URIRef:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; known kinds: {', '.join(KINDS)}")
        if not SLUG.match(slug):
            raise ValueError(f"slug {slug!r} is not lowercase ASCII words joined by '-'")
        return URIRef(f"{self.base}id/{kind}/{slug}")

    def partner_graph(self, slug: str) -> URIRef:
        """The named graph of a partner's dataset (its folder's name is the slug)."""
        return URIRef(f"{self.base}graph/partner/{slug}")

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def rebase(self, iri: str, from_base: str = DEFAULT_BASE_IRI) -> str:
        return self.base + iri[len(from_base) :] if iri.startswith(from_base) else iri

    def bind_prefixes(self, graph: Graph) -> Graph:
        for prefix, ns in STANDARD_PREFIXES.items():
            graph.bind(prefix, ns, override=True, replace=True)
        graph.bind("mwgo", self.terms, override=True, replace=True)
        for kind in KIND_TABLE:
            namespace = Namespace(f"{self.base}id/{kind.segment}/")
            graph.bind(kind.prefix, namespace, override=True, replace=True)
        return graph

    def prefixes(self) -> dict[str, str]:
        """Prefix → namespace, for SPARQL prologues and JSON-LD contexts."""
        found = {p: str(ns) for p, ns in STANDARD_PREFIXES.items()}
        found["mwgo"] = str(self.terms)
        found.update({k.prefix: f"{self.base}id/{k.segment}/" for k in KIND_TABLE})
        return found
