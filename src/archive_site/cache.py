"""What a build remembers between runs: the parsed and tagged form of every
article file, keyed by the file's size and modification time.

Kept in `SITE_DIR/.archive-site-cache/`, never in the output folder (it
holds drafts). A cache written by another version of archive-site, another
Python, or for another gazetteer is ignored as a whole.
"""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import zlib
from pathlib import Path

from . import __version__

CACHE_DIR = ".archive-site-cache"
SHARDS = 64


def _shard(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8")) % SHARDS


class RecordCache:
    """A mapping from (what, file path) to (file state, value), kept in
    SHARDS files so that saving after a small change writes only the shards
    it touched. `what` separates parsed records from tag results."""

    def __init__(self, folder: Path | None, salt: str):
        self.folder = folder
        self.salt = f"{__version__}|{sys.version_info[:2]}|{salt}"
        self.shards: list[dict[tuple[str, str], tuple[object, object]]] = [{} for _ in range(SHARDS)]
        self.dirty: set[int] = set()
        self.used: set[tuple[str, str]] = set()
        if folder is not None and folder.is_dir():
            for number in range(SHARDS):
                self.shards[number] = self._read(folder / f"records-{number:02}.pickle")

    def _read(self, path: Path) -> dict:
        try:
            with path.open("rb") as file:
                salt_found, entries = pickle.load(file)
        except FileNotFoundError:
            return {}
        except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.PickleError):
            return {}  # unreadable: start again, the files are the truth
        return entries if salt_found == self.salt and isinstance(entries, dict) else {}

    @classmethod
    def for_site(cls, site_dir: Path, salt: str, folder: Path | None = None) -> RecordCache:
        """The cache of the site in `site_dir`: in `folder` if given, else
        in the site's .archive-site-cache/."""
        return cls(folder or site_dir / CACHE_DIR, salt)

    def get(self, what: str, rel: str, state: object):
        """Return the value stored for `rel` when the file is still in
        `state`, or None."""
        key = (what, rel)
        hit = self.shards[_shard(rel)].get(key)
        if hit is not None and hit[0] == state:
            self.used.add(key)
            return hit[1]
        return None

    def keep(self, what: str, rel: str) -> None:
        """Mark an entry as still needed without reading it."""
        self.used.add((what, rel))

    def put(self, what: str, rel: str, state: object, value: object) -> None:
        number = _shard(rel)
        self.shards[number][(what, rel)] = (state, value)
        self.used.add((what, rel))
        self.dirty.add(number)

    def save(self) -> None:
        """Write the shards that changed, dropping entries of files this build
        did not use (deleted or renamed); a cache that cannot be written is
        skipped: it only saves time."""
        if self.folder is None:
            return
        for number, shard in enumerate(self.shards):
            unused = [key for key in shard if key not in self.used]
            if unused:
                for key in unused:
                    del shard[key]
                self.dirty.add(number)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")
            for number in sorted(self.dirty):
                handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".records-")
                with os.fdopen(handle, "wb") as file:
                    pickle.dump((self.salt, self.shards[number]), file, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(temporary, self.folder / f"records-{number:02}.pickle")
        except OSError:
            pass
        self.dirty = set()
        self.used = set()


def file_state(stat: os.stat_result) -> tuple[int, int]:
    """What identifies one version of a file: its size and modification time."""
    return (stat.st_size, stat.st_mtime_ns)
