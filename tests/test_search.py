"""Search: the Arabic search keys, and the real index in a real browser."""

from __future__ import annotations

import json
import re

import pytest
from conftest import http_server, write_site
from hypothesis import given
from hypothesis import strategies as st

from archive_site import arabic

# (query, word in a text) pairs a reader expects to meet.
MEETING = [
    ("قوات", "القوات"), ("القوات", "قوات"), ("قوات", "للقوات"), ("معتقل", "والمعتقل"),
    ("والمعتقل", "معتقل"), ("غارة", "بغارة"), ("غارات", "غارة"), ("غارة", "الغارات"),
    ("وزارة", "الوزارة"), ("اسرائيل", "إسرائيل"), ("قذيفة", "قَذِيفَةٌ"), ("حلب", "وبحلب"),
]


@pytest.mark.parametrize("query, written", MEETING)
def test_query_key_is_among_the_readings_of_the_written_word(query, written):
    assert arabic.search_key(query) in arabic.search_forms(arabic.search_normal(written))


def test_short_words_are_left_whole():
    assert arabic.search_key("بلد") == "بلد"
    assert arabic.search_key("ذات") == "ذات"


ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
PREFIXES = ["", "و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "فال", "كال", "لل", "وب", "ول", "وبال", "فلل"]


@given(stem=st.text(alphabet=ARABIC_LETTERS, min_size=3, max_size=9), prefix=st.sampled_from(PREFIXES))
def test_a_word_with_clitics_meets_its_bare_form(stem, prefix):
    # The bare word's key is one of the readings of every prefixed form: what
    # makes قوات find القوات and معتقل find والمعتقل.
    assert arabic.search_key(stem) in arabic.search_forms(prefix + stem)


def test_index_words_are_the_readings_missing_from_the_text():
    extra = arabic.search_extra_words("قصفت القواتُ الحكومية، والمدنيين")
    assert {"قوات", "مدنيين", "المدنيين", "حكومية"} <= set(extra)
    assert "القوات" in extra  # written only with a diacritic
    assert "الحكومية" not in extra  # written as it is already


def test_a_first_letter_is_kept_where_the_archive_writes_the_word_whole():
    counts = arabic.reading_counts(["التقى بشار بالوفد في الشارع", "تحدثت فاطمة عن ابنها", "مخيمات أطمة",
                                    "قتل مدنيان بغارة", "استهدفت الغارة", "غارات جديدة", "لجنة التحقيق"])
    keep = arabic.search_keep(counts)
    assert {"بشار", "فاطمة", "لجنة"} <= keep and "بغارة" not in keep
    assert arabic.search_key("بشار", keep) == "بشار" and arabic.search_key("بشار") == "شار"
    assert arabic.search_key("وبشار", keep) == "بشار"
    assert arabic.search_key("بغارة", keep) == "غارة"
    assert arabic.search_key("بالوفد", keep) == "وفد"  # a clitic before ال always is one
    # one word starting with such a letter is searched exactly: the engine's stemmer would strip it
    assert arabic.search_query("بشار", keep) == '"بشار"'
    assert arabic.search_query("بشار الأسد", keep) == "بشار اسد"
    assert arabic.search_query("قوات") == "قوة"
    # the index of an article that writes فاطمة does not hold اطمة
    assert "اطمة" not in arabic.search_extra_words("تحدثت فاطمة عن ابنها", keep=keep)
    assert "اطمة" in arabic.search_extra_words("تحدثت فاطمة عن ابنها")


@pytest.mark.parametrize("written, query", [
    ("مجازر", "مجزرة"), ("المجزرة", "مجازر"), ("البراميل", "برميل"), ("أطفال", "طفل"), ("منازلهم", "منازل"),
    ("الرقة", "الرقه"), ("مسؤول", "مسئول"), ("المسئولين", "مسؤولين"), ("المعتقلين", "معتقل"),
])
def test_the_index_holds_other_spellings_and_broken_plurals(written, query):
    indexed = set(arabic.search_extra_words(written)) | set(arabic.written_words(arabic.search_normal(written)))
    assert any(form.startswith(arabic.search_key(query)) for form in indexed), sorted(indexed)


def test_persian_and_arabic_digits_are_searched_as_ascii():
    assert arabic.search_key("۲۰۱۹") == arabic.search_key("٢٠١٩") == "2019"


def test_reading_time_in_arabic():
    assert arabic.reading_time(50) == "دقيقة واحدة"
    assert arabic.reading_time(360) == "دقيقتان"
    assert arabic.reading_time(900) == "5 دقائق"
    assert arabic.reading_time(3000) == "17 دقيقة"


# --- the real index, in Chromium -----------------------------------------------------------

ARTICLES = {
    "a-forces": ("2021-05-02", "قصف على أحياء إدلب", "قصفت القوات الحكومية أحياء سكنية في مدينة إدلب صباح الأحد."),
    "b-quwat": ("2020-02-10", "انسحاب من سراقب", "انسحبت قوات المعارضة من بلدة سراقب بعد اشتباكات استمرت يومين."),
    "c-raid": ("2019-08-03", "مقتل مدنيين في ريف حلب", "قتل مدنيان بغارة جوية استهدفت طريقاً زراعياً في ريف حلب."),
    "d-raids": ("2020-11-20", "استهداف سوق شعبية", "استهدفت الغارات الجوية سوقاً شعبية مزدحمة عند الظهيرة."),
    "e-state": ("2022-01-21", "هجوم على سجن", "تبنى تنظيم الدولة الإسلامية الهجوم على السجن في ساعة متأخرة من الليل."),
    "f-detainee": ("2023-03-01", "شهادة معتقل سابق", "تحدث والمعتقل السابق عن ظروف احتجازه الطويل أمام الصحفيين."),
    "g-civilians": ("2023-08-14", "قصف مدفعي", "قتل عدد من العناصر والمدنيين في القصف المدفعي على القرية."),
    "h-tashkeel": ("2018-03-18", "قذيفة على مدرسة", "سَقَطَتْ قَذِيفَةٌ عَلَى مَدْرَسَةٍ فِي الحَيِّ فَأَصَابَتْ طَالِبَيْنِ."),
    "i-alef": ("2024-03-05", "غارات على مواقع", "استهدفت إسرائيل مواقع عسكرية قرب مطار دمشق الدولي."),
    "j-bashar": ("2012-06-01", "لقاء في القصر", "التقى بشار وفداً أممياً في القصر صباح الخميس."),
    "k-street": ("2013-04-09", "إغلاق طريق", "أغلقت دورية أمنية الشارع الرئيسي في المدينة طوال النهار."),
    "l-massacres": ("2014-07-12", "تقرير سنوي", "وثّق التقرير مجازر عدة ارتكبت في المنطقة خلال العام."),
    "m-official": ("2025-02-02", "تصريح رسمي", "قال مسؤول محلي إن المساعدات وصلت إلى الأهالي."),
    "n-raqqa": ("2017-10-20", "عودة النازحين", "عاد نازحون إلى مدينة الرقة بعد انتهاء المعارك."),
    "o-idlib-twice": ("2020-02-05", "تقدم نحو سراقب", "تقدمت القوات نحو سراقب ثم نحو أريحا في ريف إدلب."),
}

# What a reader types, and the articles that must come back (and some that must not).
QUERIES = [
    ("قوات", {"a-forces", "b-quwat"}, set()),
    ("القوات", {"a-forces", "b-quwat"}, set()),
    ("غارة", {"c-raid", "d-raids", "i-alef"}, {"a-forces"}),
    ("غارات", {"c-raid", "d-raids", "i-alef"}, set()),
    ("بغارة", {"c-raid", "d-raids"}, set()),
    ("داعش", {"e-state"}, {"a-forces"}),
    ("معتقل", {"f-detainee"}, set()),
    ("مدني", {"g-civilians", "c-raid"}, set()),
    ("قذيفة", {"h-tashkeel"}, set()),
    ("قَذِيفَة", {"h-tashkeel"}, set()),
    ("اسرائيل", {"i-alef"}, set()),
    ("إسرائيل", {"i-alef"}, set()),
    ("مجزرة", {"l-massacres"}, set()),  # a broken plural
    ("بشار", {"j-bashar"}, {"k-street"}),  # ب is part of the name: never شار
    ("الرقه", {"n-raqqa"}, set()),  # ة typed as ه
    ("مسئول", {"m-official"}, set()),  # the other seat of the hamza
    ("۲۰۱۷", {"n-raqqa"}, set()),  # Persian digits
]


@pytest.fixture(scope="module")
def search_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    files = {f"content/{slug}.md": f"---\ntitle: {title}\ndate: {date}\nslug: {slug}\n---\n\n{text}\n"
             for slug, (date, title, text) in ARTICLES.items()}
    write_site(root, files)
    from archive_site.cli import main

    assert main(["build", str(root), "-q"]) == 0
    with http_server(root / "build") as address:
        yield address, frozenset(json.loads((root / "build/pagefind/archive-site-keep.json").read_text("utf-8")))


def wait_for_results(page, query: str) -> None:
    """Wait until the results of `query` are shown in full: the message gives
    their count for this query (not the "searching" one), and as many result
    links as the interface shows at first (five at most) have loaded their
    data (Pagefind draws a placeholder per result, then fills it)."""
    page.wait_for_function(
        """q => {
            const message = document.querySelector('.pagefind-ui__message');
            const text = message ? message.textContent : '';
            if (!text.includes('«' + q + '»') || text.startsWith('جارٍ')) return false;
            const count = text.startsWith('لا نتائج') ? 0 :
                text.startsWith('نتيجة واحدة') ? 1 : parseInt(text.split(':').pop(), 10);
            return document.querySelectorAll('.pagefind-ui__loading').length === 0 &&
                document.querySelectorAll('.pagefind-ui__result-link').length === Math.min(count, 5);
        }""", arg=query)


def results(page, query: str) -> list[str]:
    """Type `query` into the search box; return the slugs of the results shown."""
    page.fill(".pagefind-ui__search-input", query)
    wait_for_results(page, query)
    hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => a.href)")
    return [re.search(r"/articles/([^/]+)/", href).group(1) for href in hrefs]


