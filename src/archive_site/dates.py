"""An article's date when its file does not state one.

Texts as received carry no date field. In order, the first that gives one:
the file's name (`2019-08-03-report.txt`, as Jekyll reads it) or its folders
(`content/2019/08/03/…`, or `content/2019/08/…` for the month alone), then a
date written in the text itself ("3 آب 2019", "٣ آب/أغسطس ٢٠١٩",
"2019-08-03"), taken only when the text names exactly one date. Hijri dates
are recognised so that they are never misread, but not converted: the
civil calendar's conversion is not exact to the day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import arabic

# How each source is named in records and in `check`.
FRONT_MATTER, SIDECAR, FILE_NAME, FOLDERS, TEXT = "front matter", "sidecar", "file name", "folders", "text"
INTAKE = "intake"  # the day the text was received: `received:`, or the ledger's


@dataclass(frozen=True)
class Found:
    """A date and where it came from; `precision` is "day" or "month"."""

    date: dt.datetime
    source: str
    precision: str = "day"


_FILE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[-_. ]|$)")
_FOLDER_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{1,2})/(?:(\d{1,2})/)?[^/]+$")


def from_path(rel: str) -> Found | None:
    """The date a file's name or folders give (`rel`: its path with `/`)."""
    name = rel.rsplit("/", 1)[-1]
    match = _FILE_DATE.match(name)
    if match:
        date = _valid(*map(int, match.groups()))
        if date:
            return Found(date, FILE_NAME)
    match = _FOLDER_DATE.search(rel)
    if match:
        year, month, day = match.groups()
        date = _valid(int(year), int(month), int(day) if day else 1)
        if date:
            return Found(date, FOLDERS, "day" if day else "month")
    return None


def _valid(year: int, month: int, day: int) -> dt.datetime | None:
    if not 1800 <= year <= dt.date.today().year + 1:
        return None
    try:
        return dt.datetime(year, month, day)
    except ValueError:
        return None


def _months(names: list[list[str]]) -> dict[str, int]:
    """Each spelling of a month name, normalised for matching, → month number."""
    table = {}
    for number, spellings in enumerate(names, 1):
        for spelling in spellings:
            table[arabic.normalize(spelling)] = number
    return table


GREGORIAN = _months([
    ["كانون الثاني", "يناير", "جانفي"], ["شباط", "فبراير", "فيفري"], ["آذار", "مارس"],
    ["نيسان", "أبريل", "إبريل", "افريل"], ["أيار", "مايو", "ماي"], ["حزيران", "يونيو", "يونيه", "جوان"],
    ["تموز", "يوليو", "يوليه", "جويلية"], ["آب", "أغسطس", "اغسطس", "أوت"], ["أيلول", "سبتمبر"],
    ["تشرين الأول", "أكتوبر"], ["تشرين الثاني", "نوفمبر"], ["كانون الأول", "ديسمبر"],
])
HIJRI = _months([
    ["محرم"], ["صفر"], ["ربيع الأول"], ["ربيع الآخر", "ربيع الثاني"], ["جمادى الأولى"],
    ["جمادى الآخرة", "جمادى الثانية"], ["رجب"], ["شعبان"], ["رمضان"], ["شوال"], ["ذو القعدة"], ["ذو الحجة"],
])


def _alternation(table: dict[str, int]) -> str:
    # Longest first, so that "تشرين الثاني" is never read as a shorter name.
    return "|".join(re.escape(name) for name in sorted(table, key=len, reverse=True))


_MONTH = _alternation(GREGORIAN)
_HIJRI_MONTH = _alternation(HIJRI)
# "3 آب 2019", "و3 آب/أغسطس 2019", "3 آب (أغسطس) 2019", "3 من آب عام 2019".
_NAMED = re.compile(
    rf"(?<![\w/])(?:و?[بل]?)(\d{{1,2}})\s+(?:من\s+)?(?:شهر\s+)?({_MONTH})(?:\s*(?:/|\(|،|-)\s*({_MONTH})\s*\)?)?"
    rf"\s*(?:،\s*)?(?:من\s+)?(?:عام|سنه|العام)?\s*(\d{{4}})(?!\d)")
# "بين 3 و5 آب 2019", "3-5 آب 2019": a span, not one date.
_SPAN = re.compile(rf"(?<![\w/])\d{{1,2}}\s*(?:و|-|–|الي|حتي)\s*\d{{1,2}}\s+(?:{_MONTH})")
_HIJRI_DATE = re.compile(rf"(?<![\w/])\d{{1,2}}\s+(?:{_HIJRI_MONTH})\s+\d{{3,4}}")
_ISO = re.compile(r"(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?![\d/.-])")


def from_text(title: str, text: str) -> Found | None:
    """The date the text names, when it names exactly one (whatever the
    number of times). A day written with two month names that disagree is
    no date."""
    written = arabic.normalize(arabic.to_ascii_digits(f"{title}\n{text}"))
    written = _HIJRI_DATE.sub(" ", written)
    if _SPAN.search(written):
        return None
    dates = set()
    for day, first, second, year in _NAMED.findall(written):
        month = GREGORIAN[first]
        if second and GREGORIAN[second] != month:
            continue
        date = _valid(int(year), month, int(day))
        if date:
            dates.add(date)
    for year, month, day in _ISO.findall(written):
        date = _valid(int(year), int(month), int(day))
        if date:
            dates.add(date)
    if len(dates) != 1:
        return None
    return Found(dates.pop(), TEXT)
