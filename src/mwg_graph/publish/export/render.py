"""One URL of the site, asked of the application: the bytes its file holds.

Every URL is asked of ``create_app(settings)`` with Flask's test client (no socket), so each file
holds exactly what ``mwg-graph serve`` answers for that URL. Requests carry no ``Accept-Language``
or cookie; the explicit language copies ask ``?lang=th|en``. Absolute links come out of the
application holding :data:`mwg_graph.web.origin.PLACEHOLDER` (the client's host *is* the
placeholder, so :func:`mwg_graph.web.origin.fill_in` leaves it) and the export puts the configured
public address there: ``--public-url``, or the base IRI when none is set. Nothing a request could
vary goes into a file, so the same release always gives the same bytes, in whichever process renders
it.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from mwg_graph.config import Settings
from mwg_graph.publish.export import layout, search
from mwg_graph.web import origin
from mwg_graph.web.app import create_app
from mwg_graph.web.releases import PublishedRelease
from mwg_graph.web.state import get_state

NOT_FOUND_PATH = "/no/such/page"


class ExportFailed(Exception):
    pass


class Renderer:
    """The application of one export (or of one of its worker processes) and its release."""

    def __init__(self, settings: Settings) -> None:
        self.settings = replace(settings, reload_interval=0)
        self.app = create_app(self.settings)
        release = get_state(self.app).releases.current()
        if release is None:
            raise ExportFailed(f"no release to export in {settings.dist_dir} (run mwg-graph build)")
        self.release: PublishedRelease = release
        self.public = public_origin(self.settings)
        self.root = site_root(self.settings)
        self.client = self.app.test_client(use_cookies=False)  # a language must not stick

    def fetch(self, url: str, accept: str | None = None, status: int = 200) -> bytes:
        """The body the application answers for ``url``, with links made for the static site."""
        headers = {"Accept": accept} if accept else {}
        response = self.client.get(url, headers=headers, base_url=origin.PLACEHOLDER)
        if response.status_code != status:
            raise ExportFailed(f"{url} answered {response.status_code}, not {status}")
        body = response.get_data()
        if response.mimetype in ("text/html", "application/xml"):
            text = body.decode("utf-8")
            if url.startswith(NOT_FOUND_PATH):  # served for any URL: its links lead home
                text = text.replace(NOT_FOUND_PATH, "/")
            text = layout.static_links(text, self.root)
            if response.mimetype == "text/html":
                text = search.with_static_search(url, text, self.root)
            body = text.encode("utf-8")
        return body.replace(origin.PLACEHOLDER.encode(), self.public.encode())


def public_origin(settings: Settings) -> str:
    """What absolute links start with: the public address's origin, else the base IRI's."""
    url = settings.public_url or settings.base_iri
    parts = urlsplit(url)
    if settings.public_url:
        return f"{parts.scheme}://{parts.netloc}"
    return url.rstrip("/")


def site_root(settings: Settings) -> str:
    """The site's public root path (``/`` or ``/mwg/``)."""
    return urlsplit(settings.public_url).path or "/" if settings.public_url else "/"
