"""`archive-site serve`, started as a real process and used over real HTTP."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import write_site

pytestmark = pytest.mark.slow  # each test starts a real server process

ARTICLE = "---\ntitle: {title}\ndate: 2021-06-14\nplaces: [حلب]\n---\n\n{body}\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A running `archive-site serve` and what it printed."""

    def __init__(self, site: Path, *args: str):
        self.site = site
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archive_site", "serve", str(site), "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
            preexec_fn=_interruptible)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for_line("Watching for changes")
        self.out_dir = Path(re.search(r"output in (\S+)\)", "\n".join(self.lines)).group(1))

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, "\n".join(self.lines)
            assert time.monotonic() < deadline, f"no '{text}' in:\n" + "\n".join(self.lines)
            time.sleep(0.02)

    def get(self, path: str) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        connection.close()
        return response.status, dict(response.getheaders()), body

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()  # never left running after the test
            self.process.wait()
            raise


def _interruptible() -> None:
    """In the server's process before it starts: Ctrl-C (SIGINT) stops it,
    as in a terminal, even when the tests run as a background job, whose
    processes start with SIGINT ignored (Python then sets no handler)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def site(tmp_path):
    return write_site(tmp_path / "site", {
        "content/bread.md": ARTICLE.format(title="أسعار الخبز", body="ارتفع سعر الخبز في حلب."),
        "content/water.md": ARTICLE.format(title="أزمة المياه", body="انقطعت المياه عن الأحياء."),
    })


@pytest.fixture
def served(site):
    server = Served(site)
    yield server
    server.stop()


def wait_until(condition, timeout: float = 2.0) -> float:
    """Wait until `condition()` is true; return the seconds it took."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, "not within the time allowed"
        time.sleep(0.02)
    return time.monotonic() - started


def test_serves_a_page_with_content_type_and_the_reload_script(served):
    status, headers, body = served.get("/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "أسعار الخبز" in body
    assert "/__archive-site/events?epoch=" in body
    css_status, css_headers, _ = served.get("/static/style.css")
    assert (css_status, css_headers["Content-Type"]) == (200, "text/css; charset=utf-8")


def test_the_reload_script_is_never_written_to_disk(served):
    for page in served.out_dir.rglob("*.html"):
        assert "__archive-site/events" not in page.read_text(encoding="utf-8")


def test_arabic_url_and_folder_redirect(served):
    status, _, body = served.get("/articles/" + quote("اسعار-الخبز") + "/")
    assert status == 200 and "ارتفع سعر الخبز" in body
    status, headers, _ = served.get("/places/aleppo")
    assert status == 301 and headers["Location"] == "/places/aleppo/"


def test_missing_page_is_a_404(served):
    status, headers, body = served.get("/no/such/page/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'lang="ar"' in body


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fetc/passwd",
                                  "/static/%2e%2e/%2e%2e/etc/passwd", "/..%5c..%5cetc/passwd"])
def test_traversal_is_refused(served, path):
    status, _, body = served.get(path)
    assert status == 403
    assert "root:" not in body


