"""Who the client is, when a reverse proxy (the load balancer of ``hosting/nginx``) stands between.

Behind a proxy every request comes from the proxy's address, so the access log and the per-client
share of query slots (``client_share``) would see one client. The proxy names the real one in
``X-Forwarded-For``; but any client can send that header too, so it is believed only when the
connection comes from an address in ``trusted_proxies``, and then only its **last** address (the
one the proxy itself wrote: ours replaces the header, others append to it). Anything that is not
an IP address is ignored, so nothing a client writes there reaches the log as it is.
"""

from __future__ import annotations

import ipaddress

from mwg_graph.config import Settings

PROXY_KEY = "mwg.proxy_addr"  # the proxy's own address, kept in the WSGI environ


def trusted_proxies(settings: Settings) -> frozenset[str]:
    """The configured proxy addresses, written the way :func:`_address` writes them."""
    return frozenset(_address(part) or part.strip() for part in settings.trusted_proxies.split(",")
                     if part.strip())  # fmt: skip


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def forwarded_client(environ: dict, trusted: frozenset[str]) -> str | None:
    """The client a trusted proxy names, or None (not from a trusted proxy, or nothing usable)."""
    if not trusted or _address(environ.get("REMOTE_ADDR", "")) not in trusted:
        return None
    header = environ.get("HTTP_X_FORWARDED_FOR", "")
    return _address(header.rsplit(",", 1)[-1]) if header else None


def use_forwarded_client(environ: dict, trusted: frozenset[str]) -> None:
    """Make ``REMOTE_ADDR`` the client's own address when a trusted proxy names it."""
    client = forwarded_client(environ, trusted)
    if client is not None:
        environ[PROXY_KEY] = environ["REMOTE_ADDR"]
        environ["REMOTE_ADDR"] = client
