#!/usr/bin/env python3
"""Time from saving one article to the served page showing the change, in
`archive-site serve`, on a generated site.

    python benchmarks/serve_latency.py --n 10000 [--edits 7] [--work /tmp/serve-bench]

Starts the real server, waits for the first build, then edits article N/2
several times (one new sentence each). For each edit it does what an open
browser tab does: it listens for the reload event, then loads the article
once, and checks that the new sentence is there. The figure is the time from
saving the file to having that page; before the next edit it waits for the
rebuild of the rest of the site (lists, feeds, downloads) to end, as an
editor who reads the page before saving again would. Prints every figure,
the median, and the median time of those rebuilds as the server printed it.
"""

from __future__ import annotations

import argparse
import http.client
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import write_corpus  # noqa: E402

from archive_site import arabic  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/serve-bench"))
    args = parser.parse_args()
    site = args.work / f"site-{args.n}"
    if not (site / "site.yml").exists():
        write_corpus(args.n, site)
    target = sorted((site / "content").rglob("article-*.md"))[args.n // 2]
    original = target.read_text(encoding="utf-8")
    title = re.search(r'^title: "(.*)"$', original, re.M).group(1)
    url_path = "/articles/" + quote(arabic.make_slug(title)) + "/"
    port = free_port()
    lines: list[str] = []
    process = subprocess.Popen([sys.executable, "-m", "archive_site", "serve", str(site), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    try:
        while not any("Watching" in line for line in lines):
            time.sleep(0.05)
        print("".join(lines), end="")
        figures, rebuilds = [], []
        for edit in range(args.edits):
            # As a browser does: listen for the reload event, then load the page once.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{url_path}") as response:
                epoch = re.search(r"epoch=(\d+)", response.read().decode("utf-8")).group(1)
            events = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            events.request("GET", f"/__archive-site/events?epoch={epoch}&page={quote(url_path, safe='')}")
            stream = events.getresponse()
            marker = f"جملة التعديل رقم {edit} للقياس"
            target.write_text(original + f"\n{marker}\n", encoding="utf-8")
            saved = time.perf_counter()
            while stream.readline() != b"event: reload\n":
                pass
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{url_path}") as response:
                assert marker in response.read().decode("utf-8")
            figures.append(time.perf_counter() - saved)
            events.close()
            while sum("Rebuilt" in line for line in lines) <= edit:  # the rest of the site
                time.sleep(0.05)
            rebuilt = [line for line in lines if "Rebuilt" in line][-1]
            rebuilds.append(float(re.search(r" in ([0-9.]+) s", rebuilt).group(1)))
            print(f"edit {edit}: {figures[-1]:.3f} s (the whole rebuild: {rebuilds[-1]:.2f} s)")
            time.sleep(0.5)
        print(f"median save-to-served: {statistics.median(figures):.3f} s over {len(figures)} edits "
              f"({args.n} articles); median whole rebuild: {statistics.median(rebuilds):.2f} s")
        print("".join(lines[-3:]), end="")
    finally:
        target.write_text(original, encoding="utf-8")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
