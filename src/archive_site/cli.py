"""The `archive-site` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import json
import os
import sys
from pathlib import Path

from . import __version__, arabic
from .build import BuildError, BuildOptions, BuildReport, build, collect_static, settle
from .config import ConfigError, load_config
from .ledger import LEDGER_FILE
from .i18n import N_, Msg, _, activate, count, language, localize
from .model import ContentError, more_warnings
from .gazetteer import GazetteerError, load_gazetteer, tag_articles
from .images import find_pictures
from .loader import load_extra_pages, load_site
from .propose import gather, propose
from .sitefiles import THEME_DIR


class Exit(enum.IntEnum):
    OK = 0
    CONTENT_ERROR = 1
    USAGE = 2


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-site",
        description="Build a fast, searchable, right-to-left HTML archive from Arabic articles.",
        epilog="Run 'archive-site COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"archive-site {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for unexpected failures")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser("build", help="publish the site into the output folder",
                            description="Publish the site. With any content error nothing is published "
                                        "and the previous output stays as it was, unless --keep-going.")
    _site_dir_argument(p)
    p.add_argument("-o", "--output", metavar="OUT", type=Path,
                   help="output folder (default: SITE_DIR/build)")
    p.add_argument("--keep-going", action="store_true",
                   help="publish every good article even if some files have errors (still exits 1)")
    p.add_argument("--drafts", action="store_true", help="also publish articles marked 'draft: true'")
    p.add_argument("--future", action="store_true",
                   help="also publish articles dated after now (in the site's time zone)")
    p.add_argument("--base-url", metavar="URL", help="the address the site is published at "
                                                     "(overrides base_url in site.yml)")
    p.add_argument("--clean", action="store_true",
                   help="read every file and render every page again, ignoring what earlier builds stored")
    p.add_argument("--jobs", "-j", type=_positive, default=os.cpu_count() or 1, metavar="N",
                   help="processes that render pages (default: the number of CPUs, here %(default)s)")
    p.add_argument("--cache-dir", type=Path, metavar="DIR",
                   help="where to keep what earlier builds read (default: SITE_DIR/.archive-site-cache)")
    p.add_argument("--no-search", action="store_true",
                   help="do not write the search index (faster; the search page says search is unavailable)")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("-v", "--verbose", action="store_true", help="list every warning and skipped file")

    p = commands.add_parser("serve", help="preview the site, rebuilding and reloading on every change",
                            description="Build the site into a temporary folder and serve it over HTTP. "
                                        "Changes to content, templates, static files, site.yml or "
                                        "gazetteer.yml rebuild what they affect and reload open pages. "
                                        "Stop with Ctrl-C.")
    _site_dir_argument(p)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help="port to listen on (default: 8000, or the next free one)")
    p.add_argument("--drafts", action="store_true", help="also show articles marked 'draft: true'")
    p.add_argument("--open", action="store_true", help="open the site in your web browser once it is served")

    p = commands.add_parser("check", help="validate every article without writing anything",
                            description="Read and validate every article; print errors and warnings, "
                                        "and the places and actors found in each article's text, with "
                                        "the words they were found in. Exits 1 if there is an error.")
    _site_dir_argument(p)
    p.add_argument("-q", "--quiet", action="store_true", help="print errors and warnings only")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: one JSON object on standard output, for CI (default: text)")

    p = commands.add_parser("init", help="create a new site folder with settings and example articles",
                            description="Create SITE_DIR (default: the current folder) with a commented "
                                        "site.yml, a .gitignore and one example article in each format. "
                                        "Existing files are never overwritten.")
    _site_dir_argument(p)

    p = commands.add_parser("import", help="bring a folder of received texts into the content folder",
                            description="Copy every file of INBOX byte for byte into SITE_DIR/originals/, write "
                                        "its text as UTF-8 into the content folder as YYYY-MM-DD-<hash>.txt "
                                        "with a sidecar proposing its date, places and actors, and print what "
                                        "became of each file. Never overwrites; a text already in the site "
                                        "(also in another encoding or spacing) is reported, not imported again.")
    p.add_argument("inbox", type=Path, metavar="INBOX", help="the folder of received texts")
    _site_dir_argument(p)
    p.add_argument("--into", default="content/received", metavar="FOLDER",
                   help="the folder of the site to write the texts into (default: content/received)")

    p = commands.add_parser("new", help="create a dated Markdown article",
                            description="Create content/YYYY/MM/<slug>.md with front matter and print its path.")
    p.add_argument("title", help="the article's title, e.g. \"العنوان\"")
    _site_dir_argument(p)

    p = commands.add_parser("gazetteer", help="add places and actors to the site's gazetteer",
                            description="Work with the site's gazetteer.yml (the list of places and actors "
                                        "found in article text).")
    gazetteer = p.add_subparsers(dest="gazetteer_command", metavar="ACTION", required=True)
    p = gazetteer.add_parser("add", help="add a place or an actor (as 'check' proposes them)",
                             description="Add a place or an actor to SITE_DIR/gazetteer.yml. A site without "
                                         "one gets a copy of the packaged gazetteer first, so nothing is lost. "
                                         "Articles that name it are tagged from the next build.")
    p.add_argument("kind", choices=("place", "actor"), help="what it is")
    p.add_argument("name", help="its name as pages show it, e.g. \"الحميدية\"")
    p.add_argument("--parent", default="", metavar="PLACE",
                   help="the slug or name of the place it lies in (places), e.g. quneitra-countryside")
    p.add_argument("--slug", default="", help="its address: lower-case ASCII letters, digits and hyphens "
                                               "(default: transliterated from the name)")
    p.add_argument("--variant", action="append", default=[], metavar="NAME",
                   help="another spelling found in text (repeat for several)")
    p.add_argument("-s", "--site", dest="site_dir", type=Path, default=Path("."), metavar="SITE_DIR",
                   help="the site folder (default: the current folder)")

    p = commands.add_parser("theme", help="work with the built-in theme",
                            description="Work with the built-in templates.")
    theme = p.add_subparsers(dest="theme_command", metavar="ACTION", required=True)
    p = theme.add_parser("export", help="copy built-in templates into the site's templates/ to edit them",
                         description="Copy built-in templates into SITE_DIR/templates/, where they replace "
                                     "the built-in ones. With no NAME, every template. A file that is "
                                     "already there is left alone (and named), so your edits are never lost.")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="templates to copy, as listed by 'theme export --list' (e.g. partials/footer.html)")
    p.add_argument("--list", action="store_true", help="list the built-in templates and do nothing else")
    p.add_argument("-s", "--site", dest="site_dir", type=Path, default=Path("."), metavar="SITE_DIR",
                   help="the site folder (default: the current folder)")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def _site_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("site_dir", nargs="?", default=Path("."), type=Path, metavar="SITE_DIR",
                        help="the site folder (default: the current folder)")


def run() -> None:
    """The `archive-site` command: main(), then an exit that does not free,
    one object at a time, what the command held (0.15–0.3 s after a build
    of 10,000 articles): every exit handler is run and the output flushed
    first, then the process ends. main() is what tests and other Python
    code call."""
    import atexit
    import threading

    status = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(status)  # a thread still at work is waited for, as on any exit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, or a stream closed already: nothing more can be said
            pass
    os._exit(status)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command != "init" and not args.site_dir.is_dir():
        parser.error(f"{args.site_dir} is not a folder")
    command = {"build": run_build, "serve": run_serve, "check": run_check, "new": run_new,
               "theme": run_theme, "init": run_init, "import": run_import,
               "gazetteer": run_gazetteer}[args.command]
    activate()  # the locale's language, until site.yml says otherwise
    try:
        if args.command != "init":
            choose_language(args.site_dir)
        return int(command(args))
    except (ConfigError, BuildError, GazetteerError) as exc:
        print(_("error: ") + str(exc.error), file=sys.stderr)
        return Exit.CONTENT_ERROR
    except BrokenPipeError:  # output piped into `head`: stop quietly
        sys.stdout = open(os.devnull, "w")
        return Exit.OK
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one clear line, details behind --debug
        if args.debug:
            raise
        print(_("archive-site: unexpected {error} (run again with --debug for details)").format(
            error=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return Exit.CONTENT_ERROR


def choose_language(site_dir: Path) -> None:
    """Speak the language `messages:` in site.yml names, if it names one."""
    if (site_dir / "site.yml").is_file():
        messages = load_config(site_dir).messages
        if messages:
            activate(messages)


def run_build(args) -> Exit:
    options = BuildOptions(out_dir=args.output, keep_going=args.keep_going, drafts=args.drafts,
                           base_url=args.base_url, clean=args.clean, future=args.future,
                           search=not args.no_search, jobs=args.jobs,
                           cache_dir=args.cache_dir)
    report = build(args.site_dir, options, progress=None if args.quiet else print_progress)
    print_problems(report.loaded.problems + report.errors, quiet=args.quiet, all_warnings=args.verbose)
    if report.search is not None and not report.search.ok:
        print(_("warning: {problem}; the rest of the site was built").format(
            problem=localize(report.search.message)), file=sys.stderr)
    if not args.quiet:
        print_summary(report, args.verbose)
    return Exit.CONTENT_ERROR if report.all_errors else Exit.OK


MAX_WARNINGS_SHOWN = 20


def print_problems(problems, quiet: bool = False, all_warnings: bool = True) -> None:
    """Print errors, then warnings (all of them, or the first few)."""
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
    for problem in errors:
        print(_("error: ") + str(problem), file=sys.stderr)
    if quiet:
        return
    shown = warnings if all_warnings else warnings[:MAX_WARNINGS_SHOWN]
    for problem in shown:
        print(problem, file=sys.stderr)
    if len(shown) < len(warnings):
        print(more_warnings(len(warnings) - len(shown)), file=sys.stderr)


def print_summary(report: BuildReport, verbose: bool) -> None:
    """Account for every file read: published, draft, error or skipped."""
    loaded = report.loaded
    failed = len(loaded.failed)
    comma = _(", ")
    if report.published:
        terms = comma.join(term_count(kind, n) for kind, n in report.terms.items())
        rendered = (_("nothing changed since the last build") if report.unchanged
                    else _("{n} rendered").format(n=report.rendered))
        print(count(report.articles, "Published {n} article ({terms}): {pages}, {rendered}, in {folder} ({seconds} s)",
                    "Published {n} articles ({terms}): {pages}, {rendered}, in {folder} ({seconds} s)",
                    terms=terms, pages=count(report.pages, "{n} page", "{n} pages"), rendered=rendered,
                    folder=report.out_dir, seconds=f"{report.seconds:.2f}"))
        if report.search is not None and report.search.ok:
            print(count(report.search.pages, "Search index unchanged: {n} article", "Search index unchanged: {n} articles")
                  if report.search.reused else
                  count(report.search.pages, "Search index written: {n} article", "Search index written: {n} articles"))
    elif failed:
        print(count(failed, "Nothing published: {n} file with errors; the previous output is unchanged. "
                            "Fix it, or use --keep-going to publish the rest.",
                    "Nothing published: {n} files with errors; the previous output is unchanged. "
                    "Fix them, or use --keep-going to publish the rest."), file=sys.stderr)
    else:
        print(_("Nothing published: template error; the previous output is unchanged."), file=sys.stderr)
    read = report.good + failed
    published = report.articles if report.published else 0
    parts = [_("{n} published").format(n=published)]
    if report.drafts:
        parts.append(count(report.drafts, "{n} draft (--drafts publishes it)", "{n} drafts (--drafts publishes them)"))
    if report.future:
        parts.append(_("{n} dated in the future, held back (--future publishes them)").format(n=report.future))
    if failed:
        parts.append(_("{n} with errors, left out").format(n=failed) if report.published
                     else _("{n} with errors").format(n=failed))
    if not report.published and report.good:
        parts.append(_("{n} good but held back").format(n=report.good - report.drafts))
    summary = count(read, "{n} article file", "{n} article files") + ": " + comma.join(parts)
    semicolon = _("; ")
    if loaded.skipped:
        summary += semicolon + (count(len(loaded.skipped), "{n} other file skipped", "{n} other files skipped")
                                + ("" if verbose else " " + _("(-v lists them)")))
    if loaded.warnings:
        summary += semicolon + count(len(loaded.warnings), "{n} warning", "{n} warnings")
    print(summary)
    if verbose and report.published and not report.unchanged and report.parts[0] < report.parts[1]:
        print(_("{planned} of {parts} parts of the site planned; the others, which show no edited article, "
                "as the last build planned them").format(planned=report.parts[0], parts=report.parts[1]))
    if verbose:
        for skipped in loaded.skipped:
            print(_("skipped {path}: {reason}").format(path=skipped.path, reason=localize(skipped.reason)))


def term_count(kind: str, n: int) -> str:
    """"12 places": the built-in taxonomies in the active language; others by their key."""
    if kind == "places":
        return count(n, "{n} place", "{n} places")
    if kind == "actors":
        return count(n, "{n} actor", "{n} actors")
    if kind == "tags":
        return count(n, "{n} tag", "{n} tags")
    return f"{kind}: {n}" if language() == "ar" else f"{n} {kind}"


def run_serve(args) -> Exit:
    from .serve import PortInUse, serve  # the server and file watcher, only for this command

    try:
        return Exit(serve(args.site_dir, args.host, args.port or 8000, fixed_port=args.port is not None,
                          drafts=args.drafts, log=lambda line: print(line, flush=True),
                          open_browser=args.open))
    except PortInUse as exc:
        print(_("error: {problem}; choose another with --port").format(problem=localize(exc.args[0])), file=sys.stderr)
        return Exit.USAGE


def run_check(args) -> Exit:
    site_dir = args.site_dir.resolve()
    config = load_config(site_dir)
    gazetteer = load_gazetteer(site_dir)
    out_dir = site_dir / "build"
    loaded = load_site(site_dir, config.content_dirs, allow_outside=config.follow_outside_links,
                       forbidden=(out_dir,), term_keys=config.term_keys)
    loaded.problems.extend(collect_static(site_dir, config, out_dir)[1])
    loaded.problems.extend(load_extra_pages(site_dir, config.extra_pages, config.term_keys)[1])
    for article in loaded.articles:  # pictures that a build would leave out
        if article.shows_pictures():
            loaded.problems.extend(find_pictures(site_dir, article)[1])
    _tagged, detections, unknown_places, _stored = tag_articles(loaded.articles, gazetteer, config.taxonomies)
    _ledger, settled = settle(site_dir, config, [a for a in loaded.articles if not a.draft])
    loaded.problems.extend(settled.problems)
    unlisted = settled.added + [new for _old, new in settled.moved]
    if unlisted:
        loaded.problems.append(ContentError(
            LEDGER_FILE, Msg("out of date: {n} article with no permanent address yet (first: {first})",
                             plural="out of date: {n} articles with no permanent address yet (first: {first})",
                             n=len(unlisted), first=unlisted[0]), None,
            N_("run 'archive-site build' to record them, then commit ledger.tsv with the content")))
    if args.format == "json" or not args.quiet:  # -q prints problems only: nothing to propose
        candidates = gather([(a.source, propose(f"{a.title}\n{a.text}", gazetteer)) for a in loaded.articles])
    if args.format == "json":
        report = check_report(loaded, settled, unknown_places, unlisted)
        report["candidates"] = [{"kind": c.kind, "name": c.name, "words": c.said, "parent": c.parent or None,
                                 "articles": c.sources} for c in candidates]
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return Exit.CONTENT_ERROR if loaded.errors else Exit.OK
    print_problems(loaded.problems + unknown_places)
    if not args.quiet:
        for article in settled.articles:
            print_date_source(article, article.source in unlisted)
        for detection in detections:
            print_detection(detection)
        print_candidates(candidates)
    warnings = len(loaded.warnings) + len(unknown_places)
    print(_(", ").join((count(len(loaded.articles), "{n} article read", "{n} articles read"),
                        count(len(loaded.errors), "{n} error", "{n} errors"),
                        count(warnings, "{n} warning", "{n} warnings"))))
    return Exit.CONTENT_ERROR if loaded.errors else Exit.OK


def check_report(loaded, settled, unknown_places, unlisted: list[str]) -> dict:
    """What `check --format json` prints: every problem, and every article's
    address, date and where the date comes from."""
    def problem(p) -> dict:
        return {"path": p.path, "line": p.line, "message": p.message, "hint": p.hint}

    problems = loaded.problems + unknown_places
    return {
        "articles": [{"path": a.source, "address": a.url, "title": a.title, "draft": a.draft,
                      "date": a.date.isoformat() if a.date else None, "date_source": a.date_source or None,
                      "in_ledger": a.source not in unlisted} for a in settled.articles],
        "errors": [problem(p) for p in problems if not p.warning],
        "warnings": [problem(p) for p in problems if p.warning],
    }


MAX_CANDIDATES_SHOWN = 30
KIND_LABELS = {"places": N_("place"), "actors": N_("actor")}


def kind_label(kind: str) -> str:
    """"place" or "actor" for a gazetteer section, in the active language."""
    return localize(KIND_LABELS[kind])


def print_candidates(candidates) -> None:
    """Print the names the text marks as places or groups that the gazetteer
    lacks, each with the command that adds it (never added by itself)."""
    if not candidates:
        return
    print(_("Names the gazetteer does not know, as the text gives them "
            "(add the right ones, then build again):"))
    for c in candidates[:MAX_CANDIDATES_SHOWN]:
        where = count(len(c.sources), "{n} article: {first}", "{n} articles, first: {first}", first=c.sources[0])
        print(f"  {kind_label(c.kind)} «{c.name}» («{c.said}») — {where}")
        print(f"      {c.command}")
    if len(candidates) > MAX_CANDIDATES_SHOWN:
        print("  " + _("... and {n} more ('check --format json' lists them all)").format(
            n=len(candidates) - MAX_CANDIDATES_SHOWN))


def run_gazetteer(args) -> Exit:
    """`gazetteer add`: a place or actor into the site's gazetteer.yml."""
    from .gazetteer import add_to_site

    kind = "places" if args.kind == "place" else "actors"
    if args.parent and kind != "places":
        print(_("error: ") + _("only a place has a parent"), file=sys.stderr)
        return Exit.USAGE
    entry, made = add_to_site(args.site_dir, kind, args.name, args.parent, args.slug, tuple(args.variant))
    if made:
        print(_("made {path}, a copy of the packaged gazetteer, for the site's own entries").format(
            path=args.site_dir / "gazetteer.yml"))
    print(_("added {kind} «{name}» ({slug}); articles that name it are tagged from the next build").format(
        kind=kind_label(kind), name=entry.name, slug=entry.slug))
    return Exit.OK


