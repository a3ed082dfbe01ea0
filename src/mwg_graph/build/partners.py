"""Partner datasets: other organisations' Turtle, checked at build time and published beside ours.

A partner dataset is a folder ``{partners_dir}/<slug>/`` holding ``meta.toml`` (who publishes it,
under which licence, where it comes from, whom to ask), its facts (``*.ttl``) and, optionally, its
own SHACL shapes (``shapes.ttl``). The build calls :func:`load_partners`, then
:func:`check_partners`; any problem fails the whole build, like a problem in ``data/``, so the
last good release keeps serving.

Each dataset is published as the named graph ``{base}graph/partner/<slug>`` — never in the default
graph, which stays MWG's own facts. Statements a partner makes *about our resources* (a label of
its own for a member, say) are allowed, because linking to us is the point, but they live only in
the partner's graph and every page that shows them names the partner; our own shapes are applied
to the partner's own resources and to every link into our IRIs, not to our resources, whose facts
are only ever ours.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from mwg_graph.build.load import LoadError, parse_files, rebase
from mwg_graph.build.validate import validate_graph
from mwg_graph.config import DEFAULT_BASE_IRI, Settings
from mwg_graph.iris import Iris
from mwg_graph.store import PARTNER_QUADS

META_FILE = "meta.toml"
SHAPES_FILE = "shapes.ttl"
README_FILE = "README.md"
# Release files: one Turtle and one N-Triples dump per partner, and all of them as N-Quads (what
# the store loads, so the graph names travel with the triples).
QUADS_FILE = PARTNER_QUADS
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
REQUIRED = ("title", "publisher", "license", "source", "contact")


class PartnerError(LoadError):
    """A partner dataset cannot be published; the message names the folder, file and line."""


@dataclass(frozen=True)
class PartnerDataset:
    slug: str
    folder: Path
    meta: dict[str, str]
    files: tuple[Path, ...]
    graph: Graph  # its facts, rebased onto the configured base
    shapes: Graph | None

    def graph_iri(self, base: str) -> URIRef:
        return Iris(base).partner_graph(self.slug)

    def release_info(self, base: str) -> dict:
        """What ``release.json`` says of it (pages and downloads read this, not the folder)."""
        return {
            "slug": self.slug,
            "graph": str(self.graph_iri(base)),
            "triples": len(self.graph),
            "files": [dump_name(self.slug, ".ttl"), dump_name(self.slug, ".nt")],
            **self.meta,
        }


def dump_name(slug: str, suffix: str) -> str:
    return f"partner-{slug}{suffix}"


def load_partners(settings: Settings) -> list[PartnerDataset]:
    """Every partner folder, parsed; an absent or empty folder is no partners."""
    root = settings.partners_dir
    if not root.is_dir():
        return []
    iris = Iris(settings.base_iri)
    return [_load_one(folder, iris) for folder in sorted(root.iterdir()) if folder.is_dir()]


def _load_one(folder: Path, iris: Iris) -> PartnerDataset:
    if not SLUG.fullmatch(folder.name):
        raise PartnerError(
            f"{folder}: a partner folder's name is its slug: lower-case letters, digits and '-'"
        )
    meta = _read_meta(folder / META_FILE)
    files = tuple(p for p in sorted(folder.glob("*.ttl")) if p.name != SHAPES_FILE)
    if not files:
        raise PartnerError(f"{folder}: no Turtle files (*.ttl) with the partner's facts")
    graph = iris.bind_prefixes(rebase(parse_files(files), iris))
    shapes_path = folder / SHAPES_FILE
    shapes = rebase(parse_files([shapes_path]), iris) if shapes_path.is_file() else None
    return PartnerDataset(folder.name, folder, meta, files, graph, shapes)


def _read_meta(path: Path) -> dict[str, str]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise PartnerError(f"{path}: missing; it says {', '.join(REQUIRED)}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PartnerError(f"{path}: not valid TOML: {error}") from error
    missing = [key for key in REQUIRED if not str(raw.get(key, "")).strip()]
    if missing:
        raise PartnerError(f"{path}: missing {', '.join(missing)}")
    meta = {key: str(value).strip() for key, value in raw.items() if isinstance(value, str)}
    for key in ("license", "source"):
        if not meta[key].startswith(("http://", "https://")):
            raise PartnerError(f"{path}: {key} must be an http:// or https:// address")
    if not (meta["contact"].startswith(("http://", "https://")) or _email(meta["contact"])):
        raise PartnerError(f"{path}: contact must be an e-mail address or an http(s):// address")
    return meta


def _email(text: str) -> bool:
    return re.fullmatch(r"(mailto:)?[^@\s<>\"']+@[^@\s<>\"']+", text) is not None


def check_partners(
    partners: list[PartnerDataset], ours: Graph, shapes: Graph, ontology: Graph, iris: Iris
) -> None:
    """Raise :class:`PartnerError` listing every problem of every partner dataset.

    ``ours`` is the release's content (ontology + data): an IRI under our base that is not a
    subject there is not one we mint.
    """
    minted = {s for s in ours.subjects() if isinstance(s, URIRef) and iris.is_ours(str(s))}
    minted |= {p.graph_iri(iris.base) for p in partners}
    problems: list[str] = []
    for partner in partners:
        problems += _dangling_links(partner, minted, iris)
        problems += _shape_problems(partner, ours, shapes, ontology, iris)
    if problems:
        raise PartnerError(
            "partner data is not valid; nothing was published.\n" + "\n".join(problems)
        )


def _dangling_links(partner: PartnerDataset, minted: set[URIRef], iris: Iris) -> list[str]:
    problems = []
    for path in partner.files:
        raw = Graph().parse(path, format="turtle")
        text = path.read_text(encoding="utf-8")
        prefixes = {str(ns): prefix for prefix, ns in raw.namespaces()}
        named = {n for triple in raw for n in triple if isinstance(n, URIRef)}
        for node in sorted(named, key=str):
            moved = URIRef(iris.rebase(str(node), DEFAULT_BASE_IRI))
            if not iris.is_ours(str(moved)) or moved in minted:
                continue
            where = _line_of(text, str(node), prefixes)
            problems.append(
                f"{path}{where}: <{node}> is under our base IRI but MWG does not mint it "
                "(a typo, or a resource that does not exist)"
            )
    return problems


def _line_of(text: str, iri: str, prefixes: dict[str, str]) -> str:
    """``", line N"`` of the first line naming ``iri`` in full or by a prefix; "" when not found."""
    forms = [f"<{iri}>"]
    for namespace, prefix in prefixes.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            forms.append(f"{prefix}:{iri[len(namespace) :]}")
    for number, line in enumerate(text.splitlines(), start=1):
        for form in forms:
            at = line.find(form)
            if at < 0:
                continue
            end = at + len(form)
            # A prefixed name must end there, not continue (org:ab is not org:abc).
            if form.startswith("<") or end == len(line) or not _name_char(line[end]):
                return f", line {number}"
    return ""


def _name_char(char: str) -> bool:
    return char.isalnum() or char in "_-:%"


def _shape_problems(
    partner: PartnerDataset, ours: Graph, shapes: Graph, ontology: Graph, iris: Iris
) -> list[str]:
    where = f"{partner.folder} ({', '.join(p.name for p in partner.files)})"
    problems = []
    if partner.shapes is not None:
        own = validate_graph(partner.graph, partner.shapes, ontology)
        problems += [f"{where}: own shapes: {v.line()}" for v in own.violations]
    # Ours apply to the partner's resources and its links into our IRIs; a violation whose focus
    # is one of our resources comes from a statement about it, which stays in the partner's graph.
    merged = Graph()
    merged += ours
    merged += partner.graph
    result = validate_graph(merged, shapes, ontology)
    problems += [
        f"{where}: MWG shapes: {v.line()}" for v in result.violations if not iris.is_ours(v.focus)
    ]
    return problems


def digest_part(partners: list[PartnerDataset], canonical_digest) -> str:
    """What the partners add to a release's content digest ("" for none: old digests hold)."""
    if not partners:
        return ""
    parts = [f"{p.slug}|{sorted(p.meta.items())}|{canonical_digest(p.graph)}" for p in partners]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def write_partner_files(folder: Path, partners: list[PartnerDataset], iris: Iris) -> None:
    """Each partner's dumps and ``partners.nq`` (nothing at all when there are no partners)."""
    if not partners:
        return
    with (folder / QUADS_FILE).open("w", encoding="utf-8") as quads:
        for partner in partners:
            partner.graph.serialize(
                folder / dump_name(partner.slug, ".ttl"), format="turtle", encoding="utf-8"
            )
            nt = folder / dump_name(partner.slug, ".nt")
            partner.graph.serialize(nt, format="nt", encoding="utf-8")
            name = f" <{partner.graph_iri(iris.base)}> .\n"
            for line in nt.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    quads.write(line.rstrip().removesuffix(".").rstrip() + name)


