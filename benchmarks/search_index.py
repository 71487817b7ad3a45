"""Search at scale: index size, indexing time, and query latency in Chromium.

Builds a corpus (benchmarks/make_corpus.py) with its search index, then opens
/search/ in headless Chromium and, for each query, times Pagefind's search
plus loading the first page of results (what the search page does before it
shows anything), and counts the bytes the browser downloaded for it.

    python benchmarks/search_index.py --n 10000 [--work /tmp/search-bench]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import CHROMIUM, CHROMIUM_FLAGS, http_server  # noqa: E402

QUERIES = ["غارة", "القوات", "معتقل", "داعش", "مدنيين", "حلب", "نزوح", "قصف مدفعي", "الدفاع المدني", "مستشفى"]
RUNS = 5


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/archive-site-search-bench"))
    args = parser.parse_args()
    site = args.work / f"site-{args.n}"
    if not site.is_dir():
        subprocess.run([sys.executable, str(Path(__file__).with_name("make_corpus.py")), "--n", str(args.n),
                        "--out", str(site)], check=True)
    out = args.work / f"out-{args.n}"
    shutil.rmtree(out, ignore_errors=True)
    timings = {}
    for label, extra in (("without search", ["--no-search"]), ("with search", [])):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(["archive-site", "build", str(site), "-o", str(out), "-q", "--clean", *extra], check=True)
        timings[label] = time.perf_counter() - started
    files, size = folder_size(out / "pagefind")
    print(f"articles: {args.n}")
    print(f"clean build without search: {timings['without search']:.1f} s; "
          f"with search: {timings['with search']:.1f} s "
          f"(indexing ≈ {timings['with search'] - timings['without search']:.1f} s)")
    print(f"index: {files} files, {size / 1e6:.1f} MB on disk")

    from playwright.sync_api import sync_playwright

    with http_server(out) as address, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        rows = []
        for query in QUERIES:
            times, downloads, counts = [], [], []
            for _ in range(RUNS):
                page = browser.new_page()  # a reader arriving fresh: nothing cached
                received = []
                page.on("response", lambda r, received=received: "/pagefind/" in r.url and received.append(r))
                page.goto(address + "search/")
                page.wait_for_function("window.archiveSiteSearch !== undefined")
                result = page.evaluate("""async q => {
                    const pagefind = await import('/pagefind/pagefind.js');
                    await pagefind.init();
                    const key = window.archiveSiteSearch.processTerm(q);
                    const start = performance.now();
                    const search = await pagefind.search(key);
                    await Promise.all(search.results.slice(0, 5).map(r => r.data()));
                    return [performance.now() - start, search.results.length];
                }""", query)
                page.wait_for_load_state("networkidle")
                times.append(result[0])
                counts.append(result[1])
                downloads.append(sum(len(r.body()) for r in received if r.ok))
                page.close()
            rows.append((query, statistics.median(times), statistics.median(downloads), counts[0]))
        browser.close()
    print(f"\n{'query':<16} {'median ms':>10} {'downloaded KB':>14} {'results':>8}")
    for query, ms, downloaded, count in rows:
        print(f"{query:<16} {ms:>10.0f} {downloaded / 1e3:>14.0f} {count:>8}")
    print(f"\nmedian over queries: {statistics.median(r[1] for r in rows):.0f} ms, "
          f"{statistics.median(r[2] for r in rows) / 1e3:.0f} KB downloaded (page load included)")


if __name__ == "__main__":
    main()
