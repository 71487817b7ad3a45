"""Arabic text helpers."""

import datetime as dt

import pytest

from archive_site import arabic


@pytest.mark.parametrize("n, text", [(0, "لا مقالات"), (1, "مقال واحد"), (2, "مقالان"), (3, "3 مقالات"),
                                     (10, "10 مقالات"), (11, "11 مقالاً"), (99, "99 مقالاً"), (100, "100 مقال"),
                                     (103, "103 مقالات"), (250, "250 مقالاً")])
def test_count_articles_agrees_with_the_number(n, text):
    assert arabic.count_articles(n) == text


def test_slug_ignores_diacritics_tatweel_and_alef_forms():
    assert arabic.make_slug("إدلب") == arabic.make_slug("ادلب") == "ادلب"
    assert arabic.make_slug("حَلَب") == arabic.make_slug("حلـــب") == "حلب"
    assert arabic.make_slug("غارات جوية ٢٠١٩") == "غارات-جوية-2019"
    assert arabic.make_slug("Deir ez-Zor") == "deir-ez-zor"


def test_dates_use_levantine_or_standard_month_names():
    day = dt.date(2019, 8, 3)
    assert arabic.format_date(day) == "3 آب 2019"
    assert arabic.format_date(day, "standard") == "3 أغسطس 2019"


def test_folding_letter_by_letter_is_one_pass():
    """fold_letters replaces one letter after another: no letter may be
    folded into one that is folded again, and the result is that of a
    single translation of every character."""
    assert not set(arabic._FOLD.values()) & set(arabic._FOLD)
    every = "".join(arabic._FOLD) + " أحمد إلى الرقة ٢٠١٣ ۴ ABC Été "
    assert arabic.fold_letters(every) == every.translate(str.maketrans(arabic._FOLD))
    assert arabic.word_forms("وأشار إلى مدينة ٢٠١٣ ABC") == ["واشار", "الي", "مدينه", "2013", "abc"]


def test_search_normal_is_one_translation():
    """search_normal deletes marks, invisible controls and tatweel, then
    replaces digits and alef forms: the same as one table of all of them."""
    import re
    import unicodedata

    table = {}
    for pattern in (arabic._INVISIBLE.pattern, arabic._TASHKEEL.pattern):
        for start, end in re.findall(r"(.)(?:-(.))?", pattern.strip("[]")):
            table.update(dict.fromkeys(range(ord(start), ord(end or start) + 1)))
    table[ord(arabic._TATWEEL)] = None
    table.update(arabic._DIGITS)
    table.update(arabic._ALEF_FORMS)
    assert not set(arabic._SEARCH_LETTERS.values()) & set(arabic._SEARCH_LETTERS)
    every = "".join(chr(c) for c in table) + " أَحْمَدُ ـ إلى ٱلرقة ٢٠١٣ ۴ \u200fABC Été ﻻ"
    expected = unicodedata.normalize("NFKC", every).translate(table).lower()
    assert arabic.search_normal(every) == expected
    assert arabic.search_normal("أَحْمَدُ إلى ٢٠١٣") == "احمد الى 2013"
