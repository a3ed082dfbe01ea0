"""One blueprint per area of the site; :func:`register_views` attaches them all."""

from __future__ import annotations

from flask import Flask


def register_views(app: Flask) -> None:
    from mwg_graph.web.views import (
        downloads,
        findable,
        link,
        operations,
        pages,
        reconcile,
        resources,
        search,
        sparql,
    )

    for module in (
        operations,
        sparql,
        downloads,
        resources,
        search,
        reconcile,
        link,
        findable,
        pages,
    ):
        app.register_blueprint(module.bp)
