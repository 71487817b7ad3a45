#!/usr/bin/env python3
"""Fuzz campaign for the loader: many generated inputs, each must give an
article or a clean content error, never another exception.

    python benchmarks/fuzz_loader.py [--n 100000] [--seed 1]

Inputs are a mix of random bytes, valid articles with random mutations
(flipped, inserted, deleted and duplicated bytes, cut short), and front matter
assembled from hostile pieces, in UTF-8, UTF-16 and Windows-1256. Prints the
counts; exits 1 and prints the input if anything else is raised.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import markdown

from archive_site.loader import _Invalid, parse_article

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
          "*a", "?", "%YAML 1.1\n"]


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    converter = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    articles = errors = 0
    started = time.perf_counter()
    for i in range(args.n):
        data, suffix = generate(rng)
        try:
            parse_article(data, f"content/fuzz{suffix}", suffix, converter)
            articles += 1
        except _Invalid:
            errors += 1
        except Exception as exc:  # the finding this script exists for
            print(f"input {i} ({suffix}) raised {type(exc).__name__}: {exc}\n{data!r}", file=sys.stderr)
            return 1
    seconds = time.perf_counter() - started
    print(f"{args.n} inputs (seed {args.seed}): {articles} articles, {errors} content errors, "
          f"0 other exceptions, {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