def print_date_source(article, unlisted: bool = False) -> None:
    """Say where an article's date came from when its file has no date field,
    so an editor can check it (or say that it has none)."""
    if article.date_source in ("front matter", "sidecar"):
        return
    if article.date is None:
        print(_("{path}: no date (add 'date:' to its front matter or sidecar, or a date to its file name)").format(
            path=article.source))
        return
    shown = f"{article.date:%Y-%m}" if article.date_precision == "month" else f"{article.date:%Y-%m-%d}"
    if article.date_source == "intake":
        said = (_("{path}: no date of its own; the next build records it as its intake date, {date}") if unlisted
                else _("{path}: no date of its own; the ledger holds its intake date, {date}"))
        print(said.format(path=article.source, date=shown))
        return
    where = {"file name": N_("its file name"), "folders": N_("its folders"), "text": N_("its text")}
    print(_("{path}: dated {date}, from {where}").format(path=article.source, date=shown,
                                                         where=localize(where[article.date_source])))


def print_detection(detection) -> None:
    """Print which places and actors were found in one article, and from
    which words, so an editor sees why it is on a page."""
    if detection is None or (not detection.mentions and not detection.excluded):
        return
    print(f"{detection.source}:")
    grouped: dict[tuple[str, str, bool], list] = {}
    for mention in detection.mentions:
        key = (mention.entry.kind, mention.entry.name, mention.accepted)
        grouped.setdefault(key, []).append(mention)
    for (kind, name, accepted), mentions in grouped.items():
        label = kind_label(kind)
        quotes = _(", ").join(dict.fromkeys(f"«{m.words}»" + (f" ({localize(m.reason)})" if m.reason else "")
                                            for m in mentions))
        mark = "+" if accepted else "-"
        print(f"  {mark} {label} {name}: {quotes}")
    for name in detection.excluded:
        print("  - " + _("{name}: found, but excluded by the article's 'exclude:'").format(name=name))


