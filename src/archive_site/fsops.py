"""File-system steps of publishing: atomic writes and exchanges, hard links,
background deletion. Linux system calls live here, with their fallbacks."""

from __future__ import annotations

import ctypes
import errno
import itertools
import os
import shutil
import sys
from pathlib import Path
from typing import Iterator

from .workers import can_fork


def remove_files(*paths: Path) -> None:
    """Delete each of `paths` that can be deleted; one missing or that
    cannot be deleted is left (what the cache keeps only saves time)."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a temporary file in the same folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _link(existing: Path, new: Path) -> bool:
    try:
        os.link(existing, new)
        return True
    except FileExistsError:
        new.unlink()
        return _link(existing, new)
    except OSError:
        return False


def _same_file_state(source: Path, copy: Path) -> bool:
    try:
        a, b = source.stat(), copy.stat()
    except OSError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns


def _prune_empty_folders(top: Path, folder: Path) -> None:
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def iter_static(source: Path) -> Iterator[tuple[str, Path]]:
    """Yield (relative path, path) for the files under `source`, skipping hidden ones."""
    if not source.is_dir():
        return
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder, name)
                yield path.relative_to(source).as_posix(), path


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by the finished `staging` folder. Where the system
    can exchange two folders in one step, the output folder is never missing
    or partial, even if the build is killed at that moment."""
    if not out_dir.exists():
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, out_dir)
        return
    retired = retired_folder(out_dir)
    if exchange(staging, out_dir):
        os.replace(staging, retired)  # staging now holds the previous output
    else:
        os.replace(out_dir, retired)
        os.replace(staging, out_dir)
    remove_in_background(retired)


_RETIRED = itertools.count(1)


def retired_folder(out_dir: Path) -> Path:
    """A new name beside `out_dir` for a folder a build retires:
    `.OUT.old-PID.N`, its own even while an earlier build of this process
    is still deleting its own (remove_in_background)."""
    return out_dir.parent / f".{out_dir.name}.old-{os.getpid()}.{next(_RETIRED)}"


def remove_in_background(folder: Path) -> None:
    """Delete `folder` without waiting for it: tens of thousands of files
    take seconds to delete, and the new output is already in place. Where
    the system cannot fork, delete it now. A deletion cut short leaves a
    `.old-PID.N` folder that the next build removes (remove_leftovers)."""
    if not can_fork():
        shutil.rmtree(folder, ignore_errors=True)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        os.waitpid(pid, 0)  # the child only starts the grandchild, which init reaps
        return
    try:  # the child: start a detached grandchild that deletes, and exit at once
        os.setsid()
        if os.fork() == 0:
            os.nice(10)
            # Named after the grandchild while it deletes: a build that starts meanwhile sees
            # a live process's folder, not a leftover to delete itself (remove_leftovers).
            kind, _, _pid = folder.name.rpartition("-")
            deleting = folder.with_name(f"{kind}-{os.getpid()}.0")
            try:
                os.rename(folder, deleting)
            except OSError:
                deleting = folder
            shutil.rmtree(deleting, ignore_errors=True)
    finally:
        os._exit(0)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap the paths `a` and `b` atomically (Linux renameat2 with
    RENAME_EXCHANGE). Returns False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))
