"""Where absolute links point, without trusting the ``Host`` a client sends.

Pages are memoised per release and shared by every client, so nothing a request says may end up in
them. An absolute link (schema.org ``url``s, the widget's "paste this" snippet) is built from:

- ``public_url`` when it is set: the same for every request;
- otherwise from :data:`PLACEHOLDER`, an origin that can never be real (``.invalid`` is reserved by
  RFC 2606). What is memoised holds the placeholder; :func:`fill_in` swaps in the origin of *this*
  request just before the response leaves (and before its ETag is computed). A forged ``Host``
  therefore only ever reaches the client that forged it.

The origin swapped in is ``request.host_url``: werkzeug keeps only a ``Host`` made of the characters
a host name, IPv4 or IPv6 address and port may have (else it is empty, and links become relative),
so it is safe to place in HTML and JSON as it is. ``X-Forwarded-Host`` and ``Forwarded`` are never
read. With ``allowed_hosts`` set, any other ``Host`` is refused with 400 before a view runs
(Flask's ``TRUSTED_HOSTS``).
"""

from __future__ import annotations

from flask import Flask, Response, request

from mwg_graph.config import Settings

PLACEHOLDER = "http://mwg-origin.invalid"
PLACEHOLDER_BYTES = PLACEHOLDER.encode("ascii")


def absolute(href: str) -> str:
    """An absolute URL for a site link (``/doc/…``), safe to memoise; see :func:`fill_in`."""
    return href if "://" in href else PLACEHOLDER + href


def request_origin() -> str:
    """``scheme://host[:port]`` this request reached, or "" when its ``Host`` is unusable."""
    return request.host_url.rstrip("/") if request.host else ""


def fill_in(response: Response) -> Response:
    """Put this request's origin where :func:`absolute` left the placeholder.

    Any view's answer may carry one (pages, the search JSON, the reconciliation manifest, JSONP),
    so this runs for every response, before the ETag is computed (:mod:`mwg_graph.web.http`): each
    origin's answer is its own representation. Files sent as they are (downloads, static files)
    never hold the placeholder and are not read.
    """
    if response.is_streamed or response.direct_passthrough or not _may_hold_links(response):
        return response
    body = response.get_data()
    if PLACEHOLDER_BYTES in body:
        response.set_data(body.replace(PLACEHOLDER_BYTES, request_origin().encode("ascii")))
    return response


def _may_hold_links(response: Response) -> bool:
    return may_hold_links(response.mimetype or "")


def may_hold_links(mimetype: str) -> bool:
    """Can a body of this media type (no parameters) hold the placeholder? Only text can."""
    return mimetype.startswith("text/") or mimetype.endswith(("json", "javascript", "xml"))


def allowed_hosts(settings: Settings) -> list[str] | None:
    names = [name.strip().lower() for name in settings.allowed_hosts.split(",") if name.strip()]
    return names or None


def init_app(app: Flask, settings: Settings) -> None:
    app.config["TRUSTED_HOSTS"] = allowed_hosts(settings)
    # Registered after the views' hooks, so it runs before them (Flask runs them in reverse).
    app.after_request(fill_in)
