"""Every kind of bad input gets one clear line: path, line, what, how to fix."""

from __future__ import annotations

import pytest
from conftest import write_site

from archive_site.loader import load_site

# file name -> (bytes or text of the file, the exact error it must give)
CASES = {
    "yaml_unclosed_list.md": ("---\ntitle: عنوان\ntags: [نزوح, مياه\n---\nنص\n",
                              "content/yaml_unclosed_list.md:3: front matter is not valid YAML: expected ',' or "
                              "']', but got the end of the front matter (check the indentation, and put values that contain ':' or "
                              "start with '[' in quotes)"),
    "yaml_bad_indent.md": ("---\ntitle: عنوان\n  date: 2020-01-01\n---\nنص\n",
                           "content/yaml_bad_indent.md:3: front matter is not valid YAML: mapping values are "
                           "not allowed here (check the indentation, and put values that contain ':' or start "
                           "with '[' in quotes)"),
    "no_front_matter.md": ("# عنوان\n\nنص\n",
                           "content/no_front_matter.md:1: missing front matter (start the file with a line "
                           "'---', then 'title: ...', then another '---')"),
    "unclosed_front_matter.md": ("---\ntitle: عنوان\n\nنص\n",
                                 "content/unclosed_front_matter.md:1: front matter is not closed (add a line "
                                 "'---' after the last front-matter key)"),
    "missing_title.md": ("---\ndate: 2020-01-01\n---\nنص\n",
                         "content/missing_title.md: missing 'title' (add a line 'title: ...' to the front "
                         "matter)"),
    "empty_title.md": ("---\ntitle: '  '\n---\nنص\n",
                       "content/empty_title.md:2: 'title' is empty (write the article's title after 'title:')"),
    "title_is_a_list.md": ("---\ntitle: [أ, ب]\n---\nنص\n",
                           "content/title_is_a_list.md:2: 'title' must be text (write the title on one line "
                           "after 'title:')"),
    "impossible_date.md": ("---\ntitle: عنوان\ndate: 2021-02-29\n---\nنص\n",
                           "content/impossible_date.md:3: '2021-02-29' is not a valid date (write it as "
                           "YYYY-MM-DD, for example 2019-08-03, and check the day exists in that month)"),
    "words_for_date.md": ("---\ntitle: عنوان\ndate: أمس\n---\nنص\n",
                          "content/words_for_date.md:3: 'أمس' is not a valid date (write it as YYYY-MM-DD, "
                          "for example 2019-08-03, and check the day exists in that month)"),
    "date_is_a_list.md": ("---\ntitle: عنوان\ndate: [2020]\n---\nنص\n",
                          "content/date_is_a_list.md:3: 'date' must be a date like 2019-08-03"),
    "tags_mapping.md": ("---\ntitle: عنوان\ntags: {a: 1}\n---\nنص\n",
                        "content/tags_mapping.md:3: 'tags' must be a list (write tags: [first, second] or one "
                        "name per '- ' line)"),
    "nested_places.md": ("---\ntitle: عنوان\nplaces: [[حلب]]\n---\nنص\n",
                         "content/nested_places.md:3: every item of 'places' must be a name (remove nested "
                         "lists or 'key: value' items)"),
    "draft_word.md": ("---\ntitle: عنوان\ndraft: نعم\n---\nنص\n",
                      "content/draft_word.md:3: 'draft' must be true or false"),
    "script_source.md": ("---\ntitle: عنوان\nsource: javascript:alert(1)\n---\nنص\n",
                         "content/script_source.md:3: 'source' must be a web address starting with http:// or "
                         "https://"),
    "slug_symbols.md": ("---\ntitle: عنوان\nslug: '../..'\n---\nنص\n",
                        "content/slug_symbols.md:3: 'slug' has no letters or digits (use letters, digits and "
                        "hyphens)"),
    "front_matter_list.md": ("---\n- title\n---\nنص\n",
                             "content/front_matter_list.md:2: front matter must be 'key: value' lines"),
    "empty.md": ("", "content/empty.md: empty file (write a title and some text, or delete the file)"),
    "blank.txt": ("  \n\n \t\n", "content/blank.txt: empty file (write a title and some text, or delete the file)"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
                   "content/binary.txt: binary file, not text (only text files (.md, .txt) can be articles)"),
    "bad_utf8_after_bom.md": (b"\xef\xbb\xbf---\ntitle: x\n---\n\xff\xfe\xfa\n",
                              "content/bad_utf8_after_bom.md:4: bytes that are not valid UTF-8 at byte 20 (save "
                              "the file again as UTF-8)"),
    "control_bytes.txt": (bytes(range(1, 32)) * 8,
                          "content/control_bytes.txt: binary file, not text (only text files (.md, .txt) can be "
                          "articles)"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_bad_file_gives_its_exact_error(tmp_path, name):
    content, expected = CASES[name]
    result = load_site(write_site(tmp_path, {f"content/{name}": content}))
    assert [str(e) for e in result.errors] == [expected]
    assert result.articles == []


def test_one_run_lists_every_bad_file(cli, tmp_path):
    write_site(tmp_path, {f"content/{name}": content for name, (content, _) in CASES.items()})
    write_site(tmp_path, {"content/good.md": "---\ntitle: سليم\n---\nنص\n"})
    run = cli("build", tmp_path)
    assert run.status == 1
    for _, expected in CASES.values():
        assert f"error: {expected}\n" in run.err
    assert "Traceback" not in run.err
    assert not (tmp_path / "build").exists()


def test_duplicate_slug_names_both_files(cli, tmp_path):
    write_site(tmp_path, {"content/a.md": "---\ntitle: أ\nslug: report\n---\nنص\n",
                          "content/sub/b.md": "---\ntitle: ب\nslug: Report\n---\nنص\n"})
    run = cli("build", tmp_path)
    assert run.status == 1
    assert ("error: content/sub/b.md: slug 'report' is already used by content/a.md (give one of the two "
            "articles another 'slug:')") in run.err


@pytest.mark.parametrize("body, message", [
    ("", "empty body"),
    ("كلمات قليلة فقط", "very short body (3 words)"),
])
def test_suspicious_articles_are_warnings_not_errors(tmp_path, body, message):
    result = load_site(write_site(tmp_path, {"content/a.md": f"---\ntitle: أ\ndate: 2020-01-01\n---\n{body}\n"}))
    assert result.errors == []
    assert [w.message for w in result.warnings] == [message]


def test_same_title_is_a_warning(tmp_path):
    words = " ".join(["كلمة"] * 40)
    result = load_site(write_site(tmp_path, {
        "content/a.md": f"---\ntitle: تقرير\nslug: report-a\n---\n{words}\n",
        "content/b.md": f"---\ntitle: تقرير\ndate: 2020-01-01\nslug: report-b\n---\n{words}\n",
    }))
    assert result.errors == []
    assert [str(w) for w in result.warnings] == [  # no date is no warning: the ledger gives one
        "content/b.md: warning: same title as content/a.md (check that it is not the same article twice)",
    ]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    result = load_site(write_site(tmp_path, {
        "content/a.md": "---\ntitle:\ndate: 2019-02-30\ntags: {a: b}\ndraft: maybe\n---\nنص\n"}))
    assert [str(e) for e in result.errors] == [
        "content/a.md:2: 'title' is empty (write the article's title after 'title:')",
        "content/a.md:3: '2019-02-30' is not a valid date (write it as YYYY-MM-DD, for example 2019-08-03, "
        "and check the day exists in that month)",
        "content/a.md:4: 'tags' must be a list (write tags: [first, second] or one name per '- ' line)",
        "content/a.md:5: 'draft' must be true or false",
    ]
