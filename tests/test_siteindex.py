"""The site index: after an edit of articles' text, a build plans only the
parts of the site that show them, and its output is byte for byte that of
a clean build — its manifest of fingerprints included."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import snapshot, write_site

from archive_site import plan, render
from archive_site.build import Builder, BuildOptions, BuildReport


def article(i: int, body: str = "", front: str = "") -> str:
    place = ["حلب", "إدلب", "الباب", "منبج"][i % 4]
    date = f"date: 2021-{i % 12 + 1:02}-{i % 27 + 1:02}\n" if i % 7 else ""  # some undated
    return (f"---\ntitle: تقرير رقم {i}\n{date}tags: [وسم {i % 3}]\nplaces: [{place}]\n"
            f"summary: ملخص التقرير {i}\n{front}---\n\nنص التقرير {i} عن {place}. {body}\n\n## تفاصيل\n\n"
            f"- **نقطة** أولى\n- نقطة ثانية\n")


def fifteen_articles(tmp_path) -> Path:
    """A site of 15 articles in four places and three tags, four to a page."""
    files = {f"content/{i:02}.md": article(i) for i in range(15)}
    files["site.yml"] = ("title: أرشيف\nper_page: 4\npublish_originals: true\n"
                         "taxonomies: [places, actors, {key: tags, feeds: true}]\n")
    return write_site(tmp_path / "site", files)


@pytest.fixture
def site(tmp_path):
    return fifteen_articles(tmp_path)


def build(site, **options) -> BuildReport:
    report = Builder(site, BuildOptions(search=False, **options)).build()
    assert report.published, report.all_errors
    return report


def clean_output(site, tmp_path) -> dict[str, bytes]:
    """The output of a clean build of `site` as it is now, made elsewhere."""
    other = tmp_path / "clean"
    shutil.rmtree(other, ignore_errors=True)
    shutil.copytree(site, other, ignore=shutil.ignore_patterns("build", ".build.*", ".archive-site-cache"))
    build(other, clean=True)
    return snapshot(other / "build")


def edit(site, i: int, body: str = "", front: str = "", title: str | None = None) -> None:
    text = article(i, body, front)
    if title is not None:
        text = text.replace(f"title: تقرير رقم {i}", f"title: {title}")
    path = site / f"content/{i:02}.md"
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))


TEXT_EDITS = {
    "a sentence of the body": lambda s: edit(s, 5, "جملة أضيفت إلى النص."),
    "the title (the ledger keeps the address)": lambda s: edit(s, 6, title="عنوان معدل"),
    "the summary": lambda s: write_site(s, {"content/03.md": article(3).replace("ملخص التقرير 3", "ملخص آخر")}),
    "the author and a correction": lambda s: edit(
        s, 9, front="author: فريق التوثيق\ncorrections:\n- {date: 2022-01-05, note: صحح اسم القرية}\n"),
    "two articles": lambda s: (edit(s, 1, "إضافة."), edit(s, 14, "إضافة أخرى.")),
    "an undated article": lambda s: edit(s, 7, "سطر جديد."),
}


@pytest.mark.parametrize("change", TEXT_EDITS)
def test_a_text_edit_plans_only_the_parts_that_show_the_article(site, tmp_path, change):
    first = build(site)
    assert first.parts[0] == first.parts[1]  # no index yet: every part planned
    TEXT_EDITS[change](site)
    report = build(site)
    planned, parts = report.parts
    assert 0 < planned < parts
    assert report.rendered > 0
    assert snapshot(site / "build") == clean_output(site, tmp_path)


OTHER_EDITS = {
    "a date": lambda s: write_site(s, {"content/05.md": article(5).replace("date: 2021-06-06", "date: 2019-01-01")}),
    "a tag": lambda s: write_site(s, {"content/05.md": article(5).replace("[وسم 2]", "[وسم جديد]")}),
    "a place named in the text": lambda s: edit(s, 5, "ووصل النازحون إلى مدينة حمص."),
    "an article added": lambda s: write_site(s, {"content/new.md": article(20)}),
    "an article deleted": lambda s: (s / "content/04.md").unlink(),
}


@pytest.mark.parametrize("change", OTHER_EDITS)
def test_an_edit_that_moves_an_article_plans_everything(site, tmp_path, change):
    build(site)
    OTHER_EDITS[change](site)
    report = build(site)
    assert report.parts[0] == report.parts[1]
    assert snapshot(site / "build") == clean_output(site, tmp_path)


@pytest.mark.parametrize("list_pages", [plan.LIST_PAGES, 1])
def test_each_article_edited_in_turn_gives_the_clean_output(site, tmp_path, monkeypatch, list_pages):
    """Whichever article is edited (newest, oldest, undated, first or last
    of a page of a list), the parts kept from the index are right — also
    when each page of a list is a part of its own."""
    monkeypatch.setattr(plan, "LIST_PAGES", list_pages)
    build(site)
    for i in range(15):
        edit(site, i, f"تعديل {i}.")
        planned, parts = build(site).parts
        assert planned < parts, i
        assert snapshot(site / "build") == clean_output(site, tmp_path), i


@pytest.mark.parametrize("heavy", [False, True])
def test_a_few_parts_are_planned_in_this_process_unless_they_are_much_work(site, tmp_path, monkeypatch, heavy):
    """The parts an edit reaches are spread over the workers only when the
    last build's index says they show articles often enough to pay for
    the processes; either way the output is the clean build's."""
    build(site, jobs=2)
    monkeypatch.setattr(render, "SPREAD_MIN_WEIGHT", 1 if heavy else 10**9)
    spreads, real = [], render.fork_map
    monkeypatch.setattr(render, "fork_map", lambda function, items, jobs, **kw: (
        spreads.append(jobs), real(function, items, jobs, **kw))[1])
    edit(site, 5, "جملة أضيفت إلى النص.")
    planned, parts = build(site, jobs=2).parts
    assert 0 < planned < parts
    assert spreads == [2 if heavy else 1]
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_how_lists_are_split_into_parts_changes_no_file(site, tmp_path, monkeypatch):
    """A list planned a page at a time gives the pages planned all at once
    (page 1 with its timeline, facets and map above the list)."""
    outputs = []
    for list_pages in (1, 1000):
        monkeypatch.setattr(plan, "LIST_PAGES", list_pages)
        outputs.append(clean_output(site, tmp_path))
    assert outputs[0] == outputs[1]