@pytest.fixture(scope="module")
def search_page(chromium, search_site):
    page = chromium.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    address, keep = search_site
    page.goto(address + "search/")
    page.wait_for_selector(".pagefind-ui__search-input")
    page.wait_for_function("() => window.archiveSiteSearch.ready")
    page.keep = keep
    yield page, errors
    page.close()


@pytest.mark.parametrize("query, expected, unexpected", QUERIES)
def test_arabic_queries_find_variant_forms(search_page, query, expected, unexpected):
    page, errors = search_page
    found = set(results(page, query))
    assert expected <= found, f"{query}: found {sorted(found)}"
    assert not (unexpected & found), f"{query}: found {sorted(found)}"
    assert errors == []


def test_browser_and_python_reduce_queries_alike(search_page):
    page, _ = search_page
    words = [q for q, _, _ in QUERIES] + [w for pair in MEETING for w in pair] + ["وبالقوات", "فللمعتقلين", "Idlib"]
    words += ["بشار", "فاطمة", "۱۲۳", "بشار الأسد", "وبالمجازر"]
    keys = page.evaluate("words => words.map(w => window.archiveSiteSearch.key(w))", words)
    assert keys == [arabic.search_key(w, page.keep) for w in words]
    queries = page.evaluate("words => words.map(w => window.archiveSiteSearch.processTerm(w))", words)
    assert queries == [arabic.search_query(w, page.keep) for w in words]
    assert "بشار" in page.keep


