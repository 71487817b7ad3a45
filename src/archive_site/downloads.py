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
from urllib.parse import quote

from .config import SiteConfig
from .model import Article

SCHEMA = "archive-site/articles/1"
# What the files depend on besides their articles and the settings: this code.
EPOCH = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=8).hexdigest()
FILES = {"csv": "articles.csv", "json": "articles.json"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def permanent_url(config: SiteConfig, article: Article) -> str:
    return config.base_url + quote(article.url, safe="/")


def record(config: SiteConfig, article: Article, links: dict) -> dict:
    """One article as a row of the downloads: the fields the README lists,
    then each taxonomy of the site by its key (names, in the article's order)."""
    date = ""
    if article.date is not None:
        date = article.date.strftime("%Y-%m") if article.date_precision == "month" else article.date.date().isoformat()
    row = {
        "title": article.title,
        "url": permanent_url(config, article),
        "date": date,
        "date_kind": article.date_source if article.date is not None else "",
        "event_date": article.event_date.isoformat() if article.event_date else "",
        "word_count": article.word_count,
        "slug": article.slug,
    }
    for spec in config.taxonomies:
        row[spec.key] = [term.name for term in links.get(spec.key, ())]
    return row


def as_json(config: SiteConfig, articles: list[Article], links: dict[str, dict], about: dict) -> str:
    """The JSON file: what it lists (`about`: the term or the archive), and a
    record per article, newest first."""
    return json.dumps({"schema": SCHEMA, **about, "count": len(articles),
                       "articles": [record(config, a, links[a.slug]) for a in articles]},
                      ensure_ascii=False, separators=(",", ":")) + "\n"


def as_csv(config: SiteConfig, articles: list[Article], links: dict[str, dict]) -> str:
    """The CSV file (RFC 4180, UTF-8): a header, then a row per article,
    newest first; a list of names is joined by " | ". A cell that a
    spreadsheet would run as a formula (starting with = + - @) gets a
    leading apostrophe: a title is never code on the researcher's machine."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    keys = ["title", "url", "date", "date_kind", "event_date", "word_count", "slug",
            *(spec.key for spec in config.taxonomies)]
    writer.writerow(keys)
    for article in articles:
        row = record(config, article, links[article.slug])
        writer.writerow([_cell(" | ".join(value) if isinstance(value, list) else value) for value in row.values()])
    return out.getvalue()


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
    lines.append(f"UR  - {permanent_url(config, article)}")
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
    fields += [("url", permanent_url(config, article)), ("langid", "arabic")]
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
