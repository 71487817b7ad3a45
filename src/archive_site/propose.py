"""Names the gazetteer lacks, proposed from the words around them.

Reports name many villages, quarters, camps and armed groups no list holds.
Where the text says what a name is — «قرية X», «حي X بريف Y», «لواء X» — the
name is proposed to the editor (`archive-site check`, `import`), with the
known place it lies in when the text gives one. Nothing proposed is ever
tagged or published: an editor accepts a name into the site's gazetteer with
`archive-site gazetteer add`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import arabic
from .gazetteer import Gazetteer

# Words that say the next name is a place, or an armed group or body.
PLACE_HEADS = {arabic.normalize(w) for w in ("قرية", "بلدة", "حي", "مخيم", "ناحية", "مزرعة", "قريتي", "بلدتي")}
ACTOR_HEADS = {arabic.normalize(w) for w in (
    "قوات", "فرقة", "لواء", "كتائب", "كتيبة", "جيش", "حركة", "تجمع", "فيلق", "جبهة", "ميليشيا", "سرايا",
    "هيئة", "غرفة", "مجموعة")}
# Words that end a name, or cannot begin one.
STOP = {arabic.normalize(w) for w in (
    "في", "من", "الى", "إلى", "على", "عن", "مع", "بعد", "قبل", "التي", "الذي", "الذين", "او", "أو", "ثم",
    "قد", "كان", "كانت", "ان", "أن", "إن", "هذه", "هذا", "تلك", "ذلك", "نحو", "قرب", "داخل", "خلال", "حيث",
    "منذ", "عند", "بين", "حتى", "لدى", "اثناء", "أثناء", "بسبب", "ضد", "دون", "غير", "كل", "بعض", "عدة",
    "نفسها", "نفسه", "ذاتها", "ذاته", "المجاورة", "القريبة", "الحدودية", "الواقعة", "المحاصرة", "المذكورة",
    "الصغيرة", "الكبيرة", "الجديدة", "القديمة", "السكني", "السكنية", "الشعبي", "المدمرة", "وسط", "شمال",
    "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "ريف", "بريف", "مدينة", "بلدة", "قرية", "حي",
    "مخيم", "محافظة", "منطقة", "الأخرى", "أخرى", "عدد", "أحد", "إحدى", "اليوم", "أمس", "صباح", "مساء",
    "ليل", "النازحين", "للنازحين", "اللاجئين", "السورية", "السوري")}
# Words after an actor head that make no name of their own: «قوات النظام», «جيش الاحتلال».
GENERIC = {arabic.normalize(w) for w in (
    "النظام", "الحكومة", "الحكومية", "المعارضة", "الأمن", "الامن", "الشرطة", "الجيش", "الاحتلال", "التحالف",
    "الفصائل", "العدو", "الفصيل", "المسلحين", "مسلحة", "مسلحين", "عسكرية", "أمنية", "خاصة", "الإغاثة",
    "الدفاع", "الأمم", "التحرير", "الطوارئ", "الحماية", "الإنقاذ", "الانقاذ", "المراقبة", "العمليات", "الإدارة",
    "حفظ", "الشعب", "سوريا", "سورية", "الإسلام", "الاسلام", "النخبة", "المشاة", "الصاعقة", "مدعومة", "تابعة",
    "موالية", "محلية", "أجنبية", "التابعة", "الموالية", "المحلية", "الأجنبية", "إيرانية", "روسية", "تركية")}
# First words that a second completes: titles, and the first halves of compound place names.
TITLES = {arabic.normalize(w) for w in (
    "السلطان", "الشيخ", "الشهيد", "الإمام", "أبو", "ابن", "بني", "الملك", "الأمير", "سيف", "درع", "أحرار",
    "أنصار", "شهداء", "دير", "عين", "تل", "رأس", "كفر", "خان", "جسر", "بيت", "قلعة", "جب", "بئر", "تلة")}
_CAMP = arabic.normalize("مخيم")
_SENTENCE = re.compile(r"[.،,؛;:!?؟()\[\]«»\"“”\n]+")
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a\u0640]+$")


@dataclass
class Candidate:
    """A name the gazetteer lacks, as the text gives it."""

    kind: str  # "places" or "actors"
    name: str  # as written (without clitics)
    said: str  # the words it was found in: «قرية الحميدية»
    parent: str = ""  # the slug of the known place it lies in, when the text says
    sources: list[str] = field(default_factory=list)  # the articles that name it

    @property
    def command(self) -> str:
        """The command line that adds it to the site's gazetteer."""
        parent = f" --parent {self.parent}" if self.parent else ""
        return f'archive-site gazetteer add {"place" if self.kind == "places" else "actor"} "{self.name}"{parent}'


