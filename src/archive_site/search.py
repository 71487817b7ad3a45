"""The search index: Pagefind, fed from the site model, as a built-in
plugin (SearchPlugin) that writes the output's `pagefind/` folder.

Pagefind is given one small HTML document per article, written for it alone
into a folder of the cache, where it is kept between builds and written again
only when what it shows changed (write_documents): the title and text a reader
sees, the search forms of its words that the text does not already contain
(see arabic.search_extra_words), the names and aliases of its terms, and its
filters (one per taxonomy that site.yml gives a `filter:` label) and metadata.
The published pages stay as they are, and the index does not depend on the
theme. The browser side (theme/static/search.js) reduces query words to the
same forms and builds excerpts from the text alone.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from . import arabic
from .gazetteer import Gazetteer
from .i18n import Msg, count
from .model import Article
from .hooks import Output, PluginContext
from .scratch import make_scratch
from .workers import fork_map
from .taxonomy import Site

# The folder of the output the index is written to.
INDEX_FOLDER = "pagefind"
YEAR_FILTER = "السنة"
# In the index folder: the words whose first letter a query keeps (arabic.search_keep).
KEEP_FILE = "archive-site-keep.json"
# In the index folder: each nested filter's values with their enclosing values
# (filter_tree), which the search page uses to show a place under its parents.
TREE_FILE = "archive-site-tree.json"
# In the cache folder: the documents Pagefind reads, kept between builds (the
# preview server keeps its own), each folder with the key of each document
# beside it, by article address (documents_keys), in <folder>.json.
DOCUMENTS_FOLDER = "search-documents"
PREVIEW_DOCUMENTS_FOLDER = "search-documents-preview"


@dataclass(frozen=True)
class SearchResult:
    """What indexing did: whether it worked, and what to tell the user if not."""

    ok: bool
    message: str = ""
    pages: int = 0
    reused: bool = False  # the previous index still held


def pagefind_version() -> str | None:
    """Return the installed Pagefind's version, or None when it is missing."""
    if importlib.util.find_spec("pagefind") is None:
        return None
    try:
        from importlib.metadata import version

        return version("pagefind")
    except Exception:
        return "unknown"


def index_fingerprint(site: Site, cards: dict[str, str], gazetteer: Gazetteer | None) -> str:
    """A digest of everything the index holds: the articles (by the
    digests of their cards), the names and variants the gazetteer gives
    their terms, the site's language and month names, and Pagefind's version."""
    digest = hashlib.blake2b(f"{pagefind_version()}|{_shared(site, gazetteer)}|".encode(), digest_size=16)
    for article in site.articles:
        digest.update(cards[article.slug].encode())
    return digest.hexdigest()


