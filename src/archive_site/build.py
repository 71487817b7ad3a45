"""Writing the archive: load, tag, model, then render and publish pages.

Every page is planned with a fingerprint of everything it shows; a page whose
fingerprint is the one recorded for the previous output is not rendered
again. `build` writes a whole new output folder beside the old one (unchanged
pages as hard links to the old files) and swaps it in only when complete, so
a failed build leaves the previous output as it was. `serve` writes in place
into its private folder, while requests wait.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import gc
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlsplit

import jinja2

from . import __version__
from .cache import CACHE_DIR, CacheFolderError, RecordCache
from .cache import check_folder as check_cache_folder
from .config import SiteConfig, check_base_url, load_config
from .gazetteer import Gazetteer, load_gazetteer, tag_articles
from .loader import LoadResult, load_site
from .model import Article, ContentError, instant
from . import search
from .render import THEME_DIR, Renderer
from .search import SearchResult
from .scratch import OWNED, is_leftover, mark_owned
from .sitefiles import FoundFile, SiteWalker
from .taxonomy import Neighbours, Site, Term, make_site, paginate
from .views import Projector, TaxonomyRef, TermRef
from .workers import can_fork, fork_map

# Written into every output folder: it marks a folder a build may replace, and
# holds the fingerprint of each page written.
MARKER = ".archive-site"


@dataclass(frozen=True)
class BuildOptions:
    """How to build: from the command line's flags."""

    out_dir: Path | None = None
    keep_going: bool = False
    drafts: bool = False
    base_url: str | None = None
    clean: bool = False  # forget what earlier builds stored: read every file, render every page
    search: bool = True  # write the search index
    jobs: int = 1  # processes that render pages
    cache_dir: Path | None = None  # default: SITE_DIR/.archive-site-cache


@dataclass
class BuildReport:
    """What a build did, for the summary the CLI prints."""

    out_dir: Path
    loaded: LoadResult
    published: bool = False
    articles: int = 0
    drafts: int = 0
    pages: int = 0
    rendered: int = 0
    terms: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    errors: list[ContentError] = field(default_factory=list)
    # Site paths of the pages rendered anew by this build.
    changed: list[str] = field(default_factory=list)
    search: SearchResult | None = None

    @property
    def all_errors(self) -> list[ContentError]:
        return self.loaded.errors + self.errors


