"""``create_app(settings)``: the Flask application, wired in one place, in the order shown below.

Nothing happens at import time; tests and the production server both call :func:`create_app`.
No blueprint installs anything app-wide: every hook, error handler and service is installed here,
so this function is the whole list of what runs around a view. Views reach the app's services
through :mod:`mwg_graph.web.state`, never through this module.
"""

from __future__ import annotations

from flask import Flask

from mwg_graph.config import Settings, from_env
from mwg_graph.sparql.service import SparqlService
from mwg_graph.web import http, origin, overload, security, sparql_service
from mwg_graph.web.releases import ReleaseHolder
from mwg_graph.web.state import AppState, install
from mwg_graph.web.views import pages, register_views
from mwg_graph.web.views.common import init_templates
from mwg_graph.web.views.sparql_thin import ThinSparqlPath


def create_app(settings: Settings | None = None) -> Flask:
    """The app, in this order (hooks of one kind run in the order they are added; Flask runs
    ``after_request`` hooks last-added first, so the security headers are the last word):

    1. the state: settings, the release holder, the SPARQL service, the query gate;
    2. before each request: start the query processes once (:mod:`.sparql_service`);
    3. the blueprints, one per area of the site (:mod:`.views`);
    4. after each request: caching, gzip, CORS (:mod:`.http`); the chosen language's cookie and
       the templates' globals (:func:`.views.common.init_templates`); the public origin
       (:mod:`.origin`);
    5. security: the body limit before, the headers after, every error page (:mod:`.security`) —
       after the blueprints, because its CSP hashes their templates' inline scripts; 404 in the
       format asked for (:func:`.views.pages.not_found`); 503 for a full query gate;
    6. in front of Flask, the thin path that answers plain ``/sparql`` queries
       (:mod:`.views.sparql_thin`).
    """
    settings = settings or from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # Thai stays readable in JSON
    app_state = install(
        app,
        AppState(
            settings=settings,
            releases=ReleaseHolder(settings),
            sparql=SparqlService(settings),
            query_gate=overload.query_gate(settings),
        ),
    )
    sparql_service.init_app(app, app_state)
    register_views(app)
    http.init_app(app)
    init_templates(app)
    origin.init_app(app, settings)
    security.init_app(app, app_state)
    app.register_error_handler(404, pages.not_found)
    # Registered for this class, so that no handler of 503 in general answers for it.
    app.register_error_handler(overload.Overloaded, security.handle_http_error)
    app.wsgi_app = ThinSparqlPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app
