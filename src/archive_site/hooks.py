"""Plugins: code a site owner chooses to run during the build, at fixed events.

A plugin is a module (or any object) with some of these functions; each is
called with the build's `Plugin context` and what the event is about:

    on_articles(articles, context)  after loading and tagging; may return a new list
    on_site(site, context)          after the site model is made (read it; change it at your risk)
    on_env(env, context)            the Jinja environment: add filters and globals
    on_plans(plans, context)        the list of page plans; may return a new list
                                    (context.data_page() makes a page from text)
    on_output(output, context)      the pages are written, the output is not yet
                                    published: write whole folders (output.folder())
    on_published(out_dir, context)  after the output folder is in place

The search index is the first such plugin (search.SearchPlugin, built in,
run unless the build is told --no-search).

Plugins run only when `site.yml` lists them under `plugins:` — a Python file of
the site (`plugins/stats.py`) or the name of an installed plugin (entry point
group `archive_site.plugins`). Like templates, they are the site owner's code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .config import SiteConfig
from .model import ContentError

if TYPE_CHECKING:
    from .gazetteer import Gazetteer
    from .plan import PagePlan
    from .publish import Writer
    from .taxonomy import Site

ENTRY_POINT_GROUP = "archive_site.plugins"
EVENTS = ("on_articles", "on_site", "on_env", "on_plans", "on_output", "on_published")
_FOLDER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")


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
    site: Site | None = None  # from on_site on
    gazetteer: Gazetteer | None = None
    # The digest of each article as pages show it (by slug), from on_site on:
    # whatever is made from articles can be fingerprinted with these.
    digests: dict[str, str] = field(default_factory=dict)
    progress: Callable[[str], None] | None = None  # prints a line of progress, when the build shows it
    jobs: int = 1  # processes a plugin may fork for its work (workers.fork_map)
    cache_dir: Path | None = None  # the build's cache folder (the search index keeps its documents there)
    extra: dict = field(default_factory=dict)  # anything plugins share

    @staticmethod
    def data_page(path: str, text: str) -> PagePlan:
        """A page written as `text` at the output path `path` (e.g.
        "data/places.json"), fingerprinted by its content."""
        from .plan import PagePlan  # the planner, and with it Jinja, only when a plugin makes a page

        digest = hashlib.blake2b(f"{path}\x1f{text}".encode("utf-8"), digest_size=16).hexdigest()
        return PagePlan(path, digest, None, {"text": text})


class Output:
    """What the on_output hook may do with the output being written: write
    whole folders beside the pages, each kept from the previous build while
    its fingerprint is the same."""

    def __init__(self, writer: Writer):
        self._writer = writer

    def folder(self, name: str, fingerprint: str) -> Path | None:
        """The path to write the top-level folder `name` into (it does not
        exist yet), or None when the previous build's folder, written with
        the same `fingerprint`, is kept. Call done() once it is written."""
        if not _FOLDER_NAME.match(name):
            raise ValueError(f"output folder name {name!r}: use lower-case letters, digits, '-' and '_'")
        if name in ("static", *{path.partition("/")[0] for path in self._writer.pages if "/" in path}):
            raise ValueError(f"output folder name {name!r} is taken by the site's pages")
        if self._writer.keep_folder(name, fingerprint):
            return None
        return self._writer.folder_path(name)

    def done(self, name: str, fingerprint: str) -> None:
        """The folder `name` is written: publish it, and keep it while `fingerprint` stays."""
        self._writer.record_folder(name, fingerprint)


@dataclass
class Plugins:
    """The plugins a site runs, in the order `site.yml` lists them."""

    loaded: list[tuple[str, object]]
    digest: str  # of the plugins' source files: a change re-renders what they may affect

    def has(self, event: str) -> bool:
        """Whether a plugin runs `event`."""
        return any(getattr(plugin, event, None) is not None for _name, plugin in self.loaded)

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


def load_plugins(site_dir: Path, names: tuple[str, ...], builtin: list[tuple[str, object]] = ()) -> Plugins:
    """Load the plugins `names` lists: paths of Python files in the site
    folder, or names of installed plugins, after the `builtin` ones (name,
    plugin), which write no page. Raises PluginError."""
    loaded, digest = list(builtin), hashlib.blake2b(digest_size=16)
    if not names:
        return Plugins(loaded, digest.hexdigest())
    from importlib.metadata import entry_points  # slow to import; only a site with plugins needs it

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