def run_new(args) -> Exit:
    today = dt.date.today()
    try:
        args.title.encode("utf-8")
    except UnicodeEncodeError:
        print(_("error: ") + _("the title is not valid UTF-8 text (check the terminal's encoding, "
                               "for example LANG=ar_SY.UTF-8 or C.UTF-8)"), file=sys.stderr)
        return Exit.USAGE
    slug = arabic.make_slug(args.title)
    if not slug:
        print(_("error: ") + _("the title has no letters or digits to make a file name from"), file=sys.stderr)
        return Exit.USAGE
    path = args.site_dir / "content" / f"{today:%Y}" / f"{today:%m}" / f"{slug}.md"
    if path.exists():
        print(_("error: ") + _("{path} already exists; choose another title or edit that file").format(path=path),
              file=sys.stderr)
        return Exit.CONTENT_ERROR
    title = json.dumps(arabic.remove_forbidden(args.title), ensure_ascii=False)
    keys = "".join(f"{key}: []\n" for key in load_config(args.site_dir).term_keys)
    # A draft: published by `build` only once the editor removes the line.
    text = f"---\ntitle: {title}\ndate: {today.isoformat()}\ndraft: true\n{keys}---\n\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as file:  # never over a file made meanwhile
        file.write(text)
    print(path)
    return Exit.OK


