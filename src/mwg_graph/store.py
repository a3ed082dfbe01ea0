"""The one way any serving process opens a release as an Oxigraph store.

Query processes, pages, descriptions and dumps all read the release through
:func:`open_release_store`, so the choice of store is made here and nowhere else. The choice,
measured (BENCHMARKS.md, "Store choice"): the build writes one on-disk store per release
(``{release}/store/``) and every process opens it read-only. Opening takes milliseconds at any
size, and the processes share the operating system's page cache instead of each holding its own
copy: at 1M triples an in-memory store took ~10 s to load and ~0.5 GB in *each* of the six
processes of a default server.

The store is written into the release's staging folder before the release is published, so a
release and its store appear together or not at all; a missing or damaged store is an error here,
and the release is not served (the last good one keeps serving).
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import DefaultGraph, RdfFormat, Store

from mwg_graph.formats import dump_file_name

STORE_DIR = "store"  # inside a release folder
DUMP = dump_file_name(".nt")  # the release's N-Triples dump, which the store is loaded from
# Partner datasets as N-Quads, each in its named graph (mwg_graph.build.partners writes it; absent
# when there are none): the store loads it beside the dump, so ``GRAPH <…>`` finds them.
PARTNER_QUADS = "partners.nq"

_DEFAULT = DefaultGraph()


class StoreMissing(OSError):
    """The release has no usable store (built before stores, or damaged)."""


def write_release_store(release: Path) -> Path:
    """Write ``{release}/store/`` from the release's N-Triples dump (the build calls this)."""
    path = release / STORE_DIR
    store = Store(str(path))
    _load_release(store, release)
    store.flush()
    store.optimize()
    del store  # closes the database: a read-only opener must see every file complete
    return path


def _load_release(store: Store, release: Path) -> None:
    store.bulk_load(path=str(release / DUMP), format=RdfFormat.N_TRIPLES)
    if (release / PARTNER_QUADS).is_file():
        store.bulk_load(path=str(release / PARTNER_QUADS), format=RdfFormat.N_QUADS)


def open_release_store(release: Path, extra_data: str = "") -> Store:
    """The release in the default graph, partner datasets in their named graphs; ``extra_data``
    (TriG or N-Quads) adds more named graphs.

    Without ``extra_data`` this is the release's own on-disk store, read-only. With it (the W3C
    protocol tests' graphs: a small release and a small file) the release and the extra graphs are
    loaded into one in-memory store, since a read-only store cannot take the extra graphs.
    """
    path = release / STORE_DIR
    if not (path / "CURRENT").is_file():
        raise StoreMissing(f"the release {release.name} has no store ({path} is missing)")
    if extra_data:
        store = Store()
        _load_release(store, release)
        extra = Path(extra_data)
        store.bulk_load(
            path=str(extra),
            format=RdfFormat.TRIG if extra.suffix == ".trig" else RdfFormat.N_QUADS,
        )
        return store
    try:
        store = Store.read_only(str(path))
    except OSError as error:
        message = f"the store of release {release.name} cannot be opened: {error}"
        raise StoreMissing(message) from error
    if next(iter(store.quads_for_pattern(None, None, None, _DEFAULT)), None) is None:
        raise StoreMissing(f"the store of release {release.name} is empty")
    return store
