"""``mwg-graph publish``: load the current release into an existing triple store.

Through the SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/),
which every common store speaks, so no store-specific loader is needed. The release goes in as
**one named graph**, the dataset's own IRI ``{base}id/dataset/mwg`` (the IRI VoID and DCAT
describe), never into the store's default graph, which may hold other data. Each partner dataset
goes into its own graph, ``{base}graph/partner/<slug>``, as the release's ``GRAPH`` queries find it.

**Replacing a graph.** One ``PUT`` of the whole N-Triples dump replaces the graph (§5.3). Whether a
reader can see the moment in between is the store's business, and Oxigraph server (0.5) does not
hide it: its ``PUT`` clears the graph, then bulk-loads the body in batches that commit as they go
(``cli/src/main.rs``), so a reader can see an empty or half graph. With ``graph_store_update``
(the store's SPARQL Update endpoint) the dump is therefore ``PUT`` into a staging graph no one reads
and moved into place by one ``MOVE`` — a single update request, which Oxigraph applies in one
transaction: readers see the old graph or the new one, nothing between.

With ``graph_store_update`` every graph (partners' and ours) is staged first and all are moved
into place by that one update request, which also writes the record of the release the store now
holds (:mod:`mwg_graph.sparql.backend_record`): a server reading the store sees the whole old
release or the whole new one, and knows which. Without it, the record is deleted first and written
last, so while the graphs are replaced one ``PUT`` at a time the store holds no recorded release and
a server on it answers 503 rather than mix two releases.

The partner graphs go first and the release's own graph last, so a failure part-way leaves the
release's graph as it was, and the error names the graphs already replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from mwg_graph.config import Settings
from mwg_graph.dist import current_release
from mwg_graph.iris import Iris
from mwg_graph.remote_http import RemoteError, open_request
from mwg_graph.sparql.backend_record import record_graph, record_triple
from mwg_graph.store import DUMP

N_TRIPLES = "application/n-triples"
PUT_TIMEOUT = 600.0  # seconds without a byte from the store; a large graph takes a while to load


class PublishFailed(Exception):
    pass


@dataclass(frozen=True)
class Published:
    version: str
    graphs: list[tuple[str, int]]  # graph IRI, triples


def release_graphs(settings: Settings, release: Path) -> list[tuple[str, Path, int]]:
    """(graph IRI, N-Triples file, triples) of a release: partners first, the release's last."""
    info = json.loads((release / "release.json").read_text(encoding="utf-8"))
    graphs = [
        (
            str(Iris(settings.base_iri).partner_graph(p["slug"])),
            release / p["files"][1],
            p["triples"],
        )
        for p in info.get("partners", [])
    ]
    graphs.append((str(Iris(settings.base_iri).dataset), release / DUMP, info["triples"]))
    return graphs


def publish(settings: Settings) -> Published:
    """PUT every graph of the current release into ``settings.graph_store``."""
    if not settings.graph_store:
        raise PublishFailed("no graph store given: use --graph-store URL (or MWG_GRAPH_STORE)")
    release = current_release(settings)
    if release is None:
        raise PublishFailed(f"no release in {settings.dist_dir} to publish: run mwg-graph build")
    version = json.loads((release / "release.json").read_text(encoding="utf-8"))["version"]
    graphs = release_graphs(settings, release)
    record = record_graph(settings.base_iri)
    ours = graphs[-1][0]
    if settings.graph_store_update:
        _publish_by_moves(settings, version, graphs, record)
        return Published(version, [(graph, triples) for graph, _, triples in graphs])
    _delete(settings.graph_store, record)  # no release recorded while the graphs change
    done: list[tuple[str, int]] = []
    for graph, dump, triples in graphs:
        try:
            _put(settings.graph_store, graph, dump)
        except PublishFailed as failure:
            replaced = ", ".join(g for g, _ in done) or "none"
            raise PublishFailed(f"{failure} (graphs already replaced: {replaced})") from None
        done.append((graph, triples))
    _put_bytes(settings.graph_store, record, record_triple(ours, version).encode())
    return Published(version, done)


def _publish_by_moves(
    settings: Settings, version: str, graphs: list[tuple[str, Path, int]], record: str
) -> None:
    """Stage every graph, then one update: every MOVE and the new record, in one transaction."""
    staged = []
    for graph, dump, _ in graphs:
        staging = f"{graph_staging(settings.base_iri, version)}/{len(staged)}"
        _put(settings.graph_store, staging, dump)
        staged.append((staging, graph))
    operations = [f"MOVE SILENT GRAPH <{source}> TO GRAPH <{target}>" for source, target in staged]
    operations.append(f"DROP SILENT GRAPH <{record}>")
    operations.append(
        f"INSERT DATA {{ GRAPH <{record}> {{ {record_triple(graphs[-1][0], version)} }} }}"
    )
    _update(
        settings.graph_store_update, " ;\n".join(operations), "move the staged graphs into place"
    )


def graph_staging(base_iri: str, version: str) -> str:
    """Where a release's graphs wait before the one update moves them (no query reads them)."""
    return f"{base_iri}graph/staging/{version}"


def _put(store: str, graph: str, dump: Path) -> None:
    size = dump.stat().st_size
    with dump.open("rb") as body:
        _put_body(store, graph, body, size)


def _put_bytes(store: str, graph: str, data: bytes) -> None:
    _put_body(store, graph, data, len(data))


def _put_body(store: str, graph: str, body, size: int) -> None:
    headers = {"Content-Type": N_TRIPLES, "Content-Length": str(size)}
    _graph_request(store, "PUT", graph, body, headers, (200, 201, 204), "refused the graph")


def _delete(store: str, graph: str) -> None:
    """Graph Store ``DELETE``; a graph that is not there (404) is already deleted."""
    _graph_request(store, "DELETE", graph, None, {}, (200, 204, 404), "refused to delete the graph")


def _graph_request(
    store: str, method: str, graph: str, body, headers: dict[str, str], ok: tuple[int, ...],
    refused: str,
) -> None:  # fmt: skip
    """One Graph Store request on ``graph``; any status but ``ok`` is a :class:`PublishFailed`
    that names the store, the graph and what the store said (its first 500 characters)."""
    try:
        response = open_request(store, method, [("graph", graph)], body, headers, PUT_TIMEOUT)
    except RemoteError as error:
        raise PublishFailed(f"the graph store refused or failed: {error}") from None
    with response:
        text = response.read(2000).decode("utf-8", "replace").strip()
        if response.status not in ok:
            said = f": {text[:500]}" if text else ""
            raise PublishFailed(
                f"the graph store at {store} {refused} <{graph}>: HTTP "
                f"{response.status} {response.reason}{said}"
            )


def _update(endpoint: str, update: str, what: str) -> None:
    """One SPARQL Update request (one transaction in the store)."""
    body = urlencode({"update": update}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        response = open_request(endpoint, "POST", [], body, headers, PUT_TIMEOUT)
    except RemoteError as error:
        raise PublishFailed(f"the update endpoint refused or failed: {error}") from None
    with response:
        text = response.read(2000).decode("utf-8", "replace").strip()
        if response.status not in (200, 204):
            said = f": {text[:500]}" if text else ""
            raise PublishFailed(
                f"the update endpoint at {endpoint} refused to {what}: "
                f"HTTP {response.status} {response.reason}{said}"
            )
