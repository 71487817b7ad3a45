"""What readers get besides article pages: the date archive, feeds, the
sitemap, robots.txt, the 404 page, sharing metadata and article extras."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, unquote
from xml.etree import ElementTree

import feedparser
import pytest
from conftest import tool, write_site

BASE = "https://archive.example.org/sy/"
ATOM_SCHEMA = Path(__file__).parent / "data/atom.rnc"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def article(title: str, date: str | None, body: str, **fields: str) -> str:
    lines = ["---", f"title: {title}"] + ([f"date: {date}"] if date else [])
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines + ["---", "", body, ""])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("reader")
    write_site(root, {
        "site.yml": f"title: أرشيف الاختبار\nbase_url: {BASE}\nper_page: 2\nintake_dates: false\n",
        "content/a.md": article("قصف على بزاعة", "2019-08-03", "قصفت الطائرات بلدة بزاعة في ريف حلب. " * 60,
                                slug="bzaa-shelling", tags="[قصف]", summary="ملخص القصف"),
        "content/b.md": article("نزوح من بزاعة", "2019-08-20", "نزحت عائلات من بزاعة نحو مدينة الباب.",
                                slug="bzaa-displacement", tags="[نزوح]"),
        "content/c.md": article("عودة الأهالي إلى الباب", "2019-09-01", "عاد الأهالي إلى مدينة الباب.",
                                slug="al-bab-return"),
        "content/d.md": article("اعتقالات في حمص", "2021-01-15T10:30:00", "اعتقلت قوات الأمن شباناً في حمص.",
                                slug="homs-arrests", tags="[اعتقال]", author="فريق التوثيق"),
        "content/e.txt": "شهادة بلا تاريخ من حلب\n\nروى شاهد ما جرى في أحياء حلب الشرقية.\n",
    })
    from archive_site.cli import main

    assert main(["build", str(root), "-q"]) == 0
    return root / "build"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- date archive -----------------------------------------------------------------

def test_a_month_leads_to_the_months_before_and_after_it(site):
    august = read(site / "archive/2019/08/index.html")
    nav = august[august.index('class="article-nav month-nav"'):]
    assert '<a class="newer" href="../../../archive/2019/09/"><span class="label">الشهر الأحدث</span> أيلول 2019</a>' in nav
    assert 'class="older"' not in nav[:nav.index("</nav>")]  # the oldest month
    september = read(site / "archive/2019/09/index.html")
    assert 'href="../../../archive/2021/01/"><span class="label">الشهر الأحدث</span> كانون الثاني 2021' in september
    assert 'href="../../../archive/2019/08/"><span class="label">الشهر الأقدم</span> آب 2019' in september


def test_every_page_after_the_first_says_its_number_in_title_and_heading(site):
    for path in ("page/2/", "places/aleppo/page/2/"):
        html = read(site / path / "index.html")
        title = html[html.index("<title>"):html.index("</title>")]
        heading = html[html.index("<h1"):html.index("</h1>")]
        assert "الصفحة 2" in title and "الصفحة 2" in heading, path
    first = read(site / "places/aleppo/index.html")
    assert "الصفحة" not in first[first.index("<title>"):first.index("</title>")]


def test_the_newest_article_leads_the_home_page(site):
    home = read(site / "index.html")
    assert home.index('<div class="lead">') < home.index('class="card-title"')
    assert home.count('<div class="lead">') == 1
    assert '<div class="lead">' not in read(site / "page/2/index.html")

def test_archive_lists_years_and_months_with_counts_and_undated_apart(site):
    html = read(site / "archive/index.html")
    assert '<a href="../archive/2019/">2019</a> <span class="count">(3 مقالات)</span>' in html
    assert '<a href="../archive/2019/08/">آب</a> <span class="count">(مقالان)</span>' in html
    assert '<a href="../archive/2019/09/">أيلول</a> <span class="count">(مقال واحد)</span>' in html
    years = html[html.index('class="term-list archive-years"'):]
    assert years.index("2021") < years.index("2019")  # newest first
    assert years.index("archive/2019/08/") < years.index("archive/2019/09/")  # a year's months in calendar order
    assert '<a href="../archive/undated/">مقالات غير مؤرخة</a> <span class="count">(مقال واحد)</span>' in html
    month = read(site / "archive/2019/08/index.html")
    assert "آب 2019" in month and "قصف على بزاعة" in month and "نزوح من بزاعة" in month
    assert "عودة الأهالي" not in month
    assert "كانون الثاني 2021" in read(site / "archive/2021/index.html")
    assert "شهادة بلا تاريخ من حلب" in read(site / "archive/undated/index.html")


# --- feeds --------------------------------------------------------------------------

def feeds(site: Path) -> list[Path]:
    return sorted(site.rglob("feed.xml"))


def test_a_feed_for_the_site_each_tag_and_each_place(site):
    names = {p.parent.relative_to(site).as_posix() for p in feeds(site)}
    assert {".", "tags/قصف", "tags/نزوح", "places/bzaa", "places/aleppo", "places/al-bab"} <= names
    assert not any(n.startswith("actors/") for n in names)


def test_feeds_parse_cleanly_with_absolute_links(site):
    for path in feeds(site):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        for entry in parsed.entries:
            assert entry.link.startswith(BASE) and entry.id.startswith(BASE)
            assert entry.get("updated")
    top = feedparser.parse((site / "feed.xml").read_bytes())
    assert top.feed.title == "أرشيف الاختبار"
    assert [e.title for e in top.entries][:2] == ["اعتقالات في حمص", "عودة الأهالي إلى الباب"]
    assert top.entries[0].link == BASE + "articles/homs-arrests/"
    assert top.entries[0].author == "فريق التوثيق"
    place = feedparser.parse((site / "places/bzaa/feed.xml").read_bytes())
    assert {e.title for e in place.entries} == {"قصف على بزاعة", "نزوح من بزاعة"}
    tag = feedparser.parse((site / "tags/قصف/feed.xml").read_bytes())
    assert tag.feed.link == BASE + quote("tags/قصف/")


@pytest.mark.tools
def test_feeds_pass_the_atom_schema(site):
    run = subprocess.run([tool("pyjing"), "-c", str(ATOM_SCHEMA), *map(str, feeds(site))], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.tools
def test_the_atom_schema_check_catches_a_broken_feed(site, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text(re.sub(r"<id>.*?</id>", "", read(site / "feed.xml"), count=2), encoding="utf-8")
    run = subprocess.run([tool("pyjing"), "-c", str(ATOM_SCHEMA), str(broken)], capture_output=True, text=True)
    assert run.returncode != 0 and 'missing required element "id"' in run.stdout


def test_feeds_hold_the_latest_fifty(tmp_path, cli):
    files = {f"content/{i:03}.md": article(f"مقال رقم {i}", f"2020-01-{1 + i % 28:02}", "نص قصير عن حلب.")
             for i in range(60)}
    root = write_site(tmp_path, files)
    assert cli("build", root, "-q").status == 0
    parsed = feedparser.parse((root / "build/feed.xml").read_bytes())
    assert len(parsed.entries) == 50
    updated = [e.updated for e in parsed.entries]
    assert updated == sorted(updated, reverse=True)


# --- sitemap, robots, 404 --------------------------------------------------------------

def test_sitemap_lists_every_page_with_dates(site):
    tree = ElementTree.parse(site / "sitemap.xml")
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in tree.getroot()}
    folders = {p.parent.relative_to(site).as_posix() for p in site.rglob("index.html")}
    pages = {BASE if folder == "." else f"{BASE}{folder}/" for folder in folders}
    assert {unquote(u) for u in urls} == pages
    assert urls[BASE + "articles/bzaa-shelling/"] == "2019-08-03"
    assert urls[BASE] == "2021-01-15"
    assert "404" not in " ".join(urls)


def test_robots_txt_points_to_the_sitemap(site):
    assert f"Sitemap: {BASE}sitemap.xml" in read(site / "robots.txt")


def test_404_page_links_from_the_site_root_and_is_not_indexed(site):
    html = read(site / "404.html")
    assert "الصفحة غير موجودة" in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<a href="/sy/search/">ابحث في الأرشيف</a>' in html
    assert 'href="/sy/static/style.css"' in html


# --- metadata and article extras ----------------------------------------------------------

def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, key
    return match.group(1)


def test_article_page_has_sharing_metadata_and_news_article_json_ld(site):
    html = read(site / "articles/bzaa-shelling/index.html")
    assert f'<link rel="canonical" href="{BASE}articles/bzaa-shelling/">' in html
    assert meta(html, "og:title") == "قصف على بزاعة — أرشيف الاختبار"
    assert meta(html, "og:description") == "ملخص القصف" == meta(html, "description")
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:url") == f"{BASE}articles/bzaa-shelling/"
    assert meta(html, "twitter:card") == "summary"
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "NewsArticle" and data["headline"] == "قصف على بزاعة"
    assert data["inLanguage"] == "ar" and data["datePublished"].startswith("2019-08-03")
    assert {"@type": "Place", "name": "بزاعة"} in data["contentLocation"]


def test_list_pages_have_canonical_urls(site):
    assert f'<link rel="canonical" href="{BASE}places/bzaa/">' in read(site / "places/bzaa/index.html")
    assert meta(read(site / "index.html"), "og:type") == "website"


def test_article_extras(site):
    long = read(site / "articles/bzaa-shelling/index.html")
    assert "مدة القراءة: دقيقتان" in long
    assert "مدة القراءة: دقيقة واحدة" in read(site / "articles/al-bab-return/index.html")
    # Newer and older in time.
    middle = read(site / "articles/bzaa-displacement/index.html")
    assert re.search(r'class="newer" href="../../articles/al-bab-return/">.*عودة الأهالي', middle)
    assert re.search(r'class="older" href="../../articles/bzaa-shelling/">.*قصف على بزاعة', middle)
    # Related: the other article about بزاعة comes first.
    related = long.split('id="related-title"')[1]
    assert related.index("نزوح من بزاعة") < related.index("</section>")
    # A citation line with the permanent link.
    assert f'<a href="{BASE}articles/bzaa-shelling/" dir="ltr">{BASE}articles/bzaa-shelling/</a>' in long
    assert "«قصف على بزاعة»، أرشيف الاختبار، 3 آب 2019" in long
