"""The language of messages to editors: English, or Arabic when asked.

Messages are written in English in the code and looked up in gettext
catalogs (`locale/<lang>/LC_MESSAGES/archive-site.po`) when another language
is active. The language is chosen, first to last, by `messages:` in
`site.yml`, then by the locale (`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`);
English otherwise.

Problems found while reading files are kept (and cached) in English and
translated when they are shown: a `Msg` is an English string that remembers
its template and values, so it can be said again in the active language.
Plain English strings are looked up as they are. Counts go through
`ngettext`, which applies the catalog's plural rule (Arabic has six forms).
"""

from __future__ import annotations

import ast
import gettext
import io
import os
import struct
from functools import cache
from pathlib import Path

DOMAIN = "archive-site"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "ar")

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def N_(text: str) -> str:
    """Mark `text` as a message to translate where it is shown, not here."""
    return text


def _(text: str) -> str:
    """`text` in the active language."""
    return _active.gettext(text) if text else text


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of `singular`/`plural` for the count `n`, in the active language."""
    return _active.ngettext(singular, plural, n)


def count(n: int, singular: str, plural: str, **params) -> str:
    """"1 article", "2 articles" ("مقالتان"): the form of `singular`/`plural`
    for `n`, with `{n}` and the other `params` filled in."""
    return ngettext(singular, plural, n).format(n=n, **params)


class Msg(str):
    """An English message made from a template and values, that can be said
    again in the active language (`localize`). It is a `str` with the English
    text, so code and tests that read it as text see English."""

    template: str
    params: dict
    plural: str | None
    n: int | None

    def __new__(cls, template: str, /, plural: str | None = None, n: int | None = None, **params) -> Msg:
        if plural is None and n is not None:  # a value like any other, with no plural forms
            params["n"], n = n, None
        if plural is not None:
            english = (template if n == 1 else plural).format(n=n, **params)
        else:
            english = template.format(**params) if params else template
        self = super().__new__(cls, english)
        self.template, self.plural, self.n, self.params = template, plural, n, params
        return self

    def __reduce__(self):  # pickled between worker processes with its template
        return rebuild_msg, (self.template, self.plural, self.n, self.params)

    def localized(self) -> str:
        if self.plural is not None:
            return ngettext(self.template, self.plural, self.n).format(n=self.n, **_localized(self.params))
        return _(self.template).format(**_localized(self.params))


def rebuild_msg(template: str, plural: str | None, n: int | None, params: dict) -> Msg:
    """The Msg of a template and values read back (from a cache or a pipe)."""
    return Msg(template, plural=plural, n=n, **params)


def _localized(params: dict) -> dict:
    return {k: localize(v) if isinstance(v, Msg) else v for k, v in params.items()}


def localize(text: str) -> str:
    """`text` (a Msg, or plain English) in the active language."""
    if _language == "en" or not text:
        return text
    if isinstance(text, Msg):
        return text.localized()
    return _(text)


def language() -> str:
    return _language


def activate(name: str | None = None) -> str:
    """Make `name` ("en", "ar", or a locale such as "ar_SY.UTF-8") the
    language of messages; None: the language the environment asks for.
    Returns the language chosen."""
    global _active, _language
    chosen = pick(name) if name else from_environment()
    _active = catalog(chosen) if chosen != "en" else gettext.NullTranslations()
    _language = chosen
    return chosen


def pick(name: str) -> str:
    """The language of LANGUAGES a locale name asks for ("ar_SY.UTF-8" → "ar")."""
    base = name.replace("-", "_").split("_")[0].split(".")[0].lower()
    return base if base in LANGUAGES else "en"


def from_environment() -> str:
    """The language the locale asks for, as gettext reads it."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return pick(value.split(":")[0])
    return "en"


