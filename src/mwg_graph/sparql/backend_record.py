"""Which release a triple store holds: written by ``mwg-graph publish``, read by the server.

A server with ``--sparql-backend`` answers from the store, but keys its pages, documents and
cached answers by the release in its own ``dist/current``. The two must be the same release, or a
page labelled with one version would show the facts of another. The release's own graph cannot say
its version (the version is a digest of that very graph), so publish writes one triple into a
graph of its own, ``{base}graph/release``::

    <{base}id/dataset/mwg> dcat:version "20261202-ea4c6ce4" .

— the property and value the release's VoID/DCAT description (``void.ttl``) already uses. The
server reads it with every answer (:mod:`mwg_graph.web.backend_terms`,
:mod:`mwg_graph.sparql.backend`) and refuses to answer (503, saying which release the store holds)
when it names another release.

No rdflib here: query processes import this module.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

DCAT_VERSION = "http://www.w3.org/ns/dcat#version"


def record_graph(base_iri: str) -> str:
    """The graph holding the record: read by nobody else (it is not in any query's dataset)."""
    return f"{base_iri}graph/release"


def record_triple(release_graph: str, version: str) -> str:
    """The record as one N-Triples line."""
    return f"{NamedNode(release_graph)} <{DCAT_VERSION}> {Literal(version)} .\n"


def record_pattern(release_graph: str, variable: str = "?mwgRelease") -> str:
    """A graph pattern binding ``variable`` to the recorded version, once per recorded value."""
    return f"{NamedNode(release_graph)} <{DCAT_VERSION}> {variable}"


class ReleaseMismatch(Exception):
    """The store holds another release than the one served (or none): the message says which."""


def mismatch_message(held: list[str], served: str) -> str:
    """Plain words for an operator and a client: what the store holds, what is served, and why."""
    if not held:
        what = "holds no published release"
    elif len(held) == 1:
        what = f"holds release {held[0]}"
    else:
        what = f"holds several release records ({', '.join(sorted(held))})"
    return (
        f"The triple store this server answers from (its SPARQL backend) {what}, not release "
        f"{served}, which this server serves: a new release is being published or swapped in. "
        f"Publish {served} into it (mwg-graph publish) or serve the release it holds."
    )


def check_held(held: list[str], served: str) -> None:
    """Raise :class:`ReleaseMismatch` unless the store records exactly ``served``."""
    if held != [served]:
        raise ReleaseMismatch(mismatch_message(held, served))
