"""How to cite a resource and the dataset (plain text, BibTeX), from the release's description.

Every part of a citation — publisher, title, version, date of issue, licence — is read from the
dataset's DCAT/VoID description in the release (:mod:`mwg_graph.build.void` writes it; it is the
same description ``/.well-known/void`` serves), never typed here, so a citation always names the
release a reader actually saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDFS, SKOS

from mwg_graph import labels


@dataclass(frozen=True)
class DatasetFacts:
    iri: str
    title: str
    publisher: str
    version: str
    issued: str  # YYYY-MM-DD, as dcterms:issued says
    license_iri: str
    license_name: str


@dataclass(frozen=True)
class Citation:
    text: str
    bibtex: str


def _pick(graph: Graph, node, props, language: str) -> str:
    chosen = labels.label(graph, node, props, (language, "en", "th", None), fallback=True)
    return "" if chosen is None else str(chosen)


def dataset_facts(graph: Graph, dataset: URIRef, language: str, license_name) -> DatasetFacts:
    """What a citation needs, from ``graph`` (the dataset's triples and its publisher's).

    ``license_name(iri)`` names the licence for people ("CC BY 4.0"), or None."""
    publisher = graph.value(dataset, DCTERMS.publisher)
    license_iri = graph.value(dataset, DCTERMS.license)
    version = graph.value(dataset, OWL.versionInfo) or graph.value(dataset, DCAT.version)
    issued = graph.value(dataset, DCTERMS.issued)
    return DatasetFacts(
        iri=str(dataset),
        title=_pick(graph, dataset, (DCTERMS.title, SKOS.prefLabel), language),
        publisher=_pick(graph, publisher, (SKOS.prefLabel, FOAF.name, RDFS.label), language)
        if publisher is not None
        else "",
        version=str(version or ""),
        issued=str(issued or ""),
        license_iri=str(license_iri or ""),
        license_name=(license_name(str(license_iri)) or str(license_iri)) if license_iri else "",
    )


def _year(facts: DatasetFacts) -> str:
    return facts.issued[:4] if re.match(r"\d{4}", facts.issued) else "n.d."


def _bibtex_text(text: str) -> str:
    """A BibTeX field value: braces and backslashes would end or escape it, so they go."""
    return re.sub(r"[{}\\]", "", " ".join(text.split()))


def _bibtex(key: str, fields: list[tuple[str, str]]) -> str:
    """An ``@misc`` entry; the author is an organisation, so its name is braced whole (BibTeX
    would otherwise read "mwg-graph project" as a first and a last name)."""

    def field(name: str, value: str) -> str:
        value = _bibtex_text(value)
        return f"  {name} = {{{{{value}}}}}" if name == "author" else f"  {name} = {{{value}}}"

    body = ",\n".join(field(name, value) for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "mwg"


def cite_resource(
    facts: DatasetFacts, title: str, iri: str, kind: str, words: dict[str, str]
) -> Citation:
    """``words`` are the page language's own: ``in``, ``release``, ``licence`` (see i18n)."""
    text = (
        f"{facts.publisher}. ({_year(facts)}). {title} [{kind}]. {words['in']} {facts.title}, "
        f"{words['release']} {facts.version} ({facts.issued}). {iri}. "
        f"{words['licence']}: {facts.license_name} ({facts.license_iri})"
    )
    bibtex = _bibtex(
        _key(iri.rstrip("/").rsplit("/id/", 1)[-1]) + "-" + _key(facts.version),
        [("author", facts.publisher), ("title", title), ("year", _year(facts)),
         ("howpublished", f"{words['in']} {facts.title}, {words['release']} {facts.version}"),
         ("version", facts.version), ("date", facts.issued), ("url", iri),
         ("note", f"{words['licence']}: {facts.license_name} ({facts.license_iri})")],
    )  # fmt: skip
    return Citation(text, bibtex)


def cite_dataset(facts: DatasetFacts, words: dict[str, str]) -> Citation:
    text = (
        f"{facts.publisher}. ({_year(facts)}). {facts.title}, {words['release']} {facts.version} "
        f"({facts.issued}) [{words['data_set']}]. {facts.iri}. "
        f"{words['licence']}: {facts.license_name} ({facts.license_iri})"
    )
    bibtex = _bibtex(
        "mwg-dataset-" + _key(facts.version),
        [("author", facts.publisher), ("title", facts.title), ("year", _year(facts)),
         ("version", facts.version), ("date", facts.issued), ("url", facts.iri),
         ("note", f"{words['licence']}: {facts.license_name} ({facts.license_iri})")],
    )  # fmt: skip
    return Citation(text, bibtex)
