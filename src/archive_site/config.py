"""The site's settings: `site.yml`, every key optional."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import zoneinfo
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import quote, urlsplit

import yaml

from . import arabic
from .i18n import LANGUAGES, N_, Msg
from .model import ContentError

CONFIG_FILE = "site.yml"


@dataclass(frozen=True)
class TaxonomySpec:
    """One kind of term a site groups its articles by, as `site.yml` declares it."""

    key: str  # the front-matter key, and the folder of its pages (/<key>/)
    plural: str  # its name on pages and in the navigation: "الأماكن"
    singular: str  # one of its terms: "مكان"
    # The gazetteer section ("places" or "actors") whose names are matched in
    # the text and whose entries give canonical names; "" for none.
    gazetteer: str = ""
    hierarchical: bool = False  # terms nest (a place in a governorate); needs a gazetteer section
    feeds: bool = False  # an Atom feed for each term
    weight: float = 1.0  # how much a shared term makes two articles related
    filter: str = ""  # the search filter's label; "" for no filter
    # The schema.org property of NewsArticle its terms are given as:
    # "keywords" (names), or "property/Type" ("contentLocation/Place").
    jsonld: str = ""
    card: bool = False  # shown on article cards in lists


BUILTIN_TAXONOMIES = {
    "places": TaxonomySpec("places", "الأماكن", "مكان", gazetteer="places", hierarchical=True, feeds=True,
                           weight=3.0, filter="المكان", jsonld="contentLocation/Place", card=True),
    "actors": TaxonomySpec("actors", "الجهات الفاعلة", "جهة فاعلة", gazetteer="actors", feeds=True, weight=2.0,
                           filter="الجهة الفاعلة", jsonld="mentions/Organization"),
    "tags": TaxonomySpec("tags", "الوسوم", "وسم", feeds=True, weight=1.5, filter="الوسم", jsonld="keywords"),
}
DEFAULT_TAXONOMIES = tuple(BUILTIN_TAXONOMIES.values())

# Front-matter keys of their own, and top-level folders of the output: no
# taxonomy may take them.
ARTICLE_KEYS = {"title", "date", "slug", "draft", "summary", "author", "source", "exclude", "image", "image_alt"}
OUTPUT_FOLDERS = {"articles", "archive", "search", "static", "pagefind", "page"}


@dataclass(frozen=True)
class SiteConfig:
    """Settings read from `site.yml`; the defaults make a working site."""

    title: str = "الأرشيف"
    description: str = ""
    base_url: str = "http://localhost:8000/"
    language: str = "ar"
    per_page: int = 20
    months: str = "levantine"
    content_dirs: tuple[str, ...] = ("content", "seeds")
    footer: str = ""
    # Follow symbolic links that lead outside the site folder (or into its
    # hidden folders). Off: such a link is an error naming it.
    follow_outside_links: bool = False
    # Plugins to run: Python files of the site, or installed plugins' names.
    plugins: tuple[str, ...] = ()
    # Standalone pages (about, methodology): Markdown files, published at /<slug>/.
    extra_pages: tuple[str, ...] = ()
    # Names and phrases never published (a witness's name): see redact.py.
    redact: tuple[str, ...] = ()
    # Publish each article's file as it was read, beside its page (original.txt):
    # off by default, since a received text's footer may hold contacts.
    publish_originals: bool = False
    # The zone of dates written without one, and of "now" for articles dated in the future.
    timezone: str = "Asia/Damascus"
    # An article with no other date is dated by its intake (the ledger's
    # `received`); off, it stays undated and is listed apart.
    intake_dates: bool = True
    # What articles are grouped by, in the order pages show them.
    taxonomies: tuple[TaxonomySpec, ...] = DEFAULT_TAXONOMIES
    # The language of messages to editors (command line, preview overlay):
    # "ar" or "en"; "" follows the locale (LANG=ar_SY.UTF-8 → Arabic).
    messages: str = ""

    @property
    def zone(self) -> dt.tzinfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def taxonomy(self, key: str) -> TaxonomySpec:
        return next(spec for spec in self.taxonomies if spec.key == key)

    @property
    def term_keys(self) -> tuple[str, ...]:
        """The front-matter keys that list terms."""
        return tuple(spec.key for spec in self.taxonomies)


class ConfigError(Exception):
    """`site.yml` cannot be used; carries the ContentError to report."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error