def test_a_file_touched_but_unchanged_plans_nothing(site):
    build(site)
    edit(site, 2)  # the same bytes, a new modification time
    report = build(site)
    assert report.parts[0] == 0 and report.rendered == 0


def test_the_index_is_not_used_when_the_output_was_changed_by_hand(site, tmp_path):
    build(site)
    page = site / "build/articles"
    victim = next(p for p in sorted(page.iterdir()) if (p / "index.html").is_file()) / "index.html"
    victim.unlink()
    edit(site, 5, "جملة.")
    report = build(site)
    assert report.parts[0] == report.parts[1]
    assert victim.is_file()
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_the_index_is_not_used_for_another_output_folder(site, tmp_path):
    build(site)
    edit(site, 5, "جملة.")
    report = build(site, out_dir=tmp_path / "elsewhere")
    assert report.parts[0] == report.parts[1]


def test_the_parts_are_stored_again_only_when_they_changed(site, tmp_path):
    from archive_site import siteindex

    build(site)
    parts_file = site / ".archive-site-cache" / siteindex.PARTS_FILE
    before = parts_file.stat().st_mtime_ns
    edit(site, 5, "جملة.")
    assert build(site).parts[0] > 0
    assert parts_file.stat().st_mtime_ns == before  # the same parts, the same shown articles
    edit(site, 6, "جملة أخرى.")
    planned, parts = build(site).parts
    assert 0 < planned < parts
    assert snapshot(site / "build") == clean_output(site, tmp_path)


@pytest.mark.parametrize("damage", ["missing parts", "other parts", "not JSON"])
def test_a_damaged_index_only_costs_time(site, tmp_path, damage):
    from archive_site import siteindex

    build(site)
    cache = site / ".archive-site-cache"
    if damage == "missing parts":
        (cache / siteindex.PARTS_FILE).unlink()
    elif damage == "other parts":
        (cache / siteindex.PARTS_FILE).write_text('{"name": "another", "parts": []}', encoding="utf-8")
    else:
        (cache / siteindex.INDEX_FILE).write_text("{", encoding="utf-8")
    edit(site, 5, "جملة.")
    report = build(site)
    assert report.parts[0] == report.parts[1]
    assert snapshot(site / "build") == clean_output(site, tmp_path)
    edit(site, 6, "جملة أخرى.")
    assert build(site).parts[0] < report.parts[1]  # stored again by the build that planned everything


