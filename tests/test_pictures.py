"""Pictures beside articles: published with the article, sized, lazily
loaded, described, and without the metadata that could locate a witness;
hostile or careless references are refused with a warning."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from conftest import write_site

from archive_site import images

JPEG = (Path(__file__).parent / "data/picture.jpg").read_bytes()  # 40×30, JFIF and an ICC profile
GPS = b"GPS 36.2012N 37.1612E"


def exif_segment(orientation: int) -> bytes:
    """An EXIF block with an orientation, a GPS position and a maker note, as a phone writes it."""
    entries = [(0x0112, 3, 1, struct.pack(">HH", orientation, 0)),  # orientation
               (0x8825, 4, 1, struct.pack(">I", 38))]  # the GPS block, at offset 38
    ifd = struct.pack(">H", len(entries)) + b"".join(struct.pack(">HHI", tag, kind, n) + value
                                                     for tag, kind, n, value in entries) + b"\0\0\0\0"
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + ifd + GPS
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def phone_jpeg(orientation: int = 6) -> bytes:
    comment = b"taken by the witness at home"
    com = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>GPSLatitude</x:xmpmeta>"
    app1_xmp = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
    return JPEG[:2] + exif_segment(orientation) + app1_xmp + com + JPEG[2:]


def png(width: int = 5, height: int = 4, text: bytes = b"Location\0" + GPS) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"\x80\x20\x40" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", text) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"eXIf", b"MM" + GPS)
            + chunk(b"IEND", b""))


def test_a_published_jpeg_keeps_its_image_and_orientation_but_no_position_or_notes():
    data = phone_jpeg(orientation=6)
    assert GPS in data and b"witness" in data and b"GPSLatitude" in data
    clean = images.published_bytes(data, "jpeg")
    assert GPS not in clean and b"witness" not in clean and b"GPSLatitude" not in clean
    assert clean.endswith(JPEG[JPEG.index(b"\xff\xda"):])  # the image data, byte for byte
    assert b"ICC_PROFILE" in clean and clean[2:4] == b"\xff\xe0"  # colours kept; JFIF's header first
    assert images._orientation(clean) == 6
    assert images.dimensions(clean, "jpeg") == (30, 40)  # turned: shown 30 wide, 40 high
    assert images.published_bytes(JPEG, "jpeg") == JPEG  # nothing to take out: the same bytes


def test_a_published_png_loses_its_text_and_exif_chunks():
    data = png()
    clean = images.published_bytes(data, "png")
    assert GPS in data and GPS not in clean and b"IDAT" in clean and clean.endswith(b"IEND\xaeB`\x82")
    assert images.dimensions(clean, "png") == (5, 4)


def article_with(pictures: str) -> str:
    return f"---\ntitle: صور من الحي\ndate: 2024-05-01\nslug: photos\n---\n\nوصف ما جرى في الحي.\n\n{pictures}\n"


def test_pictures_are_published_beside_their_article_sized_and_lazy(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/2024/photos.md": article_with("![بيت مهدم](house.jpg)\n\n![الشارع](img/street%20view.png)"),
    })
    (site / "content/2024/house.jpg").write_bytes(phone_jpeg())
    (site / "content/2024/img").mkdir()
    (site / "content/2024/img/street view.png").write_bytes(png())
    run = cli("build", site)
    assert run.status == 0 and "picture" not in run.err, run.err
    out = site / "build/articles/photos"
    house, street = (out / "house.jpg").read_bytes(), (out / "img/street view.png").read_bytes()
    assert GPS not in house and GPS not in street and house.endswith(JPEG[JPEG.index(b"\xff\xda"):])
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<img alt="بيت مهدم" src="house.jpg" width="30" height="40" loading="lazy" decoding="async">' in page
    assert 'alt="الشارع" src="img/street%20view.png" width="5" height="4" loading="lazy"' in page
    # A replaced picture is published again; the page follows its new size.
    os.utime(site / "content/2024/house.jpg", ns=(1, 1))
    (site / "content/2024/house.jpg").write_bytes(phone_jpeg(orientation=1))
    assert cli("build", site).status == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'width="40" height="30"' in page and GPS not in (out / "house.jpg").read_bytes()


@pytest.mark.parametrize("reference, files, problem", [
    ("![صورة](missing.jpg)", {}, "there is no such file"),
    ("![صورة](../../secret.jpg)", {"secret.jpg": JPEG}, "it is outside the article's folder"),
    ("![صورة](img/../../secret.jpg)", {"secret.jpg": JPEG}, "it is outside the article's folder"),
    ("![صورة](doc.pdf)", {"content/doc.pdf": b"%PDF-1.4"}, "only JPEG and PNG pictures are published"),
    ("![صورة](fake.jpg)", {"content/fake.jpg": b"<svg onload=alert(1)>"}, "it is not a readable JPEG file"),
    ("![صورة](cut.jpg)", {"content/cut.jpg": JPEG[:300]}, "it is not a readable JPEG file"),
])
def test_a_picture_that_cannot_be_published_is_left_out_with_a_warning(cli, tmp_path, reference, files, problem):
    site = write_site(tmp_path / "site", {"content/photos.md": article_with(reference)})
    for rel, data in files.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    run = cli("build", site)
    assert run.status == 0
    assert f"content/photos.md: warning: picture '{reference.split('(')[1][:-1]}': {problem}" in run.err
    assert f"picture '{reference.split('(')[1][:-1]}': {problem}" in cli("check", site).out + cli("check", site).err
    page = (site / "build/articles/photos/index.html").read_text(encoding="utf-8")
    assert "<img" not in page and "وصف ما جرى" in page
    assert sorted(p.name for p in (site / "build/articles/photos").iterdir()) == ["cite.bib", "cite.ris", "index.html"]


@pytest.mark.parametrize("inside", [False, True])
def test_a_link_is_never_published_as_a_picture(cli, tmp_path, inside):
    target = (tmp_path / "site/content/real.jpg") if inside else (tmp_path / "private.jpg")
    site = write_site(tmp_path / "site", {"content/photos.md": article_with("![صورة](link.jpg)")})
    target.write_bytes(phone_jpeg())
    (site / "content/link.jpg").symlink_to(target)
    run = cli("build", site)
    if inside:
        assert "picture 'link.jpg': it is not a regular file (a link or a folder)" in run.err
    else:  # a link out of the site is refused for any file under content/
        assert run.status == 1 and "content/link.jpg: is a link to" in run.err
    assert not (site / "build/articles/photos/link.jpg").exists()


def test_a_picture_without_a_description_is_published_with_a_warning(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/photos.md": article_with("نص قبلها.\n\n![](house.jpg)")})
    (site / "content/house.jpg").write_bytes(JPEG)
    run = cli("build", site)
    assert "content/photos.md:11: warning: picture 'house.jpg' has no description" in run.err
    assert (site / "build/articles/photos/house.jpg").read_bytes() == JPEG


def test_a_lead_picture_heads_its_article_and_its_card(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/photos.md": "---\ntitle: صور من الحي\ndate: 2024-05-01\nslug: photos\nimage: house.jpg\n"
                             "image_alt: بيت مهدم في الحي\n---\n\nوصف ما جرى في الحي بعد القصف.\n",
        "content/other.md": "---\ntitle: بلا صورة\ndate: 2024-04-01\nimage: lost.jpg\n---\n\nنص.\n",
    })
    (site / "content/house.jpg").write_bytes(phone_jpeg())
    run = cli("build", site)
    assert "content/other.md:4: warning: the lead picture ('image') has no description" in run.err
    assert "content/other.md: warning: picture 'lost.jpg': there is no such file" in run.err
    page = (site / "build/articles/photos/index.html").read_text(encoding="utf-8")
    assert ('<figure class="lead-image"><img src="house.jpg" alt="بيت مهدم في الحي" width="30" height="40"'
            in page)
    home = (site / "build/index.html").read_text(encoding="utf-8")
    assert ('<img class="card-image" src="articles/photos/house.jpg" alt="بيت مهدم في الحي" width="30" '
            'height="40" loading="lazy"') in home
    assert GPS not in (site / "build/articles/photos/house.jpg").read_bytes()
    other = (site / "build/articles/بلا-صورة/index.html").read_text(encoding="utf-8")
    assert "lead-image" not in other and "card-image" not in home.split("بلا صورة")[0][-400:]
    # The picture replaced by one of another size: the home page's card follows.
    (site / "content/house.jpg").write_bytes(phone_jpeg(orientation=1))
    assert cli("build", site).status == 0
    assert 'width="40" height="30" loading="lazy"' in (site / "build/index.html").read_text(encoding="utf-8")


def test_a_picture_that_changes_while_the_site_is_built_stops_the_build_cleanly(cli, tmp_path, monkeypatch):
    site = write_site(tmp_path / "site", {"content/photos.md": article_with("![بيت](house.jpg)")})
    (site / "content/house.jpg").write_bytes(JPEG)

    def gone(data, kind):
        raise ValueError("cut short")
    monkeypatch.setattr(images, "published_bytes", gone)
    run = cli("build", site)
    assert run.status == 1
    assert "error: content/house.jpg: the picture changed or went away while the site was being built" in run.err
    assert "Traceback" not in run.err and not (site / "build").exists()
