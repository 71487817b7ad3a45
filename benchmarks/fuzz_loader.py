#!/usr/bin/env python3
"""Fuzz campaign for the loader: many generated inputs, each must give an
article or a clean content error, never another exception.

    python benchmarks/fuzz_loader.py [--n 100000] [--seed 1]

Inputs are a mix of random bytes, valid articles with random mutations
(flipped, inserted, deleted and duplicated bytes, cut short), and front matter
assembled from hostile pieces (control characters raw and as YAML escapes,
numbers thousands of digits long, zone offsets), in UTF-8, UTF-16 and
Windows-1256. Every article must hold no forbidden character and come back
unchanged through the build cache's JSON form. Every 500th input also writes
a small site of files with random names (bytes that are not UTF-8 included)
and loads it through the folder walk, and damages a real cache database
(flipped bytes, rows of random JSON) before reading it back. Prints the
counts; exits 1 and prints the input if anything else is raised.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from archive_site import arabic, cache
from archive_site.loader import _Invalid, load_site, make_converter, parse_article

VALID = [
    "---\ntitle: قصف على حي سكني في حلب\ndate: 2019-08-03\ntags: [غارات, نزوح]\nplaces: حلب، إدلب\n---\n\n"
    "نص **المقال** الأول.\n\n- بند\n- بند آخر\n\n| أ | ب |\n|---|---|\n| 1 | 2 |\n",
    "عنوان المقال\n\nالفقرة الأولى من النص.\n\nالفقرة الثانية.\n\n-------\nتذييل الموقع\n",
    "---\ntitle: \"عنوان: مع نقطتين\"\nslug: report-1\ndraft: false\nsource: https://example.org/x\n---\n"
    "<div dir=\"ltr\">text <script>alert(1)</script></div>\n\n> اقتباس\n>> متداخل\n",
]
PIECES = ["---\n", "...\n", "title:", "date:", "tags:", "places:", "slug:", "draft:", "source:", "summary:",
          "[", "]", "{", "}", "- ", ": ", "'", '"', "&", "*", "!", "|", "\n", "\r\n", "\t", "  ", "٢٠١٩-٠٢-٣٠",
          "2019-02-29", "9999-99-99", "yes", "null", "~", "عنوان", "\ufeff", "\u200f", "\x00", "\xff", ">" * 50,
          "<script>", "<!--", "]]>", "-----", "#", "1e999", "0x10", "!!python/object:os.system", "&a [*a, *a]",
          "*a", "?", "%YAML 1.1\n", "\x01", "\x1b", "\x0c", "\x7f", "\u0085", "\ufffe", "\U0010ffff",
          '"\\x01"', '"\\0"', '"\\e"', '"\\uFFFE"', '"\\ud800"', "9" * 5000, "-" + "1" * 4400, "1_000",
          "2020-01-01T10:00:00-05:00", "2020-01-01T10:00:00Z", "!!binary aGk=", "!!set {a, b}",
          "!!timestamp 2001-12-14", "!!float .nan", "[" * 30, "![" * 10, "<a href=" * 5]


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        position = rng.randrange(len(data) + 1)
        if choice < 0.3 and data:
            data[min(position, len(data) - 1)] = rng.randrange(256)
        elif choice < 0.55:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
        elif choice < 0.75:
            del data[position:position + rng.randint(1, 20)]
        elif choice < 0.9:
            data[position:position] = data[position:position + rng.randint(1, 40)] * rng.randint(1, 4)
        else:
            data = data[:position]
    return bytes(data)


def generate(rng: random.Random) -> tuple[bytes, str]:
    kind = rng.random()
    if kind < 0.2:
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
    elif kind < 0.65:
        data = mutate(rng.choice(VALID).encode(rng.choice(["utf-8", "utf-8-sig", "utf-16", "cp1256"]),
                                               errors="replace"), rng)
    else:
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
        data = text.encode(rng.choice(["utf-8", "utf-16-le", "utf-16"]), errors="surrogatepass")
    return data, rng.choice([".md", ".txt"])


def check_article(article) -> None:
    """Raise AssertionError if a parsed article breaks a promise of the loader."""
    for text in (article.title, article.summary, article.body_html, article.text, *(name for names in article.terms.values() for name in names)):
        assert not arabic.FORBIDDEN.search(text), f"forbidden character kept: {text[:80]!r}"
    text = json.dumps(cache.encode(article))
    assert cache.loads(text) == article == cache.decode(json.loads(text)), "cache round trip changed it"


NAME_BYTES = [b"a", b".md", b".txt", b"\xff", b"\xe4", b"\xd8\xb9", b".", b"-", b" ", b"~", b"#", b"\n", b"\x01"]


def names_round(rng: random.Random, converter) -> None:
    """Write files with random names into a site and load it: every file must
    be an article, an error or a skipped file, and nothing may raise."""
    with tempfile.TemporaryDirectory() as folder:
        content = os.path.join(os.fsencode(folder), b"content")
        os.mkdir(content)
        made = set()
        for _ in range(rng.randint(1, 12)):
            name = b"".join(rng.choice(NAME_BYTES) for _ in range(rng.randint(1, 6)))
            if name in (b".", b"..") or b"/" in name:
                continue
            path = os.path.join(content, name)
            if os.path.exists(path):
                continue
            with open(path, "wb") as file:
                file.write(rng.choice(VALID).encode("utf-8"))
            made.add(name)
        result = load_site(Path(folder), ("content",))
        accounted = len(result.articles) + len(result.failed) + len(result.skipped)
        assert accounted >= len(made) - sum(1 for p in result.problems if not p.warning), "a file was lost"


def cache_round(rng: random.Random) -> None:
    """Damage a real cache database and read it back: never an exception."""
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "content").mkdir()
        (site / "content/a.md").write_text(VALID[0], encoding="utf-8")
        records = cache.RecordCache.for_site(site, "fuzz")
        loaded = load_site(site, ("content",), records)
        records.save()
        database = records.path
        data = bytearray(database.read_bytes())
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 50)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            database.write_bytes(bytes(data))
        else:
            value = json.dumps(rng.choice([{"$article": [["title", 1]]}, {"$article": {"title": 1}}, {"$tuple": "x"},
                                           {"$map": [[[1], 2]]}, {"$map": [[1]]}, {"$article": [["nope", 1]]},
                                           {"$bytes": "%%%"}, {"$datetime": "no"}, [1, {"$set": [[1]]}],
                                           {"$os.system": ["x"]}, "not json at all {"]))
            with sqlite3.connect(database) as db:
                db.execute("UPDATE records SET value = ?", (value,))
            db.close()
        again = cache.RecordCache.for_site(site, "fuzz")
        for (what, rel), (state, _, _) in list(again.entries.items()):
            again.get(what, rel, tuple(state))
        load_site(site, ("content",), again)
        again.save()
        assert loaded.articles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    converter = make_converter()
    articles = errors = rounds = 0
    started = time.perf_counter()
    for i in range(args.n):
        data, suffix = generate(rng)
        try:
            article, _ = parse_article(data, f"content/fuzz{suffix}", suffix, converter)
            check_article(article)
            articles += 1
        except _Invalid:
            errors += 1
        except Exception as exc:  # the finding this script exists for
            print(f"input {i} ({suffix}) raised {type(exc).__name__}: {exc}\n{data!r}", file=sys.stderr)
            return 1
        if i % 500 == 0:
            try:
                names_round(rng, converter)
                cache_round(rng)
            except Exception as exc:
                print(f"round {i} of file names and caches raised {type(exc).__name__}: {exc}", file=sys.stderr)
                return 1
            rounds += 1
    seconds = time.perf_counter() - started
    print(f"{args.n} inputs (seed {args.seed}): {articles} articles, {errors} content errors, "
          f"{rounds} rounds of random file names and damaged caches, 0 other exceptions, {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
