"""The release build: what it writes, that it is all or nothing, that it never uses the network."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF, SKOS, VOID

from mwg_graph.build.release import BuildFailed, build, check
from mwg_graph.config import Settings, from_env
from mwg_graph.dist import current_release, read_last_build, read_release_info
from mwg_graph.iris import Iris
from mwg_graph.jsonld import context_document
from tests.cli import run_cli_in_process

RELEASE_FILES = [
    "mwg.ttl", "mwg.nt", "mwg.jsonld", "context.jsonld", "mwg.ttl.gz", "mwg.nt.gz",
    "mwg.jsonld.gz", "void.ttl", "shapes.ttl", "ontology.ttl", "validation-report.ttl",
    "validation-report.txt", "changes.txt", "release.json", "SHA256SUMS", "search-index.json",
]  # fmt: skip


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file (and symlink target) under ``folder``, to prove a failed build changed nothing."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = b"-> " + str(path.readlink()).encode()
        elif path.is_file() and path.name not in {"last-build.json", ".build.lock"}:
            found[key] = path.read_bytes()
    return found


@pytest.fixture(scope="module")
def release(built_settings: Settings) -> Path:
    path = current_release(built_settings)
    assert path is not None
    return path


def test_release_has_every_file(release: Path) -> None:
    missing = [name for name in RELEASE_FILES if not (release / name).is_file()]
    assert not missing


def test_dumps_parse_back_to_the_same_graph(release: Path, built_settings: Settings) -> None:
    turtle = Graph().parse(release / "mwg.ttl", format="turtle")
    ntriples = Graph().parse(release / "mwg.nt", format="nt")
    context = context_document(Iris(built_settings.base_iri))

    def beside(url: str, options: dict | None = None) -> dict:
        assert url == (release / "context.jsonld").as_uri(), url
        return {"contextUrl": None, "documentUrl": url, "document": context}

    expanded = jsonld.expand(
        json.loads((release / "mwg.jsonld").read_text(encoding="utf-8")),
        {"base": (release / "mwg.jsonld").as_uri(), "documentLoader": beside},
    )
    from_jsonld = Graph().parse(data=json.dumps(expanded), format="json-ld")
    assert len(turtle) > 1000
    assert isomorphic(turtle, ntriples)
    assert isomorphic(turtle, from_jsonld)
    for name in ("mwg.ttl", "mwg.nt", "mwg.jsonld"):
        assert (
            gzip.decompress((release / f"{name}.gz").read_bytes()) == (release / name).read_bytes()
        )


def test_jsonld_dump_refers_to_the_context_beside_it(
    release: Path, built_settings: Settings
) -> None:
    """Offline: the dump's relative @context names the release's own context.jsonld."""
    document = json.loads((release / "mwg.jsonld").read_text(encoding="utf-8"))
    reference = document["@context"]
    beside = json.loads((release / reference).read_text(encoding="utf-8"))
    assert beside == context_document(Iris(built_settings.base_iri))


def test_checksums_match_the_files(release: Path) -> None:
    lines = (release / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == len(RELEASE_FILES) - 1
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name


def test_dataset_description(release: Path, built_settings: Settings) -> None:
    graph = Graph().parse(release / "mwg.ttl", format="turtle")
    dataset = Iris(built_settings.base_iri).dataset
    info = json.loads((release / "release.json").read_text())
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert int(graph.value(dataset, VOID.triples)) > 1000
    assert (
        str(graph.value(dataset, URIRef("http://www.w3.org/2002/07/owl#versionInfo")))
        == info["version"]
    )
    titles = {t.language for t in graph.objects(dataset, URIRef("http://purl.org/dc/terms/title"))}
    assert {"th", "en"} <= titles
    assert graph.value(dataset, URIRef("http://purl.org/dc/terms/license")) is not None
    assert len(list(graph.objects(dataset, DCAT.distribution))) >= 3
    assert len(list(graph.objects(dataset, VOID.vocabulary))) >= 5


def test_validation_report_is_published(release: Path) -> None:
    assert "no SHACL violations" in (release / "validation-report.txt").read_text()


def test_rebuilding_unchanged_data_publishes_nothing(built_settings: Settings) -> None:
    before = current_release(built_settings)
    result = build(built_settings)
    assert not result.changed
    assert current_release(built_settings) == before


def test_invalid_data_leaves_the_previous_release_untouched(released_copy: Settings) -> None:
    settings = released_copy
    first = current_release(settings)
    before = snapshot(settings.dist_dir)
    network = settings.data_dir / "network.ttl"
    network.write_text(
        network.read_text(encoding="utf-8").replace(
            '"Migrant Working Group"@en', '"Migrant Working Group"@en, "Second English name"@en'
        ),
        encoding="utf-8",
    )
    with pytest.raises(BuildFailed) as failure:
        build(settings)
    assert "id/organization/mwg" in str(failure.value)
    assert snapshot(settings.dist_dir) == before
    assert current_release(settings) == first
    last = read_last_build(settings)
    assert last is not None and last["ok"] is False and "validation failed" in last["message"]


def test_unparseable_data_leaves_the_previous_release_untouched(released_copy: Settings) -> None:
    settings = released_copy
    before = snapshot(settings.dist_dir)
    (settings.data_dir / "broken.ttl").write_text("this is not turtle .\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match=r"broken\.ttl"):
        build(settings)
    assert snapshot(settings.dist_dir) == before


def test_a_crash_while_writing_leaves_the_previous_release_untouched(
    released_copy: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = released_copy
    _change_a_fact(settings)
    before = snapshot(settings.dist_dir)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mwg_graph.build.release._write_checksums", disk_full)
    with pytest.raises(OSError):
        build(settings)
    assert snapshot(settings.dist_dir) == before
    assert not [p for p in (settings.dist_dir / "releases").iterdir() if p.name.startswith(".")]


def test_a_changed_fact_makes_a_new_release_and_says_what_changed(released_copy: Settings) -> None:
    settings = released_copy
    first_path = current_release(settings)
    first = read_release_info(first_path)
    _change_a_fact(settings)
    second = build(settings)
    assert second.changed and second.version != first["version"]
    assert (first_path / "mwg.ttl").is_file(), "earlier releases stay on disk"
    changes = (second.path / "changes.txt").read_text(encoding="utf-8")
    assert f"Since release {first['version']}: 1 facts added, 0 removed." in changes
    assert "Monthly Migrant Meeting" in changes
    assert json.loads((second.path / "release.json").read_text())["previous"] == first["version"]


def _change_a_fact(settings: Settings) -> None:
    extra = settings.data_dir / "zz-extra.ttl"
    extra.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/mwg/id/organization/mwg> skos:altLabel "
        '"Monthly Migrant Meeting"@en .\n',
        encoding="utf-8",
    )


def test_build_and_validation_never_open_a_socket(
    copy_of_repo_inputs: Settings, no_network: list[object]
) -> None:
    result = build(copy_of_repo_inputs)
    assert result.validation.conforms
    assert check(copy_of_repo_inputs).conforms
    assert no_network == []


def test_configured_base_iri_moves_every_minted_iri(tmp_path: Path) -> None:
    settings = from_env(environ={}, dist_dir=tmp_path / "dist", base_iri="https://example.org/x/")
    result = build(settings)
    graph = Graph().parse(result.path / "mwg.nt", format="nt")
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    assert "https://example.org/x/id/organization/mwg" in iris
    assert not [i for i in iris if i.startswith("https://w3id.org/mwg/")]
    label = graph.value(URIRef("https://example.org/x/id/organization/mwg"), SKOS.prefLabel)
    assert isinstance(label, Literal)


def run_cli(*args: str, settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mwg_graph", *args, "--dist-dir", str(settings.dist_dir),
         "--data-dir", str(settings.data_dir)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_cli_build_exit_codes_and_messages(copy_of_repo_inputs: Settings) -> None:
    settings = copy_of_repo_inputs
    ok = run_cli("build", settings=settings)
    assert ok.returncode == 0, ok.stderr
    assert "published" in ok.stdout and "First release" in ok.stdout
    again = run_cli("build", settings=settings)
    assert again.returncode == 0 and "unchanged" in again.stdout
    (settings.data_dir / "members.ttl").write_text("@prefix broken", encoding="utf-8")
    failed = run_cli("build", settings=settings)
    assert failed.returncode == 1
    assert "members.ttl" in failed.stderr
    assert "previous release" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_cli_diff_says_which_facts_data_would_change(copy_of_repo_inputs: Settings) -> None:
    """In this process (tests/cli.py): the exit codes and messages of a real process are the
    test above's."""
    settings = copy_of_repo_inputs
    paths = ["--dist-dir", str(settings.dist_dir), "--data-dir", str(settings.data_dir)]
    assert run_cli_in_process(["build", *paths]).returncode == 0
    _change_a_fact(settings)
    diff = run_cli_in_process(["diff", *paths])
    assert diff.returncode == 0
    assert "1 facts added, 0 removed" in diff.stdout
    assert '+ "Migrant Working Group"' in diff.stdout and "Monthly Migrant Meeting" in diff.stdout
