"""Hostile and careless input, round two: each case as an attacker or a careless
editor would try it, through the command line (and a real browser for search)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import hashlib
import http.client
import json
import os
import pickle
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import http_server, snapshot, write_site
from lxml import etree
from test_search import wait_for_results
from test_serve import Served

from archive_site import cache as cache_module
from archive_site import fsops, loader, publish, resume, scratch, unchanged

ARTICLE = "---\ntitle: {title}\ndate: 2021-06-14\n---\n\n{body}\n"


def article(title: str, body: str = "نص المقال الذي يكفي للنشر.") -> str:
    return ARTICLE.format(title=title, body=body)


def published(site: Path, out: str = "build") -> list[str]:
    folder = site / out / "articles"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file())


# --- critical: the search page shows names as text ---------------------------------

HOSTILE_NAMES = ["<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(2)&gt;",
                 "<svg/onload=alert(3)>", "\"><script>alert(4)</script>", "&amp;lt;b onclick=alert(5)&amp;gt;x"]


@pytest.mark.browser
def test_search_filters_and_results_show_hostile_names_as_text(chromium, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": f"""
        ---
        title: "<img src=x onerror=alert(6)> قصف"
        date: 2021-05-02
        summary: "<script>alert(7)</script>"
        tags: {json.dumps(HOSTILE_NAMES)}
        places: {json.dumps(HOSTILE_NAMES[:2])}
        actors: {json.dumps(HOSTILE_NAMES[2:])}
        ---

        قصفت قوات مجهولة أحياء سكنية صباح الأحد &lt;img src=x onerror=alert(8)&gt;.
        """})
    assert subprocess.run([sys.executable, "-m", "archive_site", "build", str(site), "-q"]).returncode == 0
    dialogs = []
    with http_server(site / "build") as address:
        page = chromium.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(address + "search/")
        page.fill(".pagefind-ui__search-input", "قوات")
        wait_for_results(page, "قوات")
        page.eval_on_selector_all("details.pagefind-ui__filter-block", "els => els.forEach(d => { d.open = true; })")
        page.wait_for_selector(".pagefind-ui__filter-label")
        labels = page.eval_on_selector_all(".pagefind-ui__filter-label", "els => els.map(e => e.textContent)")
        # What the interface inserts: every filter value of the index, as Pagefind's own API gives them.
        values = page.evaluate("""async () => {
            const pagefind = await import('/pagefind/pagefind.js');
            await pagefind.init();
            return Object.values(await pagefind.filters()).flatMap(Object.keys);
        }""")
        injected = page.eval_on_selector_all(
            ".pagefind-ui__filter-panel *, .pagefind-ui__results *",
            "els => els.filter(e => ['IMG', 'SVG', 'SCRIPT', 'B'].includes(e.tagName.toUpperCase())"
            " || [...e.attributes].some(a => a.name.startsWith('on'))).length")
        title = page.inner_text(".pagefind-ui__result-link")
        page.wait_for_timeout(300)  # a handler that would fire on load has had its chance
        page.close()
    assert dialogs == []
    assert injected == 0
    assert "onerror=alert(6)" in title
    # Every name is in the index, readable as text: markup characters in their full-width forms;
    # and every label drawn is one of them.
    safe = {name.replace("<", "＜").replace(">", "＞").replace("&", "＆") for name in HOSTILE_NAMES}
    assert safe <= set(values)
    assert {label.rsplit(" (", 1)[0] for label in labels} <= safe | {"2021"}


# --- critical: symbolic links ------------------------------------------------------

@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "outside" / "id_ed25519"
    path.parent.mkdir()
    path.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nسري\n", encoding="utf-8")
    (path.parent / "notes.md").write_text(article("ملاحظات خارجية"), encoding="utf-8")
    return path


def test_links_that_lead_outside_the_site_are_errors_and_publish_nothing(cli, tmp_path, secret):
    site = write_site(tmp_path / "site", {"content/good.md": article("مقال سليم"), "static/ok.css": "p{}"})
    (site / "content/notes.txt").symlink_to(secret)
    (site / "content/ext").symlink_to(secret.parent, target_is_directory=True)
    (site / "static/p.txt").symlink_to(secret)
    (site / ".git").mkdir()
    (site / ".git/config").write_text("[remote] token=abc123secret", encoding="utf-8")
    (site / "content/config.txt").symlink_to(site / ".git/config")

    run = cli("build", site)
    assert run.status == 1
    for name in ("content/notes.txt", "content/ext", "static/p.txt", "content/config.txt"):
        assert f"error: {name}: " in run.err, run.err
    assert "outside the site folder" in run.err and "hidden folder" in run.err
    assert not (site / "build").exists()
    assert cli("check", site).status == 1

    run = cli("build", site, "--keep-going")
    assert run.status == 1
    text = all_text(site / "build")
    assert "OPENSSH" not in text and "سري" not in text and "ملاحظات خارجية" not in text and "abc123secret" not in text
    assert published(site) == ["مقال-سليم"]
    assert (site / "build/static/ok.css").is_file() and not (site / "build/static/p.txt").exists()


def test_links_inside_the_site_are_followed(cli, tmp_path):
    site = write_site(tmp_path / "site", {"shared/a.md": article("مقال مشترك")})
    (site / "content").mkdir()
    (site / "content/a.md").symlink_to(site / "shared/a.md")
    run = cli("build", site)
    assert run.status == 0, run.err
    assert published(site) == ["مقال-مشترك"]


def test_a_setting_allows_links_outside(cli, tmp_path, secret):
    site = write_site(tmp_path / "site", {"site.yml": "follow_outside_links: true\n"})
    (site / "content").mkdir()
    (site / "content/ext").symlink_to(secret.parent, target_is_directory=True)
    run = cli("build", site, "-v")
    assert run.status == 0, run.err
    assert published(site) == ["ملاحظات-خارجية"]


def test_loops_and_dangling_links_are_problems_of_one_path(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/good.md": article("مقال سليم")})
    (site / "content/self.md").symlink_to("self.md")
    (site / "content/gone.md").symlink_to(site / "content/missing.md")
    (site / "content/loop").symlink_to(site / "content", target_is_directory=True)
    run = cli("build", site, "--keep-going")
    assert run.status == 1
    assert "error: content/self.md: is a link that leads to itself (a loop)" in run.err
    assert "error: content/gone.md: is a link to a file that does not exist" in run.err
    assert "error: content/loop: is a link to a folder that contains it (a loop)" in run.err
    assert published(site) == ["مقال-سليم"]


# --- critical: output and cache folders --------------------------------------------

@pytest.mark.parametrize("inside", ["templates", "content/out", "static", "seeds", ".archive-site-cache",
                                    ".archive-site-cache/x"])
def test_output_inside_a_folder_the_build_reads_is_refused(cli, tmp_path, inside):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان"), "static/s.css": "p{}",
                                          "templates/.keep": "", "seeds/.keep": ""})
    assert cli("build", site, "--no-search").status == 0  # makes the cache folder
    before = snapshot(site, marker=False)
    run = cli("build", site, "-o", site / inside, "--no-search")
    assert run.status == 1
    assert "the output folder overlaps the" in run.err and "which the build reads" in run.err
    assert snapshot(site, marker=False) == before


def test_cache_dir_never_writes_into_a_folder_it_does_not_own(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان"), ".gitignore": "/build/\n"})
    run = cli("build", site, "--cache-dir", site, "--no-search")
    assert run.status == 1
    assert "the cache folder is not empty and was not made by archive-site" in run.err
    assert (site / ".gitignore").read_text(encoding="utf-8") == "/build/\n"
    # A new (or empty) folder becomes the cache's own, marked as such.
    run = cli("build", site, "--cache-dir", tmp_path / "cache", "--no-search")
    assert run.status == 0, run.err
    assert (tmp_path / "cache/CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert cli("build", site, "--cache-dir", tmp_path / "cache", "--no-search").status == 0


def test_a_planted_or_damaged_cache_never_runs_code_and_is_rebuilt(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "AMBIGUOUS_NS", 0)  # trust file states at once
    # ... but never a build with nothing to do, which would not open the cache at all: that
    # depended on how fast the builds ran (within two seconds of the article's writing).
    monkeypatch.setattr(unchanged, "AMBIGUOUS_NS", 10**18)
    # ... nor one that resumes from the last build's model, which reads only the files that changed.
    monkeypatch.setattr(resume, "load", lambda cache_dir, name: None)
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان", "النص الأول")})
    assert cli("build", site, "--no-search").status == 0
    database = site / ".archive-site-cache/records.sqlite"
    with sqlite3.connect(database) as db:  # a value that names something to run
        db.execute("UPDATE records SET value = ?", (json.dumps({"$os.system": ["touch /tmp/pwned"]}),))
    db.close()
    run = cli("build", site, "--no-search", "--clean")
    assert run.status == 0, run.err
    run = cli("build", site, "--no-search")
    assert run.status == 0 and "damaged" not in run.err, run.err
    with sqlite3.connect(database) as db:
        db.execute("UPDATE records SET value = ?", (json.dumps({"$os.system": ["touch /tmp/pwned"]}),))
    db.close()
    run = cli("build", site, "--no-search")
    assert run.status == 0, run.err
    assert "an entry of the build cache for content/a.md is damaged and was discarded" in run.err
    assert "النص الأول" in all_text(site / "build/articles")

    for n, damage in enumerate((os.urandom(4096), b"SQLite format 3\x00" + os.urandom(8192))):
        database.write_bytes(damage)
        # A build with nothing to do does not open the cache (unchanged.py): an article changes.
        (site / "content/a.md").write_text(article("عنوان", f"النص الأول، الصيغة {n}"), encoding="utf-8")
        run = cli("build", site, "--no-search")
        assert run.status == 0, run.err
        assert "records.sqlite: warning: the build cache is damaged and was discarded" in run.err
        run = cli("build", site, "--no-search")
        assert run.status == 0 and "damaged" not in run.err  # rebuilt


class _Planted:
    def __reduce__(self):
        return (os.mkdir, (PLANTED,))


PLANTED = str(Path(tempfile.gettempdir()) / f"archive-site-planted-{os.getpid()}")


def test_pickled_shards_of_earlier_versions_are_never_loaded(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    cache = site / ".archive-site-cache"
    cache.mkdir()
    (cache / ".gitignore").write_text("*\n")
    (cache / "records-00.pickle").write_bytes(pickle.dumps(_Planted()))
    run = cli("build", site, "--no-search")
    assert run.status == 0, run.err
    assert not os.path.exists(PLANTED)
    assert not (cache / "records-00.pickle").exists()


@pytest.mark.parametrize("planted", ["unsigned", "signed with another key", "signed, then altered"])
def test_a_planted_model_of_the_last_build_is_never_unpickled(cli, tmp_path, planted):
    """The model a build keeps for the next (resume.py) is a pickle: one
    not signed with this user's key is ignored — the build reads every file."""
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان", "النص الأول " * 20)})
    assert cli("build", site, "--no-search").status == 0
    model = site / ".archive-site-cache" / resume.MODEL_FILE
    kept = model.read_bytes()
    assert kept.startswith(resume.MAGIC)  # kept by the build
    payload = pickle.dumps(_Planted())
    signature = kept[len(resume.MAGIC):len(resume.MAGIC) + 32]
    model.write_bytes({
        "unsigned": payload,
        "signed with another key": resume.MAGIC + os.urandom(32) + payload,
        "signed, then altered": resume.MAGIC + signature + payload,
    }[planted])
    (site / "content/a.md").write_text(article("عنوان", "النص الثاني " * 20), encoding="utf-8")
    run = cli("build", site, "--no-search")
    assert run.status == 0, run.err
    assert not os.path.exists(PLANTED)
    assert "النص الثاني" in all_text(site / "build/articles")


