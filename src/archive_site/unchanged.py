"""Recognising a build that has nothing to do, without loading anything.

After a build that published everything, the inputs it read are summed up in
one key — the settings, the text of every template, the gazetteer, the state
(size, times, inode) of every content, static and extra-page file, the
options, the version and the day — and stored in the cache folder with what
the build reported. The next build computes the key from the file states
alone. When it is the same, the output folder still holds the marker that
build wrote, every folder of its pages is as that build left it (the same
modification time: a file deleted or added in a folder changes it), the
build is done: it reports what the previous one did, with its warnings, and
renders nothing.

A site with plugins never takes this path: a plugin may read anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .cache import AMBIGUOUS_NS, encode, file_state, loads, newest_time
from .fsops import remove_files
from .model import ContentError, SkippedFile
from .publish import MARKER

RECORD = "last-build.json"
CONTENT = "content"  # the label of the content files' states among the Inputs


@dataclass
class Inputs:
    """What a build reads, by file state and digest; `key()` sums it up."""

    parts: list[str] = field(default_factory=list)
    states: list[tuple] = field(default_factory=list)  # of the files taken by state, not by content

    def add(self, label: str, value: object) -> None:
        self.parts.append(f"{label}={value!r}")

    def add_file_state(self, rel: str, path: str | Path) -> None:
        try:
            state = file_state(os.stat(path))
        except OSError as exc:
            self.add(rel, f"unreadable: {exc.strerror}")
            return
        self.states.append(state)
        self.add(rel, state)

    def with_file(self, path: Path) -> Inputs:
        """These inputs and the text of the file at `path` (one a build may write)."""
        try:
            text = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        except OSError:
            text = "none"
        return Inputs([*self.parts, f"{path.name}={text}"], self.states)

    def key(self, content: bool = True) -> str:
        """The digest of these inputs, the version and the day; without
        the content files' states when not `content` (siteindex.frame)."""
        parts = self.parts if content else [part for part in self.parts if not part.startswith(CONTENT + "=")]
        text = "\n".join([__version__, str(dt.date.today()), *parts])
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def newest_change_ns(self) -> int:
        """The latest modification or change time among the files taken by state."""
        return max((newest_time(state) for state in self.states), default=0)


@dataclass
class Outcome:
    """What a build with nothing to do reports: the previous build's figures."""

    articles: int
    drafts: int
    good: int
    pages: int
    terms: dict[str, int]
    search_pages: int | None  # articles in the search index, or None without one
    problems: list[ContentError]
    skipped: list[SkippedFile]
    future: int = 0  # articles held back until their date


def _marker_state(out_dir: Path) -> list[int] | None:
    try:
        stat = os.stat(out_dir / MARKER)
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def remember(cache_dir: Path, out_dir: Path, pages: list[str], whole: list[str], key: str, started_ns: int, until: float | None,
             outcome: Outcome) -> None:
    """Record, after a build that published everything, its inputs' key and
    its report, valid `until` a time (seconds since the epoch) when articles
    wait for their date; `pages` and `whole`: the site paths of the output's
    files and of its folders written whole, as its manifest lists them. A
    record that cannot be written only costs the next build time."""
    folders = sorted({path.rpartition("/")[0] for path in pages} | set(whole))
    record = {"key": key, "out_dir": str(out_dir), "marker": _marker_state(out_dir), "started_ns": started_ns,
              "until": until, "folders": folders, "tree": _tree_state(out_dir, folders),
              "outcome": json.dumps(encode([outcome.articles, outcome.drafts, outcome.good, outcome.pages,
                                            outcome.terms, outcome.search_pages, outcome.problems,
                                            [(s.path, s.reason) for s in outcome.skipped], outcome.future]),
                                    ensure_ascii=False)}
    try:
        (cache_dir / RECORD).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass


