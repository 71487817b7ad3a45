"""The ledger: the permanent address and the intake date of every article.

`ledger.tsv` in the site folder, committed with the content like a lock
file: one line per article file, sorted by path, five tab-separated fields —

    path	slug	received	sha256	previous

`slug` is the address the article was first published at; it survives edits
to the title. `received` is the day the file entered the archive: the day a
build first saw it, or, for files older than the ledger, the day the site's
git history added it. `sha256` is the digest of the bytes first seen (the
text as received), by which a moved or renamed file is recognised.
`previous` lists, comma-separated, the addresses an explicit `slug:` change
left behind: each gets a page that redirects to the current one.

Only `build` (without `--drafts`) writes the ledger; `check` fails when it is
out of date, so that a build on a fresh clone never invents addresses.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import dates
from .i18n import N_, Msg
from .loader import free_slug
from .model import Article, ContentError

LEDGER_FILE = "ledger.tsv"
HEADER = (
    "# archive-site ledger: the permanent address and intake date of every article.\n"
    "# Written by `archive-site build`; commit it with the content. Fields, tab-separated:\n"
    "# path, slug (the address), received (intake date), sha256 (of the text as first seen),\n"
    "# previous (addresses that redirect here). Edit it only to resolve a merge.\n"
)
_SLUG = re.compile(r"^[^\s/\\.][^\s/\\]*$")


class LedgerError(Exception):
    """The ledger cannot be read; carries the ContentError to report."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Entry:
    path: str
    slug: str
    received: dt.date
    sha256: str
    previous: tuple[str, ...] = ()

    def line(self) -> str:
        return "\t".join([self.path, self.slug, self.received.isoformat(), self.sha256, ",".join(self.previous)])


@dataclass
class Settled:
    """Articles at their permanent addresses, with what that took."""

    articles: list[Article]
    redirects: dict[str, Article]  # an address left behind (slug) → the article now
    added: list[str] = field(default_factory=list)  # paths new to the ledger
    moved: list[tuple[str, str]] = field(default_factory=list)  # (old path, new path)
    problems: list[ContentError] = field(default_factory=list)


class Ledger:
    """The entries of ledger.tsv, by path."""

    def __init__(self, entries: dict[str, Entry]):
        self.entries = entries

    def settle(self, articles: list[Article], today: dt.date, history: dict[str, dt.date],
               date_by_intake: bool = True) -> Settled:
        """Give each article the address and intake date the ledger holds
        for it (by path, or by the digest of its bytes when its file moved);
        an article new to the ledger keeps its own, with the intake date
        from `history` (path → the day git added it) or `today`. An explicit
        `slug:` change moves the article and leaves a redirect behind. The
        entries are updated in place; undated articles get their intake date
        (unless `date_by_intake` is off)."""
        present = {a.source for a in articles}
        by_digest = {e.sha256: e for e in self.entries.values() if e.path not in present}
        settled = Settled([], {})
        reserved = {e.slug: e.path for e in self.entries.values()}
        for entry in self.entries.values():
            reserved.update({old: entry.path for old in entry.previous})
        fresh = []
        for article in sorted(articles, key=lambda a: a.source):
            entry = self.entries.get(article.source)
            if entry is None and article.sha256 in by_digest:
                entry = by_digest.pop(article.sha256)
                del self.entries[entry.path]
                settled.moved.append((entry.path, article.source))
                entry = replace(entry, path=article.source)
                self.entries[article.source] = entry
            if entry is None:
                fresh.append(article)
                continue
            if article.slug_from_front_matter and article.slug != entry.slug:
                owner = reserved.get(article.slug)
                if owner not in (None, entry.path):
                    settled.problems.append(ContentError(
                        article.source, Msg("slug '{slug}' is the permanent address of {owner}", slug=article.slug,
                                            owner=owner), None, N_("choose another 'slug:'")))
                    article = article.but(slug=entry.slug)
                else:
                    kept = tuple(old for old in (*entry.previous, entry.slug) if old != article.slug)
                    entry = self.entries[article.source] = replace(entry, slug=article.slug, previous=kept)
                    reserved[article.slug] = entry.path
            settled.articles.append(_placed(article, entry, date_by_intake))
        for article in fresh:
            slug = article.slug
            if slug in reserved:
                if article.slug_from_front_matter:
                    settled.problems.append(ContentError(
                        article.source, Msg("slug '{slug}' is the permanent address of {owner}", slug=slug,
                                            owner=reserved[slug]), None, N_("choose another 'slug:'")))
                slug = free_slug(slug, article.source, reserved)
            entry = Entry(article.source, slug, history.get(article.source, today), article.sha256)
            self.entries[article.source] = entry
            reserved[slug] = article.source
            settled.added.append(article.source)
            settled.articles.append(_placed(article, entry, date_by_intake))
        by_path = {a.source: a for a in settled.articles}
        for entry in self.entries.values():
            if entry.path in by_path:
                for old in entry.previous:
                    settled.redirects[old] = by_path[entry.path]
        for article in settled.articles:
            for alias in article.aliases:
                owner = reserved.get(alias) or (settled.redirects[alias].source if alias in settled.redirects else None)
                if alias == article.slug or owner == article.source:
                    continue
                if owner is not None:
                    settled.problems.append(ContentError(
                        article.source, Msg("alias '{alias}' is the address of {owner}", alias=alias, owner=owner),
                        None, N_("remove it from 'aliases:'")))
                    continue
                settled.redirects[alias] = article
        return settled

    def text(self) -> str:
        return HEADER + "".join(self.entries[path].line() + "\n" for path in sorted(self.entries))


