"""Places and actors named in article text: the gazetteer and the matcher.

The gazetteer (data/gazetteer.yml, or a site's own gazetteer.yml) lists
places with their parent place, and actors with their aliases. `tag_articles`
adds the places and actors that an article's title and body mention to its
record, after what the editor listed in the front matter.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import arabic
from .cache import RecordCache
from .config import TaxonomySpec, read_settings_text, yaml_error_line
from .i18n import N_, Msg
from .model import Article, ContentError
from .workers import fork_map

PACKAGED = Path(__file__).parent / "data" / "gazetteer.yml"
SITE_FILE = "gazetteer.yml"
KINDS = ("places", "actors")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# First words of two-word names that are often written joined to the second (ديرالزور).
_JOINABLE = {arabic.normalize(w) for w in ("دير", "عين", "تل", "رأس", "كفر", "خان", "جسر", "أبو", "بيت", "قلعة")}
# A word before an ambiguous name that makes it a place: مدينة الباب.
PLACE_WORDS = {arabic.normalize(w) for w in (
    "مدينة", "مدينتي", "مدن", "بلدة", "بلدتي", "بلدات", "قرية", "قريتي", "قرى", "ناحية", "منطقة",
    "منطقتي", "مناطق", "مخيم", "مخيمات", "حي", "حيي", "أحياء", "محافظة", "محافظتي", "ريف", "مركز",
    "ضواحي", "أطراف", "سكان", "أهالي", "مشفى", "مستشفى", "معبر", "سجن", "محافظات")}
# A plural of those: the names listed after it with و are all places
# («محافظات حلب وحماة واللاذقية», «بلدات كفرنبل وحاس»).
LIST_WORDS = {arabic.normalize(w) for w in ("مدن", "بلدات", "قرى", "مناطق", "مخيمات", "أحياء", "محافظات")}
# A word before an ambiguous name that makes it a place only if another place
# of the same governorate is in the article: في الباب.
LOCATIVE_WORDS = {arabic.normalize(w) for w in (
    "في", "من", "إلى", "الى", "قرب", "نحو", "بين", "داخل", "حول", "محيط", "شمال", "جنوب", "شرق",
    "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "اتجاه", "عند", "مدخل", "أنحاء")}
# A word right after a name that makes it part of another, longer name: another
# country's body («الدفاع المدني اللبناني», «الجيش العراقي») or a higher
# ordinal («الفرقة الرابعة عشرة»). Names that include such a word are listed
# whole in the gazetteer («حزب الله اللبناني») and matched whole.
EXTENDING_WORDS = {arabic.normalize(w) for stem in (
    "اللبناني", "العراقي", "الأردني", "التركي", "الإيراني", "الروسي", "الأمريكي", "الأميركي", "الإسرائيلي",
    "المصري", "الفلسطيني", "السعودي", "القطري", "الإماراتي", "اليمني", "الليبي", "الفرنسي", "البريطاني",
    "الألماني", "السوداني", "التونسي", "الجزائري", "المغربي", "الكويتي", "الباكستاني", "الأفغاني")
    for w in (stem, stem + "ة")} | {arabic.normalize(w) for w in ("عشر", "عشرة")}
# Countries and regions around Syria that share its place names: a place
# name followed by «في» or «ب» and one of these is not the Syrian one.
ELSEWHERE = {arabic.normalize(w) for w in (
    "لبنان", "العراق", "الأردن", "فلسطين", "الضفة", "غزة", "القدس", "مصر", "المغرب", "تونس", "الجزائر",
    "ليبيا", "تركيا", "إيران", "السعودية", "الكويت", "اليمن", "إسرائيل",
    # cities abroad a Syrian name is placed in: «مدينة الثورة ببغداد»
    "بغداد", "الموصل", "أربيل", "البصرة", "بيروت", "صيدا", "القاهرة", "إسطنبول", "أنقرة", "عنتاب",
    "غازي عنتاب", "الرياض", "عمّان")}
# A word right before a name that makes it the second half of another, longer
# name: «كتائب حزب الله» (an Iraqi group, not حزب الله), «أشرفية صحنايا» (a
# town of its own, not صحنايا). Such longer names, when known, are listed
# whole and matched whole.
HEAD_WORDS = {
    "actors": {arabic.normalize(w) for w in (
        "كتائب", "كتيبة", "لواء", "ألوية", "سرايا", "سرية", "فيلق", "تجمع", "اتحاد", "رابطة")},
    "places": {arabic.normalize(w) for w in ("أشرفية", "اشرفية", "جديدة", "ضاحية", "مساكن")},
}
_QUARTERS = (("north", "الشمالي"), ("south", "الجنوبي"), ("east", "الشرقي"), ("west", "الغربي"))
# An actor named by its country's adjective (`adjectives:` in the gazetteer)
# after a word for a force or a strike: «طائرات حربية روسية», «قصف مدفعي
# تركي», «الدورية الإسرائيلية». Each noun with its gender (the adjective
# agrees: a plural of things takes the feminine), then the words that may
# stand between, in the masculine.
FORCE_NOUNS = {
    "طائرة": "f", "طائرات": "f", "مقاتلات": "f", "مروحيات": "f", "مسيرة": "f", "مسيرات": "f",
    "غارة": "f", "غارات": "f", "ضربة": "f", "ضربات": "f", "صواريخ": "f", "قوات": "f", "دورية": "f",
    "دوريات": "f", "مدفعية": "f", "بوارج": "f", "طيران": "m", "قصف": "m", "صاروخ": "m"}
FORCE_BETWEEN = ("", "حربي", "جوي", "مسير", "مدفعي", "صاروخي")
# «صواريخ روسية الصنع» are Russian-made, not fired by Russia's forces.
MADE_WORDS = {arabic.normalize(w) for w in ("الصنع", "الصناعة")}


@dataclass(frozen=True)
class Entry:
    """One place or actor of the gazetteer."""

    kind: str
    slug: str
    name: str
    parent: str | None = None
    variants: tuple[str, ...] = ()
    ambiguous: bool = False
    # The period an actor's names stand for it, when they stood for another
    # before or after (the army before and after December 2024): the first
    # day, and the first day it no longer does.
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    # Where a place is (WGS 84 degrees), and the GeoNames id they come from.
    lat: float | None = None
    lon: float | None = None
    geonames: int | None = None
    # Addresses it had before (a renamed or split entry): each leads to its page.
    former_slugs: tuple[str, ...] = ()
    # An actor's country adjectives, masculine (روسي): see FORCE_NOUNS.
    adjectives: tuple[str, ...] = ()

    def valid_on(self, when: dt.date | None) -> bool:
        """Whether the entry's names mean it on the day `when` (None: an
        undated article, for which only an entry with no period holds)."""
        if when is None:
            return self.valid_from is None and self.valid_until is None
        return (self.valid_from is None or self.valid_from <= when) and \
            (self.valid_until is None or when < self.valid_until)


def pick(entries: list[Entry], when: dt.date | None) -> Entry | None:
    """The entry a name means on the day `when`, of those it names: the only
    one, or the one whose period holds; None when no period tells."""
    if len(entries) == 1:
        return entries[0]
    fitting = [e for e in entries if e.valid_on(when)]
    return fitting[0] if len(fitting) == 1 else None


@dataclass(frozen=True)
class Mention:
    """A place or actor found in an article: where, in which words, and
    whether it was taken (with the reason either way)."""

    entry: Entry
    words: str
    accepted: bool
    reason: str


@dataclass
class Detection:
    """What the matcher found in one article, for `archive-site check`."""

    source: str
    mentions: list[Mention] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


class GazetteerError(Exception):
    """The gazetteer file cannot be used; carries the ContentError to report."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error


