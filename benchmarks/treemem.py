#!/usr/bin/env python3
"""Memory of a whole process tree: run a command and report its peak
memory counted without sharing twice.

    python benchmarks/treemem.py -- archive-site build SITE -o OUT --no-search -q

A build forks worker processes that share most of their pages with the
parent (copy-on-write). Adding up their resident sizes counts those pages
once per process; `/usr/bin/time` reports only the largest process. This
script samples, every --interval seconds, the proportional set size (PSS:
each shared page divided among the processes that map it) of every process
in the tree from /proc/PID/smaps_rollup, and reports the largest sum seen,
beside the peak resident size of the largest single process (what
`/usr/bin/time` reports) and the wall time. Linux only; prints one JSON
object on standard output (the command's own output goes to standard error).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def children_of() -> dict[int, list[int]]:
    """Every process's children, by parent pid, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces: the fields follow the last ')'.
        parent = int(stat.rpartition(")")[2].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def tree_of(root: int) -> list[int]:
    tree, found, todo = children_of(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, ()))
    return found


def pss_kb(pid: int) -> int:
    """The PSS of one process in KB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between samples")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=sys.stderr)
    peak, peak_processes = 0, 0
    while process.poll() is None:
        pids = tree_of(process.pid)
        total = sum(pss_kb(pid) for pid in pids)
        if total > peak:
            peak, peak_processes = total, len(pids)
        time.sleep(args.interval)
    wall = time.perf_counter() - started
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux
    print(json.dumps({"command": command, "exit": process.returncode, "wall_s": round(wall, 2),
                      "peak_pss_tree_mb": round(peak / 1024, 1), "processes_at_peak": peak_processes,
                      "peak_rss_largest_mb": round(largest / 1024, 1)}))
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
