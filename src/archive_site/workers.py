"""Spreading work over processes: forked workers that inherit the parent's
memory, so large inputs (the site model, compiled templates, the gazetteer)
are shared rather than pickled; only positions go out and results come back."""

from __future__ import annotations

import gc
import os
import signal
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The job the workers of the current fork_map call run: set just before forking.
_job: tuple[Callable, Sequence] | None = None


def can_fork() -> bool:
    import multiprocessing  # only when there is work to spread: a build with nothing to do never needs it

    return "fork" in multiprocessing.get_all_start_methods()


def fork_map(function: Callable[[T], R], items: Sequence[T], jobs: int, min_items: int = 200,
             chunk: int = 250, progress: Callable[[int], None] | None = None) -> list[R]:
    """Return [function(item) for item in items], computed by `jobs` forked
    processes when there are at least `min_items` items and the system can
    fork; else in this process. `function` may be any callable, closures
    included. An exception in a worker is raised here. `progress` is called
    with the number of items done so far, as they get done."""
    if jobs <= 1 or len(items) < min_items or not can_fork():
        results = []
        for item in items:
            results.append(function(item))
            if progress:
                progress(len(results))
        return results
    import multiprocessing

    global _job
    _job = (function, items)
    bounds = [(start, min(start + chunk, len(items))) for start in range(0, len(items), chunk)]
    results = []
    # What exists now is shared with the workers page by page until written
    # to. The garbage collector writes to every object it visits: frozen,
    # they are left out of its visits in the workers, so the pages stay shared.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_die_with, initargs=(os.getpid(),)) as pool:
            for part in pool.imap(_run, bounds):
                results.extend(part)
                if progress:
                    progress(len(results))
    finally:
        _job = None
        gc.unfreeze()
    return results


def _die_with(parent: int) -> None:
    """Make this worker end when its parent does (Linux): a build killed
    while it renders must not leave workers writing into its staging folder
    while the next build removes it."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the workers end when they next report
        return
    if os.getppid() != parent:  # the parent ended before this worker could ask
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _run(bounds: tuple[int, int]) -> list:
    function, items = _job
    start, end = bounds
    return [function(item) for item in items[start:end]]
