"""Arabic text handling: cleaning, digits, slugs and month names.

Every place in the project that cleans, compares or slugs Arabic text goes
through this module, so that one spelling rule holds everywhere.
"""

from __future__ import annotations

import collections
import functools
import re
import unicodedata


# Harakat, tanween, shadda, sukun, dagger alef and Quranic marks.
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed"
_TASHKEEL = re.compile(f"[{_MARKS}]")
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
# A word: letters and digits, with the diacritics written on them. (Written
# as letters, then runs of marks each followed by any letters: the same words
# as "letters each with its marks", which Python's regular expressions match
# a third slower.)
_WORD = re.compile(f"[{_MARKS}]*[^\\W_]+(?:[{_MARKS}]+[^\\W_]*)*")
# A word of text without diacritics (strip_tashkeel removes every one of
# _MARKS): letters and digits only.
_BARE_WORD = re.compile(r"[^\W_]+")
# Letters folded one for one (the text keeps its length): alef forms, ى, ة,
# Arabic-Indic and Persian digits, upper-case Latin. No letter is folded into
# one that is folded again, so one replace after another folds as one pass.
_FOLD = {**{c: "ا" for c in "أإآٱ"}, "ى": "ي", "ة": "ه",
         **{d: str(i % 10) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹")},
         **{chr(c): chr(c + 32) for c in range(65, 91)}}

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


def _forbidden_characters(planes: range = range(17)) -> str:
    """The one list of what may ever be removed from an author's text: C0
    and C1 control characters other than tab and newline, lone surrogates
    and Unicode noncharacters (of `planes`). Invisible marks that carry
    meaning (ZWNJ, ZWJ, LRM, RLM, ALM) and tatweel are not in it."""
    ranges = ["\x00-\x08", "\x0b-\x1f", "\x7f-\x9f", "\ud800-\udfff", "\ufdd0-\ufdef"]
    ranges += [re.escape(chr(plane * 0x10000 + last)) for plane in planes for last in (0xFFFE, 0xFFFF)]
    return "[" + "".join(ranges) + "]"


FORBIDDEN = re.compile(_forbidden_characters())
# The same in the first plane only, and any character beyond it: Python's
# engine looks for these quickly, and for the noncharacters of the other
# planes (two separate characters in each) ten times slower.
_FORBIDDEN_FIRST_PLANE = re.compile(_forbidden_characters(range(1)))
_BEYOND_FIRST_PLANE = re.compile("[\U00010000-\U0010ffff]")


def has_forbidden(text: str) -> bool:
    """Whether `text` holds a character of FORBIDDEN."""
    return bool(_FORBIDDEN_FIRST_PLANE.search(text)
                or (_BEYOND_FIRST_PLANE.search(text) and FORBIDDEN.search(text)))


def remove_forbidden(text: str) -> str:
    """Return `text` without the characters of FORBIDDEN."""
    return FORBIDDEN.sub("", text) if has_forbidden(text) else text


def clean(text: str) -> str:
    """Return `text` fit for display: as written, less the characters no page
    may hold (FORBIDDEN). Tatweel, ZWNJ, ZWJ and direction marks stay."""
    return remove_forbidden(text)


def fold(text: str) -> str:
    """Return `text` for matching: NFKC (presentation forms resolved), no
    invisible control marks, no tatweel. Letters and diacritics are kept."""
    text = unicodedata.normalize("NFKC", text)
    return _INVISIBLE.sub("", text).replace(_TATWEEL, "")


def strip_tashkeel(text: str) -> str:
    """Return `text` without Arabic diacritics."""
    return _TASHKEEL.sub("", text)


def slug_form(text: str) -> str:
    """Return the spelling a slug is made from: cleaned, without diacritics,
    with every alef form written as a bare alef and ASCII digits."""
    return to_ascii_digits(strip_tashkeel(fold(text))).translate(_ALEF_FORMS)


@functools.lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """Return the form of `text` used to compare words: cleaned, without
    diacritics, every alef form as bare alef, ى as ي, ة as ه, ASCII digits,
    lower-case Latin letters and single spaces."""
    text = to_ascii_digits(strip_tashkeel(fold(text))).translate(_MATCH_LETTERS)
    return " ".join(text.lower().split())


def word_forms(cleaned: str) -> list[str]:
    """Return the normalised words of `cleaned` text (see fold), in order:
    the text is folded once, then split."""
    return _BARE_WORD.findall(fold_letters(strip_tashkeel(cleaned)))


def fold_letters(text: str) -> str:
    """Return `text` with the letters matching does not tell apart folded (_FOLD)."""
    return _replace_each(text, _FOLD)


def _replace_each(text: str, letters: dict[str, str]) -> str:
    """`text` with each of `letters` replaced by its value, where no value is
    itself a key: as str.translate would, which looks every character of an
    Arabic text up in its table, ten times slower on an article than a
    replace of each letter the text holds."""
    for letter, other in letters.items():
        if letter in text:
            text = text.replace(letter, other)
    return text


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


@functools.lru_cache(maxsize=100_000)
def without_clitics(word: str) -> tuple[str, ...]:
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
    return tuple(dict.fromkeys(readings))


@functools.lru_cache(maxsize=200_000)
def make_slug(text: str, max_length: int = 80) -> str:
    """Return a readable URL slug for `text`: Arabic letters are kept (the URL
    reads as the title does), Latin letters are lower-cased, words are joined
    by hyphens. Returns "" when nothing usable is left."""
    from slugify import slugify  # imported when first needed: a build with nothing to do never is

    return slugify(slug_form(text), allow_unicode=True, max_length=max_length, word_boundary=True)


def format_date(value, months: str = "levantine", precision: str = "day") -> str:
    """Return `value` (a date or datetime) as "3 آب 2019", or "آب 2019"
    when only its month is known (`precision` "month")."""
    names = MONTH_NAMES.get(months, LEVANTINE_MONTHS)
    if precision == "month":
        return f"{names[value.month - 1]} {value.year}"
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


# --- search keys -------------------------------------------------------------
# Pagefind's Arabic stemmer leaves many prefixed forms apart (قوات and القوات,
# معتقل and والمعتقل). The search index therefore also holds, for every word,
# each reading of it with front clitics removed, and a query word is reduced
# to its shortest reading: a word with clitics has every reading of the bare
# word among its own, so the two meet. The same rules run in the browser
# (theme/static/search.js); keep them in step. The feminine plural ending
# ـات is also read as ـة, which the stemmer does not do either.
#
# A first letter that may be a clitic (بشار، فاطمة، لجنة، كمال) is part of
# the word as often as not. A query word keeps it when the archive's own
# text says so: `keep` (see search_keep) holds the words written more often
# whole than their rest is. And a one-word query whose key starts with such a
# letter is searched as an exact word (in quotes), since the search engine's
# stemmer would strip that letter itself and match بشار to الشارع.

_FRONT_LETTERS = ("و", "ف", "ب", "ك", "ل")
_SEARCH_MIN = 3  # letters a reading keeps, so short words are left whole


@functools.lru_cache(maxsize=200_000)
def search_forms(word: str) -> frozenset[str]:
    """Return the readings of a `word` in search_normal form with front clitics removed
    (the conjunctions و ف, the prepositions ب ك ل, the article ال and للـ)
    and the plural ending ـات read as ـة, the word itself included:
    والقوات gives القوات, قوات, قوة, لقوات…"""
    return _readings(word, frozenset())


@functools.lru_cache(maxsize=200_000)
def _readings(word: str, keep: frozenset[str]) -> frozenset[str]:
    forms = {word}
    todo = [word]
    while todo:
        form = todo.pop()
        shorter = []
        if form.startswith(_FRONT_LETTERS) and form not in keep:
            shorter.append(form[1:])
        if form.startswith("لل"):
            shorter.append("ال" + form[2:])
        if form.startswith("ال"):
            shorter.append(form[2:])
        if form.endswith("ات"):  # the sound feminine plural: غارات is غارة
            shorter.append(form[:-2] + "ة")
        for reading in shorter:
            if len(reading) >= _SEARCH_MIN and reading not in forms:
                forms.add(reading)
                todo.append(reading)
    return frozenset(forms)


# search_normal's replacements, made once the marks are gone: Arabic-Indic
# and Persian digits, alef forms.
_SEARCH_LETTERS = {chr(code): other if isinstance(other, str) else chr(other)
                   for code, other in (*_DIGITS.items(), *_ALEF_FORMS.items())}


def search_normal(text: str) -> str:
    """Return `text` as the search index compares it: cleaned, without
    diacritics, alef forms as bare alef, lower case (slug_form, lower-cased,
    in one pass). ة and ى are kept, as the search engine's stemmer relies
    on them."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _TASHKEEL.sub("", _INVISIBLE.sub("", text)).replace(_TATWEEL, "")
    return _replace_each(text, _SEARCH_LETTERS).lower()


def search_key(word: str, keep: frozenset[str] = frozenset()) -> str:
    """Return the form a query word is searched by: the shortest of its
    readings, ties broken alphabetically; a first letter is not taken for
    a clitic in the words of `keep`."""
    return min(_readings(search_normal(word), keep), key=lambda form: (len(form), form))


def search_query(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Return the query the search engine is given for what a reader typed:
    the key of each word; one word whose key starts with و ف ب ك ل (four
    letters or more) in quotes, as an exact word."""
    keys = [search_key(word, keep) for word in written_words(text)]
    if len(keys) == 1 and len(keys[0]) >= 4 and keys[0].startswith(_FRONT_LETTERS):
        return f'"{keys[0]}"'
    return " ".join(keys)


def search_keep(counts: dict[str, int]) -> frozenset[str]:
    """The words whose first letter a query keeps: of the readings counted in
    `counts` (how many written words have each among their readings), those
    starting with و ف ب ك ل whose rest is not found, apart from them, at
    least twice as often as they are. بشار (شار only inside بشار) and فاطمة
    (as often as أطمة) are kept; بغارة (غارة far more often on its own) is
    not. لل and a clitic before ال are always taken as clitics."""
    keep = set()
    for form, seen in counts.items():
        rest = form[1:]
        if (form.startswith(_FRONT_LETTERS) and len(rest) >= _SEARCH_MIN and not rest.startswith("ال")
                and not form.startswith("لل") and counts.get(rest, 0) - seen < 2 * seen):
            keep.add(form)
    return frozenset(keep)


# Broken plurals of news and documentation vocabulary, singular first: the
# index holds the other form of each, so مجزرة finds مجازر and the reverse.
BROKEN_PLURALS = (
    ("مجزرة", "مجازر"), ("برميل", "براميل"), ("طفل", "اطفال"), ("منزل", "منازل"), ("بيت", "بيوت"),
    ("سجن", "سجون"), ("قرية", "قرى"), ("مدينة", "مدن"), ("شهيد", "شهداء"), ("جريح", "جرحى"),
    ("قتيل", "قتلى"), ("اسير", "اسرى"), ("سجين", "سجناء"), ("مدرسة", "مدارس"), ("صاروخ", "صواريخ"),
    ("قذيفة", "قذائف"), ("لغم", "الغام"), ("حي", "احياء"), ("مسجد", "مساجد"), ("سوق", "اسواق"),
    ("شارع", "شوارع"), ("معبر", "معابر"), ("اسرة", "اسر"), ("امراة", "نساء"), ("رجل", "رجال"),
    ("حاجز", "حواجز"), ("فصيل", "فصائل"), ("جندي", "جنود"), ("ضابط", "ضباط"), ("عنصر", "عناصر"),
    ("سلاح", "اسلحة"), ("تقرير", "تقارير"), ("شاهد", "شهود"), ("جثة", "جثث"), ("مقبرة", "مقابر"),
    ("ملجا", "ملاجئ"), ("منطقة", "مناطق"), ("ريف", "ارياف"), ("معركة", "معارك"), ("طبيب", "اطباء"),
    ("مصدر", "مصادر"), ("قاض", "قضاة"), ("محكمة", "محاكم"), ("حكم", "احكام"), ("جريمة", "جرائم"),
    ("ضحية", "ضحايا"), ("ارض", "اراضي"), ("مزرعة", "مزارع"), ("بئر", "ابار"), ("نهر", "انهار"),
    ("جسر", "جسور"), ("طريق", "طرق"), ("مبنى", "مباني"), ("مصنع", "مصانع"), ("فرن", "افران"),
    ("مخبز", "مخابز"), ("مدفع", "مدافع"), ("قنبلة", "قنابل"), ("ولد", "اولاد"), ("اب", "اباء"),
    ("عامل", "عمال"), ("تاجر", "تجار"), ("شيخ", "شيوخ"), ("عشيرة", "عشائر"), ("قبيلة", "قبائل"),
    ("زعيم", "زعماء"), ("قائد", "قادة"), ("وزير", "وزراء"), ("نائب", "نواب"), ("سفير", "سفراء"),
    ("دولة", "دول"), ("حزب", "احزاب"), ("جيش", "جيوش"), ("فرقة", "فرق"), ("لواء", "الوية"),
    ("كتيبة", "كتائب"), ("فوج", "افواج"), ("قاعدة", "قواعد"), ("فرع", "فروع"), ("زنزانة", "زنازين"),
    ("مقاتل", "مقاتلون"), ("معتقل", "معتقلون"), ("مستشفى", "مشافي"), ("مركز", "مراكز"), ("مخيم", "مخيمات"),
    ("مهجر", "مهجرون"), ("نازح", "نازحون"), ("لاجئ", "لاجئون"), ("مفقود", "مفقودون"), ("مدني", "مدنيون"),
    ("صحفي", "صحفيون"), ("ناشط", "ناشطون"), ("مسلح", "مسلحون"), ("حادثة", "حوادث"), ("واقعة", "وقائع"),
    ("شهادة", "شهادات"), ("انتهاك", "انتهاكات"), ("اشتباك", "اشتباكات"), ("هجوم", "هجمات"),
)


def _plural_table() -> dict[str, tuple[str, ...]]:
    table: dict[str, list[str]] = {}
    for singular, plural in BROKEN_PLURALS:
        others = {plural}
        if plural.endswith(("ون", "ين")):  # sound masculine plurals in both cases
            others.add(plural[:-2] + ("ين" if plural.endswith("ون") else "ون"))
        for form in {singular, *others}:
            table.setdefault(form, []).extend(other for other in {singular, *others} if other != form)
    return {form: tuple(sorted(set(others))) for form, others in table.items()}


_PLURALS = _plural_table()
_HAMZA_SEATS = str.maketrans({"ؤ": "ئ", "ئ": "ؤ"})


def index_variants(reading: str) -> tuple[str, ...]:
    """Other spellings and numbers a reader may search a `reading` by: ة
    typed as ه at the end (الرقه), the other seat of a medial hamza
    (مسؤول/مسئول) and the other number of a broken plural (مجزرة/مجازر)."""
    found = list(_PLURALS.get(reading, ()))
    if reading.endswith("ة"):
        found.append(reading[:-1] + "ه")
    if ("ؤ" in reading[:-1] or "ئ" in reading[:-1]):
        found.append(reading[:-1].translate(_HAMZA_SEATS) + reading[-1])
    return tuple(found)


def search_extra_words(text: str, names: tuple[str, ...] | list[str] = (),
                       keep: frozenset[str] = frozenset()) -> list[str]:
    """Return the words to index beside `text` so that search_key queries
    find it: the readings of its words that it does not already contain
    (a first letter is not taken for a clitic in the words of `keep`),
    their index_variants, and the words of `names` (aliases of its places and
    actors) with theirs. Each once, in order of first appearance."""
    written = set(written_words(text))
    extra: dict[str, None] = {}
    for form in dict.fromkeys(written_words(search_normal(" ".join([text, *names])))):
        for found in _index_words(form, keep):
            if found not in written:
                extra[found] = None
    return list(extra)


@functools.lru_cache(maxsize=200_000)
def _index_words(form: str, keep: frozenset[str]) -> tuple[str, ...]:
    """The readings of `form`, and their index_variants with their own readings."""
    found: dict[str, None] = {}
    for reading in _readings(form, keep):
        found[reading] = None
        for variant in index_variants(reading):
            found.update(dict.fromkeys(_readings(variant, keep)))
    return tuple(found)


def reading_counts(texts) -> dict[str, int]:
    """How many words of `texts` have each reading (for search_keep)."""
    words: collections.Counter[str] = collections.Counter()
    for text in texts:
        words.update(written_words(search_normal(text)))
    counts: dict[str, int] = {}
    for word, seen in words.items():
        for reading in search_forms(word):
            counts[reading] = counts.get(reading, 0) + seen
    return counts


def reading_time(words: int, per_minute: int = 180) -> str:
    """Return how long `words` words take to read, in Arabic: "دقيقتان"."""
    minutes = max(1, round(words / per_minute))
    if minutes == 1:
        return "دقيقة واحدة"
    if minutes == 2:
        return "دقيقتان"
    if 3 <= minutes % 100 <= 10:
        return f"{minutes} دقائق"
    return f"{minutes} دقيقة"
