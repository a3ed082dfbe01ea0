"""Writing the site: same bytes → the file is not touched; files the release no longer has go.

A re-export of an unchanged release rewrites nothing (mtimes, inodes and therefore the validators a
web server derives from them stay put), so a CDN or rsync sees only what really changed.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# Text worth compressing (the server compresses the same: mwg_graph.web.http, 512 bytes and more).
COMPRESSIBLE = (".html", ".ttl", ".jsonld", ".nt", ".rdf", ".json", ".xml", ".txt", ".css", ".js",
                ".svg", "/void")  # fmt: skip
COMPRESS_MIN_BYTES = 512


def compressed(name: str, body: bytes) -> bytes | None:
    """The gzip copy a web server sends as it is (nginx ``gzip_static``, Apache's rules), or None.

    Made once here rather than per request by the web server, and with ``mtime=0`` so the same
    body always gives the same bytes; each copy has its own strong ETag under nginx.
    """
    if not name.endswith(COMPRESSIBLE) or len(body) < COMPRESS_MIN_BYTES:
        return None
    return gzip.compress(body, compresslevel=9, mtime=0)


@dataclass
class Written:
    """What one export did to the site folder."""

    kept: list[str] = field(default_factory=list)  # same bytes: not touched
    written: list[str] = field(default_factory=list)  # new or changed
    removed: list[str] = field(default_factory=list)  # no longer part of the site

    @property
    def files(self) -> int:
        return len(self.kept) + len(self.written)


def write_if_changed(site: Path, name: str, body: bytes, mtime: float, log: Written) -> None:
    """Write ``body`` to ``site/name`` unless the file already holds exactly these bytes.

    A changed file is replaced atomically (a reader never sees half a file) and gets ``mtime``,
    the release's build time, so ``Last-Modified`` is the same from every export of it.
    """
    target = site / name
    try:
        if target.stat().st_size == len(body) and target.read_bytes() == body:
            log.kept.append(name)
            return
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.chmod(temporary, 0o644)
        os.utime(temporary, (mtime, mtime))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.written.append(name)


def remove_others(site: Path, keep: set[str], log: Written) -> None:
    """Remove every file under ``site`` that this export did not produce, then empty folders."""
    for path in sorted(site.rglob("*"), reverse=True):
        name = path.relative_to(site).as_posix()
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif name not in keep:
            path.unlink()
            log.removed.append(name)