class Gazetteer:
    """Entries by kind and slug, and an index from every written form of a
    name's first word (with clitics) to the names that start with it."""

    def __init__(self, entries: list[Entry]):
        self.digest = ""  # of the file it was read from: what a cache of tag results depends on
        self.entries: dict[tuple[str, str], Entry] = {(e.kind, e.slug): e for e in entries}
        self._by_name: dict[tuple[str, str], list[Entry]] = {}
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], str, Entry]]]] = {k: defaultdict(list)
                                                                                      for k in KINDS}
        for entry in entries:
            for name in (entry.name, *entry.variants, *force_names(entry.adjectives)):
                self._add(entry, name)
        self._split: dict[str, dict[str, tuple[list, dict[str, list]]]] = {}
        self._suggested: dict[tuple[str, str], str | None] = {}

    def _add(self, entry: Entry, name: str) -> None:
        parts = tuple(arabic.normalize(name).split())
        if not parts:
            return
        named = self._by_name.setdefault((entry.kind, " ".join(parts)), [])
        if entry not in named:
            named.append(entry)
        spellings = [parts]
        if len(parts) == 2 and parts[0] in _JOINABLE:
            spellings.append((parts[0] + parts[1],))
        for first, *rest in spellings:
            for written, clitics in arabic.clitic_forms(first):
                self._index[entry.kind][written].append((tuple(rest), clitics, entry))

    def _split_index(self, kind: str) -> dict[str, tuple[list, dict[str, list]]]:
        """The index of `kind` as `find` reads it, made when first needed (a
        build whose articles were all tagged before needs none): by first
        word, the one-word names, and the longer ones by their second word,
        each list in the index's order."""
        split = self._split.get(kind)
        if split is None:
            split = self._split[kind] = {}
            for first, candidates in self._index[kind].items():
                single, longer = [], defaultdict(list)
                for candidate in candidates:
                    (longer[candidate[0][0]] if candidate[0] else single).append(candidate)
                split[first] = (single, dict(longer))
        return split

    def lookup(self, kind: str, name: str, when: dt.date | None = None) -> Entry | None:
        """Return the entry named `name` (any listed spelling) on the day
        `when` (see pick), or None."""
        key = arabic.normalize(name)
        named = self._by_name.get((kind, key))
        if not named:
            return None
        # A canonical name (as pages and records carry it) is its own entry's, whatever the day.
        own = [e for e in named if arabic.normalize(e.name) == key]
        return pick(named, when) or (own[0] if len(own) == 1 and when is None else None)

    def get(self, kind: str, slug: str) -> Entry | None:
        return self.entries.get((kind, slug))

    def ancestors(self, entry: Entry) -> list[Entry]:
        """Return the places enclosing `entry`, nearest first."""
        chain = []
        while entry.parent:
            entry = self.entries[(entry.kind, entry.parent)]
            chain.append(entry)
        return chain

    def root(self, entry: Entry) -> Entry:
        chain = self.ancestors(entry)
        return chain[-1] if chain else entry

    def suggest(self, kind: str, name: str) -> str | None:
        """Return the listed name closest to `name`, for a 'did you mean' hint."""
        key = (kind, arabic.normalize(name))
        if key not in self._suggested:  # the same unknown name is often listed by many articles
            names = [n for (k, n) in self._by_name if k == kind]
            close = difflib.get_close_matches(key[1], names, n=1, cutoff=0.75)
            self._suggested[key] = self._by_name[(kind, close[0])][0].name if close else None
        return self._suggested[key]

    def find(self, kind: str, text: str, when: dt.date | None = None) -> list[tuple[Entry, str, bool, str]]:
        """Return the names of `kind` in `text`, in order, as (entry, words as
        written, needs support, reason). The longest name wins where names
        overlap. Ambiguous one-word names are judged by the word before them:
        after a place word they are taken; after a locative word, with a
        preposition attached, or joined by و to a place just before, they need
        another place of the same governorate in the article ("needs
        support"); otherwise they are left out, with a reason that starts
        "not taken". The reason is empty for an unambiguous name. A name of
        several entries means the one whose period holds on the day `when`
        (the article's date); without a date it is not taken."""
        index = self._split_index(kind)
        text, tokens = _tokens(text)
        written: list[str] | None = None
        found = []
        last_end = -9
        pending_dual = None
        after_list_word = ""  # the names joined by و since a plural place word (LIST_WORDS)
        count = len(tokens)
        # The words that start a name: most words of a text start none.
        for i, split in [(n, split) for n, split in enumerate(map(index.get, tokens)) if split is not None]:
            if i <= last_end:  # within the name just found
                continue
            # The longer names whose second word follows, then the one-word names:
            # the longest that matches wins, so the order within a length is kept.
            longer = split[1].get(tokens[i + 1]) if i + 1 < count and split[1] else None
            candidates = longer + split[0] if longer else split[0]
            best = None
            meant: list[Entry] = []
            for rest, clitics, entry in candidates:
                end = i + len(rest)
                if end < count and (len(rest) < 2 or all(tokens[i + 1 + j] == w for j, w in enumerate(rest))):
                    if best is None or len(rest) > len(best[0]):
                        best, meant = (rest, clitics, entry), []
                    if len(rest) == len(best[0]) and entry not in meant:
                        meant.append(entry)
            if best is None:
                continue
            if written is None:
                written = _written(text)
                if len(written) != count:  # cannot happen with clean text; quote the normal forms then
                    written = tokens
            rest, clitics, entry = best
            end = i + len(rest)
            quote = " ".join(written[i:end + 1])
            abroad = kind == "places" and _abroad(tokens, end)
            chosen = self._choose(meant, when, tokens) if len(meant) > 1 else entry
            entry = chosen or entry
            if pending_dual is not None and clitics == "و" and i == last_end + 1:
                # «ريفي إدلب وحماة»: the second name is a countryside too
                entry = self.get(kind, f"{entry.slug}-countryside") or entry
            pending_dual = entry if tokens[i] == _DUAL and entry.slug.endswith("-countryside") else None
            if chosen is None:
                found.append((entry, quote, False, Msg("not taken: the name stands for different actors in "
                                                       "different periods, and the article has no date")))
            elif i > 0 and clitics == "" and any(r in HEAD_WORDS[kind] for r in arabic.without_clitics(tokens[i - 1])):
                # «كتائب حزب الله», «أشرفية صحنايا»: the second half of a longer name.
                found.append((entry, f"{written[i - 1]} {quote}", False,
                              Msg("not taken: «{word}» before it makes it another name", word=written[i - 1])))
            elif abroad:
                found.append((entry, quote, False,
                              Msg("not taken: «{words}» places it outside Syria",
                                  words=" ".join(written[end + 1:end + 3]))))
            elif end + 1 < count and tokens[end + 1] in EXTENDING_WORDS:
                # «الدفاع المدني اللبناني», «الفرقة الرابعة عشرة»: a longer name, not this one.
                found.append((entry, f"{quote} {written[end + 1]}", False,
                              Msg("not taken: «{word}» after it makes it another name", word=written[end + 1])))
            elif kind == "actors" and end + 1 < count and tokens[end + 1] in MADE_WORDS:
                found.append((entry, f"{quote} {written[end + 1]}", False,
                              Msg("not taken: «{word}» after it says where a weapon was made", word=written[end + 1])))
            elif entry.ambiguous and not rest:
                in_a_list = clitics == "و" and i - last_end <= 2
                if in_a_list and after_list_word:
                    found.append((entry, quote, False, Msg("in a list after «{word}»", word=after_list_word)))
                else:
                    found.append((entry, quote, *self._judge(tokens, written, i, clitics, in_a_list)))
            else:
                found.append((entry, quote, False, ""))
            if i > 0 and tokens[i - 1] in LIST_WORDS:
                after_list_word = written[i - 1]
            elif not (clitics == "و" and i - last_end <= 2):
                after_list_word = ""
            last_end = end
        return found

    def _choose(self, meant: list[Entry], when: dt.date | None, tokens: list[str]) -> Entry | None:
        """Which of several entries one name means: for actors with periods,
        the one of the article's date (None when it has none); for places
        of the same name (جوبر in Damascus and in Homs), the one inside a
        place the article names, else the first listed."""
        if any(e.valid_from or e.valid_until for e in meant):
            return pick(meant, when)
        text = f" {' '.join(tokens)} "
        words = {reading for token in tokens for reading in arabic.without_clitics(token)}
        inside = [e for e in meant if any(_named_in(a, words, text) for a in self.ancestors(e))]
        return inside[0] if len(inside) == 1 else meant[0]

    @staticmethod
    def _judge(tokens: list[str], written: list[str], i: int, clitics: str, in_a_list: bool) -> tuple[bool, str]:
        if i > 0:
            readings = arabic.without_clitics(tokens[i - 1])
            if any(r in PLACE_WORDS for r in readings):
                return False, Msg("after «{word}»", word=written[i - 1])
            if any(r in LOCATIVE_WORDS for r in readings):
                return True, Msg("after «{word}»", word=written[i - 1])
        if clitics.rstrip("وف"):
            return True, Msg("with «{clitics}» attached", clitics=clitics)
        if in_a_list:
            return True, Msg("joined by «و» to the place before it")
        return False, Msg("not taken: no place word before it, so it may be an ordinary word")