def test_planted_compiled_templates_are_never_run(cli, tmp_path):
    """Compiled templates are kept in the cache (render.SignedBytecodeCache):
    code in one not signed with this user's key is never run — the template
    is compiled again from its source."""
    import marshal

    import jinja2.bccache

    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    assert cli("build", site, "--no-search").status == 0
    kept = sorted((site / ".archive-site-cache" / "templates").glob("*.code"))
    assert kept
    magic = jinja2.bccache.bc_magic
    code = marshal.dumps(compile(f"import os\nos.mkdir({PLANTED!r})\n", "planted", "exec"))
    for path in kept:
        data = path.read_bytes()[32:]
        checksum = pickle.loads(data[len(magic):])  # the source's, which Jinja checks
        path.write_bytes(os.urandom(32) + magic + pickle.dumps(checksum, 2) + code)
    (site / "content/a.md").write_text(article("عنوان آخر"), encoding="utf-8")
    run = cli("build", site, "--no-search")
    assert run.status == 0, run.err
    assert not os.path.exists(PLANTED)
    assert "عنوان آخر" in all_text(site / "build/articles")
    assert cli("build", site, "--no-search", "--clean").status == 0
    assert not (site / ".archive-site-cache" / "templates").exists() or not any(
        path.read_bytes()[32:].endswith(code) for path in (site / ".archive-site-cache" / "templates").iterdir())