def test_excerpts_show_the_article_text_with_the_match_marked(search_page):
    page, _ = search_page
    assert results(page, "قوات")
    excerpts = page.eval_on_selector_all(".pagefind-ui__result-excerpt", "els => els.map(e => e.innerHTML)")
    shown = page.inner_text(".pagefind-ui__results")
    assert "Forms" not in shown and "Summary" not in shown  # the index's own metadata stays hidden
    for excerpt in excerpts:
        marked = re.findall(r"<mark>(.*?)</mark>", excerpt)
        assert marked and set(marked) <= {"القوات", "قوات"}, excerpt
        words = set(re.sub(r"</?mark>", "", excerpt).replace("…", "").split())
        # Words of one article only: none of the readings added for the index.
        assert any(words <= set(f"{title}. {text}".split()) for _, title, text in ARTICLES.values()), excerpt


def shown_slugs(page) -> list[str]:
    hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "links => links.map(a => a.href)")
    return [re.search(r"/articles/([^/]+)/", href).group(1) for href in hrefs]


def filter_group(page, name: str):
    """The <details> of the filter `name` (Pagefind may draw it open or closed)."""
    return page.locator("details.pagefind-ui__filter-block",
                        has=page.locator("summary.pagefind-ui__filter-name", has_text=name))


def filter_by(page, name: str, value: str, expected: list[str]) -> None:
    """Tick `value` under the filter `name`; wait until `expected` is shown."""
    group = filter_group(page, name)
    group.evaluate("details => { details.open = true; }")  # whatever state it was left in
    box = group.get_by_label(re.compile(f"^{value}"))
    box.check()
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('.pagefind-ui__result-link').length === n", arg=len(expected),
            timeout=5000)
        assert shown_slugs(page) == expected
    finally:
        box.uncheck()
        group.evaluate("details => { details.open = false; }")


