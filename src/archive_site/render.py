"""Turning the site model into HTML with Jinja2 templates.

Templates are looked up first in the site's own `templates/` folder, then in
the built-in theme, so a site overrides any template by using its file name.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

import jinja2
from jinja2 import meta, nodes
from markupsafe import Markup

from . import __version__, arabic, downloads, images
from .config import SiteConfig, absolute_url
from .i18n import _
from .model import ContentError
from .plan import PagePlan, page_url, sitemap_entry
from .resume import signing_key
from .sitefiles import THEME_DIR
from .views import TaxonomyRef, ViewEnvironment
from .workers import fork_map

if TYPE_CHECKING:
    from .publish import StagingWriter, Writer

Progress = Callable[[str], None]



# Templates that globals render from Python: a template that names the
# global depends on that template too.
GLOBAL_TEMPLATES = {"card": "partials/card.html", "feed_entry": "partials/feed_entry.xml"}
TEMPLATES_FOLDER = "templates"  # in the cache folder: the compiled templates


class SignedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in a folder of the cache, each signed with
    the key of resume.py: Jinja's compiled code is run as it is loaded, so
    a file not signed with this user's key is never loaded (compiled again
    instead). `salt` goes into each template's key: what else the code
    depends on (the version, the plugins' code)."""

    def __init__(self, folder: Path, key: bytes, salt: str):
        self.folder, self.key, self.salt = folder, key, salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.blake2b(f"{self.salt}|{super().get_cache_key(name, filename)}".encode("utf-8"),
                               digest_size=20).hexdigest()

    def _sign(self, data: bytes) -> bytes:
        return hmac.new(self.key, data, hashlib.sha256).digest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if self.folder.is_symlink():  # the cache's own folder only (never written through a link)
            return
        try:
            with open(self.folder / f"{bucket.key}.code", "rb") as file:
                data = file.read()
        except OSError:
            return
        if hmac.compare_digest(data[:32], self._sign(data[32:])):
            bucket.bytecode_from_string(data[32:])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = bucket.bytecode_to_string()
        path = self.folder / f"{bucket.key}.code"
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            self.folder.mkdir(exist_ok=True)
            if self.folder.is_symlink():
                return
            temporary.write_bytes(self._sign(data) + data)
            os.replace(temporary, path)
        except OSError:  # only a saving
            temporary.unlink(missing_ok=True)


