"""The records the loader produces and the build consumes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from .i18n import _, count, localize

_EPOCH = dt.datetime(1970, 1, 1)


def instant(date: dt.datetime) -> dt.datetime:
    """`date` as a naive UTC time for ordering: a date written with a zone
    offset is converted; one without is taken as written."""
    if date.tzinfo is None:
        return date
    return date.astimezone(dt.timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class ContentError:
    """Something wrong with one input file, reported as `path:line: message (hint)`."""

    path: str
    message: str
    line: int | None = None
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        """The problem in the active language of messages (i18n)."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({localize(self.hint)})" if self.hint else ""
        kind = _("warning: ") if self.warning else ""
        return f"{where}: {kind}{localize(self.message)}{hint}"


def more_warnings(n: int) -> str:
    """The line after the first warnings shown of many."""
    return count(n, "... and {n} more warning ('archive-site check' lists them all)",
                 "... and {n} more warnings ('archive-site check' lists them all)")


@dataclass(frozen=True)
class Article:
    """One article, parsed and validated.

    `terms` holds, for each taxonomy key (places, actors, tags, and those a
    site declares), the term names as they will be published;
    `source` is the file's path relative to the site folder, with `/`;
    `sha256` the digest of the file's bytes as read. `date` keeps the zone
    offset it was written with, if any.
    """

    title: str
    slug: str
    date: dt.datetime | None
    terms: Mapping[str, tuple[str, ...]]
    summary: str
    body_html: str
    text: str
    word_count: int
    source: str
    format: str  # "markdown" or "text"
    slug_from_front_matter: bool = False
    # Where the date comes from (dates.py: "front matter", "sidecar", "file
    # name", "folders", "text"; "" when undated), and whether it names the
    # day or only the month ("day", "month").
    date_source: str = ""
    date_precision: str = "day"
    author: str = ""
    source_url: str = ""
    draft: bool = False
    footer: str = ""
    exclude: tuple[str, ...] = ()
    takedown: str = ""  # taken down (true, or the editors' reason): published nowhere, its address says so
    corrections: tuple[tuple[dt.date, str], ...] = ()  # (date, note), oldest first
    aliases: tuple[str, ...] = ()  # earlier addresses (slugs) that redirect here
    noindex: bool = False  # asks search engines not to index its page; left out of the sitemap
    event_date: dt.date | None = None  # when what it reports happened, when not its date
    encoding: str = ""  # of the file as read: utf-8, utf-8-sig, utf-16, windows-1256 …
    image: str = ""  # its lead picture: the address of a picture beside it (images.py)
    image_alt: str = ""  # what the lead picture shows
    extra: Mapping[str, object] = field(default_factory=dict)
    sha256: str = ""

    def with_terms(self, terms: Mapping[str, tuple[str, ...]]) -> Article:
        """A copy with other `terms`: dataclasses.replace without running the
        constructor again (a build gives every article its found terms)."""
        copy = object.__new__(Article)
        copy.__dict__.update(self.__dict__)
        copy.__dict__["terms"] = terms
        return copy

    @property
    def url(self) -> str:
        """The article's site path, a folder: `articles/<slug>/`."""
        return f"articles/{self.slug}/"

    def sort_key(self) -> tuple:
        """Newest first; undated articles last, in a stable order."""
        if self.date is None:
            return (1, 0.0, self.slug)
        return (0, -(instant(self.date) - _EPOCH).total_seconds(), self.slug)


@dataclass(frozen=True)
class Page:
    """A standalone page (about, methodology) from a Markdown file that
    `site.yml` lists under `extra_pages:`; published at /<slug>/."""

    title: str
    slug: str
    summary: str
    body_html: str
    source: str

    @property
    def url(self) -> str:
        return f"{self.slug}/"


@dataclass(frozen=True)
class SkippedFile:
    """A file under the content folders that is not an article, and why."""

    path: str
    reason: str
