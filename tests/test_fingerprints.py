"""Fingerprints derived from what a page shows: with site templates that use
any variable templates may read, an incremental build equals a clean one."""

from __future__ import annotations

import jinja2
import pytest
from conftest import snapshot, write_site

from archive_site.config import load_config
from archive_site.render import GLOBAL_TEMPLATES, Renderer, links_only_printed
from archive_site.views import FIELDS, Projector, TermRef

ARTICLE = "---\ntitle: {title}\ndate: {date}\nplaces: [{place}]\ntags: [{tag}]\n---\n\n{body}\n"

# Site templates that print the variables of each page's context, deep.
OVERRIDES = {
    "templates/partials/footer.html": """
        <footer>{{ site.title }} {{ site.per_page }} {{ page_url }}</footer>
        """,
    "templates/partials/card.html": """
        <article>{{ root }}|{{ url(article.url) }}|{{ article.title }}|{{ article.word_count }}|
        {% for kind, links in terms | dictsort %}{{ kind }}:{% for t in links %}{{ t.name }}@{{ url(t.url) }};{% endfor %}{% endfor %}</article>
        """,
    "templates/term.html": """
        {% extends "base.html" %}{% block content %}
        {{ taxonomy.label }} {{ term.name }} {{ term.count }} {{ term.parent.name if term.parent }}
        {% for a in term.ancestors %}{{ a.name }}{% endfor %}
        {% for c in term.children %}{{ c.name }}={{ c.count }}{% for g in c.children %}/{{ g.name }}={{ g.count }}{% endfor %};{% endfor %}
        {% for article in pager.articles %}{{ card(article) }}{% endfor %}
        {{ pager.number }}/{{ pager.total }} {{ pager.previous_url }} {{ pager.next_url }}
        {% endblock %}
        """,
    "templates/article.html": """
        {% extends "base.html" %}{% block content %}
        {{ article.title }} {{ article.date }} {{ article.summary }} {{ article.extra }}
        {% for kind, links in terms | dictsort %}{% for t in links %}{{ t.name }} {{ t.slug }};{% endfor %}{% endfor %}
        {{ near.newer.title if near.newer }} {{ near.older.title if near.older }}
        {% for r in near.related %}{{ r.title }} {{ r.date }};{% endfor %}
        {% endblock %}
        """,
    "templates/taxonomy.html": """
        {% extends "base.html" %}{% block content %}
        {% for t in taxonomy.terms %}{{ t.name }}={{ t.count }}<{{ t.parent.name if t.parent }}>;{% endfor %}
        {% for t in taxonomy.roots %}{{ t.name }};{% endfor %}
        {% endblock %}
        """,
    "templates/archive.html": """
        {% extends "base.html" %}{% block content %}
        {% for y in archive.years %}{{ y.year }}={{ y.count }}({% for m in y.months %}{{ m.month }}={{ m.count }},{% endfor %});{% endfor %}
        {{ archive.undated_count }}
        {% endblock %}
        """,
    "templates/archive_month.html": """
        {% extends "base.html" %}{% block content %}
        {{ period.year if period }} {{ period.month if period }} {{ count }}
        {% for article in pager.articles %}{{ card(article) }}{% endfor %}
        {% endblock %}
        """,
}


def article(title: str, date: str, place: str = "حلب", tag: str = "نزوح", body: str = "نص المقال") -> str:
    return ARTICLE.format(title=title, date=date, place=place, tag=tag, body=body)


@pytest.fixture
def site(tmp_path):
    files = {f"content/{n:02}.md": article(f"مقال {n}", f"20{19 + n % 4}-0{1 + n % 9}-1{n % 9}",
                                           place=["حلب", "بزاعة", "إدلب", "سراقب"][n % 4], tag=f"وسم {n % 3}")
             for n in range(14)}
    files["site.yml"] = "per_page: 3\n"
    return write_site(tmp_path / "site", {**files, **OVERRIDES})


EDITS = [
    ("add an article in a place inside another", {"content/new.md": article("جديد", "2024-05-01", place="الباب")}),
    ("change a title", {"content/03.md": article("عنوان معدل", "2022-04-13", place="سراقب")}),
    ("change a date so the order changes", {"content/05.md": article("مقال 5", "2018-01-01", place="إدلب")}),
    ("change a place", {"content/06.md": article("مقال 6", "2021-07-16", place="حمص")}),
    ("add an undated article", {"content/undated.txt": "بلا تاريخ\n\nنص بلا تاريخ.\n"}),
    ("change a site template", {"templates/partials/footer.html": "<footer>{{ site.title }}!</footer>\n"}),
    ("change a setting", {"site.yml": "per_page: 4\n"}),
]


def test_incremental_builds_equal_clean_builds_with_overrides_of_every_template(cli, site, tmp_path):
    assert cli("build", site, "--no-search").status == 0
    for n, (what, files) in enumerate(EDITS):
        write_site(site, files)
        run = cli("build", site, "--no-search")
        assert run.status == 0, f"{what}: {run.err}"
        clean = tmp_path / f"clean-{n}"
        assert cli("build", site, "--no-search", "--clean", "-o", clean).status == 0
        assert snapshot(site / "build", marker=False) == snapshot(clean, marker=False), what
    (site / "content/07.md").unlink()
    assert cli("build", site, "--no-search").status == 0
    assert cli("build", site, "--no-search", "--clean", "-o", tmp_path / "clean-last").status == 0
    assert snapshot(site / "build", marker=False) == snapshot(tmp_path / "clean-last", marker=False)