def test_symlink_pointing_out_is_refused(served, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret", encoding="utf-8")
    os.symlink(secret, served.out_dir / "static" / "leak.txt")
    status, _, body = served.get("/static/leak.txt")
    assert status == 403 and "secret" not in body


def test_invalid_utf8_in_the_address_is_a_400(served):
    assert served.get("/%ff%fe/")[0] == 400


def test_content_edit_reaches_the_page_within_2_seconds(served, site):
    (site / "content/bread.md").write_text(
        ARTICLE.format(title="أسعار الخبز", body="صار سعر الربطة ألف ليرة."), encoding="utf-8")
    page = "/articles/" + quote("اسعار-الخبز") + "/"
    wait_until(lambda: "صار سعر الربطة ألف ليرة" in served.get(page)[2], timeout=2.0)


def test_search_index_is_written_in_the_background_and_follows_edits(served, site):
    wait_until(lambda: served.get("/pagefind/pagefind.js")[0] == 200, timeout=30)
    entry = lambda: served.get("/pagefind/pagefind-entry.json")[2]  # noqa: E731
    before = entry()
    (site / "content/bread.md").write_text(
        ARTICLE.format(title="أسعار الخبز", body="صار سعر الربطة ألف ليرة."), encoding="utf-8")
    wait_until(lambda: entry() != before, timeout=30)  # page counts and hashes change with the articles
    # The documents Pagefind read are kept in the preview's own folder of the cache, the edit in them.
    documents = sorted((site / ".archive-site-cache/search-documents-preview").rglob("index.html"))
    assert len(documents) == 2
    assert any("ألف ليرة" in path.read_text(encoding="utf-8") for path in documents)


def test_new_file_and_template_edit_are_picked_up(served, site):
    write_site(site, {"content/new.md": ARTICLE.format(title="خبر جديد", body="نص الخبر الجديد.")})
    wait_until(lambda: "خبر جديد" in served.get("/")[2])
    write_site(site, {"templates/partials/footer.html": "<footer>تذييل معدل</footer>\n"})
    wait_until(lambda: "تذييل معدل" in served.get("/")[2])


def test_a_templates_folder_made_after_start_is_watched(served, site):
    assert not (site / "templates").exists()
    (site / "templates" / "partials").mkdir(parents=True)
    time.sleep(0.3)
    (site / "templates/partials/footer.html").write_text("<footer>أول</footer>\n", encoding="utf-8")
    wait_until(lambda: "<footer>أول</footer>" in served.get("/")[2])
    (site / "templates/partials/footer.html").write_text("<footer>ثانٍ</footer>\n", encoding="utf-8")
    wait_until(lambda: "<footer>ثانٍ</footer>" in served.get("/")[2])


def test_editor_temporary_files_do_not_trigger_a_rebuild(served, site):
    rebuilds = sum("Rebuilt" in line for line in served.lines)
    for name in (".#bread.md", "bread.md~", ".bread.md.swp", "4913"):
        (site / "content" / name).write_text("x", encoding="utf-8")
    time.sleep(0.6)
    assert sum("Rebuilt" in line for line in served.lines) == rebuilds


def test_reload_event_reaches_a_connected_client(served, site):
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    _, _, body = served.get("/")
    epoch = re.search(r"epoch=(\d+)", body).group(1)
    connection.request("GET", f"/__archive-site/events?epoch={epoch}")
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    assert response.readline() == b"retry: 500\n"
    response.readline()
    (site / "content/water.md").write_text(ARTICLE.format(title="أزمة المياه", body="عادت المياه."),
                                           encoding="utf-8")
    assert response.readline() == b"event: reload\n"
    assert response.readline().startswith(b"data: ")
    connection.close()


def listen(served: Served, page: str) -> http.client.HTTPResponse:
    """A reload-event stream, as the page at `page` opens it."""
    _, _, body = served.get(page)
    epoch = re.search(r"epoch=(\d+)", body).group(1)
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=3)
    connection.request("GET", f"/__archive-site/events?epoch={epoch}&page={quote(page)}")
    response = connection.getresponse()
    assert response.readline() == b"retry: 500\n"
    response.readline()
    return response


def test_an_edited_article_is_shown_first_and_only_pages_that_changed_reload(served, site):
    page = "/articles/" + quote("اسعار-الخبز") + "/"
    article, search = listen(served, page), listen(served, "/search/")
    (site / "content/bread.md").write_text(
        ARTICLE.format(title="أسعار الخبز", body="صار سعر الربطة ألف ليرة."), encoding="utf-8")
    assert article.readline() == b"event: reload\n"
    assert "صار سعر الربطة ألف ليرة" in served.get(page)[2]
    served.wait_for_line("Rebuilt:")
    assert any("Shown first: 1 edited article" in line for line in served.lines)
    with pytest.raises(TimeoutError):  # the search page did not change: not reloaded
        search.readline()
    # A template edit may change every page: the search page reloads too.
    search = listen(served, "/search/")
    write_site(site, {"templates/partials/footer.html": "<footer>تذييل معدل</footer>\n"})
    assert search.readline() == b"event: reload\n"

def test_broken_file_shows_the_overlay_and_the_server_survives(served, site):
    (site / "content/broken.md").write_text("---\ntitle: [\n---\nنص\n", encoding="utf-8")
    wait_until(lambda: "archive-site-errors" in served.get("/")[2])
    _, _, body = served.get("/")
    assert "content/broken.md:2: front matter is not valid YAML" in body
    assert "أسعار الخبز" in body  # the last good page is still under the overlay
    (site / "content/broken.md").write_text("---\ntitle: أصلح\n---\nنص مصلح\n", encoding="utf-8")
    wait_until(lambda: "archive-site-errors" not in served.get("/")[2] and "أصلح" in served.get("/")[2])


