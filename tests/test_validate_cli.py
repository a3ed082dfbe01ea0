"""``mwg-graph validate`` run as users run it: exit codes and one readable line per problem.

The real data is validated by a real ``python -m mwg_graph validate`` process; each broken copy
runs the same command in this process (tests/cli.py), which saves a Python start per case.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mwg_graph.config import PROJECT_ROOT, Settings
from tests.cli import run_cli_in_process

pytestmark = pytest.mark.skipif(
    not (PROJECT_ROOT / "data").is_dir(), reason="data/ not written yet"
)

BANGKOK = "https://w3id.org/mwg/id/province/th-10"
MISSION_3 = "https://w3id.org/mwg/id/mission/3"
MEMBERSHIP_SC = "https://w3id.org/mwg/id/membership/sc"
# Mission 3 exactly as the source page writes it: text broken when it was copied.
BROKEN_MISSION = "พัฒนาความรว่ มมือของภาคประชาสังคมกบั ทุกภาคสว่ นทีเ่ กี่ยวขอ้ งกับประเดน็ ประชากรข้ามชาติ"
REPAIRED_MISSION = "พัฒนาความร่วมมือของภาคประชาสังคมกับทุกภาคส่วนที่เกี่ยวข้องกับประเด็นประชากรข้ามชาติ"


def run_validate(data: Path, shapes: Path, ontology: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MWG_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mwg_graph",
            "validate",
            "--data-dir",
            str(data),
            "--shapes-dir",
            str(shapes),
            "--ontology-dir",
            str(ontology),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=300,
    )


def run_on(settings: Settings) -> subprocess.CompletedProcess:
    """``mwg-graph validate`` on a (broken) copy of the inputs, in this process."""
    return run_cli_in_process(
        ["validate", "--data-dir", str(settings.data_dir), "--shapes-dir",
         str(settings.shapes_dir), "--ontology-dir", str(settings.ontology_dir)]
    )  # fmt: skip


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the test needs updating"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("- ")]


def test_real_data_is_valid():
    done = run_validate(PROJECT_ROOT / "data", PROJECT_ROOT / "shapes", PROJECT_ROOT / "ontology")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid" in done.stdout
    assert "Traceback" not in done.stderr


def test_missing_thai_name(copy_of_repo_inputs: Settings):
    edit(copy_of_repo_inputs.data_dir / "provinces.ttl", '"กรุงเทพมหานคร"@th , "Bangkok"@en',
         '"Bangkok"@en')  # fmt: skip
    done = run_on(copy_of_repo_inputs)
    assert done.returncode == 1
    [line] = problem_lines(done.stderr)
    assert '"Bangkok"' in line and f"<{BANGKOK}>" in line
    assert "skos:prefLabel" in line
    assert "needs exactly one Thai name" in line
    assert "ต้องมีชื่อภาษาไทย" in line
    assert "expected exactly one skos:prefLabel with language tag @th" in line


def test_broken_thai_text(copy_of_repo_inputs: Settings):
    edit(copy_of_repo_inputs.data_dir / "missions.ttl", REPAIRED_MISSION, BROKEN_MISSION)
    done = run_on(copy_of_repo_inputs)
    assert done.returncode == 1
    [line] = problem_lines(done.stderr)
    assert f"<{MISSION_3}>" in line and "Develop cooperation" in line
    assert "skos:prefLabel" in line and "broken Thai text" in line
    assert "ความรว่ มมือ" in line  # the found value is shown
    assert "expected Thai text in which every vowel and tone mark sits on its consonant" in line


def test_mark_after_a_space(copy_of_repo_inputs: Settings):
    edit(copy_of_repo_inputs.data_dir / "missions.ttl", REPAIRED_MISSION,
         REPAIRED_MISSION.replace("ความร่วมมือ", "ความร \u0e48วมมือ"))  # fmt: skip
    done = run_on(copy_of_repo_inputs)
    assert done.returncode == 1
    [line] = problem_lines(done.stderr)
    assert f"<{MISSION_3}>" in line and "broken Thai text" in line


def test_wrong_iso_code(copy_of_repo_inputs: Settings):
    edit(copy_of_repo_inputs.data_dir / "provinces.ttl", '"TH-10"', '"TH-1O"')
    done = run_on(copy_of_repo_inputs)
    assert done.returncode == 1
    lines = problem_lines(done.stderr)
    pattern = [line for line in lines if "expected text matching ^TH-[0-9]{2}$" in line]
    assert pattern, done.stderr
    assert '"Bangkok"' in pattern[0] and f"<{BANGKOK}>" in pattern[0]
    assert "mwgo:iso3166_2" in pattern[0] and 'found "TH-1O"' in pattern[0]


def test_dangling_membership(copy_of_repo_inputs: Settings):
    edit(copy_of_repo_inputs.data_dir / "members.ttl", "org:member organization:sc ;",
         "org:member organization:sc-missing ;")  # fmt: skip
    done = run_on(copy_of_repo_inputs)
    assert done.returncode == 1
    lines = [line for line in problem_lines(done.stderr) if f"<{MEMBERSHIP_SC}>" in line]
    member = [line for line in lines if "needs exactly one member (org:member)" in line]
    assert member, done.stderr
    assert "Solidarity Center as a main partner organisation of MWG" in member[0]
    assert "org:member" in member[0]
    assert "expected a resource of class org:Organization" in member[0]
    assert "organization/sc-missing" in member[0]


def test_not_turtle(copy_of_repo_inputs: Settings):
    broken = copy_of_repo_inputs.data_dir / "themes.ttl"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nthis is ; not turtle .\n",
                      encoding="utf-8")  # fmt: skip
    done = run_on(copy_of_repo_inputs)
    assert done.returncode == 1
    assert "themes.ttl" in done.stderr
    assert "not valid Turtle" in done.stderr
    assert "Traceback" not in done.stderr
