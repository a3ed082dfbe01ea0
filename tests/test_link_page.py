"""``/link``: the page for people who want to link to us, in Thai and English.

Its Turtle and JSON-LD snippets are parsed with rdflib (as a reader would paste them), and every
IRI of ours they name must be a resource the release mints.
"""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import VOID

from mwg_graph.build.release import build
from mwg_graph.config import from_env


def snippets(page: str) -> list[str]:
    return [
        html.unescape(s)
        for s in re.findall(r'<pre class="snippet"><code>(.*?)</code></pre>', page, re.S)
    ]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_snippets_parse_and_name_only_minted_iris(server, release_graph, built_settings, lang):
    response = server.get("/link", params={"lang": lang})
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    turtle, json_ld, service = snippets(response.text)
    graphs = [
        Graph().parse(data=turtle, format="turtle"),
        Graph().parse(data=json_ld, format="json-ld"),
    ]
    subjects = set(release_graph.subjects())
    for graph in graphs:
        ours = {o for o in graph.objects() if str(o).startswith(built_settings.base_iri)}
        assert len(ours) == 2
        assert ours <= subjects, ours - subjects
    assert service.strip() == server.url + "/reconcile"
    # the source says nothing of where each member works: no snippet puts one beside a province
    for graph in graphs:
        for subject in set(graph.subjects()):
            named = {
                str(o) for o in graph.objects(subject) if str(o).startswith(built_settings.base_iri)
            }
            assert len(named) <= 1, named


@pytest.mark.parametrize(("lang", "words"), [
    ("th", ["OpenRefine", "meta.toml", "shapes.ttl", "ชื่อไฟล์และบรรทัด", "/graph/partner/"]),
    ("en", ["OpenRefine", "meta.toml", "shapes.ttl", "file and line", "/graph/partner/"]),
])  # fmt: skip
def test_says_how_to_reconcile_and_how_to_submit_a_partner_dataset(server, lang, words):
    page = server.get("/link", params={"lang": lang}).text
    for word in words:
        assert word in page
    assert 'href="/link' in server.get("/", params={"lang": lang}).text  # in the site's menu


def test_manifest_documentation_is_this_page(server):
    documentation = server.get("/reconcile").json()["documentation"]
    assert server.get(documentation.replace(server.url, "")).status_code == 200
    assert URIRef(documentation).endswith("/link")


def meta_snippet(page: str) -> str:
    found = re.findall(
        r'<pre class="snippet" data-format="toml"><code>(.*?)</code></pre>', page, re.S
    )
    assert len(found) == 1, "the page shows no meta.toml to copy"
    return html.unescape(found[0])


def test_a_submission_made_from_the_page_alone_is_published(server, tmp_path: Path):
    """A partner who reads only /link (either language): its meta.toml, copied as shown, and its
    Turtle snippet, in a folder named as the page says, pass the build and become the graph the
    page names."""
    partners = tmp_path / "partners"
    pages = {}
    for lang in ("th", "en"):
        page = server.get("/link", params={"lang": lang}).text
        folder = partners / f"my-clinics-{lang}"
        folder.mkdir(parents=True)
        meta = meta_snippet(page)
        assert set(tomllib.loads(meta)) >= {"title", "publisher", "license", "source", "contact"}
        (folder / "meta.toml").write_text(meta, encoding="utf-8")
        (folder / "data.ttl").write_text(snippets(page)[0], encoding="utf-8")
        pages[lang] = page
    settings = from_env(environ={}, dist_dir=tmp_path / "dist", partners_dir=partners)
    release = build(settings).path
    void = Graph().parse(release / "void.ttl", format="turtle")
    for lang, page in pages.items():
        named = re.search(r"<code>(\S+/graph/partner/)&lt;", page)
        assert named, "the page names no graph"
        graph = URIRef(named.group(1) + f"my-clinics-{lang}")
        assert graph in set(void.objects(None, VOID.subset))
        dump = Graph().parse(release / f"partner-my-clinics-{lang}.ttl", format="turtle")
        assert isomorphic(dump, Graph().parse(data=snippets(page)[0], format="turtle"))