def test_results_narrow_to_a_year_and_a_place(search_page):
    page, errors = search_page
    assert {"c-raid", "d-raids"} <= set(results(page, "غارة"))
    filter_by(page, "السنة", "2019", ["c-raid"])
    filter_by(page, "المكان", "حلب", ["c-raid"])  # the article names ريف حلب, which is inside حلب
    assert errors == []


def test_filter_counts_are_counts_of_articles(search_page):
    # o-idlib-twice names two places in ريف إدلب: it counts once under إدلب, as under every place.
    page, errors = search_page
    found = results(page, "قوات")
    assert "o-idlib-twice" in found
    group = filter_group(page, "المكان")
    group.evaluate("details => { details.open = true; }")
    labels = group.locator("label").all_inner_texts()
    group.evaluate("details => { details.open = false; }")
    counts = {m.group(1).strip(): int(m.group(2)) for m in (re.match(r"(.+?)\s*\((\d+)\)", t) for t in labels) if m}
    assert counts.get("إدلب") and counts.get("ريف إدلب")
    for place in ("إدلب", "ريف إدلب", "سراقب"):
        shown = counts[place]
        group.evaluate("details => { details.open = true; }")
        box = group.get_by_label(re.compile(rf"^{re.escape(place)}\s*\("))  # not ريف إدلب الجنوبي
        box.check()
        try:
            page.wait_for_function("n => document.querySelectorAll('.pagefind-ui__result-link').length === n",
                                   arg=min(shown, 5), timeout=5000)
            assert len(shown_slugs(page)) == min(shown, 5)
        finally:
            box.uncheck()
            group.evaluate("details => { details.open = false; }")
    assert counts["إدلب"] == len([s for s in found if s in {"a-forces", "b-quwat", "o-idlib-twice"}])
    assert errors == []


def test_places_in_the_filter_are_a_tree(search_page):
    page, errors = search_page
    results(page, "قوات")
    group = filter_group(page, "المكان")
    group.evaluate("details => { details.open = true; }")
    page.wait_for_function("() => document.querySelector('.archive-site-tree') !== null")
    shown = group.evaluate("""details => Array.from(details.querySelectorAll('.pagefind-ui__filter-value'))
        .map(v => [v.getBoundingClientRect().top, v.querySelector('input').value,
                   parseFloat(getComputedStyle(v).paddingInlineStart)])
        .sort((a, b) => a[0] - b[0]).map(v => [v[1], v[2]])""")
    group.evaluate("details => { details.open = false; }")
    order = [name for name, _ in shown]
    indent = dict(shown)
    assert order.index("إدلب") < order.index("ريف إدلب") < order.index("سراقب")  # each under what holds it
    assert indent["إدلب"] == 0 < indent["ريف إدلب"] < indent["سراقب"]
    assert errors == []


def test_search_page_is_arabic_and_right_to_left(search_page):
    page, _ = search_page
    assert page.evaluate("getComputedStyle(document.querySelector('.pagefind-ui')).direction") == "rtl"
    assert page.get_attribute(".pagefind-ui__search-input", "placeholder") == "ابحث في الأرشيف"


