"""A map of the places an archive names: Syria's governorates as outlines
(data/syria-governorates.json, from Natural Earth) and each place with
coordinates (the gazetteer's, from GeoNames) as a dot sized by its number of
articles. Computed from the site model as plain values that
partials/map.html draws; nothing is rendered here. A place without
coordinates is listed under the map, never drawn.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .taxonomy import Taxonomy, Term

OUTLINES = Path(__file__).parent / "data" / "syria-governorates.json"
RADIUS = (2.5, 14.0)  # the smallest and the largest dot


@dataclass(frozen=True)
class Region:
    """A governorate's outline, with the page it leads to ("" when the
    archive has none) and whether the page is about it or inside it."""

    slug: str
    name: str
    url: str
    path: str
    focus: bool


@dataclass(frozen=True)
class Dot:
    """A place: `role` is "self" (the page's own place), "child" (inside it)
    or "place" (on the index)."""

    name: str
    url: str
    count: int
    x: float
    y: float
    r: float
    role: str


@dataclass(frozen=True)
class Unplaced:
    name: str
    url: str
    count: int


@dataclass(frozen=True)
class PlaceMap:
    width: int
    height: int
    regions: tuple[Region, ...]
    other: str  # outlines of no governorate (the Golan disengagement zone)
    dots: tuple[Dot, ...]
    unplaced: tuple[Unplaced, ...]
    placed: bool  # the page's own place is drawn (it has coordinates and is no area)


@functools.lru_cache(maxsize=1)
def outlines() -> dict:
    return json.loads(OUTLINES.read_text(encoding="utf-8"))


def project(lat: float, lon: float) -> tuple[float, float] | None:
    """The point of (lat, lon) on the drawing, or None outside it."""
    data = outlines()
    p = data["projection"]
    x = (lon - p["west"]) * p["squeeze"] * p["scale"]
    y = (p["north"] - lat) * p["scale"]
    if not (0 <= x <= data["width"] and 0 <= y <= data["height"]):
        return None
    return round(x, 1), round(y, 1)


class PlaceMaps:
    """The maps of one taxonomy of places. The governorates' outlines are
    made once, in one version for each governorate marked and one with none,
    and shared by every page (so that a page's fingerprint digests them once
    per build, not once per page)."""

    def __init__(self, places: Taxonomy):
        self.places = places
        by_slug = {t.slug: t for t in places.terms}
        outlined = outlines()["governorates"]
        self._regions = {focus: tuple(
            Region(slug, by_slug[slug].name if slug in by_slug else "",
                   by_slug[slug].url if slug in by_slug and by_slug[slug].count else "", path, slug == focus)
            for slug, path in outlined.items()) for focus in (None, *outlined)}

    def of(self, term: Term | None = None) -> PlaceMap | None:
        """The map of the places index (None) or of the place `term` (see place_map)."""
        root = (term.ancestors[0] if term.ancestors else term) if term is not None else None
        return place_map(self.places, term, self._regions.get(root.slug if root else None, self._regions[None]))


def place_map(places: Taxonomy, term: Term | None, regions: tuple[Region, ...]) -> PlaceMap | None:
    """The map of the places index (`term` None: every place with articles)
    or of one place: its governorate marked (`regions`, from PlaceMaps),
    itself and the places inside it (a governorate or region is an area, not
    drawn as a dot). None for a place the map cannot show (another country,
    a region without places)."""
    data = outlines()
    if term is None:
        shown = [(t, "place") for t in places.terms if t.parent is not None]
    else:
        shown = [(t, "child") for t in term.descendants] + ([(term, "self")] if term.parent is not None else [])
    shown = [(t, role) for t, role in shown if t.count]
    peak = max((t.count for t, _ in shown), default=1)
    dots, unplaced = [], []
    for place, role in shown:
        point = project(*place.position) if place.position else None
        if point is None:
            if role != "self":
                unplaced.append(Unplaced(place.name, place.url, place.count))
            continue
        size = RADIUS[0] + (RADIUS[1] - RADIUS[0]) * math.sqrt(place.count / peak)
        dots.append(Dot(place.name, place.url, place.count, *point, round(size, 1), role))
    # The largest first, so that a small place is never hidden under a large one; the page's own place last.
    dots.sort(key=lambda d: (d.role == "self", -d.r, d.name))
    unplaced.sort(key=lambda u: (-u.count, u.name))
    if term is not None and not dots and not any(r.focus for r in regions):
        return None
    return PlaceMap(data["width"], data["height"], regions, data.get("other", ""), tuple(dots),
                    tuple(unplaced), any(d.role == "self" for d in dots))
