"""The release a server process is serving, and the swap to a newer one.

Each server process holds one :class:`PublishedRelease` at a time. A request takes a reference to
it once (``current()``) and uses that object to the end, so a swap in the middle of a request
changes nothing for that request — the old object lives until its last reader lets go.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Store

from mwg_graph.config import Settings

if TYPE_CHECKING:
    from mwg_graph.web.backend_terms import BackendTerms
from mwg_graph.dist import CURRENT, current_release, read_release_info, releases_dir
from mwg_graph.store import open_release_store

log = logging.getLogger("mwg_graph.web.releases")


@dataclass
class PublishedRelease:
    path: Path
    info: dict
    # The release's Oxigraph store, opened read-only (mwg_graph.store): pages and documents take
    # small rdflib graphs from it per page; no process holds the whole release as an rdflib graph.
    # With --sparql-backend, the release in that triple store instead (mwg_graph.web.backend_terms).
    store: Store | BackendTerms
    loaded_at: float = field(default_factory=time.time)

    @property
    def version(self) -> str:
        return self.info["version"]


def load_published(path: Path, settings: Settings | None = None) -> PublishedRelease:
    """The release at ``path``; raises when its information or its store cannot be read.

    With ``settings.sparql_backend``, pages and documents read the release from that triple store
    (whether it holds this release is checked with every lookup, not here: a server may start, or
    swap, before the publish that follows it)."""
    info = read_release_info(path)
    if settings is not None and settings.sparql_backend:
        from mwg_graph.web.backend_terms import BackendTerms

        return PublishedRelease(path, info, BackendTerms(settings, path, info["version"]))
    return PublishedRelease(path=path, info=info, store=open_release_store(path))


CURRENT_PROBLEM = "dist/current names no release"


class ReleaseHolder:
    """Holds the served release; :meth:`refresh` swaps in a newer one when ``dist/current`` moved.

    In the production server a background thread (:meth:`watch`) loads a new release, so requests
    rarely wait for one; each request still looks whether ``dist/current`` moved (:meth:`current`).
    A release that cannot be loaded is never swapped in: the old one keeps serving and
    :attr:`problem` says why (``/healthz`` shows it).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._release: PublishedRelease | None = None
        self._refused: tuple[Path, int] | None = None  # (folder, its mtime) that failed to load
        self._link: str | None = None  # what dist/current said at the last refresh
        self.problem: str | None = None
        self.listeners: list[Callable[[PublishedRelease], None]] = []

    def current(self) -> PublishedRelease | None:
        """The release to answer a request from.

        With ``reload_interval`` > 0, a request that starts after ``dist/current`` moved is
        answered from the release it names, whichever worker takes it (it waits while that
        release loads, when the watcher has not loaded it yet): so a client whose requests reach
        different workers, or replicas behind a load balancer, never sees releases go backwards.
        Looking costs one ``readlink`` per request (about 1 µs; resolving the path took 300).
        With 0, only SIGHUP swaps (:mod:`serve`).
        """
        interval = self.settings.reload_interval
        if self._release is None or (interval > 0 and _read_link(self.settings) != self._link):
            self.refresh()
        return self._release

    def refresh(self) -> bool:
        """Load ``dist/current`` if it moved. True when a new release was swapped in."""
        with self._lock:
            # Recorded only once the release it names is served (the finally below): a request
            # that sees the new link must find the new release, not the one still loading.
            link = _read_link(self.settings)
            try:
                path = current_release(self.settings)
                if path is None:
                    release = self._without_current()
                elif self._release is not None and self._release.path == path:
                    if self.problem and (CURRENT_PROBLEM in self.problem or self._refused):
                        self._refused, self.problem = None, None  # dist/current is back on it
                    return False
                else:
                    release = self._load_current(path)
                if release is None:
                    return False
                # Its query processes are ready before any request can take it, so an answer never
                # comes from one release while its pages come from another.
                self._notify(release)
                self._release = release
            finally:
                self._link = link
        log.info("serving release %s", release.version)
        return True

    def _load_current(self, path: Path) -> PublishedRelease | None:
        """Load the release ``dist/current`` names; a damaged one never replaces a good one."""
        stamp = (path, _mtime(path))
        if stamp == self._refused:
            return None
        try:
            release = load_published(path, self.settings)
        except Exception as error:  # a damaged release must never replace a good one
            self._refused = stamp
            self.problem = f"release {path.name} could not be loaded: {error}"
            if self._release is not None:
                log.error("%s; still serving %s", self.problem, self._release.version)
                return None
            fallback = newest_loadable(self.settings, exclude=path)
            if fallback is None:
                log.error("%s; no other release to serve", self.problem)
                return None
            log.error("%s; serving the newest good one, %s", self.problem, fallback.version)
            release = fallback
        if release.path == path:
            self._refused, self.problem = None, None
        return release

    def _notify(self, release: PublishedRelease) -> None:
        for listener in self.listeners:
            try:
                listener(release)
            except Exception:
                log.exception("release listener %r failed", listener)

    def _without_current(self) -> PublishedRelease | None:
        """``dist/current`` is missing or points at nothing: serve the newest release that loads."""
        link = self.settings.dist_dir / CURRENT
        what = f"{CURRENT_PROBLEM} ({'points at nothing' if link.is_symlink() else 'missing'})"
        if self._release is not None:
            self.problem = f"{what}; still serving {self._release.version}"
            return None
        release = newest_loadable(self.settings)
        if release is None:
            return None
        self.problem = f"{what}; serving the newest release that loads, {release.version}"
        log.error("%s", self.problem)
        return release

    def watch(self) -> threading.Thread | None:
        """Check ``dist/current`` every ``reload_interval`` seconds in a daemon thread."""
        interval = self.settings.reload_interval
        if interval <= 0:
            return None

        def loop() -> None:
            while True:
                time.sleep(interval)
                try:
                    self.refresh()
                except Exception:  # keep watching whatever happens
                    log.exception("checking dist/ for a new release failed")

        thread = threading.Thread(target=loop, name="mwg-release-watch", daemon=True)
        thread.start()
        return thread


def newest_loadable(settings: Settings, exclude: Path | None = None) -> PublishedRelease | None:
    """The most recently built release under ``dist/releases/`` that loads (``exclude`` aside)."""
    candidates = []
    folder = releases_dir(settings)
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.is_dir() and not path.name.startswith(".") and path != exclude:
            try:
                candidates.append((read_release_info(path).get("built_at", ""), path.name, path))
            except (OSError, ValueError):
                continue
    for _, _, path in sorted(candidates, reverse=True):
        try:
            return load_published(path, settings)
        except Exception:
            log.warning("release %s could not be loaded either", path.name)
    return None


def _read_link(settings: Settings) -> str | None:
    try:
        return os.readlink(settings.dist_dir / CURRENT)
    except OSError:
        return None


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