_DUAL = arabic.normalize("ريفي")


def force_names(adjectives: tuple[str, ...]) -> list[str]:
    """The names an actor has through its country's adjectives: each force
    noun, with or without a word between, indefinite and definite."""
    names = []
    for adjective in adjectives:
        for noun, gender in FORCE_NOUNS.items():
            ending = "ة" if gender == "f" else ""
            for between in FORCE_BETWEEN:
                words = [noun, *([between + ending] if between else []), adjective + ending]
                if between == "مسير" and noun not in ("طائرة", "طائرات"):
                    continue
                names.append(" ".join(words))
                names.append(" ".join("ال" + w for w in words))
    return names


def _named_in(place: Entry, words: set[str], text: str) -> bool:
    """Whether a text names `place`: `words` are its normalised words with
    and without clitics, `text` the normalised words joined, with spaces
    around. A one-word place is also named by its adjective (حمص: الحمصي)."""
    name = arabic.normalize(place.name)
    if " " in name:
        return f" {name} " in text
    bare = name.removeprefix("ال")
    return bool({name, f"ال{bare}ي", f"ال{bare}يه"} & words)


def _abroad(tokens: list[str], end: int) -> bool:
    """Whether the words after a place name place it in another country:
    «أريحا في الضفة الغربية», «المنصورة بمصر», «صلاح الدين شمال العراق»."""
    if end + 1 >= len(tokens):
        return False
    after = tokens[end + 1]
    if after in ("في", "شمال", "جنوب", "شرق", "غرب", "وسط") and end + 2 < len(tokens):
        return tokens[end + 2] in ELSEWHERE
    return after.startswith("ب") and after[1:] in ELSEWHERE  # «بالضفة», «بمصر»


