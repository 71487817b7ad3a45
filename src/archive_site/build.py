"""The build: load, tag, model, plan, render, publish — each a module of its
own (loader, gazetteer, taxonomy, plan, render, publish); this one runs them
in order and decides what a problem means.

Every page is planned with a fingerprint of everything it shows; a page whose
fingerprint is the one recorded for the previous output is not rendered
again. `build` writes a whole new output folder beside the old one (unchanged
pages as hard links to the old files) and swaps it in only when complete, so
a failed build leaves the previous output as it was. `serve` writes in place
into its private folder, while requests wait.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from . import __version__
from .cache import CACHE_DIR, CacheFolderError, RecordCache, newest_time, trusted
from .cache import check_folder as check_cache_folder
from .config import SiteConfig, check_base_url, load_config
from .gazetteer import SITE_FILE as GAZETTEER_FILE
from .gazetteer import Gazetteer, load_gazetteer, tag_articles
from .hooks import Output, PluginContext, PluginError, Plugins, load_plugins
from .images import PictureError, find_pictures
from .i18n import N_, _, count
from .loader import (SIDECAR_SUFFIXES, ContentFile, ContentScan, LoadResult, load_extra_pages, load_site, make_converter,
                     read_article, read_found, scan_content, suspicious, to_cache)
from .ledger import LEDGER_FILE, Ledger, LedgerError, Settled, history_dates, load_ledger, save_ledger
from .model import Article, ContentError, Page, SourceChanged
from .redact import exposed_addresses, redact_all
from . import downloads, resume, search, siteindex, unchanged
from .siteindex import TEXT_FIELDS, frame_fields
from .fsops import iter_static, remove_files
from .publish import MARKER, StagingWriter, Writer
from .search import SearchResult
from .sitefiles import THEME_DIR, FoundFile, SiteWalker
from .taxonomy import Site, make_site, neighbours_by_slug

if TYPE_CHECKING:
    from .plan import PagePlan, Planner
    from .render import Progress, Renderer



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
    record: bool = True  # add new articles to the ledger (a command-line build without --drafts)
    future: bool = False  # publish articles dated after now
    # Keep the last good version of an article whose file now has an error (serve).
    keep_last_good: bool = False


@dataclass
class BuildReport:
    """What a build did, for the summary the CLI prints."""

    out_dir: Path
    loaded: LoadResult
    published: bool = False
    articles: int = 0
    drafts: int = 0
    good: int = 0  # article files read without error (published, drafts, or held back)
    future: int = 0  # articles dated after now, held back
    next_due: dt.datetime | None = None  # when the first of them is due (site time)
    pages: int = 0
    # What the published output holds, as its manifest lists it: site paths of its files, and of
    # the folders written whole (the search index).
    written: tuple[list[str], list[str]] = ([], [])
    rendered: int = 0
    # Parts of the plan planned, of all (Planner.parts): the others stood as the site index had them.
    parts: tuple[int, int] = (0, 0)
    terms: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    errors: list[ContentError] = field(default_factory=list)
    # Site paths of the pages rendered anew by this build.
    changed: list[str] = field(default_factory=list)
    search: SearchResult | None = None
    # The article files read again by a build that resumed from the last one's model (resume.py), else None.
    resumed: int | None = None
    unchanged: bool = False  # nothing the build reads had changed: it did nothing (unchanged.py)

    @property
    def all_errors(self) -> list[ContentError]:
        return self.loaded.errors + self.errors


@dataclass(frozen=True)
class SiteFiles:
    """What a build finds before reading anything: the files of the content
    folders, the static files (theme's and site's) with the problems of
    their walk, and the digest of the templates and settings (theme_epoch)."""

    scan: ContentScan
    static: dict[str, Path]
    static_problems: list[ContentError]
    templates: str


@dataclass(frozen=True)
class Published:
    """What the last published build of a Builder showed and how: enough to
    plan and render one article's page again without the rest of a build
    (Builder.render_ahead)."""

    config: SiteConfig
    site: Site
    gazetteer: Gazetteer
    cards: dict[str, str]
    links: dict
    pages: list[Page]
    pictures: dict
    renderer: Renderer


@dataclass
class Made:
    """A site model ready to publish, and what its build reported so far."""

    report: BuildReport
    site: Site
    gazetteer: Gazetteer
    cards: dict[str, str]
    links: dict
    leads: dict
    pages: list[Page]
    pictures: dict
    frame: str | None  # the site index's (siteindex.py)
    cache: RecordCache
    ledger: tuple[Ledger, Settled] | None  # to save when the build adds to it
    neighbours: bool  # to store (a build that made the model anew)


def _refill(article: Article, edited: Article) -> None:
    """Give `article`, in the site model, the text of `edited` (the same
    article, edited in its text only: resume.py), wherever the model shows it."""
    article.__dict__.update({name: edited.__dict__[name] for name in (*TEXT_FIELDS, "_read", "_pictures")
                             if name in edited.__dict__})


def _relisted(problems: list[ContentError], edited: dict[str, list[ContentError]], found: dict[str, ContentFile]
              ) -> list[ContentError]:
    """`problems` with those of each file `edited` (by path) replaced one
    for one, in order, by the ones it has now (see _text_edit)."""
    if not edited:
        return problems
    owner = {path: rel for rel in edited for path in (rel, found[rel].sidecar_rel) if path}
    taken = {rel: iter(now) for rel, now in edited.items()}
    return [next(taken[owner[p.path]]) if p.path in owner else p for p in problems]


def _text_edit(found: ContentFile, before: Article, before_problems: list[ContentError], shown: Article,
               gazetteer: Gazetteer, config: SiteConfig, pictures: dict, listed: list[ContentError]
               ) -> tuple[Article, Article, list[ContentError], list[ContentError]] | None:
    """The article in `found`, a file the last build's model shows as
    `shown` (with `pictures`, listing `listed` problems) and that read as
    `before` with `before_problems`, when it is an edit of the text only
    (see resume.py): the article as the model shows it, as read, the
    problems of reading it and all those the build lists for the file.
    None otherwise."""
    # Read without the cache, which learns of it only if the build resumes: else the build that reads
    # every file must find it fresh (the site index's digests do not stand for it).
    read, problems, _readable = read_found(found, make_converter(), config.term_keys)
    if read is None or read.title != before.title or frame_fields(read) != frame_fields(before):
        return None
    placed = read.but(slug=shown.slug, date=shown.date, date_source=shown.date_source,
                      date_precision=shown.date_precision)
    tagged, _found, _stored, _unknown = tag_articles([placed], gazetteer, config.taxonomies, detect=False)
    article = tagged[0]
    if (frame_fields(article) != frame_fields(shown) or shown.shows_pictures() or article.shows_pictures()
            or pictures.get(shown.slug)):
        return None
    # The problems the build lists for the file: those of reading it and the warnings about the text
    # alone (suspicious: an empty or short body), which an edit may change — each takes the place of the
    # one it follows, so there must be as many as before —, among those it cannot change (a title
    # another article has, the ledger's, the listed places the gazetteer lacks: the title and the
    # fields these read are the same).
    paths = (found.rel, found.sidecar_rel)
    mine = [p for p in listed if p.path in paths]
    was = [*before_problems, *suspicious([before])]
    now = [*problems, *suspicious([read])]
    if len(was) != len(now) or any(p.path not in paths for p in now):
        return None
    relisted, taken = [], 0
    for problem in mine:
        if taken < len(was) and problem == was[taken]:
            problem, taken = now[taken], taken + 1
        relisted.append(problem)
    return (article, read, problems, relisted) if taken == len(was) else None


def _same_apart_from(article: Article, other: Article, names: tuple[str, ...]) -> bool:
    """Whether `article` reads as `other` in every field but `names`."""
    return replace(article, **{name: getattr(other, name) for name in names}) == other


class BuildError(Exception):
    """The build cannot go on at all (bad settings, unusable output folder)."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error




