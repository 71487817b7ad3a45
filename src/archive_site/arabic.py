"""Arabic text handling: cleaning, digits, slugs and month names.

Every place in the project that cleans, compares or slugs Arabic text goes
through this module, so that one spelling rule holds everywhere.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from slugify import slugify

# Harakat, tanween, shadda, sukun, dagger alef and Quranic marks.
_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")
_TATWEEL = "\u0640"
# Zero-width and bidi control characters that editors paste in without seeing them.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u061c]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_ALEF_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
# For matching only: also alef maqsura as ya and taa marbuta as ha, the
# letters writers most often swap at the end of a word.
_MATCH_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# Conjunctions, then prepositions, that attach to the front of a word.
_CONJUNCTIONS = ("و", "ف")
_PREPOSITIONS = ("ب", "ل", "ك")
# A word: letters and digits, with the diacritics written on them.
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
_WORD = re.compile(f"[{_MARKS}]*(?:[^\\W_][{_MARKS}]*)+")
# Letters folded one for one (the text keeps its length): alef forms, ى, ة,
# Arabic-Indic and Persian digits, upper-case Latin.
_FOLD = str.maketrans({**{c: "ا" for c in "أإآٱ"}, "ى": "ي", "ة": "ه",
                       **{d: str(i % 10) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")},
                       **{chr(c): chr(c + 32) for c in range(65, 91)}})

LEVANTINE_MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)
STANDARD_MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)
MONTH_NAMES = {"levantine": LEVANTINE_MONTHS, "standard": STANDARD_MONTHS}


def to_ascii_digits(text: str) -> str:
    """Return `text` with Arabic-Indic and Persian digits replaced by ASCII digits."""
    return text.translate(_DIGITS)


def clean(text: str) -> str:
    """Return `text` fit for display: NFKC (presentation forms resolved), no
    invisible control marks, no tatweel. Letters and diacritics are kept."""
    text = unicodedata.normalize("NFKC", text)
    return _INVISIBLE.sub("", text).replace(_TATWEEL, "")


def strip_tashkeel(text: str) -> str:
    """Return `text` without Arabic diacritics."""
    return _TASHKEEL.sub("", text)


def slug_form(text: str) -> str:
    """Return the spelling a slug is made from: cleaned, without diacritics,
    with every alef form written as a bare alef and ASCII digits."""
    return to_ascii_digits(strip_tashkeel(clean(text))).translate(_ALEF_FORMS)


@functools.lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Return the form of `text` used to compare words: cleaned, without
    diacritics, every alef form as bare alef, ى as ي, ة as ه, ASCII digits,
    lower-case Latin letters and single spaces."""
    text = to_ascii_digits(strip_tashkeel(clean(text))).translate(_MATCH_LETTERS)
    return " ".join(text.lower().split())


def word_forms(cleaned: str) -> list[str]:
    """Return the normalised words of `cleaned` text (see clean), in order:
    the text is folded once, then split."""
    return _WORD.findall(strip_tashkeel(cleaned).translate(_FOLD))


def written_words(cleaned: str) -> list[str]:
    """Return the words of `cleaned` text as written, diacritics included:
    the same words, in the same order, as word_forms gives normalised."""
    return _WORD.findall(cleaned)


def clitic_forms(word: str) -> list[tuple[str, str]]:
    """Return the ways a normalised `word` can be written with clitics in
    front, as (written form, clitics): حلب gives بحلب, وحلب, وبحلب …; a word
    with the article ال also gives للـ forms (الرقه gives للرقه, وللرقه)."""
    forms = [(word, "")]
    for conjunction in ("", *_CONJUNCTIONS):
        if conjunction:
            forms.append((conjunction + word, conjunction))
        for preposition in _PREPOSITIONS:
            if not (preposition == "ل" and word.startswith("ال")):
                forms.append((conjunction + preposition + word, conjunction + preposition))
        if word.startswith("ال"):
            forms.append((conjunction + "لل" + word[2:], conjunction + "لل"))
    return forms


def without_clitics(word: str) -> list[str]:
    """Return the readings of a normalised `word` with attached clitics removed,
    the word itself first: وبالرقه gives الرقه, للرقه gives الرقه, بحلب gives
    حلب. Only what leaves at least two letters is returned."""
    readings = [word]
    for conjunction in ("", *_CONJUNCTIONS):
        if not word.startswith(conjunction):
            continue
        rest = word[len(conjunction):]
        if conjunction and len(rest) >= 2:
            readings.append(rest)
        if rest.startswith("لل") and len(rest) >= 4:
            readings.append("ال" + rest[2:])
        for preposition in _PREPOSITIONS:
            if rest.startswith(preposition) and len(rest) > 2:
                readings.append(rest[1:])
    return list(dict.fromkeys(readings))


@functools.lru_cache(maxsize=200_000)
def make_slug(text: str, max_length: int = 80) -> str:
    """Return a readable URL slug for `text`: Arabic letters are kept (the URL
    reads as the title does), Latin letters are lower-cased, words are joined
    by hyphens. Returns "" when nothing usable is left."""
    return slugify(slug_form(text), allow_unicode=True, max_length=max_length, word_boundary=True)


def format_date(value, months: str = "levantine") -> str:
    """Return `value` (a date or datetime) as "3 آب 2019"."""
    names = MONTH_NAMES.get(months, LEVANTINE_MONTHS)
    return f"{value.day} {names[value.month - 1]} {value.year}"


def month_name(month: int, months: str = "levantine") -> str:
    """Return the Arabic name of `month` (1–12) in the chosen naming."""
    return MONTH_NAMES.get(months, LEVANTINE_MONTHS)[month - 1]


def count_words(text: str) -> int:
    """Return the number of words in plain `text`."""
    return len(_WORD.findall(text))


def count_articles(n: int) -> str:
    """Return "n articles" with the noun in the form Arabic grammar asks for."""
    if n == 0:
        return "لا مقالات"
    if n == 1:
        return "مقال واحد"
    if n == 2:
        return "مقالان"
    tens = n % 100
    if 3 <= tens <= 10:
        return f"{n} مقالات"
    if 11 <= tens <= 99:
        return f"{n} مقالاً"
    return f"{n} مقال"
