"""The w3id.org redirect rules we ship (w3id/.htaccess, for perma-id) send every IRI we mint to a
path that exists on our server.

The RewriteRules are parsed and applied as Apache does in a per-directory .htaccess (the pattern
matches the path after ``mwg/``, without a leading slash; ``$1`` is the first group; the first
matching rule with ``L`` wins). Each IRI of the release under ``https://w3id.org/mwg/`` — every
resource, the ontology, the shapes, the context, the endpoint — must match a rule whose target path
answers 200 on the running server (after the server's own redirects, e.g. 303 to a document).
Debian's Apache, with the file where w3id.org keeps it (a folder ``mwg/``), must redirect each of
them exactly as read here, so the reading is Apache's and not only ours.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, URIRef

from mwg_graph.config import DEFAULT_BASE_IRI, PROJECT_ROOT

from .conftest import free_port, stop_process
from .static_site import apache_config, start_apache

HTACCESS = PROJECT_ROOT / "w3id" / ".htaccess"
RULE = re.compile(r"^RewriteRule\s+(\S+)\s+(\S+)\s+\[([^\]]+)\]\s*$")


def rules() -> list[tuple[re.Pattern, str, list[str]]]:
    found = []
    for line in HTACCESS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("RewriteRule"):
            match = RULE.match(line)
            assert match, f"cannot read: {line}"
            found.append((re.compile(match[1]), match[2], match[3].split(",")))
    return found


def redirect(path: str) -> tuple[str, list[str]] | None:
    """Apply the rules to ``path`` (after ``mwg/``): (target URL, flags), or None."""
    for pattern, target, flags in rules():
        match = pattern.search(path)
        if match:
            return match.expand(re.sub(r"\$(\d)", r"\\\1", target)), flags
    return None


def test_the_rules_are_apache_rules_for_one_site():
    text = HTACCESS.read_text(encoding="utf-8")
    assert "RewriteEngine on" in text
    found = rules()
    assert len(found) >= 8
    hosts = {urlsplit(target).netloc for _, target, _ in found}
    assert len(hosts) == 1, hosts
    for _, target, flags in found:
        assert "L" in flags and any(f.startswith("R=") for f in flags), target
        assert urlsplit(target).scheme == "https", target
    assert (PROJECT_ROOT / "w3id" / "README.md").is_file()


def minted_paths(built_settings) -> set[str]:
    """Every IRI under the base that the release and its shapes use, as a path after the base."""
    release = Path(built_settings.dist_dir) / "current"
    assert built_settings.base_iri == DEFAULT_BASE_IRI
    graph = Graph().parse(release / "mwg.nt", format="nt")
    graph.parse(release / "shapes.ttl", format="turtle")
    nodes = {n for triple in graph for n in triple if isinstance(n, URIRef)}
    paths = {str(n)[len(DEFAULT_BASE_IRI) :] for n in nodes if str(n).startswith(DEFAULT_BASE_IRI)}
    paths |= {"context/v1.jsonld", "context.jsonld", "sparql", ""}
    # "id/" is the namespace of all instances, named only as a SHACL parameter (mwgsh:iriPrefix of
    # MintedIriShape), not a resource; "id/{kind}/" namespaces are the kinds' index pages.
    paths.discard("id/")
    return {p.partition("#")[0] for p in paths}


def test_every_minted_iri_is_redirected_to_a_path_that_exists(server, built_settings, session):
    paths = minted_paths(built_settings)
    assert {"def", "shapes", "id/organization/mwg", "sparql"} <= paths
    failures = []
    for path in sorted(paths):
        found = redirect(path)
        if found is None:
            failures.append((path, "no rule"))
            continue
        target, _ = found
        on_server = urlsplit(target)._replace(scheme="", netloc="").geturl()
        response = session.get(
            server.url + on_server,
            headers={"Accept": "text/turtle"},
            timeout=30,
        )  # follows the server's own 303 (id → doc) and 302 (id/{kind}/ → index)
        if response.status_code != 200:
            failures.append((path, target, response.status_code))
    assert failures == [], "\n".join(map(str, failures))


@pytest.mark.parametrize(
    ("path", "target_path", "status"),
    [("id/province/th-10", "/id/province/th-10", "302"), ("sparql", "/sparql", "307"),
     ("def", "/def", "302"), ("shapes", "/downloads/shapes.ttl", "302")],
)  # fmt: skip
def test_rules_keep_the_path_and_a_post_stays_a_post(path, target_path, status):
    target, flags = redirect(path)
    assert urlsplit(target).path == target_path
    assert f"R={status}" in flags


def test_an_unknown_path_matches_no_rule():
    assert redirect("wp-admin/setup.php") is None


@pytest.fixture(scope="module")
def w3id_apache() -> Iterator[str]:
    """Debian's Apache serving a folder ``mwg/`` that holds only our .htaccess, as w3id.org does
    (under /tmp, readable by Apache's workers: they run as ``nobody`` when the tests run as root).
    """
    work = Path(tempfile.mkdtemp(prefix="mwg-w3id-"))
    site = work / "site"
    (site / "mwg").mkdir(parents=True)
    shutil.copy(HTACCESS, site / "mwg" / ".htaccess")
    for path in (work, site, site / "mwg"):
        path.chmod(0o755)
    (site / "mwg" / ".htaccess").chmod(0o644)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_apache(apache_config(site, port, work), url, work / "apache.out")
    yield url
    stop_process(process)
    shutil.rmtree(work, ignore_errors=True)


def test_apache_redirects_every_minted_iri_as_the_rules_read_here(
    w3id_apache, built_settings, session
):
    paths = minted_paths(built_settings)
    assert len(paths) > 100
    failures = []
    for path in sorted(paths):
        target, flags = redirect(path)
        status = int(next(f for f in flags if f.startswith("R="))[2:])
        response = session.get(f"{w3id_apache}/mwg/{path}", allow_redirects=False, timeout=30)
        if (response.status_code, response.headers.get("Location")) != (status, target):
            failures.append((path, response.status_code, response.headers.get("Location")))
    assert failures == [], "\n".join(map(str, failures))
    # Apache keeps the query string: a SPARQL query sent to the IRI reaches the endpoint whole.
    kept = session.get(f"{w3id_apache}/mwg/sparql?query=ASK%7B%7D", allow_redirects=False)
    assert kept.status_code == 307
    assert kept.headers["Location"] == redirect("sparql")[0] + "?query=ASK%7B%7D"
    assert session.get(f"{w3id_apache}/mwg/wp-admin/setup.php").status_code == 404
