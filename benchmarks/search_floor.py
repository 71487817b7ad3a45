#!/usr/bin/env python3
"""The search index's cost against its floor: Pagefind alone.

For a site (a corpus from make_corpus.py or the shared harness), each round
times, on this machine and in this order:

- a clean build without search (no cache, no output);
- Pagefind alone over that published HTML (`python -m pagefind --site`),
  what indexing the archive costs without us;
- a clean build with search: its extra time over the first is what our
  indexing costs (the documents written for Pagefind, and Pagefind on them);
- one edit (a sentence appended to one article) rebuilt with search, and the
  same edit rebuilt without search, each from its own clean build's cache.

    python benchmarks/search_floor.py --site /tmp/p10k --reps 3

The article is restored afterwards. Figures are medians over the rounds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCE = "\nوفي تحديث لاحق، أكدت المصادر استمرار الحصار.\n"


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def folder_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True, help="the site folder (with content/)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--language", default="ar")
    args = parser.parse_args()
    site = args.site.resolve()
    edited = sorted((site / "content").iterdir())[len(list((site / "content").iterdir())) // 2]
    original = edited.read_bytes()
    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="search-floor-") as scratch:
        work = Path(scratch)

        def build(label: str, name: str, *extra: str) -> None:
            command = ["archive-site", "build", str(site), "-o", str(work / f"out-{name}"),
                       "--cache-dir", str(work / f"cache-{name}"), "-q", *extra]
            figures.setdefault(label, []).append(timed(command))

        for round_ in range(args.reps):
            for name in ("plain", "search"):
                shutil.rmtree(work / f"out-{name}", ignore_errors=True)
                shutil.rmtree(work / f"cache-{name}", ignore_errors=True)
            build("clean build without search", "plain", "--no-search")
            shutil.rmtree(work / "pagefind", ignore_errors=True)
            figures.setdefault("Pagefind alone on the published HTML", []).append(timed(
                [sys.executable, "-m", "pagefind", "--site", str(work / "out-plain"),
                 "--output-path", str(work / "pagefind"), "--force-language", args.language]))
            build("clean build with search", "search")
            figures.setdefault("our indexing (with − without)", []).append(
                figures["clean build with search"][-1] - figures["clean build without search"][-1])
            try:
                edited.write_bytes(original + SENTENCE.encode("utf-8") * (round_ + 1))
                build("one edit, with search", "search")
                build("one edit, without search", "plain", "--no-search")
            finally:
                edited.write_bytes(original)
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in figures.items()), flush=True)
        html = sum(1 for _ in (work / "out-plain").rglob("*.html"))
        print(f"\npublished HTML files: {html}; index files: ours {folder_files(work / 'out-search' / 'pagefind')}, "
              f"Pagefind alone {folder_files(work / 'pagefind')}")
    print(f"medians of {args.reps}:")
    for label, values in figures.items():
        print(f"  {label}: {statistics.median(values):.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
