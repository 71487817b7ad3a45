"""Taxonomies declared in site.yml: every layer (front matter, model, pages,
feeds, cards, article pages, JSON-LD, search filters) follows the list."""

from __future__ import annotations

import json
import re

import pytest
from conftest import write_site

from archive_site.config import ConfigError, SiteConfig, parse_taxonomies
from archive_site.model import Article
from archive_site.search import source_document
from archive_site.taxonomy import make_site

SOURCES = ("{key: sources, plural: المصادر, singular: مصدر, feeds: true, filter: المصدر, "
           "jsonld: citation/CreativeWork, card: true, weight: 2}")


def article(title: str, slug: str, date: str, sources: str, extra: str = "") -> str:
    return (f"---\ntitle: {title}\nslug: {slug}\ndate: {date}\nplaces: [حلب]\ntags: [نزوح]\n"
            f"sources: {sources}\n{extra}---\n\nنص المقال {title}.\n")


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path / "site", {
        "site.yml": f"title: أرشيف\ntaxonomies: [places, actors, tags, {SOURCES}]\n",
        "content/a.md": article("الأول", "first", "2020-01-02", "[شاهد عيان, تقرير ميداني]"),
        "content/b.md": article("الثاني", "second", "2020-02-03", "[تقرير ميداني]"),
    })


def read(site, path: str) -> str:
    return (site / "build" / path).read_text(encoding="utf-8")


def test_a_declared_taxonomy_gets_index_term_pages_feeds_links_and_json_ld(cli, site):
    run = cli("build", site)
    assert run.status == 0, run.err
    assert "unknown key" not in run.err  # 'sources' is a key of its own, not a stray one
    index = read(site, "sources/index.html")
    assert "<h1 class=\"page-title\">المصادر</h1>" in index
    assert "شاهد عيان" in index and "تقرير ميداني" in index
    term = read(site, "sources/تقرير-ميداني/index.html")
    assert "تقرير ميداني" in term and 'href="../../articles/first/"' in term and 'href="../../articles/second/"' in term
    assert 'href="../../sources/"' in term  # the breadcrumb
    # Feeds, linked from the term page.
    feed = read(site, "sources/تقرير-ميداني/feed.xml")
    assert feed.count("<entry>") == 2
    assert 'href="../../sources/تقرير-ميداني/feed.xml"' in term
    assert 'scheme="http://localhost:8000/sources/"' in read(site, "feed.xml")
    # The navigation, the article page, the cards.
    home = read(site, "index.html")
    assert '<a href="sources/">المصادر</a>' in home
    assert 'href="sources/%D8%B4%D8%A7%D9%87%D8%AF-%D8%B9%D9%8A%D8%A7%D9%86/"' in home or \
        'href="sources/شاهد-عيان/"' in home  # the card of the first article
    page = read(site, "articles/first/index.html")
    assert '<span class="terms-label">المصادر:</span>' in page
    assert 'href="../../sources/شاهد-عيان/"' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert data["citation"] == [{"@type": "CreativeWork", "name": "شاهد عيان"},
                                {"@type": "CreativeWork", "name": "تقرير ميداني"}]
    assert data["keywords"] == ["نزوح"]


def test_the_order_and_set_of_taxonomies_follow_site_yml(cli, site):
    write_site(site, {"site.yml": "taxonomies: [tags, places]\n"})
    run = cli("build", site)
    assert run.status == 0, run.err
    assert not (site / "build/actors").exists() and not (site / "build/sources").exists()
    nav = re.search(r'<nav class="site-nav".*?</nav>', read(site, "index.html"), re.S).group(0)
    assert re.findall(r">([^<>]+)</a>", nav) == ["الرئيسية", "الوسوم", "الأماكن", "الأرشيف", "البحث"]
    # A key that is no longer declared is kept for templates, with a warning
    # when it looks like one that is.
    assert "content/a.md:7: warning: unknown key 'sources' is kept only for templates; did you mean 'source'?" \
        in run.err


def test_a_front_matter_key_close_to_a_declared_taxonomy_is_warned_about(cli, site):
    write_site(site, {"content/c.md": "---\ntitle: ثالث\nsorces: [شاهد]\n---\n\nنص.\n"})
    run = cli("build", site)
    assert run.status == 0
    assert "content/c.md:3: warning: unknown key 'sorces' is kept only for templates; did you mean 'sources'?" in run.err


