"""The page a host without rules shows at an IRI's own path (``/id/…``, ``/def/{version}``).

With our nginx or Apache rules ``/id/x/y`` answers ``303 See Other`` and this file is never read.
On a host that only maps ``/P`` to ``P.html`` (GitHub Pages, Netlify…) it is what ``/id/x/y`` gives:
a small page that sends browsers on to the document and names every format of it with
``<link rel="alternate">``, so a linked-data client that reads links still finds the data.
"""

from __future__ import annotations

from html import escape

from mwg_graph.formats import RDF_FORMATS


def redirect_page(iri_path: str, document_path: str, language: str | None = None) -> str:
    """Links name the suffix URLs (``/doc/x/y.html``, ``.ttl``…): those work on any host. The
    page goes to the document in ``language`` (its folder), the data is the same for both."""
    canonical = escape(document_path, quote=True)
    target = (f"/{language}" if language else "") + canonical + ".html"
    alternates = "\n".join(
        f'<link rel="alternate" type="{fmt.media_type}" href="{canonical}{fmt.suffix}">'
        for fmt in RDF_FORMATS
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(iri_path)}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'<link rel="canonical" href="{canonical}">\n'
        f'<link rel="alternate" type="text/html" href="{target}">\n'
        f"{alternates}\n</head>\n"
        f'<body><p><a href="{target}">{target}</a></p></body>\n</html>\n'
    )