def _shared(site: Site, gazetteer: Gazetteer | None) -> str:
    """A digest of what the documents show besides their own articles (what
    the digests of their cards cover): the site's language and month names,
    the taxonomies and their filters, the places enclosing each place, the
    names and variants the gazetteer gives terms, and the code."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{site.config.language}|{site.config.months}|{_SOURCE_VERSION}|".encode())
    digest.update(f"{gazetteer.digest if gazetteer is not None else None}|".encode())
    digest.update(repr([(s.key, s.filter, s.gazetteer) for s in site.config.taxonomies]).encode())
    # The enclosing places are filter values too, which the cards do not show.
    digest.update(json.dumps(filter_tree(site), ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def documents_keys(site: Site, gazetteer: Gazetteer | None, cards: dict[str, str],
                   keep: frozenset[str]) -> dict[str, str]:
    """The key of each article's document, by its address: a digest of all
    the document is made of (source_document) — the article as its card
    shows it, what every document shares, and the words queries keep."""
    shared = hashlib.blake2b(f"{_shared(site, gazetteer)}|{sorted(keep)}".encode(), digest_size=16).hexdigest()
    return {article.url: hashlib.blake2b(f"{shared}|{cards[article.slug]}".encode(), digest_size=16).hexdigest()
            for article in site.articles}


# The code that makes the index's documents and word lists: an index made
# by other rules is never kept.
_SOURCE_VERSION = hashlib.blake2b(Path(__file__).read_bytes() + Path(arabic.__file__).read_bytes(),
                                  digest_size=8).hexdigest()


# Pagefind's interface inserts filter names and values into the page as
# HTML, after decoding character references in them more than once: no
# escaping survives that. These three characters are given as their
# full-width forms instead, so no markup can ever be formed.
_MARKUP = str.maketrans({"<": "\uff1c", ">": "\uff1e", "&": "\uff06"})


def filter_tree(site: Site) -> dict[str, dict[str, list[str]]]:
    """For each filter of a nested taxonomy (places), each value with the
    values that enclose it, outermost first: {"المكان": {"بزاعة": ["حلب",
    "ريف حلب", "الباب"]}}."""
    tree = {}
    for spec in site.config.taxonomies:
        if spec.filter and spec.hierarchical and spec.key in site.taxonomies:
            tree[filter_text(spec.filter)] = {
                filter_text(term.name): [filter_text(a.name) for a in term.ancestors]
                for term in site.taxonomies[spec.key].terms if term.count}
    return tree


def filter_text(text: str) -> str:
    """`text` as a search filter name or value: shown as text, whatever it holds."""
    return text.translate(_MARKUP)


def source_document(site: Site, article: Article, gazetteer: Gazetteer | None,
                    keep: frozenset[str] = frozenset()) -> str:
    """Return the HTML document Pagefind indexes for `article`; `keep`: the
    words whose first letter is not a clitic (arabic.search_keep)."""
    esc = html.escape
    terms = site.article_terms[article.slug]
    names = []
    filters = []
    for spec in site.config.taxonomies:
        for term in terms.get(spec.key, ()):
            # A place also counts as being in every place that contains it.
            if spec.filter:
                filters.extend((spec.filter, member.name) for member in (*term.ancestors, term))
            if gazetteer is not None and spec.gazetteer:
                entry = gazetteer.lookup(spec.gazetteer, term.name)
                if entry is not None:
                    names.extend((entry.name, *entry.variants))
            names.append(term.name)
    if article.date is not None:
        filters.append((YEAR_FILTER, str(article.date.year)))
    # Each value once: an article naming two places in إدلب counts once under إدلب.
    filters = list(dict.fromkeys(filters))
    extra = arabic.search_extra_words(f"{article.title}\n{article.text}", names, keep)
    date = arabic.format_date(article.date, site.config.months) if article.date else ""
    parts = [
        f'<!DOCTYPE html><html lang="{esc(site.config.language)}"><head><meta charset="utf-8">'
        f"<title>{esc(article.title)}</title></head><body>",
        f'<span data-pagefind-meta="title">{esc(article.title)}</span>',
        f'<span data-pagefind-meta="date">{esc(date)}</span>' if date else "",
        f'<span data-pagefind-meta="summary">{esc(article.summary[:300])}</span>' if article.summary else "",
        f'<span data-pagefind-meta="forms">{len(extra)}</span>',
        *(f'<span data-pagefind-filter="{esc(filter_text(label))}">{esc(filter_text(value))}</span>'
          for label, value in filters),
        "<main data-pagefind-body>",
        f"<h1>{esc(article.title)}</h1>",
        *(f"<p>{esc(paragraph)}</p>" for paragraph in article.text.split("\n\n") if paragraph.strip()),
        f'<p data-pagefind-weight="0.5">{esc(" ".join(extra))}</p>' if extra else "",
        "</main></body></html>",
    ]
    return "\n".join(part for part in parts if part)


class SearchPlugin:
    """Writes the search index when the pages are written (on_output), or
    keeps the previous build's while nothing it holds changed. `result`
    says what was done."""

    def __init__(self):
        self.result: SearchResult | None = None

    def on_output(self, output: Output, context: PluginContext) -> None:
        site = context.site
        fingerprint = index_fingerprint(site, context.digests, context.gazetteer)
        target = output.folder(INDEX_FOLDER, fingerprint)
        if target is None:
            self.result = SearchResult(True, pages=len(site.articles), reused=True)
            return
        if context.progress and len(site.articles) >= 1000:
            context.progress(count(len(site.articles), "indexing {n} article for search",
                                   "indexing {n} articles for search"))
        kept = (context.cache_dir / DOCUMENTS_FOLDER, context.digests) if context.cache_dir is not None else None
        self.result = build_index(site, context.gazetteer, target, jobs=context.jobs, kept=kept)
        if self.result.ok:
            output.done(INDEX_FOLDER, fingerprint)


def build_index(site: Site, gazetteer: Gazetteer | None, target: Path,
                cancel: threading.Event | None = None, jobs: int = 1,
                kept: tuple[Path, dict[str, str]] | None = None) -> SearchResult:
    """Write the search index of `site` into the folder `target` (replaced).
    Never raises for a missing or failing Pagefind: the result says why.
    Setting `cancel` stops Pagefind and leaves `target` as it was. `jobs`:
    processes that write the documents Pagefind reads (1 where threads run,
    as in the preview server: forking them is not safe). `kept`: the folder
    to keep the documents in between builds, and the digests of the
    articles' cards (see write_documents); without it they are written
    into a temporary folder."""
    if pagefind_version() is None:
        return SearchResult(False, "search index not built: Pagefind is not installed "
                                   "(install it with: pip install 'pagefind[bin]')")
    scratch = make_scratch("search")
    try:
        return _index_in(scratch, site, gazetteer, target, cancel, jobs, kept)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_documents(source: Path, site: Site, gazetteer: Gazetteer | None, jobs: int = 1,
                    cards: dict[str, str] | None = None) -> frozenset[str]:
    """Write the document Pagefind reads for each article under `source`, by
    `jobs` processes; return the words whose first letter queries keep.
    With the digests of the articles' `cards`, `source` is a folder kept
    between builds: only the documents whose key (documents_keys) is not
    the one written before are written, and those of articles no longer in
    the site are deleted, whatever else the folder holds."""
    keep = arabic.search_keep(arabic.reading_counts(f"{a.title}\n{a.text}" for a in site.articles))
    todo = site.articles
    if cards is not None:
        keys_file = _keys_file(source)
        present = _kept_documents(source)
        if present is None:  # a link in the folder (planted): never written or deleted through
            _remove_folder(source)
            present = set()
        source.mkdir(parents=True, exist_ok=True)
        keys = documents_keys(site, gazetteer, cards, keep)
        written = _written_keys(keys_file)
        for address in present - keys.keys():
            (source / address / "index.html").unlink()
        todo = [a for a in site.articles if a.url not in present or written.get(a.url) != keys[a.url]]
        # The keys of the documents about to be written are forgotten first: a build
        # stopped halfway leaves none of them vouched for.
        rewritten = {article.url for article in todo}
        _write_keys(keys_file, {url: key for url, key in written.items() if url in keys and url not in rewritten})

    def write(article: Article) -> None:
        folder = source / article.url
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / ".index.html.part"
        temporary.write_text(source_document(site, article, gazetteer, keep), encoding="utf-8")
        os.replace(temporary, folder / "index.html")

    fork_map(write, todo, jobs)
    if cards is not None:
        _write_keys(keys_file, keys)
    return keep


def _written_keys(path: Path) -> dict[str, str]:
    """The keys of the documents written before (documents_keys); none
    when the file is missing or damaged."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {url: key for url, key in found.items() if isinstance(key, str)}