@functools.lru_cache(maxsize=16)
def _tokens(text: str) -> tuple[str, list[str]]:
    """`text` cleaned, and its normalised words: shared by the searches for
    places and for actors in the same text."""
    cleaned = arabic.fold(text)
    return cleaned, arabic.word_forms(cleaned)


@functools.lru_cache(maxsize=16)
def _written(cleaned: str) -> list[str]:
    """The words of `cleaned` as written (see _tokens): shared likewise."""
    return arabic.written_words(cleaned)


def load_gazetteer(site_dir: Path) -> Gazetteer:
    """Return the site's gazetteer: its own gazetteer.yml if it has one, else
    the packaged one. Raises GazetteerError naming the line of a bad entry."""
    path = site_dir / SITE_FILE
    shown = SITE_FILE
    if not path.is_file():
        path, shown = PACKAGED, "archive_site/data/gazetteer.yml"
    text = read_settings_text(path, shown)
    gazetteer = _read(text, shown)
    gazetteer.digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
    return gazetteer


def _read(text: str, shown: str) -> Gazetteer:
    def fail(message: str, node=None, hint: str = "") -> GazetteerError:
        line = node.start_mark.line + 1 if node is not None else None
        return GazetteerError(ContentError(shown, message, line, hint))

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        raise GazetteerError(ContentError(shown, Msg("invalid YAML: {problem}", problem=str(getattr(exc, "problem", exc))),
                                          line + 1 if line is not None else None)) from None
    if not isinstance(root, yaml.MappingNode):
        raise fail("expected the sections 'places:' and 'actors:'", root)
    entries: list[Entry] = []
    for key_node, section in root.value:
        kind = key_node.value
        if kind not in KINDS:
            raise fail(f"unknown section '{kind}'", key_node, "use 'places:' and 'actors:'")
        if not isinstance(section, yaml.SequenceNode):
            raise fail(f"'{kind}' must be a list of entries", section)
        for node in section.value:
            entries.extend(_entry(kind, node, fail))
    seen: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        if (entry.kind, entry.slug) in seen:
            raise fail(f"slug '{entry.slug}' is used twice in {entry.kind}")
        seen[(entry.kind, entry.slug)] = entry
    for entry in entries:
        for old in entry.former_slugs:
            if (entry.kind, old) in seen:
                raise fail(f"'{old}', a former slug of '{entry.slug}', is the slug of another entry")
    for entry in entries:
        visited = {entry.slug}
        parent = entry.parent
        while parent:
            if (entry.kind, parent) not in seen:
                raise fail(f"'{entry.slug}' has parent '{parent}', which is not in the gazetteer")
            if parent in visited:
                raise fail(f"'{entry.slug}' is inside itself (its parents form a loop)")
            visited.add(parent)
            parent = seen[(entry.kind, parent)].parent
    return Gazetteer(entries)