def _tree_state(out_dir: Path, folders: list[str]) -> str | None:
    """A digest of the state of `folders` of the output (modification time
    and inode of each), or None when one is missing."""
    prefix = f"{out_dir}{os.sep}"
    digest = hashlib.blake2b(digest_size=16)
    try:
        for name in folders:
            found = os.stat(prefix + name if name else str(out_dir))
            digest.update(b"%d %d\n" % (found.st_mtime_ns, found.st_ino))
    except OSError:
        return None
    return digest.hexdigest()


def _measure_in_child(out_dir: Path, folders: list[str]) -> tuple[int, int]:
    """Fork a process that writes the state of `folders` (_tree_state) to a
    pipe and exits; return its pid and the pipe's read end."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: nothing of the parent's runs here but this
        status = 1
        try:
            os.close(read_end)
            os.write(write_end, (_tree_state(out_dir, folders) or "").encode("ascii"))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


# Below this many folders the output is measured in the build's own process.
FORK_FROM = 2000


def forget(cache_dir: Path) -> None:
    """Drop the record: the next build does its work in full."""
    remove_files(cache_dir / RECORD)


class Previous:
    """The record of the previous build, read as a build starts, with the
    state of its output's folders measured meanwhile by a forked process: on
    a large site that is thousands of stat calls, which then run beside the
    walk of the content folders (a thread would wait for the walk's turns).
    `recall` says whether the build has anything to do."""

    def __init__(self, cache_dir: Path, out_dir: Path):
        self.out_dir = out_dir
        self._child: tuple[int, int] | None = None  # (pid, read end of its pipe)
        self._intact: int | None | bool = False  # not asked yet
        try:
            self.record = json.loads((cache_dir / RECORD).read_text(encoding="utf-8"))
            folders = self.record["folders"]
        except (OSError, ValueError, TypeError, KeyError):
            self.record = None
            return
        if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
            self.record = None
            return
        self._folders = folders
        if len(folders) >= FORK_FROM and hasattr(os, "fork"):
            self._child = _measure_in_child(out_dir, folders)

    def _tree(self) -> str | None:
        """The state of the recorded folders (see _tree_state)."""
        if self._child is None:
            return _tree_state(self.out_dir, self._folders)
        pid, pipe = self._child
        self._child = None
        try:
            with os.fdopen(pipe, "rb") as reader:
                found = reader.read().decode("ascii")
        finally:
            os.waitpid(pid, 0)
        return found or None

    def intact(self) -> int | None:
        """When the output is as the previous build left it (its marker, and
        the state of every folder of its pages), that build's id (the time it
        started, in ns); else None. Asked once: the answer is kept."""
        if self._intact is not False:
            return self._intact
        record = self.record
        self._intact = None
        try:
            if (record is None or record["out_dir"] != str(self.out_dir) or record["tree"] is None
                    or record["marker"] != _marker_state(self.out_dir)):
                return None
            # The marker again: a build that replaced the output while the
            # folders were measured would have written a new one.
            if self._tree() != record["tree"] or record["marker"] != _marker_state(self.out_dir):
                return None
            if isinstance(record["started_ns"], int):
                self._intact = record["started_ns"]
        except (OSError, TypeError, KeyError):
            pass
        return self._intact

    def close(self) -> None:
        """Let the measuring process go, when its answer is not needed."""
        if self._child is not None:
            pid, pipe = self._child
            self._child = None
            os.close(pipe)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

    def recall(self, inputs: Inputs) -> Outcome | None:
        """The previous build's outcome when nothing it read has changed and
        its output is intact, else None. (`intact` may still be asked; then
        `close`.)"""
        record = self.record
        if record is None:
            return None
        return self._recall(record, inputs)

    def _recall(self, record: dict, inputs: Inputs) -> Outcome | None:
        try:
            if (record["key"] != inputs.key()
                    or inputs.newest_change_ns() >= record["started_ns"] - AMBIGUOUS_NS
                    or (record["until"] is not None and time.time() >= record["until"])
                    or not self.intact()):
                return None
            articles, drafts, good, pages, terms, search_pages, problems, skipped, future = loads(record["outcome"])
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return Outcome(articles, drafts, good, pages, dict(terms), search_pages, list(problems),
                       [SkippedFile(path, reason) for path, reason in skipped], future)

