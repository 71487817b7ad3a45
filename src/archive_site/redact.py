"""Redaction: names and phrases that must never be published.

`redact:` in site.yml lists them (a witness's name, a street). Every article
record is rewritten before anything is made from it, so the pages, feeds,
search index and downloads never see them: in the title, summary, body
(text and attributes), plain text, terms, author, corrections and extra
fields. A phrase matches however it is spelt as far as Arabic spelling goes
(alef and hamza forms, ة/ه, ى/ي, diacritics and tatweel between letters),
with a clitic in front (وسمير، لسمير), which stays.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from . import arabic
from .model import Article, ContentError

MARK = "[محجوب]"
_VARIANTS = {
    "ا": "اأإآٱ", "أ": "اأإآٱ", "إ": "اأإآٱ", "آ": "اأإآٱ", "ٱ": "اأإآٱ",
    "ة": "ةه", "ه": "ةه", "ى": "ىي", "ي": "ىي", "ؤ": "ؤو", "ئ": "ئي",
}
_MARKS = "[\u0610-\u061a\u064b-\u065f\u0670\u0640]*"  # diacritics and tatweel between letters
_CLITICS = "(?:و|ف)?(?:ب|ل|ك)?"


def pattern(phrases: tuple[str, ...]) -> re.Pattern | None:
    """One expression matching every phrase (longest first), or None."""
    parts = []
    for phrase in sorted({" ".join(arabic.clean(p).split()) for p in phrases if p.strip()}, key=len, reverse=True):
        letters = []
        for char in phrase:
            if char == " ":
                letters.append(r"\s+")
            elif char in _VARIANTS:
                letters.append(f"[{_VARIANTS[char]}]{_MARKS}")
            else:
                letters.append(re.escape(char) + _MARKS)
        parts.append("".join(letters))
    if not parts:
        return None
    return re.compile(rf"(?<!\w)({_CLITICS})(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)


def _text(found: re.Pattern, value: str) -> str:
    return found.sub(lambda m: m.group(1) + MARK, value)


def _deep(found: re.Pattern, value: object) -> object:
    if isinstance(value, str):
        return _text(found, value)
    if isinstance(value, list):
        return [_deep(found, v) for v in value]
    if isinstance(value, tuple):
        return tuple(_deep(found, v) for v in value)
    if isinstance(value, dict):
        return {k: _deep(found, v) for k, v in value.items()}
    return value


def redact_article(article: Article, found: re.Pattern) -> Article:
    """`article` with every published text field redacted."""
    body = article.body_html
    if found.search(html.unescape(body)):
        # Unescape, redact, escape again only what the sanitiser escaped: text
        # between tags keeps its markup because names hold no '<', '>' or '&'.
        body = re.sub(r"<[^<>]*>|[^<>]+", lambda m: _in_html(found, m.group(0)), body)
    return replace(
        article,
        title=_text(found, article.title),
        summary=_text(found, article.summary),
        body_html=body,
        text=_text(found, article.text),
        footer=_text(found, article.footer),
        author=_text(found, article.author),
        terms={key: tuple(dict.fromkeys(_text(found, n) for n in names)) for key, names in article.terms.items()},
        corrections=tuple((date, _text(found, note)) for date, note in article.corrections),
        extra=_deep(found, dict(article.extra)),
    )


def _in_html(found: re.Pattern, chunk: str) -> str:
    """A tag with its attribute values redacted, or text between tags redacted."""
    if chunk.startswith("<"):
        return re.sub(r'="([^"]*)"', lambda m: '="' + _escaped_text(found, m.group(1)) + '"', chunk)
    return _escaped_text(found, chunk)


def _escaped_text(found: re.Pattern, chunk: str) -> str:
    plain = html.unescape(chunk)
    if not found.search(plain):
        return chunk
    return html.escape(_text(found, plain), quote=True)


def redact_all(articles: list[Article], phrases: tuple[str, ...]) -> list[Article]:
    """`articles` with every phrase of `phrases` redacted."""
    found = pattern(phrases)
    return articles if found is None else [redact_article(article, found) for article in articles]


def exposed_addresses(articles: list[Article], redirects: dict[str, Article], phrases: tuple[str, ...]
                      ) -> tuple[list[ContentError], dict[str, Article]]:
    """Errors for articles whose address holds a redacted phrase (made from
    the title before it was redacted), and `redirects` without the old
    addresses that hold one: those get no page at all."""
    found = pattern(tuple(p.replace("-", " ") for p in phrases))
    if found is None:
        return [], redirects
    problems = [ContentError(article.source, "the article's address contains a redacted name", None,
                             "give it a 'slug:' of its own (in its front matter or sidecar)")
                for article in articles if found.search(article.slug.replace("-", " "))]
    return problems, {old: a for old, a in redirects.items() if not found.search(old.replace("-", " "))}
