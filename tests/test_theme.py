"""The theme as readers see it: real Chromium, the Nu HTML checker, a link
checker, axe, and checks of the stylesheet itself."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import REPO, http_server, tool

ARTIFACTS = REPO / "test-artifacts" / "screenshots"
VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
STYLE = REPO / "src/archive_site/theme/static/style.css"
WIDTHS = {"phone": 360, "desktop": 1280}
PAGES = {
    "home": "",
    "article": "articles/غارات-جوية-على-ريف-ادلب-الجنوبي-تدفع-الاف-العائلات-الى-النزوح-شمالا/",
    "place": "places/aleppo/",
    "search": "search/",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The bundled sample site, built, and served over HTTP."""
    out = tmp_path_factory.mktemp("sample") / "build"
    from archive_site.cli import main

    assert main(["build", str(REPO), "-o", str(out), "-q"]) == 0
    assert all((out / path / "index.html").is_file() for path in PAGES.values()), "sample pages moved"
    with http_server(out) as address:
        yield out, address


def open_page(chromium, address: str, path: str, width: int, errors: list, **options):
    page = chromium.new_page(viewport={"width": width, "height": 800}, **options)
    page.on("console", lambda m: m.type == "error" and errors.append(f"{path}: {m.text}"))
    page.on("pageerror", lambda exc: errors.append(f"{path}: {exc}"))
    page.goto(address + path)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    return page


@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_pages_render_right_to_left_in_arabic_without_errors_or_sideways_scroll(chromium, sample, name, device):
    out, address = sample
    errors: list[str] = []
    page = open_page(chromium, address, PAGES[name], WIDTHS[device], errors)
    if name == "search":
        page.fill(".pagefind-ui__search-input", "غارة")
        page.wait_for_selector(".pagefind-ui__result-link")
    try:
        assert page.evaluate("document.documentElement.lang") == "ar"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        # The page's Arabic is drawn with the shipped face, not boxes or a fallback.
        assert page.evaluate("""() => [...document.fonts].some(
            f => f.family.includes('Archive Naskh') && f.status === 'loaded')""")
        assert page.evaluate("document.fonts.check('16px \"Archive Naskh\"', 'بزاعة')")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow}px of horizontal scroll"
        assert errors == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{device}.png"), full_page=False)
    finally:
        page.close()


def test_keyboard_reaches_the_skip_link_then_the_navigation(chromium, sample):
    out, address = sample
    errors: list[str] = []
    page = open_page(chromium, address, PAGES["article"], 360, errors)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "انتقل إلى المحتوى"
    box = page.evaluate("JSON.stringify(document.activeElement.getBoundingClientRect())")
    assert '"y":-' not in box.replace(" ", "")  # the skip link shows when focused
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    labels = []
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.goto(page.url.split("#")[0])
    for _ in range(8):
        page.keyboard.press("Tab")
        labels.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert labels[:3] == ["انتقل إلى المحتوى", "أرشيف التوثيق", "الرئيسية"]
    assert {"الأماكن", "الجهات الفاعلة", "الوسوم", "الأرشيف", "البحث"} <= set(labels)
    page.keyboard.press("Enter")  # the focused link is followed
    page.wait_for_load_state()
    assert errors == []
    page.close()


def test_dark_mode_follows_the_system_setting(chromium, sample):
    out, address = sample
    colours = {}
    for scheme in ("light", "dark"):
        page = open_page(chromium, address, "", 1280, [], color_scheme=scheme)
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.close()
    assert colours["light"] != colours["dark"]
    assert luminance(*map(int, re.findall(r"\d+", colours["dark"])[:3])) < 0.05


def test_printed_article_keeps_text_and_citation_without_navigation(chromium, sample):
    out, address = sample
    page = open_page(chromium, address, PAGES["article"], 1280, [])
    page.emulate_media(media="print")
    shown = page.evaluate("""() => Object.fromEntries(['.site-nav', '.related', '.article-nav', '.citation',
        '.article-body'].map(s => [s, document.querySelector(s) ? getComputedStyle(document.querySelector(s)).display
        : 'absent']))""")
    assert shown[".site-nav"] == "none" and shown[".related"] in ("none", "absent")
    assert shown[".citation"] != "none" and shown[".article-body"] != "none"
    page.close()


@pytest.mark.tools
def test_every_page_passes_the_nu_html_checker(sample):
    out, _ = sample
    pages = sorted(str(p) for p in out.rglob("*.html"))
    run = subprocess.run([shutil.which("java") or "java", "-jar", str(VNU), "--errors-only", *pages],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    assert len(pages) > 100


@pytest.mark.tools
def test_no_broken_internal_links(sample):
    out, address = sample
    run = subprocess.run([tool("linkchecker"), "--no-warnings", "--no-status", "--threads", "4", address],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:]
    assert re.search(r"[1-9]\d* links? in [1-9]\d* URLs? checked", run.stdout), run.stdout[-1000:]


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violations(chromium, sample, name):
    from axe_playwright_python.sync_playwright import Axe

    out, address = sample
    page = open_page(chromium, address, PAGES[name], 1280, [])
    violations = Axe().run(page).response["violations"]
    page.close()
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert serious == []


# --- the stylesheet ----------------------------------------------------------------

def luminance(r: int, g: int, b: int) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = (luminance(*(int(c[i:i + 2], 16) for i in (1, 3, 5))) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def palettes() -> dict[str, dict[str, str]]:
    css = STYLE.read_text(encoding="utf-8")
    light = css[css.index(":root {"):]
    dark = css[css.index("@media (prefers-color-scheme: dark)"):]
    found = {}
    for name, block in (("light", light), ("dark", dark)):
        block = block[: block.index("}")]
        found[name] = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", block))
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_meet_wcag_aa_contrast(scheme):
    # axe skips contrast on Arabic text (it takes the glyphs for icon ligatures),
    # so the theme's colour pairs are checked here.
    colours = palettes()[scheme]
    for fg in ("text", "muted", "accent", "accent-hover"):
        for bg in ("background", "surface"):
            ratio = contrast(colours[fg], colours[bg])
            assert ratio >= 4.5, f"{scheme}: {fg} on {bg} is {ratio:.2f}:1"


def test_the_contrast_check_can_fail():
    assert contrast("#777777", "#888888") < 4.5 <= contrast("#1f2328", "#fdfcf9")


PHYSICAL = re.compile(r"(?<![\w-])(margin|padding|border|inset)-(left|right)\b|(?<![\w-])(left|right)\s*:"
                      r"|(?:text-align|float|clear)\s*:\s*(left|right)")
FOUR_SIDED = re.compile(r"(?<![\w-])(margin|padding|inset)\s*:\s*[^;{}]+\s+[^;{}]+\s+[^;{}]+;")


def test_stylesheet_uses_logical_properties_only():
    css = re.sub(r"/\*.*?\*/", "", STYLE.read_text(encoding="utf-8"), flags=re.S)
    assert PHYSICAL.findall(css) == []
    assert FOUR_SIDED.findall(css) == []  # three or four values name left and right


def test_the_physical_property_check_can_fail():
    assert PHYSICAL.search("a { margin-left: 1rem }") and PHYSICAL.search("p { text-align: right; }")
    assert FOUR_SIDED.search("p { margin: 0 1rem 0 2rem; }") and not FOUR_SIDED.search("p { margin: 0 1rem; }")
