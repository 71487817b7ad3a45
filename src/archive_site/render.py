"""Turning the site model into HTML with Jinja2 templates.

Templates are looked up first in the site's own `templates/` folder, then in
the built-in theme, so a site overrides any template by using its file name.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from . import arabic
from .config import SiteConfig

THEME_DIR = Path(__file__).parent / "theme"


def relative_url(target: str, page_url: str) -> str:
    """Return the link from the page at site path `page_url` to the site path
    `target`; both are folder paths like "tags/حلب/" ("" is the home page).
    Relative links keep the site working when it is served from a sub-folder."""
    depth = page_url.count("/")
    prefix = "../" * depth
    return (prefix + target) or "./"


class Renderer:
    """Renders pages of one site; templates are compiled once and reused."""

    def __init__(self, site_dir: Path, config: SiteConfig, globals: dict | None = None):
        loaders = [jinja2.FileSystemLoader(str(site_dir / "templates")),
                   jinja2.FileSystemLoader(str(THEME_DIR / "templates"))]
        self.env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one Renderer per build: templates cannot change during it
        )
        self.env.globals.update(site=config, url=_url, **(globals or {}))
        self.env.filters.update(
            date_ar=lambda value: arabic.format_date(value, config.months),
            count_articles=arabic.count_articles,
            month_name=lambda month: arabic.month_name(month, config.months),
        )

    def render(self, template: str, page_url: str, **context) -> str:
        """Return the HTML of `template` for the page at site path `page_url`."""
        return self.env.get_template(template).render(page_url=page_url, **context)


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    return relative_url(target, context["page_url"])
