"""The site model: articles in publishing order, grouped into terms.

Everything here is computed from the records alone, in time linear in the
number of (article, term) pairs; nothing is rendered or written.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace

from . import arabic
from .config import SiteConfig, TaxonomySpec
from .gazetteer import Entry, Gazetteer
from .model import Article


@dataclass(eq=False)
class Term:
    """One term of a taxonomy (a tag, place, actor…), with its articles
    newest first. In a hierarchical taxonomy, a term from the gazetteer also
    has its parent and children; its articles include theirs."""

    kind: str
    name: str
    slug: str
    articles: list[Article] = field(default_factory=list)
    parent: Term | None = None
    children: list[Term] = field(default_factory=list)
    position: tuple[float, float] | None = None  # (latitude, longitude) of a place, from the gazetteer

    @property
    def url(self) -> str:
        return f"{self.kind}/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def ancestors(self) -> list[Term]:
        """The enclosing places, outermost first."""
        chain = []
        term = self.parent
        while term is not None:
            chain.append(term)
            term = term.parent
        return chain[::-1]

    @property
    def descendants(self) -> list[Term]:
        """The terms inside this one, at any depth."""
        found, todo = [], list(self.children)
        while todo:
            child = todo.pop()
            found.append(child)
            todo.extend(child.children)
        return found


@dataclass
class Taxonomy:
    """All terms of one kind, in Arabic alphabetical order of their names,
    as `spec` (from site.yml) declares the kind."""

    spec: TaxonomySpec
    terms: list[Term]

    @property
    def kind(self) -> str:
        return self.spec.key

    @property
    def url(self) -> str:
        return f"{self.kind}/"

    @property
    def label(self) -> str:
        return self.spec.plural

    @property
    def singular(self) -> str:
        return self.spec.singular

    @property
    def hierarchical(self) -> bool:
        return self.spec.hierarchical

    @property
    def roots(self) -> list[Term]:
        """The terms that are inside no other: the top of the tree."""
        return [t for t in self.terms if t.parent is None]


@dataclass
class Period:
    """The articles of one year or one month, newest first."""

    year: int
    month: int | None
    articles: list[Article]
    months: list[Period] = field(default_factory=list)  # of a year, newest first

    @property
    def url(self) -> str:
        return f"archive/{self.year}/" if self.month is None else f"archive/{self.year}/{self.month:02d}/"

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass
class DateArchive:
    """Articles by year and month, newest first; undated ones apart."""

    years: list[Period]
    undated: list[Article]

    @property
    def undated_count(self) -> int:
        return len(self.undated)

    url = "archive/"
    undated_url = "archive/undated/"


@dataclass(frozen=True)
class Neighbours:
    """What an article page links to besides its terms: the next newer and
    next older dated article, and articles that share its terms."""

    newer: Article | None = None
    older: Article | None = None
    related: tuple[Article, ...] = ()


@dataclass
class Site:
    """Everything the renderer needs: settings, articles and taxonomies."""

    config: SiteConfig
    articles: list[Article]
    taxonomies: dict[str, Taxonomy]
    # For each article slug and kind, the terms it links to, in its own order.
    article_terms: dict[str, dict[str, list[Term]]]
    archive: DateArchive = field(default_factory=lambda: DateArchive([], []))
    neighbours: dict[str, Neighbours] = field(default_factory=dict)
    # A digest of what neighbours depend on: the order, dates and terms of the articles.
    shape: str = ""
    # Addresses articles have left (old slug → the article now): each redirects.
    redirects: dict[str, Article] = field(default_factory=dict)
    # Addresses of articles taken down: each says only that the article was removed.
    removed: list[str] = field(default_factory=list)
    # Addresses terms have left (a gazetteer entry's `former_slugs`: "places/old/" → the term now).
    term_redirects: dict[str, Term] = field(default_factory=dict)


def make_site(config: SiteConfig, articles: list[Article], gazetteer: Gazetteer | None = None,
              previous: Site | None = None, redirects: dict[str, Article] | None = None,
              removed: list[str] = (), stored: tuple[str, dict] | None = None) -> Site:
    """Return the site model for `articles`: sorted newest first, grouped by
    term. The neighbours of `previous` (the model of an earlier build), or
    `stored` (its shape and neighbours by slug, as neighbours_by_slug gives
    them), are reused when no article's date, terms or place in the order
    changed."""
    ordered = sorted(articles, key=Article.sort_key)
    article_terms: dict[str, dict[str, list[Term]]] = {a.slug: {} for a in ordered}
    taxonomies = {}
    for spec in config.taxonomies:
        kind = spec.key
        terms = TermIndex(kind, gazetteer if spec.gazetteer else None, spec.gazetteer, spec.hierarchical)
        for article in ordered:
            linked = []
            for name in article.terms.get(kind, ()):
                term = terms.term_for(name)
                if term in linked:
                    continue
                linked.append(term)
                for member in (term, *term.ancestors):
                    if not member.articles or member.articles[-1] is not article:
                        member.articles.append(article)
            article_terms[article.slug][kind] = linked
        taxonomies[kind] = Taxonomy(spec, terms.sorted())
    term_redirects = {}
    for spec in config.taxonomies:
        if gazetteer is None or not spec.gazetteer:
            continue
        taken = {term.slug for term in taxonomies[spec.key].terms}
        for term in taxonomies[spec.key].terms:
            entry = gazetteer.get(spec.gazetteer, term.slug)
            for old in entry.former_slugs if entry else ():
                if old not in taken:
                    term_redirects[f"{spec.key}/{old}/"] = term
    weights = {spec.key: spec.weight for spec in config.taxonomies}
    shape = _shape(ordered, article_terms, weights)
    if previous is not None and previous.shape == shape:
        neighbours = _same_neighbours(previous.neighbours, ordered)
    else:
        neighbours = None
        if stored is not None and stored[0] == shape:
            try:
                neighbours = _stored_neighbours(stored[1], ordered)
            except (KeyError, TypeError, ValueError):  # a damaged file: found again below
                neighbours = None
        if neighbours is None:
            neighbours = find_neighbours(ordered, article_terms, weights)
    return Site(config, ordered, taxonomies, article_terms, make_archive(ordered), neighbours, shape,
                dict(redirects or {}), sorted(removed), term_redirects)


def _shape(ordered: list[Article], article_terms: dict[str, dict[str, list[Term]]],
           weights: dict[str, float]) -> str:
    digest = hashlib.blake2b(repr(sorted(weights.items())).encode(), digest_size=16)
    for article in ordered:
        terms = article_terms[article.slug]
        digest.update(f"{article.slug}|{article.date}|".encode())
        digest.update("|".join(f"{t.kind}:{t.slug}" for linked in terms.values() for t in linked).encode())
    return digest.hexdigest()


def _same_neighbours(previous: dict[str, Neighbours], ordered: list[Article]) -> dict[str, Neighbours]:
    """`previous`, pointing to the current records of the same articles."""
    current = {a.slug: a for a in ordered}

    def now(article: Article | None) -> Article | None:
        return current[article.slug] if article is not None else None

    return {slug: Neighbours(now(n.newer), now(n.older), tuple(current[a.slug] for a in n.related))
            for slug, n in previous.items()}


def neighbours_by_slug(site: Site) -> dict[str, list]:
    """The site's neighbours as slugs (newer, older, related), to store."""
    def slug(article: Article | None) -> str | None:
        return article.slug if article is not None else None

    return {key: [slug(n.newer), slug(n.older), [a.slug for a in n.related]] for key, n in site.neighbours.items()}


