#!/usr/bin/env python3
"""Our own build on the shared corpus, with memory counted over the process
tree: a clean full build, rebuilds with nothing changed and rebuilds after
one article's text changed; optionally on a site that overrides
`partials/footer.html` (as the sample site does).

    python benchmarks/edits.py --n 10000 --reps 3
    python benchmarks/edits.py --n 10000 --reps 3 --footer
    python benchmarks/edits.py --n 100000 --reps 3 --full-reps 3   # memory sampled every 0.5 s

The corpus is the shared harness's (`benchmarks/run` writes it under
../shared/bench/_work or BENCH_WORK): it is copied to a scratch folder first,
so the edits never touch it. Each build runs under benchmarks/treemem.py
(peak PSS summed over the process tree, and the peak RSS of the largest
process); the time is the wall time of the build command. Also reported:
the bytes the full build wrote per article, and how many files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = Path(os.environ.get("ARCHIVE_SITE_PEER_BENCH", HERE.parent.parent / "shared" / "bench"))
WORK = Path(os.environ.get("BENCH_WORK", BENCH / "_work"))
FOOTER = """<footer class="site-footer">
  <p>أرشيف تجريبي لقياس سرعة البناء — {{ site.title }}</p>
</footer>
"""


def measure(command: list[str], interval: float) -> dict:
    found = subprocess.run([sys.executable, str(HERE / "treemem.py"), "--interval", str(interval), "--", *command],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    result = json.loads(found.stdout)
    if result["exit"] != 0:
        raise SystemExit(f"the build failed: {' '.join(command)}")
    return result


def edit(path: Path, rep: int) -> None:
    """One more sentence at the end of the article, as the peers' harness edits."""
    text = path.read_text(encoding="utf-8").rstrip("\n")
    path.write_text(text + f" وفي تحديث لاحق رقم {rep + 1}، أكدت المصادر استمرار التوتر.\n", encoding="utf-8")


def folder_bytes(folder: Path) -> tuple[int, int]:
    size = files = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            size += os.lstat(os.path.join(root, name)).st_size
            files += 1
    return size, files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="corpus size (the harness's plain-N corpus)")
    parser.add_argument("--reps", type=int, default=3, help="no-op and one-edit rebuilds (medians reported)")
    parser.add_argument("--footer", action="store_true", help="the site overrides partials/footer.html")
    parser.add_argument("--full-reps", type=int, default=1,
                        help="clean full builds (output and cache deleted before each; median reported)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--interval", type=float, default=None,
                        help="seconds between memory samples (default 0.05; 0.5 from 100,000 articles: reading"
                             " the memory maps of large processes often takes a core's time from the build)")
    args = parser.parse_args()
    interval = args.interval or (0.5 if args.n >= 100_000 else 0.05)
    corpus = WORK / f"plain-{args.n}"
    if not corpus.is_dir():
        print(f"edits.py: no corpus at {corpus}: run benchmarks/run --sizes {args.n} first", file=sys.stderr)
        return 2
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src" / "archive_site")],
                   stdout=subprocess.DEVNULL)  # as a regular install has it (see run: compile_package)
    exe = shutil.which("archive-site") or str(Path(sys.executable).parent / "archive-site")
    with tempfile.TemporaryDirectory(prefix="archive-site-edits-") as scratch:
        site, out, cache = Path(scratch, "site"), Path(scratch, "out"), Path(scratch, "cache")
        shutil.copytree(corpus, site, symlinks=True)
        for leftover in ("build", ".archive-site-cache"):
            shutil.rmtree(site / leftover, ignore_errors=True)
        if args.footer:
            (site / "templates/partials").mkdir(parents=True, exist_ok=True)
            (site / "templates/partials/footer.html").write_text(FOOTER, encoding="utf-8")
        command = [exe, "build", str(site), "-o", str(out), "--cache-dir", str(cache), "--no-search", "-q",
                   "--jobs", str(args.jobs)]
        # A file changed less than two seconds before a build is read again by the next
        # (cache.AMBIGUOUS_NS): the copy is let age first, as a corpus on disk would be.
        time.sleep(2.5)
        articles = sorted((site / "content").iterdir())
        target = articles[len(articles) // 2]
        runs: dict[str, list[dict]] = {"full": []}
        for _rep in range(args.full_reps):
            for folder in (out, cache):
                shutil.rmtree(folder, ignore_errors=True)
            runs["full"].append(measure(command, interval))
        written, files = folder_bytes(out)
        for _rep in range(args.reps):
            runs.setdefault("noop", []).append(measure(command, interval))
        for rep in range(args.reps):
            edit(target, rep)
            runs.setdefault("edit", []).append(measure(command, interval))
    print(f"archive-site, {args.n} articles{' (site overrides partials/footer.html)' if args.footer else ''}, "
          f"--jobs {args.jobs}; medians of {args.full_reps} full and {args.reps} other builds")
    print(f"{'build':<18}{'wall s':>9}{'PSS tree MB':>13}{'RSS largest MB':>16}")
    for phase, done in runs.items():
        wall = statistics.median(r["wall_s"] for r in done)
        pss = max(r["peak_pss_tree_mb"] for r in done)
        rss = max(r["peak_rss_largest_mb"] for r in done)
        each = " / ".join(f"{r['wall_s']:.2f}" for r in done)
        print(f"{phase:<18}{wall:>9.2f}{pss:>13.0f}{rss:>16.0f}   ({each})")
    print(f"full build wrote {written / 1e6:.0f} MB in {files} files: {written / args.n / 1024:.1f} KB per article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