def test_a_text_edit_re_renders_only_the_pages_that_show_the_article(cli, site):
    assert cli("build", site, "--no-search").status == 0
    write_site(site, {"content/03.md": article("مقال 3", "2022-04-13", place="سراقب", body="نص معدل")})
    run = cli("build", site, "--no-search")
    pages = int(run.out.split(" pages")[0].rsplit(" ", 1)[1])
    rendered = int(run.out.split(" rendered")[0].rsplit(" ", 1)[1])
    # The article, the pages, feeds and downloads that list it or link to it
    # (its word count changed): not the whole site.
    assert 0 < rendered < pages * 0.4, run.out


def test_a_card_cannot_print_its_page_address(cli, site):
    # Cards are shared by the pages of one folder depth: they get `root`, never the page's address.
    write_site(site, {"templates/partials/card.html": "<article>{{ page_url }}</article>\n"})
    run = cli("build", site, "--no-search")
    assert run.status == 1
    assert "error: templates/partials/card.html:1: template error: 'page_url' is undefined" in run.err


@pytest.mark.parametrize("expression, name", [("term.articles", "articles"), ("term.parent.children", "children"),
                                              ("term['articles']", "articles")])
def test_templates_read_only_what_the_fingerprint_covers(cli, site, expression, name):
    write_site(site, {"templates/term.html": f'{{% extends "base.html" %}}{{% block content %}}'
                                             f'{{{{ {expression} | length }}}}{{% endblock %}}\n'})
    run = cli("build", site, "--no-search")
    assert run.status == 1
    assert "error: templates/term.html:1: template error:" in run.err and f"no attribute '{name}'" in run.err


def test_every_field_templates_may_read_is_in_the_fingerprint():
    # The projection follows FIELDS: changing any readable field changes the digest.
    ref = TermRef("places", "حلب", "aleppo", "places/aleppo/")
    projector = Projector({})
    base = projector.fingerprint({"t": ref})
    for name in FIELDS[TermRef]:
        changed = TermRef(**{**ref.__dict__, name: ref.__dict__[name] + "x"})
        assert Projector({}).fingerprint({"t": changed}) != base, name


# A card that prints what url() returns only as it is, the home page's link among them.
MARKED_CARD = ('<article><a href="{{ url(\'\') }}">{{ site.title }}</a> <a href="{{ url(article.url) }}">'
               '{{ article.title }}</a> {% for kind, links in terms | dictsort %}{% for t in links %}'
               '<a href="{{ url(t.url) }}">{{ t.name }}</a>{% endfor %}{% endfor %}</article>\n')


def test_a_card_rendered_once_for_every_depth_equals_one_rendered_at_each_depth(cli, site, tmp_path):
    # The same card twice: as it is, rendered once with marks where its links start;
    # reading `root` (and printing nothing more), rendered again at each folder depth.
    write_site(site, {"templates/partials/card.html": MARKED_CARD})
    assert cli("build", site, "--clean").status == 0
    write_site(site, {"templates/partials/card.html": "{% if root %}{% endif %}" + MARKED_CARD})
    assert cli("build", site, "--clean", "-o", tmp_path / "per-depth").status == 0
    marked, per_depth = snapshot(site / "build", marker=False), snapshot(tmp_path / "per-depth", marker=False)
    assert marked == per_depth
    # Cards at the top (the home page, "./"), one folder down and deeper.
    assert b'<a href="./">' in marked["index.html"] and b'<a href="../../">' in marked["page/2/index.html"]
    assert b'<a href="../../../../places/' in marked["places/idlib/page/2/index.html"]


@pytest.mark.parametrize("card, once", [
    (MARKED_CARD, True),
    ("{{ root }}" + MARKED_CARD, False),  # reads root
    ('<a href="{{ url(article.url) | upper }}">', False),  # changes a link
    ('<a href="{{ url(article.url)[:5] }}">', False),
    ('{% if url("") %}x{% endif %}', False),  # uses a link other than by printing it
    ('{% set u = url %}<a href="{{ u(article.url) }}">', False),
    ('{% set x %}{{ url(article.url) }}{% endset %}{{ x | length }}', False),  # captures one
    ('{% macro m() %}{{ url(article.url) }}{% endmacro %}{{ m() | length }}', False),
    ('{% include "other.html" %}', False),
    ('{{ card(article) }}', False),  # calls another function of the site's
    ('<a href="{{ url(article.url) }}">{{ absolute_url(article.url) }}</a>', False),
    ('<a href="{{ url(article.url) }}">\x01</a>', False),  # holds a mark character
])
def test_which_cards_are_rendered_once_for_every_depth(card, once):
    env = jinja2.Environment(loader=jinja2.DictLoader({"card.html": card, "other.html": "{{ url('') }}"}))
    assert links_only_printed(env, "card.html") is once


def test_the_themes_card_is_rendered_once_for_every_depth(tmp_path):
    renderer = Renderer(tmp_path, load_config(tmp_path))
    assert links_only_printed(renderer.env, GLOBAL_TEMPLATES["card"])