def test_compiled_templates_are_never_written_through_a_planted_link(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    assert cli("build", site, "--no-search").status == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    templates = site / ".archive-site-cache" / "templates"
    shutil.rmtree(templates)
    templates.symlink_to(elsewhere)
    (site / "content/a.md").write_text(article("عنوان آخر"), encoding="utf-8")
    run = cli("build", site, "--no-search", "--jobs", "1")
    assert run.status == 0, run.err
    assert list(elsewhere.iterdir()) == []
    assert "عنوان آخر" in all_text(site / "build/articles")


@pytest.mark.parametrize("name", ["last-build.json", "neighbours.json", "site-index.json", "last-model.pickle",
                                  "records.sqlite-journal", "search-documents.json.part"])
def test_the_cache_never_writes_through_a_planted_link(cli, tmp_path, name):
    """A cache folder may come with the site: a link in it is removed, and
    what it leads to is never written."""
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    assert cli("build", site, "--no-search").status == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("لا تمسّ\n", encoding="utf-8")
    link = site / ".archive-site-cache" / name
    link.unlink(missing_ok=True)
    link.symlink_to(victim)
    (site / "content/a.md").write_text(article("عنوان آخر"), encoding="utf-8")
    run = cli("build", site, "--no-search")
    assert run.status == 0, run.err
    assert victim.read_text(encoding="utf-8") == "لا تمسّ\n"
    assert not link.is_symlink()


@pytest.mark.tools
@pytest.mark.parametrize("where", ["the folder", "a folder in it"])
def test_kept_search_documents_are_never_written_or_deleted_through_a_link(cli, tmp_path, where):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    assert cli("build", site).status == 0
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "x").mkdir(parents=True)
    (elsewhere / "x" / "index.html").write_text("<p>ملف للقارئ</p>", encoding="utf-8")
    documents = site / ".archive-site-cache" / "search-documents"
    if where == "the folder":
        shutil.rmtree(documents)
        documents.symlink_to(elsewhere)
    else:
        shutil.rmtree(documents / "articles")
        (documents / "articles").symlink_to(elsewhere)
    (site / "content/a.md").write_text(article("عنوان آخر"), encoding="utf-8")
    run = cli("build", site)
    assert run.status == 0, run.err
    assert sorted(p.relative_to(elsewhere).as_posix() for p in elsewhere.rglob("*")) == ["x", "x/index.html"]
    assert (elsewhere / "x" / "index.html").read_text(encoding="utf-8") == "<p>ملف للقارئ</p>"