def test_verbose_output_says_how_many_parts_were_planned(cli, site):
    assert cli("build", site).status == 0
    edit(site, 5, "جملة.")
    run = cli("build", site, "-v")
    assert run.status == 0
    line = next(line for line in run.out.splitlines() if "parts of the site planned" in line)
    planned, _, parts = line.partition(" parts")[0].partition(" of ")
    assert 0 < int(planned) < int(parts)


def test_a_page_of_the_index_outside_the_output_is_never_kept(site):
    """The index is read from the cache folder: a part whose page would lie
    outside the output (a crafted or damaged file) is planned again, even
    when the manifest lists that path too."""
    from archive_site import siteindex
    from archive_site.unchanged import Previous

    build(site)
    cache = site / ".archive-site-cache"
    index = siteindex.load(cache, Previous(cache, site / "build").intact())
    assert index is not None
    fingerprints = {path: "f" for part in index.parts for path, _, _ in part.each_page()}
    assert index.stale(index.frame, index.cards, len(index.parts), fingerprints) == []
    for escaping in ("../outside.html", "/etc/outside.html", "a/../../outside.html", "a\\..\\outside.html"):
        part = index.parts[3]
        index.parts[3] = siteindex.Part(part.shown, part.pages + siteindex.PAGE_END + escaping)
        assert index.stale(index.frame, index.cards, len(index.parts), {**fingerprints, escaping: "f"}) == [3]
        index.parts[3] = part


def count_rows_made(monkeypatch) -> list:
    """The articles whose download rows are made (not taken from before), in order."""
    from archive_site import downloads
    made, record = [], downloads.record
    monkeypatch.setattr(downloads, "record", lambda config, a, links: made.append(a.slug) or record(config, a, links))
    return made


def test_download_rows_of_unchanged_articles_are_taken_from_the_cache(site, tmp_path, monkeypatch):
    build(site)
    edit(site, 5, "جملة أضيفت إلى النص فغيرت عدد كلماته.")
    made = count_rows_made(monkeypatch)
    build(site)
    assert len(made) == 1
    monkeypatch.undo()
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_download_rows_are_made_again_under_other_settings_or_without_the_cache(site, tmp_path, monkeypatch):
    build(site)
    write_site(site, {"site.yml": (site / "site.yml").read_text(encoding="utf-8") + "base_url: https://example.org/a/\n"})
    made = count_rows_made(monkeypatch)
    build(site)
    assert len(made) == 15  # the addresses in every row changed
    made.clear()
    build(site, clean=True)
    assert len(made) == 15
    monkeypatch.undo()
    assert snapshot(site / "build") == clean_output(site, tmp_path)
    assert "https://example.org/a/articles/" in (site / "build/archive/articles.csv").read_text(encoding="utf-8")


def test_a_builder_takes_the_rows_of_its_last_build_and_a_damaged_table_only_costs_time(site, tmp_path, monkeypatch):
    import sqlite3
    builder = Builder(site, BuildOptions(search=False))
    assert builder.build().published
    edit(site, 3, "سطر.")
    made = count_rows_made(monkeypatch)
    assert builder.build().published
    assert len(made) == 1
    made.clear()
    with sqlite3.connect(site / ".archive-site-cache/records.sqlite") as db:  # rows that are not bytes
        db.execute("UPDATE rows SET json = 7")
    edit(site, 4, "سطر.")
    report = build(site)
    assert len(made) == 15 and report.published
    monkeypatch.undo()
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_rows_of_articles_gone_from_the_site_are_dropped_in_time(site):
    import sqlite3

    def stored() -> int:
        with sqlite3.connect(site / ".archive-site-cache/records.sqlite") as db:
            return db.execute("SELECT COUNT(*) FROM rows").fetchone()[0]

    build(site)
    assert stored() == 15
    for round_ in (1, 2):  # every article's row changes (its word count): new rows, the old ones kept a while
        for i in range(15):
            edit(site, i, "كلمة " * round_)
        build(site)
    assert stored() == 15  # 45 rows for 15 articles: those no article has any more were dropped
