"""A map of provinces drawn as inline SVG on the server, from their ``geo:lat``/``geo:long``.

No tiles, no script, no outside request: an equirectangular projection (longitude scaled by
cos(latitude) at the map's middle, so Thailand keeps its shape), a 1° graticule for orientation, one
linked dot per province and its name. Good enough to see where the network works; not a survey map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Thailand's extent, a little padded (degrees).
LAT_MIN, LAT_MAX = 5.3, 20.8
LON_MIN, LON_MAX = 97.2, 105.9
HEIGHT = 520.0
PAD = 12.0


@dataclass(frozen=True)
class Point:
    label: str
    lat: float
    long: float
    href: str


@dataclass(frozen=True)
class Dot:
    label: str
    href: str
    x: float
    y: float
    anchor: str  # text-anchor of the label
    labelled: bool = True  # False where the name would overprint another (the dot keeps a <title>)


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float
    dots: list[Dot]
    lines: list[tuple[float, float, float, float]]  # graticule (x1, y1, x2, y2)
    ticks: list[tuple[float, float, str]]


def layout(points: list[Point]) -> MapLayout:
    squash = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))
    scale = (HEIGHT - 2 * PAD) / (LAT_MAX - LAT_MIN)
    width = (LON_MAX - LON_MIN) * squash * scale + 2 * PAD

    def project(lat: float, long: float) -> tuple[float, float]:
        return (
            round(PAD + (long - LON_MIN) * squash * scale, 1),
            round(PAD + (LAT_MAX - lat) * scale, 1),
        )

    lines, ticks = [], []
    for lat in range(math.ceil(LAT_MIN), math.floor(LAT_MAX) + 1, 2):
        x1, y = project(lat, LON_MIN)
        x2, _ = project(lat, LON_MAX)
        lines.append((x1, y, x2, y))
        ticks.append((x1 + 2, y - 2, f"{lat}°N"))
    for long in range(math.ceil(LON_MIN), math.floor(LON_MAX) + 1, 2):
        x, y1 = project(LAT_MAX, long)
        _, y2 = project(LAT_MIN, long)
        lines.append((x, y1, x, y2))
        ticks.append((x + 2, y2 - 2, f"{long}°E"))
    dots: list[Dot] = []
    boxes: list[tuple[float, float, float, float]] = []
    for point in sorted(points, key=lambda p: (-p.lat, p.long)):
        x, y = project(point.lat, point.long)
        anchor = "end" if x > width * 0.6 else "start"
        text_width = 6.5 * len(point.label) + 10
        left = x - text_width if anchor == "end" else x
        box = (left, y - 7, left + text_width, y + 7)
        free = all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in boxes)
        if free:
            boxes.append(box)
        dots.append(Dot(point.label, point.href, x, y, anchor, free))
    return MapLayout(round(width, 1), HEIGHT, dots, lines, ticks)
