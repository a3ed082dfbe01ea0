"""Synthetic graphs shaped like ours, for measuring the endpoint at 100k and 1M triples.

The real release stays in as copy 0, so every example query still finds the MWG network; each
further copy is the whole real graph again with every minted slug suffixed (``mwg`` → ``mwg-c7``),
so it has the same classes, properties, language tags and fan-out as the real data. Plain text
substitution on N-Triples keeps this fast enough for a million triples.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from mwg_graph.store import write_release_store

MINTED = re.compile(r"<(https://w3id\.org/mwg/id/[a-z-]+/)([a-z0-9-]+)>")


def make_release(real_release: Path, target: Path, triples: int, with_store: bool = True) -> Path:
    """A release folder like ``real_release`` but with about ``triples`` triples in mwg.nt, and
    its Oxigraph store (unless ``with_store`` is false: the caller writes it, e.g. to time it)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    lines = (real_release / "mwg.nt").read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if line.strip()]
    copies = max(1, triples // len(lines))
    with (target / "mwg.nt").open("w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
        for copy in range(1, copies):
            suffix = f"-c{copy}"
            text = "\n".join(lines)
            out.write(MINTED.sub(lambda m, s=suffix: f"<{m.group(1)}{m.group(2)}{s}>", text) + "\n")
    for name in ("void.ttl", "context.jsonld", "SHA256SUMS"):
        if (real_release / name).exists():
            shutil.copy(real_release / name, target / name)
    info = json.loads((real_release / "release.json").read_text())
    info |= {"version": f"synthetic-{copies * len(lines)}", "triples": copies * len(lines)}
    (target / "release.json").write_text(json.dumps(info, indent=2))
    if with_store:
        write_release_store(target)
    return target


def install_as_current(dist: Path, release: Path) -> None:
    """Point ``dist/current`` at ``release`` (which must live under ``dist/releases/``)."""
    link = dist / "current"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(release.relative_to(dist))
