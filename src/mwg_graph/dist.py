"""The on-disk layout of ``dist/``: where releases live, which one is current, and the files a
release folder holds and readers look for.

The build writes this layout (:mod:`mwg_graph.build.release`); the server, the exporter and the
publishers only read it, through this module, so none of them loads the build (pySHACL and all):
a web worker starts without it.
"""

from __future__ import annotations

import json
from pathlib import Path

from mwg_graph.config import Settings

CURRENT = "current"
RELEASES = "releases"
LAST_BUILD = "last-build.json"
RELEASE_INFO = "release.json"
DESCRIPTION_FILE = "void.ttl"
SHAPES_FILE = "shapes.ttl"
ONTOLOGY_FILE = "ontology.ttl"
REPORT_TTL = "validation-report.ttl"
REPORT_TXT = "validation-report.txt"
DIFF_FILE = "changes.txt"
CHECKSUMS = "SHA256SUMS"


def releases_dir(settings: Settings) -> Path:
    return settings.dist_dir / RELEASES


def current_release(settings: Settings) -> Path | None:
    link = settings.dist_dir / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def read_release_info(path: Path) -> dict:
    return json.loads((path / RELEASE_INFO).read_text(encoding="utf-8"))


def read_last_build(settings: Settings) -> dict | None:
    try:
        return json.loads((settings.dist_dir / LAST_BUILD).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
