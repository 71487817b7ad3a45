"""Standalone pages listed in site.yml (`extra_pages:`)."""

from __future__ import annotations

from conftest import write_site

ABOUT = "---\ntitle: عن الأرشيف\nslug: about\n---\n\nيوثّق هذا الأرشيف **الانتهاكات** منذ 2011.\n"


def test_extra_pages_are_published_linked_and_listed(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/a.md": "---\ntitle: مقال\ndate: 2020-01-01\n---\nنص\n",
        "pages/about.md": ABOUT,
        "pages/method.md": "---\ntitle: المنهجية\n---\n\nنتحقق من كل رواية من مصدرين.\n",
        "site.yml": "extra_pages: [pages/about.md, pages/method.md]\n"})
    run = cli("build", site)
    assert run.status == 0, run.err
    about = (site / "build/about/index.html").read_text(encoding="utf-8")
    assert "<h1>عن الأرشيف</h1>" in about and "<strong>الانتهاكات</strong>" in about
    assert (site / "build/المنهجية/index.html").is_file()
    home = (site / "build/index.html").read_text(encoding="utf-8")
    assert 'href="about/">عن الأرشيف</a>' in home and 'href="المنهجية/">المنهجية</a>' in home
    assert "/about/</loc>" in (site / "build/sitemap.xml").read_text(encoding="utf-8")
    # A new title reaches every page's navigation in an incremental build.
    write_site(site, {"pages/about.md": ABOUT.replace("عن الأرشيف", "من نحن")})
    assert cli("build", site).status == 0
    assert 'href="../about/">من نحن</a>' in (site / "build/archive/index.html").read_text(encoding="utf-8")


def test_extra_page_problems_are_errors(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/a.md": "---\ntitle: مقال\n---\nنص\n",
        "pages/tags.md": "---\ntitle: وسوم\nslug: tags\n---\nنص\n",
        "pages/bad.md": "---\ntitle: [\n---\nنص\n",
        "site.yml": "extra_pages: [pages/tags.md, pages/bad.md, pages/missing.md, ../outside.md]\n"})
    run = cli("build", site)
    assert run.status == 1
    assert "error: pages/tags.md: the page's address /tags/ is taken by the archive's own pages" in run.err
    assert "error: pages/bad.md:2: front matter is not valid YAML" in run.err
    assert "error: site.yml: extra page 'pages/missing.md' is not a Markdown file in the site folder" in run.err
    assert "extra page '../outside.md'" in run.err
