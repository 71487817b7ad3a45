"""`archive-site import`: a folder of texts as received, in any encoding,
brought into the site with nothing lost and nothing imported twice."""

from __future__ import annotations

import hashlib

from conftest import write_site

TEXT = "قصف على مدينة الباب\n\nقصفت الطائرات مدينة الباب في 3 آب 2019 وأصيب مدنيون بجروح.\n"
OTHER = "شهادة من منبج\n\nروى شاهد ما جرى في منبج خلال الليلة الماضية.\n"


def test_import_keeps_originals_proposes_dates_and_reports_duplicates(cli, tmp_path):
    site = tmp_path / "site"
    assert cli("init", site).status == 0
    inbox = write_site(tmp_path / "inbox", {
        "utf8.txt": TEXT.encode("utf-8"),
        "windows.txt": TEXT.encode("cp1256"),  # the same text in another encoding
        "spaced.txt": TEXT.replace(" ", "  ").replace("\n", "\r\n").encode("utf-8"),  # and other spacing
        "sub/utf16.txt": ("\ufeff" + OTHER).encode("utf-16-le"),
        "photo.jpg": bytes(range(256)) * 4,
        ".hidden.txt": b"x",
    })
    run = cli("import", inbox, site)
    assert run.status == 1  # one file is not text: said, not hidden
    lines = run.out.splitlines()
    assert any(line.startswith("photo.jpg") and "not imported: binary file, not text" in line for line in lines)
    imported = [line for line in lines if "imported as" in line]
    duplicates = [line for line in lines if "duplicate of" in line]
    assert len(imported) == 2 and len(duplicates) == 2
    assert "5 files: 2 imported, 2 duplicates, 1 not text." in run.out
    # The originals, byte for byte.
    originals = sorted((site / "originals").iterdir())
    assert len(originals) == 2
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in originals}
    received = {hashlib.sha256((inbox / name).read_bytes()).hexdigest()
                for name in ("utf8.txt", "windows.txt", "spaced.txt", "sub/utf16.txt")}
    assert digests <= received
    # The texts as UTF-8, named by date and digest, with their sidecars.
    dated = next((site / "content/received").glob("2019-08-03-*.txt"))
    assert dated.read_text(encoding="utf-8").split() == TEXT.split()  # the first of the three received
    sidecar = dated.with_suffix(".yml").read_text(encoding="utf-8")
    assert "date: 2019-08-03  # named in the text" in sidecar
    assert 'places: ["الباب"]' in sidecar and '"sha256": "' in sidecar
    undated = [p for p in (site / "content/received").glob("*.txt") if p.name[:4].isdigit() and p != dated]
    assert len(undated) == 1
    assert "received: " in undated[0].with_suffix(".yml").read_text(encoding="utf-8")
    assert '"encoding": "utf-16"' in undated[0].with_suffix(".yml").read_text(encoding="utf-8")
    # Importing again imports nothing twice, and the site builds.
    again = cli("import", inbox, site)
    assert "0 imported, 4 duplicates" in again.out
    build = cli("build", site)
    assert build.status == 0, build.err
    assert "Published 4 articles" in build.out
    page = next(p for p in (site / "build/articles").glob("*/index.html") if "<h1>شهادة من منبج</h1>" in p.read_text(encoding="utf-8"))
    assert "تاريخ الورود:" in page.read_text(encoding="utf-8")


def test_import_refuses_to_write_outside_the_content_folders(cli, tmp_path):
    site = tmp_path / "site"
    assert cli("init", site).status == 0
    inbox = write_site(tmp_path / "inbox", {"a.txt": TEXT})
    for into in ("../elsewhere", "/tmp/x", "static/texts"):
        run = cli("import", inbox, site, "--into", into)
        assert run.status == 2, into
    assert not (site / "static").exists() and not (tmp_path / "elsewhere").exists()
    run = cli("import", site / "content", site)
    assert run.status == 2 and "inside the site folder" in run.err
