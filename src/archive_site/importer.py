"""`archive-site import`: texts as received, brought into the content folder.

Each file of the inbox is kept byte for byte under `originals/`, written as
UTF-8 text into the content folder as `YYYY-MM-DD-<short hash>.txt` (the
date the text names, else the day of import), with a sidecar proposing its
date (and where it came from), the places and actors found in it for the
editor to confirm, and the original's name, digest and encoding. Nothing is
ever overwritten; a text already in the site (or twice in the inbox), even
with other whitespace or in another encoding, is reported, not imported
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import arabic, dates
from .config import SiteConfig
from .gazetteer import Gazetteer, tag_article
from .loader import (_EDITOR_LEFTOVERS, ARTICLE_SUFFIXES, MAX_FILE_BYTES, _Invalid, decode_text, make_converter,
                     parse_article)
from .propose import propose

ORIGINALS = "originals"


@dataclass
class Imported:
    """What became of one file of the inbox."""

    source: str  # its path in the inbox
    outcome: str  # "imported", "duplicate", "not text"
    target: str = ""  # the text's path in the site (or the one it duplicates)
    date: str = ""
    date_source: str = ""
    places: list[str] = field(default_factory=list)
    detail: str = ""
    # Names the text marks as places or groups that the gazetteer lacks (propose.py).
    candidates: list[str] = field(default_factory=list)


def fingerprint(text: str) -> str:
    """The digest of a text as read, whatever its encoding, line ends or
    spacing: the same text received twice gives the same fingerprint."""
    words = arabic.remove_forbidden(unicodedata.normalize("NFC", text)).replace("\ufeff", "").split()
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


def known_texts(site_dir: Path, config: SiteConfig) -> dict[str, str]:
    """Fingerprint → path of every text file already in the content folders."""
    known = {}
    for name in config.content_dirs:
        for path in sorted((site_dir / name).rglob("*.txt")) if (site_dir / name).is_dir() else ():
            try:
                text, _ = decode_text(path.read_bytes()[: MAX_FILE_BYTES + 1])
            except (OSError, _Invalid):
                continue
            known.setdefault(fingerprint(text), path.relative_to(site_dir).as_posix())
    return known


def import_inbox(inbox: Path, site_dir: Path, into: str, config: SiteConfig, gazetteer: Gazetteer,
                 today: dt.date | None = None) -> list[Imported]:
    """Import every file of `inbox` into `site_dir / into`; return what became of each."""
    today = today or dt.date.today()
    known = known_texts(site_dir, config)
    converter = make_converter()
    results = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(inbox).as_posix()
        if any(_EDITOR_LEFTOVERS.search(part) for part in path.relative_to(inbox).parts):
            continue
        results.append(_import_one(path, rel, site_dir, into, config, gazetteer, today, known, converter))
    return results


def _import_one(path: Path, rel: str, site_dir: Path, into: str, config: SiteConfig, gazetteer: Gazetteer,
                today: dt.date, known: dict[str, str], converter) -> Imported:
    if path.stat().st_size > MAX_FILE_BYTES:  # never read a large file (a video) into memory
        return Imported(rel, "not text", detail=f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    data = path.read_bytes()
    try:
        text, encoding = decode_text(data)
    except _Invalid as exc:
        return Imported(rel, "not text", detail=exc.message)
    print_of = fingerprint(text)
    if print_of in known:
        return Imported(rel, "duplicate", known[print_of])
    digest = hashlib.sha256(data).hexdigest()
    utf8 = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    try:
        article, _ = parse_article(utf8, rel, ".txt", converter, config.term_keys)
    except _Invalid as exc:
        return Imported(rel, "not text", detail=exc.message)
    found = dates.from_text(article.title, article.text)
    day = found.date.date() if found else today
    name = f"{day.isoformat()}-{digest[:12]}"
    target = site_dir / into / f"{name}.txt"
    original = site_dir / ORIGINALS / f"{name}{path.suffix.lower() if path.suffix.lower() in ARTICLE_SUFFIXES else ''}"
    for taken in (target, target.with_suffix(".yml"), original):
        if taken.exists():
            return Imported(rel, "duplicate", taken.relative_to(site_dir).as_posix())
    tagged, _, _ = tag_article(article, gazetteer, config.taxonomies)
    found_terms = {spec.key: list(tagged.terms.get(spec.key, ())) for spec in config.taxonomies if spec.gazetteer}
    lines = [f"# Proposed by archive-site import on {today.isoformat()}: check each value, correct or delete it."]
    if found:
        lines.append(f"date: {day.isoformat()}  # named in the text")
    else:
        lines.append(f"received: {today.isoformat()}  # the day of import; the text names no date")
    for key, names in found_terms.items():
        if names:
            lines.append(f"{key}: {json.dumps(names, ensure_ascii=False)}  # found in the text")
    candidates = propose(f"{article.title}\n{article.text}", gazetteer)
    for candidate in candidates:  # for the editor only: never tagged unless added to the gazetteer
        lines.append(f"# not in the gazetteer: «{candidate.said}»; to add it: {candidate.command}")
    provenance = {"received_name": path.name, "original": original.relative_to(site_dir).as_posix(),
                  "sha256": digest, "encoding": encoding}
    lines.append("provenance: " + json.dumps(provenance, ensure_ascii=False))
    target.parent.mkdir(parents=True, exist_ok=True)
    original.parent.mkdir(parents=True, exist_ok=True)
    _write_new(original, data)
    _write_new(target, utf8)
    _write_new(target.with_suffix(".yml"), ("\n".join(lines) + "\n").encode("utf-8"))
    known[print_of] = target.relative_to(site_dir).as_posix()
    return Imported(rel, "imported", target.relative_to(site_dir).as_posix(), day.isoformat(),
                    "text" if found else "intake", found_terms.get("places", []), encoding,
                    [c.name for c in candidates])


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet (never over one made meanwhile)."""
    with open(path, "xb") as file:
        file.write(data)
