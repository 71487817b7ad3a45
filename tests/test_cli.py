"""The command line's own behaviour: help, `new`, `check`, usage errors."""

from __future__ import annotations

import datetime as dt
import json
import re
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


def test_the_command_ends_without_losing_output_or_its_status(tmp_path):
    """The command exits without freeing what it held (cli.run): what it
    printed still reaches a pipe whole, its exit handlers run, and the
    status is the one main() gave."""
    site = write_site(tmp_path / "site", {
        "content/a.md": "---\ntitle: خبر\ndate: 2020-01-01\n---\nنص الخبر.\n",
        "content/b.md": "---\ntitle: خبر آخر\ndate: 2020-01-02\ntags: [\"تجربة\"\n---\nنص.\n"})
    marker = tmp_path / "exit-handler-ran"
    script = ("import atexit, pathlib, sys\n"
              f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
              "sys.argv[0] = 'archive-site'\n"
              "from archive_site.cli import run\n"
              "run()\n")
    failed = subprocess.run([sys.executable, "-c", script, "build", str(site), "--no-search", "-v"],
                            capture_output=True, text=True)
    assert failed.returncode == 1
    assert "content/b.md" in failed.stderr and marker.read_text() == "yes"
    (site / "content/b.md").unlink()
    built = subprocess.run([sys.executable, "-m", "archive_site", "build", str(site), "--no-search", "-v"],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    assert "Published 1 article" in built.stdout


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


def test_init_makes_a_site_that_builds_and_never_overwrites(cli, tmp_path):
    site = tmp_path / "new-site"
    run = cli("init", site)
    assert run.status == 0 and "archive-site serve" in run.out
    assert (site / "site.yml").is_file() and (site / ".gitignore").read_text() == "build/\n.archive-site-cache/\n"
    build = cli("build", site)
    assert build.status == 0, build.err
    assert "Published 2 articles" in build.out
    assert cli("check", site).status == 0
    (site / "site.yml").write_text("title: غيري\n", encoding="utf-8")
    again = cli("init", site)
    assert again.status == 2 and "already has site.yml" in again.err
    assert (site / "site.yml").read_text(encoding="utf-8") == "title: غيري\n"


def test_articles_dated_in_the_future_wait_unless_asked(cli, tmp_path):
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)).date()
    site = write_site(tmp_path, {
        "content/now.md": "---\ntitle: الآن\ndate: 2020-01-01\n---\n\nنص.\n",
        "content/later.md": f"---\ntitle: لاحقاً\ndate: {soon}\nslug: later\n---\n\nنص.\n",
    })
    run = cli("build", site)
    assert run.status == 0 and "1 dated in the future, held back (--future publishes them)" in run.out
    assert not (site / "build/articles/later").exists()
    assert "1 dated in the future" in cli("build", site).out  # said again when nothing changed
    assert cli("build", site, "--future").status == 0
    assert (site / "build/articles/later/index.html").is_file()
    write_site(site, {"site.yml": "timezone: Mars/Olympus\n"})
    run = cli("build", site)
    assert run.status == 1 and "site.yml:1: unknown time zone 'Mars/Olympus'" in run.err


def test_check_speaks_json_for_ci(cli, tmp_path):
    write_site(tmp_path, {"content/a.md": "---\ntitle: أ\ndate: 2020-01-01\n---\n\nنص.\n",
                          "content/b.md": "---\ntitle: ''\n---\n"})
    run = cli("check", tmp_path, "--format", "json")
    report = json.loads(run.out)
    assert run.status == 1
    assert [a["path"] for a in report["articles"]] == ["content/a.md"]
    assert report["articles"][0]["date_source"] == "front matter" and report["articles"][0]["in_ledger"] is False
    assert {e["path"] for e in report["errors"]} == {"content/b.md", "ledger.tsv"}


def test_a_large_build_says_each_phase_as_it_starts(cli, tmp_path, monkeypatch):
    from archive_site import build

    monkeypatch.setattr(build, "PHASE_LINES_FROM", 2)  # "large": two articles will do here
    site = write_site(tmp_path, {f"content/{n}.md": f"---\ntitle: مقال {n}\ndate: 2020-01-0{n}\n---\n\nنص.\n"
                                 for n in (1, 2)})
    run = cli("build", site)
    phases = [line for line in run.err.splitlines() if not line.startswith("content/")]
    assert phases[:3] == ["reading 2 article files", "finding places and actors in 2 articles",
                          "planning the pages of 2 articles"]
    # Planned and rendered together, part by part: how far it got, by tenths.
    assert phases[3:] and all(re.fullmatch(r"\d+0% of the pages planned and rendered", line) for line in phases[3:])
    assert phases[-1] == "100% of the pages planned and rendered"
    assert "reading" not in cli("build", site, "--clean", "-q").err