def _entry(kind: str, node, fail) -> list[Entry]:
    """Return the entries one gazetteer line gives: itself, and for a
    governorate with `countryside: true`, its ريف region and the four quarters."""
    if not isinstance(node, yaml.MappingNode):
        raise fail("an entry must be '{slug: ..., name: ...}'", node)
    try:
        raw = yaml.SafeLoader.construct_document(yaml.SafeLoader(""), node)
    except (ValueError, yaml.YAMLError) as exc:  # a number too long to convert, a bad value
        raise fail(f"an entry cannot be read ({getattr(exc, 'problem', None) or exc})", node) from None
    unknown = set(raw) - {"slug", "name", "parent", "variants", "ambiguous", "countryside", "from", "until",
                          "lat", "lon", "geonames", "former_slugs", "adjectives"}
    if unknown:
        raise fail(f"unknown key '{sorted(unknown)[0]}'", node)
    slug, name = raw.get("slug"), raw.get("name")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise fail("'slug' must be lower-case ASCII letters, digits and hyphens", node)
    if not isinstance(name, str) or not name.strip():
        raise fail(f"'{slug}' has no 'name'", node)
    parent = raw.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise fail(f"'parent' of '{slug}' must be the slug of another entry", node)
    for flag in ("ambiguous", "countryside"):
        if not isinstance(raw.get(flag, False), bool):
            raise fail(f"'{flag}' of '{slug}' must be true or false", node)
    variants = raw.get("variants", [])
    if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
        raise fail(f"'variants' of '{slug}' must be a list of names", node)
    for bound in ("from", "until"):
        if bound in raw and (type(raw[bound]) is not dt.date):
            raise fail(f"'{bound}' of '{slug}' must be a date like 2024-12-08", node)
    if raw.get("from") and raw.get("until") and raw["from"] >= raw["until"]:
        raise fail(f"the period of '{slug}' ends before it starts", node)
    if ("lat" in raw) != ("lon" in raw):
        raise fail(f"'{slug}' needs both 'lat' and 'lon'", node)
    for key, low, high in (("lat", -90, 90), ("lon", -180, 180)):
        if key in raw and (type(raw[key]) not in (int, float) or not low <= raw[key] <= high):
            raise fail(f"'{key}' of '{slug}' must be a number of degrees between {low} and {high}", node)
    former = raw.get("former_slugs", [])
    if not isinstance(former, list) or not all(isinstance(s, str) and _SLUG.match(s) for s in former):
        raise fail(f"'former_slugs' of '{slug}' must be a list of slugs", node)
    adjectives = raw.get("adjectives", [])
    if not isinstance(adjectives, list) or not all(isinstance(a, str) and a.strip() for a in adjectives):
        raise fail(f"'adjectives' of '{slug}' must be a list of words like روسي", node)
    if adjectives and kind != "actors":
        raise fail(f"'adjectives' of '{slug}': only an actor has them", node)
    if "geonames" in raw and type(raw["geonames"]) is not int:
        raise fail(f"'geonames' of '{slug}' must be a GeoNames id (a whole number)", node)
    entry = Entry(kind, slug, arabic.clean(name).strip(), raw.get("parent"),
                  tuple(arabic.clean(v) for v in variants), bool(raw.get("ambiguous", False)),
                  raw.get("from"), raw.get("until"),
                  float(raw["lat"]) if "lat" in raw else None, float(raw["lon"]) if "lon" in raw else None,
                  raw.get("geonames"), tuple(former), tuple(arabic.clean(a).strip() for a in adjectives))
    entries = [entry]
    if raw.get("countryside"):
        # «ريفي إدلب وحماة»: the dual names the countryside of both (see find)
        region = Entry(kind, f"{slug}-countryside", f"ريف {entry.name}", slug, (f"ريفي {entry.name}",))
        entries.append(region)
        of = f"لل{entry.name[2:]}" if entry.name.startswith("ال") else f"ل{entry.name}"
        for suffix, adjective in _QUARTERS:
            # «ريف حلب الشمالي», also written «الريف الشمالي لحلب»
            entries.append(Entry(kind, f"{region.slug}-{suffix}", f"{region.name} {adjective}", region.slug,
                                 (f"الريف {adjective} {of}",)))
    return entries


