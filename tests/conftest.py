"""Shared fixtures: small sites written inline, the CLI run in-process."""

from __future__ import annotations

import contextlib
import functools
import shutil
import sys
import textwrap
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from archive_site import i18n
from archive_site.cli import main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def _user_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("user-cache")


@pytest.fixture(autouse=True)
def user_cache_folder(monkeypatch, _user_cache):
    """The user's own cache folder (where resume.py keeps its signing key)
    is one of the test session's, never the home folder of whoever runs them."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(_user_cache))


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    """Tests read English messages whatever the machine's locale; a test
    that wants Arabic sets LANGUAGE itself or writes `messages: ar`."""
    monkeypatch.setenv("LANGUAGE", "en")
    i18n.activate("en")
    yield
    i18n.activate("en")


def snapshot(folder: Path, search: bool = False, marker: bool = True) -> dict[str, bytes]:
    """Return every file under `folder` (relative path -> bytes). The search
    index is left out unless `search`: Pagefind does not write the same
    bytes twice for the same input (its filter files come out in a varying
    order), so builds are compared on the pages, feeds and static files."""
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if not path.is_file() or (rel.startswith("pagefind/") and not search) or (rel == ".archive-site" and not marker):
            continue
        files[rel] = path.read_bytes()
    return files


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text or bytes) under `root`; text is
    dedented and stripped of its first newline. Returns `root`."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@dataclass
class Run:
    status: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, request):
    """Run `archive-site ARGS` in this process; return status and output.
    `build` runs with --no-search unless the test is marked `tools` (the
    search index is written by Pagefind, one of the outside tools)."""
    with_search = request.node.get_closest_marker("tools") is not None

    def run(*args: str | Path) -> Run:
        args = [str(a) for a in args]
        if args and args[0] == "build" and not with_search and "--no-search" not in args:
            args.append("--no-search")
        status = main(args)
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "link"):
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def page_links(out: Path, page: Path) -> list[Path]:
    """Return the local files that the links of `page` (inside `out`) point to."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    base = page.relative_to(out).as_posix()
    targets = []
    for href in parser.hrefs:
        if "://" in href or href.startswith(("mailto:", "#")):
            continue
        path = unquote(urljoin("/" + base, href.split("#")[0])).lstrip("/")
        target = out / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        targets.append(target)
    return targets


def crawl(out: Path) -> set[Path]:
    """Return every page reachable by links from the home page of `out`."""
    seen: set[Path] = set()
    todo = [out / "index.html"]
    while todo:
        page = todo.pop()
        if page in seen or page.suffix != ".html" or not page.is_file():
            continue
        seen.add(page)
        todo.extend(page_links(out, page))
    return seen


def tool(name: str) -> str:
    """The command `name` installed with the test dependencies: beside this
    Python (a virtual environment's bin/, which may not be on PATH), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run the README's test command")
    return found


# --- a real browser and a real HTTP server, for the tests that need them ------------

BROWSER_FIXTURES = {"chromium", "search_page"}


def pytest_collection_modifyitems(items):
    """Mark every test that drives Chromium as `browser`, from the fixtures
    it uses (so `-m "not browser"` leaves them out of an everyday run)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium (Debian's package, never a downloaded one) driven by
    Playwright. Not named `browser`, which pytest-playwright would take over."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a browser that closes a connection early; the tests check what pages show


@contextlib.contextmanager
def http_server(folder: Path):
    """Serve `folder` over HTTP on a free port; yield its address ("http://127.0.0.1:PORT/")."""
    server = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
