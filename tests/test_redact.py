"""Redaction: listed names never reach a published byte, however spelt."""

from __future__ import annotations

import pytest
from conftest import write_site

from archive_site.redact import MARK, pattern


@pytest.mark.parametrize("written", ["سمير العلي", "سَمِير العَليّ", "وسمير العلي", "لسمير  العلي", "سمير العلى"])
def test_a_phrase_matches_however_it_is_spelt(written):
    found = pattern(("سمير العلي",))
    assert found.sub(lambda m: m.group(1) + MARK, f"قال {written} للفريق") in (
        f"قال {MARK} للفريق", f"قال و{MARK} للفريق", f"قال ل{MARK} للفريق")


def test_a_longer_word_is_not_a_match():
    assert not pattern(("سمير",)).search("سميرة حضرت")


def test_no_published_file_holds_a_redacted_name(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "site.yml": "redact: [سمير العلي, حي الشعار]\n",
        "content/a.md": "---\ntitle: شهادة سمير العلي\nslug: testimony\ndate: 2020-01-01\nsummary: روى سمير العلي ما جرى\n"
                        "tags: [سمير العلي]\nauthor: سمير العلي\ncorrections:\n  - {date: 2020-01-02, note: صحح سمير العلي}\n"
                        "witness: سمير العلي\n---\n\nروى **سمير العلي** ما جرى في حي الشعار.\n\n"
                        "![صورة سمير العلي](https://example.org/x.png \"سمير العلي\")\n",
    })
    run = cli("build", site)
    assert run.status == 0, run.err
    for path in (site / "build").rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "سمير" not in text and "الشعار" not in text, path
    page = (site / "build/articles/testimony/index.html").read_text(encoding="utf-8")
    assert f"روى <strong>{MARK}</strong> ما جرى في {MARK}." in page


def test_an_address_that_holds_a_redacted_name_stops_the_build(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": "---\ntitle: شهادة سمير\n---\n\nنص.\n"})
    assert cli("build", site).status == 0
    write_site(site, {"site.yml": "redact: [سمير]\n"})
    run = cli("build", site)
    assert run.status == 1 and "error: content/a.md: the article's address contains a redacted name" in run.err
    write_site(site, {"content/a.md": "---\ntitle: شهادة سمير\nslug: testimony\n---\n\nنص.\n"})
    assert cli("build", site).status == 0
    # The old address holds the name: it gets no redirect page.
    assert not (site / "build/articles/شهادة-سمير").exists()
    assert (site / "build/articles/testimony/index.html").is_file()
    write_site(site, {"site.yml": "redact: [سمير]\npublish_originals: true\n"})
    run = cli("build", site)
    assert run.status == 1 and "'publish_originals' would publish the texts before redaction" in run.err