def test_flood_and_abrupt_disconnects_do_not_stop_the_server(served):
    def abrupt():
        with socket.create_connection(("127.0.0.1", served.port)) as s:
            s.sendall(b"GET /articles/")  # half a request, then gone

    def full():
        assert served.get("/")[0] == 200

    threads = [threading.Thread(target=abrupt if i % 3 == 0 else full) for i in range(150)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with socket.create_connection(("127.0.0.1", served.port)) as s:
        s.sendall(b"GET /__archive-site/events HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(100)  # an event stream left open and dropped
    assert served.get("/")[0] == 200
    assert served.process.poll() is None


def test_ctrl_c_stops_cleanly_and_removes_the_output(site):
    server = Served(site)
    out_dir = server.out_dir
    assert out_dir.is_dir()
    assert server.stop() == 0
    assert not out_dir.exists()
    assert any("Stopping." in line for line in server.lines)
    assert not any("Traceback" in line for line in server.lines)


def test_busy_port_is_a_clear_error_when_asked_for(site):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "archive_site", "serve", str(site), "--port", str(port)],
                             capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    assert f"error: port {port} is already in use; choose another with --port" in run.stderr


def test_open_starts_the_browser_on_the_served_address(site, tmp_path, monkeypatch):
    opened = tmp_path / "opened.txt"
    # Python's webbrowser runs $BROWSER with the address in place of %s.
    monkeypatch.setenv("BROWSER", f"sh -c 'echo \"$0\" > {opened}' %s")
    server = Served(site, "--open")
    try:
        wait_until(opened.exists, timeout=10)
        assert opened.read_text().strip() == f"http://127.0.0.1:{server.port}/"
    finally:
        server.stop()


def test_plugin_and_extra_page_edits_are_picked_up(site):
    write_site(site, {
        "site.yml": "plugins: [plugins/mark.py]\nextra_pages: [pages/about.md]\n",
        "plugins/mark.py": "def on_env(env, context):\n    env.globals['mark'] = 'أولى'\n",
        "templates/partials/footer.html": "<footer>{{ mark }}</footer>\n",
        "pages/about.md": "---\ntitle: عن الأرشيف\nslug: about\n---\nنص أول\n"})
    server = Served(site)
    try:
        assert "<footer>أولى</footer>" in server.get("/")[2]
        write_site(site, {"plugins/mark.py": "def on_env(env, context):\n    env.globals['mark'] = 'ثانية'\n"})
        wait_until(lambda: "<footer>ثانية</footer>" in server.get("/")[2], timeout=5)
        write_site(site, {"pages/about.md": "---\ntitle: عن الأرشيف\nslug: about\n---\nنص معدل\n"})
        wait_until(lambda: "نص معدل" in server.get("/about/")[2], timeout=5)
    finally:
        server.stop()


def test_a_broken_article_keeps_its_last_good_page_and_warnings_are_printed(served, site):
    (site / "content/short.md").write_text("---\ntitle: خبر قصير\nslug: short\n---\nنص قصير جداً\n", encoding="utf-8")
    served.wait_for_line("content/short.md: warning: very short body")
    wait_until(lambda: served.get("/articles/short/")[0] == 200, timeout=10)
    # Broken: every problem of the file at once, and its page stays the last good one.
    (site / "content/short.md").write_text("---\ntitle: ''\nslug: short\ndate: 2019-02-30\n---\nنص\n",
                                            encoding="utf-8")
    wait_until(lambda: "archive-site-errors" in served.get("/articles/short/")[2], timeout=10)
    status, _, body = served.get("/articles/short/")
    assert status == 200 and "<h1>خبر قصير</h1>" in body
    assert "content/short.md:2: &#x27;title&#x27; is empty" in body
    assert "2019-02-30" in body
    assert sum("short.md: warning: very short body" in line for line in served.lines) == 1, "\n".join(served.lines)


def test_reload_events_know_which_pages_changed_and_answer_unknown_epochs_at_once(tmp_path):
    from archive_site.serve import LiveSite, page_file

    live = LiveSite(tmp_path, tmp_path / "out")
    try:
        live.advance([], frozenset({"a/index.html"}))  # epoch 1
        live.advance([], frozenset({"b/index.html"}))  # epoch 2
        assert live.reloads("a/index.html", 0, 2) and not live.reloads("c/index.html", 0, 2)
        assert not live.reloads("a/index.html", 1, 2) and live.reloads(None, 1, 2)
        live.advance([], None)  # epoch 3: any page
        assert live.reloads("c/index.html", 2, 3)
        assert live.reloads("c/index.html", -10**15, 3)  # older than remembered: at once, nothing counted
    finally:
        live.search.stop()
    assert page_file("/") == "index.html" and page_file("/feed.xml") == "feed.xml"
    assert page_file("/articles/%D8%AD%D9%84%D8%A8/") == "articles/حلب/index.html"
    assert page_file("/%ff/") is None


def test_a_failure_while_showing_an_edit_first_is_said_and_the_rebuild_still_runs(site, tmp_path):
    from archive_site.serve import LiveSite

    said: list[str] = []
    live = LiveSite(site, tmp_path / "out", log=said.append, content_dirs=("content",))
    try:
        assert live.rebuild(quiet=True).published

        def broken(paths, writer):
            raise RuntimeError("boom")

        live.builder.render_ahead = broken
        (site / "content/water.md").write_text(ARTICLE.format(title="أزمة المياه", body="عادت المياه."),
                                               encoding="utf-8")
        report = live.rebuild(touched={site / "content/water.md"})
        assert report.published and any("could not be shown first (RuntimeError: boom)" in line for line in said)
        page = tmp_path / "out/articles" / "ازمة-المياه" / "index.html"
        assert "عادت المياه" in page.read_text(encoding="utf-8")
    finally:
        live.search.stop()
