"""The name index: written by the build into each release (``search-index.json``), read by servers.

The index lists every resource the graph mints (``{base}id/…``) with every name it has — preferred,
alternative and hidden labels (the source's own spellings), acronyms, ISO codes — and the text of
statements and descriptions, each cut into words. Cutting Thai into words needs a dictionary
segmenter (PyThaiNLP's ``newmm``; README "Choices" says why); it runs here, once per build, so a
server only reads JSON and a query never waits for a segmenter or a SPARQL store.

The file also carries what the reconciliation service hands out for data extension (ISO code,
Wikidata item, Thai and English names, acronym), so ``/reconcile`` needs nothing else either.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from mwg_graph.config import LANGUAGES
from mwg_graph.iris import KINDS, SCHEMA, WD, Iris
from mwg_graph.names import Index
from mwg_graph.store import DUMP

INDEX_FILE = "search-index.json"
FORMAT = 1
# Order of kinds when scores tie: what people look for most comes first.
KIND_RANK = {kind: rank for rank, kind in enumerate((
    "organization", "province", "country", "nationality", "theme", "target-group", "strategy",
    "mission", "vision", "goal", "sector", "collaborator-category", "target-level", "role",
    "membership", "scheme", "dataset", "source", "agent",
))}  # fmt: skip
_LATIN_WORDS = re.compile(r"[^\W_]+")


def name_properties(iris: Iris) -> dict[URIRef, str]:
    """Which properties name a resource, and as what kind of name (see ``names.FIELD_WEIGHTS``)."""
    terms = iris.terms
    return {
        SKOS.prefLabel: "pref", RDFS.label: "pref", DCTERMS.title: "pref", SCHEMA.name: "pref",
        SKOS.altLabel: "alt", SKOS.hiddenLabel: "hidden", terms.acronym: "acronym",
        terms.iso3166_2: "code", terms.iso3166Alpha2: "code", terms.iso3166Alpha3: "code",
        terms.iso3166Numeric: "code",
        SKOS.definition: "text", DCTERMS.description: "text", terms.history: "text",
    }  # fmt: skip


def words(text: str) -> list[str]:
    """``text`` cut into words: Thai by the ``newmm`` dictionary segmenter, Latin at non-letters."""
    if text.isascii():
        return _LATIN_WORDS.findall(text)
    from pythainlp.tokenize import word_tokenize  # ~1 s to load its dictionary: build time only

    found = word_tokenize(text, engine="newmm", keep_whitespace=False)
    return [w for w in found if any(c.isalnum() for c in w)]


def build_entries(graph: Graph, iris: Iris) -> list[dict]:
    naming = name_properties(iris)
    prefix = iris.base + "id/"
    entries = []
    subjects = {s for s in graph.subjects(RDF.type, None) if str(s).startswith(prefix)}
    for subject in sorted(subjects):
        local = str(subject)[len(prefix) :]
        kind = local.split("/", 1)[0]
        if kind not in KINDS:
            continue
        names, seen = [], set()
        for prop, field_ in naming.items():
            for value in graph.objects(subject, prop):
                if not isinstance(value, Literal) or (str(value), field_) in seen:
                    continue
                seen.add((str(value), field_))
                names.append({"text": str(value), "lang": value.language, "field": field_,
                              "words": words(str(value))})  # fmt: skip
        entries.append({
            "id": local,
            "iri": str(subject),
            "kind": kind,
            "rank": KIND_RANK.get(kind, len(KIND_RANK)),
            "label": _labels(graph, subject),
            "values": _values(graph, subject, iris),
            "names": names,
        })  # fmt: skip
    return entries


def _labels(graph: Graph, subject: URIRef) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in graph.objects(subject, SKOS.prefLabel):
        if isinstance(value, Literal) and value.language and value.language not in found:
            found[value.language] = str(value)
    if not found:
        for prop in (RDFS.label, DCTERMS.title, SCHEMA.name):
            value = graph.value(subject, prop)
            if value is not None:
                found[getattr(value, "language", None) or "en"] = str(value)
                break
    return found


def _values(graph: Graph, subject: URIRef, iris: Iris) -> dict[str, list[str]]:
    """What data extension can add as columns (``views/reconcile.py`` PROPERTIES)."""
    terms = iris.terms
    codes = [
        str(v)
        for prop in (terms.iso3166_2, terms.iso3166Alpha2)
        for v in graph.objects(subject, prop)
    ]
    labels = list(graph.objects(subject, SKOS.prefLabel))
    values = {
        "iso_code": sorted(codes),
        "iso_alpha3": sorted(str(v) for v in graph.objects(subject, terms.iso3166Alpha3)),
        "wikidata": sorted(
            str(v).removeprefix(str(WD))
            for v in graph.objects(subject, OWL.sameAs)
            if str(v).startswith(str(WD))
        ),
        "name_th": sorted(str(v) for v in labels if getattr(v, "language", None) == "th"),
        "name_en": sorted(str(v) for v in labels if getattr(v, "language", None) == "en"),
        "acronym": sorted(str(v) for v in graph.objects(subject, terms.acronym)),
    }
    return {k: v for k, v in values.items() if v}


def write_search_index(folder: Path, graph: Graph, iris: Iris) -> None:
    """The build step: the index of ``graph`` into ``folder/search-index.json``."""
    document = {"format": FORMAT, "base_iri": iris.base, "entries": build_entries(graph, iris)}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    (folder / INDEX_FILE).write_text(text + "\n", encoding="utf-8")


def entry_label(entry: dict, language: str) -> tuple[str, str | None]:
    """(name, its language): the entry's name in ``language``, else in the other one."""
    labels = entry.get("label", {})
    for code in (language, *[x for x in LANGUAGES if x != language]):
        if labels.get(code):
            return labels[code], code
    return entry["id"], None


_lock = threading.Lock()
_loaded: dict[Path, Index] = {}


def index_for(release) -> Index:
    """The loaded index of a served release (read once per process; the last two are kept).

    A release built before the index existed has no file (and a damaged file is no better): its
    index is then made from the release's N-Triples dump, which takes a second or two, once.
    """
    with _lock:
        found = _loaded.get(release.path)
        if found is not None:
            return found
    try:
        entries = json.loads((release.path / INDEX_FILE).read_text(encoding="utf-8"))["entries"]
    except (OSError, ValueError, KeyError, TypeError):  # missing (older release) or damaged
        graph = Graph().parse(release.path / DUMP, format="nt")
        entries = build_entries(graph, Iris(release.info.get("base_iri") or Iris().base))
    index = Index.from_entries(entries)
    with _lock:
        while len(_loaded) >= 2:
            _loaded.pop(next(iter(_loaded)))
        _loaded[release.path] = index
    return index