def _write_keys(path: Path, keys: dict[str, str]) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(json.dumps(keys, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def _kept_documents(source: Path) -> set[str] | None:
    """The addresses of the documents kept under `source` ("articles/x/"),
    or None when the folder, or anything in it, is a symbolic link."""
    if source.is_symlink():
        return None
    present: set[str] = set()
    todo = [(source, "")] if source.is_dir() else []
    while todo:
        folder, address = todo.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    return None
                if entry.is_dir():
                    todo.append((Path(entry.path), f"{address}{entry.name}/"))
                elif entry.name == "index.html":
                    present.add(address)
    return present


def _remove_folder(folder: Path) -> None:
    """Remove `folder`, or only the link when it is one (never what a link leads to)."""
    if folder.is_symlink():
        folder.unlink()
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _keys_file(documents: Path) -> Path:
    return documents.with_name(documents.name + ".json")


def forget(cache_dir: Path) -> None:
    """Delete the documents kept in the cache folder (a clean build)."""
    for name in (DOCUMENTS_FOLDER, PREVIEW_DOCUMENTS_FOLDER):
        shutil.rmtree(cache_dir / name, ignore_errors=True)
        _keys_file(cache_dir / name).unlink(missing_ok=True)


def _index_in(scratch: Path, site: Site, gazetteer: Gazetteer | None, target: Path,
              cancel: threading.Event | None, jobs: int = 1,
              kept: tuple[Path, dict[str, str]] | None = None) -> SearchResult:
    """build_index's work, in the temporary folder `scratch`."""
    source, cards = kept if kept is not None else (Path(scratch, "site"), None)
    keep = write_documents(source, site, gazetteer, jobs, cards)
    output = Path(scratch, "index")
    command = [sys.executable, "-m", "pagefind", "--site", str(source), "--output-path", str(output),
               "--force-language", site.config.language]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "NO_COLOR": "1"})
    except OSError as exc:
        return SearchResult(False, Msg("search index not built: Pagefind could not run ({detail})", detail=str(exc)))
    while True:
        try:
            stdout, stderr = process.communicate(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            if cancel is not None and cancel.is_set():
                process.kill()
                process.communicate()
                return SearchResult(False, "search index not built: cancelled")
    if process.returncode != 0 or not (output / "pagefind.js").is_file():
        detail = (stderr.strip() or stdout.strip()).splitlines()
        reason = detail[-1] if detail else f"exit status {process.returncode}"
        return SearchResult(False, Msg("search index not built: Pagefind failed: {reason}", reason=reason))
    # The words a query keeps whole (theme/static/search.js reads them).
    (output / KEEP_FILE).write_text(json.dumps(sorted(keep), ensure_ascii=False, separators=(",", ":")),
                                    encoding="utf-8")
    (output / TREE_FILE).write_text(json.dumps(filter_tree(site), ensure_ascii=False, separators=(",", ":")),
                                    encoding="utf-8")
    if target.exists():
        shutil.rmtree(target)
    shutil.move(str(output), target)
    return SearchResult(True, pages=len(site.articles))