@pytest.mark.tools
def test_without_pagefind_the_site_still_builds(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing-pagefind"))
    site = write_site(tmp_path / "site", {"content/a.md": "---\ntitle: عنوان\n---\nنص\n"})
    run = cli("build", site)
    assert run.status == 0
    assert "warning: search index not built: Pagefind failed" in run.err
    assert (site / "build/articles/عنوان/index.html").is_file()
    assert (site / "build/search/index.html").is_file()
    assert not (site / "build/pagefind").exists()


@pytest.mark.tools
def test_unchanged_articles_keep_the_index(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": "---\ntitle: عنوان\n---\nنص\n"})
    assert "Search index written" in cli("build", site).out
    assert "Search index unchanged" in cli("build", site).out
    write_site(site, {"content/b.md": "---\ntitle: آخر\n---\nنص\n"})
    assert "Search index written" in cli("build", site).out


def test_documents_written_by_two_processes_are_those_one_writes(tmp_path):
    from archive_site.config import SiteConfig
    from archive_site.gazetteer import PACKAGED, _read
    from archive_site.loader import load_site
    from archive_site.search import write_documents
    from archive_site.taxonomy import make_site

    files = {f"content/a{n:03}.md": f"---\ntitle: خبر {n}\ndate: 2020-01-{n % 28 + 1:02}\nslug: a{n:03}\n---\n\n"
             f"قصفت قوات النظام بلدة سراقب وبشار {n} في ريف إدلب.\n" for n in range(240)}  # past fork_map's threshold
    site_dir = write_site(tmp_path / "site", files)
    gazetteer = _read(PACKAGED.read_text(encoding="utf-8"), "gazetteer.yml")
    site = make_site(SiteConfig(), load_site(site_dir).articles, gazetteer)
    one, two = tmp_path / "one", tmp_path / "two"
    assert write_documents(one, site, gazetteer, jobs=1) == write_documents(two, site, gazetteer, jobs=2)
    written = {p.relative_to(one): p.read_bytes() for p in one.rglob("*.html")}
    assert len(written) == 240
    assert written == {p.relative_to(two): p.read_bytes() for p in two.rglob("*.html")}


@pytest.mark.tools
def test_the_index_follows_the_gazetteer_and_the_month_names(cli, tmp_path):
    """The documents name each place with the gazetteer's variants and show
    the date in the site's month names: changing either writes the index
    again, though no article changed."""
    site = write_site(tmp_path / "site", {
        "content/a.md": "---\ntitle: عنوان\ndate: 2020-03-01\n---\nقصفت الطائرات مدينة حلب صباحاً.\n",
        "gazetteer.yml": "places:\n- {slug: aleppo, name: حلب}\nactors: []\n"})
    assert "Search index written" in cli("build", site).out
    write_site(site, {"gazetteer.yml": "places:\n- {slug: aleppo, name: حلب, variants: [الشهباء]}\nactors: []\n"})
    assert "Search index written" in cli("build", site).out
    write_site(site, {"site.yml": "title: أرشيف\nmonths: standard\n"})
    assert "Search index written" in cli("build", site).out
    assert "Search index unchanged" in cli("build", site).out


def _documents_site(tmp_path, files):
    from archive_site.config import SiteConfig
    from archive_site.gazetteer import PACKAGED, _read
    from archive_site.loader import load_site
    from archive_site.plan import article_digests
    from archive_site.taxonomy import make_site

    site_dir = write_site(tmp_path / "site", files)
    gazetteer = _read(PACKAGED.read_text(encoding="utf-8"), "gazetteer.yml")
    site = make_site(SiteConfig(), load_site(site_dir).articles, gazetteer)
    return site, gazetteer, article_digests(site)


def _documents(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.html")}


def test_documents_kept_between_builds_are_written_again_only_when_they_change(tmp_path):
    """The documents kept in the cache folder are what a fresh folder gets,
    after any edit; only the edited article's document is written again,
    and the document of an article gone is deleted."""
    from archive_site.search import write_documents

    files = {f"content/a{n}.md": f"---\ntitle: خبر {n}\ndate: 2020-01-0{n + 1}\nslug: a{n}\n---\n\n"
             f"قصفت قوات النظام بلدة سراقب في ريف إدلب {n}.\n" for n in range(5)}
    kept = tmp_path / "cache" / "search-documents"

    def check(files, rewritten):
        site, gazetteer, cards = _documents_site(tmp_path, files)
        before = {p: p.stat().st_mtime_ns for p in kept.rglob("index.html")}
        write_documents(kept, site, gazetteer, cards=cards)
        fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
        write_documents(fresh, site, gazetteer)
        assert _documents(kept) == _documents(fresh)
        changed = {p.parent.name for p in kept.rglob("index.html") if before.get(p) != p.stat().st_mtime_ns}
        assert changed == rewritten

    check(files, {f"a{n}" for n in range(5)})
    check(files, set())
    files["content/a2.md"] = files["content/a2.md"].replace("سراقب", "معرة النعمان")
    check(files, {"a2"})
    del files["content/a3.md"]
    import shutil
    shutil.rmtree(tmp_path / "site")
    check(files, set())
    assert not (kept / "articles/a3/index.html").exists()
    kept.with_name("search-documents.json").write_text("[damaged", encoding="utf-8")
    check(files, {"a0", "a1", "a2", "a4"})


@pytest.mark.tools
def test_a_clean_build_writes_every_document_again(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/a.md": "---\ntitle: عنوان\n---\nنص\n"})
    assert "Search index written" in cli("build", site).out
    document = site / ".archive-site-cache/search-documents/articles/عنوان/index.html"
    assert document.is_file()
    document.write_text("<p>stale</p>", encoding="utf-8")
    assert "Search index written" in cli("build", site, "--clean").out
    assert "stale" not in document.read_text(encoding="utf-8")
