"""The pages and documents of the release, rendered by several processes at once.

They are nearly all of an export's work (a resource is three pages and four documents), each
one a function of its URL only, so they are split into chunks that worker processes render and
write independently; the files are the same bytes whichever process writes them. Workers are
started fresh (``spawn``), each with its own application and read-only store, and inherit the
export's fixed ``PYTHONHASHSEED`` (rdflib's set order), so their bytes equal the main process's.
Without a fixed seed in the environment the export renders everything itself.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from rdflib import URIRef

from mwg_graph.config import Settings
from mwg_graph.formats import RDF_FORMATS
from mwg_graph.publish.export import layout
from mwg_graph.publish.export.files import Written, compressed, write_if_changed
from mwg_graph.publish.export.redirects import redirect_page
from mwg_graph.publish.export.render import ExportFailed, Renderer
from mwg_graph.web.i18n import LANGUAGES
from mwg_graph.web.state import get_state

CHUNK = 48  # paths per task: big enough that a task's overhead is noise, small enough to share
FEW = 2 * CHUNK
PR_SET_PDEATHSIG = (
    1  # linux/prctl.h  # fewer paths than this: starting workers costs more than it saves
)


def page_files(renderer: Renderer, path: str) -> Iterator[tuple[str, bytes]]:
    """The files of the page at ``path``: both language copies and the default, every format
    of a document, and for a document the IRI's own page (for hosts without rules)."""
    url = "/" + path
    yield layout.page_file(url), renderer.fetch(url, "text/html")
    for code in LANGUAGES:
        yield layout.page_file(url, code), renderer.fetch(f"{url}?lang={code}", "text/html")
    if path.startswith("doc/") or path == "def":
        for fmt in RDF_FORMATS:
            yield layout.data_file(url + fmt.suffix), renderer.fetch(url + fmt.suffix)
    if path.startswith("doc/"):
        iri_path = "/id/" + path[len("doc/") :]
        yield layout.page_file(iri_path), redirect_page(iri_path, url).encode()
        # Rendered once: its graph and bodies would only fill memory for the rest of the export.
        key = ("doc", URIRef(renderer.settings.base_iri + iri_path[1:]))
        get_state(renderer.app).memo.discard(
            lambda k: isinstance(k, tuple) and len(k) > 1 and k[1] == key
        )


def write_pages(
    renderer: Renderer, site: Path, paths: list[str], mtime: float
) -> tuple[list[str], Written]:
    """Render and write ``paths`` (and the ``.gz`` copies of their files); the names written."""
    log = Written()
    names: list[str] = []
    for path in paths:
        for name, body in page_files(renderer, path):
            names.append(name)
            write_if_changed(site, name, body, mtime, log)
            packed = compressed(name, body)
            if packed is not None:
                names.append(name + ".gz")
                write_if_changed(site, name + ".gz", packed, mtime, log)
    return names, log


def render_all(
    renderer: Renderer, site: Path, paths: list[str], mtime: float
) -> tuple[list[str], Written]:
    """Every page of ``paths``, by worker processes when there are enough pages and more than
    one processor, else here; the names and what was written, in the order of ``paths``."""
    workers = _workers()
    if workers < 2 or len(paths) < FEW:
        return write_pages(renderer, site, paths, mtime)
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    names: list[str] = []
    log = Written()
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(renderer.settings, renderer.release.version),
        ) as pool:
            for chunk_names, chunk_log in pool.map(
                _worker_chunk, [(site, chunk, mtime) for chunk in chunks]
            ):
                names += chunk_names
                log.kept += chunk_log.kept
                log.written += chunk_log.written
    except BrokenProcessPool as broken:  # a worker could not start or was killed
        raise ExportFailed(f"a page-rendering process stopped: {broken}") from broken
    return names, log


def _workers() -> int:
    if os.environ.get("PYTHONHASHSEED") in (None, "", "random"):
        return 1  # a worker's own seed would give other bytes (rdflib's set order)
    return len(os.sched_getaffinity(0))


_worker: Renderer | None = None


def _start_worker(settings: Settings, version: str) -> None:
    global _worker
    _end_with_parent()
    _worker = Renderer(settings)
    if _worker.release.version != version:  # a build published a new release meanwhile
        raise ExportFailed(f"release {_worker.release.version} is current now, not {version}")


def _end_with_parent() -> None:
    """Stopping the export (Ctrl-C, a timeout's kill) stops its workers too: Linux sends this
    process SIGTERM when its parent dies, and SIGTERM exits cleanly, ending its own children."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(1))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: a worker outlives a killed export's chunk
        pass
    if os.getppid() == 1:  # the parent died before the request took effect
        sys.exit(1)


def _worker_chunk(task: tuple[Path, list[str], float]) -> tuple[list[str], Written]:
    assert _worker is not None, "the worker was not started"
    site, paths, mtime = task
    return write_pages(_worker, site, paths, mtime)
