"""A map of provinces drawn as inline SVG on the server: Thailand's outline, a dot per province at
its ``geo:lat``/``geo:long`` and a labelled link for each, no two labels overlapping.

No tiles, no script, no outside request. The outline is Natural Earth's (public domain), extracted
once by ``tools/thailand_outline.py`` into ``map_outline.json`` beside this module and simplified to
~1 km, so a page carries a few kB of path. The projection is equirectangular with longitude scaled
by cos(latitude) at the frame's middle, so Thailand keeps its shape; a map for finding places, not a
survey map.

Where several provinces crowd round Bangkok (their dots would overprint each other) they are drawn
again, magnified, in an inset in the South China Sea corner, and labelled there. Every label is a
chip at least :data:`CHIP_HEIGHT` units tall (a tap target of 24 px at the size the page shows the
map), placed next to its dot or, when crowded, further out with a leader line: the placement tries
positions from near to far and keeps the first that overlaps no other chip, dot or leader line.
Label widths are estimated from Noto Sans Thai's advance widths (the site's font), with a margin.
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

OUTLINE_FILE = Path(__file__).with_name("map_outline.json")

WIDTH = 360.0  # viewBox units; the page shows the map ~1:1 (figure.map in site.css)
FONT_SIZE = 13.0
CHIP_HEIGHT = 26.0
CHIP_PAD = 6.0  # left and right of the text
CHIP_GAP = 2.0  # between two chips
DOT_RADIUS = 5.0
EDGE = 2.0  # chips stay this far inside the frame
DETOUR = 30.0  # how much further out an inset label may go to keep off the magnified map

# The crowded area round Bangkok (degrees) and how much the inset magnifies it.
INSET_REGION = {"lon_min": 99.75, "lon_max": 100.95, "lat_min": 13.25, "lat_max": 13.95}
INSET_ZOOM = 3.0
INSET_MARGIN = 8.0  # from the frame's lower right corner

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Segment = tuple[float, float, float, float]


@dataclass(frozen=True)
class Point:
    label: str
    lat: float
    long: float
    href: str
    lang: str | None = None  # language of the label, when known


@dataclass(frozen=True)
class Place:
    """A province as drawn: its dot, its label chip (the tap target) and the line between them."""

    label: str
    href: str
    lang: str | None
    x: float
    y: float
    chip: Box
    text_x: float
    text_y: float
    leader: Segment | None = None
    in_inset: bool = False
    marker: tuple[float, float] | None = None  # its small dot on the main map, when in the inset


@dataclass(frozen=True)
class Inset:
    box: Box  # where the inset is drawn
    region: Box  # the area it magnifies, on the main map
    transform: str  # SVG transform that maps the main map onto the inset
    link: Segment  # from the region's frame to the inset's


@dataclass(frozen=True)
class MapLayout:
    width: float
    height: float
    land: str  # SVG path of Thailand
    neighbours: str  # SVG path of the countries around it, clipped to the frame
    places: list[Place]
    inset: Inset | None = None
    chips: list[Box] = field(default_factory=list)
    unplaced: list[Point] = field(default_factory=list)  # no room left: listed under the map


@cache
def outline() -> dict:
    return json.loads(OUTLINE_FILE.read_text(encoding="utf-8"))


@cache
def projection() -> tuple[float, float, float, float, float]:
    """(lon_min, lat_max, x scale, y scale, height) of the frame the outline file names."""
    frame = outline()["frame"]
    squash = math.cos(math.radians((frame["lat_min"] + frame["lat_max"]) / 2))
    scale = WIDTH / ((frame["lon_max"] - frame["lon_min"]) * squash)
    height = round((frame["lat_max"] - frame["lat_min"]) * scale, 1)
    return frame["lon_min"], frame["lat_max"], scale * squash, scale, height


def project(lat: float, long: float) -> tuple[float, float]:
    lon_min, lat_max, sx, sy, _ = projection()
    return round((long - lon_min) * sx, 1), round((lat_max - lat) * sy, 1)


def path(rings: list[list[list[float]]]) -> str:
    """Rings as one SVG path: absolute start, then relative steps of a tenth of a unit."""
    parts = []
    for ring in rings:
        points = [project(lat, long) for long, lat in ring]
        (x, y), steps = points[0], []
        for nx, ny in points[1:]:
            dx, dy = round(nx - x, 1), round(ny - y, 1)
            if dx or dy:
                steps.append(f"{_num(dx)} {_num(dy)}")
                x, y = round(x + dx, 1), round(y + dy, 1)
        parts.append(f"M{_num(points[0][0])} {_num(points[0][1])}l" + " ".join(steps) + "z")
    return "".join(parts)


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@cache
def paths() -> tuple[str, str]:
    data = outline()
    neighbours = [ring for rings in data["neighbours"].values() for ring in rings]
    return path(data["thailand"]), path(neighbours)


# ---- label widths ---------------------------------------------------------------------------

# Advance widths of Noto Sans Thai (regular) in em, measured in Chromium; Thai consonants and
# vowels that take their own cell are ~0.55 em, marks above and below take none.
LATIN_EM = {
    **dict.fromkeys("abdghnopqu", 0.61), **dict.fromkeys("ceksvxyz", 0.5), "a": 0.56, "e": 0.56,
    "f": 0.34, "i": 0.26, "j": 0.26, "l": 0.26, "m": 0.93, "r": 0.41, "t": 0.35, "w": 0.78,
    **dict.fromkeys("ABCDEFGHJKLNOPQRSTUVXYZ", 0.66), "I": 0.3, "M": 0.84, "W": 0.9,
    **dict.fromkeys("0123456789", 0.57), " ": 0.26,
}  # fmt: skip
THAI_EM = 0.56
OTHER_EM = 0.62
WIDTH_MARGIN = 1.06


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of ``text`` in the site's font, a little generous."""
    em = 0.0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        if "\u0e00" <= char <= "\u0e7f":
            em += THAI_EM
        else:
            em += LATIN_EM.get(char, OTHER_EM)
    return em * size * WIDTH_MARGIN


