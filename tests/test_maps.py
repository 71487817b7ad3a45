"""The map of places: outlines shipped with their licence, dots where the
gazetteer gives coordinates, lists for the rest, links that lead somewhere,
and the drawing in a real browser at phone and desktop widths."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from conftest import http_server, write_site

from archive_site.gazetteer import PACKAGED, _read
from archive_site.maps import OUTLINES, project


def test_the_outlines_are_shipped_with_their_source_and_licence():
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    governorates = {e.slug for e in _read(PACKAGED.read_text(encoding="utf-8"), "g").entries.values()
                    if e.kind == "places" and e.parent is None and e.slug not in
                    {"badia", "hauran", "jazira-region", "syrian-coast", "east-euphrates",
                     "lebanon", "turkey", "jordan", "iraq"}}
    assert set(data["governorates"]) == governorates  # the fourteen, by the gazetteer's slugs
    assert all(re.fullmatch(r"(M[\d.,L]+Z)+", path) for path in data["governorates"].values())
    assert OUTLINES.stat().st_size < 40_000
    assert "Natural Earth" in data["source"]
    assert "MIT" in OUTLINES.with_name("syria-governorates.LICENSE.txt").read_text(encoding="utf-8")


def test_a_place_is_projected_inside_the_drawing_and_a_place_abroad_is_not():
    aleppo, damascus = project(36.2012, 37.1612), project(33.5102, 36.2913)
    assert aleppo and damascus and aleppo[1] < damascus[1] and aleppo[0] > damascus[0]  # north, and east of it
    assert project(33.8938, 35.5018) is None  # Beirut


@pytest.fixture
def site(tmp_path):
    files = {"site.yml": "title: أرشيف\nintake_dates: false\n"}
    towns = ["سراقب", "سراقب", "سراقب", "أريحا", "مدينة إدلب", "أطمة"]  # أطمة: no coordinates in the gazetteer
    for n, town in enumerate(towns):
        files[f"content/a{n}.md"] = f"""
            ---
            title: خبر من {town} {n}
            date: 2023-0{n + 1}-01
            places: [{town}]
            ---
            نص الخبر عن {town} في ريف إدلب.
            """
    return write_site(tmp_path / "site", files)


def drawing(html: str) -> str:
    return html[html.index('<svg class="map-chart"'):html.index("</svg>", html.index('<svg class="map-chart"'))]


def resolve(out: Path, page: str, href: str) -> Path:
    return out / unquote(urljoin("/" + page, href)).lstrip("/") / "index.html"


def test_the_places_index_draws_each_place_with_coordinates_and_lists_the_others(cli, site):
    assert cli("build", site).status == 0
    out = site / "build"
    html = (out / "places/index.html").read_text(encoding="utf-8")
    svg = drawing(html)
    titles = re.findall(r"<circle class=\"dot place\"[^>]*><title>([^<]+)</title>", svg)
    assert "سراقب: 3 مقالات" in titles and "أريحا: مقال واحد" in titles and "مدينة إدلب: مقال واحد" in titles
    assert not any(t.startswith(("أطمة", "إدلب:")) for t in titles)  # no coordinates; a governorate is an area
    radius = {t.split(":")[0]: float(r) for r, t in re.findall(r'r="([\d.]+)"><title>([^<]+)</title>', svg)}
    assert radius["سراقب"] > radius["أريحا"]
    unplaced = html[html.index('<details class="unplaced">'):]
    assert "أطمة" in unplaced[:unplaced.index("</details>")]
    for href in re.findall(r'href="([^"]+)"', svg):
        assert resolve(out, "places/", href).is_file(), href
    assert "GeoNames (CC BY 4.0)" in html and "Natural Earth" in html


def test_a_place_page_marks_itself_and_its_governorate(cli, site):
    assert cli("build", site).status == 0
    out = site / "build"
    svg = drawing((out / "places/saraqib/index.html").read_text(encoding="utf-8"))
    assert re.search(r'class="region focus" d="M[^"]+"><title>إدلب</title>', svg)
    assert len(re.findall(r'class="region focus"', svg)) == 1
    assert re.findall(r'<circle class="dot (\w+)"', svg) == ["self"]
    idlib = (out / "places/idlib/index.html").read_text(encoding="utf-8")
    svg = drawing(idlib)
    assert "dot self" not in svg  # a governorate is an area: shaded, not a dot
    assert {"سراقب", "أريحا", "مدينة إدلب"} <= set(re.findall(r'dot child"[^>]*><title>([^:]+):', svg))
    assert "ظُلِّلت المحافظة على الخريطة" in idlib
    atmeh = (out / "places/atmeh/index.html").read_text(encoding="utf-8")
    assert "لا إحداثيات لهذا المكان فلم يُرسم" in atmeh and "dot self" not in drawing(atmeh)


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_the_map_is_drawn_within_the_page_and_a_dot_opens_its_place(chromium, cli, site, width):
    assert cli("build", site).status == 0
    with http_server(site / "build") as address:
        page = chromium.new_page(viewport={"width": width, "height": 800})
        for path in ("places/", "places/idlib/"):
            page.goto(address + path)
            box = page.locator("svg.map-chart").bounding_box()
            assert box and box["width"] > 250 and box["x"] >= 0 and box["x"] + box["width"] <= width, path
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        saraqib = page.locator("svg.map-chart circle.dot", has=page.locator("title", has_text="سراقب"))
        dot = saraqib.bounding_box()
        assert dot and dot["width"] > 4
        saraqib.dispatch_event("click")
        page.wait_for_url(re.compile(r"/places/saraqib/$"))
        assert page.locator("h1").inner_text().startswith("سراقب")
        assert page.locator("svg.map-chart circle.dot.self").count() == 1
        page.close()