INIT_FILES = {
    "site.yml": """\
# Settings of this archive; every key is optional (see the README).
title: أرشيف التوثيق
description: تقارير وشهادات موثقة
# Where the site is published: feeds, the sitemap and citations use it.
base_url: http://localhost:8000/
per_page: 20
# Month names: levantine (كانون الثاني، شباط …) or standard (يناير، فبراير …).
months: levantine
# Dates without a zone are in this time zone; later ones are held back until then.
timezone: Asia/Damascus
# What articles are grouped by, in the order of the navigation.
taxonomies: [places, actors, tags]
# The language of this tool's messages (command line, preview): ar or en.
# Left out, the terminal's locale decides. لرسائل الأداة بالعربية: messages: ar
# messages: ar
""",
    ".gitignore": "build/\n.archive-site-cache/\n",
    "content/2024/03/example.md": """\
---
title: افتتاح مركز صحي في بلدة الأتارب بعد إعادة تأهيله
date: 2024-03-12
places: [الأتارب]
tags: [صحة, إعادة إعمار]
---

أعيد افتتاح المركز الصحي في بلدة الأتارب بعد أشهر من أعمال الترميم، ويستقبل المركز المرضى
من البلدة والقرى المحيطة بها.

هذا مقال مثال بصيغة Markdown: الترويسة بين سطري `---` تحمل العنوان والتاريخ والأماكن والوسوم.
احذفه متى شئت.
""",
    "content/received/example.txt": """\
شهادة عن انقطاع المياه في حي الشعار

روى أحد سكان حي الشعار في حلب أن المياه انقطعت عن الحي أسبوعاً كاملاً، وأن الأهالي اشتروا
المياه من الصهاريج بأسعار مرتفعة.

هذا نص مثال كما يرد إلى المحررين: السطر الأول عنوان، والفقرات يفصل بينها سطر فارغ، وما بعد
سطر الشرطات تذييل لا يُنشر.
-----
للتواصل مع فريق الرصد: يُحذف هذا التذييل من الصفحة.
""",
    "content/received/example.yml": """\
# A sidecar: front-matter keys for example.txt, which stays as it was received.
date: 2024-05-02
places: [حلب]
tags: [مياه]
notes: مثال؛ الملاحظات للمحررين ولا تُنشر.
""",
}


