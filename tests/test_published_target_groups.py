"""IRIs published once keep working: the four target groups of earlier releases still dereference.

Earlier releases published four target groups; the data now follows the page's two groups and keeps
the four as their parts (data/target-groups.ttl says why). A linked-data publisher never lets a
published IRI 404, so each old IRI must still answer 303 → 200, and its document must say which of
the page's groups it is part of. The slugs are the published record (git show of an earlier
data/target-groups.ttl), not read from data/; which group each belongs to is read from the page.
"""

from __future__ import annotations

import html

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from .conftest import SOURCE_PAGE

PUBLISHED = (
    "low-skilled-migrant-workers",
    "accompanying-dependants",
    "people-with-status-problems",
    "stateless-people",
)
LINES = [
    line.split(":", 1)[1].strip()
    for line in SOURCE_PAGE.read_text(encoding="utf-8").splitlines()
    if line.strip().startswith("• กลุ่มเป้าหมาย")
]


def thai(graph: Graph, node: URIRef) -> str:
    (label,) = [o for o in graph.objects(node, SKOS.prefLabel) if o.language == "th"]
    return str(label)


def test_the_page_has_two_target_group_lines():
    assert len(LINES) == 2


@pytest.mark.parametrize("slug", PUBLISHED)
def test_published_target_group_still_dereferences(server, slug):
    path = f"/id/target-group/{slug}"
    response = server.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 303, (path, response.status_code)
    assert response.headers["Location"].endswith(f"/doc/target-group/{slug}")
    document = server.get(path, headers={"Accept": "text/turtle"}, allow_redirects=True)
    assert document.status_code == 200
    assert document.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=document.text, format="turtle")
    iri = URIRef(server.settings.base_iri + f"id/target-group/{slug}")
    (group,) = graph.objects(iri, DCTERMS.isPartOf)
    # The group it is part of is the one whose line on the page contains the part's name.
    part_name = thai(graph, iri)
    (line,) = [line for line in LINES if part_name in line]
    assert thai(graph, group) == line
    assert (group, DCTERMS.hasPart, iri) in graph
    # A person following the link sees the same: the HTML page names and links the group.
    page = server.get(path, headers={"Accept": "text/html"}, allow_redirects=True)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    text = html.unescape(page.text)
    assert line in text
    assert str(group)[len(server.settings.base_iri) :].replace("id/", "doc/", 1) in text
