"""The SPARQL service of one app, kept on the served release and started early.

:func:`init_app` is one step of :func:`mwg_graph.web.app.create_app`: each release the app swaps
in is handed to the service's engine, and the first request of any kind (e.g. the health check)
starts the query processes, so the first query does not wait for them.
"""

from __future__ import annotations

from flask import Flask

from mwg_graph.web.state import AppState, get_release, state


def init_app(app: Flask, app_state: AppState) -> None:
    engine = app_state.sparql.engine
    app_state.releases.listeners.append(lambda release: engine.swap(release.path))
    app.before_request(warm_up)


def warm_up() -> None:
    """Start the query processes with the first request of any kind (e.g. the health check)."""
    app_state = state()
    if app_state.sparql_warm.is_set():
        return
    app_state.sparql_warm.set()
    release = get_release()
    if release is not None:
        app_state.sparql.engine.pool(release.path)
