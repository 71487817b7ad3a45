"""The allow-list for HTML that comes from article files.

Markdown bodies may contain raw HTML; only formatting survives, through nh3
(the ammonia sanitiser): no scripts, event handlers, `javascript:` or `data:`
URLs, frames, objects or embeds. Obsolete tags and attributes are left out too,
so a published page stays valid HTML5.
"""

from __future__ import annotations

import re

import nh3

TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp",
    "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ATTRIBUTES = {
    "*": {"dir", "lang", "title", "id", "class"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "ol": {"start", "reversed"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "data": {"value"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Dropped with everything inside them, not just the tags.
DROPPED_WITH_CONTENT = {"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math"}


_URL_ATTRIBUTES = {"href", "src", "cite"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def _check_url(tag: str, attribute: str, value: str) -> str | None:
    """Drop a URL whose scheme is not allowed once the tabs, newlines and
    other control characters that browsers ignore are taken out of it
    ("jav&#9;ascript:" is javascript:)."""
    if attribute in _URL_ATTRIBUTES:
        scheme = _SCHEME.match(_IGNORED_BY_BROWSERS.sub("", value).lower())
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
    return value


def clean_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed; links
    get rel="noopener noreferrer"."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, attribute_filter=_check_url,
                     clean_content_tags=DROPPED_WITH_CONTENT, strip_comments=True)
