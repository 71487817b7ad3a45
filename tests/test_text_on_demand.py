"""A command-line build holds the articles it finds in its cache without
their text (model.HollowArticle): each process reads the text of the pages
it renders, from the cache or, when the cache no longer has it, from the
file again. The output is what a clean build writes."""

from __future__ import annotations

import os
import sqlite3

import pytest
from conftest import snapshot, write_site
from test_siteindex import article, build, clean_output, edit, fifteen_articles

from archive_site import loader
from archive_site.build import Builder, BuildOptions
from archive_site.model import Article, HollowArticle
from archive_site.publish import StagingWriter


@pytest.fixture(autouse=True)
def settled_files(monkeypatch):
    """Files written a moment ago count as settled (else the cache does not
    vouch for them: cache.AMBIGUOUS_NS), so that builds take them from it."""
    from archive_site import cache
    monkeypatch.setattr(cache, "AMBIGUOUS_NS", 0)


@pytest.fixture
def site(tmp_path):
    return fifteen_articles(tmp_path)


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The files whose text a build reads back, in order."""
    found, call = [], loader.TextReader.__call__

    def counted(self):
        found.append(self.found.rel)
        return call(self)

    monkeypatch.setattr(loader.TextReader, "__call__", counted)
    return found


def test_a_build_reads_back_only_the_text_of_the_pages_it_renders(tmp_path, reads):
    """120 articles in three tags, whose feeds show the text of each of
    their articles: an edit of an old article reads back the texts of its
    tag's feed, and no other."""
    files = {f"content/{i:03}.md": article(i) for i in range(120)}
    files["site.yml"] = "title: أرشيف\ntaxonomies: [places, actors, {key: tags, feeds: true}]\n"
    site = write_site(tmp_path / "site", files)
    build(site)
    assert reads == []  # every article read from its file
    path = site / "content/012.md"  # January 2021: not among the newest the site's feed shows
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))  # the same bytes
    assert build(site).rendered == 0
    assert reads == []
    path.write_text(article(12, "جملة أضيفت."), encoding="utf-8")
    assert build(site).rendered > 0
    same_tag = {f"content/{i:03}.md" for i in range(0, 120, 3)}  # «وسم 0», as article 12
    assert reads and set(reads) <= same_tag - {"content/012.md"}  # the edited one was read afresh
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_articles_from_the_cache_are_hollow_until_their_text_is_asked_for(site):
    build(site)
    builder = Builder(site, BuildOptions(search=False))
    assert builder.build().published
    articles = builder.last_site[0].articles
    assert all(type(a) is HollowArticle for a in articles)
    one = articles[0]
    assert one.__dict__["body_html"] is None
    assert "<p>" in one.body_html and one.text and one.__dict__["body_html"] is not None
    # A copy with other fields stays hollow; dataclasses.replace reads the text.
    assert type(articles[1].but(slug="x")) is HollowArticle and articles[1].but(slug="x").__dict__["text"] is None
    from dataclasses import replace
    assert replace(articles[1], slug="y").text == articles[1].text


def test_builds_that_read_every_text_get_whole_articles(site):
    build(site)
    preview = Builder(site, BuildOptions(search=False))  # as `serve` builds: its articles stay in memory
    assert preview.build(writer_factory=StagingWriter).published
    assert all(type(a) is Article for a in preview.last_site[0].articles)
    settings = (site / "site.yml").read_text(encoding="utf-8").replace("publish_originals: true\n", "")
    write_site(site, {"site.yml": settings + "redact: [منبج]\n"})
    redacting = Builder(site, BuildOptions(search=False))  # redaction reads every text
    assert redacting.build().published
    assert all(type(a) is Article for a in redacting.last_site[0].articles)


def test_text_gone_from_the_cache_is_read_from_the_file_again(site, tmp_path, reads):
    build(site)
    with sqlite3.connect(site / ".archive-site-cache/records.sqlite") as db:
        db.execute("DELETE FROM records WHERE what = 'body'")
    edit(site, 5, "جملة أخرى.")
    report = build(site)
    assert report.published and reads
    assert snapshot(site / "build") == clean_output(site, tmp_path)


def test_a_file_changed_since_it_was_read_stops_the_build_with_a_clear_error(site, monkeypatch):
    build(site)
    with sqlite3.connect(site / ".archive-site-cache/records.sqlite") as db:
        db.execute("DELETE FROM records WHERE what = 'body'")
    read = loader.read_found

    def changed(found, converter, term_keys):  # the file now reads otherwise
        got, problems, readable = read(found, converter, term_keys)
        return got.but(sha256="0" * 64), problems, readable

    monkeypatch.setattr(loader, "read_found", changed)
    edit(site, 5, "جملة ثالثة.")
    report = Builder(site, BuildOptions(search=False)).build()
    assert not report.published
    assert any("changed or went away while the site was being built" in str(e) for e in report.errors)