class BuildError(Exception):
    """The build cannot go on at all (bad settings, unusable output folder)."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error


Progress = Callable[[str], None]


@dataclass(frozen=True)
class PagePlan:
    """One file of the output: where it goes, the fingerprint of what it
    shows, and how to render it (template and context)."""

    path: str
    fingerprint: str
    template: str
    context: dict
    lastmod: dt.date | None = None  # for the sitemap


class Builder:
    """Builds one site again and again, keeping what it read in memory
    between builds (for `serve`) and on disk (the record cache)."""

    def __init__(self, site_dir: Path, options: BuildOptions = BuildOptions()):
        self.site_dir = site_dir.resolve()
        self.options = options
        self.out_dir = (options.out_dir or self.site_dir / "build").resolve()
        self.cache: RecordCache | None = None
        self._tagged: dict[tuple, Article] = {}
        # (site model, gazetteer, card digests) of the last build that got that far.
        self.last_site: tuple[Site, Gazetteer, dict[str, str]] | None = None
        self._renderers: dict[str, Renderer] = {}

    def build(self, writer_factory: Callable[[Path, bool], Writer] | None = None,
              progress: Progress | None = None) -> BuildReport:
        """Build the site and return what was done. Content errors do not
        raise: they are in the report, and unless `keep_going` is set nothing
        is published when there is one."""
        # A build makes many objects that live until its end: collecting
        # cycles less often halves the time of an incremental build.
        thresholds = gc.get_threshold()
        gc.set_threshold(100_000, 50, 100)
        try:
            return self._build(writer_factory, progress)
        finally:
            gc.set_threshold(*thresholds)

    def _build(self, writer_factory: Callable[[Path, bool], Writer] | None, progress: Progress | None
               ) -> BuildReport:
        started = time.perf_counter()
        site_dir, options = self.site_dir, self.options
        config = load_config(site_dir)
        if options.base_url:
            config = replace(config, base_url=check_base_url(options.base_url, "--base-url"))
        try:
            check_cache_folder(self.cache_dir)
        except CacheFolderError as exc:
            raise BuildError(exc.error) from None
        check_output_folder(site_dir, self.out_dir, read_folders(site_dir, config, self.cache_dir))
        gazetteer = load_gazetteer(site_dir)
        cache = self._cache(gazetteer)
        loaded = load_site(site_dir, config.content_dirs, cache, options.jobs,
                           allow_outside=config.follow_outside_links, forbidden=(self.out_dir,))
        static_files, static_problems = collect_static(site_dir, config, self.out_dir)
        loaded.problems.extend(static_problems)
        if cache:
            loaded.problems.extend(cache.problems)
            cache.problems.clear()
        report = BuildReport(out_dir=self.out_dir, loaded=loaded)
        if loaded.errors and not options.keep_going:
            report.seconds = time.perf_counter() - started
            return report

        articles = [a for a in loaded.articles if options.drafts or not a.draft]
        report.drafts = len(loaded.articles) - len(articles)
        articles, unknown = self._tag(articles, gazetteer, cache, loaded.states)
        loaded.problems.extend(unknown)
        if cache:
            cache.save()
            loaded.problems.extend(cache.problems)
            cache.problems.clear()
        site = make_site(config, articles, gazetteer, self.last_site[0] if self.last_site else None)
        report.articles = len(site.articles)
        report.terms = {kind: len(tax.terms) for kind, tax in site.taxonomies.items()}

        epoch = theme_epoch(site_dir, config)
        renderer = self._renderer(config, epoch)
        cards = article_digests(site)
        links = term_links(site)
        renderer.use_links(links)
        self.last_site = (site, gazetteer, cards)
        writer = (writer_factory or StagingWriter)(self.out_dir, not options.clean)
        try:
            todo = []
            for plan in Planner(site, renderer.template_epoch, cards, links).plan():
                report.pages += 1
                if not writer.keep(plan):
                    todo.append(plan)
            render_pages(todo, renderer, writer, options.jobs, progress)
            report.rendered = len(todo)
            report.changed = [plan.path for plan in todo]
            writer.static(static_files)
            if options.search:
                report.search = self._index(site, gazetteer, cards, writer, progress)
            writer.finish()
        except jinja2.TemplateError as exc:
            writer.abandon()
            report.errors.append(template_error(exc, site_dir))
            return report
        except BaseException:
            writer.abandon()
            raise
        report.published = True
        report.seconds = time.perf_counter() - started
        return report

    def _renderer(self, config: SiteConfig, epoch: str) -> Renderer:
        """A Renderer for this build: the previous build's (its templates
        already compiled) when no template or setting changed."""
        if self._renderers.get(epoch) is None:
            self._renderers = {epoch: Renderer(self.site_dir, config)}
        renderer = self._renderers[epoch]
        return renderer

    def _index(self, site: Site, gazetteer: Gazetteer, cards: dict[str, str], writer: Writer,
               progress: Progress | None) -> SearchResult:
        """Write the search index, or keep the previous one if nothing it holds changed."""
        fingerprint = search.index_fingerprint(site, cards)
        if writer.keep_folder(search.INDEX_FOLDER, fingerprint):
            return SearchResult(True, pages=len(site.articles), reused=True)
        if progress and len(site.articles) >= 1000:
            progress(f"indexing {len(site.articles)} articles for search")
        result = search.build_index(site, gazetteer, writer.folder_path(search.INDEX_FOLDER))
        if result.ok:
            writer.record_folder(search.INDEX_FOLDER, fingerprint)
        return result

    def _tag(self, articles: list[Article], gazetteer: Gazetteer, cache: RecordCache | None,
             states: dict[str, tuple]) -> tuple[list[Article], list[ContentError]]:
        """Return `articles` with detected places and actors, and the warnings
        about listed places the gazetteer does not know; an article this
        Builder tagged before, from the same file and gazetteer, is reused."""
        memo = self._tagged
        keys = [(a.source, a.sha256, states.get(a.source), a.slug, gazetteer.digest) for a in articles]
        fresh = [n for n, key in enumerate(keys) if key not in memo]
        if fresh:
            tagged, _, _, unknown = tag_articles([articles[n] for n in fresh], gazetteer, cache, states,
                                                 self.options.jobs)
            for n, article, warnings in zip(fresh, tagged, unknown, strict=True):
                memo[keys[n]] = (article, warnings)
        if cache:
            for article in articles:
                cache.keep("tag", article.source)
        self._tagged = {key: memo[key] for key in keys}  # forget what is gone
        return ([self._tagged[key][0] for key in keys],
                [warning for key in keys for warning in self._tagged[key][1]])

    @property
    def cache_dir(self) -> Path:
        return (self.options.cache_dir or self.site_dir / CACHE_DIR).resolve()

    def _cache(self, gazetteer: Gazetteer) -> RecordCache:
        """The record cache for this gazetteer; emptied first with `clean`."""
        if self.cache is None or gazetteer.digest not in self.cache.salt or self.options.clean:
            try:
                self.cache = RecordCache.for_site(self.site_dir, gazetteer.digest, self.cache_dir,
                                                  fresh=self.options.clean)
            except CacheFolderError as exc:
                raise BuildError(exc.error) from None
        return self.cache


def build(site_dir: Path, options: BuildOptions = BuildOptions(), progress: Progress | None = None
          ) -> BuildReport:
    """Build the site in `site_dir` once; see Builder.build."""
    return Builder(site_dir, options).build(progress=progress)


def read_folders(site_dir: Path, config: SiteConfig, cache_dir: Path) -> dict[str, Path]:
    """The folders a build reads, by what they hold, resolved."""
    folders = {f"content folder '{name}'": site_dir / name for name in config.content_dirs}
    folders.update({"templates folder": site_dir / "templates", "static folder": site_dir / "static",
                    "cache folder": cache_dir})
    return {what: Path(os.path.realpath(path)) for what, path in folders.items()}


def check_output_folder(site_dir: Path, out_dir: Path, read: dict[str, Path] | None = None) -> None:
    """Refuse output folders a build must never replace or write into: the
    site folder or one of its parents, a folder the build reads (content,
    templates, static files, the cache) or one inside them or around them,
    and a non-empty folder that no build wrote."""
    if out_dir == site_dir or out_dir in site_dir.parents:
        raise BuildError(ContentError(str(out_dir), "the output folder contains the site itself",
                                      hint="choose a folder such as SITE_DIR/build with -o"))
    for what, folder in (read or {}).items():
        if out_dir == folder or folder in out_dir.parents or out_dir in folder.parents:
            raise BuildError(ContentError(
                str(out_dir), f"the output folder overlaps the {what} ({folder}), which the build reads",
                hint="choose a folder outside it with -o, such as SITE_DIR/build"))
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(ContentError(str(out_dir), "the output path is a file",
                                      hint="choose a folder with -o"))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise BuildError(ContentError(
            str(out_dir), "the output folder is not empty and was not written by archive-site",
            hint="choose an empty or new folder with -o, or empty this one yourself"))


def collect_static(site_dir: Path, config: SiteConfig, out_dir: Path
                   ) -> tuple[dict[str, Path], list[ContentError]]:
    """Return the static files to publish (path under static/ → file), the
    theme's then the site's (which win), and the problems found among the
    site's (links that lead outside, unreadable folders, bad names)."""
    files = dict(iter_static(THEME_DIR / "static"))
    walker = SiteWalker(site_dir, config.follow_outside_links, (out_dir,))
    for found in walker.walk(site_dir / "static", "static"):
        if isinstance(found, FoundFile):
            files[found.rel.removeprefix("static/")] = Path(found.path)
    return files, walker.problems


