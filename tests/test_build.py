"""`archive-site build` end to end, on small sites and on the bundled sample site."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, crawl, snapshot, write_site


def article(title: str, date: str | None = None, **fields) -> str:
    lines = ["---", f"title: {title}"]
    if date:
        lines.append(f"date: {date}")
    lines += [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(lines + ["---", "", f"نص مقال {title}.", ""])


SMALL_SITE = {
    "site.yml": "title: أرشيف صغير\nper_page: 2\nintake_dates: false\n",
    "content/one.md": article("الأول", "2019-01-05", tags="[نزوح]", places="[حلب]"),
    "content/two.md": article("الثاني", "2020-03-01", tags="[نزوح, مياه]", places="[حلب, إدلب]",
                              actors="[الدفاع المدني السوري]"),
    "content/three.md": article("الثالث", "2021-07-09", tags="[نزوح]"),
    "content/undated.txt": "بلا تاريخ\n\nنص.\n",
}


@pytest.fixture
def small_site(tmp_path):
    return write_site(tmp_path / "site", SMALL_SITE)


def read(path) -> str:
    return path.read_text(encoding="utf-8")


def titles_in_order(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]*">([^<]*)</a>', html)


def test_build_writes_every_page_of_the_url_scheme(cli, small_site):
    run = cli("build", small_site)
    assert run.status == 0, run.err
    out = small_site / "build"
    for page in ["", "page/2/", "articles/الاول/", "articles/بلا-تاريخ/", "tags/", "tags/نزوح/",
                 "tags/نزوح/page/2/", "tags/مياه/", "places/", "places/aleppo/", "places/idlib/", "actors/",
                 "actors/syria-civil-defence/"]:
        assert (out / page / "index.html").is_file(), page
    assert (out / "static" / "style.css").is_file()
    assert "Published 4 articles" in run.out


def test_home_lists_newest_first_and_undated_last(cli, small_site):
    cli("build", small_site)
    out = small_site / "build"
    assert titles_in_order(read(out / "index.html")) == ["الثالث", "الثاني"]
    assert titles_in_order(read(out / "page/2/index.html")) == ["الأول", "بلا تاريخ"]


def test_pages_are_arabic_right_to_left_with_relative_links(cli, small_site):
    cli("build", small_site)
    html = read(small_site / "build/articles/الثاني/index.html")
    assert '<html lang="ar" dir="rtl">' in html
    assert '<time datetime="2020-03-01">1 آذار 2020</time>' in html
    assert '<a href="../../places/aleppo/"><bdi>حلب</bdi></a>' in html
    assert '<link rel="stylesheet" href="../../static/style.css">' in html


def test_taxonomy_index_lists_terms_with_counts(cli, small_site):
    cli("build", small_site)
    html = read(small_site / "build/tags/index.html")
    assert '<a href="../tags/نزوح/"><bdi>نزوح</bdi></a> <span class="count">(3 مقالات)</span>' in html
    assert '<a href="../tags/مياه/"><bdi>مياه</bdi></a> <span class="count">(مقال واحد)</span>' in html


def test_building_twice_gives_identical_bytes(cli, small_site, tmp_path):
    cli("build", small_site, "-o", tmp_path / "first")
    cli("build", small_site, "-o", tmp_path / "second")
    assert snapshot(tmp_path / "first") == snapshot(tmp_path / "second")


def test_site_template_overrides_the_built_in_one_by_name(cli, small_site):
    write_site(small_site, {"templates/partials/footer.html": "<footer>تذييل خاص</footer>\n"})
    cli("build", small_site)
    assert "<footer>تذييل خاص</footer>" in read(small_site / "build/index.html")


def test_content_error_publishes_nothing_and_keeps_previous_output(cli, small_site):
    assert cli("build", small_site).status == 0
    before = snapshot(small_site / "build")
    write_site(small_site, {"content/bad.md": "---\ntitle: [\n---\n", "content/new.md": article("جديد")})
    run = cli("build", small_site)
    assert run.status == 1
    assert "error: content/bad.md:2: front matter is not valid YAML" in run.err
    assert "Nothing published" in run.err
    assert snapshot(small_site / "build") == before


def test_keep_going_publishes_the_good_articles_and_exits_1(cli, small_site):
    write_site(small_site, {"content/bad.md": "---\ndate: 2020-01-01\n---\nنص\n"})
    run = cli("build", small_site, "--keep-going")
    assert run.status == 1
    assert "error: content/bad.md: missing 'title'" in run.err
    assert "5 article files: 4 published, 1 with errors, left out" in run.out
    assert (small_site / "build/articles/الاول/index.html").is_file()


def test_drafts_are_published_only_when_asked(cli, small_site, tmp_path):
    write_site(small_site, {"content/draft.md": article("مسودة", draft="true")})
    cli("build", small_site)
    assert not (small_site / "build/articles/مسودة").exists()
    cli("build", small_site, "--drafts")
    assert (small_site / "build/articles/مسودة/index.html").is_file()


def test_refuses_to_replace_a_folder_it_did_not_write(cli, small_site, tmp_path):
    precious = write_site(tmp_path / "precious", {"notes.txt": "keep me"})
    run = cli("build", small_site, "-o", precious)
    assert run.status == 1
    assert "was not written by archive-site" in run.err
    assert read(precious / "notes.txt") == "keep me"


def test_unknown_setting_suggests_the_right_key(cli, small_site):
    write_site(small_site, {"site.yml": "title: أرشيف\nper_pag: 5\n"})
    run = cli("build", small_site)
    assert run.status == 1
    assert "error: site.yml:2: unknown setting 'per_pag' (did you mean 'per_page'?)" in run.err


def test_template_error_is_reported_without_traceback(cli, small_site):
    write_site(small_site, {"templates/article.html": "{% extends 'base.html' %}{% block content %}{{ oops }"})
    run = cli("build", small_site)
    assert run.status == 1
    assert run.err.startswith("error: templates/article.html:1: template error:")
    assert "Traceback" not in run.err


def test_sample_site_publishes_the_seed_without_its_footer(cli, tmp_path):
    out = tmp_path / "out"
    run = cli("build", REPO, "-o", out)
    assert run.status == 0, run.err
    seed = out / "articles/مقتل-قيادي-في-تنظيم-الدولة-بغارة-للتحالف-الدولي-في-ريف-حلب/index.html"
    html = read(seed)
    assert "<h1>مقتل قيادي في تنظيم الدولة بغارة للتحالف الدولي في ريف حلب</h1>" in html
    assert html.count("<p>") >= 8
    for paragraph_start in ["قتل القيادي في تنظيم الدولة", "وفقاً للمعلومات المتوفرة", "وبالإضافة إلى ذلك",
                            "تعتبر المناطق السورية", "يجدر بالذكر", "إنّ استهداف همام أبو أنس",
                            "تأتي هذه الغارة", "تجدر الإشارة إلى"]:
        assert f"<p>{paragraph_start}" in html
    assert "vdcnsy" not in html and "تابعنا" not in html
    # Received with no date: dated by its intake, as the committed ledger holds it, and said so.
    source = next(line.split("\t") for line in (REPO / "ledger.tsv").read_text(encoding="utf-8").splitlines()
                  if line.startswith("seeds/"))
    received = source[2]
    assert f'<span class="date-kind">تاريخ الورود:</span> <time datetime="{received}">' in html
    month = read(out / f"archive/{received[:4]}/{received[5:7]}/index.html")
    assert "مقتل قيادي في تنظيم الدولة" in month and "(تاريخ الورود)" in month


def test_sample_site_every_page_is_reachable_from_home(cli, tmp_path):
    out = tmp_path / "out"
    cli("build", REPO, "-o", out)
    pages = {p for p in out.rglob("index.html")}
    articles = {p for p in pages if p.relative_to(out).parts[0] == "articles"}
    assert len(articles) >= 13
    assert crawl(out) == pages
