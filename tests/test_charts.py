"""Timelines and what is named with a term: the numbers, where the bars lead,
and the pages that show them (in a real browser at phone and desktop widths)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from conftest import http_server, write_site

from archive_site.charts import MONTHS_AT_MOST, timeline
from archive_site.model import Article


def article(slug: str, day: dt.date | None) -> Article:
    when = dt.datetime.combine(day, dt.time()) if day else None
    return Article(slug, slug, when, {}, "", "", "", 0, f"{slug}.md", "markdown")


def by_position(year, month, position):
    return f"at/{position}/", f"m-{year}-{month:02d}"


def test_a_timeline_counts_every_month_of_its_span_oldest_at_the_right():
    days = [dt.date(2020, 5, 3), dt.date(2020, 5, 1), dt.date(2020, 2, 9), None]  # newest first
    line = timeline([article(str(i), d) for i, d in enumerate(days)], by_position)
    assert line.unit == "month"
    assert [(b.year, b.month, b.count) for b in line.bars] == [(2020, 2, 1), (2020, 3, 0), (2020, 4, 0), (2020, 5, 2)]
    assert line.bars[0].x > line.bars[-1].x  # right to left
    assert line.peak == 2 and line.bars[-1].height > line.bars[0].height > 0 == line.bars[1].height
    assert (line.bars[-1].url, line.bars[-1].anchor) == ("at/0/", "m-2020-05")  # its newest article
    assert line.bars[1].url == ""  # a month without articles leads nowhere
    assert [(y.year, y.count) for y in line.years] == [(2020, 3)]


def test_a_long_span_is_drawn_by_year_and_one_month_is_no_timeline():
    first = dt.date(2012, 1, 15)
    days = [first + dt.timedelta(days=31 * (MONTHS_AT_MOST + 1)), dt.date(2012, 3, 1), first]
    line = timeline([article(str(i), d) for i, d in enumerate(days)], by_position)
    assert line.unit == "year" and [b.year for b in line.bars] == [2012, 2013, 2014, 2015, 2016]
    assert [b.count for b in line.bars] == [2, 0, 0, 0, 1]
    assert timeline([article("a", dt.date(2020, 1, 1)), article("b", dt.date(2020, 1, 9))], by_position) is None


def site_over_months(root: Path) -> Path:
    """Twelve articles in Idlib over six months, three per page."""
    files = {"site.yml": "title: أرشيف\nper_page: 3\nintake_dates: false\n"}
    for n in range(12):
        month = 1 + n // 2
        files[f"content/a{n}.md"] = f"""
            ---
            title: قصف على سراقب رقم {n}
            date: 2021-{month:02d}-{10 + n % 2}
            places: [سراقب]
            actors: [{'قوات النظام' if n % 3 else 'هيئة تحرير الشام'}]
            ---
            تعرضت مدينة سراقب في ريف إدلب لقصف مدفعي في هذا اليوم، وأفاد سكان بأضرار في المنازل.
            """
    return write_site(root, files)


def links_of(html: str, within: str) -> list[str]:
    part = html[html.index(within):]
    part = part[:part.index("</svg>")] if within.startswith("<svg") else part[:part.index("</table>")]
    return re.findall(r'href="([^"]+)"', part)


def test_every_bar_leads_to_the_page_and_heading_of_its_month(cli, tmp_path):
    site = site_over_months(tmp_path / "site")
    assert cli("build", site).status == 0
    out = site / "build"
    for term in ("places/saraqib/", "places/idlib/", "actors/hts/"):
        page = out / term / "index.html"
        html = page.read_text(encoding="utf-8")
        bars = links_of(html, '<svg class="timeline-chart"')
        assert bars and sorted(bars) == sorted(links_of(html, '<table>'))  # the table leads to the same places
        for href in bars:
            target, anchor = unquote(urljoin(f"/{term}", href)).split("#")
            shown = (out / target.lstrip("/") / "index.html").read_text(encoding="utf-8")
            assert f'id="{anchor}"' in shown, (term, href)
    saraqib = (out / "places/saraqib/index.html").read_text(encoding="utf-8")
    assert 'href="../../places/saraqib/page/3/#m-2021-03"' in saraqib  # articles 6 and 7 of 12, three a page
    assert "عدد المقالات في كل شهر" in saraqib and "أعلى عمود مقالان" in saraqib
    archive = (out / "archive/index.html").read_text(encoding="utf-8")
    assert '../archive/2021/06/' in links_of(archive, '<svg class="timeline-chart"')
    second = (out / "places/saraqib/page/2/index.html").read_text(encoding="utf-8")
    assert "timeline-chart" not in second and "facets" not in second  # page 1 only


def test_a_term_lists_what_is_named_with_it_but_not_its_own_places(cli, tmp_path):
    site = site_over_months(tmp_path / "site")
    assert cli("build", site).status == 0
    html = (site / "build/places/idlib/index.html").read_text(encoding="utf-8")
    facets = html[html.index('<aside class="facets"'):html.index("</aside>")]
    assert "قوات الحكومة السورية</bdi></a> <span class=\"count\">(8)</span>" in facets
    assert "هيئة تحرير الشام</bdi></a> <span class=\"count\">(4)</span>" in facets
    assert "سراقب" not in facets  # inside Idlib: listed among its places already
    assert '<a href="../../places/idlib/#m-2021-06">2021</a> <span class="count">(12)</span>' not in facets  # one year
    actor = (site / "build/actors/hts/index.html").read_text(encoding="utf-8")
    facets = actor[actor.index('<aside class="facets"'):actor.index("</aside>")]
    assert "سراقب</bdi></a> <span class=\"count\">(4)</span>" in facets


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_a_bar_of_the_timeline_opens_its_month_in_the_browser(chromium, cli, tmp_path, width):
    site = site_over_months(tmp_path / "site")
    assert cli("build", site).status == 0
    with http_server(site / "build") as address:
        page = chromium.new_page(viewport={"width": width, "height": 800})
        page.goto(address + "places/saraqib/")
        chart = page.locator("svg.timeline-chart")
        box = chart.bounding_box()
        assert box and box["height"] > 40 and box["x"] + box["width"] <= width  # drawn, within the page
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        bars = page.locator("svg.timeline-chart a .bar")
        assert bars.count() == 6
        first, last = bars.nth(0).bounding_box(), bars.nth(5).bounding_box()
        assert first["x"] > last["x"]  # January at the right, June at the left
        bars.nth(2).dispatch_event("click")  # March
        page.wait_for_url(re.compile(r"/places/saraqib/page/3/#m-2021-03$"))
        heading = page.locator("#m-2021-03")
        assert heading.inner_text() == "آذار 2021"
        assert heading.is_visible()
        page.close()
