"""A forged Host (or X-Forwarded-Host, or Forwarded) never reaches what another client receives.

The attack of issue 9: a few requests with ``Host: evil.example`` to a page that is memoised, then a
clean client gets the page with links to the attacker's host (the widget's "paste this" snippet
loading ``http://evil.example/static/widget/mwg-members.js``). Here every kind of answer is asked
with forged headers first, then by a clean client, which must see only the address it used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from mwg_graph.config import Settings
from tests.conftest import RunningServer, start_server, stop_server

EVIL = "evil.example"
FORGED = [
    {"Host": EVIL},
    {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"},
    {"Forwarded": f'host={EVIL};proto=https, for="[::1]"'},
    {"Host": EVIL, "X-Forwarded-Host": EVIL, "Forwarded": f"host={EVIL}"},
]
HTML = {"Accept": "text/html", "Accept-Language": "en"}
TURTLE = {"Accept": "text/turtle"}
JSONLD = {"Accept": "application/ld+json"}
# Every kind of answer that holds links: pages (home, browse, a kind, a resource, the ontology,
# downloads, the widget, the query page with and without results, search, /link, a 404), the
# redirect of an IRI, the sitemap and robots.txt (absolute URLs), the reconciliation manifest and
# preview, the service description, VoID and JSON-LD.
ANSWERS = [
    ("/browse/strategy/", HTML),
    ("/doc/strategy/1", HTML),
    ("/sparql", HTML),
    ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203", HTML),
    ("/search?q=mwg", HTML),
    ("/search.json?q=mwg", {}),
    ("/link", HTML),
    ("/no-such-page", HTML),
    ("/id/organization/mwg", HTML),
    ("/sitemap.xml", {}),
    ("/robots.txt", {}),
    ("/reconcile", {}),
    ("/reconcile/preview?id=https://w3id.org/mwg/id/organization/mwg", HTML),
    ("/def", TURTLE),
    ("/", HTML),
    ("/?lang=th", HTML),
    ("/browse/", HTML),
    ("/browse/organization/", HTML),
    ("/browse/province/", HTML),
    ("/doc/organization/mwg", HTML),
    ("/doc/province/th-10", HTML),
    ("/def", HTML),
    ("/downloads/", HTML),
    ("/widget/", HTML),
    ("/widget/?lang=th", HTML),
    ("/sparql", TURTLE),
    ("/sparql", JSONLD),
    ("/.well-known/void", TURTLE),
    ("/.well-known/void", JSONLD),
    ("/network.jsonld", {}),
    ("/context/v1.jsonld", {}),
    ("/doc/organization/mwg", JSONLD),
    ("/doc/organization/mwg", TURTLE),
]


STATUS = {"/id/organization/mwg": 303, "/no-such-page": 404}  # all others: 200


def everything_said(response: requests.Response) -> str:
    return response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())


@pytest.mark.parametrize(("path", "headers"), ANSWERS, ids=[f"{p} {h}" for p, h in ANSWERS])
def test_forged_host_never_reaches_a_clean_client(
    server: RunningServer, path: str, headers: dict[str, str]
) -> None:
    expected = STATUS.get(path, 200)
    for forged in FORGED:
        for _ in range(2):  # both workers, most likely
            answer = server.get(path, headers={**headers, **forged})
            assert answer.status_code in (expected, 400), answer.text[:300]
    for _ in range(4):
        clean = server.get(path, headers=headers)
        assert clean.status_code == expected, clean.text[:300]
        assert EVIL not in everything_said(clean)


def test_the_widget_snippet_points_at_the_address_the_client_used(server: RunningServer) -> None:
    server.get("/widget/", headers={**HTML, "Host": EVIL})
    page = server.get("/widget/", headers=HTML).text
    assert f"{server.url}/static/widget/mwg-members.js" in page
    forged = server.get("/widget/", headers={**HTML, "Host": EVIL}).text
    assert f"http://{EVIL}/static/widget/mwg-members.js" not in page
    assert server.url not in forged  # the forger's own copy is built for the forger alone


def test_a_host_with_markup_is_not_echoed(server: RunningServer) -> None:
    answer = server.get("/widget/", headers={**HTML, "Host": 'x"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in answer.text
    clean = server.get("/widget/", headers=HTML)
    assert f"{server.url}/static/widget/mwg-members.js" in clean.text


@pytest.fixture(scope="module")
def guarded_server(
    built_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """A server that answers only for 127.0.0.1 and says where it is published."""
    log: Path = tmp_path_factory.mktemp("guarded") / "server.log"
    extra = {"MWG_ALLOWED_HOSTS": "127.0.0.1", "MWG_PUBLIC_URL": "https://data.example.org/"}
    running = start_server(replace(built_settings, workers=1), log, extra_env=extra)
    yield running
    stop_server(running)


def test_allowed_hosts_refuses_any_other_host_with_400(guarded_server: RunningServer) -> None:
    refused = guarded_server.get("/", headers={**HTML, "Host": EVIL})
    assert refused.status_code == 400
    assert EVIL in refused.text and "trusted" in refused.text
    assert "Traceback" not in refused.text
    assert guarded_server.get("/", headers=HTML).status_code == 200


def test_public_url_is_the_only_origin_of_absolute_links(guarded_server: RunningServer) -> None:
    for forwarded in FORGED[1:3]:
        guarded_server.get("/widget/", headers={**HTML, **forwarded})
    page = guarded_server.get("/widget/", headers=HTML).text
    assert "https://data.example.org/static/widget/mwg-members.js" in page
    assert EVIL not in page and "127.0.0.1" not in page
