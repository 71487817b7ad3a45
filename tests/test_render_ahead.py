"""Pages rendered ahead of a build (the preview shows an edited article's page
first): only an edit of an article's text qualifies, and the build that
follows keeps or renders again what was rendered ahead, so that its output is
the one a clean build makes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import snapshot, write_site

from archive_site.build import BuildOptions, Builder
from archive_site.publish import InPlaceWriter

ARTICLE = "---\ntitle: {title}\ndate: 2021-0{month}-10\nplaces: [حلب]\ntags: [نزوح]\n---\n\n{body}\n"

# An article page that shows what a text edit changes in its neighbours.
ARTICLE_PAGE = """{% extends "base.html" %}{% block content %}
<h1>{{ article.title }}</h1>{{ article.body_html | safe }}
{% if near.newer %}<p>{{ near.newer.summary }} {{ near.newer.word_count }}</p>{% endif %}
{% if near.older %}<p>{{ near.older.summary }} {{ near.older.word_count }}</p>{% endif %}
{% for other in near.related %}<p>{{ other.summary }} {{ other.word_count }}</p>{% endfor %}
{% endblock %}
"""


def text(n: int, body: str = "") -> str:
    return ARTICLE.format(title=f"مقال {n}", month=n + 1, body=body or f"نص المقال {n} عن الخبز.")


@pytest.fixture
def site(tmp_path):
    files = {f"content/{n}.md": text(n) for n in range(5)}
    files["templates/article.html"] = ARTICLE_PAGE
    return write_site(tmp_path / "site", files)


def builder(site: Path, out: Path, clean: bool = False, record: bool = False) -> Builder:
    return Builder(site, BuildOptions(out_dir=out, search=False, keep_going=True, record=record, clean=clean,
                                      cache_dir=out.parent / f"{out.name}-cache"))


def build(maker: Builder):
    report = maker.build(writer_factory=InPlaceWriter)
    assert report.published and not report.all_errors
    return report


def clean_output(site: Path, tmp_path: Path) -> dict[str, bytes]:
    copy = tmp_path / "clean-site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".archive-site-cache"))
    build(builder(copy, tmp_path / "clean-out", clean=True))
    return snapshot(tmp_path / "clean-out", marker=False)


def page(out: Path, n: int) -> str:
    return (out / "articles" / f"مقال-{n}" / "index.html").read_text(encoding="utf-8")


def test_a_text_edit_is_rendered_ahead_and_the_build_keeps_it(site, tmp_path):
    out = tmp_path / "out"
    live = builder(site, out)
    build(live)
    (site / "content/2.md").write_text(text(2, "نص جديد كُتب بعد البناء الأول."), encoding="utf-8")
    ahead = live.render_ahead(["content/2.md"], InPlaceWriter(out, False))
    assert ahead == ["articles/مقال-2/index.html"]
    assert "نص جديد كُتب بعد البناء الأول" in page(out, 2)
    report = build(live)
    assert ahead[0] not in report.changed  # planned the same by the build: kept
    assert "index.html" in report.changed  # the lists show its new summary
    assert snapshot(out, marker=False) == clean_output(site, tmp_path)


def test_neighbours_edited_together_end_as_a_clean_build_makes_them(site, tmp_path):
    # Each page rendered ahead shows the other as it was: the build renders it again.
    out = tmp_path / "out"
    live = builder(site, out)
    build(live)
    for n in (2, 3):
        (site / f"content/{n}.md").write_text(text(n, f"ملخص آخر تماما للمقال {n} بكلمات أكثر من قبل."),
                                              encoding="utf-8")
    ahead = live.render_ahead(["content/2.md", "content/3.md"], InPlaceWriter(out, False))
    assert len(ahead) == 2
    report = build(live)
    assert set(ahead) <= set(report.changed)
    assert snapshot(out, marker=False) == clean_output(site, tmp_path)


def test_a_new_title_is_rendered_ahead_at_the_address_the_ledger_keeps(site, tmp_path):
    out = tmp_path / "out"
    build(builder(site, out, record=True))  # as `archive-site build`: the ledger keeps each address
    live = builder(site, out)
    build(live)
    (site / "content/2.md").write_text(text(2).replace("مقال 2", "عنوان مصحح"), encoding="utf-8")
    assert live.render_ahead(["content/2.md"], InPlaceWriter(out, False)) == ["articles/مقال-2/index.html"]
    assert "عنوان مصحح" in page(out, 2)
    build(live)
    assert "عنوان مصحح" in (out / "index.html").read_text(encoding="utf-8")  # the lists, by the build
    assert snapshot(out, marker=False) == clean_output(site, tmp_path)


EDITS = {
    # Without a ledger entry, an address made from the title follows it: the build moves the page.
    "a new title, no ledger": lambda s: (s / "content/2.md").write_text(text(2).replace("مقال 2", "عنوان آخر"),
                                                                         encoding="utf-8"),
    "a new address": lambda s: (s / "content/2.md").write_text(text(2).replace("title:", "slug: other\ntitle:"),
                                                                encoding="utf-8"),
    "another date": lambda s: (s / "content/2.md").write_text(text(2).replace("2021-03", "2020-03"), encoding="utf-8"),
    "a place found in the text": lambda s: (s / "content/2.md").write_text(text(2, "قصف على إدلب."), encoding="utf-8"),
    "a picture": lambda s: (s / "content/2.md").write_text(text(2, "![صورة](a.png)"), encoding="utf-8"),
    "a broken file": lambda s: (s / "content/2.md").write_text("---\ntitle: [\n---\nنص\n", encoding="utf-8"),
    "a deleted file": lambda s: (s / "content/2.md").unlink(),
    "a new file": lambda s: (s / "content/9.md").write_text(text(9), encoding="utf-8"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_more_than_a_text_edit_waits_for_the_build(site, tmp_path, edit):
    out = tmp_path / "out"
    live = builder(site, out)
    build(live)
    before = snapshot(out)
    EDITS[edit](site)
    changed = "content/9.md" if edit == "a new file" else "content/2.md"
    assert live.render_ahead([changed], InPlaceWriter(out, False)) == []
    assert snapshot(out) == before


def test_a_template_or_settings_change_waits_for_the_build(site, tmp_path):
    out = tmp_path / "out"
    live = builder(site, out)
    build(live)
    (site / "content/2.md").write_text(text(2, "نص جديد."), encoding="utf-8")
    write_site(site, {"templates/partials/footer.html": "<footer>آخر</footer>\n"})
    assert live.render_ahead(["content/2.md", "templates/partials/footer.html"], InPlaceWriter(out, False)) == []
    assert live.render_ahead(["content/2.md", "site.yml"], InPlaceWriter(out, False)) == []


def test_nothing_is_rendered_ahead_of_a_first_build_or_with_plugins(site, tmp_path):
    out = tmp_path / "out"
    live = builder(site, out)
    assert live.render_ahead(["content/2.md"], InPlaceWriter(out, False)) == []
    write_site(site, {"plugins/count.py": "def on_articles(articles, context):\n    return articles\n",
                      "site.yml": "plugins: [plugins/count.py]\n"})
    build(live)
    (site / "content/2.md").write_text(text(2, "نص جديد."), encoding="utf-8")
    assert live.render_ahead(["content/2.md"], InPlaceWriter(out, False)) == []