def test_a_taxonomy_has_its_own_templates_when_the_site_gives_them(cli, site):
    write_site(site, {"templates/sources/term.html": "مصدر: {{ term.name }} ({{ term.count }})\n",
                      "templates/sources/taxonomy.html": "{{ taxonomy.terms|length }} مصادر\n"})
    assert cli("build", site).status == 0
    assert read(site, "sources/تقرير-ميداني/index.html") == "مصدر: تقرير ميداني (2)\n"
    assert read(site, "sources/index.html") == "2 مصادر\n"
    assert "<!DOCTYPE html>" in read(site, "tags/نزوح/index.html")  # the others keep term.html


def test_built_in_taxonomies_can_be_changed_field_by_field():
    places, tags = parse_taxonomies(["places", {"key": "tags", "feeds": False, "weight": 4}], 1)
    assert places.hierarchical and places.gazetteer == "places"
    assert (tags.plural, tags.feeds, tags.weight) == ("الوسوم", False, 4.0)


@pytest.mark.parametrize("declared, message", [
    ([{"key": "sources"}], "taxonomy 'sources' needs 'plural' (its Arabic name)"),
    ([{"key": "title", "plural": "ع", "singular": "ع"}], "'title' cannot be a taxonomy"),
    ([{"key": "articles", "plural": "ع", "singular": "ع"}], "'articles' cannot be a taxonomy"),
    (["tags", "tags"], "taxonomy 'tags' is declared twice"),
    ([{"key": "Sources!", "plural": "ع", "singular": "ع"}], "must be lower-case Latin letters"),
    ([{"key": "tags", "feed": True}], "unknown field 'feed' of taxonomy 'tags' (did you mean 'feeds'?)"),
    ([{"key": "tags", "hierarchical": True}], "taxonomy 'tags' is hierarchical but has no gazetteer section"),
    ([{"key": "tags", "gazetteer": "places"}], "the gazetteer's 'places' are matched for two taxonomies"),
    ([{"key": "tags", "jsonld": "<script>"}], "'jsonld' of taxonomy 'tags' must be a schema.org property"),
    ([{"key": "tags", "weight": "high"}], "'weight' of taxonomy 'tags' must be a number"),
    ("tags", "'taxonomies' must be a list"),
])
def test_a_bad_declaration_is_a_clear_error(declared, message):
    if declared == [{"key": "tags", "gazetteer": "places"}]:
        declared = ["places", *declared]
    with pytest.raises(ConfigError) as caught:
        parse_taxonomies(declared, 7)
    assert message in str(caught.value) and "site.yml:7" in str(caught.value)


def test_a_bad_declaration_stops_the_build_with_its_line(cli, site):
    write_site(site, {"site.yml": "title: أرشيف\ntaxonomies:\n  - {key: sources}\n"})
    run = cli("build", site)
    assert run.status != 0 and "site.yml:2: taxonomy 'sources' needs 'plural'" in run.err
    assert "Traceback" not in run.err


def test_search_filters_follow_the_declared_labels():
    config = SiteConfig(taxonomies=parse_taxonomies(["places", {"key": "tags", "filter": ""}, json.loads(
        '{"key": "sources", "plural": "المصادر", "singular": "مصدر", "filter": "المصدر"}')], 1))
    record = Article(title="عنوان", slug="a", date=None, summary="", body_html="<p>نص</p>", text="نص",
                     word_count=1, source="content/a.md", format="markdown",
                     terms={"places": ("الباب",), "tags": ("نزوح",), "sources": ("شاهد <b>",)})
    document = source_document(make_site(config, [record]), record, None)
    assert '<span data-pagefind-filter="المصدر">شاهد ＜b＞</span>' in document
    assert '<span data-pagefind-filter="المكان">الباب</span>' in document
    assert "الوسم" not in document  # no filter label: no filter


def test_no_page_links_to_a_taxonomy_the_site_does_not_declare(cli, site):
    write_site(site, {"site.yml": "taxonomies: [{key: tags, filter: ''}, " + SOURCES + "]\n"})
    assert cli("build", site).status == 0
    for path in (site / "build").rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r'href="[./]*(places|actors)/', html), path
    search = read(site, "search/index.html")
    assert "تصفية النتائج حسب المصدر أو السنة." in search
    assert 'تصفح المقالات حسب <a href="../tags/">الوسوم</a> أو <a href="../sources/">المصادر</a> أو' in search