# --- planning: what each page shows, as a fingerprint ---------------------------

def theme_epoch(site_dir: Path, config: SiteConfig) -> str:
    """Return a digest of everything every page depends on: the version, the
    settings and the text of every template (the site's and the built-in)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}|{config!r}".encode("utf-8"))
    for folder in (site_dir / "templates", THEME_DIR / "templates"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
                    digest.update(path.read_bytes())
    return digest.hexdigest()


def _digest(*parts: object) -> str:
    """A stable digest of `parts` (their repr; strings as they are)."""
    text = "\x1f".join(part if isinstance(part, str) else repr(part) for part in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# What an article's own fields are, apart from the large texts that its file's
# bytes (sha256) already stand for.
_ARTICLE_FIELDS = [f.name for f in fields(Article) if f.name not in ("body_html", "text", "footer")]


def article_digests(site: Site) -> dict[str, str]:
    """The digest of each article as pages show it, by slug: its fields and
    the links to its terms. Computed once per build; a page showing an
    article is fingerprinted with it."""
    digests = {}
    for article in site.articles:
        own = _digest(article.sha256 or article.body_html + article.text + article.footer,
                      *(getattr(article, name) for name in _ARTICLE_FIELDS))
        links = "|".join(f"{t.kind}:{t.slug}:{t.name}" for terms in site.article_terms[article.slug].values()
                         for t in terms)
        digests[article.slug] = _digest(own, links)
    return digests


class Planner:
    """Makes the plan of every page: its template, its context, and a
    fingerprint derived from that very context (views.Projector) and from
    the templates it is rendered with (Renderer.template_epoch)."""

    def __init__(self, site: Site, epochs: Callable[[str], str], cards: dict[str, str],
                 links: dict[str, dict[str, list[TermRef]]]):
        self.site = site
        self.epochs = epochs
        self.links = links
        self.projector = Projector(cards)

    def page(self, path: str, template: str, context: dict, lastmod: dt.date | None = None) -> PagePlan:
        fingerprint = self.projector.fingerprint(self.epochs(template), path, context)
        return PagePlan(path, fingerprint, template, context, lastmod)

    def plan(self) -> Iterator[PagePlan]:
        """Yield a plan for every file of the output: the HTML pages, then
        the feeds, the sitemap (which lists the pages), robots.txt."""
        listed: list[tuple[str, dt.date | None]] = []
        for plan in self.html_pages():
            if plan.path != NOT_FOUND_PAGE:
                listed.append((page_url(plan.path), plan.lastmod))
            yield plan
        yield from self.feeds()
        yield from self.sitemaps(listed)
        yield self.page("robots.txt", "robots.txt", {})

    def listing(self, articles: list[Article], base: str, template: str, **context) -> Iterator[PagePlan]:
        for pager in paginate(articles, base, self.site.config.per_page):
            yield self.page(pager.url + "index.html", template, {"pager": pager, **context},
                            _newest(pager.articles))

    def html_pages(self) -> Iterator[PagePlan]:
        """Home, articles, taxonomies, terms, the date archive, search, 404."""
        site = self.site
        yield from self.listing(site.articles, "", "list.html")
        for article in site.articles:
            near = site.neighbours.get(article.slug) or Neighbours()
            yield self.page(article.url + "index.html", "article.html",
                            {"article": article, "terms": self.links[article.slug], "near": near},
                            article.date.date() if article.date else None)
        for taxonomy in site.taxonomies.values():
            yield self.page(taxonomy.url + "index.html", "taxonomy.html", {"taxonomy": taxonomy})
            for term in taxonomy.terms:
                yield from self.listing(term.articles, term.url, "term.html",
                                        taxonomy=TaxonomyRef.of(taxonomy), term=term)
        archive = site.archive
        yield self.page(archive.url + "index.html", "archive.html", {"archive": archive}, _newest(site.articles))
        for year in archive.years:
            yield self.page(year.url + "index.html", "archive_year.html", {"period": year}, _newest(year.articles))
            for month in year.months:
                yield from self.listing(month.articles, month.url, "archive_month.html",
                                        period=month, count=month.count)
        if archive.undated:
            yield from self.listing(archive.undated, archive.undated_url, "archive_month.html",
                                    period=None, count=len(archive.undated))
        yield self.page("search/index.html", "search.html", {})
        yield self.page(NOT_FOUND_PAGE, "404.html", {"url_root": site_root(site)})

    def feeds(self) -> Iterator[PagePlan]:
        """The Atom feeds: the whole site, each tag and each place."""
        site = self.site
        times = entry_times(site)
        feeds = [("", site.config.title, site.articles)]
        for kind in ("tags", "places"):
            for term in site.taxonomies[kind].terms:
                feeds.append((term.url, f"{term.name} — {site.config.title}", term.articles))
        today = atom_time(dt.datetime.combine(dt.date.today(), dt.time()))
        for url, title, articles in feeds:
            latest = articles[:FEED_ENTRIES]
            shown = {a.slug: times[a.slug] for a in latest}
            updated = max((t[1] for t in shown.values()), key=_atom_instant, default=today)
            yield self.page(url + "feed.xml", "feed.xml", {"feed_title": title, "alternate": url,
                                                            "entries": latest, "times": shown, "updated": updated})

    def sitemaps(self, listed: list[tuple[str, dt.date | None]]) -> Iterator[PagePlan]:
        """sitemap.xml listing every page, split into sitemap-N.xml files under
        a sitemap index when there are more than SITEMAP_LIMIT."""
        chunks = [listed[i:i + SITEMAP_LIMIT] for i in range(0, len(listed), SITEMAP_LIMIT)] or [[]]
        if len(chunks) == 1:
            yield self.page("sitemap.xml", "sitemap.xml", {"pages": listed})
            return
        parts = []
        for n, chunk in enumerate(chunks, 1):
            name = f"sitemap-{n}.xml"
            parts.append((name, max((d for _, d in chunk if d), default=None)))
            yield self.page(name, "sitemap.xml", {"pages": chunk})
        yield self.page("sitemap.xml", "sitemap_index.xml", {"parts": parts})


def term_links(site: Site) -> dict[str, dict[str, list[TermRef]]]:
    """For each article (by slug), the terms it links to, by kind, as links
    (no counts). One TermRef per term, shared by every article that links to it."""
    refs: dict[int, TermRef] = {}

    def ref(term: Term) -> TermRef:
        found = refs.get(id(term))
        if found is None:
            found = refs[id(term)] = TermRef.of(term)
        return found

    return {slug: {kind: [ref(t) for t in terms] for kind, terms in by_kind.items()}
            for slug, by_kind in site.article_terms.items()}


NOT_FOUND_PAGE = "404.html"
FEED_ENTRIES = 50
SITEMAP_LIMIT = 50_000  # URLs in one sitemap file, as the sitemaps protocol allows


def _newest(articles: list[Article]) -> dt.date | None:
    """The date of the newest dated article of `articles` (newest first)."""
    for article in articles:
        if article.date is not None:
            return article.date.date()
    return None


def site_root(site: Site) -> str:
    """The path of the site on its host ("/" or "/archive/"), from base_url."""
    return urlsplit(site.config.base_url).path or "/"


def _atom_instant(stamp: str) -> dt.datetime:
    return instant(dt.datetime.fromisoformat(stamp))


def atom_time(value: dt.datetime) -> str:
    """Return `value` as an RFC 3339 time; a time without zone is taken as UTC."""
    if value.tzinfo is None:
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.replace(microsecond=0).isoformat()


def entry_times(site: Site) -> dict[str, tuple[str | None, str]]:
    """Return, for each article slug, its Atom (published, updated) times:
    both its date when it has one. An undated article has no publication
    time; as the time it was last updated (which Atom requires) it gets the
    newest date of the archive, or today's when no article has a date. Never
    the file's time, which differs in every copy of the site."""
    dated = [a.date for a in site.articles if a.date is not None]
    if dated:
        fallback = atom_time(max(dated, key=instant))
    else:
        fallback = atom_time(dt.datetime.combine(dt.date.today(), dt.time()))
    times = {}
    for article in site.articles:
        if article.date is not None:
            stamp = atom_time(article.date)
            times[article.slug] = (stamp, stamp)
        else:
            times[article.slug] = (None, fallback)
    return times


