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


class SourceChanged(Exception):
    """A file the build read could not be read again as it was (it changed
    or went away while the site was being built): the build stops,
    publishing nothing."""

    def __init__(self, path: str):
        super().__init__(path)
        self.path = path


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

    def but(self, **changes) -> Article:
        """A copy with `changes` (field names and values): dataclasses.replace
        without running the constructor again, so that an article whose
        body is read on demand (HollowArticle) stays so."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        for name, value in changes.items():
            if name not in _FIELD_NAMES:
                raise TypeError(f"Article has no field {name!r}")
            copy.__dict__[name] = value
        return copy

    def shows_pictures(self) -> bool:
        """Whether it may show pictures (a lead picture, or one in its text)."""
        return bool(self.image) or "<img" in self.body_html

    @property
    def url(self) -> str:
        """The article's site path, a folder: `articles/<slug>/`."""
        return f"articles/{self.slug}/"

    def sort_key(self) -> tuple:
        """Newest first; undated articles last, in a stable order."""
        if self.date is None:
            return (1, 0.0, self.slug)
        return (0, -(instant(self.date) - _EPOCH).total_seconds(), self.slug)


_FIELD_NAMES = frozenset(Article.__dataclass_fields__)
# The fields that hold an article's text, the bulk of its record: an
# article may have them read only when they are asked for (HollowArticle).
BODY_FIELDS = ("body_html", "text", "footer")


def _body_field(name: str) -> property:
    def get(self: HollowArticle) -> str:
        value = self.__dict__[name]
        if value is None:  # not read yet
            self.__dict__.update(zip(BODY_FIELDS, self.__dict__["_read"](), strict=True))
            value = self.__dict__[name]
        return value

    def put(self: HollowArticle, value: str) -> None:
        self.__dict__[name] = value

    return property(get, put, doc=f"The article's {name}, read when first asked for.")


class HollowArticle(Article):
    """An article whose text (BODY_FIELDS) is read when first asked for, by
    the callable `read` (which gives the three fields, or raises): the
    build holds every article's other fields, and each process reads the
    texts of the pages it renders. It is an Article in every other way;
    `dataclasses.replace` gives one with its text read."""

    body_html = _body_field("body_html")
    text = _body_field("text")
    footer = _body_field("footer")

    @classmethod
    def of(cls, head: Article, shows_pictures: bool, read) -> HollowArticle:
        """`head` (an article whose body fields are ignored) with its text
        to be read by `read`; `shows_pictures`: whether its text shows a picture."""
        hollow = object.__new__(cls)
        hollow.__dict__.update(head.__dict__)
        hollow.__dict__.update(dict.fromkeys(BODY_FIELDS), _read=read, _pictures=shows_pictures)
        return hollow

    def shows_pictures(self) -> bool:
        if self.__dict__.get("body_html") is not None:
            return super().shows_pictures()
        return bool(self.image) or self.__dict__["_pictures"]


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
