"""Names the gazetteer lacks: proposed from their context, shown by check
and import, accepted by the editor with `gazetteer add`, never by themselves."""

from __future__ import annotations

import json

import pytest
from conftest import write_site

from archive_site.gazetteer import PACKAGED, _read
from archive_site.propose import gather, propose

GAZETTEER = _read(PACKAGED.read_text(encoding="utf-8"), "gazetteer.yml")


@pytest.mark.parametrize("text, expected", [
    ("قصفت الطائرات قرية العجمي بريف القنيطرة الجنوبي", [("places", "العجمي", "quneitra-countryside-south")]),
    ("سيطر لواء القدس على حي الشيخ سعيد في حلب",
     [("actors", "لواء القدس", ""), ("places", "الشيخ سعيد", "aleppo")]),
    ("وصل النازحون إلى مخيم العودة في ريف إدلب الشمالي", [("places", "مخيم العودة", "idlib-countryside-north")]),
    ("وهاجمت فرقة المعتصم مواقع قسد", [("actors", "فرقة المعتصم", "")]),
    ("ولقوات الصناديد مواقع قرب الحدود", [("actors", "قوات الصناديد", "")]),
    # known names, generic words and ordinary phrases are not proposed
    ("قصفت قوات النظام بلدة الباب ومخيم الهول", []),
    ("اعتقلت قوات سوريا الديمقراطية شاباً من قرية الكرامة", []),
    ("قالت هيئة الأمم المتحدة إن جيش الاحتلال تقدم", []),
    ("عاد إلى القرية المجاورة بعد يومين", []),
])
def test_names_marked_by_their_context_are_proposed(text, expected):
    assert [(c.kind, c.name, c.parent) for c in propose(text, GAZETTEER)] == expected


def test_proposals_are_gathered_by_name_across_articles():
    merged = gather([("a.txt", propose("في قرية العجمي", GAZETTEER)),
                     ("b.txt", propose("من قرية العجمي بريف القنيطرة", GAZETTEER)),
                     ("c.txt", propose("لواء القدس", GAZETTEER))])
    assert [(c.name, c.sources, c.parent) for c in merged] == [
        ("العجمي", ["a.txt", "b.txt"], "quneitra-countryside"), ("لواء القدس", ["c.txt"], "")]


def test_check_proposes_and_gazetteer_add_accepts(cli, tmp_path):
    site = write_site(tmp_path, {
        "content/a.md": "---\ntitle: قصف\ndate: 2020-01-02\n---\n\nقصفت الطائرات قرية العجمي بريف القنيطرة الجنوبي.\n",
        "content/b.md": "---\ntitle: اشتباك\ndate: 2020-01-03\n---\n\nاشتبك لواء القدس مع فصائل محلية.\n",
    })
    cli("build", site)  # records the articles' addresses, which check asks for
    assert not (site / "build/places/al-ajami").exists()  # never tagged before an editor adds it
    run = cli("check", site)
    assert run.status == 0, run.err
    assert "place «العجمي» («قرية العجمي») — 1 article: content/a.md" in run.out
    assert 'archive-site gazetteer add place "العجمي" --parent quneitra-countryside-south' in run.out
    assert 'archive-site gazetteer add actor "لواء القدس"' in run.out
    data = json.loads(cli("check", site, "--format", "json").out)
    assert {"kind": "places", "name": "العجمي", "words": "قرية العجمي", "parent": "quneitra-countryside-south",
            "articles": ["content/a.md"]} in data["candidates"]

    run = cli("gazetteer", "add", "place", "العجمي", "--parent", "quneitra-countryside-south",
              "--slug", "al-ajami", "--site", site)
    assert run.status == 0 and "made" in run.out and "added place «العجمي» (al-ajami)" in run.out
    assert (site / "gazetteer.yml").read_text(encoding="utf-8").count("\n- {slug: ") > 400  # the packaged entries kept
    run = cli("gazetteer", "add", "actor", "لواء القدس", "--site", site)
    assert run.status == 0 and "made" not in run.out
    run = cli("check", site)
    assert "+ place العجمي: «العجمي»" in run.out and "+ actor لواء القدس" in run.out
    assert "does not know" not in run.out  # nothing left to propose
    assert cli("build", site).status == 0
    page = (site / "build/places/al-ajami/index.html").read_text(encoding="utf-8")
    assert "قصف" in page and "ريف القنيطرة الجنوبي" in page  # under its parent
    assert any((site / "build/actors").glob("*/index.html"))


@pytest.mark.parametrize("args, message", [
    (("place", "الباب"), "'الباب' is already in the gazetteer, as 'الباب' (al-bab)"),
    (("place", "العجمي", "--parent", "atlantis"), "no place 'atlantis' to put it in"),
    (("actor", "لواء القدس", "--parent", "aleppo"), "only a place has a parent"),
    (("place", "العجمي", "--slug", "Al Ajami"), "'Al Ajami' is not a slug"),
])
def test_gazetteer_add_refuses_and_writes_nothing(cli, tmp_path, args, message):
    site = write_site(tmp_path, {"site.yml": "title: أرشيف\n"})
    run = cli("gazetteer", "add", *args, "--site", site)
    assert run.status != 0 and message in run.err
    assert not (site / "gazetteer.yml").exists()


def test_import_shows_the_names_the_gazetteer_lacks(cli, tmp_path):
    inbox = write_site(tmp_path / "inbox", {"report.txt": "قصف على العجمي\n\nقصفت الطائرات قرية العجمي بريف القنيطرة "
                                                        "الجنوبي صباح اليوم وأصيب ثلاثة مدنيين بجروح.\n"})
    site = write_site(tmp_path / "site", {"site.yml": "title: أرشيف\n"})
    run = cli("import", inbox, site)
    assert run.status == 0 and "not in the gazetteer: العجمي (see the sidecar)" in run.out
    sidecar = next((site / "content/received").glob("*.yml")).read_text(encoding="utf-8")
    assert ('# not in the gazetteer: «قرية العجمي»; to add it: archive-site gazetteer add place "العجمي" '
            "--parent quneitra-countryside-south") in sidecar
    assert "places:" in sidecar and "العجمي" not in sidecar.split("places:")[1].split("\n")[0]