def describe_partners(
    description: Graph, partners: list[PartnerDataset], settings: Settings, version: str
) -> None:
    """Each partner dataset as a ``void:subset`` of ours, with its own publisher and licence."""
    iris = Iris(settings.base_iri)
    add = description.add
    for partner in partners:
        subset = partner.graph_iri(iris.base)
        meta = partner.meta
        add((iris.dataset, VOID.subset, subset))
        add((subset, RDF.type, VOID.Dataset))
        add((subset, DCTERMS.title, Literal(meta["title"])))
        if meta.get("title_th"):
            add((subset, DCTERMS.title, Literal(meta["title_th"], lang="th")))
        publisher = URIRef(f"{subset}#publisher")
        add((subset, DCTERMS.publisher, publisher))
        add((publisher, RDF.type, FOAF.Agent))
        add((publisher, FOAF.name, Literal(meta["publisher"])))
        add((subset, DCTERMS.license, URIRef(meta["license"])))
        add((subset, DCTERMS.source, URIRef(meta["source"])))
        contact = meta["contact"]
        if _email(contact) and not contact.startswith("mailto:"):
            contact = "mailto:" + contact
        add((subset, DCAT.contactPoint, URIRef(contact)))
        add((subset, VOID.triples, Literal(len(partner.graph), datatype=XSD.integer)))
        add((subset, VOID.sparqlEndpoint, URIRef(iris.base + "sparql")))
        for suffix in (".ttl", ".nt"):
            name = dump_name(partner.slug, suffix)
            add((subset, VOID.dataDump, URIRef(f"{iris.base}downloads/{version}/{name}")))
