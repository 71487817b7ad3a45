"""Plugins: site code listed in site.yml runs at the build's events."""

from __future__ import annotations

import json

from conftest import write_site

PLUGIN = '''
import json


def on_env(env, context):
    env.filters["shout"] = lambda text: text + "!"


def on_articles(articles, context):
    return [a for a in articles if "سري" not in a.title]  # a plugin may hold articles back


def on_plans(plans, context):
    articles = sorted(p.path for p in plans if p.path.startswith("articles/") and p.path.endswith(".html"))
    return plans + [context.data_page("data/articles.json", json.dumps(articles, ensure_ascii=False))]


def on_published(out_dir, context):
    (out_dir.parent / "published.txt").write_text(str(out_dir), encoding="utf-8")
'''


def site_files(listed: bool) -> dict[str, str]:
    return {
        "content/a.md": "---\ntitle: أول\nslug: a\n---\nنص\n",
        "content/b.md": "---\ntitle: مقال سري\nslug: b\n---\nنص\n",
        "plugins/stats.py": PLUGIN,
        "templates/partials/footer.html": "<footer>{{ site.title | shout }}</footer>\n",
        "site.yml": "title: أرشيف\n" + ("plugins: [plugins/stats.py]\n" if listed else ""),
    }


def test_a_site_plugin_adds_a_filter_a_data_page_and_sees_every_event(cli, tmp_path):
    site = write_site(tmp_path / "site", site_files(listed=True))
    run = cli("build", site)
    assert run.status == 0, run.err
    assert "<footer>أرشيف!</footer>" in (site / "build/index.html").read_text(encoding="utf-8")
    assert json.loads((site / "build/data/articles.json").read_text(encoding="utf-8")) == ["articles/a/index.html"]
    assert (site / "published.txt").read_text(encoding="utf-8") == str((site / "build").resolve())
    # An edit to the plugin re-renders what it may change.
    write_site(site, {"plugins/stats.py": PLUGIN.replace('"!"', '"؟"')})
    assert cli("build", site).status == 0
    assert "<footer>أرشيف؟</footer>" in (site / "build/index.html").read_text(encoding="utf-8")


def test_a_plugin_runs_only_when_site_yml_lists_it(cli, tmp_path):
    site = write_site(tmp_path / "site", site_files(listed=False))
    run = cli("build", site)
    assert run.status == 1
    assert "templates/partials/footer.html:1: template error: No filter named 'shout'" in run.err
    assert not (site / "published.txt").exists()


def test_a_failing_or_missing_plugin_is_a_clear_error(cli, tmp_path):
    site = write_site(tmp_path / "site", {**site_files(listed=True),
                                          "plugins/stats.py": "def on_plans(plans, context):\n    return 1 / 0\n"})
    run = cli("build", site)
    assert run.status == 1
    assert "error: plugins/stats.py: plugin failed in on_plans: ZeroDivisionError" in run.err
    write_site(site, {"site.yml": "plugins: [nowhere.py, ../outside.py]\n"})
    run = cli("build", site)
    assert run.status == 1 and "plugin file 'nowhere.py' is not a file in the site folder" in run.err
    write_site(site, {"site.yml": "plugins: [no-such-plugin]\n"})
    run = cli("build", site)
    assert run.status == 1 and "unknown plugin 'no-such-plugin'" in run.err


FOLDER_PLUGIN = '''
import json


def on_output(output, context):
    fingerprint = "|".join(sorted(context.digests.values()))
    target = output.folder("downloads", fingerprint)
    if target is None:
        context.extra["kept"] = True
        (context.site_dir / "kept.txt").write_text("kept", encoding="utf-8")
        return
    target.mkdir()
    titles = [article.title for article in context.site.articles]
    (target / "titles.json").write_text(json.dumps(titles, ensure_ascii=False), encoding="utf-8")
    output.done("downloads", fingerprint)
'''


def test_a_plugin_writes_a_whole_folder_kept_while_its_fingerprint_holds(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/a.md": "---\ntitle: أول\nslug: a\n---\nنص\n",
        "plugins/downloads.py": FOLDER_PLUGIN,
        "site.yml": "plugins: [plugins/downloads.py]\n",
    })
    assert cli("build", site).status == 0
    assert json.loads((site / "build/downloads/titles.json").read_text(encoding="utf-8")) == ["أول"]
    assert cli("build", site).status == 0
    assert (site / "kept.txt").exists() and (site / "build/downloads/titles.json").exists()
    write_site(site, {"content/b.md": "---\ntitle: ثان\nslug: b\n---\nنص\n"})
    assert cli("build", site).status == 0
    assert sorted(json.loads((site / "build/downloads/titles.json").read_text(encoding="utf-8"))) == ["أول", "ثان"]
    # Without the plugin the folder goes with the next build.
    write_site(site, {"site.yml": "title: أرشيف\n"})
    assert cli("build", site).status == 0
    assert not (site / "build/downloads").exists()


def test_a_plugin_cannot_write_a_folder_over_the_site_pages(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/a.md": "---\ntitle: أول\nslug: a\n---\nنص\n",
        "plugins/downloads.py": FOLDER_PLUGIN.replace('"downloads"', '"articles"'),
        "site.yml": "plugins: [plugins/downloads.py]\n",
    })
    run = cli("build", site)
    assert run.status == 1
    assert "plugin failed in on_output: ValueError: output folder name 'articles' is taken by the site's pages" in run.err
    assert not (site / "build").exists()
