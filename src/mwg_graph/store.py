"""The one way any serving process opens a release as an Oxigraph store.

Query processes, pages, descriptions and dumps all read the release through this function, so the
choice between an in-memory store per process and one on-disk store per release (written by the
build, opened read-only) is made here and nowhere else.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat, Store


def open_release_store(release: Path, extra_data: str = "") -> Store:
    """The release in the default graph; ``extra_data`` (TriG or N-Quads) adds named graphs."""
    store = Store()
    store.bulk_load(path=str(release / "mwg.nt"), format=RdfFormat.N_TRIPLES)
    if extra_data:
        extra = Path(extra_data)
        store.bulk_load(
            path=str(extra),
            format=RdfFormat.TRIG if extra.suffix == ".trig" else RdfFormat.N_QUADS,
        )
    return store
