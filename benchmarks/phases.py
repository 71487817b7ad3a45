#!/usr/bin/env python3
"""Where one build's time and memory go: runs a build in this process and
prints, as each phase ends, its seconds and the process's resident memory
(RSS) after it, with the peak seen so far (sampled every 0.05 s).

    python benchmarks/phases.py SITE --out OUT --cache CACHE --clean   # a clean full build
    python benchmarks/phases.py SITE --out OUT --cache CACHE --edit    # one sentence added to one article

`--clean` deletes OUT and CACHE first. `--edit` appends a sentence to the
middle article of SITE/content (restored afterwards) and builds: after a
build of the same SITE, OUT and CACHE, that is the one-edit rebuild the
speed benchmarks time. The memory of the workers is not counted here: run
this script under benchmarks/treemem.py for the whole process tree. The
phases are the builder's own functions, wrapped while this script runs;
a phase that a build skips (a resumed build reads no file) prints nothing.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from archive_site import build as builder
from archive_site import publish, resume, siteindex, unchanged

PHASES = [  # (module or class, function, label)
    (builder.Builder, "_find_files", "walking the content folders"),
    (builder.Builder, "_resume", "resuming from the kept model"),
    (resume, "load", "  loading a kept file (model, edits)"),
    (builder, "load_site", "reading the articles"),
    (builder, "settle", "the ledger"),
    (builder.Builder, "_tag", "places and actors"),
    (builder, "make_site", "the site model"),
    (builder.Builder, "_rows", "the download rows"),
    (siteindex.SiteIndex, "stale", "  the site index's stale parts"),
    (builder.Builder, "_plan_and_render", "planning and rendering"),
    (publish.StagingWriter, "finish", "publishing (manifest, swap or in-place update)"),
    (siteindex, "save", "storing the site index"),
    (resume, "save", "keeping the model (or what an edit changed in it)"),
    (unchanged, "remember", "the record of the output's folders"),
]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class Peak(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.mb = 0.0

    def run(self) -> None:
        while True:
            self.mb = max(self.mb, rss_mb())
            time.sleep(0.05)


def wrap(owner, name: str, label: str, peak: Peak, started: float) -> None:
    function = getattr(owner, name)

    @functools.wraps(function)
    def timed(*args, **kwargs):
        begun = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            now = time.perf_counter()
            print(f"{label:<48}{now - begun:9.2f} s   at {now - started:8.1f} s   RSS {rss_mb():7.0f} MB"
                  f"   peak {peak.mb:7.0f} MB", flush=True)

    setattr(owner, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--clean", action="store_true", help="delete OUT and CACHE first")
    parser.add_argument("--edit", action="store_true", help="add a sentence to the middle article first")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if args.clean:
        for folder in (args.out, args.cache):
            shutil.rmtree(folder, ignore_errors=True)
    peak = Peak()
    peak.start()
    started = time.perf_counter()
    for owner, name, label in PHASES:
        wrap(owner, name, label, peak, started)
    target = original = None
    if args.edit:
        articles = sorted(path for path in (args.site / "content").rglob("*")
                          if path.suffix in (".md", ".txt") and path.is_file())
        target = articles[len(articles) // 2]
        original = target.read_bytes()
        target.write_bytes(original + f"\nوفي تحديث للقياس {time.time_ns()}، أكدت المصادر الخبر.\n".encode("utf-8"))
    try:
        report = builder.Builder(args.site, builder.BuildOptions(
            out_dir=args.out, cache_dir=args.cache, search=False, jobs=args.jobs)).build()
    finally:
        if target is not None:
            target.write_bytes(original)
    planned, parts = report.parts
    print(f"build {time.perf_counter() - started:.2f} s: {report.pages} pages, {report.rendered} rendered, "
          f"{planned} of {parts} parts planned, {'resumed' if report.resumed else 'read every file'}; "
          f"peak RSS {peak.mb:.0f} MB", flush=True)
    os._exit(0 if report.published else 1)  # as the command does: the model is not freed object by object


if __name__ == "__main__":
    sys.exit(main())
