"""Writing the archive: load, model, render, then publish the output folder.

The new site is written into a temporary folder beside the output folder and
swapped in only when every page has been written, so a failed build leaves the
previous output as it was.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import jinja2

from .config import SiteConfig, load_config
from .gazetteer import load_gazetteer, tag_articles
from .loader import LoadResult, load_site
from .model import ContentError
from .render import THEME_DIR, Renderer
from .taxonomy import Site, make_site, paginate

# Written into every output folder, so that a later build knows it may replace it.
MARKER = ".archive-site"


@dataclass(frozen=True)
class BuildOptions:
    """How to build: from the command line's flags."""

    out_dir: Path | None = None
    keep_going: bool = False
    drafts: bool = False
    base_url: str | None = None


@dataclass
class BuildReport:
    """What a build did, for the summary the CLI prints."""

    out_dir: Path
    loaded: LoadResult
    published: bool = False
    articles: int = 0
    drafts: int = 0
    pages: int = 0
    terms: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    errors: list[ContentError] = field(default_factory=list)

    @property
    def all_errors(self) -> list[ContentError]:
        return self.loaded.errors + self.errors


class BuildError(Exception):
    """The build cannot go on at all (bad settings, unusable output folder)."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error


Progress = Callable[[str], None]


def build(site_dir: Path, options: BuildOptions = BuildOptions(), progress: Progress | None = None
          ) -> BuildReport:
    """Build the site in `site_dir` and return what was done.

    Content errors do not raise: they are in the report, and unless
    `keep_going` is set nothing is published when there is one.
    """
    started = time.perf_counter()
    site_dir = site_dir.resolve()
    out_dir = (options.out_dir or site_dir / "build").resolve()
    check_output_folder(site_dir, out_dir)
    config = load_config(site_dir)
    if options.base_url:
        config = replace(config, base_url=options.base_url.rstrip("/") + "/")
    gazetteer = load_gazetteer(site_dir)
    loaded = load_site(site_dir, config.content_dirs)
    report = BuildReport(out_dir=out_dir, loaded=loaded)
    if loaded.errors and not options.keep_going:
        report.seconds = time.perf_counter() - started
        return report

    articles = [a for a in loaded.articles if options.drafts or not a.draft]
    report.drafts = len(loaded.articles) - len(articles)
    articles, _, _ = tag_articles(articles, gazetteer)
    site = make_site(config, articles, gazetteer)
    report.articles = len(site.articles)
    report.terms = {kind: len(tax.terms) for kind, tax in site.taxonomies.items()}

    remove_leftovers(out_dir)
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    try:
        staging.mkdir(parents=True)
        report.pages = write_site(site, Renderer(site_dir, config), staging, progress)
        copy_static(THEME_DIR / "static", staging / "static")
        copy_static(site_dir / "static", staging / "static")
        (staging / MARKER).write_text("This folder is written by archive-site build.\n", encoding="utf-8")
        swap_in(staging, out_dir)
    except jinja2.TemplateError as exc:
        report.errors.append(template_error(exc, site_dir))
        return report
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.published = True
    report.seconds = time.perf_counter() - started
    return report


def check_output_folder(site_dir: Path, out_dir: Path) -> None:
    """Refuse output folders a build must never replace: the site folder, one
    of its parents, or a non-empty folder that no build wrote."""
    if out_dir == site_dir or out_dir in site_dir.parents:
        raise BuildError(ContentError(str(out_dir), "the output folder contains the site itself",
                                      hint="choose a folder such as SITE_DIR/build with -o"))
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildError(ContentError(str(out_dir), "the output path is a file",
                                      hint="choose a folder with -o"))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise BuildError(ContentError(
            str(out_dir), "the output folder is not empty and was not written by archive-site",
            hint="choose an empty or new folder with -o, or empty this one yourself"))


def write_site(site: Site, renderer: Renderer, out: Path, progress: Progress | None) -> int:
    """Render every page of `site` into the folder `out`; return the number of pages."""
    count = 0
    for page_url, html in render_pages(site, renderer):
        target = out / page_url / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        count += 1
        if progress and count % 1000 == 0:
            progress(f"{count} pages written")
    return count


def render_pages(site: Site, renderer: Renderer) -> Iterator[tuple[str, str]]:
    """Yield (site path, HTML) for every page: home, articles, taxonomies."""
    yield from render_home(site, renderer)
    yield from render_articles(site, renderer)
    for taxonomy in site.taxonomies.values():
        yield taxonomy.url, renderer.render("taxonomy.html", taxonomy.url, taxonomy=taxonomy)
        for term in taxonomy.terms:
            for pager in paginate(term.articles, term.url, site.config.per_page):
                yield pager.url, renderer.render("term.html", pager.url, taxonomy=taxonomy, term=term,
                                                 pager=pager, article_terms=site.article_terms)


def render_home(site: Site, renderer: Renderer) -> Iterator[tuple[str, str]]:
    for pager in paginate(site.articles, "", site.config.per_page):
        yield pager.url, renderer.render("list.html", pager.url, pager=pager, article_terms=site.article_terms)


def render_articles(site: Site, renderer: Renderer) -> Iterator[tuple[str, str]]:
    for article in site.articles:
        yield article.url, renderer.render("article.html", article.url, article=article,
                                           terms=site.article_terms[article.slug])


def copy_static(source: Path, target: Path) -> None:
    """Copy the files of `source` into `target`, skipping hidden files."""
    if not source.is_dir():
        return
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            src = Path(folder, name)
            dest = target / src.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by the finished `staging` folder. Where the system
    can exchange two folders in one step, the output folder is never missing
    or partial, even if the build is killed at that moment."""
    if not out_dir.exists():
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, out_dir)
    elif exchange(staging, out_dir):
        shutil.rmtree(staging)  # now holds the previous output
    else:
        retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        os.replace(out_dir, retired)
        os.replace(staging, out_dir)
        shutil.rmtree(retired)


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
    killed before they could clean up (their process is gone)."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if not kind.endswith((".staging", ".old")) or not pid.isdigit() or _running(int(pid)):
            continue
        shutil.rmtree(leftover, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def template_error(exc: jinja2.TemplateError, site_dir: Path) -> ContentError:
    """Return a template problem as a ContentError naming the file and line."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
    try:
        name = Path(name).resolve().relative_to(site_dir).as_posix()
    except ValueError:
        pass
    return ContentError(name, f"template error: {exc.message or exc}", getattr(exc, "lineno", None),
                        "fix the template, or delete it to use the built-in one")


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


__all__ = ["BuildOptions", "BuildReport", "BuildError", "build", "SiteConfig"]