def _stored_neighbours(stored: dict[str, list], ordered: list[Article]) -> dict[str, Neighbours]:
    current = {a.slug: a for a in ordered}
    return {key: Neighbours(current.get(newer) if newer else None, current.get(older) if older else None,
                            tuple(current[s] for s in related))
            for key, (newer, older, related) in stored.items()}


def make_archive(ordered: list[Article]) -> DateArchive:
    """Group `ordered` (newest first) by year and month."""
    years: list[Period] = []
    undated = []
    for article in ordered:
        if article.date is None:
            undated.append(article)
            continue
        year, month = article.date.year, article.date.month
        if not years or years[-1].year != year:
            years.append(Period(year, None, []))
        current = years[-1]
        current.articles.append(article)
        if not current.months or current.months[-1].month != month:
            current.months.append(Period(year, month, []))
        current.months[-1].articles.append(article)
    return DateArchive(years, undated)


# Each shared term proposes this many of its articles on either side of the
# article in its (time-ordered) list: the work stays linear in the number of
# (article, term) pairs, however large a term grows.
_RELATED_WINDOW = 4
RELATED_COUNT = 4


def find_neighbours(ordered: list[Article], article_terms: dict[str, dict[str, list[Term]]],
                    weights: dict[str, float]) -> dict[str, Neighbours]:
    """Return, for each article slug, its newer and older dated neighbours
    and up to RELATED_COUNT related articles: those sharing the most (and
    the most specific) terms, nearest in time first. `weights`: how much
    sharing a term of each kind says about two articles being related."""
    position = {a.slug: i for i, a in enumerate(ordered)}
    in_term: dict[int, dict[str, int]] = {}
    dated = [a for a in ordered if a.date is not None]
    result = {}
    for i, article in enumerate(dated):
        result[article.slug] = Neighbours(newer=dated[i - 1] if i else None,
                                          older=dated[i + 1] if i + 1 < len(dated) else None)
    term_weights: dict[int, float] = {}
    for article in ordered:
        scores: dict[str, float] = {}
        for kind, terms in article_terms[article.slug].items():
            for term in terms:
                members = term.articles
                key = id(term)
                index = in_term.get(key)
                if index is None:
                    index = in_term[key] = {a.slug: n for n, a in enumerate(members)}
                    term_weights[key] = weights[kind] / (1.0 + math.log10(len(members)))
                at = index[article.slug]
                weight = term_weights[key]
                for other in members[max(0, at - _RELATED_WINDOW): at + _RELATED_WINDOW + 1]:
                    slug = other.slug
                    scores[slug] = scores.get(slug, 0.0) + weight
        scores.pop(article.slug, None)
        here = position[article.slug]
        # Most shared weight first, then nearest in time, then by slug.
        best = sorted([(-score, abs(position[slug] - here), slug) for slug, score in scores.items()])
        related = tuple(ordered[position[slug]] for _, _, slug in best[:RELATED_COUNT])
        result[article.slug] = replace(result.get(article.slug, Neighbours()), related=related)
    return result


