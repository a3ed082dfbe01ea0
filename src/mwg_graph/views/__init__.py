"""One blueprint per area of the site; :func:`register_views` attaches them all."""

from __future__ import annotations

from flask import Flask


def register_views(app: Flask) -> None:
    from . import downloads, operations, pages, resources, sparql

    for module in (operations, sparql, downloads, resources, pages):
        app.register_blueprint(module.bp)
