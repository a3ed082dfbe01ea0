"""The one way mwg-graph talks HTTP to a triple store the operator configured.

Only ``graph_store`` (``mwg-graph publish``) and ``sparql_backend`` (``/sparql``) are ever
contacted: the address comes from the settings, never from a request. ``http.client`` directly,
not ``urllib``: no proxy from the environment, and no redirect is ever followed (a store that
answers 3xx is an error, so no request of ours lands on another host).
"""

from __future__ import annotations

import http.client
from urllib.parse import urlencode, urlsplit


class RemoteError(Exception):
    """The store is unreachable or answered something unusable; the message says what and where."""


def open_request(
    url: str,
    method: str,
    params: list[tuple[str, str]],
    body=None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> http.client.HTTPResponse:
    """Send one request to ``url`` (its own query string kept, ``params`` appended)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(f"{url!r} is not an http(s):// address")
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    target = (parts.path or "/") + ("?" + query if query else "")
    try:
        connection.request(method, target, body=body, headers=headers or {})
        return connection.getresponse()
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise RemoteError(f"cannot reach {url}: {error}") from error