def propose(text: str, gazetteer: Gazetteer) -> list[Candidate]:
    """The names in `text` that context marks as a place or an armed group
    or body and that the gazetteer does not know."""
    found: list[Candidate] = []
    for clause in _SENTENCE.split(text):
        written = arabic.written_words(clause)
        words = [arabic.normalize(w) for w in written]
        for i, word in enumerate(words[:-1]):
            heads = [r for r in arabic.without_clitics(word) if r in PLACE_HEADS or r in ACTOR_HEADS]
            if not heads:
                continue
            kind = "places" if heads[0] in PLACE_HEADS else "actors"
            end = _name_end(words, i + 1, 2)
            if end == i + 1 or (kind == "actors" and words[i + 1] in GENERIC):
                continue
            head = arabic.strip_tashkeel(written[i])[len(word) - len(heads[0]):]  # without its clitics
            said = " ".join([head, *written[i + 1:end]])
            if kind == "places":
                # a camp's name keeps the word (مخيم الهول); a village's or quarter's does not
                name = said if heads[0] == _CAMP else " ".join(written[i + 1:end])
                if _known(gazetteer, "places", name):
                    continue
                parent = _enclosing(written, end, gazetteer)
            else:
                name = said
                if _known(gazetteer, "actors", name):
                    continue
                parent = ""
            found.append(Candidate(kind, name, said, parent))
    return found


def _known(gazetteer: Gazetteer, kind: str, name: str) -> bool:
    """Whether the gazetteer has `name`, in any of its spellings."""
    whole = arabic.normalize(name)
    return gazetteer.lookup(kind, name) is not None or any(
        arabic.normalize(quote) == whole for _, quote, _, _ in gazetteer.find(kind, name))


def _name_end(words: list[str], start: int, longest: int) -> int:
    """Where a name that starts at `start` ends: at most `longest` words of
    Arabic letters, none of them a stop word. After a definite first word
    (الصناديد) a second is part of the name only if it is definite too (an
    adjective), unless the first is a title or the first half of a
    compound (السلطان مراد، الشيخ سعيد، تل حميس)."""
    end = start
    while end < len(words) and end - start < longest and words[end] not in STOP \
            and _ARABIC_WORD.match(words[end]) and len(words[end]) > 1:
        if end > start and words[start] not in TITLES and not words[end].startswith("ال"):
            break
        end += 1
    return end


def _enclosing(written: list[str], end: int, gazetteer: Gazetteer) -> str:
    """The slug of the known place the words after a name put it in:
    «بريف حلب», «في ريف إدلب الجنوبي», «شمال حماة»."""
    after = " ".join(written[end:end + 5])
    for entry, _, _, reason in gazetteer.find("places", after):
        if not reason.startswith("not taken"):
            return entry.slug
    return ""


def gather(proposals: list[tuple[str, list[Candidate]]]) -> list[Candidate]:
    """One candidate per name and kind, with every article that names it,
    the most named first."""
    merged: dict[tuple[str, str], Candidate] = {}
    for source, candidates in proposals:
        for candidate in candidates:
            key = (candidate.kind, arabic.normalize(candidate.name))
            kept = merged.setdefault(key, Candidate(candidate.kind, candidate.name, candidate.said,
                                                    candidate.parent))
            kept.parent = kept.parent or candidate.parent
            if source not in kept.sources:
                kept.sources.append(source)
    return sorted(merged.values(), key=lambda c: (-len(c.sources), c.kind, c.name))