# ---- placement ------------------------------------------------------------------------------


def overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    return not (
        a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1]
    )


def segment_hits_box(s: Segment, box: Box) -> bool:
    """Liang–Barsky: does the segment pass through the box?"""
    x0, y0, x1, y1 = s
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def segments_cross(a: Segment, b: Segment) -> bool:
    def side(px, py, qx, qy, rx, ry) -> float:
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    d1 = side(b[0], b[1], b[2], b[3], a[0], a[1])
    d2 = side(b[0], b[1], b[2], b[3], a[2], a[3])
    d3 = side(a[0], a[1], a[2], a[3], b[0], b[1])
    d4 = side(a[0], a[1], a[2], a[3], b[2], b[3])
    return d1 * d2 < 0 and d3 * d4 < 0


def dot_box(x: float, y: float) -> Box:
    r = DOT_RADIUS + 1
    return (x - r, y - r, x + r, y + r)


# Directions tried, best first: beside, then above and below, then the diagonals and between.
ANGLES = [0, 180, 270, 90, 315, 225, 45, 135, 337.5, 202.5, 22.5, 157.5, 292.5, 247.5, 67.5, 112.5]
RADII = [0, 16, 30, 46, 64, 84, 106, 130, 156, 184]


def candidates(x: float, y: float, width: float):
    """Chips round the dot at (x, y), nearest first, each with its leader line (None when the chip
    touches the dot)."""
    for radius in RADII:
        for angle in ANGLES:
            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            reach = DOT_RADIUS + 2 + radius
            px, py = x + cos * reach, y + sin * reach
            x0 = _chip_start(px, cos, width)
            y0 = _chip_start(py, sin, CHIP_HEIGHT)
            chip = (x0, y0, x0 + width, y0 + CHIP_HEIGHT)
            leader = None
            if radius:
                ex, ey = min(max(x, chip[0]), chip[2]), min(max(y, chip[1]), chip[3])
                length = math.hypot(ex - x, ey - y)
                sx, sy = x + (ex - x) / length * DOT_RADIUS, y + (ey - y) / length * DOT_RADIUS
                leader = (round(sx, 1), round(sy, 1), round(ex, 1), round(ey, 1))
            yield radius, chip, leader


@dataclass
class Placer:
    width: float
    height: float
    dots: list[tuple[float, float]]
    keep_out: list[Box] = field(default_factory=list)  # areas no chip may cover
    chips: list[Box] = field(default_factory=list)
    leaders: list[Segment] = field(default_factory=list)

    def fits(self, own: tuple[float, float], chip: Box, leader: Segment | None) -> bool:
        if chip[0] < EDGE or chip[1] < EDGE:
            return False
        if chip[2] > self.width - EDGE or chip[3] > self.height - EDGE:
            return False
        if any(overlaps(chip, other, CHIP_GAP) for other in self.chips):
            return False
        if any(overlaps(chip, area) for area in self.keep_out):
            return False
        if any(overlaps(chip, dot_box(*dot)) for dot in self.dots):
            return False
        if any(segment_hits_box(line, chip) for line in self.leaders):
            return False
        if leader is not None:
            if any(segment_hits_box(leader, other) for other in self.chips):
                return False
            others = (dot_box(*dot) for dot in self.dots if dot != own)
            if any(segment_hits_box(leader, box) for box in others):
                return False
            if any(segments_cross(leader, line) for line in self.leaders):
                return False
        return True

    def place(
        self, x: float, y: float, width: float, rather_not: Box | None = None
    ) -> tuple[Box, Segment | None] | None:
        """The first chip that fits, nearest first; or, a little further out, one that fits and
        keeps off ``rather_not``."""
        first, first_radius = None, 0.0
        for radius, chip, leader in candidates(x, y, width):
            if first is not None and (rather_not is None or radius > first_radius + DETOUR):
                break
            if not self.fits((x, y), chip, leader):
                continue
            if first is None:
                first, first_radius = (chip, leader), radius
            if rather_not is None or not overlaps(chip, rather_not):
                first = (chip, leader)
                break
        if first is not None:
            self.chips.append(first[0])
            if first[1] is not None:
                self.leaders.append(first[1])
        return first


