"""A build with nothing to do finds it out from file states alone, reports
what the previous build did, and never hides a change."""

from __future__ import annotations

import os
import re

import pytest
from conftest import snapshot, write_site

from archive_site import unchanged


@pytest.fixture(autouse=True)
def no_ambiguity_window(monkeypatch):
    """Files written just before a build are taken as they are (the window
    that guards against same-tick edits would otherwise make every build
    of a test site do its work)."""
    monkeypatch.setattr(unchanged, "AMBIGUOUS_NS", 0)


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path / "site", {
        "site.yml": "title: أرشيف\n",
        "content/a.md": "---\ntitle: الأول\ndate: 2020-01-02\nplaces: [حلب]\n---\n\nنص قصير.\n",
        "content/b.txt": "الثاني\n\nنص المقال الثاني عن إدلب.\n",
        "content/notes.docx": "x",
        "static/extra.css": "p { color: red; }\n",
    })


def test_a_second_build_does_nothing_and_says_the_same(cli, site):
    first = cli("build", site)
    assert first.status == 0 and "1 other file skipped" in first.out
    before = snapshot(site / "build")
    second = cli("build", site)
    assert second.status == 0
    assert "nothing changed since the last build" in second.out
    assert second.err == first.err  # the same warnings, again
    assert second.out.splitlines()[1] == first.out.splitlines()[1]  # the same account of files
    pages = re.compile(r"\): (\d+) pages, ")  # the same count of pages, as a number
    assert pages.search(second.out).group(1) == pages.search(first.out).group(1)
    assert snapshot(site / "build") == before


CHANGES = {
    "an article": lambda s: (s / "content/a.md").write_text(
        "---\ntitle: الأول معدل\ndate: 2020-01-02\n---\n\nنص.\n", encoding="utf-8"),
    "a new article": lambda s: (s / "content/c.md").write_text("---\ntitle: ثالث\n---\n\nنص.\n", encoding="utf-8"),
    "a deleted article": lambda s: (s / "content/b.txt").unlink(),
    "a static file": lambda s: (s / "static/extra.css").write_text("p { color: blue; }\n", encoding="utf-8"),
    "a site template": lambda s: write_site(s, {"templates/partials/footer.html": "<footer>جديد</footer>\n"}),
    "site.yml": lambda s: (s / "site.yml").write_text("title: أرشيف آخر\n", encoding="utf-8"),
    "the gazetteer": lambda s: write_site(s, {"gazetteer.yml": "places:\n- {slug: aleppo, name: حلب}\nactors: []\n"}),
    "a page of the output": lambda s: (s / "build/archive/index.html").unlink(),
    "the output's marker": lambda s: (s / "build/.archive-site").write_text("{}", encoding="utf-8"),
    "a touched file": lambda s: os.utime(s / "content/b.txt"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_makes_the_build_do_its_work(cli, site, tmp_path, change):
    assert cli("build", site).status == 0
    CHANGES[change](site)
    run = cli("build", site)
    assert run.status == 0, run.err
    assert "nothing changed" not in run.out
    # And the result is what a clean build gives.
    assert cli("build", site, "--clean", "-o", tmp_path / "clean").status == 0
    assert snapshot(site / "build", marker=False) == snapshot(tmp_path / "clean", marker=False)


@pytest.mark.parametrize("flags", [("--drafts",), ("--base-url", "https://example.org/"), ("--keep-going",)])
def test_other_options_make_the_build_do_its_work(cli, site, flags):
    assert cli("build", site).status == 0
    assert "nothing changed" not in cli("build", site, *flags).out
    assert "nothing changed" in cli("build", site, *flags).out


def test_clean_and_errors_are_never_skipped(cli, site):
    assert cli("build", site).status == 0
    assert "nothing changed" not in cli("build", site, "--clean").out
    write_site(site, {"content/bad.md": "---\ntitle: [\n---\n"})
    for _ in range(2):
        run = cli("build", site)
        assert run.status == 1 and "content/bad.md" in run.err and "nothing changed" not in run.out


def test_a_site_with_plugins_always_does_its_work(cli, site):
    write_site(site, {"plugins/p.py": "def on_site(site, context):\n    pass\n",
                      "site.yml": "title: أرشيف\nplugins: [plugins/p.py]\n"})
    assert cli("build", site).status == 0
    assert "nothing changed" not in cli("build", site).out


def test_nothing_changed_holds_only_until_a_waiting_article_is_due(cli, site, monkeypatch):
    import datetime as dt
    import time

    soon = dt.datetime.now(dt.timezone.utc).astimezone(dt.timezone(dt.timedelta(hours=3))) + dt.timedelta(hours=1)
    write_site(site, {"content/later.md": f"---\ntitle: لاحقاً\ndate: {soon:%Y-%m-%d %H:%M}\nslug: later\n---\n\nنص.\n"})
    assert "held back" in cli("build", site).out
    assert "nothing changed" in cli("build", site).out
    later = time.time() + 2 * 3600
    monkeypatch.setattr(unchanged.time, "time", lambda: later)
    assert "nothing changed" not in cli("build", site).out


def test_the_output_measured_by_a_forked_process_sees_every_change(cli, site, monkeypatch):
    """On a large site the output's folders are measured by a process forked
    as the build starts (unchanged.FORK_FROM folders and more): it sees a
    page deleted and a file added, and is never left behind as a zombie,
    whether its answer is used or not."""
    monkeypatch.setattr(unchanged, "FORK_FROM", 0)
    forked = []

    def measure(*args):
        found = measure_in_child(*args)
        forked.append(found[0])
        return found

    measure_in_child = unchanged._measure_in_child
    monkeypatch.setattr(unchanged, "_measure_in_child", measure)

    def left_behind() -> list[int]:
        left = []
        for pid in forked:
            try:
                os.waitpid(pid, os.WNOHANG)  # a child not waited for yet: left behind
            except ChildProcessError:
                continue
            left.append(pid)
        return left

    assert cli("build", site).status == 0
    assert "nothing changed" in cli("build", site).out
    (site / "build/archive/index.html").unlink()
    assert "nothing changed" not in cli("build", site).out
    assert "nothing changed" in cli("build", site).out
    (site / "build/archive/notes.txt").write_text("x", encoding="utf-8")
    assert "nothing changed" not in cli("build", site).out
    CHANGES["an article"](site)  # the key differs: the measuring process is stopped
    assert "nothing changed" not in cli("build", site).out
    assert len(forked) == 5 and not left_behind()