def load_config(site_dir: Path) -> SiteConfig:
    """Return the settings of the site in `site_dir`.

    Raises ConfigError naming the line of a bad or unknown key.
    """
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        return SiteConfig()
    text = read_settings_text(path, CONFIG_FILE)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            raw = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except ValueError as exc:  # a number too long to convert
        raise ConfigError(ContentError(CONFIG_FILE, Msg("a number is too long to read ({detail})", detail=str(exc)),
                                       None, N_("put the value in quotes"))) from None
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        line = line + 1 if line is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(ContentError(CONFIG_FILE, Msg("invalid YAML: {problem}", problem=problem), line,
                                       N_("check the indentation and quote values that contain ':'"))) from None
    if raw is None:
        return SiteConfig()
    if not isinstance(raw, dict):
        raise ConfigError(ContentError(CONFIG_FILE, N_("expected 'key: value' lines"), 1))
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} if node is not None else {}
    return _validate(raw, lines)


def yaml_error_line(exc: yaml.YAMLError, last_line: int | None = None) -> int | None:
    """The line (from 0) to report for a YAML error: where the mistake is.
    PyYAML marks where it noticed the problem, which for an unclosed list,
    mapping or quoted text is a later line (or the end of the document):
    then the line where that construct began. `last_line`: the document's
    last line, where a problem found means the cause is where it began."""
    mark = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    began = str(getattr(exc, "context", "") or "")
    if context is not None and (mark is None or (last_line is not None and mark.line >= last_line)
                                or (context.line < mark.line and ("flow" in began or "quoted" in began))):
        mark = context
    return mark.line if mark is not None else None


def read_settings_text(path: Path, shown: str) -> str:
    """The text of a settings file (site.yml, gazetteer.yml), which must be
    UTF-8. Raises ConfigError naming the file and line otherwise."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(ContentError(shown, Msg("the file is not UTF-8 text (byte {at})", at=exc.start), line,
                                       N_("save it again as UTF-8 in your editor"))) from None
    bad = arabic.FORBIDDEN.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ConfigError(ContentError(shown, Msg("invisible control character {code}", code=f"U+{ord(bad.group()):04X}"),
                                       line, N_("delete it; settings hold text only"))) from None
    return text


def check_base_url(value: str, shown: str = "base_url") -> str:
    """`value` as a base URL ending in "/"; raises ConfigError unless it is
    an http(s) address with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in value for c in "<>\"' \t\n"):
        raise ConfigError(ContentError(CONFIG_FILE if shown == "base_url" else shown,
                                       Msg("'{key}' must be a web address starting with http:// or https://",
                                           key=shown), None, N_("for example: https://archive.example.org/")))
    return value.strip().rstrip("/") + "/"


def _validate(raw: dict, lines: dict[str, int]) -> SiteConfig:
    known = {f.name: f for f in fields(SiteConfig)}
    defaults = SiteConfig()
    values = {}
    for key, value in raw.items():
        line = lines.get(key)
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = (Msg("did you mean '{close}'?", close=close[0]) if close
                    else Msg("known keys: {keys}", keys=", ".join(sorted(known))))
            raise ConfigError(ContentError(CONFIG_FILE, Msg("unknown setting '{key}'", key=str(key)), line, hint))
        default = getattr(defaults, key)
        if key == "taxonomies":
            value = parse_taxonomies(value, line)
        elif isinstance(default, tuple):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(ContentError(CONFIG_FILE, Msg("'{key}' must be a list of names", key=key), line))
            value = tuple(value)
        elif type(value) is not type(default):  # bool is an int to Python, never to a setting
            kind = type(default).__name__
            message = (Msg("'{key}' must be text", key=key) if kind == "str" else
                       Msg("'{key}' must be a whole number", key=key) if kind == "int" else
                       Msg("'{key}' must be true or false", key=key))
            raise ConfigError(ContentError(CONFIG_FILE, message, line))
        values[key] = value
    config = replace(defaults, **values)
    if config.per_page < 1:
        raise ConfigError(ContentError(CONFIG_FILE, N_("'per_page' must be 1 or more"), lines.get("per_page")))
    if config.months not in ("levantine", "standard"):
        raise ConfigError(ContentError(CONFIG_FILE, Msg("unknown month naming '{value}'", value=config.months),
                                       lines.get("months"), N_("use 'levantine' or 'standard'")))
    if config.messages not in ("", *LANGUAGES):
        raise ConfigError(ContentError(CONFIG_FILE, Msg("unknown language of messages '{value}'",
                                                        value=config.messages),
                                       lines.get("messages"), N_("use 'ar' or 'en', or leave it out")))
    if config.redact and config.publish_originals:
        raise ConfigError(ContentError(CONFIG_FILE, N_("'publish_originals' would publish the texts before redaction"),
                                       lines.get("publish_originals"), N_("turn one of the two off")))
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ConfigError(ContentError(CONFIG_FILE, Msg("unknown time zone '{value}'", value=config.timezone),
                                       lines.get("timezone"),
                                       N_("use a name such as Asia/Damascus; if no name works, this system lacks "
                                          "the time-zone database: pip install tzdata"))) from None
    try:
        config = replace(config, base_url=check_base_url(config.base_url))
    except ConfigError as exc:
        raise ConfigError(replace(exc.error, line=lines.get("base_url"))) from None
    return config


