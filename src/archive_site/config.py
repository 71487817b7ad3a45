"""The site's settings: `site.yml`, every key optional."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

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
    text = path.read_text(encoding="utf-8-sig")
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            raw = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
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
                raise ConfigError(ContentError(CONFIG_FILE, f"'{key}' must be a list of folder names", line))
            value = tuple(value)
        elif isinstance(default, bool) or not isinstance(value, type(default)):
            expected = type(default).__name__.replace("str", "text").replace("int", "whole number")
            raise ConfigError(ContentError(CONFIG_FILE, f"'{key}' must be a {expected}", line))
        values[key] = value
    config = replace(defaults, **values)
    if config.per_page < 1:
        raise ConfigError(ContentError(CONFIG_FILE, "'per_page' must be 1 or more", lines.get("per_page")))
    if config.months not in ("levantine", "standard"):
        raise ConfigError(ContentError(CONFIG_FILE, f"unknown month naming '{config.months}'",
                                       lines.get("months"), "use 'levantine' or 'standard'"))
    if not config.base_url.endswith("/"):
        config = replace(config, base_url=config.base_url + "/")
    return config
