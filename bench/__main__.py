"""``python -m bench [name ...]``: run the named benchmarks (default: all), update BENCHMARKS.md."""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "build": "bench.build_bench",
    "sparql": "bench.sparql_bench",
    "cache-busted": "bench.cache_busted",
    "load": "bench.load",
    "store": "bench.store_bench",
    "server": "bench.server_bench",
    "search": "bench.search_bench",
    "servers": "bench.servers",
    "lighthouse": "bench.lighthouse_bench",
    "export": "bench.export_bench",
    "backend": "bench.backend_bench",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}")
        return 2
    for name in names:
        print(f"== {name}", flush=True)
        print(importlib.import_module(BENCHES[name]).main())
    return 0


raise SystemExit(main(sys.argv[1:]))
