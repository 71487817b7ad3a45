"""The archive as data for researchers: each term's article list and the
whole archive's as CSV and JSON, and each article's reference as RIS and
BibTeX (what reference managers import). The columns are documented in the
README ("Data downloads"); SCHEMA names their version.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from .config import SiteConfig, absolute_url
from .model import Article

SCHEMA = "archive-site/articles/1"
# What the files depend on besides their articles and the settings: this code.
EPOCH = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()
FILES = {"csv": "articles.csv", "json": "articles.json"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def record(config: SiteConfig, article: Article, links: dict) -> dict:
    """One article as a row of the downloads: the fields the README lists,
    then each taxonomy of the site by its key (names, in the article's order)."""
    date = ""
    if article.date is not None:
        date = article.date.strftime("%Y-%m") if article.date_precision == "month" else article.date.date().isoformat()
    row = {
        "title": article.title,
        "url": absolute_url(config, article.url),
        "date": date,
        "date_kind": article.date_source if article.date is not None else "",
        "event_date": article.event_date.isoformat() if article.event_date else "",
        "word_count": article.word_count,
        "slug": article.slug,
    }
    for spec in config.taxonomies:
        row[spec.key] = [term.name for term in links.get(spec.key, ())]
    return row


class Rows:
    """Each article's row, made once per build and shared by every list
    that holds it: as a JSON object, as a CSV line, and a digest of it
    (what a list's fingerprint is made of). `links`: each article's terms
    by kind (by slug).

    A row is made of the article's fields and terms, all of which the
    article's digest (plan.article_digests, `cards`) covers, and of the
    settings and this module (`key`): `known` rows made under the same key,
    by digest, set once the key is known, are taken as they are rather than
    made again (the build keeps them in its cache); `made` holds those made
    here."""

    def __init__(self, config: SiteConfig, links: dict[str, dict], cards: dict[str, str] | None = None):
        self.config = config
        # What the rows depend on besides their articles: the settings and this module.
        self.key = hashlib.blake2b(f"{SCHEMA}|{EPOCH}|{config!r}".encode("utf-8"), digest_size=16).hexdigest()
        self.links = links
        self.cards = cards or {}
        self.known: dict[str, tuple[bytes, bytes]] = {}
        self.made: dict[str, tuple[bytes, bytes]] = {}
        self._lines: dict[str, tuple[bytes, bytes]] = {}
        self._digests: dict[str, str] = {}
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, lineterminator="\r\n")

    def row(self, article: Article) -> dict:
        return record(self.config, article, self.links[article.slug])

    def lines(self, article: Article) -> tuple[bytes, bytes]:
        """The row as a JSON object and as a CSV line (RFC 4180), in UTF-8
        (the files are joined from them as they are): a list of names
        joined by " | "; a cell that a spreadsheet would run as a formula
        (starting with = + - @) gets a leading apostrophe, so a title is
        never code on the researcher's machine."""
        found = self._lines.get(article.slug)
        if found is None:
            card = self.cards.get(article.slug)
            found = self.known.get(card) if card else None
            if found is None:
                row = self.row(article)
                out = self._out
                out.seek(0)
                out.truncate()
                self._writer.writerow(
                    [_cell(" | ".join(value) if isinstance(value, list) else value) for value in row.values()])
                found = (json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                         out.getvalue().encode("utf-8"))
                if card:
                    self.made[card] = found
            self._lines[article.slug] = found
        return found

    def json(self, article: Article) -> bytes:
        return self.lines(article)[0]

    def csv(self, article: Article) -> bytes:
        return self.lines(article)[1]

    def digest(self, article: Article) -> str:
        found = self._digests.get(article.slug)
        if found is None:
            found = self._digests[article.slug] = hashlib.blake2b(self.json(article), digest_size=8).hexdigest()
        return found

    def make_all(self, articles: list[Article]) -> None:
        """Make (or take) the row of every article in `articles` now; the
        known rows not taken are let go."""
        for article in articles:
            self.lines(article)
        self.known = {}

    def by_card(self) -> dict[str, tuple[bytes, bytes]]:
        """The rows made or taken so far, by article digest (`known` for a later build)."""
        cards = self.cards
        return {cards[slug]: lines for slug, lines in self._lines.items() if slug in cards}


def as_json(rows: Rows, articles: list[Article], about: dict) -> bytes:
    """The JSON file (UTF-8): what it lists (`about`: the term or the
    archive), and a record per article, newest first."""
    head = json.dumps({"schema": SCHEMA, **about, "count": len(articles)}, ensure_ascii=False,
                      separators=(",", ":"))
    return (head[:-1] + ',"articles":[').encode("utf-8") + b",".join([rows.json(a) for a in articles]) + b"]}\n"


def as_csv(rows: Rows, articles: list[Article]) -> bytes:
    """The CSV file (RFC 4180, UTF-8): a header, then a row per article
    (Rows.csv), newest first."""
    keys = ["title", "url", "date", "date_kind", "event_date", "word_count", "slug",
            *(spec.key for spec in rows.config.taxonomies)]
    return (",".join(keys) + "\r\n").encode("utf-8") + b"".join([rows.csv(a) for a in articles])


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def ris(config: SiteConfig, article: Article, links: dict) -> str:
    """The article as an RIS record (a newspaper article)."""
    lines = ["TY  - NEWS", f"TI  - {_line(article.title)}", f"T2  - {_line(config.title)}"]
    if article.author:
        lines.append(f"AU  - {_line(article.author)}")
    if article.date is not None:
        lines.append(f"PY  - {article.date.year}")
        lines.append("DA  - " + (article.date.strftime("%Y/%m") if article.date_precision == "month"
                                 else article.date.strftime("%Y/%m/%d")))
    lines.append(f"UR  - {absolute_url(config, article.url)}")
    if article.summary:
        lines.append(f"AB  - {_line(article.summary)}")
    lines.append(f"LA  - {config.language}")
    for spec in config.taxonomies:
        lines.extend(f"KW  - {_line(term.name)}" for term in links.get(spec.key, ()))
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def bibtex(config: SiteConfig, article: Article, links: dict) -> str:
    """The article as a BibTeX @online entry (biblatex), keyed by its slug's
    digest (a key must be ASCII)."""
    key = "archive-" + hashlib.blake2b(article.slug.encode("utf-8"), digest_size=4).hexdigest()
    fields = [("title", article.title), ("organization", config.title)]
    if article.author:
        fields.append(("author", article.author))
    if article.date is not None:
        fields.append(("date", article.date.strftime("%Y-%m") if article.date_precision == "month"
                       else article.date.date().isoformat()))
    fields += [("url", absolute_url(config, article.url)), ("langid", "arabic")]
    keywords = [term.name for spec in config.taxonomies for term in links.get(spec.key, ())]
    if keywords:
        fields.append(("keywords", ", ".join(keywords)))
    body = ",\n".join(f"  {name} = {{{value if name == 'url' else _braced(value)}}}" for name, value in fields)
    return f"@online{{{key},\n{body}\n}}\n"


# Each article's reference, in its folder: format → (file name, writer).
CITATIONS = {"ris": ("cite.ris", ris), "bib": ("cite.bib", bibtex)}


def _line(text: str) -> str:
    """`text` on one line (RIS has one field per line)."""
    return " ".join(text.split())


_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
        "$": r"\$", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def _braced(text: str) -> str:
    """`text` safe inside BibTeX braces: one line, and every character TeX
    reads as markup escaped, so that a title can neither close its field
    nor run a command."""
    return "".join(_TEX.get(char, char) for char in " ".join(text.split()))
