"""Slow-client attacks on loopback, and probes that time the server while they run.

Shared by the server comparison (``bench/servers.py``), the load run (``bench/load.py``) and the
test that bounds a probe under attack (``tests/test_slow_clients.py``), so all three mean the same
attack: ``headers`` sockets that send a request's header lines one every ``interval`` seconds and
never finish them, and ``bodies`` sockets that declare a POST body and send it one byte every
``interval`` seconds. A socket the server closes is opened again, as a real attacker would.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from dataclasses import dataclass, field

SLOW_BODY_LENGTH = 100_000  # declared, never reached: one byte every `interval` seconds


@dataclass
class SlowClients:
    """Context manager: the attack runs from ``__enter__`` to ``__exit__`` (one thread)."""

    port: int
    headers: int = 64
    bodies: int = 64
    interval: float = 2.0
    host: str = "127.0.0.1"
    source: str = ""  # local address to attack from (e.g. 127.0.0.2: another client); "" = any
    reopened: int = 0  # sockets the server closed and the attacker opened again
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _open(self, kind: str) -> socket.socket | None:
        try:
            source = (self.source, 0) if self.source else None
            sock = socket.create_connection((self.host, self.port), 5, source_address=source)
            if kind == "header":
                sock.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            else:
                sock.sendall(
                    b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/sparql-query\r\n"
                    b"Content-Length: " + str(SLOW_BODY_LENGTH).encode() + b"\r\n\r\nA"
                )
            return sock
        except OSError:
            return None

    def _run(self) -> None:
        kinds = ["header"] * self.headers + ["body"] * self.bodies
        sockets: list[socket.socket | None] = [self._open(k) for k in kinds]
        n = 0
        while not self._stop.wait(self.interval):
            n += 1
            for i, kind in enumerate(kinds):
                piece = f"X-Slow-{n}: {n}\r\n".encode() if kind == "header" else b"S"
                sock = sockets[i]
                try:
                    if sock is None:
                        raise OSError("closed")
                    sock.sendall(piece)
                except OSError:
                    if sock is not None:
                        sock.close()
                    self.reopened += 1
                    sockets[i] = self._open(kind)
        for sock in sockets:
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def __enter__(self) -> SlowClients:
        self._thread = threading.Thread(target=self._run, daemon=True, name="slow-clients")
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


@dataclass
class Probe:
    """One request every ``every`` seconds on a fresh connection; status and seconds of each answer.

    A GET, or with ``body`` a POST of it (what the query page and YASGUI send).
    """

    port: int
    target: str
    every: float = 1.0
    timeout: float = 5.0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    answers: list[tuple[int | str, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def ask(self) -> tuple[int | str, float]:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            method = "GET" if self.body is None else "POST"
            connection.request(method, self.target, body=self.body, headers=self.headers)
            response = connection.getresponse()
            response.read()
            status: int | str = response.status
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
        finally:
            connection.close()
        return status, time.monotonic() - started

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.answers.append(self.ask())
            self._stop.wait(max(0.0, self.every - (time.monotonic() - started)))

    def __enter__(self) -> Probe:
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"probe {self.target}")
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)

    def answered(self, within: float) -> int:
        """How many probes got a 200 within ``within`` seconds."""
        return sum(1 for status, seconds in self.answers if status == 200 and seconds < within)

    def worst(self) -> float:
        return max((seconds for _, seconds in self.answers), default=float("nan"))