def inset_for(points: list[Point], height: float) -> tuple[Inset, float, float] | None:
    """The inset (and the offset of its magnification) when two or more points crowd round
    Bangkok; none otherwise."""
    region = INSET_REGION
    inside = [
        p
        for p in points
        if region["lon_min"] <= p.long <= region["lon_max"]
        and region["lat_min"] <= p.lat <= region["lat_max"]
    ]
    if len(inside) < 2:
        return None
    rx0, ry0 = project(region["lat_max"], region["lon_min"])
    rx1, ry1 = project(region["lat_min"], region["lon_max"])
    w, h = (rx1 - rx0) * INSET_ZOOM, (ry1 - ry0) * INSET_ZOOM
    ix0, iy0 = WIDTH - INSET_MARGIN - w, height - INSET_MARGIN - CHIP_HEIGHT * 2 - h
    dx, dy = ix0 - rx0 * INSET_ZOOM, iy0 - ry0 * INSET_ZOOM
    inset = Inset(
        box=(round(ix0, 1), round(iy0, 1), round(ix0 + w, 1), round(iy0 + h, 1)),
        region=(rx0, ry0, rx1, ry1),
        transform=f"translate({dx:.1f} {dy:.1f}) scale({INSET_ZOOM:g})",
        link=(rx1, ry1, round(ix0 + w / 2, 1), round(iy0, 1)),
    )
    return inset, dx, dy


def layout(points: list[Point]) -> MapLayout:
    """Where each province's dot and label go. A label that finds no room (never with the 16
    provinces of the data; possible with many more) is listed under the map instead."""
    height = projection()[4]
    land, neighbours = paths()
    found = inset_for(points, height)
    inset, dx, dy = found if found else (None, 0.0, 0.0)
    drawn = []  # (point, x, y, marker)
    for point in points:
        x, y = project(point.lat, point.long)
        rx0, ry0, rx1, ry1 = inset.region if inset else (0, 0, -1, -1)
        if inset and rx0 <= x <= rx1 and ry0 <= y <= ry1:
            drawn.append(
                (point, round(dx + x * INSET_ZOOM, 1), round(dy + y * INSET_ZOOM, 1), (x, y))
            )
        else:
            drawn.append((point, x, y, None))

    def crowd(item) -> tuple:
        _, x, y, marker = item
        near = sum(1 for _, ox, oy, _ in drawn if math.hypot(ox - x, oy - y) < 80)
        return (marker is None, -near, y, x)

    # Greedy, and again with the first label that found no room moved to the front, until every
    # label has room or a few tries in a row brought no improvement.
    order = sorted(drawn, key=crowd)
    best, stale = None, 0
    while stale < PATIENCE:
        places, chips, unplaced = _place_all(order, inset, height)
        if best is None or len(unplaced) < len(best[2]):
            best, stale = (places, chips, [order[i][0] for i in unplaced]), 0
        else:
            stale += 1
        if not unplaced:
            break
        order.insert(0, order.pop(unplaced[0]))
    places, chips, left_over = best or ([], [], [])
    places.sort(key=lambda p: (p.marker or (p.x, p.y))[::-1])  # reading order: north to south
    return MapLayout(WIDTH, height, land, neighbours, places, inset, chips, left_over)


PATIENCE = 4


def _place_all(order: list, inset: Inset | None, height: float):
    """Labels placed in ``order``: (places, chips, indexes in ``order`` of those with no room)."""
    placer = Placer(WIDTH, height, [(x, y) for _, x, y, _ in order])
    if inset:
        placer.leaders.append(inset.link)
    places, unplaced = [], []
    for index, (point, x, y, marker) in enumerate(order):
        width = max(round(text_width(point.label) + 2 * CHIP_PAD, 1), CHIP_HEIGHT)
        if inset is None:
            placer.keep_out = []
        elif marker is not None:  # an inset label may sit on the inset itself
            placer.keep_out = [inset.region]
        else:
            placer.keep_out = [inset.region, inset.box]
        # An inset label rather sits beside the inset than on the magnified map.
        found = placer.place(x, y, width, inset.box if inset and marker is not None else None)
        if found is None:
            unplaced.append(index)
            continue
        chip, leader = found
        places.append(
            Place(
                label=point.label,
                href=point.href,
                lang=point.lang,
                x=x,
                y=y,
                chip=tuple(round(v, 1) for v in chip),  # type: ignore[arg-type]
                text_x=round(chip[0] + CHIP_PAD, 1),
                text_y=round((chip[1] + chip[3]) / 2 + FONT_SIZE * 0.36, 1),
                leader=leader,
                in_inset=marker is not None,
                marker=marker,
            )
        )
    return places, list(placer.chips), unplaced


def _chip_start(at: float, direction: float, size: float) -> float:
    """Where a chip placed at ``at`` in a ``direction`` (a cosine or sine) starts on that axis: it
    grows away from the dot, or is centred on the point when the direction is nearly across it."""
    if direction > 0.38:
        return at
    if direction < -0.38:
        return at - size
    return at - size / 2
