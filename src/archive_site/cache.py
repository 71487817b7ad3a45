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
from pathlib import Path

from . import __version__

CACHE_DIR = ".archive-site-cache"
_FILE = "records.pickle"


class RecordCache:
    """A mapping from (what, file path) to (file state, value), loaded from
    and saved to one file. `what` separates parsed records from tag results."""

    def __init__(self, path: Path | None, salt: str):
        self.path = path
        self.salt = f"{__version__}|{sys.version_info[:2]}|{salt}"
        self.entries: dict[tuple[str, str], tuple[object, object]] = {}
        self.used: set[tuple[str, str]] = set()
        self.changed = False
        if path is not None and path.is_file():
            try:
                with path.open("rb") as file:
                    salt_found, entries = pickle.load(file)
                if salt_found == self.salt:
                    self.entries = entries
            except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError, pickle.PickleError):
                self.entries = {}  # unreadable: start again, the files are the truth

    @classmethod
    def for_site(cls, site_dir: Path, salt: str) -> RecordCache:
        return cls(site_dir / CACHE_DIR / _FILE, salt)

    def get(self, what: str, rel: str, state: object):
        """Return the value stored for `rel` when the file is still in
        `state`, or None."""
        key = (what, rel)
        hit = self.entries.get(key)
        if hit is not None and hit[0] == state:
            self.used.add(key)
            return hit[1]
        return None

    def put(self, what: str, rel: str, state: object, value: object) -> None:
        self.entries[(what, rel)] = (state, value)
        self.used.add((what, rel))
        self.changed = True

    def save(self) -> None:
        """Write the entries used by this build (files that are gone are
        dropped), atomically; a cache that cannot be written is skipped."""
        if self.path is None:
            return
        if not self.changed and len(self.used) == len(self.entries):
            return
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            (self.path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".records-")
            with os.fdopen(handle, "wb") as file:
                pickle.dump((self.salt, self.entries), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            pass
        self.changed = False
        self.used = set()


def file_state(stat: os.stat_result) -> tuple[int, int]:
    """What identifies one version of a file: its size and modification time."""
    return (stat.st_size, stat.st_mtime_ns)
