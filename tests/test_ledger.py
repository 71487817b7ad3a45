"""Permanent addresses and intake dates, kept in ledger.tsv: an address
survives edits, renames and moves; a slug change leaves a redirect."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import pytest
from conftest import write_site

TEXT = "مدرسه الحي بعد القصف\n\nعاد التلاميذ إلى المدرسة بعد ترميم جدرانها.\n"


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path / "site", {
        "content/school.txt": TEXT,
        "content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\n---\n\nنص.\n",
    })


def article_folders(site) -> set[str]:
    return {p.name for p in (site / "build/articles").iterdir()}


def test_a_title_correction_keeps_the_address(cli, site):
    assert cli("build", site).status == 0
    before = article_folders(site)
    assert "مدرسه-الحي-بعد-القصف" in before
    (site / "content/school.txt").write_text(TEXT.replace("مدرسه", "مدرسة", 1), encoding="utf-8")
    assert cli("build", site).status == 0
    assert article_folders(site) == before
    page = (site / "build/articles/مدرسه-الحي-بعد-القصف/index.html").read_text(encoding="utf-8")
    assert "<h1>مدرسة الحي بعد القصف</h1>" in page


def test_a_renamed_or_moved_file_keeps_its_address(cli, site):
    assert cli("build", site).status == 0
    before = article_folders(site)
    (site / "content/2024").mkdir()
    (site / "content/school.txt").rename(site / "content/2024/renamed.txt")
    assert cli("build", site).status == 0
    assert article_folders(site) == before
    ledger = (site / "ledger.tsv").read_text(encoding="utf-8")
    assert "content/2024/renamed.txt\tمدرسه-الحي-بعد-القصف\t" in ledger and "content/school.txt" not in ledger


def test_a_slug_change_leaves_a_redirect_listed_nowhere(cli, site):
    write_site(site, {"content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\nslug: first\n---\n\nنص.\n"})
    assert cli("build", site).status == 0
    write_site(site, {"content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\nslug: second\n---\n\nنص.\n"})
    assert cli("build", site).status == 0
    old = (site / "build/articles/first/index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../../articles/second/">' in old
    assert '<link rel="canonical" href="http://localhost:8000/articles/second/">' in old
    assert '<meta name="robots" content="noindex">' in old
    assert (site / "build/articles/second/index.html").is_file()
    assert "articles/first/" not in (site / "build/sitemap.xml").read_text(encoding="utf-8")
    assert "articles/first/" not in (site / "build/index.html").read_text(encoding="utf-8")
    # Going back to the first address moves the redirect the other way.
    write_site(site, {"content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\nslug: first\n---\n\nنص.\n"})
    assert cli("build", site).status == 0
    assert "url=../../articles/first/" in (site / "build/articles/second/index.html").read_text(encoding="utf-8")
    assert "http-equiv" not in (site / "build/articles/first/index.html").read_text(encoding="utf-8")


def test_an_address_is_never_given_to_another_article(cli, site):
    assert cli("build", site).status == 0
    (site / "content/school.txt").unlink()
    assert cli("build", site).status == 0
    write_site(site, {"content/other.txt": TEXT.replace("بعد ترميم", "قبل ترميم")})  # same title, other text
    assert cli("build", site).status == 0
    assert "مدرسه-الحي-بعد-القصف" not in article_folders(site)
    assert any(name.startswith("مدرسه-الحي-بعد-القصف-") for name in article_folders(site))


def test_an_undated_text_gets_its_intake_date_labelled_as_such(cli, site):
    assert cli("build", site).status == 0
    today = dt.date.today()
    page = (site / "build/articles/مدرسه-الحي-بعد-القصف/index.html").read_text(encoding="utf-8")
    assert f'<span class="date-kind">تاريخ الورود:</span> <time datetime="{today.isoformat()}">' in page
    month = (site / f"build/archive/{today:%Y}/{today:%m}/index.html").read_text(encoding="utf-8")
    assert "مدرسه الحي بعد القصف" in month and '<span class="date-kind">(تاريخ الورود)</span>' in month
    # A sidecar's date wins over the intake date.
    write_site(site, {"content/school.yml": "date: 2018-05-06\n"})
    assert cli("build", site).status == 0
    page = (site / "build/articles/مدرسه-الحي-بعد-القصف/index.html").read_text(encoding="utf-8")
    assert '<span class="date-kind">تاريخ النشر:</span> <time datetime="2018-05-06">' in page


def test_files_older_than_the_ledger_take_the_day_git_added_them(cli, site):
    env = {**os.environ, "GIT_AUTHOR_DATE": "2017-03-04T10:00:00", "GIT_COMMITTER_DATE": "2017-03-04T10:00:00",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    for command in (["init", "-q"], ["add", "content"], ["commit", "-q", "-m", "texts"]):
        subprocess.run(["git", *command], cwd=site, env=env, check=True)
    assert cli("build", site).status == 0
    assert "content/school.txt\tمدرسه-الحي-بعد-القصف\t2017-03-04\t" in (site / "ledger.tsv").read_text(encoding="utf-8")


def test_check_fails_until_the_ledger_is_up_to_date(cli, site):
    run = cli("check", site)
    assert run.status == 1
    assert "error: ledger.tsv: out of date: 2 articles with no permanent address yet (first: content/dated.md)" \
        in run.err
    assert cli("build", site, "--drafts").status == 0
    assert not (site / "ledger.tsv").exists()  # --drafts never records addresses
    assert cli("build", site).status == 0
    assert cli("check", site).status == 0


def test_a_damaged_ledger_is_a_clear_error(cli, site):
    assert cli("build", site).status == 0
    ledger = site / "ledger.tsv"
    lines = ledger.read_text(encoding="utf-8").splitlines()
    ledger.write_text("\n".join(lines[:-1] + ["<<<<<<< HEAD", lines[-1], "=======", ">>>>>>> other"]) + "\n",
                      encoding="utf-8")
    run = cli("build", site)
    assert run.status == 1 and f"error: ledger.tsv:{len(lines)}: an unresolved merge conflict" in run.err
    ledger.write_text("content/a.txt\tslug\tnot-a-date\tabc\t\n", encoding="utf-8")
    run = cli("build", site)
    assert run.status == 1 and "error: ledger.tsv:1: expected five tab-separated fields" in run.err
    ledger.write_text("content/a.txt\t../../etc\t2020-01-01\tabc\t\n", encoding="utf-8")
    run = cli("build", site)
    assert run.status == 1 and "is not an address an article can have" in run.err


def test_a_taken_down_article_is_published_nowhere_and_its_address_says_so(cli, site):
    write_site(site, {"content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\nslug: report\n"
                                          "places: [حلب]\n---\n\nشهادة شاهد اسمه سمير.\n"})
    assert cli("build", site).status == 0
    write_site(site, {"content/dated.yml": "x\n",  # a sidecar of a .md file is skipped
                      "content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\nslug: report\n"
                                          "places: [حلب]\ntakedown: طلب الشاهد ذلك\n---\n\nشهادة شاهد اسمه سمير.\n"})
    assert cli("build", site).status == 0
    page = (site / "build/articles/report/index.html").read_text(encoding="utf-8")
    assert "أُزيل هذا المقال" in page and '<meta name="robots" content="noindex">' in page
    assert "سمير" not in page and "طلب الشاهد" not in page
    for path in (site / "build").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml"):
            assert "سمير" not in path.read_text(encoding="utf-8"), path
            assert "تقرير مؤرخ" not in path.read_text(encoding="utf-8"), path
    assert "articles/report/" not in (site / "build/sitemap.xml").read_text(encoding="utf-8")


def test_corrections_aliases_and_the_file_digest_on_the_page(cli, site):
    write_site(site, {"content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\nslug: report\n"
                                          "aliases: [old-report]\ncorrections:\n"
                                          "  - {date: 2019-08-05, note: صُحّح عدد الضحايا}\n---\n\nنص.\n"})
    assert cli("build", site).status == 0
    page = (site / "build/articles/report/index.html").read_text(encoding="utf-8")
    assert '<h2 id="corrections-title">تصحيحات</h2>' in page
    assert '<time datetime="2019-08-05">5 آب 2019</time>: صُحّح عدد الضحايا' in page
    digest = __import__("hashlib").sha256((site / "content/dated.md").read_bytes()).hexdigest()
    assert f'<code dir="ltr">{digest}</code>' in page
    assert "url=../../articles/report/" in (site / "build/articles/old-report/index.html").read_text(encoding="utf-8")
    write_site(site, {"content/other.md": "---\ntitle: آخر\ndate: 2019-08-04\naliases: [report]\n---\n\nنص.\n"})
    run = cli("build", site)
    assert run.status == 1 and "error: content/other.md: alias 'report' is the address of content/dated.md" in run.err
    write_site(site, {"content/other.md": "---\ntitle: آخر\ncorrections: [2019-01-01]\n---\n\nنص.\n"})
    run = cli("build", site)
    assert run.status == 1 and "error: content/other.md:3: each correction needs a 'date' and a 'note'" in run.err


def test_originals_are_published_only_when_the_site_asks_and_noindex_is_kept_out_of_the_sitemap(cli, site):
    received = TEXT.encode("cp1256")  # published byte for byte, whatever the encoding
    (site / "content/school.txt").write_bytes(received)
    write_site(site, {"content/dated.md": "---\ntitle: تقرير مؤرخ\ndate: 2019-08-03\nslug: report\nnoindex: true\n"
                                          "---\n\nنص.\n"})
    assert cli("build", site).status == 0
    assert not list((site / "build/articles").glob("*/original.*"))
    report = (site / "build/articles/report/index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in report
    assert "articles/report/" not in (site / "build/sitemap.xml").read_text(encoding="utf-8")
    write_site(site, {"site.yml": "publish_originals: true\n"})
    assert cli("build", site).status == 0
    assert (site / "build/articles/مدرسه-الحي-بعد-القصف/original.txt").read_bytes() == received
    assert (site / "build/articles/report/original.md").read_bytes() == (site / "content/dated.md").read_bytes()
    page = (site / "build/articles/مدرسه-الحي-بعد-القصف/index.html").read_text(encoding="utf-8")
    assert 'href="../../articles/مدرسه-الحي-بعد-القصف/original.txt" type="text/plain">الملف كما ورد</a>' in page
