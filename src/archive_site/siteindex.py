"""The site index: what the last build planned, part by part, so that a build
after an edit of some articles' text plans only the parts that show them.

Everything a plan reads falls on one of two sides:

- the frame: the build's inputs but the content files and the ledger (the
  settings, every template, the gazetteer, the extra pages, the options,
  the version and the day), and of each published article, in the
  site's order, every field but those an edit of its text changes
  (TEXT_FIELDS) — address, dates, terms, flags —, then the pictures, the
  redirects and the removed addresses (all the ledger gives is in these).
  The site model (order, terms, months, neighbours) is made from these alone;
- the articles' digests (plan.article_digests): each covers all that any
  page shows of its article, text included.

While a part is planned, the Planner notes the articles whose digests its
plans read (Planner.shown, fed by views.Projector). A part's plans are so a
function of the frame and of those digests only: when a build finds the
frame it stored, a part whose articles all kept their digests would plan
exactly as before, and is not planned. Its pages keep the fingerprints of
the output's manifest and their sitemap entries come from the index.

The articles' digests are kept too: with the same frame, an article whose
file the build did not read afresh (its record came from the cache, as the
indexed build had it) has the digest stored, which is not made again.

The index is valid only with the output the same build left (its record in
unchanged.py: the marker, and the state of every folder of the output).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import Iterator

from .fsops import remove_files
from .model import Article

# In the cache folder: the frame and the articles' digests, and the parts
# (rewritten only when they changed: most builds after a text edit plan their
# parts as before).
INDEX_FILE = "site-index.json"
PARTS_FILE = "site-index-parts.json"
VERSION = 2

# What an edit of an article's text may change without moving the article in
# the site model: its address, date, terms and every list stay as they were.
TEXT_FIELDS = ("title", "summary", "body_html", "text", "footer", "word_count", "sha256", "encoding", "author",
               "source_url", "corrections")
# An article's fields but TEXT_FIELDS, as a tuple (read without its text).
frame_fields = attrgetter(*(f.name for f in fields(Article) if f.name not in TEXT_FIELDS))


def frame(inputs_key: str, articles: list[Article], pictures: dict, redirects: dict[str, Article],
          removed: list[str]) -> str:
    """The digest of the frame (see above): `inputs_key` sums up the build's
    inputs but the content files' states."""
    digest = hashlib.blake2b(f"{VERSION}|{inputs_key}".encode("utf-8"), digest_size=16)
    for article in articles:
        digest.update(repr(frame_fields(article)).encode("utf-8", "surrogatepass"))
    digest.update(repr(sorted((slug, repr(found)) for slug, found in pictures.items() if found)).encode(
        "utf-8", "surrogatepass"))
    digest.update(repr(sorted((old, article.slug) for old, article in redirects.items())).encode("utf-8", "surrogatepass"))
    digest.update(repr(sorted(removed)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass
class Part:
    """What planning one part gave, kept compact (at 100,000 articles the
    parts show articles five million times, and have 421,500 pages):
    `shown`, the positions (in the site's order) of the articles it showed,
    sorted, as 32-bit integers in base64; `pages`, each page's path, followed
    for a page the sitemap lists by PAGE_DATE and its date (empty when it
    has none), the pages separated by PAGE_END."""

    shown: str
    pages: str

    @classmethod
    def of(cls, shown: str, pages: list[tuple[str, tuple[str, dt.date | None] | None]]) -> Part:
        """The part that showed the articles `shown` (packed by `pack`) and
        planned `pages` (path and sitemap entry, as plan.sitemap_entry gives it)."""
        texts = []
        for path, entry in pages:
            if PAGE_END in path or PAGE_DATE in path:  # never in a page's path (slugs); refused, not guessed
                raise ValueError(f"a page path holds a separator: {path!r}")
            if entry is None:
                texts.append(path)
            else:
                texts.append(f"{path}{PAGE_DATE}{entry[1].isoformat() if entry[1] else ''}")
        return cls(shown, PAGE_END.join(texts))

    def shows_any(self, positions: list[int]) -> bool:
        """Whether the part showed an article at any of `positions`."""
        if not positions:
            return False
        shown = array("i", base64.b64decode(self.shown))
        for position in positions:
            at = bisect_left(shown, position)
            if at < len(shown) and shown[at] == position:
                return True
        return False

    def weight(self) -> int:
        """About how much planning the part asks: the articles it showed and its pages."""
        return len(self.shown) * 3 // 16 + self.pages.count(PAGE_END) + 1

    def paths(self) -> list[str]:
        """Each page's path."""
        return [text.partition(PAGE_DATE)[0] for text in self.pages.split(PAGE_END)] if self.pages else []

    def each_page(self) -> Iterator[tuple[str, bool, dt.date | None]]:
        """Each page: its path, whether the sitemap lists it, and its date there."""
        if not self.pages:
            return
        for text in self.pages.split(PAGE_END):
            path, listed, date = text.partition(PAGE_DATE)
            yield path, bool(listed), dt.date.fromisoformat(date) if date else None


PAGE_END, PAGE_DATE = "\x1e", "\x1f"


def _in_output(path: str) -> bool:
    """Whether `path` is one a plan could have: relative, inside the output
    folder (the index is read from a folder a build does not own alone)."""
    return bool(path) and not path.startswith("/") and "\\" not in path and ".." not in path.split("/")


def pack(positions: list[int]) -> str:
    """Sorted positions as a Part keeps them (in the worker that planned the part)."""
    return base64.b64encode(array("i", positions).tobytes()).decode("ascii")


@dataclass
class SiteIndex:
    frame: str
    cards: dict[str, str]  # each article's digest, by slug
    parts: list[Part]
    build: int = 0  # the build it belongs to (its start time in ns, as unchanged.py records it)
    stored: str = field(default="", compare=False)  # the name of the parts as stored, when they are

    def same_parts(self, other: SiteIndex | None) -> bool:
        """Whether `other` has these parts (to store them again is not needed)."""
        return other is not None and bool(other.stored) and other.parts == self.parts

    def known_cards(self, frame: str | None, articles: list[Article], fresh: set[str]) -> dict[str, str]:
        """The digests of `articles` this index has, when it has this `frame`,
        for those whose files the build did not read afresh (`fresh`): their
        records are those the indexed build read, and the rest of what a
        digest covers (terms' links, lead picture) is the frame's."""
        if frame != self.frame:
            return {}
        cards = self.cards
        return {article.slug: cards[article.slug] for article in articles
                if article.source not in fresh and article.slug in cards}

    def stale(self, frame: str, cards: dict[str, str], parts: int, fingerprints: dict[str, str]) -> list[int] | None:
        """The parts to plan again, by position, when this index can stand for
        the others: the frame is `frame`, there are as many `parts`, and the
        output's manifest (`fingerprints`) has every page of the parts kept.
        None when it cannot (every part is planned)."""
        if frame != self.frame or parts != len(self.parts) or cards.keys() != self.cards.keys():
            return None
        changed = [n for n, slug in enumerate(cards) if cards[slug] != self.cards[slug]]
        stale = []
        try:
            for n, part in enumerate(self.parts):
                paths = part.paths()
                if part.shows_any(changed) or not (fingerprints.keys() >= set(paths) and all(map(_in_output, paths))):
                    stale.append(n)
        except ValueError:  # a damaged file
            return None
        return stale


def load(cache_dir: Path, build: int) -> SiteIndex | None:
    """The index the build `build` stored, or None (none, another build's, unreadable)."""
    try:
        data = json.loads((cache_dir / INDEX_FILE).read_text(encoding="utf-8"))
        if data["version"] != VERSION or data["build"] != build:
            return None
        stored = json.loads((cache_dir / PARTS_FILE).read_text(encoding="utf-8"))
        if stored["name"] != data["parts"]:
            return None
        parts = [Part(shown, pages) for shown, pages in stored["parts"]]
        index = SiteIndex(data["frame"], data["cards"], parts, build, stored["name"])
        if (not isinstance(index.frame, str) or not isinstance(index.cards, dict)
                or not all(isinstance(part.shown, str) and isinstance(part.pages, str) for part in parts)):
            return None
        return index
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save(cache_dir: Path, index: SiteIndex, previous: SiteIndex | None) -> None:
    """Store `index`, its parts only when they are not `previous`'s (a file
    that cannot be written only costs the next build time)."""
    try:
        if index.same_parts(previous):
            name = previous.stored
        else:
            name = f"{index.build}-{os.getpid()}"
            _write(cache_dir / PARTS_FILE, {"name": name, "parts": [[part.shown, part.pages] for part in index.parts]})
        _write(cache_dir / INDEX_FILE, {"version": VERSION, "build": index.build, "frame": index.frame,
                                        "cards": index.cards, "parts": name})
    except OSError:
        forget(cache_dir)


def _write(path: Path, data: dict) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def forget(cache_dir: Path) -> None:
    remove_files(cache_dir / INDEX_FILE, cache_dir / PARTS_FILE)
