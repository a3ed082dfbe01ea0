"""Settings: each one documented in the README, read from the environment, overridable by flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mwg_graph.cli import make_parser
from mwg_graph.config import PROJECT_ROOT, env_name, from_env, setting_names

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
TABLE_ROWS = [line for line in README.splitlines() if line.startswith("| `--")]


@pytest.mark.parametrize("name", setting_names())
def test_every_setting_is_documented_in_the_readme_table(name: str) -> None:
    flag, env = "--" + name.replace("_", "-"), env_name(name)
    rows = [r for r in TABLE_ROWS if r.startswith(f"| `{flag}` | `{env}` |")]
    assert len(rows) == 1, f"README settings table has no row for {flag} / {env}"


def test_readme_documents_no_setting_that_does_not_exist() -> None:
    documented = {re.match(r"\| `--([a-z-]+)`", r).group(1).replace("-", "_") for r in TABLE_ROWS}
    assert documented == set(setting_names())


def test_environment_then_flags() -> None:
    settings = from_env({"MWG_PORT": "6000", "MWG_QUERY_TIMEOUT": "2.5", "MWG_DEBUG": "yes"})
    assert (settings.port, settings.query_timeout, settings.debug) == (6000, 2.5, True)
    assert from_env({"MWG_PORT": "6000"}, port=7000).port == 7000
    assert from_env({"MWG_DIST_DIR": "/tmp/x"}).dist_dir == Path("/tmp/x")


def test_base_iri_gets_a_trailing_slash() -> None:
    assert (
        from_env({"MWG_BASE_IRI": "https://example.org/mwg"}).base_iri == "https://example.org/mwg/"
    )


def test_every_setting_is_a_serve_flag() -> None:
    serve = make_parser()._subparsers._group_actions[0].choices["serve"]
    flags = {a.option_strings[0] for a in serve._actions if a.option_strings}
    assert {"--" + n.replace("_", "-") for n in setting_names()} <= flags


def test_readme_gives_the_two_commands_on_its_first_screen() -> None:
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make run" in first_screen and "make test" in first_screen
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
