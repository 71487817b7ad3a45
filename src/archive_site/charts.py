"""What term pages and the date archive show besides their lists: a
timeline of articles per month (or per year) and the terms most often named
with a term. Computed from the site model only, as plain values that the
templates draw (partials/timeline.html); nothing is rendered here.

The timeline reads right to left, as the pages do: the oldest period at the
right end. Every bar leads to where that period's articles are listed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Callable

from .model import Article
from .taxonomy import Site, Term

WIDTH, HEIGHT, AXIS = 640, 120, 28  # the drawing's size and the room under it for labels
MONTHS_AT_MOST = 48  # a longer span is drawn by year
TICKS_AT_MOST = 8
FACET_SIZE = 8  # terms of each kind listed as «most named with»


@dataclass(frozen=True)
class Bar:
    """One period: its label, its count, where its articles are listed
    (a site path and an anchor there, both empty for a period without
    articles), and its rectangle in the drawing."""

    year: int
    month: int  # 0 for a year
    count: int
    url: str
    anchor: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    """A label under the axis: the year at the bar that starts it."""

    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    unit: str  # "month" or "year"
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    peak: int
    years: tuple[Bar, ...]  # each year with articles, newest first (no drawing)
    width: int = WIDTH
    height: int = HEIGHT
    axis: int = AXIS


@dataclass(frozen=True)
class Facet:
    """A term often named in the same articles as the page's term."""

    kind: str
    name: str
    url: str
    count: int


def anchor(year: int, month: int) -> str:
    """The id a listing gives the heading of a month: "m-2019-08"."""
    return f"m-{year}-{month:02d}"


def timeline(articles: list[Article], where: Callable[[int, int, int], tuple[str, str]]) -> Timeline | None:
    """The timeline of `articles` (newest first), or None when their dates
    span fewer than two months. `where(year, month, position)` gives the
    site path and anchor listing that period's articles, `position` being
    the index of its newest article in `articles` (month 0: a year)."""
    first: dict[tuple[int, int], int] = {}
    counts: Counter[tuple[int, int]] = Counter()
    for position, article in enumerate(articles):
        if article.date is None:
            continue
        key = (article.date.year, article.date.month)
        counts[key] += 1
        first.setdefault(key, position)
    if len(counts) < 2:
        return None
    by_year: Counter[tuple[int, int]] = Counter()
    for (year, month), n in counts.items():
        by_year[(year, 0)] += n
        first[(year, 0)] = min(first.get((year, 0), len(articles)), first[(year, month)])
    years = tuple(Bar(year, 0, n, *where(year, 0, first[(year, 0)]), 0, 0, 0, 0)
                  for (year, _), n in sorted(by_year.items(), reverse=True))
    oldest, newest = min(counts), max(counts)
    span = (newest[0] - oldest[0]) * 12 + newest[1] - oldest[1] + 1
    if span > MONTHS_AT_MOST:
        unit = "year"
        periods = [(year, 0) for year in range(oldest[0], newest[0] + 1)]
        counts = by_year
    else:
        unit = "month"
        periods = [((oldest[1] - 1 + i) // 12 + oldest[0], (oldest[1] - 1 + i) % 12 + 1) for i in range(span)]
    peak = max(counts.values())
    step = WIDTH / len(periods)
    gap = min(2.0, step * 0.2)
    bars, ticks = [], []
    for i, (year, month) in enumerate(periods):
        x = WIDTH - (i + 1) * step  # right to left: the oldest at the right
        n = counts.get((year, month), 0)
        height = (HEIGHT - 8) * n / peak if n else 0
        url, mark = where(year, month, first[(year, month)]) if n else ("", "")
        bars.append(Bar(year, month, n, url, mark, round(x + gap / 2, 2), round(HEIGHT - height, 2),
                        round(step - gap, 2), round(height, 2)))
        if month in (0, 1) or i == 0:
            ticks.append(Tick(round(x + step / 2, 2), str(year)))
    if len(ticks) > TICKS_AT_MOST:  # one label in every few, so that they stay apart on a phone
        every = -(-len(ticks) // TICKS_AT_MOST)
        ticks = ticks[::every]
    return Timeline(unit, tuple(bars), tuple(ticks), peak, years)


def term_timeline(term: Term, per_page: int) -> Timeline | None:
    """The timeline of a term: each bar leads to the page of the term's
    list where that period starts, at the heading of its newest month."""
    def where(year: int, month: int, position: int) -> tuple[str, str]:
        page = position // per_page + 1
        newest = term.articles[position].date
        return (term.url if page == 1 else f"{term.url}page/{page}/"), anchor(newest.year, newest.month)
    return timeline(term.articles, where)


def archive_timeline(site: Site) -> Timeline | None:
    """The timeline of the whole archive: each bar leads to its month's or year's page."""
    def where(year: int, month: int, position: int) -> tuple[str, str]:
        return (f"archive/{year}/{month:02d}/" if month else f"archive/{year}/"), ""
    return timeline(site.articles, where)


class Facets:
    """For each term, the terms most often named in its articles. Each
    article's own terms are gathered once; a term's count is made over its
    articles in one pass."""

    def __init__(self, site: Site, kinds: tuple[str, ...]):
        self.kinds = kinds
        self._named = {slug: tuple(chain.from_iterable(by_kind.get(kind, ()) for kind in kinds))
                       for slug, by_kind in site.article_terms.items()}

    def of(self, term: Term) -> tuple[Facet, ...]:
        counts = Counter(chain.from_iterable(self._named[a.slug] for a in term.articles))
        # A place's own places are already on its page.
        related = {id(t) for t in (term, *term.ancestors, *term.descendants)}
        shown = []
        for kind in self.kinds:
            ranked = sorted((t for t in counts if t.kind == kind and id(t) not in related),
                            key=lambda t: (-counts[t], t.name))
            shown.extend(Facet(t.kind, t.name, t.url, counts[t]) for t in ranked[:FACET_SIZE])
        return tuple(shown)
