"""``/healthz`` and ``/version``: what an operator (or a load balancer) asks a running server.

``/healthz`` answers 200 when this server process has a release to serve and 503 when it has none,
always with the reason in plain words. A failed newer build does not make the server unready (the
last good release keeps serving), but ``/healthz`` says so — ``"status": "degraded"`` and why —
so a monitor can alert on it. ``/version`` names the release being served.

With ``--sparql-backend`` the server is ready only while that triple store holds the release it
serves (:mod:`mwg_graph.sparql.backend_record`): otherwise ``/healthz`` answers 503 and says which
release the store holds, so a load balancer sends nothing to a server that would have to refuse it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify

from mwg_graph import __version__
from mwg_graph.dist import read_last_build
from mwg_graph.sparql.backend import BackendFailed
from mwg_graph.sparql.backend_record import mismatch_message
from mwg_graph.web.releases import PublishedRelease
from mwg_graph.web.state import get_release, get_settings, state

log = logging.getLogger("mwg_graph.operations")

bp = Blueprint("operations", __name__)

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    release = get_release()
    holder = state().releases
    last = read_last_build(get_settings())
    problems: list[str] = []
    body: dict = {"ready": release is not None}
    if release is None:
        body["reason"] = holder.problem or "no valid release has been built yet"
    else:
        body["version"] = release.version
        body["reason"] = f"serving release {release.version}"
        if holder.problem:
            problems.append(holder.problem)
        if (backend := _backend_problem(release)) is not None:
            body["ready"] = False
            body["reason"] = backend
    if last and not last.get("ok"):
        body["last_build"] = "failed"
        body["last_build_message"] = last.get("message", "")
        body["last_build_at"] = last.get("at")
        problems.append(
            f"a newer build failed at {last.get('at')}; the last good release keeps serving"
            if release is not None
            else f"the build failed at {last.get('at')}"
        )
    elif last:
        body["last_build"] = "ok"
        body["last_build_at"] = last.get("at")
    ready = body["ready"]
    body["status"] = "unready" if not ready else ("degraded" if problems else "ok")
    if problems:
        body["problems"] = problems
    return jsonify(body), (200 if ready else 503), NO_STORE


def _backend_problem(release: PublishedRelease) -> str | None:
    """Why the SPARQL backend cannot answer for ``release`` (asked now), or None when it can."""
    if not get_settings().sparql_backend:
        return None
    try:
        held = release.store.held_releases()  # a BackendTerms (mwg_graph.web.releases)
    except BackendFailed as failed:
        log.error("/healthz: the SPARQL backend failed: %s", failed)
        return "the triple store this server answers from (its SPARQL backend) cannot be read"
    if held != [release.version]:
        return mismatch_message(held, release.version)
    return None


@bp.get("/version")
def version():
    release = get_release()
    body: dict = {"software_version": __version__}
    if release is not None:
        body |= {
            "release": release.version,
            "triples": release.info["triples"],
            "built_at": release.info["built_at"],
        }
    return jsonify(body), (200 if release is not None else 503), NO_STORE