def _placed(article: Article, entry: Entry, date_by_intake: bool) -> Article:
    """`article` at the entry's address; dated by its intake when it has no date."""
    if article.slug == entry.slug and (article.date is not None or not date_by_intake):
        return article  # most articles: nothing to change, no copy
    if article.date is None and date_by_intake:
        received = dt.datetime.combine(entry.received, dt.time())
        return article.but(slug=entry.slug, date=received, date_source=dates.INTAKE, date_precision="day")
    return article.but(slug=entry.slug)


def load_ledger(site_dir: Path) -> Ledger:
    """The ledger of the site (empty when it has none). Raises LedgerError
    naming the line of a line that cannot be read."""
    path = site_dir / LEDGER_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Ledger({})
    except (OSError, UnicodeDecodeError) as exc:
        raise LedgerError(ContentError(LEDGER_FILE, Msg("cannot read the ledger ({detail})", detail=str(exc)))) from None
    entries = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(("<<<<<<<", "=======", ">>>>>>>")):
            raise LedgerError(ContentError(LEDGER_FILE, N_("an unresolved merge conflict"), number,
                                           N_("keep the lines of both sides (one per article), then build again")))
        fields = line.split("\t")
        if len(fields) == 4:
            fields.append("")
        try:
            path, slug, received, sha256, previous = fields
            entry = Entry(path, slug, dt.date.fromisoformat(received), sha256,
                          tuple(p for p in previous.split(",") if p))
        except ValueError:
            raise LedgerError(ContentError(LEDGER_FILE, N_("expected five tab-separated fields: path, slug, "
                                              "received (YYYY-MM-DD), sha256, previous"), number,
                                           N_("restore the line from the repository's history"))) from None
        if not all(_SLUG.match(s) for s in (entry.slug, *entry.previous)) or ".." in path.split("/"):
            raise LedgerError(ContentError(LEDGER_FILE, Msg("'{slug}' is not an address an article can have", slug=entry.slug),
                                           number, N_("restore the line from the repository's history")))
        if path in entries:
            raise LedgerError(ContentError(LEDGER_FILE, Msg("'{path}' is listed twice", path=path), number,
                                           N_("keep one of the two lines")))
        entries[path] = entry
    return Ledger(entries)


def save_ledger(site_dir: Path, ledger: Ledger) -> None:
    """Write the ledger (atomically: a new file renamed over the old)."""
    path = site_dir / LEDGER_FILE
    text = ledger.text()
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (OSError, UnicodeDecodeError):
        pass
    temporary = path.with_name(f".{LEDGER_FILE}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def history_dates(site_dir: Path, folders: tuple[str, ...]) -> tuple[dict[str, dt.date], bool]:
    """The day the site's git history first added each file under `folders`
    (paths relative to the site), in one pass over `git log`, and whether the
    history is shallow (a shallow clone lacks the older commits). Empty when
    the site is not in a git repository or git is missing."""
    def git(*args: str) -> str | None:
        try:
            # A site folder may come from anywhere: no command its git settings name is run.
            done = subprocess.run(["git", "-c", "core.quotepath=off", "-c", "core.fsmonitor=false",
                                   "-c", "core.hooksPath=/dev/null", *args], cwd=site_dir, capture_output=True,
                                  text=True, timeout=60, env={**os.environ, "GIT_PAGER": "cat", "GIT_EXTERNAL_DIFF": ""})
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None

    if not folders or git("rev-parse", "--is-inside-work-tree") is None:
        return {}, False
    shallow = (git("rev-parse", "--is-shallow-repository") or "").strip() == "true"
    log = git("log", "--relative", "--diff-filter=A", "--no-renames", "--no-ext-diff", "--no-textconv",
              "--name-only", "--format=@@%as", "--", *folders)
    dates: dict[str, dt.date] = {}
    current = None
    for line in (log or "").splitlines():
        if line.startswith("@@"):
            try:
                current = dt.date.fromisoformat(line[2:])
            except ValueError:
                current = None
        elif line and current is not None:
            dates[line] = current  # newest first: the last seen is the first added
    return dates, shallow
