"""What templates may read of the site model, and so what a page shows.

One table (FIELDS) says, for each kind of object a template receives, which
attributes it may read and how each is seen: as a plain value, as an article,
as a link to a term (TermRef: name and address, no count), as full terms...
The same table serves twice, so the two can never disagree:

- `Projector` digests a page's context by following it: the page's
  fingerprint covers exactly what its templates can reach;
- `ViewEnvironment` lets templates read only those attributes (and hands out
  links where the table says "ref"), so a template cannot reach anything
  the fingerprint does not cover. Reading anything else is a template error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass

import jinja2

from .charts import Bar, Facet, Tick, Timeline
from .maps import Dot, PlaceMap, Region, Unplaced
from .config import SiteConfig, TaxonomySpec
from .model import Article, HollowArticle, Page
from .taxonomy import DateArchive, Neighbours, Pager, Period, Taxonomy, Term


@dataclass(frozen=True)
class TermRef:
    """A link to a term: what a page may show of a term that is not its subject."""

    kind: str
    name: str
    slug: str
    url: str

    @classmethod
    def of(cls, term: Term) -> TermRef:
        return cls(term.kind, term.name, term.slug, term.url)


@dataclass(frozen=True)
class TaxonomyRef:
    """What a page may show of a taxonomy that is not its subject: its
    names, address and how it is declared (no terms). The `taxonomies`
    global lists one for each taxonomy of site.yml, in its order."""

    kind: str
    label: str
    singular: str
    url: str
    hierarchical: bool
    feeds: bool
    card: bool
    filter: str  # the search filter's label, or ""

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> TaxonomyRef:
        return cls.declared(taxonomy.spec)

    @classmethod
    def declared(cls, spec: TaxonomySpec) -> TaxonomyRef:
        return cls(spec.key, spec.plural, spec.singular, f"{spec.key}/", spec.hierarchical, spec.feeds, spec.card,
                   spec.filter)


VALUE, ARTICLE, ARTICLES, REF, REFS, TERMS, PERIODS = "value", "article", "articles", "ref", "refs", "terms", "periods"

# For each type a template receives: attribute → how it is seen.
FIELDS: dict[type, dict[str, str]] = {
    Article: {**{f.name: VALUE for f in dataclasses.fields(Article)}, "url": VALUE},
    Term: {"kind": VALUE, "name": VALUE, "slug": VALUE, "url": VALUE, "count": VALUE,
           "parent": REF, "ancestors": REFS, "children": TERMS},
    TermRef: {"kind": VALUE, "name": VALUE, "slug": VALUE, "url": VALUE},
    Taxonomy: {"kind": VALUE, "url": VALUE, "label": VALUE, "singular": VALUE, "hierarchical": VALUE,
               "terms": TERMS, "roots": TERMS},
    TaxonomyRef: {f.name: VALUE for f in dataclasses.fields(TaxonomyRef)},
    Pager: {"number": VALUE, "total": VALUE, "url": VALUE, "previous_url": VALUE, "next_url": VALUE,
            "articles": ARTICLES},
    Period: {"year": VALUE, "month": VALUE, "url": VALUE, "count": VALUE, "months": PERIODS},
    DateArchive: {"url": VALUE, "undated_url": VALUE, "years": PERIODS, "undated_count": VALUE},
    Neighbours: {"newer": ARTICLE, "older": ARTICLE, "related": ARTICLES},
    # Not the redacted phrases: no template may print them.
    SiteConfig: {f.name: VALUE for f in dataclasses.fields(SiteConfig) if f.name not in ("taxonomies", "redact")},
    Page: {**{f.name: VALUE for f in dataclasses.fields(Page)}, "url": VALUE},
    **{kind: {f.name: VALUE for f in dataclasses.fields(kind)} for kind in (Timeline, Bar, Tick, Facet,
                                                                            PlaceMap, Region, Dot, Unplaced)},
}
FIELDS[HollowArticle] = FIELDS[Article]  # the same article, its text read when shown


def seen(value: object, how: str) -> object:
    """`value` as templates see it under `how` (links where the table says so)."""
    if how == REF:
        return TermRef.of(value) if value is not None else None
    if how == REFS:
        return [TermRef.of(term) for term in value]
    return value


class ViewEnvironment(jinja2.Environment):
    """A Jinja environment in which templates read the model only through FIELDS."""

    def getattr(self, obj: object, attribute: str) -> object:
        spec = FIELDS.get(type(obj))
        if spec is None:
            return super().getattr(obj, attribute)
        how = spec.get(attribute)
        if how == VALUE:  # most reads: the value itself
            return getattr(obj, attribute)
        if how is None:
            return self.undefined(obj=obj, name=attribute)
        return seen(getattr(obj, attribute), how)

    def getitem(self, obj: object, argument: object) -> object:
        if type(obj) in FIELDS and isinstance(argument, str):
            return self.getattr(obj, argument)
        return super().getitem(obj, argument)


class Projector:
    """Digests page contexts. Each object is projected once per Projector
    (one per build), so a term or an article shared by many pages costs
    once. `articles` gives the digest of each article as shown (by slug).

    `shown` collects the slugs of the articles whose digests the
    projections read, memoised ones included: what the pages projected
    since it was last emptied show of articles (siteindex.py)."""

    def __init__(self, articles: dict[str, str]):
        self.articles = articles
        self.shown: set[str] = set()
        # (id, how) → (the object, kept alive so its id is never reused; its projection; the slugs it shows)
        self._memo: dict[tuple[int, str], tuple[object, str, tuple[str, ...]]] = {}

    def fingerprint(self, *parts: object) -> str:
        """The digest of `parts`: strings as they are, anything else projected."""
        text = "\x1f".join(part if isinstance(part, str) else self.project(part) for part in parts)
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def show(self, slugs: list[str]) -> None:
        """Note the articles `slugs` as shown (what a plan made without
        projecting them shows of them: a list's rows, an article's files)."""
        self.shown.update(slugs)

    def article(self, slug: str) -> str:
        """The digest of the article `slug` as shown, noted as shown."""
        self.shown.add(slug)
        return self.articles[slug]

    def project(self, value: object, how: str = VALUE) -> str:
        """The text standing for `value` as a template sees it (`how`: see FIELDS)."""
        if value is None:
            return "None"
        kind = type(value)
        if kind in _PLAIN:
            return repr(value)
        if how == ARTICLE or kind is Article or kind is HollowArticle:
            return self.article(value.slug)
        if how == ARTICLES:  # a page of a list: the most common by far
            slugs = [a.slug if a is not None else None for a in value]
            self.shown.update(slugs)
            articles = self.articles
            return "[" + ",".join([articles[slug] if slug is not None else "None" for slug in slugs]) + "]"
        if how == REF:
            found = self._memo.get((id(value), REF))
            if found is not None:
                return self._hit(found)
            return self._remember(value, REF, self.project(TermRef.of(value)))
        if how in (REFS, TERMS, PERIODS):
            inner = _INNER.get(how, VALUE)
            return "[" + ",".join([self.project(item, inner) for item in value]) + "]"
        spec = FIELDS.get(kind)
        if spec is not None:
            found = self._memo.get((id(value), VALUE))
            if found is not None:
                return self._hit(found)
            outer, self.shown = self.shown, set()  # what this object shows, kept with its projection
            try:
                parts = []
                for name, field in spec.items():
                    item = getattr(value, name)
                    parts.append(f"{name}={repr(item) if type(item) in _PLAIN else self.project(item, field)}")
                projected = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()
                return self._remember(value, VALUE, projected, tuple(self.shown))
            finally:
                outer.update(self.shown)
                self.shown = outer
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, (list, tuple)):  # often of links shared by many pages: those already seen at once
            memo = self._memo
            return "[" + ",".join([self._hit(found) if (found := memo.get((id(item), VALUE))) is not None
                                   else self.project(item) for item in value]) + "]"
        if isinstance(value, dict):
            return "{" + ",".join([f"{key!r}:{self.project(item)}" for key, item in sorted(value.items())]) + "}"
        raise TypeError(f"a page context holds a {kind.__name__}, which views.FIELDS does not describe")

    def _hit(self, found: tuple[object, str, tuple[str, ...]]) -> str:
        """A projection made before: the articles it shows are shown again."""
        if found[2]:
            self.shown.update(found[2])
        return found[1]

    def _remember(self, value: object, how: str, projected: str, shown: tuple[str, ...] = ()) -> str:
        """Keep the projection of `value` seen as `how` for the rest of the
        build, with the slugs of the articles it shows."""
        self._memo[(id(value), how)] = (value, projected, shown)
        return projected


_INNER = {ARTICLES: ARTICLE, REFS: REF}
_PLAIN = {str, int, float, bool}
