"""The command line's own behaviour: help, `new`, `check`, usage errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from conftest import write_site


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
    assert f"date: {today.isoformat()}" in text
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
    assert "1 articles read, 2 error(s)" in run.out
    assert not (tmp_path / "build").exists()