@cache
def catalog(lang: str) -> gettext.GNUTranslations:
    """The catalog of `lang`, compiled from its .po file."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    return gettext.GNUTranslations(io.BytesIO(compile_po(read_po(path.read_text(encoding="utf-8")))))


# --- .po files -------------------------------------------------------------------


def read_po(text: str) -> dict[str | tuple[str, str], str | list[str]]:
    """The entries of a .po file: msgid → msgstr, or (msgid, msgid_plural) →
    [msgstr[0], msgstr[1], …]; the header under "". Fuzzy entries are left
    out, as msgfmt does. Raises ValueError naming the line of a malformed one."""
    entries: dict = {}
    current: dict[str, str] = {}
    fuzzy = False
    field = None
    for number, raw in enumerate(text.splitlines() + [""], 1):
        line = raw.strip()
        if not line or (line.startswith("#") and not line.startswith("#,")):
            if "msgid" in current and not line:
                _add_entry(entries, current, fuzzy, number)
                current, fuzzy, field = {}, False, None
            continue
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
            continue
        if line.startswith('"'):
            if field is None:
                raise ValueError(f"line {number}: a string outside an entry")
            current[field] += _unquote(line, number)
            continue
        keyword, _sep, rest = line.partition(" ")
        if keyword not in ("msgid", "msgid_plural", "msgstr", "msgctxt") and not keyword.startswith("msgstr["):
            raise ValueError(f"line {number}: unknown keyword {keyword!r}")
        if keyword == "msgid" and "msgid" in current:
            _add_entry(entries, current, fuzzy, number)
            current, fuzzy = {}, False
        field = keyword
        current[field] = _unquote(rest.strip(), number)
    return entries


def _add_entry(entries: dict, current: dict, fuzzy: bool, number: int) -> None:
    if "msgctxt" in current:
        raise ValueError(f"line {number}: msgctxt is not used by this catalog")
    msgid = current["msgid"]
    if "msgid_plural" in current:
        forms = []
        while f"msgstr[{len(forms)}]" in current:
            forms.append(current[f"msgstr[{len(forms)}]"])
        if not forms:
            raise ValueError(f"line {number}: a plural entry without msgstr[0]")
        key, value = (msgid, current["msgid_plural"]), forms
    elif "msgstr" in current:
        key, value = msgid, current["msgstr"]
    else:
        raise ValueError(f"line {number}: an entry without msgstr")
    if key in entries:
        raise ValueError(f"line {number}: {msgid!r} is in the catalog twice")
    if not fuzzy or msgid == "":
        entries[key] = value


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str, number: int) -> str:
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"line {number}: expected a quoted string")
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            if i + 1 >= len(body) or body[i + 1] not in _ESCAPES:
                raise ValueError(f"line {number}: unknown escape")
            out.append(_ESCAPES[body[i + 1]])
            i += 2
            continue
        if char == '"':
            raise ValueError(f"line {number}: a quote inside a string must be written \\\"")
        out.append(char)
        i += 1
    return "".join(out)


def compile_po(entries: dict) -> bytes:
    """The GNU .mo file of `entries` (as read_po returns them), for gettext."""
    pairs = []
    for key, value in entries.items():
        if not value or (isinstance(value, list) and not any(value)):
            continue  # untranslated: gettext falls back to English
        original = "\0".join(key) if isinstance(key, tuple) else key
        translated = "\0".join(value) if isinstance(value, list) else value
        pairs.append((original.encode("utf-8"), translated.encode("utf-8")))
    pairs.sort()
    n = len(pairs)
    originals_at = 7 * 4
    translations_at = originals_at + n * 8
    data_at = translations_at + n * 8
    table, blob = bytearray(), bytearray()
    for column in (0, 1):  # all the originals, then all the translations: (length, offset) each
        for pair in pairs:
            table += struct.pack("<2I", len(pair[column]), data_at + len(blob))
            blob += pair[column] + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, originals_at, translations_at, 0, data_at)
    return header + bytes(table) + bytes(blob)


# --- what the code asks to translate ----------------------------------------------


MARKERS = {"_", "N_", "Msg", "ngettext", "count"}  # the functions whose literal arguments are messages


def messages_in_source(path: Path) -> list[tuple[str | tuple[str, str], int]]:
    """The messages a module marks for translation: the literal first
    argument of _(), N_() and Msg(), and the pairs of ngettext(), count()
    and Msg(…, plural=…), with their lines (both texts of `a if c else b`).
    A marker whose text is not a literal is returned as ("", line), so that
    a test can refuse it."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS):
            continue
        name = node.func.id
        args = list(node.args[1:] if name == "count" else node.args)
        plural = next((k.value for k in node.keywords if k.arg == "plural"), None)
        if name == "Msg" and plural is not None:
            args = args[:1] + [plural]
        wanted = 2 if name in ("ngettext", "count") or (name == "Msg" and plural is not None) else 1
        texts = [_literals(arg) for arg in args[:wanted]]
        if len(texts) < wanted or not all(texts) or len({len(t) for t in texts}) != 1:
            found.append(("", node.lineno))
        elif wanted == 1:
            found.extend((text, node.lineno) for text in texts[0])
        else:
            found.extend((pair, node.lineno) for pair in zip(*texts, strict=True))
    return found


def _literals(node: ast.expr) -> list[str]:
    """The texts an argument can be: a string, or each branch of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return body + orelse if body and orelse else []
    return []