def tag_articles(articles: list[Article], gazetteer: Gazetteer, taxonomies: tuple[TaxonomySpec, ...],
                 cache: RecordCache | None = None, states: dict[str, object] | None = None, jobs: int = 1,
                 detect: bool = True
                 ) -> tuple[list[Article], list[Detection | None], list[ContentError], list[list[ContentError]]]:
    """Return `articles` with the terms their text names added (for each of
    `taxonomies` matched from a gazetteer section), what was found in each
    (None for an article whose result was cached, and for every article
    without `detect`: a build does not need them, and they are large to
    send back from the workers), the warnings for listed places the
    gazetteer does not know, and those warnings again by article. With a
    cache (salted by the gazetteer and the taxonomies) and the articles'
    file states, an unchanged article is not matched again; the others are
    matched by `jobs` processes when there are many."""
    tagged, detections, by_article = [], [], []
    states = states or {}
    known = [n for n, a in enumerate(articles) if cache and a.source in states]
    outcomes = [None] * len(articles)
    if known:
        for n, outcome in zip(known, cache.get_many("tag", [(articles[n].source, states[articles[n].source])
                                                           for n in known]), strict=True):
            outcomes[n] = outcome
    missing = [n for n, outcome in enumerate(outcomes) if outcome is None]

    def match(n: int) -> tuple:
        result, detection, unknown = tag_article(articles[n], gazetteer, taxonomies)
        found = {key: result.terms[key] for key in result.terms if key in matched}
        return (found, unknown, detection) if detect else (found, unknown)

    matched = {spec.key for spec in taxonomies if spec.gazetteer}
    for n, outcome in zip(missing, fork_map(match, missing, jobs), strict=True):
        outcomes[n] = outcome
        if cache and articles[n].source in states:
            cache.put("tag", articles[n].source, states[articles[n].source], outcome[:2])
    for article, outcome in zip(articles, outcomes, strict=True):
        found, unknown = outcome[:2]
        same = all(article.terms.get(key) == names for key, names in found.items())
        tagged.append(article if same else article.but(terms={**article.terms, **found}))
        detections.append(outcome[2] if len(outcome) > 2 else None)
        by_article.append(list(unknown))
    return tagged, detections, [w for warnings in by_article for w in warnings], by_article


