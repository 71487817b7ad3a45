"""`archive-site serve`: build, serve over HTTP, rebuild on change, reload the browser.

The site is built into a private temporary folder (never into `build/`).
Watchdog reports changes under the content folders, `templates/`, `static/`,
`site.yml` and `gazetteer.yml`; a burst of changes settles for a moment, then
one incremental rebuild runs. When the burst only edited the text of some
articles, their own pages are rendered first, from the last build's site
model (Builder.render_ahead), and shown at once; the rebuild then brings the
lists, feeds and downloads. Requests are answered from the previous output
while a rebuild reads and plans, and wait while it writes, so a half-built
site is never served. Served HTML pages get a small script that listens for
reload events (Server-Sent Events) and reloads when its own page changed;
when the last rebuild failed, they also get an overlay listing the errors,
drawn over the last good page.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import mimetypes
import os
import posixpath
import shutil
import signal
import socket
import sys
import threading
import time
import webbrowser
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from . import search
from .build import BuildOptions, Builder, BuildReport
from .config import CONFIG_FILE, ConfigError, SiteConfig, load_config
from .gazetteer import SITE_FILE as GAZETTEER_FILE
from .gazetteer import GazetteerError
from .i18n import Msg, _, count, language, localize
from .loader import _EDITOR_LEFTOVERS
from .model import ContentError, more_warnings
from .publish import InPlaceWriter
from .scratch import make_scratch

EVENTS_PATH = "/__archive-site/events"
SETTLE_SECONDS = 0.1
HEARTBEAT_SECONDS = 15.0
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
}
RELOAD_SCRIPT = """<script>
(() => {
  const source = new EventSource("%s?epoch=%d&page=" + encodeURIComponent(location.pathname));
  source.addEventListener("reload", () => location.reload());
})();
</script>
"""
EPOCHS_KEPT = 1000  # rebuilds whose changed pages are remembered for the reload events
# Files changed at once beyond which no page is rendered ahead of the rebuild
# (a checkout of many articles: the rebuild alone is sooner).
AHEAD_AT_MOST = 20


class ReadWriteLock:
    """Many requests read the output at once; a build writes it alone, and
    requests that arrive during a build wait for it to end."""

    def __init__(self):
        self._condition = threading.Condition()
        self._readers = 0
        self._writing = False

    def acquire_read(self) -> None:
        with self._condition:
            while self._writing:
                self._condition.wait()
            self._readers += 1

    def release_read(self) -> None:
        with self._condition:
            self._readers -= 1
            self._condition.notify_all()

    def acquire_write(self) -> None:
        with self._condition:
            while self._writing:
                self._condition.wait()
            self._writing = True  # new readers wait from now on
            while self._readers:
                self._condition.wait()

    def release_write(self) -> None:
        with self._condition:
            self._writing = False
            self._condition.notify_all()


class Stopped(Exception):
    """The server is stopping: a rebuild must not write any more."""


class PreviewWriter(InPlaceWriter):
    """Writes in place, holding the live site's write lock from the first
    page written to the end: requests are answered from the previous
    output while a build reads and plans, and wait while it writes."""

    def __init__(self, out_dir: Path, reuse: bool, live: LiveSite):
        self.live = live
        self.held = False
        live.lock.acquire_write()  # briefly: the folder is made here, unless the server is stopping
        try:
            if live.stopping.is_set():
                raise Stopped
            super().__init__(out_dir, reuse)
        finally:
            live.lock.release_write()

    def begin(self) -> None:
        if not self.held:
            self.live.lock.acquire_write()
            self.held = True
            if self.live.stopping.is_set():  # its folder may be gone already
                self.end()
                raise Stopped

    def end(self) -> None:
        if self.held:
            self.held = False
            self.live.lock.release_write()

    def static(self, files: dict[str, Path]) -> None:
        self.begin()
        super().static(files)

    def folder_path(self, name: str) -> Path:
        self.begin()
        return super().folder_path(name)

    def finish(self) -> None:
        self.begin()
        try:
            super().finish()
        finally:
            self.end()

    def abandon(self) -> None:
        self.end()


class SearchUpdater:
    """Rewrites the search index in a background thread after builds whose
    articles changed; requests for the search page meanwhile get the
    previous index. Only the newest request is kept."""

    def __init__(self, target: Path, log=print, documents: Path | None = None):
        """`documents`: the folder to keep the documents Pagefind reads in
        between updates (search.write_documents)."""
        self.target = target
        self.documents = documents
        self.log = log
        self._wanted = None
        self._written: str | None = None
        self._condition = threading.Condition()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="search-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop an indexing run in progress (and its Pagefind process)."""
        self._cancel.set()
        with self._condition:
            self._condition.notify()
        self._thread.join(timeout=10)

    def update(self, site, gazetteer, cards: dict[str, str]) -> None:
        with self._condition:
            self._wanted = (site, gazetteer, cards)
            self._condition.notify()

    def _loop(self) -> None:
        while True:
            with self._condition:
                while self._wanted is None and not self._cancel.is_set():
                    self._condition.wait()
                if self._cancel.is_set():
                    return
                site, gazetteer, cards = self._wanted
                self._wanted = None
            fingerprint = search.index_fingerprint(site, cards, gazetteer)
            if fingerprint == self._written:
                continue
            started = time.perf_counter()
            kept = (self.documents, cards) if self.documents is not None else None
            result = search.build_index(site, gazetteer, self.target, self._cancel, kept=kept)
            if self._cancel.is_set():
                return
            if result.ok:
                self._written = fingerprint
                self.log(count(result.pages, "Search index updated: {n} article in {seconds} s",
                               "Search index updated: {n} articles in {seconds} s",
                               seconds=f"{time.perf_counter() - started:.1f}"))
            else:
                self.log(_("warning: ") + localize(result.message))


