"""The release a server process is serving, and the swap to a newer one.

Each server process holds one :class:`PublishedRelease` at a time. A request takes a reference to
it once (``current()``) and uses that object to the end, so a swap in the middle of a request
changes nothing for that request — the old object lives until its last reader lets go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .config import Settings
from .release import current_release, read_release_info


@dataclass
class PublishedRelease:
    path: Path
    info: dict
    graph: Graph  # rdflib memory graph of the whole release: pages, dumps, descriptions
    loaded_at: float = field(default_factory=time.time)

    @property
    def version(self) -> str:
        return self.info["version"]


def load_published(path: Path) -> PublishedRelease:
    graph = Graph().parse(path / "mwg.nt", format="nt")
    return PublishedRelease(path=path, info=read_release_info(path), graph=graph)


class ReleaseHolder:
    """Holds the served release; :meth:`refresh` swaps in a newer one when ``dist/current`` moved."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._release: PublishedRelease | None = None
        self._last_check = 0.0
        self.listeners: list[Callable[[PublishedRelease], None]] = []

    def current(self) -> PublishedRelease | None:
        interval = self.settings.reload_interval
        if self._release is None or (interval > 0 and time.monotonic() - self._last_check > interval):
            self.refresh()
        return self._release

    def refresh(self) -> bool:
        """Load ``dist/current`` if it points somewhere new. True when a new release was swapped in."""
        with self._lock:
            self._last_check = time.monotonic()
            path = current_release(self.settings)
            if path is None or (self._release is not None and self._release.path == path):
                return False
            release = load_published(path)
            self._release = release
        for listener in self.listeners:
            listener(release)
        return True