class Renderer:
    """Renders pages of one site; templates are compiled once and reused.
    Templates read the site model through views.ViewEnvironment."""

    def __init__(self, site_dir: Path, config: SiteConfig, globals: dict | None = None, salt: str = "",
                 cache_dir: Path | None = None):
        """`salt`: anything else every page's output depends on (the plugins'
        code). `cache_dir`: the cache folder, where compiled templates are
        kept (signed: SignedBytecodeCache) when a signing key can be had."""
        loaders = [jinja2.FileSystemLoader(str(site_dir / "templates")),
                   jinja2.FileSystemLoader(str(THEME_DIR / "templates"))]
        self.config = config
        self.salt = salt
        self._epochs: dict[str, str] = {}
        # Each template's closure (_closure), found once per template set.
        self.closures: dict[str, frozenset[str]] = {}
        self._links: dict[str, dict] = {}
        self._leads: dict[str, tuple] = {}
        self._names: set[str] | None = None
        self.env = ViewEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one Renderer per build: templates cannot change during it
        )
        key = signing_key() if cache_dir is not None else None
        if key is not None:
            self.env.bytecode_cache = SignedBytecodeCache(cache_dir / TEMPLATES_FOLDER, key, f"{__version__}|{salt}")
        self._entries: dict[str, Markup] = {}
        # Cards by (slug, folder depth); by (slug, None) the card with marks where
        # its links start (see _card).
        self._cards: dict[tuple[str, int | None], str | Markup] = {}
        self._marked_cards: bool | None = None  # whether cards are rendered with marks: once per template set
        # The page being rendered: its folder depth, and the root its links start
        # from (url()): "../" per folder, or `url_root` for a page served at any
        # address; a card's own root while a card is rendered.
        self._depth = 0
        self._root = ""
        self._marks = 0  # links started with ROOT_MARK while a card is rendered with marks
        self._mark_clash = False  # a link's own text held a mark character
        self.env.globals.update(site=config, url=self._url, absolute_url=lambda target: absolute_url(config, target),
                                feed_entry=self._feed_entry, card=self._card, search_strings=SEARCH_STRINGS,
                                extra_pages=[],
                                taxonomies=[TaxonomyRef.declared(spec) for spec in config.taxonomies],
                                news_article=lambda article, terms: news_article(config, article, terms),
                                **(globals or {}))
        self.env.filters.update(
            date_ar=lambda value, precision="day": arabic.format_date(value, config.months, precision),
            datetime_attr=lambda value, precision="day": (value.strftime("%Y-%m") if precision == "month"
                                                          else value.date().isoformat()),
            count_articles=arabic.count_articles,
            month_name=lambda month: arabic.month_name(month, config.months),
            reading_time=arabic.reading_time,
            with_pictures=images.with_pictures,
        )

    def has_template(self, name: str) -> bool:
        """Whether the site or the theme has the template `name`."""
        if self._names is None:
            self._names = set(self.env.list_templates())
        return name in self._names

    def use_pages(self, pages: list) -> None:
        """The standalone pages of this build, which the navigation lists
        (`extra_pages`: title and address of each). Their titles and
        addresses are part of every page's epoch."""
        listed = [(page.title, page.url) for page in pages]
        if listed != self.env.globals["extra_pages"]:
            self.env.globals["extra_pages"] = listed
            self._epochs.clear()

    def use_links(self, links: dict[str, dict], leads: dict | None = None) -> None:
        """Start a build: the links of each article to its terms (by slug),
        which cards and feed entries show, and its lead picture (address,
        width, height) that cards show; forget the cards and entries
        rendered so far, since articles may have changed."""
        self._links = links
        self._leads = leads or {}
        self._entries.clear()
        self._cards.clear()

    def template_epoch(self, name: str) -> str:
        """A digest of everything a page rendered with template `name` gets
        from outside its context: the version, the settings and the source
        of every template it can use (what it extends, includes and imports,
        and what the globals it names render). When that cannot be told from
        the source (a name computed at render time), every template counts."""
        found = self._epochs.get(name)
        if found is None:
            listed = self.env.globals["extra_pages"]
            digest = hashlib.blake2b(f"{__version__}|{self.config!r}|{self.salt}|{listed!r}".encode("utf-8"),
                                     digest_size=16)
            for used in sorted(self._closure(name)):
                source = self.env.loader.get_source(self.env, used)[0]
                digest.update(f"\0{used}\0{source}".encode("utf-8"))
            found = self._epochs[name] = digest.hexdigest()
        return found

    def warm(self) -> None:
        """Find the closure of every template that parses (those that do
        not are reported when a page uses them), so that processes forked
        from this one have them; kept in `closures` (Builder keeps them
        between builds with the same templates)."""
        for name in self.env.list_templates():
            try:
                self._closure(name)
            except (jinja2.TemplateError, UnicodeError, OSError):
                pass

    def _closure(self, name: str) -> frozenset[str]:
        found = self.closures.get(name)
        if found is None:
            found = self.closures[name] = frozenset(self._find_closure(name))
        return found

    def _find_closure(self, name: str) -> set[str]:
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            source, filename, _uptodate = self.env.loader.get_source(self.env, current)
            tree = self.env.parse(source, current, filename)
            referenced = list(meta.find_referenced_templates(tree))
            if None in referenced:
                return set(self.env.list_templates())
            names = {node.name for node in tree.find_all(nodes.Name)}
            referenced += [template for name, template in GLOBAL_TEMPLATES.items() if name in names]
            todo.extend(referenced)
        return seen

    def _url(self, target: str) -> str:
        """url(): the link to the site path `target` (a folder path such as
        "tags/حلب/"; "" is the home page) from the page or card being
        rendered. Relative links keep the site working when it is served
        from a sub-folder. Reads no template context: a call in a loop costs
        a function call, not a copy of the loop's variables."""
        if self._root is ROOT_MARK:
            self._marks += 1
            if ROOT_MARK in target or HOME_MARK[1] in target:
                self._mark_clash = True
            return ROOT_MARK + target if target else HOME_MARK
        return (self._root + target) or "./"

    def _card(self, article) -> Markup:
        """The card of `article` (partials/card.html) on the current page. A
        card is given its links from the root (`root`, "../" per folder), not
        the page's address, so it shows the same on every page at the same
        folder depth: it is rendered once per depth and build. When the card
        template can print what url() returns only as it is (see
        links_only_printed), it is rendered once per build with a mark where
        each link starts, which each page replaces with its own root."""
        if self._marked_cards is None:
            self._marked_cards = links_only_printed(self.env, GLOBAL_TEMPLATES["card"])
        root = "../" * self._depth
        marked = self._cards.get((article.slug, None))
        if marked is not None:
            return Markup(_unmark(marked, root))
        card = self._cards.get((article.slug, self._depth))
        if card is None:
            card = self._render_card(article, root)
        return card

    def _render_card(self, article, root: str) -> Markup:
        """Render the card of `article` and keep it: with marks, for every
        depth, when cards are so rendered and each mark in it is one that
        url() put there; else with `root`, for this depth."""
        template = self.env.get_template(GLOBAL_TEMPLATES["card"])
        context = {"article": article, "terms": self._links[article.slug], "lead": self._leads.get(article.slug),
                   "root": root}
        page_root = self._root
        try:
            if self._marked_cards:
                self._root, self._marks, self._mark_clash = ROOT_MARK, 0, False
                marked = template.render(**context)
                if not self._mark_clash and marked.count(ROOT_MARK) == self._marks:
                    self._cards[(article.slug, None)] = marked
                    return Markup(_unmark(marked, root))
            self._root = root
            card = self._cards[(article.slug, self._depth)] = Markup(template.render(**context))
            return card
        finally:
            self._root = page_root

    def _feed_entry(self, article, times: tuple) -> Markup:
        """The Atom entry of `article`: the same in every feed that lists it
        (its links are absolute), so it is rendered once per build."""
        entry = self._entries.get(article.slug)
        if entry is None:
            template = self.env.get_template(GLOBAL_TEMPLATES["feed_entry"])
            entry = Markup(template.render(article=article, times=times, terms=self._links[article.slug]))
            self._entries[article.slug] = entry
        return entry

    def data(self, fmt: str, articles: list, about: dict, rows: downloads.Rows) -> str | bytes:
        """The download of `articles` in `fmt`: a list (downloads.FILES) or
        one article's reference (downloads.CITATIONS)."""
        if fmt == "csv":
            return downloads.as_csv(rows, articles)
        if fmt == "json":
            return downloads.as_json(rows, articles, about)
        return downloads.CITATIONS[fmt][1](self.config, articles[0], self._links[articles[0].slug])

    def render(self, template: str, page_url: str, **context) -> str:
        """Return the HTML of `template` for the page at site path `page_url`
        (its links relative to it, or from `url_root` when the context has one)."""
        depth = page_url.count("/")
        root = context.get("url_root")
        outer, (self._depth, self._root) = (self._depth, self._root), (depth, "../" * depth if root is None else root)
        try:
            return self.env.get_template(template).render(page_url=page_url, **context)
        finally:
            self._depth, self._root = outer


