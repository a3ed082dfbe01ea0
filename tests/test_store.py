"""The release's Oxigraph store: written by the build, opened read-only by every serving process,
and the only copy of the release a server process holds (issue 8: no per-worker rdflib graph)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import psutil
import pytest
from pyoxigraph import DefaultGraph, NamedNode
from rdflib import Graph
from rdflib.compare import isomorphic

from bench.synthetic import install_as_current, make_release
from mwg_graph.build.release import build
from mwg_graph.config import Settings, from_env
from mwg_graph.dist import current_release
from mwg_graph.store import STORE_DIR, StoreMissing, open_release_store
from mwg_graph.web.releases import load_published
from mwg_graph.web.store_terms import triples

from .conftest import W3C_DIR, copy_release, start_server, stop_server

SYNTHETIC_TRIPLES = 100_000
# A web worker with the framework and libraries loaded, and nothing of the release, is ~60-70 MB
# resident here; the rdflib graph each worker used to hold added ~90 MB at this size (~1.2 KB per
# triple), so a worker that held one again could not stay under this bound.
WORKER_RSS_BOUND_MB = 110


def dump_lines(release: Path) -> set[str]:
    text = (release / "mwg.nt").read_text(encoding="utf-8")
    return {line for line in text.splitlines() if line.strip()}


def test_the_build_writes_a_store_with_every_triple_of_the_dump(built_settings: Settings) -> None:
    release = current_release(built_settings)
    assert (release / STORE_DIR).is_dir()
    from_store = Graph()
    for triple in triples(open_release_store(release), (None, None, None)):
        from_store.add(triple)
    dump = Graph().parse(release / "mwg.nt", format="nt")
    assert len(from_store) == len(dump_lines(release)) > 1000
    assert isomorphic(from_store, dump)


def test_a_release_without_a_store_does_not_load(built_settings: Settings, tmp_path) -> None:
    release = tmp_path / "20990101-nostore0"
    shutil.copytree(current_release(built_settings), release)
    shutil.rmtree(release / STORE_DIR)
    with pytest.raises(StoreMissing, match="has no store"):
        open_release_store(release)
    with pytest.raises(StoreMissing):
        load_published(release)


def test_a_damaged_store_does_not_load(built_settings: Settings, tmp_path) -> None:
    release = tmp_path / "20990101-damaged1"
    shutil.copytree(current_release(built_settings), release)
    for path in (release / STORE_DIR).iterdir():
        if path.name != "CURRENT":
            path.unlink()
    with pytest.raises(StoreMissing, match="20990101-damaged1"):
        open_release_store(release)


def test_extra_data_adds_named_graphs_beside_the_release(built_settings: Settings) -> None:
    release = current_release(built_settings)
    extra = W3C_DIR / "derived" / "protocol-graphs.trig"
    store = open_release_store(release, str(extra))
    graphs = {str(g) for g in store.named_graphs()}
    in_file = {line.split()[0] for line in extra.read_text().splitlines() if line.endswith("{")}
    assert graphs and graphs == {g.strip() for g in in_file}
    mwg = NamedNode(built_settings.base_iri + "id/organization/mwg")
    assert list(store.quads_for_pattern(mwg, None, None, DefaultGraph()))


@pytest.fixture(scope="module")
def synthetic_settings(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """A dist/ whose current release has ~100k triples (the real graph, copied with new slugs)."""
    dist = tmp_path_factory.mktemp("synthetic-dist")
    settings = from_env(environ={}, dist_dir=dist)
    real = copy_release(built_settings, dist)
    release = make_release(real, dist / "releases" / "synthetic", 100_000)
    install_as_current(dist, release)
    return settings


def test_a_served_release_is_its_store_not_an_rdflib_graph(synthetic_settings: Settings) -> None:
    release = load_published(current_release(synthetic_settings))
    assert not hasattr(release, "graph")
    assert not any(isinstance(value, Graph) for value in vars(release).values())
    assert release.info["triples"] >= SYNTHETIC_TRIPLES * 0.9


def test_web_workers_stay_small_on_a_100k_release(synthetic_settings: Settings, tmp_path) -> None:
    settings = replace(synthetic_settings, workers=2)
    server = start_server(settings, tmp_path / "server.log", timeout=180)  # the CPU may be busy
    try:
        # Pages, a document in every format, the network JSON-LD and a browse page: all served.
        for path in ("/", "/doc/organization/sc", "/doc/organization/sc-c7.ttl", "/def",
                     "/network.jsonld", "/browse/theme/", "/downloads/"):  # fmt: skip
            assert server.get(path, timeout=120).status_code == 200, path
        assert server.get("/version").json()["release"].startswith("synthetic-")
        workers = psutil.Process(server.process.pid).children()
        assert len(workers) == settings.workers
        for worker in workers:
            rss_mb = worker.memory_info().rss / 2**20
            assert rss_mb < WORKER_RSS_BOUND_MB, f"web worker {worker.pid}: {rss_mb:.0f} MB"
    finally:
        stop_server(server)


def test_a_release_from_before_stores_is_built_again(copy_of_repo_inputs: Settings) -> None:
    """Unchanged data publishes nothing new, except when the served release has no store."""
    first = build(copy_of_repo_inputs)
    shutil.rmtree(first.path / STORE_DIR)
    second = build(copy_of_repo_inputs)
    assert second.changed and second.version == first.version
    assert load_published(current_release(copy_of_repo_inputs)).store is not None
    assert not build(copy_of_repo_inputs).changed