# --- high ----------------------------------------------------------------------------

def test_every_article_gets_its_own_address_whatever_the_titles(cli, tmp_path):
    suffix = hashlib.sha1(b"content/b.md").hexdigest()[:6]
    site = write_site(tmp_path / "site", {
        "content/a.md": article("خبر"),
        "content/b.md": article("خبر"),
        "content/c.md": article(f"خبر {suffix}"),
        "content/d.md": f"---\ntitle: آخر\nslug: خبر-{hashlib.sha1(b'content/e.md').hexdigest()[:6]}\n---\nنص\n",
        "content/e.md": article("خبر"),
    })
    run = cli("build", site, "--no-search")
    assert run.status == 0, run.err
    assert "Published 5 articles" in run.out
    assert len(published(site)) == 5


def test_atom_times_never_come_from_the_file(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/dated.md": "---\ntitle: مؤرخ\ndate: 2019-08-03\n---\nنص\n",
        "content/undated.txt": "غير مؤرخ\n\nنص المقال.\n"})
    os.utime(site / "content/undated.txt", (1, 1))
    assert cli("build", site, "--no-search").status == 0
    feed = etree.parse(str(site / "build/feed.xml"))
    updated = feed.xpath("//a:entry/a:updated/text()", namespaces={"a": "http://www.w3.org/2005/Atom"})
    # The undated text is dated by its intake (the day the ledger first saw
    # it), never by the file's time, which differs in every copy of the site.
    # Times written without a zone are in the site's (timezone:, Asia/Damascus by default).
    zone = zoneinfo.ZoneInfo("Asia/Damascus")
    assert updated == [dt.datetime.combine(dt.date.today(), dt.time(), zone).isoformat(),
                       dt.datetime(2019, 8, 3, tzinfo=zone).isoformat()]
    # A site with no date at all: today, never 1970 nor the file's time.
    only = write_site(tmp_path / "only", {"content/undated.txt": "غير مؤرخ\n\nنص المقال.\n"})
    os.utime(only / "content/undated.txt", (1, 1))
    assert cli("build", only, "--no-search").status == 0
    text = (only / "build/feed.xml").read_text(encoding="utf-8")
    assert f"<updated>{time.strftime('%Y-%m-%d', time.gmtime())}" in text and "1970" not in text


CONTROLS = "\x01\x02\x08\x0b\x0c\x1b\x7f\x85\ufffe\uffff\U0001fffe"


def test_control_characters_are_removed_with_a_warning_and_feeds_parse(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/raw.md": f"---\ntitle: عنوان{CONTROLS}خام\ndate: 2020-01-01\n---\nنص{CONTROLS} المقال\n",
        "content/escaped.md": '---\ntitle: "عنوان\\x01\\0\\e\\x0c\\u0085 مهرب"\nsummary: "ملخص\\a\\b"\n'
                              'tags: ["وسم\\x1b"]\ndate: 2020-01-02\n---\nنص\n',
        "content/plain.txt": f"عنوان{CONTROLS} نصي\n\nسطر{CONTROLS} أول\n",
        "content/keep.md": "---\ntitle: كلمة\u200cمع\u200dوصل\u200e\u200f\u061cو لـ\"قسد\"\ndate: 2020-01-03\n---\nنص\n",
    })
    run = cli("build", site, "--no-search", "-v")
    assert run.status == 0, run.err
    assert "content/raw.md:2: warning: invisible control characters" in run.err
    assert "content/escaped.md:2: warning: invisible control characters removed from 'title'" in run.err
    assert "content/plain.txt:1: warning: invisible control characters" in run.err
    for feed in (site / "build").rglob("feed.xml"):
        etree.parse(str(feed))  # well-formed XML, or this raises
    text = "".join(p.read_text(encoding="utf-8") for p in (site / "build").rglob("*")
                   if p.suffix in (".html", ".xml", ".json", ".txt"))
    assert not any(ch in text for ch in CONTROLS + "\x00")
    assert "عنوانخام" in text
    assert "كلمة\u200cمع\u200dوصل\u200e\u200f\u061cو" in text  # ZWNJ, ZWJ, LRM, RLM, ALM stay


def test_a_very_long_number_is_an_error_of_that_file(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/good.md": article("سليم"),
                                          "content/big.md": "---\ntitle: كبير\nweight: " + "9" * 5000 + "\n---\nنص\n"})
    for command in (["build", site, "--no-search"], ["check", site]):
        run = cli(*command)
        assert run.status == 1
        assert "error: content/big.md:3: front matter has a number too long to read" in run.err
    run = cli("build", site, "--keep-going", "--no-search")
    assert run.status == 1 and published(site) == ["سليم"]
    write_site(site, {"site.yml": "per_page: " + "9" * 5000 + "\n"})
    run = cli("build", site, "--no-search")
    assert run.status == 1 and "error: site.yml: a number is too long to read" in run.err