# Where a link of a card rendered once for every depth starts (url()), and
# the link to the home page ("./" at the top): characters no text, setting
# or name of the site can hold (arabic.FORBIDDEN), so each one in the card
# is one that url() put there.
ROOT_MARK = "\x00"
HOME_MARK = "\x00\x01"


def links_only_printed(env: jinja2.Environment, name: str) -> bool:
    """Whether the template `name` shows the same at every folder depth but
    for the links url() gives it: it never reads `root`, calls url() only to
    print what it returns (`{{ url(...) }}`, escaped and nothing more) and no
    other function of the site's (a card, say), and has no block, macro,
    captured output or other template through which a link could be printed
    otherwise. Then each link printed is the page's root followed by a text
    of its own, whatever the root."""
    source = env.loader.get_source(env, name)[0]
    if ROOT_MARK in source or HOME_MARK[1] in source:
        return False
    tree = env.parse(source)
    forbidden = (nodes.Block, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock, nodes.Extends,
                 nodes.Include, nodes.Import, nodes.FromImport)
    if any(True for _ in tree.find_all(forbidden)):
        return False
    printed = {id(item) for output in tree.find_all(nodes.Output) for item in output.nodes}
    called = [call for call in tree.find_all(nodes.Call) if isinstance(call.node, nodes.Name)]
    callees = {id(call.node) for call in called}
    return (all(call.node.name == "url" and id(call) in printed for call in called)
            and all(node.name != "root" and (node.name != "url" or id(node) in callees)
                    for node in tree.find_all(nodes.Name)))


