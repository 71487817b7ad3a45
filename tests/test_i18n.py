"""Messages to editors in Arabic: the catalog covers every marked message,
Arabic plural forms are right, and the language follows the locale or
`messages:` in site.yml — also for problems remembered by the cache."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from archive_site import i18n
from archive_site.model import ContentError
from archive_site.serve import overlay

from conftest import write_site

SOURCE = Path(i18n.__file__).parent
CATALOG = i18n.LOCALE_DIR / "ar" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def marked_messages() -> dict:
    found = {}
    for path in sorted(SOURCE.glob("*.py")):
        if path.name == "i18n.py":
            continue
        for message, line in i18n.messages_in_source(path):
            assert message, f"{path.name}:{line}: a message to translate must be a literal string (or a if c else b)"
            found.setdefault(message, f"{path.name}:{line}")
    return found


def fields(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_the_arabic_catalog_has_every_marked_message_and_no_other():
    entries = i18n.read_po(CATALOG.read_text(encoding="utf-8"))
    marked = marked_messages()
    missing = [f"{where}: {message!r}" for message, where in marked.items() if not entries.get(message)]
    assert not missing, "add to " + CATALOG.name + ":\n" + "\n".join(missing)
    stale = [message for message in entries if message and message not in marked]
    assert not stale, f"no longer in the code, remove from {CATALOG.name}: {stale}"


def test_translations_keep_the_placeholders_and_have_six_plural_forms():
    entries = i18n.read_po(CATALOG.read_text(encoding="utf-8"))
    assert "nplurals=6" in entries[""]
    for message, translated in entries.items():
        if not message:
            continue
        if isinstance(message, str):
            assert fields(translated) == fields(message), (message, translated)
            continue
        assert len(translated) == 6, message
        english = fields(message[1])
        for form, text in enumerate(translated):
            # every value is shown; the number may be spelt out in "one" and "two" (مقالة واحدة، مقالتان)
            needed = english - {"n"} if form in (1, 2) else english
            assert needed <= fields(text) <= english | fields(message[0]), (message, form, text)


@pytest.mark.parametrize("n, expected", [
    (0, "0 مقالة"), (1, "مقالة واحدة"), (2, "مقالتان"), (3, "3 مقالات"), (10, "10 مقالات"),
    (11, "11 مقالةً"), (99, "99 مقالةً"), (100, "100 مقالة"), (102, "102 مقالة"), (103, "103 مقالات"),
    (111, "111 مقالةً"),
])
def test_arabic_counts_take_the_right_plural_form(n, expected):
    i18n.activate("ar")
    said = i18n.count(n, "Search index written: {n} article", "Search index written: {n} articles")
    assert said == f"كُتب فهرس البحث: {expected}"
    i18n.activate("en")
    assert i18n.count(1, "{n} page", "{n} pages") == "1 page" and i18n.count(2, "{n} page", "{n} pages") == "2 pages"


@pytest.mark.parametrize("variable, value, language", [
    ("LANG", "ar_SY.UTF-8", "ar"), ("LC_ALL", "ar_EG", "ar"), ("LANGUAGE", "ar:en", "ar"),
    ("LANG", "C.UTF-8", "en"), ("LANG", "fr_FR.UTF-8", "en"), ("LANG", "", "en"),
])
def test_the_locale_chooses_the_language(monkeypatch, variable, value, language):
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    assert i18n.activate() == language


def test_a_message_is_english_text_and_translated_where_it_is_shown():
    problem = ContentError("content/a.md", i18n.Msg("key '{key}' appears twice; the last value is used", key="tags"),
                           4, i18n.N_("delete one of them"), warning=True)
    assert problem.message == "key 'tags' appears twice; the last value is used"
    english = str(problem)
    assert english == "content/a.md:4: warning: key 'tags' appears twice; the last value is used (delete one of them)"
    i18n.activate("ar")
    assert str(problem) == "content/a.md:4: تحذير: المفتاح 'tags' مكرر؛ تُستعمل القيمة الأخيرة (احذف أحدهما)"
    i18n.activate("en")
    assert str(problem) == english


def test_po_reader_refuses_a_malformed_catalog():
    with pytest.raises(ValueError, match="line 2"):
        i18n.read_po('msgid "a"\nmsgstr "b\n')
    with pytest.raises(ValueError, match="twice"):
        i18n.read_po('msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n')
    entries = i18n.read_po('#, fuzzy\nmsgid "a"\nmsgstr "b"\n\nmsgid "c"\nmsgstr "d\\n\\"e\\""\n')
    assert entries == {"c": 'd\n"e"'}  # a fuzzy entry is left out, as msgfmt does


BROKEN = "---\ndate: 2019-13-45\ntags: {a: 1}\n---\n\nنص المقالة.\n"


def test_the_command_line_speaks_arabic_with_lang_ar(cli, tmp_path, monkeypatch):
    site = write_site(tmp_path, {"content/good.md": "---\ntitle: سليم\ndate: 2020-01-01\n---\n\nنص.\n",
                                 "content/bad.md": BROKEN})
    monkeypatch.setenv("LANGUAGE", "ar_SY.UTF-8")
    run = cli("build", site)
    assert run.status == 1
    # every problem of the file in one run, each with its line, in Arabic
    assert "خطأ: content/bad.md: الحقل 'title' مفقود" in run.err
    assert "خطأ: content/bad.md:2: '2019-13-45' ليس تاريخًا صحيحًا" in run.err
    assert "خطأ: content/bad.md:3: يجب أن يكون 'tags' قائمة" in run.err
    assert "لم يُنشر شيء: ملف واحد فيه أخطاء" in run.err
    assert "ملفان: نُشر منها 0، 1 فيها أخطاء، 1 سليمة لكنها لم تُنشر" in run.out
    run = cli("build", site, "--keep-going")
    assert "نُشرت مقالة واحدة (0 مكان، 0 جهة فاعلة، 0 وسم):" in run.out
    monkeypatch.setenv("LANGUAGE", "en")
    run = cli("build", site, "--keep-going")
    assert "Published 1 article (0 places, 0 actors, 0 tags): " in run.out
    # the problems were remembered by the cache in English, and are still said in the language asked
    assert "error: content/bad.md:2: '2019-13-45' is not a valid date" in run.err


def test_site_yml_messages_ar_makes_the_command_line_arabic(cli, tmp_path):
    site = write_site(tmp_path, {"site.yml": "messages: ar\n",
                                 **{f"content/a{n}.md": f"---\ntitle: مقال {n}\ndate: 2020-01-0{n}\n---\n\nنص.\n"
                                    for n in range(1, 4)}})
    run = cli("build", site)
    assert run.status == 0 and "نُشرت 3 مقالات" in run.out and "3 ملفات: نُشر منها 3" in run.out
    write_site(site, {"site.yml": "messages: fr\n"})
    run = cli("build", site)
    assert run.status == 1 and "site.yml:1: unknown language of messages 'fr' (use 'ar' or 'en', or leave it out)" in run.err


def test_the_preview_overlay_speaks_the_language_asked():
    problems = [ContentError("content/a.md", i18n.N_("missing 'title'"), None, ""),
                ContentError("content/b.md", i18n.N_("empty file"), None, "")]
    english = overlay(problems)
    assert 'lang="en"' in english and "The site could not be built: 2 errors" in english
    i18n.activate("ar")
    arabic = overlay(problems)
    assert 'lang="ar"' in arabic and 'dir="rtl"' in arabic
    assert "تعذّر بناء الموقع: خطآن" in arabic and "content/b.md: ملف فارغ" in arabic
    assert "تعذّر بناء الموقع: خطأ واحد" in overlay(problems[:1])


def test_check_says_in_arabic_why_a_name_was_taken_or_not(cli, tmp_path, monkeypatch):
    site = write_site(tmp_path, {"content/a.md": "---\ntitle: قصف\ndate: 2020-01-02\n---\n\n"
                                                 "قصف على مدينة الباب، وفتح القرار الباب أمام العائدين.\n"})
    cli("build", site)
    monkeypatch.setenv("LANGUAGE", "ar")
    out = cli("check", site).out
    assert "+ مكان الباب: «الباب» (بعد «مدينة»)" in out
    assert "لم يؤخذ: لا كلمة مكان قبله، فقد يكون كلمة عادية" in out
