"""Resuming from the last build: a command-line build after an edit of some
articles' text reads the edited files only, not every article again.

A command-line build that published without an error, and that reads the
articles' texts only for the pages it renders (no search index, nothing
redacted, no plugin), keeps what it made in the cache folder (MODEL_FILE):
the site model, each published article in it as its pages show it (its
text read from the record cache when a page asks for it), the gazetteer,
the extra pages, the pictures, the articles' digests, the site index's
frame and what the build reported. The builds after it that take it add
the articles they read again to a small file of their own (EDITS_FILE).

The next build takes them instead of reading, tagging and ordering every
article again when

- the output is as the last build left it (unchanged.Previous.intact);
- every input but the content files is as it was (unchanged.Inputs.key
  without them: settings, templates, gazetteer, options, static and
  extra-page files, version, day), and so is the ledger;
- the same article files are there, and each file whose state changed
  (at most MAX_EDITS since the model was made) reads as an edit of its
  text (Builder._resume): an article of that build, the same in every field
  but TEXT_FIELDS and with the same title (titles are compared across
  articles), given the same terms by the gazetteer, showing no picture,
  with as many warnings of each kind (build._text_edit: a short body's
  word count may change, a warning may not come or go).

Otherwise the build reads every file, as it would without them, and keeps
a model anew. What a build that resumes plans and renders is what any build
plans (siteindex.py: the parts of the plan that show the edited articles).

The files are pickles, so each is signed (HMAC-SHA256) with a key kept out
of the site and of its cache folder, in the user's own cache folder
(KEY_FILE under $XDG_CACHE_HOME or ~/.cache): a file whose signature does
not match is never unpickled, so a planted or damaged one cannot run code.
Without a usable key nothing is kept, and every build reads every file.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import pickle
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .fsops import remove_files
from .loader import ContentFile, TextReader
from .model import BODY_FIELDS, Article, ContentError, HollowArticle, SkippedFile

MODEL_FILE = "last-model.pickle"
EDITS_FILE = "last-edits.pickle"
KEY_FILE = Path("archive-site") / "signing-key"
MAGIC = b"archive-site model 1\n"
FORMAT = 2  # of what the files hold: one more whenever Model or Edits change
MAX_EDITS = 200  # article files read again since the model was made: beyond, a build reads every file


@dataclass
class Edits:
    """What the builds that resumed from a model changed in it: for each
    file they read again, its state, when it was read, the problems listed
    for it and its article."""

    base: int  # the build that kept the model
    build: int  # the last build that resumed (the output is as it left it)
    states: dict[str, tuple] = field(default_factory=dict)  # rel -> the state read
    read: dict[str, int] = field(default_factory=dict)  # rel -> the build that read it
    problems: dict[str, list[ContentError]] = field(default_factory=dict)  # rel -> the problems listed for it
    articles: dict[str, Article] = field(default_factory=dict)  # rel -> the article as tagged


@dataclass
class Model:
    """What a build kept for the next one (see above)."""

    build: int  # its id (unchanged.py's: the start time in ns)
    inputs: str  # unchanged.Inputs.key(content=False)
    ledger: str  # ledger_digest
    states: dict[str, tuple]  # each article file's state, by path relative to the site
    config: object
    site: object
    gazetteer: object
    cards: dict[str, str]
    links: dict
    leads: dict
    pages: list
    pictures: dict
    frame: str
    # What the build reported: articles, drafts, good, future, next_due, terms.
    counts: tuple
    problems: list[ContentError]
    skipped: list[SkippedFile]
    edits: Edits | None = None


def ledger_digest(path: Path) -> str:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return "none"


_keys: dict[Path, bytes] = {}  # read once per process


def signing_key() -> bytes | None:
    """The signing key, made at first use; None when it cannot be had."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / KEY_FILE
        if path in _keys:
            return _keys[path]
        try:
            with open(path, "rb") as file:
                key = file.read(64)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as file:
                    file.write(secrets.token_bytes(32))
            except FileExistsError:  # another build made it meanwhile
                pass
            with open(path, "rb") as file:
                key = file.read(64)
        if len(key) != 32:
            return None
        _keys[path] = key
        return key
    except (OSError, RuntimeError):
        return None


