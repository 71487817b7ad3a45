"""Planning: from the site model to the plan of every output file.

Pure: no file is read or written. Each plan holds the page's template, the
context it is rendered with, and a fingerprint derived from that very
context (views.Projector) and from the templates it can use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, fields
from functools import cached_property, partial
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote, urlsplit

from . import downloads, images
from .charts import Facets, archive_timeline, term_timeline
from .maps import PlaceMaps
from .model import Article, Page, instant
from .taxonomy import Neighbours, Period, Site, Taxonomy, Term, page_count, paginate
from .views import Projector, TaxonomyRef, TermRef


@dataclass(frozen=True)
class PagePlan:
    """One file of the output: where it goes, the fingerprint of what it
    shows, and how to render it (template and context)."""

    path: str
    fingerprint: str
    # None: the page is context["text"] as it is (a plugin's data page), the
    # bytes of the file context["file"] (an article's original), or the
    # download context["data"] describes (downloads.py: format, articles, about).
    template: str | None
    context: dict
    lastmod: dt.date | None = None  # for the sitemap
    listed: bool = False  # in the sitemap (the HTML pages but 404, an article marked noindex and redirects)



def _digest(*parts: object) -> str:
    """A stable digest of `parts` (their repr; strings as they are)."""
    text = "\x1f".join(part if isinstance(part, str) else repr(part) for part in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


# What an article's own fields are, apart from the large texts that its file's
# bytes (sha256) already stand for.
_ARTICLE_FIELDS = [f.name for f in fields(Article) if f.name not in ("body_html", "text", "footer")]


def lead_pictures(site: Site, pictures: dict) -> dict[str, tuple[str, int, int]]:
    """Each article's lead picture that is published (its `image`), by slug:
    its address under the article's page, width and height."""
    leads = {}
    for article in site.articles:
        for picture in pictures.get(article.slug, ()) if article.image else ():
            if picture.src == article.image:
                leads[article.slug] = (picture.name, picture.width, picture.height)
    return leads


def article_digests(site: Site, leads: dict[str, tuple[str, int, int]] | None = None,
                    known: dict[str, str] | None = None) -> dict[str, str]:
    """The digest of each article as pages show it, by slug: its fields,
    the links to its terms and its lead picture as cards show it. Computed
    once per build; a page showing an article is fingerprinted with it.
    `known`: digests made before of the same articles, by slug (siteindex.py)."""
    leads = leads or {}
    known = known or {}
    return {article.slug: known.get(article.slug) or article_digest(site, article, leads.get(article.slug))
            for article in site.articles}


def article_digest(site: Site, article: Article, lead: tuple[str, int, int] | None) -> str:
    """The digest of `article` as pages show it (see article_digests)."""
    own = _digest(article.sha256 or article.body_html + article.text + article.footer,
                  *(getattr(article, name) for name in _ARTICLE_FIELDS))
    links = "|".join(f"{t.kind}:{t.slug}:{t.name}" for terms in site.article_terms[article.slug].values()
                     for t in terms)
    return _digest(own, links, repr(lead))


