"""``create_app(settings)``: the Flask application, one blueprint per area of the site.

Nothing happens at import time; tests and the production server both call :func:`create_app`.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify

from . import __version__
from .config import Settings, from_env
from .published import PublishedRelease, ReleaseHolder
from .release import read_last_build


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or from_env()
    app = Flask(__name__)
    app.config["MWG_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["mwg_releases"] = ReleaseHolder(settings)
    app.json.ensure_ascii = False  # Thai stays readable in JSON

    from .views import register_views

    register_views(app)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/version", "version", version)
    return app


def get_settings() -> Settings:
    return current_app.config["MWG_SETTINGS"]


def get_release() -> PublishedRelease | None:
    """The release this request uses; take it once per request."""
    return current_app.extensions["mwg_releases"].current()


def healthz():
    release = get_release()
    last = read_last_build(get_settings())
    body: dict = {"ready": release is not None}
    if release is None:
        body["reason"] = "no valid release has been built yet"
    else:
        body["version"] = release.version
    if last and not last.get("ok"):
        body["last_build"] = "failed"
        body["last_build_message"] = last.get("message", "")
        body["last_build_at"] = last.get("at")
    return jsonify(body), (200 if release is not None else 503)


def version():
    release = get_release()
    body = {"software_version": __version__}
    if release is not None:
        body |= {
            "release": release.version,
            "triples": release.info["triples"],
            "built_at": release.info["built_at"],
        }
    return jsonify(body)
