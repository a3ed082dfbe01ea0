"""Debian's Virtuoso (``virtuoso-opensource``, installed by ``make test``) on loopback, for tests.

A database of its own in a temporary folder, its SQL and HTTP ports on 127.0.0.1 only, and the
SPARQL user allowed to update (``GRANT SPARQL_UPDATE``), as an operator sets it up to publish
into it with the SPARQL 1.1 Graph Store HTTP Protocol.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .conftest import free_port, stop_process
from .static_site import answering

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"


@dataclass
class VirtuosoServer:
    url: str  # http://127.0.0.1:PORT
    sql_port: int
    process: subprocess.Popen

    @property
    def store(self) -> str:  # Graph Store HTTP Protocol (unauthenticated)
        return self.url + "/sparql-graph-crud"

    @property
    def query(self) -> str:  # SPARQL query and update endpoint
        return self.url + "/sparql"


def config(work: Path, http_port: int, sql_port: int) -> Path:
    ini = work / "virtuoso.ini"
    ini.write_text(
        f"""[Database]
DatabaseFile = {work}/virtuoso.db
ErrorLogFile = {work}/virtuoso.log
LockFile = {work}/virtuoso.lck
TransactionFile = {work}/virtuoso.trx
xa_persistent_file = {work}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {work}/virtuoso-temp.db
TransactionFile = {work}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {work}
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
""",
        encoding="utf-8",
    )
    return ini


def start_virtuoso(work: Path, timeout: float = 60) -> VirtuosoServer:
    http_port, sql_port = free_port(), free_port()
    ini = config(work, http_port, sql_port)
    log = work / "virtuoso.out"
    process = subprocess.Popen(
        [VIRTUOSO, "-f", "-c", str(ini)], cwd=work, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{http_port}"
    answering(process, "virtuoso", url, log, work / "virtuoso.log", timeout)
    granted = subprocess.run(
        [ISQL, str(sql_port), "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if granted.returncode != 0:
        stop_process(process)
        raise RuntimeError(f"isql-vt GRANT failed: {granted.stdout}{granted.stderr}")
    return VirtuosoServer(url, sql_port, process)


def stop_virtuoso(server: VirtuosoServer) -> None:
    stop_process(server.process)