class Planner:
    """Makes the plan of every page: its template, its context, and a
    fingerprint derived from that very context (views.Projector) and from
    the templates it is rendered with (Renderer.template_epoch)."""

    def __init__(self, site: Site, epochs: Callable[[str], str], cards: dict[str, str],
                 links: dict[str, dict[str, list[TermRef]]], pages: list[Page] = (),
                 has_template: Callable[[str], bool] = lambda name: False, site_dir: Path | None = None,
                 pictures: dict[str, list[images.Picture]] | None = None, rows: downloads.Rows | None = None):
        """`has_template` tells whether a template exists: a taxonomy's pages
        use `<key>/taxonomy.html` and `<key>/term.html` when the site has them.
        `rows`: the downloads' rows, when the build made them already."""
        self.site = site
        self.has_template = has_template
        self.site_dir = site_dir  # where the articles' files are: for publish_originals and pictures
        self.pictures = pictures or {}  # the pictures each article shows that can be published (by slug)
        self.pages = pages
        self.epochs = epochs
        self.links = links
        self.projector = Projector(cards)
        # Each article's row in the downloads, made once per process (or given).
        self._rows = rows if rows is not None else downloads.Rows(site.config, links)
        self._place_maps: dict[str, PlaceMaps] = {}
        # When a feed without entries was updated: today, once for the whole build (all its processes).
        self._today = atom_time(dt.datetime.combine(dt.date.today(), dt.time()), site.config.zone)
        self._data_epoch = _digest(downloads.EPOCH, repr(site.config))

    def shown(self) -> list[int]:
        """The articles shown by the plans made since the last call, by
        position in the site's order (siteindex.py). What a plan shows of
        an article goes into its fingerprint through the article's digest,
        and only so (a list's rows and an article's files are made from
        what that digest covers)."""
        shown, self.projector.shown = self.projector.shown, set()
        shown.discard(None)
        position = self._positions
        return sorted(position[slug] for slug in shown)

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {article.slug: n for n, article in enumerate(self.site.articles)}

    def page(self, path: str, template: str, context: dict, lastmod: dt.date | None = None,
             listed: bool = False) -> PagePlan:
        fingerprint = self.projector.fingerprint(self.epochs(template), path, context)
        return PagePlan(path, fingerprint, template, context, lastmod, listed)

    def plan(self) -> Iterator[PagePlan]:
        """Yield a plan for every file of the output: the HTML pages, then
        the other files (parts()), then the sitemap, which lists the pages."""
        listed: list[tuple[str, dt.date | None]] = []
        for part in self.parts():
            for plan in part():
                entry = sitemap_entry(plan)
                if entry is not None:
                    listed.append(entry)
                yield plan
        yield from self.sitemaps(listed)

    def parts(self) -> list[Callable[[], Iterator[PagePlan]]]:
        """The plans of every file but the sitemaps, in parts that can be
        planned apart and in any process (each only reads the model): the
        HTML pages first, in the sitemap's order (home, articles, taxonomies
        and terms, the date archive, the extra pages, search, 404), then
        redirects, originals, pictures, downloads, the Atom feeds (the whole
        site's, then each term's of the taxonomies declared with feeds) and
        robots.txt.
        The plans of pages the sitemap lists are marked `listed`."""
        site = self.site
        articles = site.articles
        blocks = [articles[i:i + PART_ARTICLES] for i in range(0, len(articles), PART_ARTICLES)]
        parts: list[Callable[[], Iterator[PagePlan]]] = [
            partial(self.listing, articles, "", "list.html", numbers=numbers) for numbers in self._chunks(articles)]
        parts += [partial(self._article_pages, block) for block in blocks]
        for taxonomy in site.taxonomies.values():
            parts.append(partial(self._taxonomy_page, taxonomy))
            parts += [partial(self._term_pages, taxonomy, term, numbers)
                      for term in taxonomy.terms for numbers in self._chunks(term.articles)]
        parts.append(self._archive_pages)
        months = [month for year in site.archive.years for month in year.months]  # newest first
        parts += [partial(self._month_pages, months, n, numbers)
                  for n in range(len(months)) for numbers in self._chunks(months[n].articles)]
        if site.archive.undated:
            parts += [partial(self._undated_pages, numbers) for numbers in self._chunks(site.archive.undated)]
        parts.append(self._last_pages)
        parts.append(self.redirects)
        parts += [partial(self.originals, block) for block in blocks]
        parts += [partial(self.picture_files, block) for block in blocks]
        parts.append(partial(self._lists, "archive/", site.articles, {"title": site.config.title}))
        for taxonomy in site.taxonomies.values():
            parts += [partial(self._term_data, taxonomy, term) for term in taxonomy.terms]
        parts += [partial(self.citations, block) for block in blocks]
        parts.append(self._site_feed)
        for taxonomy in site.taxonomies.values():
            if taxonomy.spec.feeds:
                parts += [partial(self._term_feed, term) for term in taxonomy.terms]
        parts.append(lambda: iter([self.page("robots.txt", "robots.txt", {})]))
        return parts

    def _chunks(self, articles: list[Article]) -> list[range]:
        """The numbers of a list's pages, LIST_PAGES at a time: each a part
        of the plan (an edit plans again only the pages near the article's)."""
        total = page_count(len(articles), self.site.config.per_page)
        return [range(n, min(n + LIST_PAGES, total + 1)) for n in range(1, total + 1, LIST_PAGES)]

    def listing(self, articles: list[Article], base: str, template: str, first: dict | None = None,
                numbers: range | None = None, **context) -> Iterator[PagePlan]:
        """The pages of a list (those `numbers` only, when given); `first`
        is what page 1 shows above the list (the other pages get its keys as None)."""
        first = first or {}
        for pager in paginate(articles, base, self.site.config.per_page, numbers):
            above = first if pager.number == 1 else dict.fromkeys(first)
            yield self.page(pager.url + "index.html", template, {"pager": pager, **above, **context},
                            _newest(pager.articles), listed=True)

    def _article_pages(self, articles: list[Article]) -> Iterator[PagePlan]:
        return map(self.article_page, articles)

    @cached_property
    def _facets(self) -> Facets:
        site = self.site
        return Facets(site, tuple(spec.key for spec in site.config.taxonomies if spec.gazetteer))

    def _maps(self, taxonomy: Taxonomy) -> PlaceMaps | None:
        """Places have a map (made once per taxonomy and process)."""
        if not (taxonomy.spec.gazetteer == "places" and taxonomy.spec.hierarchical):
            return None
        found = self._place_maps.get(taxonomy.kind)
        if found is None:
            found = self._place_maps[taxonomy.kind] = PlaceMaps(taxonomy)
        return found

    def _taxonomy_page(self, taxonomy: Taxonomy) -> Iterator[PagePlan]:
        maps = self._maps(taxonomy)
        yield self.page(taxonomy.url + "index.html", self.template_of(taxonomy.kind, "taxonomy.html"),
                        {"taxonomy": taxonomy, "map": maps.of() if maps else None}, listed=True)

    def _term_pages(self, taxonomy: Taxonomy, term: Term, numbers: range | None = None) -> Iterator[PagePlan]:
        """A term's pages (those `numbers` only, when given); page 1 shows its
        timeline, facets and map above the list."""
        if numbers is None or 1 in numbers:
            maps = self._maps(taxonomy)
            above = {"timeline": term_timeline(term, self.site.config.per_page), "facets": self._facets.of(term),
                     "map": maps.of(term) if maps else None}
        else:
            above = dict.fromkeys(("timeline", "facets", "map"))
        return self.listing(term.articles, term.url, self.template_of(taxonomy.kind, "term.html"), above, numbers,
                            taxonomy=TaxonomyRef.of(taxonomy), term=term)

    def _archive_pages(self) -> Iterator[PagePlan]:
        site = self.site
        archive = site.archive
        yield self.page(archive.url + "index.html", "archive.html",
                        {"archive": archive, "timeline": archive_timeline(site)}, _newest(site.articles), listed=True)
        for year in archive.years:
            yield self.page(year.url + "index.html", "archive_year.html", {"period": year}, _newest(year.articles),
                            listed=True)

    def _month_pages(self, months: list[Period], n: int, numbers: range | None = None) -> Iterator[PagePlan]:
        month = months[n]
        return self.listing(month.articles, month.url, "archive_month.html", numbers=numbers, period=month,
                            count=month.count, newer=months[n - 1] if n else None,
                            older=months[n + 1] if n + 1 < len(months) else None)

    def _undated_pages(self, numbers: range | None = None) -> Iterator[PagePlan]:
        """The undated articles' list (those `numbers` of its pages only, when given)."""
        archive = self.site.archive
        return self.listing(archive.undated, archive.undated_url, "archive_month.html", numbers=numbers,
                            period=None, count=len(archive.undated), newer=None, older=None)

    def _last_pages(self) -> Iterator[PagePlan]:
        """The extra pages, search and 404."""
        site = self.site
        for page in self.pages:
            yield self.page(page.url + "index.html", "page.html", {"page": page}, listed=True)
        yield self.page("search/index.html", "search.html", {}, listed=True)
        yield self.page(NOT_FOUND_PAGE, "404.html", {"url_root": site_root(site)})

    def article_page(self, article: Article) -> PagePlan:
        """The plan of an article's own page."""
        near = self.site.neighbours.get(article.slug) or Neighbours()
        shown = {p.src: (p.width, p.height) for p in self.pictures.get(article.slug, ())}
        return self.page(article.url + "index.html", "article.html",
                         {"article": article, "terms": self.links[article.slug], "near": near, "pictures": shown},
                         article.date.date() if article.date else None, listed=not article.noindex)

    def redirects(self) -> Iterator[PagePlan]:
        """A page at each address an article has left, sending readers on,
        and at each address of an article taken down, saying so, and at each
        address a place or actor has left (listed nowhere: not in the
        sitemap, not in any list)."""
        for slug, article in sorted(self.site.redirects.items()):
            yield self.page(f"articles/{slug}/index.html", "redirect.html", {"article": article})
        for slug in self.site.removed:
            yield self.page(f"articles/{slug}/index.html", "removed.html", {})
        # A place or actor renamed in the gazetteer keeps its old address (`former_slugs`).
        for path, term in sorted(self.site.term_redirects.items()):
            yield self.page(f"{path}index.html", "term_redirect.html", {"term": TermRef.of(term)})

    def originals(self, articles: list[Article]) -> Iterator[PagePlan]:
        """With `publish_originals`, each article's file as it was read,
        beside its page (`original.txt` or `original.md`), byte for byte."""
        if not self.site.config.publish_originals or self.site_dir is None:
            return
        self.projector.show([a.slug for a in articles])
        for article in articles:
            path = article.url + original_name(article)
            yield PagePlan(path, _digest(path, article.sha256), None, {"file": str(self.site_dir / article.source)})

    def picture_files(self, articles: list[Article]) -> Iterator[PagePlan]:
        """Each picture an article shows, under its page, without its
        metadata (images.py); fingerprinted by the file's size, change time
        and inode, and images.py."""
        if self.site_dir is None:
            return
        self.projector.show([a.slug for a in articles])
        for article in articles:
            for picture in self.pictures.get(article.slug, ()):
                path = article.url + picture.name
                yield PagePlan(path, _digest(images.EPOCH, path, picture.path, picture.stamp), None,
                               {"picture": (str(self.site_dir / picture.path), picture.kind)})

    def _term_data(self, taxonomy: Taxonomy, term: Term) -> Iterator[PagePlan]:
        return self._lists(term.url, term.articles, {"taxonomy": taxonomy.kind, "term": term.name, "slug": term.slug})

    def _lists(self, folder: str, articles: list[Article], about: dict) -> Iterator[PagePlan]:
        """A list of articles as CSV and JSON (the whole archive's under
        archive/, each term's in its folder), fingerprinted by what it shows
        of its articles, the settings and downloads.py."""
        # A list's fingerprint is made of what it shows of its articles (their
        # rows), so a change the rows do not show (a word of the body that
        # keeps the count) rewrites no download.
        rows = self._rows
        about = {**about, "page": self.site.config.base_url + quote(folder, safe="/")}
        self.projector.show([a.slug for a in articles])
        shown = "".join([rows.digest(a) for a in articles])
        for fmt, name in downloads.FILES.items():
            path = folder + name
            yield PagePlan(path, _digest(self._data_epoch, path, repr(about), shown), None,
                           {"data": (fmt, articles, about, rows)})

    def citations(self, articles: list[Article]) -> Iterator[PagePlan]:
        """Each article's reference for reference managers (RIS, BibTeX), in its folder."""
        rows = self._rows
        for article in articles:
            for fmt, (name, _write) in downloads.CITATIONS.items():
                path = article.url + name
                yield PagePlan(path, _digest(self._data_epoch, path, self.projector.article(article.slug)), None,
                               {"data": (fmt, [article], {}, rows)})

    def template_of(self, kind: str, name: str) -> str:
        """`<kind>/<name>` when the site or theme has it, else `name`."""
        own = f"{kind}/{name}"
        return own if self.has_template(own) else name

    def _site_feed(self) -> Iterator[PagePlan]:
        """The Atom feed of the whole site."""
        site = self.site
        yield self._feed("", site.config.title, site.articles)

    def _term_feed(self, term: Term) -> Iterator[PagePlan]:
        """The Atom feed of a term (of a taxonomy declared with feeds)."""
        yield self._feed(term.url, f"{term.name} — {self.site.config.title}", term.articles)

    @cached_property
    def _entry_times(self) -> dict[str, tuple[str | None, str]]:
        return entry_times(self.site)

    def _feed(self, url: str, title: str, articles: list[Article]) -> PagePlan:
        latest = articles[:FEED_ENTRIES]
        shown = {a.slug: self._entry_times[a.slug] for a in latest}
        updated = max((t[1] for t in shown.values()), key=_atom_instant, default=self._today)
        return self.page(url + "feed.xml", "feed.xml", {"feed_title": title, "alternate": url,
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


def sitemap_entry(plan: PagePlan) -> tuple[str, dt.date | None] | None:
    """What the sitemap says of `plan`'s page: its address and date, or None
    for a file it does not list."""
    return (page_url(plan.path), plan.lastmod) if plan.listed else None


PART_ARTICLES = 250  # articles whose own pages (or files) make one part of the plan (Planner.parts)
LIST_PAGES = 5  # pages of a list that make one part of the plan


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


def atom_time(value: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """Return `value` as an RFC 3339 time; a time without zone is in `zone`
    (the site's), or UTC without one."""
    if value.tzinfo is None:
        if zone is None:
            return value.replace(microsecond=0).isoformat() + "Z"
        value = value.replace(tzinfo=zone)
    return value.replace(microsecond=0).isoformat()


def entry_times(site: Site) -> dict[str, tuple[str | None, str]]:
    """Return, for each article slug, its Atom (published, updated) times:
    both its date when it has one. An undated article has no publication
    time; as the time it was last updated (which Atom requires) it gets the
    newest date of the archive, or today's when no article has a date. Never
    the file's time, which differs in every copy of the site."""
    dated = [a.date for a in site.articles if a.date is not None]
    if dated:
        fallback = atom_time(max(dated, key=instant), site.config.zone)
    else:
        fallback = atom_time(dt.datetime.combine(dt.date.today(), dt.time()), site.config.zone)
    times = {}
    for article in site.articles:
        if article.date is not None:
            stamp = atom_time(article.date, site.config.zone)
            times[article.slug] = (stamp, stamp)
        else:
            times[article.slug] = (None, fallback)
    return times


def original_name(article: Article) -> str:
    """The name an article's original file is published under, beside its page."""
    return "original.txt" if article.format == "text" else "original.md"


def page_url(path: str) -> str:
    """The site path of the page written at `path` ("tags/index.html" → "tags/")."""
    return path[: -len("index.html")] if path.endswith("index.html") else path
