"""Plugins: code a site owner chooses to run during the build, at fixed events.

A plugin is a module (or any object) with some of these functions; each is
called with the build's `Plugin context` and what the event is about:

    on_articles(articles, context)  after loading and tagging; may return a new list
    on_site(site, context)          after the site model is made (read it; change it at your risk)
    on_env(env, context)            the Jinja environment: add filters and globals
    on_plans(plans, context)        the list of page plans; may return a new list
                                    (context.data_page() makes a page from text)
    on_published(out_dir, context)  after the output folder is in place

Plugins run only when `site.yml` lists them under `plugins:` — a Python file of
the site (`plugins/stats.py`) or the name of an installed plugin (entry point
group `archive_site.plugins`). Like templates, they are the site owner's code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from .config import SiteConfig
from .model import ContentError
from .plan import PagePlan

ENTRY_POINT_GROUP = "archive_site.plugins"
EVENTS = ("on_articles", "on_site", "on_env", "on_plans", "on_published")


class PluginError(Exception):
    """A plugin cannot be loaded or failed; carries the ContentError to report."""

    def __init__(self, error: ContentError):
        super().__init__(str(error))
        self.error = error


@dataclass
class PluginContext:
    """What every hook receives: the site folder and settings."""

    site_dir: Path
    config: SiteConfig
    # Filled by the build for hooks that need it.
    out_dir: Path | None = None
    extra: dict = field(default_factory=dict)

    @staticmethod
    def data_page(path: str, text: str) -> PagePlan:
        """A page written as `text` at the output path `path` (e.g.
        "data/places.json"), fingerprinted by its content."""
        digest = hashlib.blake2b(f"{path}\x1f{text}".encode("utf-8"), digest_size=16).hexdigest()
        return PagePlan(path, digest, None, {"text": text})


@dataclass
class Plugins:
    """The plugins a site runs, in the order `site.yml` lists them."""

    loaded: list[tuple[str, object]]
    digest: str  # of the plugins' source files: a change re-renders what they may affect

    def call(self, event: str, value, context: PluginContext):
        """Run `event` of every plugin; a hook that returns something other
        than None replaces `value` for the next. Returns the final value."""
        for name, plugin in self.loaded:
            hook = getattr(plugin, event, None)
            if hook is None:
                continue
            try:
                result = hook(value, context)
            except Exception as exc:  # the plugin's own failure, named
                raise PluginError(ContentError(name, f"plugin failed in {event}: {type(exc).__name__}: {exc}",
                                               hint="fix the plugin, or remove it from 'plugins:' in site.yml"
                                               )) from exc
            if result is not None:
                value = result
        return value


def load_plugins(site_dir: Path, names: tuple[str, ...]) -> Plugins:
    """Load the plugins `names` lists: paths of Python files in the site
    folder, or names of installed plugins. Raises PluginError."""
    loaded, digest = [], hashlib.blake2b(digest_size=16)
    installed = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    for name in names:
        if name.endswith(".py"):
            path = (site_dir / name).resolve()
            if site_dir.resolve() not in path.parents or not path.is_file():
                raise PluginError(ContentError("site.yml", f"plugin file '{name}' is not a file in the site folder",
                                               hint="give a path such as plugins/stats.py"))
            source = path.read_bytes()
            digest.update(name.encode("utf-8") + b"\0" + source)
            module_name = f"archive_site_plugin_{hashlib.sha1(str(path).encode()).hexdigest()[:12]}"
            spec = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(spec)
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                raise PluginError(ContentError(name, f"plugin cannot be loaded: {type(exc).__name__}: {exc}")) from None
            sys.modules[module_name] = module
            loaded.append((name, module))
        elif name in installed:
            try:
                plugin = installed[name].load()
            except Exception as exc:
                raise PluginError(ContentError("site.yml", f"installed plugin '{name}' cannot be loaded: {exc}")) from None
            digest.update(f"{name}\0{getattr(installed[name].dist, 'version', '')}".encode("utf-8"))
            loaded.append((name, plugin))
        else:
            known = ", ".join(sorted(installed)) or "none installed"
            raise PluginError(ContentError("site.yml", f"unknown plugin '{name}'",
                                           hint=f"a .py file of the site, or an installed plugin ({known})"))
    return Plugins(loaded, digest.hexdigest())
