"""Extract Thailand's outline (and its neighbours around it) from Natural Earth, once.

Run from the repository root after ``(cd tools/thailand-outline && npm ci)``::

    .venv/bin/python tools/thailand_outline.py

It reads npm ``world-atlas`` 2.0.2 (ISC; Natural Earth 4.1.0 Admin 0 countries at 1:50m, public
domain), pinned in ``tools/thailand-outline/package-lock.json``, decodes the TopoJSON here (no
topojson-client needed: delta-encoded, quantized arcs), keeps Thailand (ISO 3166-1 numeric 764) and
the countries that border the map's frame, clips them to the frame, simplifies every ring
(Douglas–Peucker, ~1 km) and writes ``src/mwg_graph/web/map_outline.json``. The server draws its
maps from that file (:mod:`mwg_graph.web.svgmap`); nothing is read from npm at build or run time.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ATLAS = ROOT / "tools" / "thailand-outline" / "node_modules" / "world-atlas" / "countries-50m.json"
OUT = ROOT / "src" / "mwg_graph" / "web" / "map_outline.json"

THAILAND = "764"
NEIGHBOURS = {
    "104": "Myanmar",
    "418": "Laos",
    "116": "Cambodia",
    "458": "Malaysia",
    "704": "Vietnam",
}
# The frame every map is drawn in (degrees): Thailand with a margin for labels.
FRAME = {"lon_min": 96.6, "lon_max": 106.2, "lat_min": 5.2, "lat_max": 21.0}
TOLERANCE = 0.01  # degrees (~1.1 km): under half a pixel on the main map
NEIGHBOUR_TOLERANCE = 0.03  # the neighbours are only context, drawn pale
DECIMALS = 3
SMALLEST_ISLAND = 0.002  # square degrees (~25 km²): Phuket is 0.045, Ko Samui 0.019


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """TopoJSON: a negative index ~i is arc i reversed; consecutive arcs share their end point."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(arcs, geometry: dict) -> list[list[tuple[float, float]]]:
    """Outer rings and holes alike, as rings (the SVG path fills them even-odd)."""
    shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return [ring(arcs, r) for shape in shapes for r in shape]


def clip(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sutherland–Hodgman against the frame, so neighbours carry only what the map shows."""
    edges = [
        (lambda p: p[0] >= FRAME["lon_min"], 0, FRAME["lon_min"]),
        (lambda p: p[0] <= FRAME["lon_max"], 0, FRAME["lon_max"]),
        (lambda p: p[1] >= FRAME["lat_min"], 1, FRAME["lat_min"]),
        (lambda p: p[1] <= FRAME["lat_max"], 1, FRAME["lat_max"]),
    ]
    for inside, axis, value in edges:
        result = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current, axis, value))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current, axis, value))
        points = result
        if not points:
            break
    return points


def cross(a, b, axis: int, value: float) -> tuple[float, float]:
    t = (value - a[axis]) / (b[axis] - a[axis])
    return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iterative (rings have thousands of points)."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        worst, at = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if d > worst:
                worst, at = d, i
        if worst > tolerance:
            keep[at] = True
            stack += [(first, at), (at, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def area(points: list[tuple[float, float]]) -> float:
    return (
        abs(
            sum(
                a[0] * b[1] - b[0] * a[1]
                for a, b in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


def rings_of(arcs, geometry: dict, tolerance: float, clipped: bool) -> list[list[list[float]]]:
    found = []
    for points in polygons(arcs, geometry):
        if clipped:
            points = clip(points)
        if len(points) < 3 or area(points) < SMALLEST_ISLAND * (1 if not clipped else 5):
            continue
        # Split the closed ring at its farthest point so Douglas–Peucker keeps its shape.
        far = max(range(len(points)), key=lambda i: math.dist(points[0], points[i]))
        kept = simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)
        kept = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in kept]
        deduped = [p for i, p in enumerate(kept) if p != kept[i - 1]]
        if len(deduped) >= 3:
            found.append(deduped)
    return found


def main() -> None:
    topology = json.loads(ATLAS.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    by_id = {g.get("id"): g for g in topology["objects"]["countries"]["geometries"]}
    outline = {
        "source": "Natural Earth 4.1.0, Admin 0 countries 1:50m (public domain, "
        "https://www.naturalearthdata.com/about/terms-of-use/), via npm world-atlas 2.0.2 "
        "(ISC, Michael Bostock), countries-50m.json; extracted by tools/thailand_outline.py",
        "frame": FRAME,
        "tolerance_degrees": {"thailand": TOLERANCE, "neighbours": NEIGHBOUR_TOLERANCE},
        "thailand": rings_of(arcs, by_id[THAILAND], TOLERANCE, clipped=False),
        "neighbours": {
            name: rings_of(arcs, by_id[code], NEIGHBOUR_TOLERANCE, clipped=True)
            for code, name in NEIGHBOURS.items()
        },
    }
    OUT.write_text(json.dumps(outline, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(len(r) for r in outline["thailand"])
    print(f"{OUT.relative_to(ROOT)}: Thailand {len(outline['thailand'])} rings, {points} points")


if __name__ == "__main__":
    main()
