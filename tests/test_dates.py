"""Dates for articles whose files carry none: sidecars, file names, folders,
the text; each source named in the record and by `check`."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import write_site

from archive_site import dates
from archive_site.loader import load_site

TEXT = "تقرير ميداني\n\nوثّق الفريق ما جرى في المدينة خلال الأسبوع الماضي.\n\n-----\nللتواصل: فريق الرصد\n"


def only(site):
    result = load_site(site)
    assert not result.errors, result.errors
    (article,) = result.articles
    return article, result


@pytest.mark.parametrize("written, expected", [
    ("قصف في 3 آب 2019 على المدينة", dt.datetime(2019, 8, 3)),
    ("في ٣ آب/أغسطس ٢٠١٩", dt.datetime(2019, 8, 3)),
    ("يوم 3 آب (أغسطس) 2019", dt.datetime(2019, 8, 3)),
    ("في 14 تشرين الثاني عام 2020، ثم في 14 تشرين الثاني 2020 مجدداً", dt.datetime(2020, 11, 14)),
    ("صدر التقرير في 5 مايو 2021", dt.datetime(2021, 5, 5)),
    ("بتاريخ 2019-08-03", dt.datetime(2019, 8, 3)),
    ("بين 3 آب 2019 و5 آب 2019", None),  # two dates: which one?
    ("بين 3 و5 آب 2019", None),  # a span
    ("في 3 آب/أيلول 2019", None),  # the two month names disagree
    ("في 12 رمضان 1440", None),  # Hijri: recognised, not converted
    ("في 31 شباط 2019", None),  # no such day
    ("في 3 آب", None),  # no year
])
def test_a_date_in_the_text_is_taken_only_when_it_is_the_only_one(written, expected):
    found = dates.from_text("", written)
    assert (found.date if found else None) == expected


@pytest.mark.parametrize("rel, expected, precision", [
    ("content/2019-08-03-report.txt", dt.datetime(2019, 8, 3), "day"),
    ("content/2019/08/03/report.txt", dt.datetime(2019, 8, 3), "day"),
    ("content/2019/08/report.txt", dt.datetime(2019, 8, 1), "month"),
    ("content/2019-13-45-report.txt", None, None),
    ("content/report-2019-08-03.txt", None, None),
])
def test_file_names_and_folders_give_dates(rel, expected, precision):
    found = dates.from_path(rel)
    assert (found.date if found else None) == expected
    if found:
        assert found.precision == precision


def test_a_sidecar_gives_a_plain_text_article_its_front_matter(tmp_path):
    site = write_site(tmp_path, {
        "content/2018-01-01-report.txt": TEXT.replace("الأسبوع الماضي", "3 آب 2019"),
        "content/2018-01-01-report.yml": "title: عنوان مصحح\ndate: 2020-02-02\nplaces: [حلب]\n"
                                          "tags: [نزوح]\nnotes: تحقق منه أحمد\nslug: field-report\n",
    })
    article, result = only(site)
    assert (article.title, article.slug) == ("عنوان مصحح", "field-report")
    assert (article.date, article.date_source) == (dt.datetime(2020, 2, 2), "sidecar")
    assert article.terms["places"] == ("حلب",) and article.terms["tags"] == ("نزوح",)
    assert "notes" not in article.extra  # the editors' own, never published
    assert not result.skipped  # the sidecar is not "another file"


def test_the_sources_in_order_of_precedence(tmp_path):
    text = TEXT.replace("الأسبوع الماضي", "3 آب 2019")
    write_site(tmp_path, {"content/2018-01-01-report.txt": text})
    article, _ = only(tmp_path)
    assert (article.date, article.date_source) == (dt.datetime(2018, 1, 1), "file name")
    (tmp_path / "content/2018-01-01-report.txt").rename(tmp_path / "content/report.txt")
    article, _ = only(tmp_path)
    assert (article.date, article.date_source) == (dt.datetime(2019, 8, 3), "text")
    (tmp_path / "content/report.txt").write_text(TEXT, encoding="utf-8")
    article, _ = only(tmp_path)
    assert (article.date, article.date_source) == (None, "")


def test_a_sidecar_error_names_the_sidecar_and_its_line(tmp_path):
    write_site(tmp_path, {"content/report.txt": TEXT, "content/report.yml": "title: عنوان\ndate: 2019-02-30\n"})
    result = load_site(tmp_path)
    assert [str(e) for e in result.errors] == [
        "content/report.yml:2: '2019-02-30' is not a valid date "
        "(write it as YYYY-MM-DD, for example 2019-08-03, and check the day exists in that month)"]
    write_site(tmp_path, {"content/report.yml": "title: عنوان\nplaces: [حلب\n"})
    (error,) = load_site(tmp_path).errors
    assert error.path == "content/report.yml" and error.line == 2


def test_a_sidecar_without_its_text_is_reported_as_skipped(tmp_path):
    write_site(tmp_path, {"content/a.md": "---\ntitle: أ\n---\n\nنص\n", "content/lonely.yml": "title: x\n"})
    _, result = only(tmp_path)
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("content/lonely.yml", "a sidecar with no .txt article of the same name beside it")]


def test_pages_and_check_say_where_a_date_comes_from(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/2019/08/month.txt": TEXT,
        "content/dated-in-text.txt": TEXT.replace("الأسبوع الماضي", "3 آب 2019"),
        "content/undated.txt": TEXT.replace("تقرير ميداني", "تقرير آخر"),
    })
    run = cli("check", site)
    assert "content/2019/08/month.txt: dated 2019-08, from its folders" in run.out
    assert "content/dated-in-text.txt: dated 2019-08-03, from its text" in run.out
    assert f"content/undated.txt: no date of its own; the next build records it as its intake date, {dt.date.today()}" \
        in run.out
    assert run.status == 1 and "error: ledger.tsv: out of date: 3 articles with no permanent address yet" in run.err
    assert cli("build", site).status == 0
    page = next((site / "build/articles").glob("*/index.html"))
    pages = {p.parent.name: p.read_text(encoding="utf-8") for p in (site / "build/articles").glob("*/index.html")}
    assert page.exists() and len(pages) == 3
    texts = "".join(pages.values())
    assert '<time datetime="2019-08">آب 2019</time>' in texts
    assert '<span class="date-kind">تاريخ مذكور في النص:</span> <time datetime="2019-08-03">3 آب 2019</time>' in texts
    assert (site / "build/archive/2019/08/index.html").exists()


def test_an_edit_to_the_sidecar_alone_is_seen_by_the_next_build(cli, tmp_path):
    site = write_site(tmp_path / "site", {"content/report.txt": TEXT, "content/report.yml": "slug: report\n"})
    assert cli("build", site).status == 0
    write_site(site, {"content/report.yml": "slug: report\ndate: 2021-06-01\n"})
    assert cli("build", site).status == 0
    assert "2021-06-01" in (site / "build/articles/report/index.html").read_text(encoding="utf-8")


def test_an_event_date_and_the_encoding_are_kept_and_shown(cli, tmp_path):
    site = write_site(tmp_path / "site", {
        "content/report.txt": TEXT.encode("cp1256"),
        "content/report.yml": "slug: report\ndate: 2019-09-01\nevent_date: 2019-08-03\n",
    })
    assert cli("build", site).status == 0
    page = (site / "build/articles/report/index.html").read_text(encoding="utf-8")
    assert '<span class="date-kind">تاريخ الحدث:</span> <time datetime="2019-08-03">3 آب 2019</time>' in page
    assert 'الترميز: <bdi dir="ltr">windows-1256</bdi>' in page
    write_site(site, {"content/report.yml": "slug: report\nevent_date: 2019-02-30\n"})
    run = cli("build", site)
    assert run.status == 1 and "content/report.yml:2: '2019-02-30' is not a valid date" in run.err
