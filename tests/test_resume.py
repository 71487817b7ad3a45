"""A command-line build after an edit of articles' text resumes from the
model the last build kept (resume.py): it reads only the edited files, and
its output is byte for byte that of a clean build. Any other change, and it
reads every file."""

from __future__ import annotations

import shutil

import pytest
from conftest import snapshot, write_site
from test_siteindex import OTHER_EDITS, TEXT_EDITS, article, build, clean_output, edit, fifteen_articles

from archive_site import cache, resume


@pytest.fixture
def site(tmp_path):
    return fifteen_articles(tmp_path)


@pytest.fixture
def settled(monkeypatch):
    """Files written a moment ago count as settled (cache.AMBIGUOUS_NS): a
    build reads again only those whose state changed."""
    monkeypatch.setattr(cache, "AMBIGUOUS_NS", 0)


@pytest.mark.parametrize("change", TEXT_EDITS)
def test_a_text_edit_resumes_from_the_last_model(site, tmp_path, change):
    first = build(site)
    assert first.resumed is None  # nothing kept yet
    assert (site / ".archive-site-cache" / resume.MODEL_FILE).is_file()
    TEXT_EDITS[change](site)
    report = build(site)
    if "title" in change:  # titles are compared across articles: every file is read
        assert report.resumed is None
    else:
        assert report.resumed and report.rendered > 0
    assert snapshot(site / "build") == clean_output(site, tmp_path)


@pytest.mark.parametrize("change", OTHER_EDITS)
def test_an_edit_beyond_the_text_reads_every_file(site, tmp_path, change):
    build(site)
    OTHER_EDITS[change](site)
    report = build(site)
    assert report.resumed is None
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_edits_one_after_another_each_give_the_clean_output(site, tmp_path, settled):
    """Each build that resumes adds its edits to those of the builds before
    it (EDITS_FILE); the model itself is kept as the last full build left it."""
    build(site)
    model = (site / ".archive-site-cache" / resume.MODEL_FILE).read_bytes()
    for n, i in enumerate([5, 9, 5, 0, 14, 9]):
        edit(site, i, f"تعديل رقم {n}.")
        report = build(site)
        # The files edited just before are read again too: edit() dates a file a second ahead, so that
        # for a moment it looks changed after the build that read it began.
        assert report.resumed >= 1, n
        assert snapshot(site / "build") == clean_output(site, tmp_path), n
    assert (site / ".archive-site-cache" / resume.MODEL_FILE).read_bytes() == model
    edit(site, 5)  # back to its first text
    assert build(site).resumed
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def clean_problems(site, tmp_path) -> list[str]:
    """What a clean build of `site` as it is now reports, made elsewhere."""
    other = tmp_path / "clean-problems"
    shutil.rmtree(other, ignore_errors=True)
    shutil.copytree(site, other, ignore=shutil.ignore_patterns("build", ".build.*", ".archive-site-cache"))
    return [str(p) for p in build(other, clean=True).loaded.problems]


@pytest.mark.parametrize("body, resumes", [
    ("قصير.", True),  # "very short body (10 words)" becomes "(1 word)"
    ("كلمة " * 80, False),  # the warning goes: every file is read
])
def test_the_warnings_of_an_edited_file_are_those_of_a_clean_build(site, tmp_path, body, resumes):
    build(site)
    write_site(site, {"content/04.md": article(4).replace("نص التقرير 4 عن حلب. ", body)})
    report = build(site)
    assert bool(report.resumed) is resumes
    assert [str(p) for p in report.loaded.problems] == clean_problems(site, tmp_path)
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_an_article_whose_title_another_has_resumes_with_that_warning(tmp_path):
    """A warning about the article and others (a title two articles share)
    stays as it was: the title is the same."""
    files = {f"content/{i:02}.md": article(i) for i in range(6)}
    files["content/05.md"] = article(5).replace("title: تقرير رقم 5", "title: تقرير رقم 4")
    files["site.yml"] = "title: أرشيف\nper_page: 4\ntaxonomies: [places, actors, tags]\n"
    site = write_site(tmp_path / "site", files)
    build(site)
    write_site(site, {"content/05.md": files["content/05.md"].replace("نص التقرير 5", "نص التقرير الخامس بعد التعديل")})
    report = build(site)
    assert report.resumed
    problems = [str(p) for p in report.loaded.problems]
    assert any("same title as content/04.md" in p for p in problems)
    assert problems == clean_problems(site, tmp_path)
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_more_edits_than_the_model_takes_read_every_file(site, tmp_path, monkeypatch, settled):
    monkeypatch.setattr(resume, "MAX_EDITS", 1)
    build(site)
    write_site(site, {"content/03.md": article(3, "أولى.")})
    assert build(site).resumed == 1
    write_site(site, {"content/08.md": article(8, "ثانية.")})
    assert build(site).resumed is None  # two files edited since the model was made
    write_site(site, {"content/08.md": article(8, "ثالثة.")})
    assert build(site).resumed == 1  # a new model
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_without_a_signing_key_nothing_is_kept(site, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # the key cannot be made under it
    build(site)
    assert not (site / ".archive-site-cache" / resume.MODEL_FILE).exists()
    edit(site, 5, "جملة.")
    assert build(site).resumed is None
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_a_clean_build_forgets_the_model(site):
    build(site)
    edit(site, 5, "جملة.")
    report = build(site, clean=True)
    assert report.resumed is None
    edit(site, 5, "جملة أخرى.")
    assert build(site).resumed  # the clean build kept a model of its own


def test_an_article_that_now_names_another_place_reads_every_file(site, tmp_path):
    build(site)
    write_site(site, {"content/02.md": article(2, "ثم انتقلوا إلى مدينة حمص.")})
    report = build(site)
    assert report.resumed is None
    assert snapshot(site / "build") == clean_output(site, tmp_path)