_SPEC_FIELDS = {f.name: f for f in fields(TaxonomySpec)}
_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
_JSONLD = re.compile(r"^[a-z][A-Za-z]{1,40}(/[A-Z][A-Za-z]{1,40})?$")


def parse_taxonomies(value: object, line: int | None) -> tuple[TaxonomySpec, ...]:
    """The `taxonomies:` setting: a list whose items are the name of a
    built-in taxonomy (places, actors, tags) or a mapping declaring one
    (`key:` and its other fields; for a built-in key, the fields it changes)."""

    def fail(message: str, hint: str = "") -> ConfigError:
        return ConfigError(ContentError(CONFIG_FILE, message, line, hint))

    if not isinstance(value, list) or not value:
        raise fail("'taxonomies' must be a list", "for example: taxonomies: [places, actors, tags]")
    specs: list[TaxonomySpec] = []
    for item in value:
        if isinstance(item, str):
            item = {"key": item}
        if not isinstance(item, dict):
            raise fail("each taxonomy is a name (places, actors, tags) or 'key: ...' lines")
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise fail(f"taxonomy key {key!r} must be lower-case Latin letters, digits, '-' or '_'",
                       "for example: key: sources")
        if key in ARTICLE_KEYS or key in OUTPUT_FOLDERS:
            raise fail(f"'{key}' cannot be a taxonomy: articles or the archive use that name",
                       "choose another key")
        if any(spec.key == key for spec in specs):
            raise fail(f"taxonomy '{key}' is declared twice")
        for name, given in item.items():
            field = _SPEC_FIELDS.get(name)
            if field is None:
                close = difflib.get_close_matches(str(name), _SPEC_FIELDS, n=1)
                raise fail(f"unknown field '{name}' of taxonomy '{key}'",
                           f"did you mean '{close[0]}'?" if close else "known fields: " + ", ".join(_SPEC_FIELDS))
            expected = type(getattr(BUILTIN_TAXONOMIES["places"], name))
            if expected is float and type(given) is int:
                given = item[name] = float(given)
            if type(given) is not expected:
                what = {"str": "text", "bool": "true or false", "float": "a number"}[expected.__name__]
                raise fail(f"'{name}' of taxonomy '{key}' must be {what}")
        base = BUILTIN_TAXONOMIES.get(key)
        if base is None:
            missing = [name for name in ("plural", "singular") if not str(item.get(name, "")).strip()]
            if missing:
                raise fail(f"taxonomy '{key}' needs '{missing[0]}' (its Arabic name)",
                           "for example: plural: المصادر, singular: مصدر")
            base = TaxonomySpec(key, "", "")
        spec = replace(base, **{name: arabic.clean(v).strip() if isinstance(v, str) else v
                                for name, v in item.items()})
        if spec.gazetteer not in ("", "places", "actors"):
            raise fail(f"'gazetteer' of taxonomy '{key}' must be 'places' or 'actors'")
        if spec.gazetteer and any(s.gazetteer == spec.gazetteer for s in specs):
            raise fail(f"the gazetteer's '{spec.gazetteer}' are matched for two taxonomies",
                       "give 'gazetteer:' to one taxonomy only")
        if spec.hierarchical and not spec.gazetteer:
            raise fail(f"taxonomy '{key}' is hierarchical but has no gazetteer section",
                       "terms nest only as the gazetteer says: add 'gazetteer: places'")
        if spec.jsonld and not _JSONLD.match(spec.jsonld):
            raise fail(f"'jsonld' of taxonomy '{key}' must be a schema.org property, optionally with a type",
                       "for example: keywords, or mentions/Organization")
        if not 0 <= spec.weight <= 100:
            raise fail(f"'weight' of taxonomy '{key}' must be between 0 and 100")
        specs.append(spec)
    return tuple(specs)


def absolute_url(config: SiteConfig, target: str) -> str:
    """Return the permanent address of the site path `target`, from
    base_url, percent-encoded as feeds and sitemaps require."""
    return config.base_url + quote(target, safe="/#?=&")
