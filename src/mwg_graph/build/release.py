"""The build: load → validate → write a release, all or nothing.

A release is a folder ``dist/releases/{version}/``; ``dist/current`` is a symlink to the newest
good one and is swapped with one ``rename``, so a reader sees either the old release or the new
one, never a mix. When anything fails, only ``dist/last-build.json`` changes (it says why), and
the release that was serving keeps serving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gzip
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS

from mwg_graph import __version__
from mwg_graph.build.diff import GraphDiff, diff_graphs
from mwg_graph.build.load import LoadError, load_data, load_ontology, load_shapes
from mwg_graph.build.partners import (
    check_partners,
    describe_partners,
    digest_part,
    load_partners,
    write_partner_files,
)
from mwg_graph.build.validate import ValidationResult, validate_graph
from mwg_graph.build.void import (
    check_publisher_settings,
    describe_publisher,
    describe_release,
)
from mwg_graph.config import Settings
from mwg_graph.dist import (
    CHECKSUMS,
    CURRENT,
    DESCRIPTION_FILE,
    DIFF_FILE,
    LAST_BUILD,
    ONTOLOGY_FILE,
    RELEASE_INFO,
    RELEASES,
    REPORT_TTL,
    REPORT_TXT,
    SHAPES_FILE,
    current_release,
    read_release_info,
    releases_dir,
)
from mwg_graph.formats import DUMPS, dump_file_name
from mwg_graph.iris import Iris
from mwg_graph.jsonld import CONTEXT_FILE, DUMP_CONTEXT_REFERENCE, compact, context_document
from mwg_graph.search_index import write_search_index
from mwg_graph.store import STORE_DIR, write_release_store

GZIPPED = tuple(f.suffix for f in DUMPS)


class BuildFailed(Exception):
    """The build stopped; the previous release is untouched. ``str()`` says why, in plain words."""


@dataclass(frozen=True)
class BuildResult:
    version: str
    path: Path
    triples: int
    changed: bool
    changes: str
    validation: ValidationResult


def check(settings: Settings) -> ValidationResult:
    """Load and validate without writing anything (``mwg-graph validate``)."""
    data = load_data(settings)
    return validate_graph(data, load_shapes(settings), load_ontology(settings))


def build(settings: Settings, now: dt.datetime | None = None) -> BuildResult:
    now = now or dt.datetime.now(dt.UTC)
    settings.dist_dir.mkdir(parents=True, exist_ok=True)
    with _build_lock(settings):
        try:
            return _build(settings, now)
        except BuildFailed as failure:
            _write_last_build(settings, now, ok=False, message=str(failure))
            raise
        except LoadError as failure:
            _write_last_build(settings, now, ok=False, message=str(failure))
            raise BuildFailed(str(failure)) from failure


def _build(settings: Settings, now: dt.datetime) -> BuildResult:
    iris = Iris(settings.base_iri)
    try:
        check_publisher_settings(settings)
    except ValueError as error:
        raise BuildFailed(str(error)) from error
    data, ontology, shapes = load_data(settings), load_ontology(settings), load_shapes(settings)
    # Partner folders are read first: a broken meta.toml, folder name or Turtle file is said at
    # once, not after the validation of our data (most of a build's time).
    partners = load_partners(settings)
    validation = validate_graph(data, shapes, ontology)
    if not validation.conforms:
        raise BuildFailed("validation failed; nothing was published.\n" + validation.text())

    # The publisher of the ontology (and the dataset) is whoever runs the site: a setting.
    publisher = describe_publisher(settings)
    ontology += publisher.triples((iris.ontology, None, None))
    content = iris.bind_prefixes(Graph())
    content += ontology
    content += data
    # The licence is a setting (CC BY 4.0 unless configured): the build states it, not data/.
    content.remove((iris.dataset, DCTERMS.license, None))
    # Partner datasets: all valid or no release at all (mwg_graph.build.partners).
    check_partners(partners, content, shapes, ontology, iris)
    digest = content_digest(content)
    if partners:
        digest = hashlib.sha256(
            (digest + digest_part(partners, content_digest)).encode()
        ).hexdigest()
    previous = current_release(settings)
    previous_info = read_release_info(previous) if previous else None
    if (
        previous_info
        and previous_info.get("content_sha256") == digest
        and (previous_info.get("base_iri") == settings.base_iri)
        and (previous / STORE_DIR).is_dir()  # a release from before stores is built again
    ):
        _write_last_build(
            settings, now, ok=True, message="unchanged", version=previous_info["version"]
        )
        return BuildResult(
            previous_info["version"], previous, previous_info["triples"], False,
            f"No facts changed since release {previous_info['version']}.", validation,
        )  # fmt: skip

    version = f"{now:%Y%m%d}-{digest[:8]}"
    built_at = now.isoformat(timespec="seconds").replace("+00:00", "Z")
    description = describe_release(
        content, settings, version, built_at, now.date().isoformat(),
        lambda graph: describe_partners(graph, partners, settings, version),
    )  # fmt: skip
    release_graph = iris.bind_prefixes(Graph())
    release_graph += content
    release_graph += description
    changes = _changes(previous, content, previous_info)

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=releases_dir_created(settings)))
    try:
        _write_files(staging, release_graph, description, ontology, shapes, validation, iris)
        write_partner_files(staging, partners, iris)
        write_search_index(staging, release_graph, iris)
        (staging / DIFF_FILE).write_text(changes + "\n", encoding="utf-8")
        write_release_store(staging)  # what every serving process reads (mwg_graph.store)
        info = {
            "version": version,
            "built_at": built_at,
            "triples": len(release_graph),
            "content_sha256": digest,
            "base_iri": settings.base_iri,
            "previous": previous_info["version"] if previous_info else None,
            "software_version": __version__,
            "partners": [p.release_info(settings.base_iri) for p in partners],
        }
        (staging / RELEASE_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        _write_checksums(staging)
        final = releases_dir(settings) / version
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current_at(settings, final)
    _write_last_build(settings, now, ok=True, message="published", version=version)
    return BuildResult(version, final, len(release_graph), True, changes, validation)


def releases_dir_created(settings: Settings) -> Path:
    path = releases_dir(settings)
    path.mkdir(parents=True, exist_ok=True)
    return path


def content_digest(graph: Graph) -> str:
    lines = sorted(to_canonical_graph(graph).serialize(format="nt").splitlines())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _changes(previous: Path | None, content: Graph, previous_info: dict | None) -> str:
    if previous is None or previous_info is None:
        return diff_graphs(Graph(), content).text(None)
    return diff_against_release(previous, content).text(previous_info["version"])


def diff_against_release(release: Path, content: Graph) -> GraphDiff:
    """Facts of ``content`` against a release's. The build's own description of the release
    (version, dates, sizes) is taken out of both sides: it is not a fact of the data."""
    old = Graph().parse(release / dump_file_name(".nt"), format="nt")
    description = Graph().parse(release / DESCRIPTION_FILE, format="turtle")
    return diff_graphs(old - description, content - description)


def _write_files(
    folder: Path,
    release: Graph,
    description: Graph,
    ontology: Graph,
    shapes: Graph,
    validation: ValidationResult,
    iris: Iris,
) -> None:
    release.serialize(folder / dump_file_name(".ttl"), format="turtle", encoding="utf-8")
    release.serialize(folder / dump_file_name(".nt"), format="nt", encoding="utf-8")
    _write_json(folder / dump_file_name(".jsonld"), compact(release, iris, DUMP_CONTEXT_REFERENCE))
    _write_json(folder / CONTEXT_FILE, context_document(iris))
    description.serialize(folder / DESCRIPTION_FILE, format="turtle", encoding="utf-8")
    ontology.serialize(folder / ONTOLOGY_FILE, format="turtle", encoding="utf-8")
    shapes.serialize(folder / SHAPES_FILE, format="turtle", encoding="utf-8")
    validation.report_graph.serialize(folder / REPORT_TTL, format="turtle", encoding="utf-8")
    (folder / REPORT_TXT).write_text(validation.text() + "\n", encoding="utf-8")
    for suffix in GZIPPED:
        plain = folder / dump_file_name(suffix)
        with (
            plain.open("rb") as source,
            gzip.GzipFile(folder / (plain.name + ".gz"), "wb", mtime=0) as target,
        ):
            shutil.copyfileobj(source, target)


def _write_json(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _write_checksums(folder: Path) -> None:
    lines = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name != CHECKSUMS:
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    (folder / CHECKSUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _point_current_at(settings: Settings, release: Path) -> None:
    link = settings.dist_dir / CURRENT
    temporary = settings.dist_dir / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    temporary.symlink_to(Path(RELEASES) / release.name)
    os.replace(temporary, link)


def _write_last_build(
    settings: Settings, now: dt.datetime, ok: bool, message: str, version: str | None = None
) -> None:
    status = {
        "ok": ok,
        "at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "message": message,
        "version": version,
    }
    path = settings.dist_dir / LAST_BUILD
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(status, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


@contextlib.contextmanager
def _build_lock(settings: Settings) -> Iterator[None]:
    with open(settings.dist_dir / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