def tag_article(article: Article, gazetteer: Gazetteer, taxonomies: tuple[TaxonomySpec, ...]
                ) -> tuple[Article, Detection, list[ContentError]]:
    """Return `article` with the terms found in its text merged after the
    ones its front matter lists (which always stay), minus its `exclude`
    list, for each taxonomy matched from a gazetteer section."""
    detection = Detection(article.source)
    warnings = []
    excluded = {arabic.normalize(n) for n in article.exclude}
    terms = dict(article.terms)
    when = article.event_date or (article.date.date() if article.date else None)
    for spec in taxonomies:
        kind = spec.gazetteer
        if not kind:
            continue
        names: list[str] = []
        for name in article.terms.get(spec.key, ()):
            entry = gazetteer.lookup(kind, name, when)
            if entry is None and kind == "places":
                close = gazetteer.suggest(kind, name)
                warnings.append(ContentError(
                    article.source, Msg("place '{name}' is not in the gazetteer", name=name), None,
                    Msg("did you mean '{close}'?", close=close) if close
                    else N_("check the spelling, or add it to gazetteer.yml"),
                    warning=True))
            canonical = entry.name if entry else name
            if canonical not in names:
                names.append(canonical)
        listed = bool(names)
        found = gazetteer.find(kind, article.title, when) + gazetteer.find(kind, article.text, when)
        supported_roots = {gazetteer.root(e).slug for e, _, needs, reason in found
                           if not needs and not reason.startswith("not taken")}
        supported_roots |= {gazetteer.root(e).slug for n in names if (e := gazetteer.lookup(kind, n))}
        for entry, written, needs_support, reason in found:
            accepted = not reason.startswith("not taken")
            if needs_support:
                root = gazetteer.root(entry)
                accepted = root.slug in supported_roots
                reason = (Msg("{reason}, with {place} in the same article", reason=reason, place=root.name)
                          if accepted else
                          Msg("{reason}; not taken: no other place in {place} in the article", reason=reason,
                              place=root.name))
            if accepted and (arabic.normalize(entry.name) in excluded or entry.slug in excluded):
                if entry.name not in detection.excluded:
                    detection.excluded.append(entry.name)
                continue
            detection.mentions.append(Mention(entry, written, accepted, reason))
            if accepted and entry.name not in names:
                names.append(entry.name)
        if spec.hierarchical and not listed and len(names) > 1:
            names = _primary_first(names, article, gazetteer, kind, when)
        terms[spec.key] = tuple(names)
    return article.but(terms=terms), detection, warnings


