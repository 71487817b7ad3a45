"""Incremental builds: after any change, the output is byte-identical to a
clean build of the same input, and unchanged pages are not rendered again."""

from __future__ import annotations

import shutil

import pytest
from conftest import snapshot, write_site


def article(i: int, extra: str = "") -> str:
    place = ["حلب", "إدلب", "الباب", "منبج"][i % 4]
    return (f"---\ntitle: مقال رقم {i}\ndate: 2020-{i % 12 + 1:02}-{i % 27 + 1:02}\ntags: [وسم {i % 3}]\n"
            f"places: [{place}]\n---\n\nنص المقال {i} عن {place}. {extra}\n")


@pytest.fixture(autouse=True)
def parallel_even_when_small(monkeypatch):
    """Plan and render in worker processes however small the site and few
    the pages that change, so that the parallel path is the one compared
    against clean serial builds."""
    from archive_site import render

    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(render, "PARALLEL_MIN_PARTS", 1)


@pytest.fixture
def site(tmp_path):
    files = {f"content/{i:03}.md": article(i) for i in range(40)}
    files["site.yml"] = "title: أرشيف\nper_page: 6\n"
    return write_site(tmp_path / "site", files)


def assert_same_as_clean(cli, site, tmp_path):
    """Build incrementally (in two processes) into build/, cleanly and
    serially into a fresh folder without the cache, and compare every byte."""
    assert cli("build", site, "--jobs", "2").status == 0
    clean_site = tmp_path / "clean-site"
    shutil.rmtree(clean_site, ignore_errors=True)
    shutil.copytree(site, clean_site, ignore=shutil.ignore_patterns("build", ".build.*", ".archive-site-cache"))
    assert cli("build", clean_site, "--clean", "--jobs", "1").status == 0
    assert snapshot(site / "build", marker=False) == snapshot(clean_site / "build", marker=False)


CHANGES = {
    "edit one body": lambda s: (s / "content/005.md").write_text(article(5, "جملة جديدة."), encoding="utf-8"),
    "edit a title": lambda s: (s / "content/006.md").write_text(article(6).replace("رقم 6", "معدل"), encoding="utf-8"),
    "move to another place": lambda s: (s / "content/007.md").write_text(article(7).replace("[منبج]", "[حلب]"),
                                                                          encoding="utf-8"),
    "delete an article": lambda s: (s / "content/008.md").unlink(),
    "rename a file": lambda s: (s / "content/009.md").rename(s / "content/renamed.md"),
    "add an article": lambda s: (s / "content/new.md").write_text(article(99), encoding="utf-8"),
    "edit a template": lambda s: write_site(s, {"templates/partials/footer.html": "<footer>جديد</footer>\n"}),
    "change site.yml": lambda s: write_site(s, {"site.yml": "title: اسم آخر\nper_page: 4\n"}),
    "add a static file": lambda s: write_site(s, {"static/extra.css": "p { color: red; }\n"}),
    "declare a taxonomy": lambda s: write_site(s, {
        "site.yml": "title: أرشيف\nper_page: 6\ntaxonomies: [places, {key: tags, feeds: false, card: true}, "
                    "{key: sources, plural: المصادر, singular: مصدر, feeds: true}]\n",
        "content/005.md": article(5).replace("tags:", "sources: [شاهد]\ntags:")}),
    "drop a taxonomy": lambda s: write_site(s, {"site.yml": "title: أرشيف\nper_page: 6\ntaxonomies: [tags]\n"}),
    "own gazetteer": lambda s: write_site(s, {"gazetteer.yml": "places:\n- {slug: aleppo, name: حلب}\nactors: []\n"}),
}


@pytest.mark.parametrize("change", CHANGES)
def test_incremental_build_equals_clean_build(cli, site, tmp_path, change):
    assert cli("build", site, "--jobs", "2").status == 0
    CHANGES[change](site)
    assert_same_as_clean(cli, site, tmp_path)


def test_nothing_changed_renders_nothing(cli, site):
    cli("build", site)
    run = cli("build", site)
    assert ", 0 rendered," in run.out


def test_one_edit_renders_only_what_shows_it(cli, site):
    cli("build", site)
    (site / "content/005.md").write_text(article(5, "جملة جديدة."), encoding="utf-8")
    run = cli("build", site)
    rendered = int(run.out.split(" rendered,")[0].rsplit(" ", 1)[1])
    # Its own page, the list pages that show its summary (home, its tag, its place and that place's
    # parents, its month), the feeds that hold it, the articles that link to it (newer, older, related),
    # and its reference files (RIS, BibTeX: its summary).
    assert 1 < rendered <= 22


def test_a_removed_static_file_is_gone_from_the_output(cli, site):
    write_site(site, {"static/old.css": "p {}\n"})
    cli("build", site)
    (site / "static/old.css").unlink()
    cli("build", site)
    assert not (site / "build/static/old.css").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_template_error_is_reported_with_its_line_and_publishes_nothing(cli, site, jobs):
    assert cli("build", site, "--jobs", jobs).status == 0
    before = snapshot(site / "build")
    write_site(site, {"templates/partials/card.html": "<article>\n{{ article.no_such_field }}\n</article>\n"})
    run = cli("build", site, "--jobs", jobs)
    assert run.status == 1
    assert "templates/partials/card.html:2: template error:" in run.err
    assert snapshot(site / "build") == before


def test_the_plan_in_parts_equals_the_plan_a_plugin_sees(cli, site, tmp_path):
    """A build plans its pages part by part in the workers (Planner.parts)
    unless a plugin asks for every plan at once (on_plans): both give the
    same files, the same sitemap and the same count of pages."""
    write_site(site, {"content/hidden.md": article(50).replace("---\n\n", "noindex: true\n---\n\n"),
                      "pages/about.md": "---\ntitle: عن الأرشيف\n---\n\nنص.\n"})
    write_site(site, {"site.yml": "title: أرشيف\nper_page: 6\nextra_pages: [pages/about.md]\n"})
    parts = cli("build", site, "--jobs", "2")
    assert parts.status == 0, parts.err
    other = tmp_path / "with-plugin"
    shutil.copytree(site, other, ignore=shutil.ignore_patterns("build", ".archive-site-cache"))
    write_site(other, {"plugins/all.py": "def on_plans(plans, context):\n    return None\n",
                       "site.yml": "title: أرشيف\nper_page: 6\nextra_pages: [pages/about.md]\n"
                                   "plugins: [plugins/all.py]\n"})
    whole = cli("build", other, "--jobs", "2")
    assert whole.status == 0, whole.err
    assert snapshot(site / "build", marker=False) == snapshot(other / "build", marker=False)
    def published(run) -> str:  # "Published N articles (…): N pages, N rendered"
        return next(line for line in run.out.splitlines() if line.startswith("Published")).partition(", in ")[0]

    assert published(parts) == published(whole)
    sitemap = (site / "build/sitemap.xml").read_text(encoding="utf-8")
    assert "/search/</loc>" in sitemap and "404" not in sitemap
    assert sitemap.count("/articles/") == 40  # the 41 articles but the one marked noindex
