"""Pictures kept beside articles: which an article shows, whether each can
be published, its size, and its bytes as published — without the metadata a
camera or phone writes into it (the place it was taken, the time, the
device), which could put a witness in danger.

An article shows a picture by a relative address in its Markdown
(`![وصف](photo.jpg)`); the file must be a JPEG or PNG inside the article's
own folder (or a folder under it), a regular file and not a link. It is
published at the same address under the article's page, so the address
written stays right.
"""

from __future__ import annotations

import hashlib
import html
import re
import stat
import struct
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .i18n import Msg, N_
from .model import Article, ContentError, SourceChanged

# What the published bytes depend on besides the file: this code.
EPOCH = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()
MAX_BYTES = 25 * 1024 * 1024
SUFFIXES = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
_IMG = re.compile(r"<img\b[^>]*>")
_SRC = re.compile(r'\ssrc="([^"]*)"')
_ALT = re.compile(r'\salt="([^"]*)"')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class PictureError(SourceChanged):
    """A picture could not be read when it was published (it changed or
    went away after it was checked): the build stops, publishing nothing."""


@dataclass(frozen=True)
class Picture:
    """A picture an article shows: its address as written (relative to the
    article), the file, what identifies the file's version (size, change
    time, inode) and its size in pixels as displayed."""

    src: str
    name: str  # where it is published, under the article's page (the address, decoded)
    path: str  # the file, relative to the site folder, with /
    kind: str  # "jpeg" or "png"
    stamp: tuple[int, int, int]
    width: int
    height: int


def local_sources(body_html: str) -> list[str]:
    """The addresses of the pictures `body_html` shows that are files beside
    the article, in order, each once: not http(s) addresses, nor addresses
    from the site's root (/static/…: the site's own files, published as
    they are)."""
    found = []
    for tag in _IMG.findall(body_html):
        src = _SRC.search(tag)
        if src is None:
            continue
        value = html.unescape(src.group(1))
        if value and not _SCHEME.match(value) and not value.startswith("/") and value not in found:
            found.append(value)
    return found


def missing_alt(body_html: str) -> list[str]:
    """The addresses of the pictures of `body_html` that have no description."""
    missing = []
    for tag in _IMG.findall(body_html):
        alt, src = _ALT.search(tag), _SRC.search(tag)
        if src and not (alt and html.unescape(alt.group(1)).strip()):
            missing.append(html.unescape(src.group(1)))
    return missing


