"""The command line's own behaviour: help, `new`, `check`, usage errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from conftest import snapshot, write_site


def test_help_lists_the_commands():
    run = subprocess.run([sys.executable, "-m", "archive_site", "--help"], capture_output=True, text=True)
    assert run.returncode == 0
    for command in ("build", "check", "new"):
        assert command in run.stdout


def test_usage_error_exits_2(cli, tmp_path):
    run = subprocess.run([sys.executable, "-m", "archive_site", "build", str(tmp_path / "missing")],
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert "is not a folder" in run.stderr


def test_new_writes_a_dated_article_and_refuses_to_overwrite(cli, tmp_path):
    run = cli("new", "تقرير عن \"المياه\" في الحسكة", tmp_path)
    assert run.status == 0
    today = dt.date.today()
    path = tmp_path / f"content/{today:%Y}/{today:%m}/تقرير-عن-المياه-في-الحسكة.md"
    assert run.out.strip() == str(path)
    assert cli("check", tmp_path).status == 0
    text = path.read_text(encoding="utf-8")
    assert f"date: {today.isoformat()}" in text and "draft: true" in text
    assert cli("new", "تقرير عن \"المياه\" في الحسكة", tmp_path).status == 1


def test_check_reports_every_bad_file_and_exits_1(cli, tmp_path):
    write_site(tmp_path, {
        "content/a.md": "---\ntitle: جيد\n---\nنص\n",
        "content/b.md": "---\ntitle: ''\n---\nنص\n",
        "content/c.md": "بلا رأس\n",
    })
    run = cli("check", tmp_path)
    assert run.status == 1
    assert "error: content/b.md:2: 'title' is empty" in run.err
    assert "error: content/c.md:1: missing front matter" in run.err
    assert "error: ledger.tsv: out of date: 1 article with no permanent address yet (first: content/a.md)" in run.err
    assert "1 article read, 3 errors" in run.out
    assert not (tmp_path / "build").exists()


def test_theme_export_copies_the_built_in_templates_without_overwriting(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": "---\ntitle: عنوان\ndate: 2020-01-01\n---\nنص\n",
                                          "templates/partials/footer.html": "<footer>تذييلنا</footer>\n"})
    plain = tmp_path / "plain"
    assert cli("build", site, "-o", plain).status == 0
    run = cli("theme", "export", "--site", site)
    assert run.status == 0
    assert "kept " in run.out and "partials/footer.html: it exists already" in run.out
    assert (site / "templates/partials/footer.html").read_text(encoding="utf-8") == "<footer>تذييلنا</footer>\n"
    assert (site / "templates/article.html").is_file() and (site / "templates/partials/card.html").is_file()
    # The exported copies are the built-in templates: the site builds the same.
    exported = tmp_path / "exported"
    assert cli("build", site, "-o", exported).status == 0
    assert snapshot(exported, marker=False) == snapshot(plain, marker=False)
    run = cli("theme", "export", "../../etc/passwd", "--site", site)
    assert run.status == 2 and "no built-in template named ../../etc/passwd" in run.err