class TermIndex:
    """The terms of one kind, made on first use. Names the gazetteer's
    `section` knows become its entry (ASCII slug, canonical name, and parent
    when `nested`); other names get a Unicode slug, and spellings that slug
    alike share one term."""

    def __init__(self, kind: str, gazetteer: Gazetteer | None, section: str = "", nested: bool = False):
        self.kind = kind
        self.gazetteer = gazetteer
        self.section = section
        self.nested = nested
        self.by_slug: dict[str, Term] = {}
        self.by_name: dict[str, Term] = {}
        self.entry_slugs: set[str] = set()  # the slugs whose term is a gazetteer entry's

    def term_for(self, name: str) -> Term:
        term = self.by_name.get(name)
        if term is None:
            entry = self.gazetteer.lookup(self.section, name) if self.gazetteer else None
            term = self._entry_term(entry) if entry else self._free_term(name)
            self.by_name[name] = term
        return term

    def _entry_term(self, entry: Entry) -> Term:
        term = self.by_slug.get(entry.slug)
        if term is None or entry.slug not in self.entry_slugs:
            # A name the gazetteer does not list may have been given this
            # slug first: the page is the entry's, under the entry's name.
            if term is None:
                term = self.by_slug[entry.slug] = Term(self.kind, entry.name, entry.slug)
            term.name = entry.name
            if entry.lat is not None:
                term.position = (entry.lat, entry.lon)
            self.entry_slugs.add(entry.slug)
            if entry.parent and self.nested:
                term.parent = self._entry_term(self.gazetteer.get(self.section, entry.parent))
                term.parent.children.append(term)
        return term

    def _free_term(self, name: str) -> Term:
        # A name with no letter or digit to make a slug from gets one of its own.
        slug = arabic.make_slug(name) or "term-" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()
        term = self.by_slug.get(slug)
        if term is None:
            term = self.by_slug[slug] = Term(self.kind, name, slug)
        return term

    def sorted(self) -> list[Term]:
        def key(term: Term):
            return (arabic.slug_form(term.name), term.slug)

        for term in self.by_slug.values():
            term.children.sort(key=key)
        return sorted(self.by_slug.values(), key=key)


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list: its number, the articles on it and the
    site paths of its neighbours."""

    number: int
    total: int
    articles: list[Article]
    url: str
    previous_url: str | None
    next_url: str | None


def page_count(articles: int, per_page: int) -> int:
    """How many pages a list of `articles` has (an empty list still has one)."""
    return max(1, -(-articles // per_page))


def paginate(articles: list[Article], base_url: str, per_page: int, numbers: range | None = None):
    """Yield a Pager for each page of `articles` (those `numbers` only,
    when given): `base_url` is page 1, `base_url + "page/N/"` page N. An
    empty list still has one page."""
    total = page_count(len(articles), per_page)

    def url(n: int) -> str:
        return base_url if n == 1 else f"{base_url}page/{n}/"

    for n in numbers or range(1, total + 1):
        yield Pager(
            number=n,
            total=total,
            articles=articles[(n - 1) * per_page: n * per_page],
            url=url(n),
            previous_url=url(n - 1) if n > 1 else None,
            next_url=url(n + 1) if n < total else None,
        )