def run_init(args) -> Exit:
    """`init`: a new site folder, never over existing files."""
    root = args.site_dir
    taken = [name for name in INIT_FILES if (root / name).exists() or (root / name).is_symlink()]
    if taken:
        print(_("error: ") + _("{folder} already has {files}; nothing was written "
                               "(choose an empty folder, or remove those files)").format(
            folder=root, files=", ".join(taken)), file=sys.stderr)
        return Exit.USAGE
    for name, text in INIT_FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as file:
            file.write(text)
    print(_("Created a site in {folder}: site.yml, content/ with two example articles.\n"
            "Next: archive-site serve {folder}   (preview)\n"
            "      archive-site build {folder}   (publish into {output})").format(folder=root, output=root / "build"))
    return Exit.OK


def run_import(args) -> Exit:
    """`import INBOX`: received texts into the content folder (importer.py)."""
    from .importer import import_inbox

    site_dir = args.site_dir.resolve()
    inbox = args.inbox.resolve()
    into = Path(args.into)
    if into.is_absolute() or ".." in into.parts or not into.parts:
        print(_("error: ") + _("--into must be a folder inside the site, such as content/received, not {into}")
              .format(into=args.into), file=sys.stderr)
        return Exit.USAGE
    config = load_config(site_dir)
    if into.parts[0] not in config.content_dirs:
        print(_("error: ") + _("--into {into} is not under a content folder ({folders}); "
                               "its texts would never be published").format(
            into=args.into, folders=", ".join(config.content_dirs)), file=sys.stderr)
        return Exit.USAGE
    if not inbox.is_dir():
        print(_("error: ") + _("{folder} is not a folder").format(folder=args.inbox), file=sys.stderr)
        return Exit.USAGE
    if inbox == site_dir or site_dir in inbox.parents:
        print(_("error: ") + _("the inbox is inside the site folder; give a folder outside it"), file=sys.stderr)
        return Exit.USAGE
    results = import_inbox(inbox, site_dir, into.as_posix(), config, load_gazetteer(site_dir))
    width = max((len(r.source) for r in results), default=4)
    for r in results:
        if r.outcome == "imported":
            what = (_("imported as {target} (dated {date}, named in the text)") if r.date_source == "text"
                    else _("imported as {target} (dated {date}, the day of import)")).format(target=r.target,
                                                                                              date=r.date)
            if r.places:
                what += _("; ") + _("places: {names}").format(names="، ".join(r.places))
            if r.candidates:
                what += _("; ") + _("not in the gazetteer: {names} (see the sidecar)").format(
                    names="، ".join(r.candidates))
        elif r.outcome == "duplicate":
            what = _("duplicate of {target}: not imported again").format(target=r.target)
        else:
            what = _("not imported: {reason}").format(reason=localize(r.detail))
        print(f"{r.source:<{width}}  {what}")
    done = sum(r.outcome == "imported" for r in results)
    twice = sum(r.outcome == "duplicate" for r in results)
    failed = len(results) - done - twice
    print(count(len(results), "{n} file: {done} imported, {twice} duplicates, {failed} not text. "
                              "Check the proposed values in each new .yml sidecar, then build.",
                "{n} files: {done} imported, {twice} duplicates, {failed} not text. "
                "Check the proposed values in each new .yml sidecar, then build.",
                done=done, twice=twice, failed=failed))
    return Exit.CONTENT_ERROR if failed else Exit.OK


def run_theme(args) -> Exit:
    """`theme export`: copy built-in templates into the site's templates/."""
    source = THEME_DIR / "templates"
    available = sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file())
    if args.list:
        print("\n".join(available))
        return Exit.OK
    unknown = [name for name in args.names if name not in available]
    if unknown:
        print(_("error: ") + _("no built-in template named {names} ('archive-site theme export --list' lists them)")
              .format(names=", ".join(unknown)), file=sys.stderr)
        return Exit.USAGE
    target = args.site_dir / "templates"
    for name in args.names or available:
        path = target / name
        if path.exists() or path.is_symlink():
            print(_("kept {path}: it exists already (delete it first to get the built-in one again)").format(path=path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as file:
            file.write((source / name).read_bytes())
        print(_("wrote {path}").format(path=path))
    return Exit.OK


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
