"""The loader, through its public API: files in, records and errors out."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from conftest import REPO, write_site

from archive_site.loader import load_site

SEED = next((REPO / "seeds").glob("*.txt"))


def load(tmp_path, files):
    return load_site(write_site(tmp_path, files))


def only_article(result):
    assert result.errors == [], [str(e) for e in result.errors]
    assert len(result.articles) == 1
    return result.articles[0]


def only_error(result):
    assert len(result.errors) == 1, [str(e) for e in result.problems]
    return result.errors[0]


def test_markdown_front_matter_becomes_a_record(tmp_path):
    article = only_article(load(tmp_path, {"content/a.md": """
        ---
        title: قصف على حي سكني
        date: 2019-08-03
        tags: [غارات جوية, نزوح]
        places: إدلب، معرة النعمان
        actors: تنظيم الدولة الإسلامية
        author: فريق الرصد
        source: https://example.org/a
        verified_by: محرر
        ---

        الفقرة **الأولى** من المقال.

        الفقرة الثانية.
        """}))
    assert article.title == "قصف على حي سكني"
    assert article.slug == "قصف-على-حي-سكني"
    assert article.date == dt.datetime(2019, 8, 3)
    assert article.terms["tags"] == ("غارات جوية", "نزوح")
    assert article.terms["places"] == ("إدلب", "معرة النعمان")
    assert article.terms["actors"] == ("تنظيم الدولة الإسلامية",)
    assert article.summary == "الفقرة الأولى من المقال."
    assert "<strong>الأولى</strong>" in article.body_html
    assert article.word_count == 6
    assert article.source == "content/a.md"
    assert article.author == "فريق الرصد"
    assert article.source_url == "https://example.org/a"
    assert dict(article.extra) == {"verified_by": "محرر"}


def test_the_seed_article_keeps_its_footer_out_of_the_body(tmp_path):
    shutil.copy(SEED, tmp_path / "seed.txt")
    (tmp_path / "seeds").mkdir()
    shutil.move(tmp_path / "seed.txt", tmp_path / "seeds" / SEED.name)
    article = only_article(load_site(tmp_path))
    assert article.title == "مقتل قيادي في تنظيم الدولة بغارة للتحالف الدولي في ريف حلب"
    assert article.date is None
    assert article.body_html.count("<p>") == 8
    assert "vdcnsy@gmail.com" in article.footer
    assert "vdcnsy" not in article.body_html
    assert "تابعنا" not in article.text
    assert article.summary.startswith("قتل القيادي في تنظيم الدولة الإسلامية")


ARABIC_TEXT = "عنوان التقرير\r\n\r\nنص الفقرة الأولى.\r\n\r\n------\r\nتذييل\r\n"


def test_encodings_an_editor_may_send(tmp_path):
    files = {
        "content/utf8.txt": ARABIC_TEXT.encode("utf-8"),
        "content/utf8-bom.txt": ARABIC_TEXT.encode("utf-8-sig"),
        "content/utf16-le.txt": ARABIC_TEXT.encode("utf-16"),
        "content/utf16-be.txt": b"\xfe\xff" + ARABIC_TEXT.encode("utf-16-be"),
        "content/utf16-no-bom.txt": ARABIC_TEXT.encode("utf-16-le"),
        "content/cp1256.txt": ARABIC_TEXT.encode("cp1256"),
    }
    result = load(tmp_path, files)
    assert result.errors == []
    assert len(result.articles) == len(files)
    for article in result.articles:
        assert article.title == "عنوان التقرير", article.source
        assert article.body_html == "<p>نص الفقرة الأولى.</p>"
        assert article.footer == "تذييل"


def test_plain_text_paragraph_lines_are_joined_and_escaped(tmp_path):
    article = only_article(load(tmp_path, {"content/a.txt": """

        العنوان بعد أسطر فارغة

        سطر أول
        وسطر ثانٍ <b>ليس وسماً</b>
        """}))
    assert article.title == "العنوان بعد أسطر فارغة"
    assert article.body_html == "<p>سطر أول وسطر ثانٍ &lt;b&gt;ليس وسماً&lt;/b&gt;</p>"


def test_dates_in_every_accepted_form(tmp_path):
    forms = {
        "2019-08-03": dt.datetime(2019, 8, 3),
        "2022-01-21T09:30:00+03:00": dt.datetime(2022, 1, 21, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        "'٢٠١٩-٠٨-٠٣'": dt.datetime(2019, 8, 3),
        "2019/08/03": dt.datetime(2019, 8, 3),
    }
    files = {f"content/{i}.md": f"---\ntitle: مقال {i}\ndate: {value}\n---\nنص\n"
             for i, value in enumerate(forms)}
    result = load(tmp_path, files)
    assert result.errors == []
    got = {a.source: a.date for a in result.articles}
    assert got == {f"content/{i}.md": expected for i, expected in enumerate(forms.values())}


def test_impossible_date_is_an_error_on_its_line(tmp_path):
    error = only_error(load(tmp_path, {"content/a.md": "---\ntitle: عنوان\ndate: 2019-02-30\n---\nنص\n"}))
    assert str(error).startswith("content/a.md:3: '2019-02-30' is not a valid date (")


def test_missing_title_is_an_error(tmp_path):
    error = only_error(load(tmp_path, {"content/a.md": "---\ndate: 2019-02-03\n---\nنص\n"}))
    assert str(error) == "content/a.md: missing 'title' (add a line 'title: ...' to the front matter)"


@pytest.mark.parametrize("front_matter, line", [
    ("title: عنوان\ntags: [a, b\nplaces: x\n", 3),  # a list never closed: the line it opens on
    ("title: عنوان\ndate: 2020-01-01\nsummary: \"ملخص\nplaces: [حلب]\n", 4),  # a quote never closed
    ("title: 'عنوان\ndate: 2020-01-01\n", 2),
    ("title: عنوان\nplaces: {حلب\n", 3),  # a mapping never closed, up to the closing fence
    ("title: عنوان\nsummary: ملخص: ثان\nplaces: x\n", 3),  # the colon is on this line
    ("title: عنوان\ndate: 2020-01-01\n  tags: [x]\n", 4),  # the indented key
    ("title: عنوان\ntags:\n  - a\n - b\n", 5),
])
def test_malformed_yaml_names_the_line_of_the_mistake(tmp_path, front_matter, line):
    error = only_error(load(tmp_path, {"content/a.md": f"---\n{front_matter}---\nنص\n"}))
    assert error.path == "content/a.md"
    assert (error.line, "not valid YAML" in error.message) == (line, True), error


def test_missing_front_matter_says_how_to_fix(tmp_path):
    error = only_error(load(tmp_path, {"content/a.md": "# عنوان\n\nنص\n"}))
    assert str(error) == ("content/a.md:1: missing front matter (start the file with a line '---', "
                          "then 'title: ...', then another '---')")


def test_wrong_field_type_is_an_error(tmp_path):
    error = only_error(load(tmp_path, {"content/a.md": "---\ntitle: عنوان\ntags: {a: 1}\n---\nنص\n"}))
    assert (error.line, error.message) == (3, "'tags' must be a list")


def test_empty_and_binary_files_are_errors(tmp_path):
    result = load(tmp_path, {"content/empty.md": "", "content/image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00"})
    messages = {e.path: e.message for e in result.errors}
    assert messages == {"content/empty.md": "empty file", "content/image.txt": "binary file, not text"}


def test_same_title_gives_two_distinct_stable_slugs(tmp_path):
    files = {
        "content/old.md": "---\ntitle: خبر عاجل\ndate: 2019-01-01\n---\nنص\n",
        "content/new.md": "---\ntitle: خبر عاجل\ndate: 2020-01-01\n---\nنص آخر\n",
    }
    first = load(tmp_path, files)
    slugs = {a.source: a.slug for a in first.articles}
    assert slugs["content/old.md"] == "خبر-عاجل"
    assert slugs["content/new.md"].startswith("خبر-عاجل-")
    assert [w.path for w in first.warnings if "same title" in w.message] == ["content/new.md"]
    second = load_site(tmp_path)
    assert {a.source: a.slug for a in second.articles} == slugs


def test_two_files_claiming_one_slug_is_an_error_naming_both(tmp_path):
    result = load(tmp_path, {
        "content/a.md": "---\ntitle: أ\nslug: report\n---\nنص\n",
        "content/b.md": "---\ntitle: ب\nslug: report\n---\nنص\n",
    })
    error = only_error(result)
    assert str(error).startswith("content/b.md: slug 'report' is already used by content/a.md")


def test_slug_from_front_matter_cannot_leave_the_articles_folder(tmp_path):
    article = only_article(load(tmp_path, {"content/a.md": "---\ntitle: أ\nslug: ../../etc/passwd\n---\nنص\n"}))
    assert article.slug == "etc-passwd"


def test_editor_leftovers_and_other_files_are_skipped_with_a_reason(tmp_path):
    result = load(tmp_path, {
        "content/a.md": "---\ntitle: أ\n---\nنص\n",
        "content/.a.md.swp": b"\x00\x01",
        "content/a.md~": "old",
        "content/.#a.md": "lock",
        "content/photo.jpg": b"\xff\xd8\xff",
        "content/.git/config": "x",
    })
    assert [a.source for a in result.articles] == ["content/a.md"]
    assert result.errors == []
    assert {s.path for s in result.skipped} == {"content/.a.md.swp", "content/a.md~", "content/.#a.md",
                                                "content/photo.jpg"}


# --- the fast path for plain paragraphs ------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import markdown  # noqa: E402

from archive_site.loader import plain_paragraphs_html  # noqa: E402
from archive_site.sanitize import clean_html  # noqa: E402

PIECES = st.sampled_from(list("ابتجحدرسعلمنهويءأإآىة٠١3 .,،؛:؟!\"'()-+=*_#<>&|~`[]{}\\\t\u00a0\u200f")
                         + ["  ", "\n", "\n\n", "\n\n\n", "1. ", "- ", "> ", "===", "---"])
MARKDOWN = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")


@settings(max_examples=3000, deadline=None)
@given(st.lists(PIECES, max_size=60).map("".join))
def test_plain_paragraph_fast_path_equals_markdown_and_sanitiser(body):
    fast = plain_paragraphs_html(body)
    if fast is not None:
        MARKDOWN.reset()
        assert fast == clean_html(MARKDOWN.convert(body))


def test_fast_path_takes_plain_arabic_paragraphs():
    assert plain_paragraphs_html("\nالفقرة الأولى.\nسطر ثانٍ.\n\n\nالفقرة الثانية.\n") == (
        "<p>الفقرة الأولى.\nسطر ثانٍ.</p>\n<p>الفقرة الثانية.</p>")
    assert plain_paragraphs_html("نص *مائل*") is None


def test_a_key_close_to_a_known_one_gets_a_did_you_mean_warning(tmp_path):
    result = load(tmp_path, {"content/a.md": "---\ntitle: أ\nplace: [حلب]\nTags: [نزوح]\nweight: 3\n---\nنص\n"})
    warnings = {(w.line, w.message) for w in result.warnings if "unknown key" in w.message}
    assert warnings == {(3, "unknown key 'place' is kept only for templates; did you mean 'places'?"),
                        (4, "unknown key 'Tags' is kept only for templates; did you mean 'tags'?")}
    article = result.articles[0]
    assert article.terms["places"] == () and article.extra == {"Tags": ["نزوح"], "place": ["حلب"], "weight": 3}


# --- text shown as written, in its direction, with its links ---------------------------------

def test_plain_text_is_shown_as_written_with_links_and_latin_paragraphs_left_to_right(tmp_path):
    text = ("عنوان الخبر\n\n"
            "قال ناطق باسم لـ\"قسد\" إن الـ 20 عنصراً انسحبوا، والمصدر: https://example.org/report?id=3&lang=ar.\n\n"
            "The SDF said on Monday: \"we withdrew (for now)\".\n\n"
            "غرّدت (SDF) بذلك، ورابط آخر https://x.example/a،ثم انتهى.\n\n"
            "javascript:alert(1) و \"https://q.example/\"onmouseover=\"x\n")
    article = only_article(load(tmp_path, {"content/a.txt": text}))
    body = article.body_html
    assert 'لـ"قسد" إن الـ 20' in body  # tatweel and the space after it kept
    assert ('<a href="https://example.org/report?id=3&amp;lang=ar" dir="ltr" rel="noopener noreferrer">'
            "https://example.org/report?id=3&amp;lang=ar</a>.") in body
    assert '<p dir="ltr">The SDF said on Monday: "we withdrew (for now)".</p>' in body
    assert "<p>غرّدت (SDF) بذلك" in body and '<a href="https://x.example/a" ' in body
    # no other scheme is linked, and a quote never gets into a link (that last address is left as text)
    assert 'href="javascript' not in body and body.count("<a ") == 2
    assert '"https://q.example/"onmouseover="x</p>' in body


def test_markdown_paragraphs_in_latin_letters_read_left_to_right(tmp_path):
    article = only_article(load(tmp_path, {"content/a.md": "---\ntitle: ع\n---\n\nنص عربي.\n\n"
                                                          "An English *quote*, with [a link](https://e.org/).\n"}))
    assert article.body_html.startswith("<p>نص عربي.</p>")
    assert '<p dir="ltr">An English <em>quote</em>, with <a href="https://e.org/"' in article.body_html
