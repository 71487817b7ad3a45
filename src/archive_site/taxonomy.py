"""The site model: articles in publishing order, grouped into terms.

Everything here is computed from the records alone, in time linear in the
number of (article, term) pairs; nothing is rendered or written.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from . import arabic
from .config import SiteConfig
from .model import Article

# The three kinds of term, with the article field each is read from and the
# labels the templates show.
KINDS = {
    "tags": {"field": "tags", "plural": "الوسوم", "singular": "وسم"},
    "places": {"field": "places", "plural": "الأماكن", "singular": "مكان"},
    "actors": {"field": "actors", "plural": "الجهات الفاعلة", "singular": "جهة فاعلة"},
}


@dataclass
class Term:
    """One tag, place or actor, with its articles newest first."""

    kind: str
    name: str
    slug: str
    articles: list[Article] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.kind}/{self.slug}/"

    @property
    def count(self) -> int:
        return len(self.articles)


@dataclass
class Taxonomy:
    """All terms of one kind, in Arabic alphabetical order of their names."""

    kind: str
    terms: list[Term]

    @property
    def url(self) -> str:
        return f"{self.kind}/"

    @property
    def label(self) -> str:
        return KINDS[self.kind]["plural"]

    @property
    def singular(self) -> str:
        return KINDS[self.kind]["singular"]


@dataclass
class Site:
    """Everything the renderer needs: settings, articles and taxonomies."""

    config: SiteConfig
    articles: list[Article]
    taxonomies: dict[str, Taxonomy]
    # For each article slug and kind, the terms it links to, in its own order.
    article_terms: dict[str, dict[str, list[Term]]]


def make_site(config: SiteConfig, articles: list[Article]) -> Site:
    """Return the site model for `articles`: sorted newest first, grouped by term."""
    ordered = sorted(articles, key=Article.sort_key)
    taxonomies = {}
    article_terms: dict[str, dict[str, list[Term]]] = {a.slug: {} for a in ordered}
    for kind, spec in KINDS.items():
        terms = group_terms(kind, ordered, spec["field"])
        taxonomies[kind] = Taxonomy(kind, sorted(terms.values(), key=lambda t: (arabic.slug_form(t.name), t.slug)))
        for article in ordered:
            linked = []
            for name in getattr(article, spec["field"]):
                term = terms[arabic.make_slug(name) or name]
                if term not in linked:
                    linked.append(term)
            article_terms[article.slug][kind] = linked
    return Site(config, ordered, taxonomies, article_terms)


def group_terms(kind: str, ordered: list[Article], field_name: str) -> dict[str, Term]:
    """Return the terms of `kind` keyed by slug. Spellings that slug alike (with
    or without diacritics, alef forms) share one term, named by the spelling
    used most often."""
    members: dict[str, list[Article]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    for article in ordered:
        seen = set()
        for name in getattr(article, field_name):
            slug = arabic.make_slug(name) or name
            spellings[slug][name] += 1
            if slug not in seen:
                seen.add(slug)
                members[slug].append(article)
    terms = {}
    for slug, articles in members.items():
        name = min(spellings[slug].items(), key=lambda item: (-item[1], item[0]))[0]
        terms[slug] = Term(kind, name, slug, articles)
    return terms


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


def paginate(articles: list[Article], base_url: str, per_page: int):
    """Yield a Pager for each page of `articles`: `base_url` is page 1,
    `base_url + "page/N/"` page N. An empty list still has one page."""
    total = max(1, -(-len(articles) // per_page))

    def url(n: int) -> str:
        return base_url if n == 1 else f"{base_url}page/{n}/"

    for n in range(1, total + 1):
        yield Pager(
            number=n,
            total=total,
            articles=articles[(n - 1) * per_page: n * per_page],
            url=url(n),
            previous_url=url(n - 1) if n > 1 else None,
            next_url=url(n + 1) if n < total else None,
        )