def _primary_first(names: list[str], article: Article, gazetteer: Gazetteer, kind: str,
                   when: dt.date | None) -> list[str]:
    """`names` (places found in the text, in order of mention) with the place
    of the event first: of those the title and first sentence name, the most
    specific (بزاعة before ريف حلب before حلب), the first named on a tie; the
    first named in the text if they name none. An editor's own list is
    never reordered: its first place is the primary one."""
    opening = f"{article.title}\n{_first_sentence(article.text)}"
    named = {entry.name for entry, *_ in gazetteer.find(kind, opening, when)}
    candidates = [n for n in names if n in named]  # taken: judged on the whole article
    if not candidates:
        return names

    def depth(name: str) -> int:
        entry = gazetteer.lookup(kind, name)
        return len(gazetteer.ancestors(entry)) if entry else 0

    primary = max(candidates, key=lambda n: (depth(n), -candidates.index(n)))
    return [primary] + [n for n in names if n != primary]


def _first_sentence(text: str) -> str:
    """The text up to its first full stop, question or exclamation mark, or line end."""
    return re.split(r"[.!?؟\n]", text.strip(), maxsplit=1)[0]


def add_to_site(site_dir: Path, kind: str, name: str, parent: str = "", slug: str = "",
                variants: tuple[str, ...] = ()) -> tuple[Entry, bool]:
    """Add a place or actor to the site's gazetteer.yml (made first as a copy
    of the packaged one when the site has none, so that nothing is lost).
    `parent`: the slug or a name of the enclosing place. Returns the entry
    and whether the file was made. Raises GazetteerError, writing nothing,
    for a name already listed, an unknown parent or a taken slug."""
    path = site_dir / SITE_FILE
    made = not path.is_file()
    text = PACKAGED.read_text(encoding="utf-8") if made else read_settings_text(path, SITE_FILE)
    gazetteer = _read(text, SITE_FILE)
    name = " ".join(arabic.clean(name).split())

    def refuse(message: Msg | str, hint: Msg | str = "") -> GazetteerError:
        return GazetteerError(ContentError(SITE_FILE, message, None, hint))

    if not name:
        raise refuse(N_("the name is empty"))
    known = gazetteer.lookup(kind, name)
    if known is not None:
        raise refuse(Msg("'{name}' is already in the gazetteer, as '{known}' ({slug})", name=name,
                         known=known.name, slug=known.slug))
    parent_entry = None
    if parent:
        parent_entry = gazetteer.get("places", parent) or gazetteer.lookup("places", parent)
        if kind != "places" or parent_entry is None:
            raise refuse(Msg("no place '{parent}' to put it in", parent=parent),
                         N_("give the slug or the name of a place of the gazetteer"))
    from slugify import slugify

    slug = slug or slugify(name) or "entry"
    if not _SLUG.match(slug):
        raise refuse(Msg("'{slug}' is not a slug", slug=slug), N_("use lower-case ASCII letters, digits and hyphens"))
    base, n = slug, 2
    while gazetteer.get(kind, slug):
        slug, n = f"{base}-{n}", n + 1
    fields = [f"slug: {slug}", f"name: {_flow(name)}"]
    if parent_entry is not None:
        fields.append(f"parent: {parent_entry.slug}")
    if variants:
        fields.append(f"variants: [{', '.join(_flow(v) for v in variants)}]")
    line = "- {" + ", ".join(fields) + "}"
    lines = text.rstrip("\n").split("\n")
    if kind == "places" and "actors:" in lines:
        at = lines.index("actors:")
        while at > 0 and not lines[at - 1].strip():
            at -= 1
        lines.insert(at, line)
    else:
        if f"{kind}:" not in lines:
            lines += ["", f"{kind}:"]
        lines.append(line)
    new_text = "\n".join(lines) + "\n"
    entry = _read(new_text, SITE_FILE).get(kind, slug)  # what is written can be read
    temporary = path.with_name(f".{SITE_FILE}.new")
    temporary.write_text(new_text, encoding="utf-8")
    temporary.replace(path)
    return entry, made


def _flow(text: str) -> str:
    """`text` as a YAML flow scalar: quoted when it holds anything YAML would read otherwise."""
    return text if re.fullmatch(r"[^\s,:\[\]{}#&*!|>'\"%@`-][^,:\[\]{}#]*", text) else yaml.safe_dump(
        text, allow_unicode=True, default_style='"', width=1000).strip()
