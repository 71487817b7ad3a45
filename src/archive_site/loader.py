"""Reading article files into `Article` records.

Two formats (see DESIGN.md): Markdown with YAML front matter, and the plain
text of the seed articles. Problems are returned as `ContentError` values,
never raised: the build decides what to do with them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import html
import os
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import yaml

from . import arabic, dates
from .cache import RecordCache, file_state, newest_time, trusted
from .config import OUTPUT_FOLDERS, SiteConfig, yaml_error_line
from .i18n import N_, Msg
from .model import BODY_FIELDS, Article, ContentError, HollowArticle, Page, SkippedFile, SourceChanged, instant
from . import images
from .sanitize import clean_html
from .sitefiles import FoundFile, SiteWalker
from .workers import fork_map

if TYPE_CHECKING:
    import markdown

ARTICLE_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".txt": "text"}
# Beside a plain-text article, a YAML file of the same name adds front matter.
SIDECAR_SUFFIXES = (".yml", ".yaml")
MAX_SIDECAR_BYTES = 1024 * 1024
MAX_FILE_BYTES = 10 * 1024 * 1024
_EDITOR_LEFTOVERS = re.compile(r"(^\.|^#.*#$|~$|\.(swp|swo|swx|tmp|bak|orig|part)$|^4913$)")
_FOOTER_RULE = re.compile(r"^\s*-{5,}\s*$")
_FENCE = re.compile(r"^---\s*$")
_FENCE_END = re.compile(r"^(---|\.\.\.)\s*$")
_LIST_SEPARATOR = re.compile(r"[,،]")
_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
TERM_KEYS = SiteConfig().term_keys
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STRING_FIELDS = ("summary", "author", "source")
# `notes` are the editors' own, never published.
# `provenance` (what `import` records of the original) too.
_OWN_FIELDS = {"title", "date", "slug", "draft", "exclude", "notes", "takedown", "corrections", "aliases",
               "received", "provenance", "noindex", "event_date", "image", "image_alt", *_STRING_FIELDS}


class _FrontMatterLoader(_BASE_LOADER):
    """Safe YAML that leaves dates as text: they are parsed here, with line numbers."""

    yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@dataclass
class LoadResult:
    """What loading a site's content folders gives: the articles, every
    problem found (errors and warnings) and the files that are not articles."""

    articles: list[Article] = field(default_factory=list)
    problems: list[ContentError] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    # The size and modification time of each article's file, by its path.
    states: dict[str, tuple[int, int]] = field(default_factory=dict)
    # The files this load read (the others came from the cache or the memo, as an earlier load read them).
    fresh: set[str] = field(default_factory=set)

    @property
    def errors(self) -> list[ContentError]:
        return [p for p in self.problems if not p.warning]

    @property
    def failed(self) -> list[str]:
        """The paths of the files that have an error, each once."""
        return sorted({p.path for p in self.errors})

    @property
    def warnings(self) -> list[ContentError]:
        return [p for p in self.problems if p.warning]


class _Invalid(Exception):
    """One file cannot be read as an article."""

    def __init__(self, message: str, line: int | None = None, hint: str = "", path: str = ""):
        super().__init__(message)
        self.message, self.line, self.hint, self.path = message, line, hint, path


class _Invalids(_Invalid):
    """Several problems of one file, all reported at once."""

    def __init__(self, problems: list[_Invalid]):
        first = problems[0]
        super().__init__(first.message, first.line, first.hint, first.path)
        self.problems = problems


@dataclass
class ContentScan:
    """The files under a site's content folders, found without reading them:
    the article files (path, path relative to the site, file state), the
    other files and why they are skipped, and the problems of the walk."""

    files: list[tuple[str, str, tuple]]
    skipped: list[SkippedFile]
    problems: list[ContentError]


def scan_content(site_dir: Path, content_dirs: tuple[str, ...] = ("content", "seeds"), allow_outside: bool = False,
                 forbidden: tuple[Path, ...] = ()) -> ContentScan:
    """Walk the content folders of `site_dir`; links are followed as
    sitefiles.SiteWalker allows (`allow_outside`, `forbidden`)."""
    skipped: list[SkippedFile] = []
    walker = SiteWalker(site_dir, allow_outside, forbidden)
    files = list(iter_content_files(site_dir, content_dirs, skipped, walker))
    return ContentScan(files, skipped, walker.problems)


@dataclass(frozen=True)
class ContentFile:
    """An article file found by the scan: its path, its path relative to the
    site, its state, and its sidecar (`report.yml` beside `report.txt`) if it
    has one. The state covers both files."""

    path: str
    rel: str
    state: tuple
    sidecar: str | None = None
    sidecar_rel: str = ""


def load_site(site_dir: Path, content_dirs: tuple[str, ...] = ("content", "seeds"),
              cache: RecordCache | None = None, jobs: int = 1, allow_outside: bool = False,
              forbidden: tuple[Path, ...] = (), term_keys: tuple[str, ...] = TERM_KEYS,
              scan: ContentScan | None = None, memo: dict | None = None, hollow: bool = False) -> LoadResult:
    """Load every article under the content folders of `site_dir`.

    Returns all good articles with unique slugs, and every problem found.
    Files unchanged since they were stored in `cache` are not read again;
    the others are read by `jobs` processes when there are many. Links are
    followed as sitefiles.SiteWalker allows (`allow_outside`, `forbidden`).
    `term_keys`: the front-matter keys that list terms (the taxonomies').
    `scan`: the walk of the content folders, when it is done already.
    `memo`: what the previous load of the same process read (the preview
    server's), by file and state; it is updated for the next one, and spares
    reading the cache again for the files that did not change.
    `hollow`: the articles that come from the cache have their text read
    only when it is asked for (model.HollowArticle), in whichever process
    asks; a file whose text cannot be read back from the cache is read
    again, and one that changed meanwhile raises SourceChanged.
    """
    scan = scan or scan_content(site_dir, content_dirs, allow_outside, forbidden)
    result = LoadResult(skipped=list(scan.skipped), problems=list(scan.problems))
    converter = make_converter()
    files = scan.files
    started = time.time_ns()
    outcomes: list = [None] * len(files)
    for n, found in enumerate(files):
        hit = memo.get((found.rel, found.state)) if memo else None
        if hit is not None and trusted(newest_time(found.state), hit[0]):
            outcomes[n] = hit[1]
            if cache:
                cache.keep("parse", found.rel)
                cache.keep("body", found.rel)
    asked = [n for n, outcome in enumerate(outcomes) if outcome is None]
    if cache and asked:
        _from_cache(cache, [files[n] for n in asked], outcomes, asked, hollow, term_keys)
    missing = [n for n, outcome in enumerate(outcomes) if outcome is None]

    def read(n: int):
        return read_found(files[n], converter, term_keys)

    unreadable = set()
    result.fresh = {files[n].rel for n in missing}
    for n, (article, problems, readable) in zip(missing, fork_map(read, missing, jobs), strict=True):
        outcomes[n] = (article, problems)
        if not readable:  # a read error is not remembered: it may be gone by the next build
            unreadable.add(n)
        elif cache:
            to_cache(cache, files[n], *outcomes[n])
    if memo is not None:
        memo.clear()
        memo.update({(found.rel, found.state): (started, outcomes[n]) for n, found in enumerate(files)
                     if n not in unreadable})
    for (rel, state), outcome in zip([(f.rel, f.state) for f in files], outcomes, strict=True):
        article, problems = outcome
        result.problems.extend(problems)
        if article is not None:
            result.articles.append(article)
            result.states[rel] = state
    result.articles = assign_unique_slugs(result.articles, result.problems)
    result.problems.extend(suspicious(result.articles))
    return result


def to_cache(cache: RecordCache, found: ContentFile, article: Article | None, problems: list[ContentError]) -> None:
    """Store what reading `found` gave: the article without its text, the
    problems and whether its text shows a picture ("parse"), and its text
    apart ("body"), so that a build can hold the one without the other."""
    head = article.but(**dict.fromkeys(BODY_FIELDS, "")) if article is not None else None
    cache.put("parse", found.rel, found.state, (head, problems, article is not None and article.shows_pictures()))
    if article is not None:
        cache.put("body", found.rel, found.state, [getattr(article, name) for name in BODY_FIELDS])


def _from_cache(cache: RecordCache, files: list[ContentFile], outcomes: list, at: list[int], hollow: bool,
                term_keys: tuple[str, ...]) -> None:
    """Fill `outcomes` (at the positions `at`, one per file of `files`) with
    what the cache has of each file: (article, problems). An entry of
    another shape, or whose text is missing, is left out (read again)."""
    heads = cache.get_many("parse", [(found.rel, found.state) for found in files])
    whole = [k for k, head in enumerate(heads) if _shaped(head) and head[0] is not None]
    texts = {} if hollow else dict(zip(whole, cache.get_many("body", [(files[k].rel, files[k].state) for k in whole]),
                                       strict=True))
    for k, (found, head) in enumerate(zip(files, heads, strict=True)):
        if not _shaped(head):
            continue
        article, problems, pictures = head
        if article is not None:
            if hollow:
                cache.keep("body", found.rel)
                article = HollowArticle.of(article, pictures, TextReader(cache, found, article.sha256, term_keys))
            else:
                text = texts.get(k)
                if not _text_shaped(text):
                    continue
                article = article.but(**dict(zip(BODY_FIELDS, text, strict=True)))
        outcomes[at[k]] = (article, list(problems))


def _shaped(head: object) -> bool:
    return (isinstance(head, tuple) and len(head) == 3 and isinstance(head[0], (Article, type(None)))
            and isinstance(head[1], list) and isinstance(head[2], bool))


def _text_shaped(text: object) -> bool:
    return isinstance(text, list) and len(text) == len(BODY_FIELDS) and all(isinstance(t, str) for t in text)


class TextReader:
    """Reads an article's text back (HollowArticle): from the cache, in the
    process that asks, else from its file again, which must still be the
    file the build read (same digest)."""

    def __init__(self, cache: RecordCache, found: ContentFile, sha256: str, term_keys: tuple[str, ...]):
        self.cache, self.found, self.sha256, self.term_keys = cache, found, sha256, term_keys

    def __getstate__(self) -> dict:
        """Pickled without its cache (resume.py): the build that loads it gives its own."""
        return {**self.__dict__, "cache": None}

    def __call__(self) -> list[str]:
        found = self.found
        text = self.cache.get("body", found.rel, found.state) if self.cache is not None else None
        if _text_shaped(text):
            return text
        article = read_found(found, make_converter(), self.term_keys)[0]
        if article is None or article.sha256 != self.sha256:
            raise SourceChanged(found.rel)
        return [getattr(article, name) for name in BODY_FIELDS]


def read_found(found: ContentFile, converter: markdown.Markdown, term_keys: tuple[str, ...]
               ) -> tuple[Article | None, list[ContentError], bool]:
    sidecar = (Path(found.sidecar), found.sidecar_rel) if found.sidecar else None
    return read_article(Path(found.path), found.rel, converter, term_keys, sidecar)


def read_article(path: Path, rel: str, converter: markdown.Markdown, term_keys: tuple[str, ...] = TERM_KEYS,
                 sidecar: tuple[Path, str] | None = None) -> tuple[Article | None, list[ContentError], bool]:
    """Return the article in the file at `path` (None if it has an error),
    the problems found in it, and whether the file could be read at all.
    `sidecar`: the path and relative path of its sidecar, if any."""
    shown = rel
    try:
        with path.open("rb") as file:
            if os.fstat(file.fileno()).st_size > MAX_FILE_BYTES:
                raise _too_large()
            data = file.read(MAX_FILE_BYTES + 1)
        side = None
        if sidecar is not None:
            shown = sidecar[1]
            with sidecar[0].open("rb") as file:
                side = (file.read(MAX_SIDECAR_BYTES + 1), sidecar[1])
            shown = rel
        article, warnings = parse_article(data, rel, path.suffix.lower(), converter, term_keys, side)
    except _Invalid as exc:
        problems = exc.problems if isinstance(exc, _Invalids) else [exc]
        return None, [ContentError(p.path or rel, p.message, p.line, p.hint) for p in problems], True
    except OSError as exc:
        return None, [ContentError(shown, Msg("cannot read the file: {reason}", reason=exc.strerror))], False
    return article, warnings, True


def iter_content_files(site_dir: Path, content_dirs, skipped: list[SkippedFile], walker: SiteWalker
                       ) -> Iterator[ContentFile]:
    """Yield the article files under the content folders, with their
    sidecars, in a stable order; record every other file in `skipped` with
    the reason, and problems in `walker`."""
    for name in content_dirs:
        top = site_dir / name
        if not (top.is_dir() or top.is_symlink()):
            continue
        found_files = []  # (file, path without suffix, suffix in lower case)
        for found in walker.walk(top, name):
            if not isinstance(found, FoundFile):
                rel, reason = found
                skipped.append(SkippedFile(rel, reason))
            elif _EDITOR_LEFTOVERS.search(found.name):
                skipped.append(SkippedFile(found.rel, N_("hidden, backup or editor temporary file")))
            else:
                stem, suffix = os.path.splitext(found.rel)
                found_files.append((found, stem, suffix.lower()))
        sidecars = {stem: f for f, stem, suffix in found_files if suffix in SIDECAR_SUFFIXES}
        texts = {stem for _f, stem, suffix in found_files if suffix == ".txt"}
        for found, stem, suffix in found_files:
            if suffix in SIDECAR_SUFFIXES:
                if stem not in texts:
                    skipped.append(SkippedFile(found.rel, N_("a sidecar with no .txt article of the same name beside it")))
            elif suffix not in ARTICLE_SUFFIXES:
                skipped.append(SkippedFile(found.rel, N_("not an article (only .md and .txt files are read)")))
            elif suffix == ".txt" and stem in sidecars:
                sidecar = sidecars[stem]
                yield ContentFile(found.path, found.rel, file_state(found.stat) + file_state(sidecar.stat),
                                  sidecar.path, sidecar.rel)
            else:
                yield ContentFile(found.path, found.rel, file_state(found.stat))


def _too_large() -> _Invalid:
    return _Invalid(Msg("file is larger than {size} MB", size=MAX_FILE_BYTES // 1024 // 1024),
                    hint=N_("split it or move it out of the content folder"))


# Python-Markdown scans to the end of a paragraph for each unclosed '[' or
# '<': a few thousand of them take minutes. No real article needs a second.
MARKDOWN_SECONDS = 5


class _TooSlow(Exception):
    """Converting one Markdown body ran past its deadline."""


def make_converter() -> markdown.Markdown:
    """The Markdown converter for article bodies, with a deadline: every
    inline pattern checks the converter's `deadline` (thread CPU time) before
    it runs, and raises _TooSlow past it. Works in any thread."""
    import markdown  # when a file is to be read: a build with nothing to do reads none

    converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    converter.deadline = float("inf")

    def guarded(handle):
        def handle_match(*args):
            if time.thread_time() > converter.deadline:
                raise _TooSlow()
            return handle(*args)
        return handle_match

    for pattern in converter.inlinePatterns:
        pattern.handleMatch = guarded(pattern.handleMatch)
    return converter


def parse_article(data: bytes, rel: str, suffix: str, converter: markdown.Markdown,
                  term_keys: tuple[str, ...] = TERM_KEYS, sidecar: tuple[bytes, str] | None = None
                  ) -> tuple[Article, list[ContentError]]:
    """Return the article in `data` (the bytes of the file at `rel`) and
    warnings. `term_keys`: the front-matter keys that list terms.

    Raises _Invalid when the file cannot be published.
    """
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    digest = hashlib.sha256(data).hexdigest()
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, warnings = _remove_forbidden(text, rel)
    if not text.strip():
        raise _Invalid(N_("empty file"), hint=N_("write a title and some text, or delete the file"))
    if ARTICLE_SUFFIXES[suffix] == "markdown":
        fields, body_start, key_lines, more = read_front_matter(text, rel, term_keys)
        warnings += more
        body = "\n".join(text.split("\n")[body_start:])
        fast = plain_paragraphs_html(body)
        if fast is not None:
            article = _make_article(fields, key_lines, mark_directions(fast), rel, "markdown", digest, term_keys)
            return replace(article, encoding=encoding), warnings + _lead_warnings(article, key_lines, rel)
        converter.reset()
        converter.deadline = time.thread_time() + MARKDOWN_SECONDS
        try:
            converted = converter.convert(body)
        except RecursionError:
            raise _Invalid(N_("the Markdown body is nested too deeply to convert"), body_start + 1,
                           N_("remove the long run of '>' or list markers")) from None
        except _TooSlow:
            raise _Invalid(Msg("the Markdown body takes more than {n} seconds to convert", n=MARKDOWN_SECONDS),
                           body_start + 1, N_("look for a long run of '[', '![' or '<a' that is never closed, "
                                              "and close or escape them (write \\[ for a bracket)")) from None
        body_html = clean_html(converted)
        if _plain(body_html) != _plain(converted):
            warnings.append(ContentError(
                rel, N_("text inside HTML that is not allowed (such as <script>, <style> or an unclosed tag) "
                   "was removed from the body"), None, N_("write the text as plain Markdown"), warning=True))
        for src in images.missing_alt(body_html):
            at = text.find(src)
            warnings.append(ContentError(
                rel, Msg("picture '{src}' has no description", src=src),
                text.count("\n", 0, at) + 1 if at >= 0 else None,
                N_("describe it for readers who cannot see it: ![what it shows](photo.jpg)"), warning=True))
        article = _make_article(fields, key_lines, mark_directions(body_html), rel, "markdown", digest, term_keys)
        return replace(article, encoding=encoding), warnings + _lead_warnings(article, key_lines, rel)
    title, paragraphs, footer, title_line = split_plain_text(text)
    body_html = mark_directions("\n".join(f"<p>{link_urls(html.escape(p, quote=False))}</p>" for p in paragraphs))
    fields, key_lines, key_paths = {"title": title}, {"title": title_line}, {}
    if sidecar is not None:
        side, side_lines, more = read_sidecar(*sidecar, term_keys)
        warnings += more
        fields.update(side)
        key_lines.update(side_lines)
        key_paths = {key: sidecar[1] for key in side}
    article = _make_article(fields, key_lines, body_html, rel, "text", digest, term_keys, footer, key_paths)
    return replace(article, encoding=encoding), warnings + _lead_warnings(article, key_lines, key_paths.get("image", rel))


def read_sidecar(data: bytes, rel: str, term_keys: tuple[str, ...]
                 ) -> tuple[dict, dict[str, int], list[ContentError]]:
    """Return the fields of a sidecar file (YAML, the keys of front matter),
    the line of each key, and warnings; raises _Invalid naming the sidecar."""
    if len(data) > MAX_SIDECAR_BYTES:
        raise _Invalid(Msg("sidecar is larger than {size} KB", size=MAX_SIDECAR_BYTES // 1024), path=rel)
    try:
        text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
        fields, lines, warnings = _yaml_fields(text, rel, 1, term_keys)
    except _Invalid as exc:
        exc.path = rel
        raise
    if fields is None:
        return {}, {}, warnings
    return fields, lines, warnings


def _remove_forbidden(text: str, rel: str) -> tuple[str, list[ContentError]]:
    """Return `text` without the characters no page may hold (control
    characters, noncharacters; see arabic.FORBIDDEN) and a warning naming
    the lines they were on."""
    if not arabic.has_forbidden(text):
        return text, []
    lines = text.split("\n")
    bad = [n for n, line in enumerate(lines, 1) if arabic.FORBIDDEN.search(line)]
    sample = sorted({f"U+{ord(c):04X}" for c in arabic.FORBIDDEN.findall(text)})[:5]
    where = ", ".join(map(str, bad[:10])) + (" …" if len(bad) > 10 else "")
    warning = ContentError(rel, Msg("invisible control characters ({codes}) removed from line {where}",
                                    plural="invisible control characters ({codes}) removed from lines {where}",
                                    n=len(bad), codes=", ".join(sample), where=where), bad[0],
                           N_("they are usually pasted in by accident; save the file again as plain text"),
                           warning=True)
    return arabic.remove_forbidden(text), [warning]


# Anything that could be Markdown syntax, HTML, or text the sanitiser rewrites.
_NOT_PLAIN = re.compile(r"[\\`*_{}\[\]<>&|#~\t\x00-\x08\x0b-\x1f\x7f\u00a0]|^[^\S\n]|[^\S\n]$|^[-+=:.\d]",
                        re.M)
_BLANK_LINES = re.compile(r"\n{2,}")


_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def mark_directions(body_html: str) -> str:
    """`body_html` with dir="ltr" on the paragraphs written mostly in Latin
    letters (an English statement, a tweet), so that their punctuation and
    parentheses fall where their writer put them; the others follow the
    page (right to left). Words inside tags (link addresses) do not count."""
    def direction(match: re.Match) -> str:
        text = _TAG.sub("", match.group(1)) if "<" in match.group(1) else match.group(1)
        latin = len(_LATIN_LETTER.findall(text))  # none in most paragraphs: no need to count the others
        if latin and latin > len(_ARABIC_LETTER.findall(text)):
            return f'<p dir="ltr">{match.group(1)}</p>'
        return match.group(0)

    return _PARAGRAPH.sub(direction, body_html)


# A web address in a plain-text article, without the punctuation after it.
_URL = re.compile(r"https?://[^\s<>\"'«»“”\u0600-\u06ff]+?(?=[.,،؛:!?)\]]*(?:\s|$|<|«|»|“|”|[\u0600-\u06ff]))", re.I)


def link_urls(escaped: str) -> str:
    """Plain text (HTML-escaped) with its http(s) addresses as links, each
    isolated left to right so that its slashes stay in order in Arabic text."""
    return _URL.sub(lambda m: f'<a href="{m.group(0)}" dir="ltr" rel="noopener noreferrer">{m.group(0)}</a>',
                    escaped)


def plain_paragraphs_html(body: str) -> str | None:
    """Return the HTML of a Markdown body made only of plain paragraphs, the
    same as Python-Markdown and the sanitiser would give, without running
    them; None when the body has anything else."""
    if _NOT_PLAIN.search(body):
        return None
    return "\n".join(f"<p>{paragraph}</p>" for paragraph in _BLANK_LINES.split(body.strip("\n")) if paragraph)


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", html_text)).split())


def decode(data: bytes) -> str:
    """Return the text of `data`: UTF-8 with or without BOM, UTF-16 with a BOM
    or without one, or Windows-1256. Raises _Invalid for binary data."""
    return decode_text(data)[0]


def decode_text(data: bytes) -> tuple[str, str]:
    """decode(data), and the name of the encoding it was read in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode_strict(data[3:], "utf-8", offset=3), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_strict(data, "utf-16"), "utf-16"
    if b"\x00" in data:
        even_nuls = data[0::2].count(0)
        odd_nuls = data[1::2].count(0)
        half = len(data) // 2 or 1
        if odd_nuls / half > 0.3 and even_nuls < odd_nuls / 4:
            return _decode_strict(data, "utf-16-le"), "utf-16-le"
        if even_nuls / half > 0.3 and odd_nuls < even_nuls / 4:
            return _decode_strict(data, "utf-16-be"), "utf-16-be"
        raise _Invalid(N_("binary file, not text"), hint=N_("only text files (.md, .txt) can be articles"))
    encoding = "utf-8"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        encoding = "windows-1256"
        # Any bytes decode as Windows-1256: only a few control characters are allowed.
        text = data.decode("cp1256", errors="replace")
        if not _looks_like_text(text, len(text) // 200):
            raise _Invalid(N_("the file is neither UTF-8, UTF-16 nor Windows-1256 text"),
                           hint=N_("save it as UTF-8 in your editor")) from None
    if not _looks_like_text(text, len(text) // 4):
        raise _Invalid(N_("binary file, not text"), hint=N_("only text files (.md, .txt) can be articles"))
    return text, encoding


def _decode_strict(data: bytes, encoding: str, offset: int = 0) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _Invalid(Msg("bytes that are not valid {encoding} at byte {at}", encoding=encoding.upper(),
                           at=exc.start + offset), line, N_("save the file again as UTF-8")) from None


def _looks_like_text(text: str, allowed: int) -> bool:
    """Whether `text` is text: it has at most `allowed` control characters
    (and at least a few are always allowed: they are removed, with a warning)."""
    return len(_CONTROL.findall(text)) <= max(2, allowed)


# The control characters text may not hold many of (all but tab, line feed, form
# feed and carriage return), and the replacement character of undecodable bytes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def read_front_matter(text: str, rel: str, term_keys: tuple[str, ...] = TERM_KEYS
                      ) -> tuple[dict, int, dict[str, int], list[ContentError]]:
    """Return the front matter of a Markdown file as a mapping, the index of the
    first body line, the file line of each key, and warnings."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].lstrip("\ufeff")):
        raise _Invalid(N_("missing front matter"), 1,
                       N_("start the file with a line '---', then 'title: ...', then another '---'"))
    end = next((i for i in range(1, len(lines)) if _FENCE_END.match(lines[i])), None)
    if end is None:
        raise _Invalid(N_("front matter is not closed"), 1, N_("add a line '---' after the last front-matter key"))
    source = "\n".join(lines[1:end])
    fields, key_lines, warnings = _yaml_fields(source, rel, 2, term_keys, closing=end)
    if fields is None:
        raise _Invalid(N_("front matter is empty"), 2, N_("add a line 'title: ...'"))
    return fields, end + 1, key_lines, warnings


def _yaml_fields(source: str, rel: str, offset: int, term_keys: tuple[str, ...], closing: int | None = None
                 ) -> tuple[dict | None, dict[str, int], list[ContentError]]:
    """Parse `source` (front matter, or a sidecar) as 'key: value' lines: the
    fields (None when there are none), the file line of each key (`offset`:
    the file line of the first line of `source`, plus one), and warnings.
    Raises _Invalid naming the line."""
    end = closing if closing is not None else source.count("\n") + 1
    sidecar = closing is None
    try:
        loader = _FrontMatterLoader(source)
        try:
            node = loader.get_single_node()
            fields = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except ValueError as exc:  # a number too long to convert (more than 4300 digits)
        line = _line_of_long_number(source)
        raise _Invalid(Msg("the sidecar has a number too long to read ({detail})" if sidecar else
                           "front matter has a number too long to read ({detail})", detail=str(exc)),
                       line + offset - 1 if line else None, N_("put the value in quotes to keep it as text")) from None
    except yaml.YAMLError as exc:
        exc = _pure_python_yaml_error(source) or exc  # libyaml's marks are less precise
        line = yaml_error_line(exc, end - 1)
        problem = (getattr(exc, "problem", None) or "not valid YAML").replace(
            "'<stream end>'", "the end of the sidecar" if sidecar else "the end of the front matter")
        raise _Invalid(Msg("the sidecar is not valid YAML: {problem}" if sidecar else
                           "front matter is not valid YAML: {problem}", problem=problem),
                       line + offset if line is not None else offset,
                       N_("check the indentation, and put values that contain ':' or start with '[' in quotes")
                       ) from None
    if fields is None:
        return None, {}, []
    if not isinstance(fields, dict):
        raise _Invalid(N_("the sidecar must be 'key: value' lines") if sidecar else
                       N_("front matter must be 'key: value' lines"), offset)
    key_lines: dict[str, int] = {}
    warnings = []
    for key_node, _ in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + offset
        if key in key_lines:
            warnings.append(ContentError(rel, Msg("key '{key}' appears twice; the last value is used", key=key), line,
                                         N_("delete one of them"), warning=True))
        key_lines[key] = line
    cleaned = {}
    for key, value in fields.items():
        key, stripped = str(key), _strip_forbidden(value)
        close = _close_field(key, term_keys)
        if close:
            warnings.append(ContentError(rel, Msg("unknown key '{key}' is kept only for templates; did you mean '{close}'?",
                                             key=key, close=close), key_lines.get(key),
                                         Msg("rename it to '{close}' to use it", close=close), warning=True))
        if stripped != value:
            warnings.append(ContentError(rel, Msg("invisible control characters removed from '{key}'", key=key),
                                         key_lines.get(key), N_("remove the escape sequences such as \\x01 or \\0"),
                                         warning=True))
        cleaned[arabic.remove_forbidden(key)] = stripped
    return cleaned, key_lines, warnings


def _close_field(key: str, term_keys: tuple[str, ...]) -> str | None:
    """The known front-matter key that `key` was probably meant to be (a
    misspelling, another case, a singular), or None for a key of its own."""
    known = _OWN_FIELDS.union(term_keys)
    if key in known:
        return None
    close = difflib.get_close_matches(key.lower(), sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def _strip_forbidden(value):
    """`value` (YAML data) with forbidden characters removed from every string in it."""
    if isinstance(value, str):
        return arabic.remove_forbidden(value)
    if isinstance(value, list):
        return [_strip_forbidden(v) for v in value]
    if isinstance(value, dict):
        return {_strip_forbidden(k): _strip_forbidden(v) for k, v in value.items()}
    return value


_LONG_NUMBER = re.compile(r"[-+]?[0-9_]{4000,}")


def _line_of_long_number(source: str) -> int | None:
    """The line (counted from 1 within `source`) of the first very long number."""
    for n, line in enumerate(source.split("\n"), 1):
        if _LONG_NUMBER.search(line):
            return n
    return None


def _pure_python_yaml_error(source: str) -> yaml.YAMLError | None:
    class Loader(yaml.SafeLoader):
        yaml_implicit_resolvers = _FrontMatterLoader.yaml_implicit_resolvers

    try:
        Loader(source).get_single_node()
    except yaml.YAMLError as exc:
        return exc
    return None


def split_plain_text(text: str) -> tuple[str, list[str], str, int]:
    """Split a plain-text article into its title, body paragraphs, footer and
    the title's line number. A line of five or more dashes ends the body."""
    lines = text.split("\n")
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None:
        raise _Invalid(N_("empty file"), hint=N_("write a title on the first line, then the text"))
    title = lines[title_index].strip()
    body_lines: list[str] = []
    footer = ""
    for i in range(title_index + 1, len(lines)):
        if _FOOTER_RULE.match(lines[i]):
            footer = "\n".join(lines[i + 1:]).strip()
            break
        body_lines.append(lines[i])
    paragraphs = []
    current: list[str] = []
    for line in body_lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(arabic.clean(" ".join(current)))
            current = []
    return title, paragraphs, footer, title_index + 1


def _make_article(fields: dict, key_lines: dict[str, int], body_html: str, rel: str, fmt: str,
                  sha256: str, term_keys: tuple[str, ...], footer: str = "", key_paths: dict[str, str] | None = None
                  ) -> Article:
    """Validate `fields` and return the Article; raises _Invalid naming the
    line. `term_keys`: the keys that list terms (the site's taxonomies);
    `key_paths`: the file of each key that is not in the article's own
    (a sidecar's)."""
    key_paths = key_paths or {}

    def fail(key: str, message: str, hint: str = "") -> _Invalid:
        return _Invalid(message, key_lines.get(key), hint, key_paths.get(key, ""))

    # Every field is checked, so that one build names every problem of the file.
    problems: list[_Invalid] = []

    def checked(parse, default=None):
        try:
            return parse()
        except _Invalid as exc:
            problems.append(exc)
            return default

    title = checked(lambda: _title(fields, fail), "")
    text = " ".join(html.unescape(_TAG.sub(" ", body_html)).split())
    summary = checked(lambda: _text_field(fields, "summary", fail), "")
    if not summary:
        first = _PARAGRAPH.search(body_html)
        summary = " ".join(html.unescape(_TAG.sub("", first.group(1))).split()) if first else ""
    slug, from_front_matter = checked(lambda: _slug(fields, title, rel, fail), ("article", False))
    date = checked(lambda: parse_date(fields.get("date"), fail))
    received = checked(lambda: parse_date(fields.get("received"), fail, "received"))
    if date is not None:
        found = dates.Found(date, dates.SIDECAR if "date" in key_paths else dates.FRONT_MATTER)
    elif received is not None:  # the day the text was received, as `import` records it
        found = dates.Found(received, dates.INTAKE)
    else:
        found = dates.from_path(rel) or dates.from_text(title, text)
    article = Article(
        title=title,
        slug=slug,
        date=found.date if found else None,
        date_source=found.source if found else "",
        date_precision=found.precision if found else "day",
        terms={key: checked(lambda key=key: _term_list(fields, key, fail), ()) for key in term_keys},
        summary=summary,
        body_html=body_html,
        text=text,
        word_count=arabic.count_words(text),
        source=rel,
        format=fmt,
        slug_from_front_matter=from_front_matter,
        author=checked(lambda: _text_field(fields, "author", fail), ""),
        source_url=checked(lambda: _url_field(fields, "source", fail), ""),
        draft=checked(lambda: _flag(fields, "draft", fail), False),
        footer=footer,
        exclude=checked(lambda: _term_list(fields, "exclude", fail), ()),
        takedown=checked(lambda: _takedown(fields, fail), ""),
        noindex=checked(lambda: _flag(fields, "noindex", fail), False),
        event_date=checked(lambda: _event_date(fields, fail)),
        corrections=checked(lambda: _corrections(fields, fail), ()),
        aliases=checked(lambda: _aliases(fields, fail), ()),
        image=checked(lambda: _picture_field(fields, fail), ""),
        image_alt=checked(lambda: _text_field(fields, "image_alt", fail), ""),
        extra={k: v for k, v in sorted(fields.items()) if k not in _OWN_FIELDS and k not in term_keys},
        sha256=sha256,
    )
    if problems:
        raise _Invalids(sorted(problems, key=lambda p: (p.path, p.line or 0)))
    return article


def _title(fields: dict, fail) -> str:
    title = fields.get("title")
    if title is None and "title" in fields:
        raise fail("title", N_("'title' is empty"), N_("write the article's title after 'title:'"))
    if title is None:
        raise fail("title", N_("missing 'title'"), N_("add a line 'title: ...' to the front matter"))
    if isinstance(title, (int, float)) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str):
        raise fail("title", N_("'title' must be text"), N_("write the title on one line after 'title:'"))
    title = arabic.clean(title).strip()
    if not title:
        raise fail("title", N_("'title' is empty"), N_("write the article's title after 'title:'"))
    return title


def _slug(fields: dict, title: str, rel: str, fail) -> tuple[str, bool]:
    """The article's slug, and whether the front matter (or sidecar) set it."""
    value = fields.get("slug")
    if value is not None and not isinstance(value, (str, int)):
        raise fail("slug", N_("'slug' must be text"), N_("for example: slug: aleppo-market-fire"))
    slug = arabic.make_slug(str(value)) if value is not None else ""
    if value is not None and not slug:
        raise fail("slug", N_("'slug' has no letters or digits"), N_("use letters, digits and hyphens"))
    if slug:
        return slug, True
    return arabic.make_slug(title) or arabic.make_slug(Path(rel).stem) or "article", False


def _text_field(fields: dict, key: str, fail) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise fail(key, Msg("'{key}' must be text", key=key))
    return arabic.clean(str(value)).strip()


def _picture_field(fields: dict, fail) -> str:
    value = _text_field(fields, "image", fail)
    if value and (re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or value.startswith("/")):
        raise fail("image", N_("'image' must be the name of a picture beside the article"),
                   N_("put the picture in the article's folder and write its name: image: house.jpg"))
    return value


def _lead_warnings(article: Article, key_lines: dict[str, int], rel: str) -> list[ContentError]:
    if article.image and not article.image_alt:
        return [ContentError(rel, N_("the lead picture ('image') has no description"), key_lines.get("image"),
                             N_("say what it shows: image_alt: …"), warning=True)]
    return []


def _url_field(fields: dict, key: str, fail) -> str:
    value = _text_field(fields, key, fail)
    if value and not re.match(r"^https?://[^\s/]+", value, re.I):
        raise fail(key, Msg("'{key}' must be a web address starting with http:// or https://", key=key))
    return value


def _term_list(fields: dict, key: str, fail) -> tuple[str, ...]:
    """Return the terms listed under `key`: a YAML list, or one text split at
    commas (`,` or `،`), cleaned, without empty or repeated names."""
    value = fields.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        items = _LIST_SEPARATOR.split(value)
    elif isinstance(value, list):
        items = value
    else:
        raise fail(key, Msg("'{key}' must be a list", key=key),
                   Msg("write {key}: [first, second] or one name per '- ' line", key=key))
    names: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise fail(key, Msg("every item of '{key}' must be a name", key=key),
                       N_("remove nested lists or 'key: value' items"))
        name = " ".join(arabic.clean(str(item)).split())
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _event_date(fields: dict, fail) -> dt.date | None:
    """`event_date:` — when what the article reports happened, if not its date."""
    value = parse_date(fields.get("event_date"), fail, "event_date")
    return value.date() if value else None


def _flag(fields: dict, key: str, fail) -> bool:
    value = fields.get(key, False)
    if not isinstance(value, bool):
        raise fail(key, Msg("'{key}' must be true or false", key=key))
    return value


def _takedown(fields: dict, fail) -> str:
    """`takedown:` true, or the reason (for editors; never published): "" when absent or false."""
    value = fields.get("takedown")
    if value is None or value is False:
        return ""
    if value is True:
        return "yes"
    if isinstance(value, str) and value.strip():
        return arabic.clean(value).strip()
    raise fail("takedown", N_("'takedown' must be true or a reason"), N_("for example: takedown: a witness asked"))


def _corrections(fields: dict, fail) -> tuple[tuple[dt.date, str], ...]:
    """`corrections:` — dated notes shown under the article, oldest first."""
    value = fields.get("corrections")
    if value is None:
        return ()
    hint = N_("write each as '- date: 2020-01-02' with 'note: ...' below it")
    if not isinstance(value, list):
        raise fail("corrections", N_("'corrections' must be a list"), hint)
    found = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"date", "note"} or not isinstance(item["note"], str):
            raise fail("corrections", N_("each correction needs a 'date' and a 'note' (text)"), hint)
        date = parse_date(item["date"], lambda key, message, hint="": fail("corrections", message, hint),
                          "corrections")
        note = " ".join(arabic.clean(item["note"]).split())
        if date is None or not note:
            raise fail("corrections", N_("each correction needs a 'date' and a 'note' (text)"), hint)
        found.append((date.date(), note))
    return tuple(sorted(found))


def _aliases(fields: dict, fail) -> tuple[str, ...]:
    """`aliases:` — earlier addresses (slugs) that should lead to this article."""
    names = _term_list(fields, "aliases", fail)
    slugs = tuple(dict.fromkeys(arabic.make_slug(name) for name in names))
    if any(not slug for slug in slugs):
        raise fail("aliases", N_("an alias has no letters or digits"), N_("list earlier slugs, such as old-report"))
    return slugs


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_date(value, fail, key: str = "date") -> dt.datetime | None:
    """Return the date in `value` as written: its wall-clock time, with the
    zone offset when one is given; None when there is none. Arabic-Indic
    digits are accepted. `key`: the field it was read from, for messages."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise fail(key, Msg("'{key}' must be a date like 2019-08-03", key=key))
    written = arabic.to_ascii_digits(str(value)).strip()
    try:
        parsed = dt.datetime.fromisoformat(written)
    except ValueError:
        parsed = None
        for fmt in _DATE_FORMATS[1:]:
            try:
                parsed = dt.datetime.strptime(written, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise fail(key, Msg("'{value}' is not a valid date", value=value),
                   N_("write it as YYYY-MM-DD, for example 2019-08-03, and check the day exists in that month"))
    return parsed


SHORT_BODY_WORDS = 30


def suspicious(articles: list[Article]) -> list[ContentError]:
    """Return warnings for articles that are publishable but probably not as
    meant: an empty or very short body, a title another article has. (An
    article without a date gets its intake date from the ledger.)"""
    warnings = []
    first_with_title: dict[str, Article] = {}
    for article in sorted(articles, key=lambda a: a.source):
        def warn(message: str, hint: str, source: str = article.source) -> None:
            warnings.append(ContentError(source, message, None, hint, warning=True))

        if article.word_count == 0:
            warn(N_("empty body"), N_("write the article's text below the title"))
        elif article.word_count < SHORT_BODY_WORDS:
            warn(Msg("very short body ({n} word)", plural="very short body ({n} words)", n=article.word_count),
                 N_("check that the whole text is there"))
        key = arabic.normalize(article.title)
        other = first_with_title.setdefault(key, article)
        if other is not article and (article.slug_from_front_matter or other.slug_from_front_matter):
            warn(Msg("same title as {other}", other=other.source), N_("check that it is not the same article twice"))
    return warnings


def assign_unique_slugs(articles: list[Article], problems: list[ContentError]) -> list[Article]:
    """Return `articles` with unique slugs.

    Slugs set in front matter are kept; two files setting the same one is an
    error naming both. A slug derived from a title that is already taken gets
    a suffix from the file path, so each URL stays the same across builds: the
    oldest article (then the first by path) keeps the plain slug. Every
    article gets an address of its own, whatever the other slugs are.
    """
    taken: dict[str, Article] = {}
    for article in sorted((a for a in articles if a.slug_from_front_matter), key=lambda a: a.source):
        other = taken.get(article.slug)
        if other is not None:
            problems.append(ContentError(
                article.source, Msg("slug '{slug}' is already used by {other}", slug=article.slug,
                                    other=other.source), None, N_("give one of the two articles another 'slug:'")))
            continue
        taken[article.slug] = article
    result = list(taken.values())
    derived = sorted((a for a in articles if not a.slug_from_front_matter),
                     key=lambda a: (a.date is None, instant(a.date) if a.date else dt.datetime.min, a.source))
    for article in derived:
        if article.slug in taken:
            other = taken[article.slug]
            article = article.but(slug=free_slug(article.slug, article.source, taken))
            problems.append(ContentError(
                article.source, Msg("same title as {other}; published at {url}", other=other.source,
                                    url=article.url), None,
                N_("set 'slug:' in the front matter to choose the address"), warning=True))
        taken[article.slug] = article
        result.append(article)
    return result


def free_slug(slug: str, source: str, taken: dict) -> str:
    """`slug` with a suffix made from `source` that no article has taken: a
    longer piece of the path's digest if the short one is taken (by a title
    that happens to end that way), then a counter."""
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()
    for length in (6, 10, 16, 40):
        candidate = f"{slug}-{digest[:length]}"
        if candidate not in taken:
            return candidate
    n = 2
    while f"{slug}-{digest}-{n}" in taken:
        n += 1
    return f"{slug}-{digest}-{n}"


# Top-level folders and files of the output that a standalone page may not take.
# (and the folders of the taxonomies)
RESERVED = OUTPUT_FOLDERS | {"feed.xml", "sitemap.xml", "robots.txt", "404.html", "index.html"}


def load_extra_pages(site_dir: Path, files: tuple[str, ...], term_keys: tuple[str, ...] = TERM_KEYS
                     ) -> tuple[list[Page], list[ContentError]]:
    """Read the standalone pages `site.yml` lists (`extra_pages:`, Markdown
    files with front matter, such as an "about" page): each is published at
    /<slug>/. Returns the pages and the problems found."""
    pages, problems, taken = [], [], {}
    reserved = RESERVED.union(term_keys)
    converter = make_converter()
    root = site_dir.resolve()
    for rel in files:
        path = (site_dir / rel).resolve()
        if root not in path.parents or not path.is_file() or Path(rel).suffix.lower() not in (".md", ".markdown"):
            problems.append(ContentError("site.yml", Msg("extra page '{rel}' is not a Markdown file in the site folder", rel=rel),
                                         None, N_("list files such as pages/about.md under 'extra_pages:'")))
            continue
        article, errors, _ = read_article(path, rel, converter)
        problems.extend(errors)
        if article is None:
            continue
        if article.slug in reserved or article.slug in taken:
            other = taken.get(article.slug) or Msg("the archive's own pages")
            problems.append(ContentError(rel, Msg("the page's address /{slug}/ is taken by {other}",
                                                  slug=article.slug, other=other), None,
                                         N_("give the page another 'slug:'")))
            continue
        taken[article.slug] = rel
        pages.append(Page(article.title, article.slug, article.summary, article.body_html, rel))
    return pages, problems

