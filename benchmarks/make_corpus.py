#!/usr/bin/env python3
"""Write a deterministic synthetic archive of N Arabic articles.

    python benchmarks/make_corpus.py --n 10000 --out /tmp/corpus-10000 [--seed 7]

The folder becomes a site: `content/YYYY/article-NNNNNN.md` (Markdown with
front matter) and, for one article in ten, `content/received/article-NNNNNN.txt`
in the plain-text seed format with a footer and no date. Articles are 5 to 10
paragraphs (about 4 KB), dated 2011 to 2026, with 2 to 5 tags from a pool of
120 and 1 to 3 places, both chosen with Zipf-like weights so a few terms are
very large (حلب is on about a fifth of the articles). Place and actor names
also appear in the text, so automatic detection has real work to do.
The same --n and --seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

PLACES = ["حلب", "ريف حلب", "إدلب", "الحسكة", "دير الزور", "الرقة", "دمشق", "ريف دمشق", "حمص", "حماة", "درعا",
          "الباب", "منبج", "عفرين", "جرابلس", "أعزاز", "بزاعة", "سراقب", "معرة النعمان", "خان شيخون", "أطمة",
          "سرمدا", "القامشلي", "رأس العين", "الميادين", "البوكمال", "الطبقة", "دوما", "داريا", "الغوطة الشرقية",
          "تدمر", "السلمية", "اللاذقية", "جبلة", "طرطوس", "بانياس", "السويداء", "القنيطرة", "نوى", "بصرى الشام",
          "مخيم الهول", "مخيم اليرموك", "جنديرس", "تل أبيض", "عين العرب", "الشدادي", "هجين", "القصير",
          "الرستن", "تلبيسة"]
ACTORS = ["تنظيم الدولة الإسلامية", "قوات سوريا الديمقراطية", "التحالف الدولي", "الجيش الوطني السوري",
          "القوات التركية", "قوات النظام", "هيئة تحرير الشام", "القوات الروسية", "الدفاع المدني السوري",
          "الأمم المتحدة", "الهلال الأحمر العربي السوري", "الإدارة الذاتية"]
TAG_ROOTS = ["نزوح", "غارات جوية", "قصف مدفعي", "اعتقال", "اختفاء قسري", "تعليم", "صحة", "مياه", "كهرباء",
             "خبز", "أسعار", "مخيمات", "عودة", "ألغام", "زلزال", "فيضانات", "حرائق", "سجون", "محاكمات",
             "أطفال", "نساء", "صحفيون", "تهجير", "ممتلكات", "زراعة", "نفط", "حدود", "معابر", "مساعدات",
             "لاجئون"]
TAG_QUALIFIERS = ["", " في الشمال", " في الشرق", " في الجنوب"]
SENTENCES = [
    "أفاد مراسل الأرشيف في {place} بأن {actor} {verb} صباح اليوم، وسط حالة من القلق بين السكان.",
    "وقال أحد سكان {place} إن العائلات لم تعد قادرة على تأمين حاجاتها الأساسية منذ {n} أسابيع.",
    "وثّق فريق الرصد {n} حالات خلال الشهر الماضي، بينها نساء وأطفال، في مناطق متفرقة من {place}.",
    "وأشارت مصادر محلية إلى أن {actor} لم يصدر أي بيان حول ما جرى حتى ساعة إعداد هذا التقرير.",
    "وتعاني المرافق الخدمية في {place} من نقص حاد في الكوادر والمعدات، بحسب عاملين فيها.",
    "ويقدّر ناشطون عدد المتضررين بنحو {n} ألف شخص، في حين لم تصدر أرقام رسمية حتى الآن.",
    "وتحدث شهود عيان عن سماع دوي انفجارات متتالية في محيط {place} استمرت قرابة ساعة.",
    "ويطالب الأهالي بفتح ممرات آمنة وتسهيل وصول المساعدات إلى المناطق المتضررة.",
    "وفي سياق متصل، أعلن {actor} عن خطة لإعادة تأهيل عدد من المدارس في {place}.",
    "ولفت التقرير إلى أن أسعار المواد الغذائية ارتفعت بنسبة {n} في المئة خلال عام واحد.",
    "ويخشى المزارعون في ريف {place} من خسارة موسمهم بسبب شح المياه وارتفاع أسعار الوقود.",
    "وذكرت منظمات محلية أن {n} عائلة نزحت إلى المخيمات القريبة خلال الأيام الأخيرة.",
    "وبحسب ما جمعه الأرشيف من شهادات، فإن معظم الضحايا من المدنيين الذين لم يتمكنوا من المغادرة.",
    "ويعمل متطوعون على توثيق أسماء المفقودين ومطابقتها مع القوائم التي تتلقاها الفرق الميدانية.",
    "وأكدت إدارة المشفى الوحيد في {place} أنها استقبلت {n} مصاباً خلال يومين فقط.",
    "ولا تزال الطرق الرئيسية بين {place} و{place2} مقطوعة، ما يعرقل حركة البضائع والمسافرين.",
    "وتشير تقديرات محلية إلى أن نصف المنازل في الحي تضررت جزئياً أو كلياً.",
    "ودعا ناشطون إلى تحقيق مستقل في الحادثة ومحاسبة المسؤولين عنها.",
]
VERBS = ["شنّ حملة مداهمات", "نفّذ عملية عسكرية", "أغلق الطرق المؤدية إلى المدينة", "فرض حظر تجول",
         "أعلن عن هدنة مؤقتة", "سيّر دوريات في الأحياء"]
TITLES = ["{tag}: شهادات من {place}", "تقرير: {tag} في {place} خلال {month}", "{place}: {actor} و{tag}",
          "أوضاع {tag} في {place} بعد {n} أشهر", "ما الذي تغيّر في {place}؟ قراءة في ملف {tag}"]
FOOTER = "أرسلوا إلينا شهاداتكم وتصحيحاتكم عبر نموذج الموقع.\nتابعونا على منصات التواصل."


def zipf_choice(rng: random.Random, items: list[str], k: int) -> list[str]:
    weights = [1 / (i + 1) ** 0.8 for i in range(len(items))]
    chosen: list[str] = []
    while len(chosen) < k:
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def paragraph(rng: random.Random, places: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(2, 4)):
        sentences.append(rng.choice(SENTENCES).format(
            place=rng.choice(places), place2=rng.choice(PLACES), actor=rng.choice(ACTORS),
            verb=rng.choice(VERBS), n=rng.randint(3, 90)))
    return " ".join(sentences)


def article(rng: random.Random, number: int, tags_pool: list[str]) -> tuple[str, str]:
    """Return (relative path, text) of article `number`."""
    tags = zipf_choice(rng, tags_pool, rng.randint(2, 5))
    places = zipf_choice(rng, PLACES, rng.randint(1, 3))
    date = dt.date(2011, 1, 1) + dt.timedelta(days=rng.randrange(16 * 365))
    title = rng.choice(TITLES).format(tag=tags[0], place=places[0], actor=rng.choice(ACTORS),
                                      month=f"{date.month}/{date.year}", n=rng.randint(2, 11))
    body = "\n\n".join(paragraph(rng, places) for _ in range(rng.randint(5, 10)))
    if number % 10 == 9:
        return (f"content/received/article-{number:06}.txt", f"{title} ({number})\n\n{body}\n\n-------\n{FOOTER}\n")
    front = (f"---\ntitle: \"{title} ({number})\"\ndate: {date.isoformat()}\n"
             f"tags: [{', '.join(tags)}]\nplaces: [{', '.join(places)}]\n---\n\n")
    return f"content/{date.year}/article-{number:06}.md", front + body + "\n"


def write_corpus(n: int, out: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    tags_pool = [root + qualifier for qualifier in TAG_QUALIFIERS for root in TAG_ROOTS]
    for number in range(n):
        rel, text = article(rng, number, tags_pool)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (out / "site.yml").write_text("title: أرشيف تجريبي كبير\nper_page: 20\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_corpus(args.n, args.out, args.seed)


if __name__ == "__main__":
    main()