def test_names_that_are_not_utf8_are_errors_for_build_and_check(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/good.md": article("سليم")})
    folder = os.fsencode(site / "content")
    with open(os.path.join(folder, b"\xe4\xf1.md"), "w", encoding="utf-8") as file:
        file.write(article("ملف"))
    os.makedirs(os.path.join(folder, b"d\xff"))
    with open(os.path.join(folder, b"d\xff", b"x.md"), "w", encoding="utf-8") as file:
        file.write(article("مجلد"))
    for command in (["build", site, "--no-search"], ["check", site]):
        run = cli(*command)
        assert run.status == 1, run.err
        assert run.err.count("the name is not valid UTF-8 text") == 2
        assert "error: content/\ufffd\ufffd.md:" in run.err and "error: content/d\ufffd:" in run.err
    run = cli("build", site, "--keep-going", "--no-search")
    assert run.status == 1 and published(site) == ["سليم"]


def test_an_unreadable_folder_is_an_error(cli, tmp_path, monkeypatch):
    site = write_site(tmp_path / "site", {"content/good.md": article("سليم"),
                                          "content/locked/a.md": article("مقفل")})
    locked = str(site / "content/locked")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == locked:  # as chmod 000 does for a user other than root
            raise PermissionError(13, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    run = cli("build", site, "--no-search")
    assert run.status == 1
    assert "error: content/locked: folder cannot be read: Permission denied" in run.err
    assert not (site / "build").exists()


def test_a_read_error_is_not_remembered_after_it_is_fixed(cli, tmp_path, monkeypatch):
    site = write_site(tmp_path / "site", {"content/good.md": article("سليم"),
                                          "content/a.md": article("كان مقفلا")})
    locked = site / "content/a.md"
    real = Path.open

    def open_(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_)
    run = cli("build", site, "--keep-going", "--no-search")
    assert run.status == 1 and "error: content/a.md: cannot read the file: Permission denied" in run.err
    monkeypatch.undo()  # the editor fixes the permissions: size and times stay as they were
    run = cli("build", site, "--keep-going", "--no-search")
    assert run.status == 0, run.err
    assert published(site) == ["سليم", "كان-مقفلا"]


# --- medium and low ------------------------------------------------------------------

def test_a_users_folder_named_like_a_leftover_is_never_deleted(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان"),
                                          ".build.old-2019/notes.txt": "ملاحظات",
                                          ".build.staging-1/notes.txt": "ملاحظات"})
    assert cli("build", site, "--no-search").status == 0
    assert cli("build", site, "--no-search", "--clean").status == 0
    assert (site / ".build.old-2019/notes.txt").is_file()
    assert (site / ".build.staging-1/notes.txt").is_file()


def test_a_zone_offset_is_kept(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/a.md": "---\ntitle: أ\nslug: a\ndate: 2020-01-01T23:30:00-05:00\n---\nنص\n",
        "content/b.md": "---\ntitle: ب\nslug: b\ndate: 2020-01-02T01:00:00\n---\nنص\n"})
    assert cli("build", site, "--no-search").status == 0
    feed = (site / "build/feed.xml").read_text(encoding="utf-8")
    assert "<updated>2020-01-01T23:30:00-05:00</updated>" in feed
    page = (site / "build/articles/a/index.html").read_text(encoding="utf-8")
    assert "2020-01-01T23:30:00-05:00" in page
    # Ordered by the instant: 04:30 UTC on the 2nd is newer than 01:00 on the 2nd.
    home = (site / "build/index.html").read_text(encoding="utf-8")
    assert home.index("articles/a/") < home.index("articles/b/")


def test_the_gazetteers_name_wins_over_a_name_that_slugs_alike(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/old.md": "---\ntitle: قديم\ndate: 2019-01-01\nplaces: [حلب]\n---\nنص\n",
        "content/new.md": "---\ntitle: جديد\ndate: 2024-01-01\nplaces: [Aleppo]\n---\nنص\n"})
    run = cli("build", site, "--no-search")
    assert run.status == 0, run.err
    page = (site / "build/places/aleppo/index.html").read_text(encoding="utf-8")
    assert "<title>حلب" in page and "Aleppo" not in page.split("<main")[1].split("</h1>")[0]
    assert "place 'Aleppo' is not in the gazetteer" in run.err  # build shows the warning too


def test_base_url_must_be_a_web_address(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان"),
                                          "site.yml": "base_url: \"javascript:alert(1)//\"\n"})
    run = cli("build", site, "--no-search")
    assert run.status == 1
    assert "error: site.yml:1: 'base_url' must be a web address starting with http:// or https://" in run.err
    write_site(site, {"site.yml": "title: أرشيف\n"})
    run = cli("build", site, "--no-search", "--base-url", "javascript:alert(1)")
    assert run.status == 1 and "'--base-url' must be a web address" in run.err


