"""The archive as data: each term's and the whole archive's article list as
CSV and JSON, each article's reference as RIS and BibTeX, citation tags and
feeds on every term page."""

from __future__ import annotations

import csv
import json
import re
from urllib.parse import quote

import pytest
from conftest import write_site

HOSTILE = "=HYPERLINK(\"http://evil.example\";\"اضغط\") {\\input{/etc/passwd}} %"


@pytest.fixture
def site(tmp_path):
    files = {"site.yml": "title: أرشيف البيانات\nbase_url: https://archive.example/\nintake_dates: false\n"}
    for n in range(7):
        place = "سراقب" if n % 2 else "بنش"
        title = json.dumps(HOSTILE, ensure_ascii=False) if n == 6 else f"خبر رقم {n}"  # JSON is YAML
        files[f"content/a{n}.md"] = f"""
            ---
            title: {title}
            date: 2022-0{1 + n}-05
            places: [{place}]
            tags: [قصف]
            ---
            قصفت قوات النظام مدينة {place} في ريف إدلب، وأفاد الدفاع المدني بإصابة مدنيين.
            """
    files["content/undated.md"] = "---\ntitle: بلا تاريخ\nplaces: [سراقب]\n---\nنص قصير عن سراقب في ريف إدلب.\n"
    root = write_site(tmp_path / "site", files)
    return root


def read_csv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def listed_on_pages(out, term: str) -> set[str]:
    """The slugs of the articles a term's pages list."""
    slugs = set()
    for page in (out / term).glob("**/index.html"):
        slugs |= set(re.findall(r'class="card-title"><a href="[./]*articles/([^/"]+)/"',
                                page.read_text(encoding="utf-8")))
    return slugs


def test_each_term_and_the_archive_give_exactly_their_articles_as_csv_and_json(cli, site):
    assert cli("build", site).status == 0
    out = site / "build"
    for term in ("places/saraqib/", "places/idlib/", "places/binnish/", "actors/syrian-government-forces/",
                 "tags/قصف/"):
        rows = read_csv(out / term / "articles.csv")
        data = json.loads((out / term / "articles.json").read_text(encoding="utf-8"))
        slugs = {row["slug"] for row in rows}
        assert slugs == {a["slug"] for a in data["articles"]} == listed_on_pages(out, term), term
        assert data["schema"] == "archive-site/articles/1" and data["count"] == len(rows)
        assert data["page"] == "https://archive.example/" + term.replace("قصف", "%D9%82%D8%B5%D9%81")
    saraqib = json.loads((out / "places/saraqib/articles.json").read_text(encoding="utf-8"))
    assert saraqib["taxonomy"] == "places" and saraqib["term"] == "سراقب" and saraqib["count"] == 4
    first = saraqib["articles"][0]
    assert first["date"] == "2022-06-05" and first["date_kind"] == "front matter"
    assert first["url"] == "https://archive.example/articles/" + quote(first["slug"]) + "/"
    assert first["places"][0] == "سراقب" and "قوات الحكومة السورية" in first["actors"]
    assert first["tags"] == ["قصف"] and first["word_count"] > 5
    assert saraqib["articles"][-1]["date"] == "" and saraqib["articles"][-1]["date_kind"] == ""  # undated, last
    everything = read_csv(out / "archive/articles.csv")
    assert len(everything) == 8 and list(everything[0]) == [
        "title", "url", "date", "date_kind", "event_date", "word_count", "slug", "places", "actors", "tags"]
    assert everything[1]["places"].startswith("سراقب | ")  # names joined by " | "
    term_page = (out / "places/saraqib/index.html").read_text(encoding="utf-8")
    assert 'href="../../places/saraqib/articles.csv"' in term_page
    assert 'href="../../places/saraqib/articles.json"' in term_page


def test_a_title_is_never_a_formula_in_the_csv_nor_markup_in_bibtex(cli, site):
    assert cli("build", site).status == 0
    out = site / "build"
    row = next(r for r in read_csv(out / "archive/articles.csv") if r["title"].startswith("'="))
    assert row["title"] == "'" + HOSTILE  # a spreadsheet shows it, never runs it
    data = json.loads((out / "archive/articles.json").read_text(encoding="utf-8"))
    assert HOSTILE in [a["title"] for a in data["articles"]]  # JSON keeps it exactly
    slug = row["slug"]
    bib = (out / "articles" / slug / "cite.bib").read_text(encoding="utf-8")
    title = re.search(r"title = \{(.*)\},\n", bib).group(1)
    assert "\\input" not in title.replace("\\textbackslash{}", "") and title.count("{") == title.count("}")
    assert r"\%" in title and bib.count("{") - bib.count(r"\{") == bib.count("}") - bib.count(r"\}")
    ris = (out / "articles" / slug / "cite.ris").read_bytes().decode("utf-8")
    assert ris.startswith("TY  - NEWS\r\n") and ris.endswith("ER  - \r\n")
    assert f"TI  - {HOSTILE}\r\n" in ris and "UR  - https://archive.example/articles/" in ris


def test_article_pages_give_citation_tags_and_reference_files(cli, site):
    assert cli("build", site).status == 0
    out = site / "build"
    page = next(p for p in (out / "articles").glob("*/index.html") if "خبر رقم 1" in p.read_text(encoding="utf-8"))
    html = page.read_text(encoding="utf-8")
    assert '<meta name="citation_title" content="خبر رقم 1">' in html
    assert '<meta name="citation_publication_date" content="2022/02/05">' in html
    assert '<meta name="citation_keywords" content="سراقب">' in html
    assert 'href="cite.ris"' in html.replace("../../articles/" + page.parent.name + "/", "")
    ris = (page.parent / "cite.ris").read_bytes().decode("utf-8")
    assert "DA  - 2022/02/05\r\n" in ris and "KW  - سراقب\r\n" in ris and "T2  - أرشيف البيانات\r\n" in ris


def test_places_actors_and_tags_have_feeds_linked_from_their_pages(cli, site):
    assert cli("build", site).status == 0
    out = site / "build"
    for term in ("places/saraqib/", "actors/syrian-government-forces/", "tags/قصف/"):
        assert (out / term / "feed.xml").is_file(), term
        assert 'type="application/atom+xml"' in (out / term / "index.html").read_text(encoding="utf-8")


def test_a_change_a_list_shows_rewrites_it_and_one_it_does_not_show_does_not(cli, site):
    assert cli("build", site).status == 0
    csv_file = site / "build/places/binnish/articles.csv"
    before = csv_file.stat().st_mtime_ns, csv_file.read_bytes()
    text = (site / "content/a0.md").read_text(encoding="utf-8")
    # The same number of words: nothing the list shows changes.
    (site / "content/a0.md").write_text(text.replace("مدنيين", "أطفال"), encoding="utf-8")
    assert cli("build", site).status == 0
    assert (csv_file.stat().st_mtime_ns, csv_file.read_bytes()) == before
    (site / "content/a0.md").write_text(text.replace("خبر رقم 0", "خبر معدل"), encoding="utf-8")
    assert cli("build", site).status == 0
    assert "خبر معدل" in csv_file.read_text(encoding="utf-8")
    assert any(r["title"] == "خبر معدل" for r in read_csv(csv_file))
