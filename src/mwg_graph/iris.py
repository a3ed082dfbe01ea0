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

KINDS = (
    "organization", "membership", "role", "goal", "vision", "mission", "strategy", "theme",
    "sector", "collaborator-category", "target-group", "target-level", "nationality", "province",
    "country", "scheme", "source", "dataset", "agent",
)  # fmt: skip
# Turtle prefix for each kind, as written in data/ (docs/MODEL.md).
KIND_PREFIXES = {
    "organization": "organization", "membership": "membership", "role": "role", "goal": "goal",
    "vision": "vision", "mission": "mission", "strategy": "strategy", "theme": "theme",
    "sector": "sector", "collaborator-category": "collab", "target-group": "target",
    "target-level": "level", "nationality": "nationality", "province": "province",
    "country": "country", "scheme": "scheme", "source": "source", "dataset": "dataset",
    "agent": "agent",
}  # fmt: skip

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

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def rebase(self, iri: str, from_base: str = DEFAULT_BASE_IRI) -> str:
        return self.base + iri[len(from_base) :] if iri.startswith(from_base) else iri

    def bind_prefixes(self, graph: Graph) -> Graph:
        for prefix, ns in STANDARD_PREFIXES.items():
            graph.bind(prefix, ns, override=True, replace=True)
        graph.bind("mwgo", self.terms, override=True, replace=True)
        for kind, prefix in KIND_PREFIXES.items():
            graph.bind(prefix, Namespace(f"{self.base}id/{kind}/"), override=True, replace=True)
        return graph

    def prefixes(self) -> dict[str, str]:
        """Prefix → namespace, for SPARQL prologues and JSON-LD contexts."""
        found = {p: str(ns) for p, ns in STANDARD_PREFIXES.items()}
        found["mwgo"] = str(self.terms)
        found.update({p: f"{self.base}id/{k}/" for k, p in KIND_PREFIXES.items()})
        return found