def page_url(path: str) -> str:
    """The site path of the page written at `path` ("tags/index.html" → "tags/")."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


# --- rendering ---------------------------------------------------------------------

PARALLEL_MIN_PAGES = 400  # fewer pages than this render in one process


def render_pages(plans: list[PagePlan], renderer: Renderer, writer: Writer, jobs: int,
                 progress: Progress | None) -> None:
    """Render and write `plans`, in `jobs` forked processes when above one.
    Raises jinja2.TemplateError for a template problem, from any process."""

    def render(plan: PagePlan) -> None:
        try:
            writer.write(plan, renderer.render(plan.template, page_url(plan.path), **plan.context))
        except jinja2.TemplateError as exc:
            raise _portable(exc) from None

    shown = 0

    def report(done: int) -> None:  # about every thousand pages
        nonlocal shown
        if done // 1000 > shown // 1000:
            shown = done
            progress(f"{done} of {len(plans)} pages rendered")

    fork_map(render, plans, jobs, min_items=PARALLEL_MIN_PAGES, progress=report if progress else None)


def _portable(exc: jinja2.TemplateError) -> jinja2.TemplateError:
    """`exc` in a form that survives pickling back from a worker process."""
    copy = jinja2.TemplateError(exc.message)
    copy.filename, copy.lineno = template_location(exc)
    copy.name = getattr(exc, "name", None)
    return copy


def template_location(exc: jinja2.TemplateError) -> tuple[str | None, int | None]:
    """The template file and line of `exc`: given for a syntax error, else
    found in the traceback, where Jinja puts the template's own lines."""
    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename:
        return filename, lineno
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if not code.endswith(".py") and Path(code).is_file():
            filename, lineno = code, tb.tb_lineno
        tb = tb.tb_next
    return filename, lineno


