"""The site's settings: `site.yml`, every key optional."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from . import arabic
from .model import ContentError

CONFIG_FILE = "site.yml"


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
        raise ConfigError(ContentError(CONFIG_FILE, f"a number is too long to read ({exc})", None,
                                       "put the value in quotes")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(ContentError(CONFIG_FILE, f"invalid YAML: {problem}", line,
                                       "check the indentation and quote values that contain ':'")) from None
    if raw is None:
        return SiteConfig()
    if not isinstance(raw, dict):
        raise ConfigError(ContentError(CONFIG_FILE, "expected 'key: value' lines", 1))
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value} if node is not None else {}
    return _validate(raw, lines)


def read_settings_text(path: Path, shown: str) -> str:
    """The text of a settings file (site.yml, gazetteer.yml), which must be
    UTF-8. Raises ConfigError naming the file and line otherwise."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(ContentError(shown, f"the file is not UTF-8 text (byte {exc.start})", line,
                                       "save it again as UTF-8 in your editor")) from None
    bad = arabic.FORBIDDEN.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ConfigError(ContentError(shown, f"invisible control character U+{ord(bad.group()):04X}", line,
                                       "delete it; settings hold text only")) from None
    return text


def check_base_url(value: str, shown: str = "base_url") -> str:
    """`value` as a base URL ending in "/"; raises ConfigError unless it is
    an http(s) address with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in value for c in "<>\"' \t\n"):
        raise ConfigError(ContentError(CONFIG_FILE if shown == "base_url" else shown,
                                       f"'{shown}' must be a web address starting with http:// or https://",
                                       None, "for example: https://archive.example.org/"))
    return value.strip().rstrip("/") + "/"


def _validate(raw: dict, lines: dict[str, int]) -> SiteConfig:
    known = {f.name: f for f in fields(SiteConfig)}
    defaults = SiteConfig()
    values = {}
    for key, value in raw.items():
        line = lines.get(key)
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(sorted(known))
            raise ConfigError(ContentError(CONFIG_FILE, f"unknown setting '{key}'", line, hint))
        default = getattr(defaults, key)
        if isinstance(default, tuple):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(ContentError(CONFIG_FILE, f"'{key}' must be a list of names", line))
            value = tuple(value)
        elif type(value) is not type(default):  # bool is an int to Python, never to a setting
            expected = {"str": "text", "int": "a whole number", "bool": "true or false"}[type(default).__name__]
            raise ConfigError(ContentError(CONFIG_FILE, f"'{key}' must be {expected}", line))
        values[key] = value
    config = replace(defaults, **values)
    if config.per_page < 1:
        raise ConfigError(ContentError(CONFIG_FILE, "'per_page' must be 1 or more", lines.get("per_page")))
    if config.months not in ("levantine", "standard"):
        raise ConfigError(ContentError(CONFIG_FILE, f"unknown month naming '{config.months}'",
                                       lines.get("months"), "use 'levantine' or 'standard'"))
    try:
        config = replace(config, base_url=check_base_url(config.base_url))
    except ConfigError as exc:
        raise ConfigError(replace(exc.error, line=lines.get("base_url"))) from None
    return config