def _unmark(card: str, root: str) -> str:
    """A card rendered with marks (links_only_printed), with the links of a page whose root is `root`."""
    return card.replace(HOME_MARK, root or "./").replace(ROOT_MARK, root)


def news_article(config: SiteConfig, article, terms: dict) -> dict:
    """Return the schema.org NewsArticle description of `article` (JSON-LD)."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "inLanguage": config.language,
        "url": absolute_url(config, article.url),
        "mainEntityOfPage": absolute_url(config, article.url),
        "publisher": {"@type": "Organization", "name": config.title, "url": config.base_url},
        "wordCount": article.word_count,
    }
    if article.date is not None:
        data["datePublished"] = article.date.isoformat()
    if article.summary:
        data["description"] = article.summary
    if article.author:
        data["author"] = {"@type": "Person", "name": article.author}
    for spec in config.taxonomies:
        linked = terms.get(spec.key)
        if not spec.jsonld or not linked:
            continue
        prop, _slash, kind = spec.jsonld.partition("/")
        values = [{"@type": kind, "name": t.name} if kind else t.name for t in linked]
        if spec.hierarchical and len(values) > 1:  # the place of the event; the others are only named
            data["mentions"] = data.get("mentions", []) + values[1:]
            values = values[:1]
        data[prop] = data.get(prop, []) + values
    return data


# The search interface's words (Pagefind UI), in the archive's Arabic.
SEARCH_STRINGS = {
    "placeholder": "ابحث في الأرشيف",
    "clear_search": "مسح",
    "load_more": "عرض مزيد من النتائج",
    "search_label": "البحث في الأرشيف",
    "filters_label": "تصفية النتائج",
    "zero_results": "لا نتائج لـ«[SEARCH_TERM]»",
    "many_results": "عدد النتائج لـ«[SEARCH_TERM]»: [COUNT]",
    "one_result": "نتيجة واحدة لـ«[SEARCH_TERM]»",
    "alt_search": "لا نتائج لـ«[SEARCH_TERM]»، وهذه نتائج «[DIFFERENT_TERM]»",
    "search_suggestion": "لا نتائج لـ«[SEARCH_TERM]». جرّب إحدى الكلمات التالية:",
    "searching": "جارٍ البحث عن «[SEARCH_TERM]»…",
    "total_zero_results": "لا نتائج",
    "total_one_result": "نتيجة واحدة",
    "total_many_results": "عدد النتائج: [COUNT]",
    "results_label": "نتائج البحث",
}


# --- rendering many pages, and template errors ------------------------------------

PARALLEL_MIN_PAGES = 400  # fewer pages than this render in one process


def render_page(plan: PagePlan, renderer: Renderer, writer: Writer) -> None:
    """Render the page of `plan` and give it to `writer`. Raises
    jinja2.TemplateError (in a form that survives pickling) for a template
    problem."""
    try:
        if plan.template is None and "file" in plan.context:  # a file published as it is
            writer.write(plan, Path(plan.context["file"]).read_bytes())
        elif plan.template is None and "picture" in plan.context:  # without its metadata
            path, kind = plan.context["picture"]
            try:
                data = images.published_bytes(Path(path).read_bytes(), kind)
            except (OSError, ValueError, struct.error):  # changed or removed since it was checked
                raise images.PictureError(path) from None
            writer.write(plan, data)
        elif plan.template is None and "data" in plan.context:
            writer.write(plan, renderer.data(*plan.context["data"]))
        elif plan.template is None:
            writer.write(plan, plan.context["text"])
        else:
            writer.write(plan, renderer.render(plan.template, page_url(plan.path), **plan.context))
    except jinja2.TemplateError as exc:
        raise _portable(exc) from None


def render_pages(plans: list[PagePlan], renderer: Renderer, writer: Writer, jobs: int,
                 progress: Progress | None) -> None:
    """Render and write `plans`, in `jobs` forked processes when above one.
    Raises jinja2.TemplateError for a template problem, from any process."""
    shown = 0

    def report(done: int) -> None:  # about every thousand pages
        nonlocal shown
        if done // 1000 > shown // 1000:
            shown = done
            progress(_("{done} of {pages} pages rendered").format(done=done, pages=len(plans)))

    fork_map(lambda plan: render_page(plan, renderer, writer), plans, jobs, min_items=PARALLEL_MIN_PAGES,
             progress=report if progress else None)


# What plan_and_render tells of each plan: its path, fingerprint, its entry
# in the sitemap (plan.sitemap_entry) and whether its page was rendered.
Planned = tuple[str, str, tuple | None, bool]


def plan_and_render(parts: list[Callable[[], Iterable[PagePlan]]], renderer: Renderer, writer: StagingWriter,
                    jobs: int, progress: Progress | None, shown: Callable[[], object], spread: bool | None = None
                    ) -> list[tuple[object, list[Planned]]]:
    """Plan each part of the site (plan.Planner.parts) and render the pages
    whose fingerprint `writer` does not have, the parts spread over `jobs`
    forked processes. Each process plans its parts from the model it
    inherits and renders what it planned: no plan is held for the whole
    site, none crosses between processes. Return, for each part in the
    order of `parts`, the articles it showed (`shown`, asked after each
    part: Planner.shown) and what it planned. `spread`: whether the parts
    are work enough to be worth the processes (forking and gathering cost
    about 0.1–0.2 s); by default, when there are PARALLEL_MIN_PARTS of them.
    Raises jinja2.TemplateError for a template problem."""

    def run(part: Callable[[], Iterable[PagePlan]]) -> tuple[object, list[Planned]]:
        shown()  # anything noted before this part is not its own
        done = []
        for plan in part():
            rendered = not writer.unchanged(plan)
            if rendered:
                render_page(plan, renderer, writer)
            done.append((plan.path, plan.fingerprint, sitemap_entry(plan), rendered))
        return shown(), done

    told = 0

    def report(done: int) -> None:  # at each tenth of the parts
        nonlocal told
        tenths = done * 10 // len(parts)
        if tenths > told:
            told = tenths
            progress(_("{percent}% of the pages planned and rendered").format(percent=tenths * 10))

    if spread is None:
        spread = len(parts) >= PARALLEL_MIN_PARTS
    return fork_map(run, parts, jobs if spread else 1, min_items=2 * PARTS_PER_TASK,
                    chunk=PARTS_PER_TASK, progress=report if progress else None)


PARALLEL_MIN_PARTS = 40  # a site of fewer parts is planned and rendered in one process
# Parts that show articles (and have pages) this many times in all are spread over processes
# (about 0.7 s of planning in one; 88,500 for an edit at 10,000 articles, 0.3 s).
SPREAD_MIN_WEIGHT = 200_000
PARTS_PER_TASK = 4  # parts differ much in size (a term's pages, 250 articles' pages): a worker takes a few at a time


def _portable(exc: jinja2.TemplateError) -> jinja2.TemplateError:
    """`exc` in a form that survives pickling back from a worker process."""
    copy = jinja2.TemplateError(exc.message)
    copy.filename, copy.lineno = template_location(exc)
    copy.name = getattr(exc, "name", None)
    return copy


def template_location(exc: jinja2.TemplateError) -> tuple[str | None, int | None]:
    """The template file and line of `exc`: given for a syntax error, else
    found in the traceback, where Jinja puts the template's own lines."""
    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename:
        return filename, lineno
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code.co_filename
        if not code.endswith(".py") and Path(code).is_file():
            filename, lineno = code, tb.tb_lineno
        tb = tb.tb_next
    return filename, lineno


def template_error(exc: jinja2.TemplateError, site_dir: Path) -> ContentError:
    """Return a template problem as a ContentError naming the file and line."""
    filename, lineno = template_location(exc)
    name = filename or getattr(exc, "name", None) or "templates"
    try:
        name = Path(name).resolve().relative_to(site_dir).as_posix()
    except ValueError:
        pass
    return ContentError(name, f"template error: {exc.message or exc}", lineno,
                        "fix the template, or delete it to use the built-in one")