# --- writing ---------------------------------------------------------------------

def read_manifest(out_dir: Path, key: str = "pages") -> dict[str, str]:
    """Return the fingerprints recorded in the output folder: of its pages,
    or (key="folders") of the folders written whole, such as the search
    index. Returns {} when there are none."""
    try:
        manifest = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("version") != __version__:
        return {}
    found = manifest.get(key)
    return found if isinstance(found, dict) else {}


def manifest_text(pages: dict[str, str], folders: dict[str, str]) -> str:
    return json.dumps({"written_by": "archive-site build", "version": __version__, "pages": pages,
                       "folders": folders}, ensure_ascii=False, sort_keys=True, indent=0) + "\n"


class Writer:
    """Receives the pages of one build and puts them in the output folder."""

    def __init__(self, out_dir: Path, reuse: bool = True):
        """`reuse`: keep pages whose fingerprint is unchanged (else render all)."""
        self.out_dir = out_dir
        self.previous = read_manifest(out_dir) if reuse else {}
        self.previous_folders = read_manifest(out_dir, "folders") if reuse else {}
        self.pages: dict[str, str] = {}
        self.folders: dict[str, str] = {}

    def keep(self, plan: PagePlan) -> bool:
        """Record `plan`; return True if its page is unchanged and kept from
        the previous output, False if it must be rendered and written."""
        raise NotImplementedError

    def write(self, plan: PagePlan, html: str) -> None:
        """Write the rendered page of `plan`. Safe to call from worker
        processes forked after every `keep` call."""
        raise NotImplementedError

    def static(self, files: dict[str, Path]) -> None:
        """Publish `files` (path under static/ → file) as the static files."""
        raise NotImplementedError

    def folder_path(self, name: str) -> Path:
        """Where a folder written whole (the search index) goes."""
        raise NotImplementedError

    def keep_folder(self, name: str, fingerprint: str) -> bool:
        """Keep the folder `name` of the previous output if it was written
        with this fingerprint; return False when it must be written again."""
        if self.previous_folders.get(name) != fingerprint or not (self.out_dir / name).is_dir():
            return False
        self.record_folder(name, fingerprint)
        return True

    def record_folder(self, name: str, fingerprint: str) -> None:
        self.folders[name] = fingerprint

    def finish(self) -> None:
        raise NotImplementedError

    def abandon(self) -> None:
        """Give up after a failure, leaving the previous output as it was."""


