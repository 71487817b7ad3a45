"""Walking the folders a build reads (content, static files) without
trusting them: what a file name or a symbolic link may do is decided here,
once, for every reader.

- A link is followed only when it leads to a file or folder inside the site
  folder and outside its hidden folders (`.git`, the cache), unless the
  site's settings allow links outside; a link that leads elsewhere, a
  dangling link and a link loop are each a problem of that one path.
- A folder that cannot be read is a problem, never a silent gap.
- A name that is not valid UTF-8 cannot become an address: a problem.
- The walk is iterative, so folders nested any depth cannot exhaust the stack.
"""

from __future__ import annotations

import os
import stat as stat_module
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .i18n import N_, Msg
from .model import ContentError

# The built-in theme: templates and static files a site's own override.
THEME_DIR = Path(__file__).parent / "theme"


@dataclass(frozen=True)
class FoundFile:
    """A regular file found under a walked folder."""

    path: str  # to open it
    rel: str  # relative to the site folder (or the walked folder's label), with "/"
    name: str
    stat: os.stat_result


def shown(text: str) -> str:
    """`text` with bytes that are not UTF-8 (kept by Python as surrogates)
    shown as U+FFFD, so that it can be printed and stored."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class SiteWalker:
    """Walks folders of one site under its link policy, collecting problems."""

    def __init__(self, site_dir: Path, allow_outside: bool = False, forbidden: tuple[Path, ...] = ()):
        """`forbidden`: resolved folders a link must not lead into (the output)."""
        self.root = Path(os.path.realpath(site_dir))
        self.allow_outside = allow_outside
        self.forbidden = tuple(Path(os.path.realpath(f)) for f in forbidden)
        self.problems: list[ContentError] = []

    def error(self, rel: str, message: str, hint: str = "") -> None:
        self.problems.append(ContentError(shown(rel), message, None, hint))

    def link_problem(self, path: str) -> str | None:
        """Why the link at `path` may not be followed, or None."""
        target = Path(os.path.realpath(path))
        if any(target == f or f in target.parents for f in self.forbidden):
            return Msg("is a link into the output folder ({target})", target=str(target))
        if self.allow_outside:
            return None
        if target != self.root and self.root not in target.parents:
            return Msg("is a link to {target}, outside the site folder", target=shown(str(target)))
        if any(part.startswith(".") for part in target.relative_to(self.root).parts):
            return Msg("is a link into a hidden folder ({target})", target=shown(str(target.relative_to(self.root))))
        return None

    def walk(self, folder: Path, label: str, skip_hidden: bool = True
             ) -> Iterator[FoundFile | tuple[str, str]]:
        """Yield every regular file under `folder` as a FoundFile, in a stable
        order; other entries that are not walked (sockets, hidden names) are
        yielded as (rel, reason). `label` is the folder's path as shown."""
        top = str(folder)
        if os.path.islink(top):
            problem = self.link_problem(top)
            if problem:
                self.error(label, Msg("folder {problem}", problem=problem),
                           N_("make it a real folder, or set 'follow_outside_links: true' in site.yml"))
                return
        try:
            top_stat = os.stat(top)
        except FileNotFoundError:
            if os.path.islink(top):
                self.error(label, N_("is a link to a folder that does not exist"), N_("fix or delete the link"))
            return  # a site need not have every folder
        except OSError as exc:
            self.error(label, Msg("folder cannot be read: {reason}", reason=exc.strerror))
            return
        if not stat_module.S_ISDIR(top_stat.st_mode):
            return
        # (path, rel, folders from the top down to it, by device and inode)
        stack = [(top, label, ((top_stat.st_dev, top_stat.st_ino),))]
        while stack:
            path, rel_folder, above = stack.pop()
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError as exc:
                self.error(rel_folder, Msg("folder cannot be read: {reason}", reason=exc.strerror),
                           N_("give the build read access to it, or move it out of the site"))
                continue
            folders = []
            for entry in entries:
                rel = f"{rel_folder}/{entry.name}"
                if skip_hidden and entry.name.startswith("."):
                    if not entry.is_dir(follow_symlinks=False):  # hidden folders (.git) are passed over
                        yield rel, N_("hidden, backup or editor temporary file")
                    continue
                try:
                    entry.name.encode("utf-8")
                except UnicodeEncodeError:
                    self.error(rel, N_("the name is not valid UTF-8 text, so it cannot be published"),
                               N_("rename it (the name was probably written on a system using another encoding)"))
                    continue
                is_link = entry.is_symlink()
                if is_link:
                    problem = self.link_problem(entry.path)
                    if problem:
                        self.error(rel, problem, N_("replace the link by the file itself, or set "
                                                    "'follow_outside_links: true' in site.yml"))
                        continue
                try:
                    found = entry.stat()  # follows links
                except OSError as exc:
                    if is_link:
                        why = (N_("is a link that leads to itself (a loop)") if exc.errno == 40
                               else N_("is a link to a file that does not exist"))
                        self.error(rel, why, N_("fix or delete the link"))
                    else:
                        self.error(rel, Msg("cannot be read: {reason}", reason=exc.strerror))
                    continue
                if stat_module.S_ISDIR(found.st_mode):
                    identity = (found.st_dev, found.st_ino)
                    if identity in above:
                        self.error(rel, N_("is a link to a folder that contains it (a loop)"), N_("delete the link"))
                        continue
                    folders.append((entry.path, rel, above + (identity,)))
                elif stat_module.S_ISREG(found.st_mode):
                    yield FoundFile(entry.path, rel, entry.name, found)
                else:
                    yield rel, N_("not a regular file")
            stack.extend(reversed(folders))