def test_settings_in_another_encoding_or_of_a_wrong_type_name_the_file(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    (site / "site.yml").write_bytes("# إعدادات\ntitle: أرشيف\n".encode("cp1256"))
    run = cli("build", site, "--no-search")
    assert run.status == 1 and "error: site.yml:1: the file is not UTF-8 text" in run.err
    write_site(site, {"site.yml": "per_page: true\n"})
    run = cli("build", site, "--no-search")
    assert run.status == 1 and "error: site.yml:1: 'per_page' must be a whole number" in run.err
    write_site(site, {"site.yml": "title: أرشيف\n", "gazetteer.yml": "places:\n- {slug: a, name: أ, parent: [b]}\n"})
    run = cli("build", site, "--no-search")
    assert run.status == 1 and "error: gazetteer.yml:2: 'parent' of 'a' must be the slug" in run.err
    (site / "gazetteer.yml").write_bytes("places:\n- {slug: a, name: حلب}\n".encode("cp1256"))
    run = cli("check", site)
    assert run.status == 1 and "error: gazetteer.yml:2: the file is not UTF-8 text" in run.err
    assert "unexpected" not in run.err


def test_a_huge_file_is_refused_without_being_read(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/good.md": article("سليم")})
    with open(site / "content/huge.md", "wb") as file:
        file.truncate(1024 ** 3)  # sparse: 1 GB on paper
    run = cli("build", site, "--no-search", "--keep-going")
    assert run.status == 1 and "error: content/huge.md: file is larger than 10 MB" in run.err
    assert published(site) == ["سليم"]


@pytest.mark.parametrize("run_of", ["[", "![", "[^", "[x]("])
def test_markdown_that_would_take_minutes_is_an_error_of_that_file(cli, tmp_path, monkeypatch, run_of):
    monkeypatch.setattr(loader, "MARKDOWN_SECONDS", 0.3)
    site = write_site(tmp_path / "site", {"content/good.md": article("سليم"),
                                          "content/slow.md": "---\ntitle: بطيء\n---\n" + run_of * 6000 + "\n"})
    started = time.monotonic()
    run = cli("build", site, "--no-search", "--keep-going")
    assert time.monotonic() - started < 20
    assert run.status == 1
    assert "error: content/slow.md:4: the Markdown body takes more than 0.3 seconds to convert" in run.err
    assert published(site) == ["سليم"]


def test_new_with_a_title_that_is_not_text_writes_nothing(cli, tmp_path):
    run = cli("new", "عنوان\udcff", tmp_path)
    assert run.status == 2 and "the title is not valid UTF-8 text" in run.err
    assert not (tmp_path / "content").exists()


def test_folders_nested_a_thousand_deep(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/top.md": article("قمة")})
    top = deep = os.fsencode(site / "content")
    for _ in range(989):  # os.makedirs and shutil.rmtree recurse: folders are made and removed here
        deep += b"/d"
        os.mkdir(deep)
    with open(deep + b"/deep.md", "w", encoding="utf-8") as file:
        file.write(article("عميق"))
    try:
        run = cli("build", site, "--no-search")
        assert run.status == 0, run.err
        assert published(site) == ["عميق", "قمة"]
    finally:
        os.unlink(deep + b"/deep.md")
        while deep != top:
            os.rmdir(deep)
            deep = os.path.dirname(deep)


def test_tags_without_letters_get_pages_of_their_own(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": "---\ntitle: أ\ntags: ['!!!', '..', term]\n---\nنص\n"})
    assert cli("build", site, "--no-search").status == 0
    pages = [p for p in (site / "build/tags").iterdir() if p.is_dir()]
    assert len(pages) == 3
    names = {(p / "index.html").read_text(encoding="utf-8").split("<h1")[1].split("</h1>")[0] for p in pages}
    assert len(names) == 3


def test_an_edit_that_keeps_size_and_time_is_seen(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "AMBIGUOUS_NS", 0)  # trust file states at once
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان", "النص القديم")})
    path = site / "content/a.md"
    assert cli("build", site, "--no-search").status == 0
    before = path.stat()
    path.write_text(article("عنوان", "النص الجديد"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert cli("build", site, "--no-search").status == 0
    text = all_text(site / "build/articles")
    assert "النص الجديد" in text and "النص القديم" not in text


@pytest.mark.tools
def test_temporary_folders_of_killed_processes_are_removed(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = tmp_path / f"tmp/archive-site-search-{dead.pid}-abc123"
    left.mkdir()
    (left / scratch.OWNED).write_text("")
    theirs = tmp_path / f"tmp/archive-site-search-{dead.pid}-mine"
    theirs.mkdir()  # no mark: not ours to delete
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    assert cli("build", site).status == 0
    assert not left.exists() and theirs.is_dir()
    assert list((tmp_path / "tmp").glob(f"archive-site-search-{os.getpid()}-*")) == []


# --- the preview server ------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    server = Served(site)
    yield server
    server.stop()


def request(port: int, host_header: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("GET", "/", skip_host=True)
    connection.putheader("Host", host_header)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_preview_answers_only_to_local_names(served):
    assert request(served.port, f"localhost:{served.port}") == 200
    assert request(served.port, f"127.0.0.1:{served.port}") == 200
    assert request(served.port, f"[::1]:{served.port}") == 200
    assert request(served.port, "archive.localhost") == 200
    assert request(served.port, f"attacker.example:{served.port}") == 403
    assert request(served.port, "") == 403


@pytest.mark.slow
def test_preview_takes_many_clients_at_once_and_drops_idle_ones(served):
    statuses = []

    def fetch():
        try:
            statuses.append(served.get("/")[0])
        except OSError as exc:
            statuses.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(300)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 300
    with socket.create_connection(("127.0.0.1", served.port)) as idle:
        idle.settimeout(45)
        started = time.monotonic()
        assert idle.recv(100) == b""  # closed by the server, not by us
        assert time.monotonic() - started < 40


def test_a_small_update_cut_short_is_completed_by_the_next_build(cli, tmp_path, monkeypatch):
    files = {f"content/{i}.md": f"---\ntitle: مقال {i}\ndate: 2020-01-{i + 1:02}\ntags: [وسم]\n---\nنص {i}\n"
             for i in range(12)}
    site = write_site(tmp_path / "site", files)
    assert cli("build", site, "--no-search").status == 0
    write_site(site, {"content/3.md": "---\ntitle: مقال 3\ndate: 2020-01-04\ntags: [وسم]\n---\nنص معدل\n"})
    real_replace, moves = os.replace, []

    def replace_then_die(source, target):  # as if killed after two pages were moved into place
        if ".build.staging-" in str(source):
            moves.append(target)
            if len(moves) > 2:
                raise KeyboardInterrupt
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_die)
    assert cli("build", site, "--no-search").status == 130  # interrupted
    monkeypatch.undo()
    assert len(moves) == 3
    assert cli("build", site, "--no-search").status == 0
    clean = tmp_path / "clean"
    assert cli("build", site, "--no-search", "--clean", "-o", clean).status == 0
    assert snapshot(site / "build") == snapshot(clean)


def test_a_small_update_leaves_what_it_replaced_and_removed_to_a_background_deletion(cli, tmp_path, monkeypatch):
    # Freeing a large file's space can take a large part of a second: the files an update in
    # place replaces or removes go, with the staging folder, into a folder deleted in the background.
    def text(i: int, tags: str) -> str:
        return f"---\ntitle: مقال {i}\nslug: a{i}\ndate: 2020-01-{i + 1:02}\ntags: [{tags}]\n---\nنص {i}\n"

    site = write_site(tmp_path / "site", {f"content/{i}.md": text(i, "وسم, نادر" if i == 0 else "وسم")
                                          for i in range(12)})
    assert cli("build", site, "--no-search").status == 0
    page, rare = site / "build/articles/a0/index.html", site / "build/tags/نادر/index.html"
    replaced, removed = page.read_bytes(), rare.read_bytes()
    write_site(site, {"content/0.md": text(0, "وسم")})  # its page changes; the rare tag's pages go
    handed = []
    monkeypatch.setattr(publish, "remove_in_background", handed.append)
    assert cli("build", site, "--no-search").status == 0
    assert page.read_bytes() != replaced and not rare.exists()
    assert len(handed) == 1 and handed[0].name.startswith(f".build.old-{os.getpid()}.")
    kept = [path.read_bytes() for path in handed[0].rglob("*") if path.is_file()]
    assert replaced in kept and removed in kept
    assert not list(site.glob(".build.staging-*"))
    assert cli("build", site, "--no-search", "--clean", "-o", tmp_path / "clean").status == 0
    assert snapshot(site / "build") == snapshot(tmp_path / "clean")


def test_builds_of_one_process_retire_outputs_under_names_of_their_own(cli, tmp_path, monkeypatch):
    # An earlier build's retired output may still be being deleted when the next build retires its own.
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان")})
    handed = []
    monkeypatch.setattr(fsops, "remove_in_background", handed.append)  # deletions that have not finished
    for _ in range(3):  # the first has no output to retire
        assert cli("build", site, "--no-search", "--clean").status == 0
    assert len(set(handed)) == 2 and all(folder.is_dir() for folder in handed)
    assert (site / "build/articles").is_dir()


def test_a_background_deletion_cut_short_is_finished_by_the_next_build(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": article("عنوان"),
                                          ".build.old-2019.1/notes.txt": "ملاحظات"})  # a user's: no mark
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = write_site(site, {f".build.old-{gone.stdout.strip()}.3/{scratch.OWNED}": "",
                             f".build.old-{gone.stdout.strip()}.3/tags/index.html": "<p>قديم</p>"})
    assert cli("build", site, "--no-search").status == 0
    assert not (left / f".build.old-{gone.stdout.strip()}.3").exists()
    assert (site / ".build.old-2019.1/notes.txt").is_file()


def test_a_new_cache_is_read_back_by_the_next_build(tmp_path):
    records = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    records.put("parse", "content/a.md", (1, 2, 3, 4), ("value", [1, 2]))
    records.save()
    again = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    assert again.problems == [] and not again.stale
    assert list(again.entries) == [("parse", "content/a.md")]
    assert cache_module.RecordCache.for_site(tmp_path, "other salt", tmp_path / "cache").entries == {}


def test_cache_values_are_read_when_asked_for_and_a_vanished_one_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "AMBIGUOUS_NS", 0)
    records = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    for name in ("a", "b"):
        records.put("parse", f"content/{name}.md", (1, 2, 3, 4), (name, [1, 2]))
    records.save()
    again = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    # Opening reads the states only: no record is held in memory before it is used.
    assert all(value is None for _state, _stored, value in again.entries.values())
    assert again.get("parse", "content/a.md", (1, 2, 3, 4)) == ("a", [1, 2])
    assert again.get("parse", "content/a.md", (1, 2, 3, 5)) is None  # the file changed
    # A row that went away behind the cache's back is a miss with a warning, never an error.
    again.close()
    with sqlite3.connect(tmp_path / "cache" / cache_module.DATABASE) as db:
        db.execute("DELETE FROM records WHERE path = 'content/b.md'")
    db.close()
    assert again.get("parse", "content/b.md", (1, 2, 3, 4)) is None
    assert "damaged" in str(again.take_problems()[0])
    # Nothing is created where the database is missing.
    again.close()
    (tmp_path / "cache" / cache_module.DATABASE).unlink()
    assert again.get("parse", "content/a.md", (1, 2, 3, 4)) is None
    assert not (tmp_path / "cache" / cache_module.DATABASE).exists()


def test_a_lazy_cache_reads_only_the_entries_asked_for_and_drops_none(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "AMBIGUOUS_NS", 0)
    records = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    for n in range(60):  # more than FEW_ENTRIES: read in one pass
        records.put("parse", f"content/{n}.md", (1, 2, 3, n), f"value {n}")
    records.save()
    lazy = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache", lazy=True)
    assert lazy.entries == {} and not lazy.stale
    assert lazy.get("parse", "content/7.md", (1, 2, 3, 7)) == "value 7"
    assert lazy.get("parse", "content/8.md", (1, 2, 3, 0)) is None  # another state: a miss
    assert lazy.get("parse", "content/none.md", (1, 2, 3, 0)) is None
    assert set(lazy.entries) == {("parse", "content/7.md"), ("parse", "content/8.md")}
    assert lazy.get_many("parse", [(f"content/{n}.md", (1, 2, 3, n)) for n in range(60)]) == [
        f"value {n}" for n in range(60)]
    lazy.put("parse", "content/7.md", (1, 2, 3, 70), "value 70")
    lazy.save()  # prunes nothing: it did not read what the others are
    again = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    assert len(again.entries) == 60 and again.get("parse", "content/7.md", (1, 2, 3, 70)) == "value 70"
    # Under another salt a lazy cache holds nothing.
    assert cache_module.RecordCache.for_site(tmp_path, "other", tmp_path / "cache", lazy=True).get(
        "parse", "content/1.md", (1, 2, 3, 1)) is None


def test_a_large_build_writes_its_cache_as_it_goes_and_a_failed_write_keeps_the_values(tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "AMBIGUOUS_NS", 0)
    monkeypatch.setattr(cache_module, "WRITE_EVERY", 3)
    records = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    for n in range(7):
        records.put("parse", f"content/{n}.md", (1, 2, 3, n), f"value {n}")
    # Six were written in two batches before the build's end: their values are no longer held.
    assert len(records.changed) == 1 and sum(value is None for *_, value in records.entries.values()) == 6
    assert records.get("parse", "content/4.md", (1, 2, 3, 4)) == "value 4"
    records.save()
    again = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache")
    assert again.get_many("parse", [(f"content/{n}.md", (1, 2, 3, n)) for n in range(7)]) == [
        f"value {n}" for n in range(7)]

    def refuse(path):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(cache_module, "_connect", refuse)
    failing = cache_module.RecordCache.for_site(tmp_path, "salt", tmp_path / "cache2")
    for n in range(7):
        failing.put("parse", f"content/{n}.md", (1, 2, 3, n), f"value {n}")
    failing.save()
    warnings = failing.take_problems()
    assert len(warnings) == 1 and "could not be written" in str(warnings[0])  # said once, not per batch
    # What this build made is still there for the next build of the same process.
    assert failing.get("parse", "content/6.md", (1, 2, 3, 6)) == "value 6"
    assert failing.get("parse", "content/0.md", (1, 2, 3, 0)) == "value 0"


def test_a_preview_rebuild_reads_only_the_changed_files_from_the_cache(tmp_path, monkeypatch):
    from archive_site.build import Builder, BuildOptions
    from archive_site.publish import StagingWriter

    monkeypatch.setattr(cache_module, "AMBIGUOUS_NS", 0)
    site = write_site(tmp_path / "site", {f"content/{n}.md": article(f"عنوان {n}", f"النص رقم {n}.")
                                          for n in range(3)})
    asked: list[list[str]] = []
    get_many = cache_module.RecordCache.get_many

    def counting(self, what, wanted):
        if what == "parse":
            asked.append([rel for rel, _state in wanted])
        return get_many(self, what, wanted)

    monkeypatch.setattr(cache_module.RecordCache, "get_many", counting)
    builder = Builder(site, BuildOptions(out_dir=tmp_path / "out", search=False))
    assert builder.build(writer_factory=StagingWriter).published  # as the preview builds
    (site / "content/1.md").write_text(article("عنوان 1", "نص جديد."), encoding="utf-8")
    report = builder.build(writer_factory=StagingWriter)
    assert report.published and asked[-1] == ["content/1.md"]
    assert "نص جديد" in all_text(tmp_path / "out/articles")
    # The cache still has every file for the next command-line build.
    again = cache_module.RecordCache.for_site(site, builder.cache.salt.split("|", 2)[2])
    for kind in ("parse", "body"):
        assert {rel for what, rel in again.entries if what == kind} == {f"content/{n}.md" for n in range(3)}