WARNINGS_SHOWN = 20


class LiveSite:
    """The state shared by the watcher, the build loop and the request handlers."""

    def __init__(self, site_dir: Path, out_dir: Path, drafts: bool = False, log=print,
                 content_dirs: tuple[str, ...] = ("content",)):
        self.site_dir = site_dir.resolve()
        self.out_dir = out_dir.resolve()
        self.content_dirs = content_dirs
        # The search index is written apart, in the background (SearchUpdater):
        # at 10,000 articles it takes far longer than the rebuild of a few pages.
        self.builder = Builder(self.site_dir, BuildOptions(out_dir=self.out_dir, drafts=drafts, keep_going=True,
                                                           search=False, record=False, keep_last_good=True))
        self.search = SearchUpdater(self.out_dir / search.INDEX_FOLDER, log,
                                    self.builder.cache_dir / search.PREVIEW_DOCUMENTS_FOLDER)
        self.lock = ReadWriteLock()
        self.epoch = 0
        self.problems: list[ContentError] = []
        self.changed = threading.Event()
        self.epoch_changed = threading.Condition()
        self.stopping = threading.Event()
        self.log = log
        self.last_change = 0.0
        self.warned: set[str] = set()  # the warnings printed so far, said once each
        self.touched: set[Path] = set()  # what changed since the last rebuild began
        self._touched_lock = threading.Lock()
        # The output paths each rebuild changed, by epoch (None: any page may have).
        self.changes: dict[int, frozenset[str] | None] = {}
        self.pages: set[str] = set()  # the pages of the output

    def rebuild(self, quiet: bool = False, touched: set[Path] | None = None) -> BuildReport | None:
        """Build incrementally; then tell browsers whose page changed to
        reload. `touched`: the files changed since the last rebuild, which
        may let the pages of edited articles be shown first (see render_ahead)."""
        started = time.perf_counter()
        # Only articles' files changed (else a template or a setting may change any page).
        content_only = bool(touched) and all(self.in_content(path) for path in touched)
        ahead = self.render_ahead(touched) if content_only and len(touched) <= AHEAD_AT_MOST else []
        if ahead:
            self.advance(self.problems, frozenset(ahead))
            self.log(count(len(ahead), "Shown first: {n} edited article, in {seconds} s; rebuilding the rest",
                           "Shown first: {n} edited articles, in {seconds} s; rebuilding the rest",
                           seconds=f"{time.perf_counter() - started:.2f}"))
        writers: list[PreviewWriter] = []

        def writer(out_dir: Path, reuse: bool) -> PreviewWriter:
            writers.append(PreviewWriter(out_dir, reuse, self))
            return writers[-1]

        try:
            report = self.builder.build(writer_factory=writer)
            problems = report.all_errors
        except (ConfigError, GazetteerError) as exc:
            report, problems = None, [exc.error]
        finally:
            for made in writers:
                made.end()
        self.advance(problems, self.changed_pages(report, problems, content_only))
        seconds = time.perf_counter() - started
        if report is not None and report.published and self.builder.last_site is not None:
            self.search.update(*self.builder.last_site)
        if report is not None:
            self.print_warnings(report.loaded.warnings + [p for p in report.errors if p.warning])
        if problems:
            self.log(count(len(problems), "Rebuilt with {n} error in {seconds} s; the browser shows it:",
                           "Rebuilt with {n} errors in {seconds} s; the browser shows them:",
                           seconds=f"{seconds:.2f}"))
            for problem in problems:
                self.log(f"  {problem}")
        elif report is not None and not quiet:
            self.log(_("Rebuilt: {done} of {pages} pages rendered in {seconds} s").format(
                done=report.rendered, pages=report.pages, seconds=f"{seconds:.2f}"))
        return report

    def render_ahead(self, touched: set[Path]) -> list[str]:
        """Render the pages of the articles whose text alone was edited
        (`touched`: files under the content folders; Builder.render_ahead);
        return their site paths, or [] when the changes are more than that."""
        paths = [path.relative_to(self.site_dir).as_posix() for path in touched]
        writer = PreviewWriter(self.out_dir, False, self)
        try:
            return self.builder.render_ahead(sorted(paths), writer)
        except Stopped:
            raise
        except Exception as exc:  # said, and left to the rebuild that follows
            self.log(_("The edited article could not be shown first ({error}); rebuilding").format(
                error=f"{type(exc).__name__}: {exc}"))
            return []
        finally:
            writer.end()

    def changed_pages(self, report: BuildReport | None, problems: list[ContentError],
                      content_only: bool) -> frozenset[str] | None:
        """The output paths a rebuild changed, or None when it may have
        changed any page: the errors shown over every page changed, or not
        only articles' files were touched (a template, a static file, the
        settings; or nothing is known of what was touched)."""
        if report is None or not report.published:
            return None
        now = set(report.written[0])
        gone, self.pages = self.pages - now, now
        if not content_only or [str(p) for p in problems] != [str(p) for p in self.problems]:
            return None
        return frozenset(report.changed) | gone

    def in_content(self, path: Path) -> bool:
        """Whether `path` is under one of the content folders (as the server started with)."""
        return any(self.site_dir / name in path.parents for name in self.content_dirs)

    def advance(self, problems: list[ContentError], changed: frozenset[str] | None) -> None:
        """A new epoch of the output: `changed` its changed pages (None: any)."""
        with self.epoch_changed:
            self.problems = problems
            self.epoch += 1
            self.changes[self.epoch] = changed
            self.changes.pop(self.epoch - EPOCHS_KEPT, None)
            self.epoch_changed.notify_all()

    def reloads(self, page: str | None, seen: int, epoch: int) -> bool:
        """Whether the page at output path `page` (None: unknown) changed
        after epoch `seen`, up to `epoch` (an epoch older than those
        remembered, or unknown, counts as a change)."""
        if not epoch - EPOCHS_KEPT < seen <= epoch:
            return True
        for n in range(seen + 1, epoch + 1):
            changed = self.changes.get(n)
            if page is None or changed is None or page in changed:
                return True
        return False

    def print_warnings(self, warnings: list[ContentError]) -> None:
        """Print the warnings not printed before (the first few of many)."""
        new = [w for w in warnings if str(w) not in self.warned]
        for warning in new[:WARNINGS_SHOWN]:
            self.log(str(warning))
        if len(new) > WARNINGS_SHOWN:
            self.log(more_warnings(len(new) - WARNINGS_SHOWN))
        self.warned = {str(w) for w in warnings}

    def build_loop(self) -> None:
        """Wait for changes; when they have settled, rebuild once."""
        while not self.stopping.is_set():
            if not self.changed.wait(timeout=0.5):
                continue
            while time.monotonic() - self.last_change < SETTLE_SECONDS:
                time.sleep(SETTLE_SECONDS / 2)
            self.changed.clear()
            with self._touched_lock:
                touched, self.touched = self.touched, set()
            if self.stopping.is_set():
                return
            try:
                self.rebuild(touched=touched)
            except Stopped:
                return
            except Exception as exc:  # keep serving the last good output whatever happens
                self.advance([ContentError("build", f"unexpected {type(exc).__name__}: {exc}")], None)
                self.log(_("Rebuild failed: {error}").format(error=f"{type(exc).__name__}: {exc}"))

    def notice(self, paths: list[Path] = ()) -> None:
        with self._touched_lock:
            self.touched.update(paths)
        self.last_change = time.monotonic()
        self.changed.set()

    def wait_for_epoch(self, seen: int, timeout: float) -> int:
        with self.epoch_changed:
            self.epoch_changed.wait_for(lambda: self.epoch != seen or self.stopping.is_set(), timeout)
            return self.epoch