class _Pickler(pickle.Pickler):
    """Pickles the articles read with their text without it: each as a
    HollowArticle that reads it back from the record cache (or its file)."""

    def __init__(self, file, files: dict[str, ContentFile], term_keys: tuple[str, ...]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.files, self.term_keys = files, term_keys  # the article files of the build, by rel

    def reducer_override(self, obj):
        if type(obj) is Article:
            found = self.files.get(obj.source)
            if found is not None:
                head = {**obj.__dict__, **dict.fromkeys(BODY_FIELDS)}
                return _hollow, (head, obj.shows_pictures(), TextReader(None, found, obj.sha256, self.term_keys))
        return NotImplemented


def _hollow(head: dict, shows_pictures: bool, reader: TextReader) -> HollowArticle:
    article = object.__new__(Article)
    article.__dict__.update(head)
    return HollowArticle.of(article, shows_pictures, reader)


def attach(articles, cache) -> None:
    """Give the text readers of `articles` (loaded by `load`) the build's record cache."""
    for article in articles:
        reader = article.__dict__.get("_read")
        if isinstance(reader, TextReader):
            reader.cache = cache


@contextmanager
def _collector_paused():
    """The cycle collector off meanwhile: pickling a model makes or visits
    a million objects, and the collector would visit them over and over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Signing:
    """A file that the pickle is written to piece by piece (never whole in
    memory: the model of a large site is large), signing what it writes."""

    def __init__(self, file, mac: hmac.HMAC):
        self.file, self.mac = file, mac

    def write(self, data) -> int:
        self.mac.update(data)
        return self.file.write(data)


def save(cache_dir: Path, name: str, value: object, files: dict[str, ContentFile] | None = None,
         term_keys: tuple[str, ...] = ()) -> None:
    """Write `value` signed to `name` in `cache_dir`, its articles without
    their text (`files`: the article files they were read from, by path
    relative to the site; `term_keys`: the front-matter keys that list
    terms); a file that cannot be written is removed (it only saves time)."""
    path = cache_dir / name
    key = signing_key()
    if key is None:
        remove_files(path)
        return
    temporary = path.with_name(f".{name}.{os.getpid()}")
    try:
        with open(temporary, "wb") as file:
            file.write(MAGIC + bytes(32))  # the signature's place, filled in once the pickle is written
            signed = _Signing(file, hmac.new(key, digestmod=hashlib.sha256))
            with _collector_paused():
                _Pickler(signed, files or {}, term_keys).dump((__version__, FORMAT, value))
            file.seek(len(MAGIC))
            file.write(signed.mac.digest())
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        remove_files(path)
    finally:
        temporary.unlink(missing_ok=True)


def load(cache_dir: Path, name: str) -> object | None:
    """What `save` wrote to `name`, or None (none, unsigned, damaged)."""
    key = signing_key()
    if key is None:
        return None
    try:
        with open(cache_dir / name, "rb") as file:
            data = file.read()
    except OSError:
        return None
    signature = data[len(MAGIC):len(MAGIC) + 32]
    body = memoryview(data)[len(MAGIC) + 32:]
    if not data.startswith(MAGIC) or not hmac.compare_digest(signature, hmac.new(key, body, hashlib.sha256).digest()):
        return None
    try:
        with _collector_paused():
            version, form, value = pickle.loads(body)
            # What was loaded lives as long as the build: left out of the collector's visits
            # (a million objects, else visited at each of its passes, 0.1 s each at 10,000 articles).
            gc.freeze()
    except Exception:  # signed by this user's key, yet unreadable (another version's classes)
        return None
    return value if (version, form) == (__version__, FORMAT) else None


def forget(cache_dir: Path) -> None:
    remove_files(cache_dir / MODEL_FILE, cache_dir / EDITS_FILE)
