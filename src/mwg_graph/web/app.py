"""``create_app(settings)``: the Flask application, one blueprint per area of the site.

Nothing happens at import time; tests and the production server both call :func:`create_app`.
"""

from __future__ import annotations

from flask import Flask, current_app, g

from mwg_graph.config import Settings, from_env
from mwg_graph.web.releases import PublishedRelease, ReleaseHolder


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env()
    app = Flask(__name__)
    app.config["MWG_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["mwg_releases"] = ReleaseHolder(settings)
    app.json.ensure_ascii = False  # Thai stays readable in JSON

    from mwg_graph.web.views import register_views

    register_views(app)
    from mwg_graph.web import origin, overload, security

    origin.init_app(app, settings)
    security.init_app(app)  # after the views: it hashes the inline scripts of their templates
    overload.init_app(app, settings)
    from mwg_graph.web.views.sparql_thin import ThinSparqlPath

    app.wsgi_app = ThinSparqlPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app


def get_settings() -> Settings:
    return current_app.config["MWG_SETTINGS"]


def get_release() -> PublishedRelease | None:
    """The release this request uses: taken once, so every part of one answer is from one release.

    Its version goes out in the ``MWG-Release`` header (:mod:`mwg_graph.web.http`), which is how a
    client, a load balancer or a test tells which release answered.
    """
    if "mwg_request_release" not in g:
        g.mwg_request_release = current_app.extensions["mwg_releases"].current()
    return g.mwg_request_release