class StagingWriter(Writer):
    """Publishes a build all at once, or not at all. Pages are rendered into
    a staging folder beside the output; only when every page is done is the
    output changed, in one of two ways:

    - a small update (few pages changed): each new file is moved into the
      output (one atomic rename per file), pages that are gone are removed,
      and the manifest is written last, so an update cut short is redone by
      the next build;
    - otherwise: unchanged files are hard-linked into the staging folder,
      which then takes the output's place in one step (see swap_in).
    """

    # An update is small when it renders at most this many pages, or this
    # share of all pages.
    PATCH_PAGES = 500
    PATCH_SHARE = 0.1

    def __init__(self, out_dir: Path, reuse: bool = True):
        super().__init__(out_dir, reuse)
        remove_leftovers(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        mark_owned(self.staging)
        self._folders: set[str] = set()
        self.kept: list[str] = []
        self.written: list[str] = []
        self.kept_folders: list[str] = []
        self.static_files: dict[str, Path] = {}

    def _folder(self, root: Path, path: str) -> Path:
        folder = path.rpartition("/")[0]
        if (root, folder) not in self._folders:
            (root / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add((root, folder))
        return root / path

    def keep(self, plan: PagePlan) -> bool:
        self.pages[plan.path] = plan.fingerprint
        if self.previous.get(plan.path) == plan.fingerprint and os.path.isfile(self.out_dir / plan.path):
            self.kept.append(plan.path)
            return True
        self._folder(self.staging, plan.path)  # before workers fork: they only write files
        self.written.append(plan.path)
        return False

    def write(self, plan: PagePlan, html: str) -> None:
        (self.staging / plan.path).write_text(html, encoding="utf-8")

    def static(self, files: dict[str, Path]) -> None:
        self.static_files = files

    def folder_path(self, name: str) -> Path:
        return self.staging / name

    def keep_folder(self, name: str, fingerprint: str) -> bool:
        kept = super().keep_folder(name, fingerprint)
        if kept:
            self.kept_folders.append(name)  # linked into the staging folder if it is swapped in
        return kept

    def small_update(self) -> bool:
        return (bool(self.previous) and (self.out_dir / MARKER).is_file()
                and len(self.written) <= max(self.PATCH_PAGES, self.PATCH_SHARE * len(self.pages)))

    def finish(self) -> None:
        if self.small_update():
            self._update_in_place()
        else:
            self._swap()

    def _swap(self) -> None:
        for path in self.kept:
            if not _link(self.out_dir / path, self._folder(self.staging, path)):
                shutil.copy2(self.out_dir / path, self.staging / path)
        for name in self.kept_folders:
            for rel, path in iter_static(self.out_dir / name):
                new = self._folder(self.staging, f"{name}/{rel}")
                if not _link(path, new):
                    shutil.copy2(path, new)
        for rel, src in self.static_files.items():
            target = self._folder(self.staging, f"static/{rel}")
            old = self.out_dir / "static" / rel
            if _same_file_state(src, old) and _link(old, target):
                continue
            target.unlink(missing_ok=True)
            shutil.copy2(src, target)
        (self.staging / MARKER).write_text(manifest_text(self.pages, self.folders), encoding="utf-8")
        (self.staging / OWNED).unlink()  # the output's own marker is MARKER
        swap_in(self.staging, self.out_dir)

    def _update_in_place(self) -> None:
        out = self.out_dir
        static = self.static_files
        for rel, src in static.items():
            if not _same_file_state(src, out / "static" / rel):
                staged = self._folder(self.staging, f"static/{rel}")
                shutil.copy2(src, staged)
                os.replace(staged, self._folder(out, f"static/{rel}"))
        for rel, path in list(iter_static(out / "static")):
            if rel not in static:
                path.unlink()
        for path in self.written:
            os.replace(self.staging / path, self._folder(out, path))
        for name in set(self.folders) - set(self.kept_folders):
            retired = out.parent / f".{out.name}.old-{os.getpid()}"
            if (out / name).exists():
                os.replace(out / name, retired)
                mark_owned(retired)
            os.replace(self.staging / name, out / name)
            remove_in_background(retired)
        for name in set(self.previous_folders) - set(self.folders):
            shutil.rmtree(out / name, ignore_errors=True)
        for path in set(self.previous) - set(self.pages):
            (out / path).unlink(missing_ok=True)
            _prune_empty_folders(out, (out / path).parent)
        write_atomically(out / MARKER, manifest_text(self.pages, self.folders).encode("utf-8"))
        shutil.rmtree(self.staging, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


class InPlaceWriter(Writer):
    """Writes changed pages straight into the output folder (each through a
    temporary file, so no reader sees half a page) and removes pages that
    are gone. For `serve`, whose requests wait while a build runs."""

    def __init__(self, out_dir: Path, reuse: bool = True):
        super().__init__(out_dir, reuse)
        out_dir.mkdir(parents=True, exist_ok=True)

    def keep(self, plan: PagePlan) -> bool:
        self.pages[plan.path] = plan.fingerprint
        # The folder is private to this writer: what the manifest says is there.
        return self.previous.get(plan.path) == plan.fingerprint

    def write(self, plan: PagePlan, html: str) -> None:
        write_atomically(self.out_dir / plan.path, html.encode("utf-8"))

    def static(self, files: dict[str, Path]) -> None:
        for rel, src in files.items():
            target = self.out_dir / "static" / rel
            if not _same_file_state(src, target):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
        for rel, path in list(iter_static(self.out_dir / "static")):
            if rel not in files:
                path.unlink()

    def folder_path(self, name: str) -> Path:
        return self.out_dir / name

    def finish(self) -> None:
        for path in set(self.previous) - set(self.pages):
            (self.out_dir / path).unlink(missing_ok=True)
            _prune_empty_folders(self.out_dir, (self.out_dir / path).parent)
        for name in set(self.previous_folders) - set(self.folders):
            shutil.rmtree(self.out_dir / name, ignore_errors=True)
        write_atomically(self.out_dir / MARKER, manifest_text(self.pages, self.folders).encode("utf-8"))

    def abandon(self) -> None:
        # Pages written so far are complete and correct for the new content;
        # the manifest keeps the old fingerprints, so the next build redoes them.
        pass


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a temporary file in the same folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _link(existing: Path, new: Path) -> bool:
    try:
        os.link(existing, new)
        return True
    except FileExistsError:
        new.unlink()
        return _link(existing, new)
    except OSError:
        return False


def _same_file_state(source: Path, copy: Path) -> bool:
    try:
        a, b = source.stat(), copy.stat()
    except OSError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def _prune_empty_folders(top: Path, folder: Path) -> None:
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def iter_static(source: Path) -> Iterator[tuple[str, Path]]:
    """Yield (relative path, path) for the files under `source`, skipping hidden ones."""
    if not source.is_dir():
        return
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder, name)
                yield path.relative_to(source).as_posix(), path


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by the finished `staging` folder. Where the system
    can exchange two folders in one step, the output folder is never missing
    or partial, even if the build is killed at that moment."""
    if not out_dir.exists():
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, out_dir)
        return
    retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    if exchange(staging, out_dir):
        os.replace(staging, retired)  # staging now holds the previous output
    else:
        os.replace(out_dir, retired)
        os.replace(staging, out_dir)
    remove_in_background(retired)


def remove_in_background(folder: Path) -> None:
    """Delete `folder` without waiting for it: tens of thousands of files
    take seconds to delete, and the new output is already in place. Where
    the system cannot fork, delete it now. A deletion cut short leaves a
    `.old-PID` folder that the next build removes (remove_leftovers)."""
    if not can_fork():
        shutil.rmtree(folder, ignore_errors=True)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)  # the child only starts the grandchild, which init reaps
        return
    try:  # the child: start a detached grandchild that deletes, and exit at once
        os.setsid()
        if os.fork() == 0:
            os.nice(10)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        os._exit(0)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap the paths `a` and `b` atomically (Linux renameat2 with
    RENAME_EXCHANGE). Returns False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def remove_leftovers(out_dir: Path) -> None:
    """Remove the temporary folders of earlier builds of `out_dir` that were
    killed before they could clean up: named `.OUT.staging-PID` or
    `.OUT.old-PID`, their process gone, and holding a file only a build
    writes there (a user's folder of a similar name is left alone)."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if (kind in (f".{out_dir.name}.staging", f".{out_dir.name}.old") and pid.isdigit()
                and is_leftover(leftover, int(pid), (OWNED, MARKER))):
            shutil.rmtree(leftover, ignore_errors=True)


def template_error(exc: jinja2.TemplateError, site_dir: Path) -> ContentError:
    """Return a template problem as a ContentError naming the file and line."""
    filename, lineno = template_location(exc)
    name = filename or getattr(exc, "name", None) or "templates"
    try:
        name = Path(name).resolve().relative_to(site_dir).as_posix()
    except ValueError:
        pass
    return ContentError(name, f"template error: {exc.message or exc}", lineno,
                        "fix the template, or delete it to use the built-in one")


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