class Builder:
    """Builds one site again and again, keeping what it read in memory
    between builds (for `serve`) and on disk (the record cache)."""

    def __init__(self, site_dir: Path, options: BuildOptions = BuildOptions()):
        self.site_dir = site_dir.resolve()
        self.options = options
        self.out_dir = (options.out_dir or self.site_dir / "build").resolve()
        self.cache: RecordCache | None = None
        self._tagged: dict[tuple, Article] = {}
        self._parsed: dict[tuple, tuple] = {}  # what the last build read, by file and state (loader.load_site)
        # (site model, gazetteer, card digests) of the last build that got that far.
        self.last_site: tuple[Site, Gazetteer, dict[str, str]] | None = None
        self._renderers: dict[str, Renderer] = {}
        self._published: Published | None = None
        # Pages render_ahead wrote since the last build began: path → fingerprint.
        self._ahead: dict[str, str] = {}
        # The site index the last build left (read), and the one this build makes (planned).
        self._index: siteindex.SiteIndex | None = None
        self._planned: siteindex.SiteIndex | None = None
        self._intact: int | None = None  # the id of the last build, when its output is as it left it
        self._known_rows: tuple[str, dict[str, tuple[str, str]]] | None = None  # (key, rows) of the last build
        self._kept: resume.Model | resume.Edits | None = None  # what this build keeps for the next (resume.py)

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
        # A command-line build of a site without plugins may find it has nothing to do.
        quick = writer_factory is None and not config.plugins
        inputs = frame_key = None
        started_ns = time.time_ns()
        # The previous build's output is looked at while the content folders are walked.
        previous = unchanged.Previous(self.cache_dir, self.out_dir) if quick and not options.clean else None
        self._index = self._planned = self._intact = self._kept = None
        try:
            files = self._find_files(config)
            if quick:
                inputs = self._inputs(config, files)
                read = inputs.with_file(site_dir / LEDGER_FILE)
                # What the ledger gives (addresses, dates, redirects) is in the articles and the model.
                frame_key = inputs.key(content=False)
                if options.clean:
                    unchanged.forget(self.cache_dir)
                    siteindex.forget(self.cache_dir)
                    search.forget(self.cache_dir)
                    resume.forget(self.cache_dir)
                    forget_templates(self.cache_dir)
                else:
                    outcome = previous.recall(read)
                    if outcome is not None:
                        return self._replay(outcome, started)
                    # What the last build planned stands for what it would plan again, with its output
                    # (read when the pages are planned).
                    self._intact = previous.intact()
        finally:
            if previous is not None:
                previous.close()
        searcher = search.SearchPlugin() if options.search else None
        try:
            plugins = load_plugins(site_dir, config.plugins, [("search", searcher)] if searcher else [])
            context = PluginContext(site_dir, config, self.out_dir, progress=progress, jobs=self.options.jobs,
                                    cache_dir=self.cache_dir)
            report = self._run(config, plugins, context, writer_factory, progress, started, files,
                               frame_key)
            report.search = searcher.result if searcher else None
        except PluginError as exc:
            raise BuildError(exc.error) from None
        except SourceChanged as exc:  # before any page was written (else _run reports it)
            report = BuildReport(out_dir=self.out_dir, loaded=LoadResult(), seconds=time.perf_counter() - started)
            report.errors.append(changed_error(exc, site_dir))
        if inputs is not None:
            if report.published and (report.search is None or report.search.ok):
                # The ledger as this build left it: what the next one will read.
                key = inputs.with_file(site_dir / LEDGER_FILE).key()
                if self._planned is not None:
                    self._planned.build = started_ns
                    siteindex.save(self.cache_dir, self._planned, self._index)
                else:
                    siteindex.forget(self.cache_dir)
                if report.all_errors:  # published all the same (--keep-going): nothing kept
                    self._kept = None
                self._keep(started_ns, files, config)
                cache_dir = str(self.cache_dir)
                # Articles waiting for their time: valid until the first is due.
                until = report.next_due.replace(tzinfo=config.zone).timestamp() if report.next_due else None
                unchanged.remember(self.cache_dir, self.out_dir, *report.written, key, started_ns, until, unchanged.Outcome(
                    report.articles, report.drafts, report.good, report.pages, report.terms,
                    report.search.pages if report.search else None,
                    [p for p in report.loaded.problems + report.errors if not p.path.startswith(cache_dir)],
                    report.loaded.skipped, report.future))
            else:
                unchanged.forget(self.cache_dir)
                siteindex.forget(self.cache_dir)
                resume.forget(self.cache_dir)
        self._index = self._planned = self._kept = None
        return report

    def _find_files(self, config: SiteConfig) -> SiteFiles:
        """Walk the content and static folders and read the templates, once per build."""
        scan = scan_content(self.site_dir, config.content_dirs, config.follow_outside_links, (self.out_dir,))
        static, problems = collect_static(self.site_dir, config, self.out_dir)
        return SiteFiles(scan, static, problems, theme_epoch(self.site_dir, config))

    def _inputs(self, config: SiteConfig, files: SiteFiles) -> unchanged.Inputs:
        """What a build of this site reads (see unchanged.py)."""
        site_dir, options, scan = self.site_dir, self.options, files.scan
        inputs = unchanged.Inputs()
        inputs.add("settings", config)
        inputs.add("options", (options.drafts, options.future, options.keep_going, options.search, str(self.out_dir)))
        inputs.add("templates", files.templates)
        gazetteer = site_dir / GAZETTEER_FILE
        inputs.add("gazetteer", hashlib.blake2b(gazetteer.read_bytes()).hexdigest() if gazetteer.is_file() else "")
        if options.search:
            inputs.add("pagefind", search.pagefind_version())
        inputs.states.extend(f.state for f in scan.files)
        inputs.add(unchanged.CONTENT, [(f.rel, f.state) for f in scan.files])
        inputs.add("skipped", [(s.path, s.reason) for s in scan.skipped] + [str(p) for p in scan.problems])
        inputs.add("static problems", [str(p) for p in files.static_problems])
        for rel, path in sorted(files.static.items()):
            inputs.add_file_state(f"static/{rel}", path)
        for rel in config.extra_pages:
            inputs.add_file_state(rel, site_dir / rel)
        return inputs

    def _replay(self, outcome: unchanged.Outcome, started: float) -> BuildReport:
        """The report of a build that found nothing to do: the previous one's."""
        loaded = LoadResult(problems=outcome.problems, skipped=outcome.skipped)
        found = search.SearchResult(True, pages=outcome.search_pages, reused=True)
        return BuildReport(out_dir=self.out_dir, loaded=loaded, published=True, articles=outcome.articles,
                           drafts=outcome.drafts, good=outcome.good, pages=outcome.pages, terms=outcome.terms,
                           future=outcome.future,
                           seconds=time.perf_counter() - started,
                           search=found if outcome.search_pages is not None else None, unchanged=True)

    def _run(self, config: SiteConfig, plugins: Plugins, context: PluginContext,
             writer_factory: Callable[[Path, bool], Writer] | None, progress: Progress | None, started: float,
             files: SiteFiles, inputs_key: str | None = None) -> BuildReport:
        """The build proper: the site model, made anew or resumed from the
        last build's, then published. `inputs_key`: the key of what it reads
        but the content files (unchanged.Inputs.key), for the site index."""
        from .plan import article_digests, lead_pictures, term_links

        site_dir, options = self.site_dir, self.options
        # On a large site, a line as each phase starts (the CLI prints them; -q silences them).
        scan = files.scan
        large = progress is not None and len(scan.files) >= PHASE_LINES_FROM
        phase = progress if large else (lambda message: None)
        # A command-line build reads the text of the articles it has in its cache only for the pages it renders;
        # search indexing and redaction read every article's text.
        hollow = inputs_key is not None and not options.search and not config.redact
        if hollow and self._intact is not None:
            made = self._resume(config, files, inputs_key, context)
            if made is not None:
                phase(count(made.report.resumed, "{n} article file read again", "{n} article files read again"))
                return self._publish(config, plugins, context, writer_factory, progress, files, made, started)
        gazetteer = load_gazetteer(site_dir)
        context.gazetteer = gazetteer
        cache = self._cache(cache_salt(gazetteer, config))
        phase(count(len(scan.files), "reading {n} article file", "reading {n} article files"))
        loaded = load_site(site_dir, config.content_dirs, cache, options.jobs,
                           allow_outside=config.follow_outside_links, forbidden=(self.out_dir,),
                           term_keys=config.term_keys, scan=scan, memo=None if hollow else self._parsed,
                           hollow=hollow)
        loaded.problems.extend(files.static_problems)
        pages, page_problems = load_extra_pages(site_dir, config.extra_pages, config.term_keys)
        loaded.problems.extend(page_problems)
        loaded.problems.extend(cache.take_problems())
        report = BuildReport(out_dir=self.out_dir, loaded=loaded, good=len(loaded.articles))
        if loaded.errors and not options.keep_going:
            report.seconds = time.perf_counter() - started
            return report

        if options.keep_last_good and self.last_site is not None:
            previous = {a.source: a for a in self.last_site[0].articles}
            loaded.articles.extend(previous[path] for path in loaded.failed if path in previous)
        articles = [a for a in loaded.articles if options.drafts or not a.draft]
        report.drafts = len(loaded.articles) - len(articles)
        loaded.articles = []  # from here on, held once: the build's own list
        articles = redact_all(articles, config.redact)
        ledger, settled = settle(site_dir, config, articles)
        exposed, settled.redirects = exposed_addresses(settled.articles, settled.redirects, config.redact)
        settled.problems.extend(exposed)
        # A taken-down article keeps its address, which then says only that it was removed.
        articles = [a for a in settled.articles if not a.takedown]
        if not options.future:
            now = dt.datetime.now(config.zone).replace(tzinfo=None)
            waiting = [a.date_source != "intake" and local_time(a.date, config.zone) > now for a in articles]
            report.future = sum(waiting)
            if report.future:
                report.next_due = min(local_time(a.date, config.zone) for a, w in zip(articles, waiting, strict=True) if w)
                articles = [a for a, w in zip(articles, waiting, strict=True) if not w]
        removed = [a.slug for a in settled.articles if a.takedown]
        removed += [old for old, a in settled.redirects.items() if a.takedown]
        settled.articles = []  # held once: the build's own list
        redirects = {old: a for old, a in settled.redirects.items() if not a.takedown}
        loaded.problems.extend(settled.problems)
        if any(not p.warning for p in settled.problems) and not options.keep_going:
            report.seconds = time.perf_counter() - started
            return report
        phase(count(len(articles), "finding places and actors in {n} article",
                     "finding places and actors in {n} articles"))
        articles, unknown = self._tag(articles, gazetteer, config, cache, loaded.states, remember=not hollow)
        loaded.problems.extend(unknown)
        articles = plugins.call("on_articles", articles, context)
        pictures = {}
        for article in articles:
            if article.shows_pictures():
                found, problems = find_pictures(site_dir, article)
                pictures[article.slug] = found
                loaded.problems.extend(problems)
        cache.save()
        loaded.problems.extend(cache.take_problems())
        stored = None if self.last_site else self._stored_neighbours()
        site = make_site(config, articles, gazetteer, self.last_site[0] if self.last_site else None,
                         redirects, removed, stored)
        leads = lead_pictures(site, pictures)
        frame = None
        if inputs_key is not None:  # the site index's (siteindex.py)
            frame = siteindex.frame(inputs_key, site.articles, pictures, site.redirects, site.removed)
        if frame is not None and self._intact is not None:
            self._index = siteindex.load(self.cache_dir, self._intact)
        known = self._index.known_cards(frame, site.articles, loaded.fresh) if self._index is not None else {}
        cards = article_digests(site, leads, known)
        context.site, context.digests = site, cards
        plugins.call("on_site", site, context)
        report.articles = len(site.articles)
        report.terms = {kind: len(tax.terms) for kind, tax in site.taxonomies.items()}
        made = Made(report, site, gazetteer, cards, term_links(site), leads, pages, pictures, frame, cache,
                    (ledger, settled), stored is None or stored[0] != site.shape)
        if hollow and not report.all_errors:
            self._kept = resume.Model(0, inputs_key, "", {f.rel: f.state for f in scan.files}, config, site, gazetteer,
                                      cards, made.links, leads, pages, pictures, frame, (
                                          report.articles, report.drafts, report.good, report.future,
                                          report.next_due, report.terms), [], loaded.skipped)
        return self._publish(config, plugins, context, writer_factory, progress, files, made, started)

    def _resume(self, config: SiteConfig, files: SiteFiles, inputs_key: str, context: PluginContext) -> Made | None:
        """The site model the last build kept, with the articles whose files
        changed since read again, when each changed only in its text; None
        when the build must read every file (resume.py)."""
        from .plan import article_digest

        model = resume.load(self.cache_dir, resume.MODEL_FILE)
        if (not isinstance(model, resume.Model) or model.inputs != inputs_key
                or model.ledger != resume.ledger_digest(self.site_dir / LEDGER_FILE)):
            return None
        edits = resume.Edits(model.build, model.build)
        if model.build != self._intact:
            edits = resume.load(self.cache_dir, resume.EDITS_FILE)
            if not isinstance(edits, resume.Edits) or edits.base != model.build or edits.build != self._intact:
                return None
        due = model.counts[4]  # the first article held back for its time
        if due is not None and due <= dt.datetime.now(config.zone).replace(tzinfo=None):
            return None
        states = {**model.states, **edits.states}
        found = {f.rel: f for f in files.scan.files}
        if found.keys() != states.keys():
            return None
        # A file changed too soon before it was read may have changed since without its state showing it
        # (as in the record cache): it is read again.
        changed = [f for rel, f in found.items() if f.state != states[rel]
                   or not trusted(newest_time(f.state), edits.read.get(rel, model.build))]
        if len(edits.states.keys() | {f.rel for f in changed}) > resume.MAX_EDITS:
            return None
        site, gazetteer = model.site, model.gazetteer
        cache = self._cache(cache_salt(gazetteer, config), lazy=True)
        by_source = {article.source: article for article in site.articles}
        resume.attach(site.articles, cache)
        resume.attach(edits.articles.values(), cache)
        for rel, article in edits.articles.items():
            _refill(by_source[rel], article)
        updates = []
        listed = _relisted(model.problems, edits.problems, found)  # what the last build reported
        # What each changed file read before (its state in the cache is the one the model has).
        before = cache.get_many("parse", [(f.rel, states[f.rel]) for f in changed], as_read=True)
        for f, head in zip(changed, before, strict=True):
            shown = by_source.get(f.rel)
            if (shown is None or not isinstance(head, tuple) or len(head) != 3 or not isinstance(head[0], Article)
                    or not isinstance(head[1], list)):
                return None
            edit = _text_edit(f, head[0], head[1], shown, gazetteer, config, model.pictures, listed)
            if edit is None:
                return None
            updates.append((f, shown, *edit))
        for f, shown, article, read, problems, told in updates:
            to_cache(cache, f, read, problems)
            _refill(shown, article)
            edits.problems[f.rel] = told
            edits.states[f.rel] = f.state
            edits.read[f.rel] = 0  # this build's id, once it has one (_keep)
            edits.articles[f.rel] = article
        cache.save(prune=False)
        cards = model.cards
        for rel in edits.articles:
            article = by_source[rel]
            cards[article.slug] = article_digest(site, article, model.leads.get(article.slug))
        report = BuildReport(out_dir=self.out_dir, loaded=LoadResult(
            problems=[*_relisted(model.problems, edits.problems, found), *cache.take_problems()],
            skipped=model.skipped))
        report.articles, report.drafts, report.good, report.future, report.next_due, report.terms = model.counts
        report.resumed = len(changed)
        self._index = siteindex.load(self.cache_dir, self._intact)
        context.gazetteer, context.site, context.digests = gazetteer, site, cards
        self._kept = edits
        return Made(report, site, gazetteer, cards, model.links, model.leads, model.pages, model.pictures,
                    model.frame, cache, None, False)

    def _keep(self, build: int, files: SiteFiles, config: SiteConfig) -> None:
        """Keep the model of the build `build` that just published (resume.py):
        the whole model, or what this build changed in the model it resumed from."""
        kept, self._kept = self._kept, None
        rels = {f.rel: f for f in files.scan.files}
        if isinstance(kept, resume.Model):
            kept.build, kept.ledger = build, resume.ledger_digest(self.site_dir / LEDGER_FILE)
            resume.forget(self.cache_dir)
            resume.save(self.cache_dir, resume.MODEL_FILE, kept, rels, config.term_keys)
        elif isinstance(kept, resume.Edits):
            kept.build = build
            kept.read = {rel: read or build for rel, read in kept.read.items()}
            resume.save(self.cache_dir, resume.EDITS_FILE, kept, rels, config.term_keys)
        else:
            resume.forget(self.cache_dir)

    def _publish(self, config: SiteConfig, plugins: Plugins, context: PluginContext,
                 writer_factory: Callable[[Path, bool], Writer] | None, progress: Progress | None, files: SiteFiles,
                 made: Made, started: float) -> BuildReport:
        """Plan, render and publish the site model `made`."""
        # Planning and rendering bring Jinja: imported only when a build has work to do.
        import jinja2

        from .plan import Planner
        from .render import render_pages, template_error

        site_dir, options = self.site_dir, self.options
        report, site, gazetteer, cards, links, leads = made.report, made.site, made.gazetteer, made.cards, made.links, made.leads
        pages, pictures, frame, cache = made.pages, made.pictures, made.frame, made.cache
        large = progress is not None and len(files.scan.files) >= PHASE_LINES_FROM
        phase = progress if large else (lambda message: None)
        epoch = files.templates + plugins.digest
        renderer = self._renderer(config, epoch, plugins, context)
        renderer.use_pages(pages)
        renderer.use_links(links, leads)
        if not renderer.closures:  # found here, once, not in each process that plans pages
            renderer.warm()
            resume.save(self.cache_dir, CLOSURES_FILE, (epoch, renderer.closures))
        self.last_site = (site, gazetteer, cards)
        self._published = None
        writer = (writer_factory or StagingWriter)(self.out_dir, not options.clean)
        if not options.clean:  # the pages rendered ahead are in the output as their fingerprints say
            writer.previous.update(self._ahead)
        self._ahead = {}
        try:
            phase(count(len(site.articles), "planning the pages of {n} article", "planning the pages of {n} articles"))
            rows = self._rows(site, links, cards, cache)
            planner = Planner(site, renderer.template_epoch, cards, links, pages, renderer.has_template, site_dir,
                              pictures, rows)
            if isinstance(writer, StagingWriter) and not plugins.has("on_plans"):
                # Planned and rendered part by part in the workers (no plan is held for the whole site).
                self._plan_and_render(planner, renderer, writer, report, progress if large else None, frame, cards)
            else:  # a plugin sees the plans of every page at once
                todo = []
                for plan in plugins.call("on_plans", list(planner.plan()), context):
                    report.pages += 1
                    if not writer.keep(plan):
                        todo.append(plan)
                phase(_("rendering {todo} of {pages} pages").format(todo=len(todo), pages=report.pages))
                writer.begin()
                render_pages(todo, renderer, writer, options.jobs, progress)
                report.rendered = len(todo)
                report.changed = [plan.path for plan in todo]
            writer.static(files.static)
            plugins.call("on_output", Output(writer), context)
            writer.finish()
            report.written = (list(writer.pages), list(writer.folders))
            plugins.call("on_published", self.out_dir, context)
        except jinja2.TemplateError as exc:
            writer.abandon()
            report.errors.append(template_error(exc, site_dir))
            return report
        except SourceChanged as exc:
            writer.abandon()
            report.errors.append(changed_error(exc, site_dir))
            return report
        except BaseException:
            writer.abandon()
            raise
        report.published = True
        cache.put_rows(rows.key, rows.made, set(cards.values()))
        self._known_rows = (rows.key, rows.by_card())
        if not config.plugins:  # a plugin may change any article or page: nothing is rendered ahead
            self._published = Published(config, site, gazetteer, cards, links, pages, pictures, renderer)
        if made.neighbours:  # else the file has them already
            self._store_neighbours(site)
        if made.ledger is not None:
            ledger, settled = made.ledger
            if options.record and not options.drafts and (settled.added or settled.moved or settled.redirects):
                save_ledger(site_dir, ledger)
        report.seconds = time.perf_counter() - started
        if isinstance(self._kept, resume.Model):
            # What the build reports, but the warnings about the cache itself (said once).
            self._kept.problems = [p for p in report.loaded.problems + report.errors
                                   if not p.path.startswith(str(self.cache_dir))]
        return report

    def _plan_and_render(self, planner: Planner, renderer: Renderer, writer: StagingWriter, report: BuildReport,
                         progress: Progress | None, frame: str | None, cards: dict[str, str]) -> None:
        """Plan every page and render those that changed, the parts of the
        plan spread over the workers (render.plan_and_render), then the
        sitemaps, which list what they planned. With the `frame` of the
        site index the last build stored, only the parts that show an
        article whose digest changed are planned (siteindex.py)."""
        from .plan import page_url
        from .render import SPREAD_MIN_WEIGHT, plan_and_render, render_page

        parts = planner.parts()
        index = self._index
        stale = index.stale(frame, cards, len(parts), writer.previous) if index is not None and frame else None
        todo = range(len(parts)) if stale is None else stale
        # A few parts of a large site may be much work (an archive-wide download, a long list):
        # the last build's index tells how much.
        spread = None if stale is None else sum(index.parts[n].weight() for n in stale) >= SPREAD_MIN_WEIGHT
        report.parts = (len(todo), len(parts))
        # What each part showed, packed in the worker that planned it; nothing without an index to make.
        taken = (lambda: siteindex.pack(planner.shown())) if frame is not None else (lambda: None)
        writer.begin()
        planned = dict(zip(todo, plan_and_render([parts[n] for n in todo], renderer, writer, self.options.jobs,
                                                 progress, taken, spread), strict=True))
        kept: list[siteindex.Part] | None = []
        listed = []
        for n in range(len(parts)):
            if n in planned:
                shown, done = planned[n]
                for path, fingerprint, entry, rendered in done:
                    report.pages += 1
                    writer.record(path, fingerprint, not rendered)
                    if rendered:
                        report.changed.append(path)
                    if entry is not None:
                        listed.append(entry)
                if kept is not None:
                    try:
                        kept.append(siteindex.Part.of(shown, [(path, entry) for path, _, entry, _ in done]))
                    except ValueError:
                        kept = None  # no index rather than a wrong one
            else:  # planned as the last build planned it
                part = index.parts[n]
                for path, listed_there, date in part.each_page():
                    report.pages += 1
                    writer.record(path, writer.previous[path], True)
                    if listed_there:
                        listed.append((page_url(path), date))
                if kept is not None:
                    kept.append(part)
        if frame is not None and kept is not None:
            self._planned = siteindex.SiteIndex(frame, cards, kept)
        for plan in planner.sitemaps(listed):
            report.pages += 1
            if not writer.keep(plan):
                render_page(plan, renderer, writer)
                report.changed.append(plan.path)
        report.rendered = len(report.changed)

    def render_ahead(self, paths: list[str], writer: Writer) -> list[str]:
        """Render the pages of the articles whose files `paths` (relative to
        the site folder) were edited, with `writer`, before the build that
        follows: the last published build's site model with each edited
        article in it. Return the site paths of the pages written, or []
        when any of the edits is more than an edit of an article's text:
        then only the build brings it.

        An edit of the text (title, body, author, corrections...) leaves
        the article where it was in every list: it is an article of that
        build, its file reads as before apart from TEXT_FIELDS (same date,
        terms, front matter, and address: a slug made from the title is
        the ledger's, whatever the title, when the ledger has the file),
        the gazetteer finds the same places and actors in it, and it shows
        no pictures. Each page is planned as a build plans it, its
        fingerprint made from what it shows; the build that follows keeps
        it when it plans the same, and renders it again otherwise."""
        import jinja2

        from .plan import Planner, article_digest
        from .render import render_pages

        last = self._published
        if last is None or not paths:
            return []
        by_source = {article.source: article for article in last.site.articles}
        try:
            ledger = load_ledger(self.site_dir)
        except LedgerError:
            ledger = None
        parsed = {rel: outcome[0] for (rel, _state), (_read, outcome) in self._parsed.items()}
        converter = make_converter()
        plans: list[PagePlan] = []
        for rel in dict.fromkeys(paths):
            shown, before = by_source.get(rel), parsed.get(rel)
            path = self.site_dir / rel
            if shown is None or before is None or (
                    path.suffix.lower() == ".txt" and any(path.with_suffix(s).exists() for s in SIDECAR_SUFFIXES)):
                return []
            article = read_article(path, rel, converter, last.config.term_keys)[0]
            # A slug made from the title: the ledger keeps the address, when it has one for the file.
            kept = ledger is not None and getattr(ledger.entries.get(rel), "slug", None) == shown.slug
            derived = article is not None and not (article.slug_from_front_matter or before.slug_from_front_matter)
            ignored = (*TEXT_FIELDS, "slug") if derived and kept else TEXT_FIELDS
            if article is None or not _same_apart_from(article, before, ignored):
                return []
            article = redact_all([article], last.config.redact)[0]
            placed = replace(article, slug=shown.slug, date=shown.date, date_source=shown.date_source,
                             date_precision=shown.date_precision)
            article = tag_articles([placed], last.gazetteer, last.config.taxonomies, detect=False)[0][0]
            if (not _same_apart_from(article, shown, TEXT_FIELDS)
                    or last.pictures.get(shown.slug) or article.shows_pictures()):
                return []
            # Every other article as the last build showed it: a page that shows
            # another edited article is planned anew by the build.
            cards = {**last.cards, article.slug: article_digest(last.site, article, None)}
            planner = Planner(last.site, last.renderer.template_epoch, cards, last.links, last.pages,
                              last.renderer.has_template, self.site_dir, last.pictures)
            plans.append(planner.article_page(article))
        try:
            writer.begin()
            render_pages(plans, last.renderer, writer, 1, None)
        except (jinja2.TemplateError, OSError):
            return []  # the build says what is wrong
        finally:
            writer.end()
        self._ahead.update({plan.path: plan.fingerprint for plan in plans})
        return [plan.path for plan in plans]

    def _renderer(self, config: SiteConfig, epoch: str, plugins: Plugins, context: PluginContext) -> Renderer:
        """A Renderer for this build: the previous build's (its templates
        already compiled) when no template or setting changed."""
        if self._renderers.get(epoch) is None:
            from .render import Renderer

            renderer = Renderer(self.site_dir, config, salt=plugins.digest, cache_dir=self.cache_dir)
            plugins.call("on_env", renderer.env, context)
            # The templates' closures, when the last build that found them had the same templates.
            kept = resume.load(self.cache_dir, CLOSURES_FILE)
            if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == epoch and isinstance(kept[1], dict):
                renderer.closures.update(kept[1])
            self._renderers = {epoch: renderer}
        renderer = self._renderers[epoch]
        return renderer

    def _tag(self, articles: list[Article], gazetteer: Gazetteer, config: SiteConfig, cache: RecordCache,
             states: dict[str, tuple], remember: bool = True) -> tuple[list[Article], list[ContentError]]:
        """Return `articles` with the terms the gazetteer finds in them, and
        the warnings about listed places it does not know; an article this
        Builder tagged before, from the same file, gazetteer and taxonomies,
        is reused. `remember`: keep them for the next build of this Builder
        (the preview's; a command-line build has no next one)."""
        memo = self._tagged
        salt = cache.salt
        keys = [(a.source, a.sha256, states.get(a.source), a.slug, salt) for a in articles]
        fresh = [n for n, key in enumerate(keys) if key not in memo]
        if fresh:
            tagged, _found, _stored, unknown = tag_articles([articles[n] for n in fresh], gazetteer, config.taxonomies,
                                                            cache, states, self.options.jobs, detect=False)
            for n, article, warnings in zip(fresh, tagged, unknown, strict=True):
                memo[keys[n]] = (article, warnings)
        for article in articles:
            cache.keep("tag", article.source)
        tagged = [memo[key] for key in keys]
        self._tagged = dict(zip(keys, tagged, strict=True)) if remember else {}  # forget what is gone
        return [found[0] for found in tagged], [warning for found in tagged for warning in found[1]]

    def _rows(self, site: Site, links: dict, cards: dict[str, str], cache: RecordCache) -> downloads.Rows:
        """The downloads' rows of every article, made before the pages are
        planned (once for all the workers): those of articles whose digest is
        the same as in the last build of this process, or in the cache, are
        taken as they were made."""
        rows = downloads.Rows(site.config, links, cards)
        last = self._known_rows
        rows.known = last[1] if last and last[0] == rows.key else cache.rows(rows.key)
        rows.make_all(site.articles)
        return rows

    def _stored_neighbours(self) -> tuple[str, dict] | None:
        """The shape and neighbours an earlier build stored, if readable."""
        if self.options.clean:
            return None
        try:
            data = json.loads((self.cache_dir / NEIGHBOURS_FILE).read_text(encoding="utf-8"))
            return data["shape"], data["neighbours"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store_neighbours(self, site: Site) -> None:
        """Keep the neighbours for the next build (a text edit leaves them as they are)."""
        try:
            text = json.dumps({"shape": site.shape, "neighbours": neighbours_by_slug(site)}, ensure_ascii=False)
            (self.cache_dir / NEIGHBOURS_FILE).write_text(text, encoding="utf-8")
        except OSError:
            pass

    @property
    def cache_dir(self) -> Path:
        return (self.options.cache_dir or self.site_dir / CACHE_DIR).resolve()

    def _cache(self, salt: str, lazy: bool = False) -> RecordCache:
        """The record cache for this salt (see cache_salt); emptied first with
        `clean`. `lazy`: for a build that reads a few files (RecordCache)."""
        if (self.cache is None or not self.cache.salt.endswith("|" + salt) or self.options.clean
                or (self.cache.lazy and not lazy)):
            self._parsed = {}  # read under other settings, or to be forgotten
            try:
                self.cache = RecordCache.for_site(self.site_dir, salt, self.cache_dir, fresh=self.options.clean,
                                                  lazy=lazy)
            except CacheFolderError as exc:
                raise BuildError(exc.error) from None
        return self.cache


def forget_templates(cache_dir: Path) -> None:
    """Drop the compiled templates and their closures (--clean)."""
    from .render import TEMPLATES_FOLDER

    shutil.rmtree(cache_dir / TEMPLATES_FOLDER, ignore_errors=True)  # never follows a link
    remove_files(cache_dir / CLOSURES_FILE)


def changed_error(exc: SourceChanged, site_dir: Path) -> ContentError:
    """The error of a build stopped by a file that changed while it ran."""
    try:
        shown = Path(exc.path).relative_to(site_dir).as_posix()
    except ValueError:
        shown = exc.path
    message = (N_("the picture changed or went away while the site was being built") if isinstance(exc, PictureError)
               else N_("the file changed or went away while the site was being built"))
    return ContentError(shown, message, None, N_("build again"))


def build(site_dir: Path, options: BuildOptions = BuildOptions(), progress: Progress | None = None
          ) -> BuildReport:
    """Build the site in `site_dir` once; see Builder.build."""
    return Builder(site_dir, options).build(progress=progress)


NEIGHBOURS_FILE = "neighbours.json"  # in the cache folder
CLOSURES_FILE = "template-closures.pickle"  # in the cache folder: the templates' (Renderer.closures)
PHASE_LINES_FROM = 1000  # article files from which each phase of a build is announced


def local_time(date: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime:
    """`date` as a naive time in the site's zone (a date without a zone is in it)."""
    if date is None:
        return dt.datetime.min
    return date.astimezone(zone).replace(tzinfo=None) if date.tzinfo else date


def settle(site_dir: Path, config: SiteConfig, articles: list[Article]) -> tuple[Ledger, Settled]:
    """`articles` at their permanent addresses, dated by their intake when
    they have no other date (ledger.py). Raises BuildError for an unreadable
    ledger. A shallow clone's history is noted: it lacks older intake dates."""
    try:
        ledger = load_ledger(site_dir)
    except LedgerError as exc:
        raise BuildError(exc.error) from None
    history, shallow = {}, False
    if any(a.source not in ledger.entries for a in articles):
        history, shallow = history_dates(site_dir, config.content_dirs)
    settled = ledger.settle(articles, dt.date.today(), history, config.intake_dates)
    if shallow and settled.added:
        settled.problems.append(ContentError(
            LEDGER_FILE, "the repository is a shallow clone: files it did not add are given today's intake date",
            None, "fetch the whole history (git fetch --unshallow, or fetch-depth: 0 in CI)", warning=True))
    return ledger, settled


def cache_salt(gazetteer: Gazetteer, config: SiteConfig) -> str:
    """What the records of the cache depend on besides the files: the
    gazetteer, the taxonomies (which front-matter keys list terms, which are
    matched in the text) and the redacted phrases (tagging reads redacted text)."""
    declared = [(spec.key, spec.gazetteer) for spec in config.taxonomies]
    text = f"{gazetteer.digest}|{declared!r}|{config.redact!r}"
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


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


