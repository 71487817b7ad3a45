"""Publishing: the output folder. Its marker and manifest (the fingerprint of
every page written), and the two ways pages reach it: a staging folder
swapped in whole or moved in page by page (`build`), or writes in place
(`serve`)."""

from __future__ import annotations

import itertools
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .fsops import (_link, _prune_empty_folders, _same_file_state, iter_static, remove_in_background, retired_folder,
                    swap_in, write_atomically)
from .scratch import OWNED, is_leftover, mark_owned

if TYPE_CHECKING:
    from .plan import PagePlan

# Written into every output folder: it marks a folder a build may replace, and
# holds the fingerprint of each page written.
MARKER = ".archive-site"
# In the staging folder of a build that updates the output in place: what the
# update replaced or removed, deleted with the staging folder. (No page's path
# starts with MARKER.)
RETIRED = MARKER + ".retired"


def read_manifest(out_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return the fingerprints recorded in the output folder: of its pages,
    and of the folders written whole (such as the search index). Both are
    {} when there are none."""
    try:
        manifest = json.loads((out_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(manifest, dict) or manifest.get("version") != __version__:
        return {}, {}
    pages, folders = manifest.get("pages"), manifest.get("folders")
    return (pages if isinstance(pages, dict) else {}), (folders if isinstance(folders, dict) else {})


def manifest_text(pages: dict[str, str], folders: dict[str, str]) -> str:
    # An entry a line (as `indent` would put it, but written by the json module's C encoder, which
    # `indent` turns off: a manifest has an entry for every page, 430,000 at 100,000 articles).
    return json.dumps({"written_by": "archive-site build", "version": __version__, "pages": pages,
                       "folders": folders}, ensure_ascii=False, sort_keys=True, separators=(",\n", ": ")) + "\n"


class Writer:
    """Receives the pages of one build and puts them in the output folder."""

    def __init__(self, out_dir: Path, reuse: bool = True):
        """`reuse`: keep pages whose fingerprint is unchanged (else render all)."""
        self.out_dir = out_dir
        self.previous, self.previous_folders = read_manifest(out_dir) if reuse else ({}, {})
        self.pages: dict[str, str] = {}
        self.folders: dict[str, str] = {}

    def keep(self, plan: PagePlan) -> bool:
        """Record `plan`; return True if its page is unchanged and kept from
        the previous output, False if it must be rendered and written."""
        raise NotImplementedError

    def begin(self) -> None:
        """Called before the first page is written: the output changes from here on."""

    def end(self) -> None:
        """Called when a writer that wrote pages ahead of a build (and will
        not `finish`) is done."""

    def write(self, plan: PagePlan, html: str | bytes) -> None:
        """Write the rendered page of `plan` (text, or bytes as they are).
        Safe to call from worker processes forked after every `keep` call."""
        raise NotImplementedError

    def static(self, files: dict[str, Path]) -> None:
        """Publish `files` (path under static/ → file) as the static files."""
        raise NotImplementedError

    def folder_path(self, name: str) -> Path:
        """Where a folder written whole (the search index) goes."""
        raise NotImplementedError

    def keep_folder(self, name: str, fingerprint: str) -> bool:
        """Keep the folder `name` of the previous output if it was written
        with this fingerprint; return False when it must be written again."""
        if self.previous_folders.get(name) != fingerprint or not (self.out_dir / name).is_dir():
            return False
        self.record_folder(name, fingerprint)
        return True

    def record_folder(self, name: str, fingerprint: str) -> None:
        self.folders[name] = fingerprint

    def finish(self) -> None:
        raise NotImplementedError

    def abandon(self) -> None:
        """Give up after a failure, leaving the previous output as it was."""


class StagingWriter(Writer):
    """Publishes a build all at once, or not at all. Pages are rendered into
    a staging folder beside the output; only when every page is done is the
    output changed, in one of two ways:

    - a small update (few pages changed): each new file is moved into the
      output (one atomic rename per file), pages that are gone are removed,
      and the manifest is written last, so an update cut short is redone by
      the next build;
    - otherwise: unchanged files are hard-linked into the staging folder,
      which then takes the output's place in one step (see swap_in).
    """

    # An update is small when it renders at most this many pages, or this
    # share of all pages.
    PATCH_PAGES = 500
    PATCH_SHARE = 0.1

    def __init__(self, out_dir: Path, reuse: bool = True):
        super().__init__(out_dir, reuse)
        remove_leftovers(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        mark_owned(self.staging)
        self._folders: set[str] = set()
        self.kept: list[str] = []
        self.written: list[str] = []
        self.kept_folders: list[str] = []
        self.static_files: dict[str, Path] = {}
        self._prefix = f"{out_dir}{os.sep}"

    def _folder(self, root: Path, path: str) -> Path:
        folder = path.rpartition("/")[0]
        if (root, folder) not in self._folders:
            (root / folder).mkdir(parents=True, exist_ok=True)
            self._folders.add((root, folder))
        return root / path

    def keep(self, plan: PagePlan) -> bool:
        kept = self.unchanged(plan)
        self.record(plan.path, plan.fingerprint, kept)
        return kept

    def unchanged(self, plan: PagePlan) -> bool:
        """Whether the output has the page of `plan` as it is planned (keep
        without recording it: in any process, before `begin` or after)."""
        return self.previous.get(plan.path) == plan.fingerprint and os.path.isfile(self._prefix + plan.path)

    def record(self, path: str, fingerprint: str, kept: bool) -> None:
        """What `keep` records of a page: in the build's own process, for
        a page `unchanged` was asked about elsewhere."""
        self.pages[path] = fingerprint
        (self.kept if kept else self.written).append(path)

    def write(self, plan: PagePlan, html: str | bytes) -> None:
        # The page's folder is made by the first page written in it, in whichever
        # worker: a clean build makes one for each article, spread over the workers.
        target = self.staging / plan.path
        data = html if isinstance(html, bytes) else html.encode("utf-8")
        try:
            target.write_bytes(data)
        except FileNotFoundError:
            if not self.staging.is_dir():  # removed under the build: fail rather than publish part of it
                raise
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)

    def static(self, files: dict[str, Path]) -> None:
        self.static_files = files

    def folder_path(self, name: str) -> Path:
        return self.staging / name

    def keep_folder(self, name: str, fingerprint: str) -> bool:
        kept = super().keep_folder(name, fingerprint)
        if kept:
            self.kept_folders.append(name)  # linked into the staging folder if it is swapped in
        return kept

    def small_update(self) -> bool:
        return (bool(self.previous) and (self.out_dir / MARKER).is_file()
                and len(self.written) <= max(self.PATCH_PAGES, self.PATCH_SHARE * len(self.pages)))

    def finish(self) -> None:
        if self.small_update():
            self._update_in_place()
        else:
            self._swap()

    def _swap(self) -> None:
        for path in self.kept:
            if not _link(self.out_dir / path, self._folder(self.staging, path)):
                shutil.copy2(self.out_dir / path, self.staging / path)
        for name in self.kept_folders:
            for rel, path in iter_static(self.out_dir / name):
                new = self._folder(self.staging, f"{name}/{rel}")
                if not _link(path, new):
                    shutil.copy2(path, new)
        for rel, src in self.static_files.items():
            target = self._folder(self.staging, f"static/{rel}")
            old = self.out_dir / "static" / rel
            if _same_file_state(src, old) and _link(old, target):
                continue
            target.unlink(missing_ok=True)
            shutil.copy2(src, target)
        (self.staging / MARKER).write_text(manifest_text(self.pages, self.folders), encoding="utf-8")
        (self.staging / OWNED).unlink()  # the output's own marker is MARKER
        swap_in(self.staging, self.out_dir)

    def _update_in_place(self) -> None:
        """Move the new files into the output one by one. What they replace
        and what is gone is moved into the staging folder instead of being
        deleted, and the staging folder is deleted in the background: freeing
        a large file's space can take a large part of a second (the lists of
        a large archive are hundreds of MB)."""
        out = self.out_dir
        retired = self.staging / RETIRED
        retired.mkdir()
        count = itertools.count(1)

        def retire(path: Path) -> None:
            try:
                os.replace(path, retired / str(next(count)))
            except FileNotFoundError:
                pass

        def put(rel: str) -> None:
            """Move the staged file `rel` into the output; the file it replaces, if any, is kept until the end."""
            target = self._folder(out, rel)
            _link(target, retired / str(next(count)))
            os.replace(self.staging / rel, target)

        static = self.static_files
        for rel, src in static.items():
            if not _same_file_state(src, out / "static" / rel):
                shutil.copy2(src, self._folder(self.staging, f"static/{rel}"))
                put(f"static/{rel}")
        for rel, path in list(iter_static(out / "static")):
            if rel not in static:
                retire(path)
        for path in self.written:
            put(path)
        for name in set(self.folders) - set(self.kept_folders):
            retire(out / name)
            os.replace(self.staging / name, out / name)
        for name in set(self.previous_folders) - set(self.folders):
            retire(out / name)
        for path in set(self.previous) - set(self.pages):
            retire(out / path)
            _prune_empty_folders(out, (out / path).parent)
        write_atomically(out / MARKER, manifest_text(self.pages, self.folders).encode("utf-8"))
        old = retired_folder(out)
        os.replace(self.staging, old)  # still marked as a build's own (remove_leftovers)
        remove_in_background(old)

    def abandon(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)


class InPlaceWriter(Writer):
    """Writes changed pages straight into the output folder (each through a
    temporary file, so no reader sees half a page) and removes pages that
    are gone. For `serve`, whose requests wait while a build runs."""

    def __init__(self, out_dir: Path, reuse: bool = True):
        super().__init__(out_dir, reuse)
        out_dir.mkdir(parents=True, exist_ok=True)

    def keep(self, plan: PagePlan) -> bool:
        self.pages[plan.path] = plan.fingerprint
        # The folder is private to this writer: what the manifest says is there.
        return self.previous.get(plan.path) == plan.fingerprint

    def write(self, plan: PagePlan, html: str | bytes) -> None:
        write_atomically(self.out_dir / plan.path, html if isinstance(html, bytes) else html.encode("utf-8"))

    def static(self, files: dict[str, Path]) -> None:
        for rel, src in files.items():
            target = self.out_dir / "static" / rel
            if not _same_file_state(src, target):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
        for rel, path in list(iter_static(self.out_dir / "static")):
            if rel not in files:
                path.unlink()

    def folder_path(self, name: str) -> Path:
        return self.out_dir / name

    def finish(self) -> None:
        for path in set(self.previous) - set(self.pages):
            (self.out_dir / path).unlink(missing_ok=True)
            _prune_empty_folders(self.out_dir, (self.out_dir / path).parent)
        for name in set(self.previous_folders) - set(self.folders):
            shutil.rmtree(self.out_dir / name, ignore_errors=True)
        write_atomically(self.out_dir / MARKER, manifest_text(self.pages, self.folders).encode("utf-8"))

    def abandon(self) -> None:
        # Pages written so far are complete and correct for the new content;
        # the manifest keeps the old fingerprints, so the next build redoes them.
        pass


def remove_leftovers(out_dir: Path) -> None:
    """Remove the temporary folders of earlier builds of `out_dir` that were
    killed before they could clean up: named `.OUT.staging-PID`,
    `.OUT.old-PID` or `.OUT.old-PID.N`, their process gone, and holding a file only a build
    writes there (a user's folder of a similar name is left alone)."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if kind == f".{out_dir.name}.old":  # .old-PID, or .old-PID.N
            pid = pid.partition(".")[0]
        if (kind in (f".{out_dir.name}.staging", f".{out_dir.name}.old") and pid.isdigit()
                and is_leftover(leftover, int(pid), (OWNED, MARKER))):
            shutil.rmtree(leftover, ignore_errors=True)