def find_pictures(site_dir: Path, article: Article) -> tuple[list[Picture], list[ContentError]]:
    """The pictures `article` shows that can be published, and a warning
    for each that cannot (it is then left out of the page)."""
    pictures, problems = [], []
    folder = PurePosixPath(article.source).parent
    sources = local_sources(article.body_html)
    if article.image and article.image not in sources:
        sources.append(article.image)
    for src in sources:
        def refuse(message, hint, src=src):
            problems.append(ContentError(article.source, Msg("picture '{src}': {problem}", src=src, problem=message),
                                         None, hint, warning=True))

        relative = PurePosixPath(unquote(src.split("?")[0].split("#")[0]))
        if ".." in relative.parts or "\\" in src:
            refuse(Msg("it is outside the article's folder"),
                   N_("put the picture in the article's folder (or a folder under it) and write its name"))
            continue
        kind = SUFFIXES.get(relative.suffix.lower())
        if kind is None:
            refuse(Msg("only JPEG and PNG pictures are published"), N_("save the picture as .jpg or .png"))
            continue
        path = folder / relative
        try:
            info = (site_dir / path).lstat()
        except (OSError, ValueError):
            refuse(Msg("there is no such file"), N_("check the name, or put the picture beside the article"))
            continue
        if not stat.S_ISREG(info.st_mode):
            refuse(Msg("it is not a regular file (a link or a folder)"), N_("put the picture itself there"))
            continue
        if info.st_size > MAX_BYTES:
            refuse(Msg("it is larger than {mb} MB", mb=MAX_BYTES // (1024 * 1024)), N_("make the picture smaller"))
            continue
        try:
            width, height = _check(site_dir / path, kind)
        except (OSError, ValueError, struct.error):
            refuse(Msg("it is not a readable {kind} file", kind=kind.upper()), N_("save the picture again"))
            continue
        pictures.append(Picture(src, str(relative), str(path), kind, (info.st_size, info.st_mtime_ns, info.st_ino),
                                width, height))
    return pictures, problems


def _check(path: Path, kind: str) -> tuple[int, int]:
    """The displayed size of the picture at `path`, after checking that the
    part of it that can hold metadata is well formed (so that it can be
    removed): a JPEG's segments up to its image data, a PNG's chunks."""
    with open(path, "rb") as f:
        if kind == "png":
            head = f.read(32)
            size = dimensions(head, kind)
            f.seek(8)
            while True:
                header = f.read(8)
                if len(header) < 8:
                    raise ValueError("a PNG without its end")
                (length,) = struct.unpack(">I", header[:4])
                if header[4:8] == b"IEND":
                    return size
                f.seek(length + 4, 1)
        data = f.read(64 * 1024)  # a phone's metadata with its thumbnail: usually all before 64 KB
        while True:
            try:
                if any(marker == 0xDA for marker, _ in _segments(data)):
                    return dimensions(data, kind)
            except (ValueError, struct.error):
                pass
            more = f.read(256 * 1024)
            if not more:
                raise ValueError("a JPEG without image data")
            data += more


def dimensions(head: bytes, kind: str) -> tuple[int, int]:
    """The width and height of a picture as displayed (a JPEG turned by its
    orientation tag has them swapped), from its first bytes."""
    if kind == "png":
        if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
            raise ValueError("not a PNG")
        return struct.unpack(">II", head[16:24])
    if head[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    turned = _orientation(head) in (5, 6, 7, 8)
    for marker, body in _segments(head):
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", body[1:5])
            return (height, width) if turned else (width, height)
    raise ValueError("no frame header")


def _segments(data: bytes):
    """The (marker, body) segments of a JPEG up to the image data."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ValueError("broken JPEG")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if length < 2:
            raise ValueError("broken JPEG")
        yield marker, data[at + 4:at + 2 + length]
        if marker == 0xDA:  # start of scan: the image data follows
            return
        at += 2 + length


def _orientation(data: bytes) -> int:
    """The EXIF orientation (1–8) of a JPEG, 1 when it has none."""
    for marker, body in _segments(data):
        if marker == 0xE1 and body[:6] == b"Exif\0\0":
            tiff = body[6:]
            order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
            if order is None or len(tiff) < 8:
                return 1
            (ifd,) = struct.unpack(order + "I", tiff[4:8])
            if ifd + 2 > len(tiff):
                return 1
            (entries,) = struct.unpack(order + "H", tiff[ifd:ifd + 2])
            for n in range(entries):
                entry = tiff[ifd + 2 + 12 * n: ifd + 14 + 12 * n]
                if len(entry) == 12 and struct.unpack(order + "H", entry[:2])[0] == 0x0112:
                    value = struct.unpack(order + "H", entry[8:10])[0]
                    return value if 1 <= value <= 8 else 1
        if marker == 0xDA:
            break
    return 1


# JPEG segments kept: the JFIF header, the colour profile (ICC), Adobe's
# colour transform, and everything the image itself needs. Every other
# application segment (EXIF with its GPS position and thumbnail, XMP, IPTC,
# maker data) and comments are dropped; the orientation is written back
# alone, so that the picture still shows upright.
_KEPT_APP = {0xE0, 0xE2, 0xEE}
# PNG chunks dropped: text, EXIF and the time it was made.
_DROPPED_PNG = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def published_bytes(data: bytes, kind: str) -> bytes:
    """The picture's bytes as published: the same image, without metadata."""
    if kind == "png":
        return _clean_png(data)
    return _clean_jpeg(data)


def _clean_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    orientation = _orientation(data)
    out = [b"\xff\xd8"]
    exif = b""
    if orientation != 1:  # the orientation alone, in a minimal EXIF block
        tiff = (b"MM\x00\x2a\x00\x00\x00\x08" + struct.pack(">H", 1)
                + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + b"\0\0\0\0")
        segment = b"Exif\0\0" + tiff
        exif = b"\xff\xe1" + struct.pack(">H", len(segment) + 2) + segment
    at = 2
    while at < len(data):
        if data[at] != 0xFF:
            raise ValueError("broken JPEG")
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out.append(data[at:at + 2])
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        end = at + 2 + length
        if marker == 0xDA:
            if exif:
                out.insert(2 if len(out) > 1 and out[1][1] == 0xE0 else 1, exif)  # after JFIF's header
                exif = b""
            out.append(data[at:])  # the scan and everything after it (image data, EOI)
            break
        if not (0xE0 <= marker <= 0xEF and marker not in _KEPT_APP) and marker != 0xFE:
            out.append(data[at:end])
        at = end
    else:
        raise ValueError("a JPEG without image data")
    return b"".join(out)


def _clean_png(data: bytes) -> bytes:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    out = [data[:8]]
    at = 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        end = at + 12 + length
        if kind not in _DROPPED_PNG:
            out.append(data[at:end])
        at = end
        if kind == b"IEND":
            break
    return b"".join(out)


def with_pictures(body_html: str, pictures: dict) -> str:
    """`body_html` with each picture it shows given its size, lazy loading
    and asynchronous decoding; a picture that cannot be published (not in
    `pictures`: src → (width, height)) is left out. http(s) pictures and
    addresses from the site's root stay as they are."""
    def size(match: re.Match) -> str:
        tag = match.group(0)
        src = _SRC.search(tag)
        if src is None:
            return ""
        value = html.unescape(src.group(1))
        if _SCHEME.match(value) or value.startswith("/"):
            return tag
        if value not in pictures:
            return ""
        width, height = pictures[value]
        tag = re.sub(r'\s(width|height|loading|decoding)="[^"]*"', "", tag)
        return tag[:-1].rstrip("/ ") + f' width="{width}" height="{height}" loading="lazy" decoding="async">'
    return _IMG.sub(size, body_html)
