"""Temporary folders of a build or a preview, named so that what a killed
process left behind is found and removed by the next one, and nothing else.

A temporary folder is named `archive-site-KIND-PID-RANDOM` and holds the file
OWNED, written at creation: a leftover is removed only when its process is
gone and that file is in it, so a user's folder of a similar name is never
touched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

OWNED = ".archive-site-temporary"
_NAME = re.compile(r"^archive-site-(?P<kind>[a-z]+)-(?P<pid>\d+)-\w+$")


def make_scratch(kind: str, parent: Path | None = None) -> Path:
    """Create and return a new temporary folder for `kind` of work, in
    `parent` or the system's temporary folder. Leftovers of the same kind
    from processes that are gone are removed first."""
    remove_dead_scratch(kind, parent)
    folder = Path(tempfile.mkdtemp(prefix=f"archive-site-{kind}-{os.getpid()}-", dir=parent))
    mark_owned(folder)
    return folder


def mark_owned(folder: Path) -> None:
    """Mark `folder` as one a later process may remove once its owner is gone."""
    (folder / OWNED).write_text(f"{os.getpid()}\n", encoding="ascii")


def remove_dead_scratch(kind: str, parent: Path | None = None) -> None:
    """Remove the temporary folders of `kind` whose process is gone."""
    top = Path(parent or tempfile.gettempdir())
    try:
        candidates = list(top.glob(f"archive-site-{kind}-*"))
    except OSError:
        return
    for folder in candidates:
        found = _NAME.match(folder.name)
        if found and found["kind"] == kind and is_leftover(folder, int(found["pid"])):
            shutil.rmtree(folder, ignore_errors=True)


def is_leftover(folder: Path, pid: int, marks: tuple[str, ...] = (OWNED,)) -> bool:
    """Whether `folder` was left by the process `pid`, now gone: a real
    folder (not a link) of this user that holds one of the files `marks`."""
    try:
        if folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
            return False
    except OSError:
        return False
    return not running(pid) and any((folder / mark).is_file() for mark in marks)


def running(pid: int) -> bool:
    """Whether a process `pid` exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