class SiteWatcher(FileSystemEventHandler):
    """Turns file-system events that matter into a rebuild request."""

    def __init__(self, live: LiveSite, config: SiteConfig):
        self.live = live
        self.watched_dirs = {live.site_dir / d for d in (*config.content_dirs, "templates", "static")}
        self.top_files = {CONFIG_FILE, GAZETTEER_FILE}
        # The folders of the extra pages and plugin files site.yml lists (as it was at start).
        for listed in (*config.extra_pages, *(p for p in config.plugins if p.endswith(".py"))):
            folder = (live.site_dir / listed).parent
            if folder == live.site_dir:
                self.top_files.add(Path(listed).name)
            elif live.site_dir in folder.parents:
                self.watched_dirs.add(folder)

    def schedule(self, observer: Observer) -> None:
        self.observer = observer
        observer.schedule(self, str(self.live.site_dir), recursive=False)
        for folder in sorted(self.watched_dirs):
            if folder.is_dir():
                observer.schedule(self, str(folder), recursive=True)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # comes with the event of the file inside, which decides
        created = Path(os.fsdecode(getattr(event, "dest_path", "") or event.src_path))
        if event.is_directory and event.event_type in ("created", "moved") and created in self.watched_dirs:
            self.observer.schedule(self, str(created), recursive=True)  # e.g. templates/ made after start
        paths = [Path(os.fsdecode(p)) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        mattering = [path for path in paths if self.matters(path)]
        if mattering:
            self.live.notice(mattering)

    def matters(self, path: Path) -> bool:
        """True for a change that can alter the site: not a hidden, backup or
        editor temporary file, inside a watched folder or one of the settings files."""
        if any(_EDITOR_LEFTOVERS.search(part) for part in path.parts[-1:]):
            return False
        if path.parent == self.live.site_dir:
            return path.name in self.top_files or path in self.watched_dirs
        for folder in self.watched_dirs:
            if folder in path.parents:
                relative = path.relative_to(folder).parts
                return not any(part.startswith(".") for part in relative)
        return False


class Handler(BaseHTTPRequestHandler):
    """Serves the output folder, the reload events, and the error overlay."""

    server_version = "archive-site"
    live: LiveSite  # set on a subclass per server
    # A connection that sends nothing for this long is closed, so idle
    # clients cannot hold the server's threads.
    timeout = 30

    def log_message(self, format: str, *args) -> None:  # requests are not logged: the console is for the editor
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        try:
            if not allowed_host(self.headers.get("Host", ""), self.server.server_address[0]):
                # A page of another site whose name was pointed at this
                # machine (DNS rebinding) must not read the preview.
                self.send_text(HTTPStatus.FORBIDDEN, "This preview answers only to localhost and IP addresses.")
                return
            target = urlsplit(self.path)
            if target.path == EVENTS_PATH:
                self.send_events(target.query)
                return
            self.send_file(target.path, head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            pass  # the browser went away: nothing to do

    def send_file(self, raw_path: str, head: bool) -> None:
        try:
            path = unquote(raw_path, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            self.send_text(HTTPStatus.BAD_REQUEST, "The address is not valid UTF-8.")
            return
        parts = path.split("/")
        if "\\" in path or "\0" in path or any(part in ("..", ".") for part in parts):
            self.send_text(HTTPStatus.FORBIDDEN, "Refused: the address leaves the site folder.")
            return
        self.live.lock.acquire_read()
        try:
            root = self.live.out_dir
            file = root / posixpath.normpath(path).lstrip("/")
            if file.is_dir():
                if not path.endswith("/"):
                    self.redirect(raw_path + "/")
                    return
                file = file / "index.html"
            real = Path(os.path.realpath(file))
            if real != root and root not in real.parents:
                self.send_text(HTTPStatus.FORBIDDEN, "Refused: the address leaves the site folder.")
                return
            if not real.is_file():
                self.send_not_found(head)
                return
            body = real.read_bytes()
        finally:
            self.live.lock.release_read()
        self.send_body(HTTPStatus.OK, content_type(real), body, head)

    def send_not_found(self, head: bool) -> None:
        page = self.live.out_dir / "404.html"
        body = page.read_bytes() if page.is_file() else NOT_FOUND.encode("utf-8")
        self.send_body(HTTPStatus.NOT_FOUND, CONTENT_TYPES[".html"], body, head)

    def send_body(self, status: HTTPStatus, kind: str, body: bytes, head: bool) -> None:
        if kind.startswith("text/html"):
            body = self.decorate(body)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def decorate(self, body: bytes) -> bytes:
        """Add the reload script, and the error overlay if the last build failed."""
        live = self.live
        extra = RELOAD_SCRIPT % (EVENTS_PATH, live.epoch)
        if live.problems:
            extra = overlay(live.problems) + extra
        marker = b"</body>"
        index = body.rfind(marker)
        insert = extra.encode("utf-8")
        return body[:index] + insert + body[index:] if index >= 0 else body + insert

    def send_text(self, status: HTTPStatus, message: str) -> None:
        self.send_body(status, CONTENT_TYPES[".txt"], (message + "\n").encode("utf-8"), head=False)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_events(self, query: str) -> None:
        """Stream 'reload' events: one as soon as the site is newer than the
        page that asks, then one per rebuild, with comments to keep it open."""
        live = self.live
        asked = {key: values[-1] for key, values in parse_qs(query).items()}
        try:
            seen = int(asked.get("epoch", live.epoch))
        except ValueError:
            seen = live.epoch
        page = page_file(asked["page"]) if "page" in asked else None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 500\n\n")
        self.wfile.flush()
        while not live.stopping.is_set():
            epoch = live.wait_for_epoch(seen, HEARTBEAT_SECONDS)
            if live.stopping.is_set():
                return
            if epoch != seen:
                reload = live.reloads(page, seen, epoch)
                seen = epoch
                if reload:
                    self.wfile.write(f"event: reload\ndata: {epoch}\n\n".encode("ascii"))
            else:
                self.wfile.write(b": still here\n\n")
            self.wfile.flush()


def page_file(pathname: str) -> str | None:
    """The output path of the page a browser shows at `pathname` (its
    location.pathname, percent-encoded), or None when it cannot be told."""
    try:
        path = unquote(pathname, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    path = path.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


NOT_FOUND = """<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>الصفحة غير موجودة</title></head>
<body><h1>الصفحة غير موجودة</h1><p><a href="/">العودة إلى الصفحة الرئيسية</a></p></body></html>
"""


def overlay(problems: list[ContentError]) -> str:
    """Return the HTML drawn over every served page while the last build
    failed: every problem of every file, readable on a 360 px screen."""
    lang = language()
    items = "".join(f'<li style="margin-bottom:.6rem"><code dir="auto" style="overflow-wrap:anywhere;'
                    f'white-space:pre-wrap">{html.escape(str(p))}</code></li>' for p in problems)
    title = count(len(problems), "The site could not be built: {n} error", "The site could not be built: {n} errors")
    advice = _("Fix the problems below and save the file: this page reloads by itself. "
               "Behind this message is the last good version of the site.")
    return (
        f'<div id="archive-site-errors" role="alert" dir="{"rtl" if lang == "ar" else "ltr"}" lang="{lang}" '
        'style="position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.97);'
        'color:#fff;padding:clamp(.75rem,4vw,2rem);font:16px/1.7 system-ui,sans-serif">'
        f'<h2 style="color:#ff9b8e;margin-top:0">{html.escape(title)}</h2>'
        f"<p>{html.escape(advice)}</p>"
        f'<ul style="padding-inline-start:1.2rem">{items}</ul></div>'
    )


def allowed_host(header: str, bound: str) -> bool:
    """Whether a request's Host header names this preview: localhost (or a
    name under .localhost), an IP address, or the address it was bound to."""
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    if not host:
        return False
    if host in ("localhost", bound.lower()) or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the listen backlog: a page loads dozens of files at once

    def handle_error(self, request, client_address) -> None:
        # A client that misbehaves must never stop the server or print a traceback.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, socket.timeout, BrokenPipeError)):
            print(f"request from {client_address[0]} failed: {type(exc).__name__}: {exc}", file=sys.stderr)


class PortInUse(Exception):
    pass


def bind(host: str, port: int, handler: type, fixed_port: bool) -> Server:
    """Return a server on `host:port`; if the port is busy and was not chosen
    by the user, the next free one (up to 20 further)."""
    last = port if fixed_port else port + 20
    for candidate in range(port, last + 1):
        try:
            return Server((host, candidate), handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    raise PortInUse(Msg("port {port} is already in use", port=port) if fixed_port
                    else Msg("ports {first} to {last} are all in use", first=port, last=last))


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 8000, fixed_port: bool = False,
          drafts: bool = False, log=print, open_browser: bool = False) -> int:
    """Build, serve and watch until interrupted (Ctrl-C or SIGTERM); return the
    exit status. `open_browser`: open the site in the user's browser once served."""
    site_dir = site_dir.resolve()
    config = load_config(site_dir)
    scratch = make_scratch("serve")
    out_dir = scratch / "site"
    live = LiveSite(site_dir, out_dir, drafts=drafts, log=log, content_dirs=config.content_dirs)
    handler = type("LiveHandler", (Handler,), {"live": live})
    observer = Observer()
    threads: list[threading.Thread] = []
    server = None
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server = bind(host, port, handler, fixed_port)
        address = f"http://{host}:{server.server_address[1]}/"
        live.builder.options = replace(live.builder.options, base_url=address)
        report = live.rebuild(quiet=True)
        if report is not None and report.published:
            log(count(report.articles, "Built {n} article ({pages}) in {seconds} s",
                      "Built {n} articles ({pages}) in {seconds} s",
                      pages=count(report.pages, "{n} page", "{n} pages"), seconds=f"{report.seconds:.2f}"))
        SiteWatcher(live, config).schedule(observer)
        observer.start()
        threads = [threading.Thread(target=live.build_loop, name="rebuild", daemon=True),
                   threading.Thread(target=server.serve_forever, name="http", daemon=True)]
        for thread in threads:
            thread.start()
        log(_("Serving {site} (output in {output}) at {address}").format(site=site_dir, output=out_dir,
                                                                        address=address))
        if open_browser and not webbrowser.open(address):
            log(_("No browser could be opened here; open {address} yourself.").format(address=address))
        log(_("Watching for changes; press Ctrl-C to stop."))
        while True:
            # Short sleeps: a Ctrl-C that the system hands to another thread is
            # acted on by this one only when it wakes.
            time.sleep(0.5)
    except KeyboardInterrupt:
        log(_("Stopping."))
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        live.stopping.set()
        with live.epoch_changed:
            live.epoch_changed.notify_all()
        if observer.is_alive():
            observer.stop()
            observer.join(timeout=5)
        if server is not None:
            if any(t.name == "http" and t.is_alive() for t in threads):
                server.shutdown()
            server.server_close()
        live.search.stop()
        live.lock.acquire_write()  # wait for a build in progress to finish
        shutil.rmtree(scratch, ignore_errors=True)
        live.lock.release_write()
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
