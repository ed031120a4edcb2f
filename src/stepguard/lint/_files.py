"""Which files `stepguard lint` reads: Python files under the given paths, minus excluded ones.

Directories are walked in sorted order for ``*.py`` files. While walking, these folders are skipped
by default: hidden ones (name starting with ``.``), virtual environments (any folder holding a
``pyvenv.cfg``, and the usual names), build output, caches and installed packages (see
`DEFAULT_EXCLUDE`). User `exclude` globs apply to walked entries and to files named explicitly;
default exclusions do not apply to a path named explicitly (``stepguard lint .venv/x.py`` lints it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stepguard.lint._config import _path_matches

__all__ = ["DEFAULT_EXCLUDE", "Discovery", "discover", "is_excluded"]

DEFAULT_EXCLUDE: tuple[str, ...] = (
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "dist-packages",
    "venv",
    "*.egg-info",
)


@dataclass(frozen=True)
class Discovery:
    """The outcome of `discover`: files to lint, in order, and paths that do not exist."""

    files: tuple[str, ...]
    missing: tuple[str, ...]


def is_excluded(path: str, patterns: Sequence[str], root: Path) -> bool:
    """True when `path` or one of its parent folders matches one of the glob `patterns`.

    A pattern matches a name (``"legacy"``, ``"*_pb2.py"``) or a path relative to `root`
    (``"tests/fixtures/*"``).
    """
    return any(_path_matches(path, pat, root) for pat in patterns)


def _skip_dir(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name.startswith(".") or name in DEFAULT_EXCLUDE or name.endswith(".egg-info"):
        return True
    # A virtual environment of any name (`python -m venv myenv`), or a conda environment.
    return os.path.isfile(os.path.join(entry.path, "pyvenv.cfg")) or os.path.isdir(
        os.path.join(entry.path, "conda-meta")
    )


def _entries(folder: str, seen: set[str]) -> Iterator[os.DirEntry[str]]:
    """The entries of `folder` in name order; none when it was walked already (by real path)
    or cannot be read."""
    real = os.path.realpath(folder)
    if real in seen:
        return iter(())
    seen.add(real)
    try:
        return iter(sorted(os.scandir(folder), key=lambda e: e.name))
    except OSError:
        return iter(())  # unreadable folder: nothing to lint there


def _walk(folder: str, exclude: Sequence[str], root: Path, out: list[str], seen: set[str]) -> None:
    """Append the ``*.py`` files under `folder` to `out`, depth first in name order.

    Iterative (no recursion limit on deep trees). `seen` holds the real paths of the folders
    already walked: a folder reached again through a symlink (``sub/loop -> ..``, or two links to
    one folder) is walked once, so symlink cycles terminate.
    """
    stack: list[tuple[str, Iterator[os.DirEntry[str]]]] = [(folder, _entries(folder, seen))]
    while stack:
        current, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        # `src/x.py`, not `./src/x.py`, when walking the working directory.
        path = entry.name if current == "." else entry.path
        try:
            is_dir = entry.is_dir()
        except OSError:
            continue
        if is_dir:
            if not _skip_dir(entry) and not (exclude and is_excluded(path, exclude, root)):
                stack.append((path, _entries(path, seen)))
        elif entry.name.endswith(".py") and not (exclude and is_excluded(path, exclude, root)):
            out.append(path)


def discover(
    paths: Sequence[str], exclude: Sequence[str] = (), root: Path | None = None
) -> Discovery:
    """Expand `paths` (files and directories) into the Python files to lint.

    Files named explicitly are kept whatever their suffix (a script without ``.py``) unless an
    `exclude` glob matches them; directories are walked as the module docstring describes.
    Each file appears once, in the order given (directories sorted within). Globs are matched
    against paths relative to `root` (default: the working directory).
    """
    base = Path.cwd() if root is None else root
    found: list[str] = []
    missing: list[str] = []
    walked: set[str] = set()
    for raw in paths:
        path = os.path.normpath(raw) if raw not in ("", ".") else "."
        if os.path.isdir(path):
            if not (exclude and path != "." and is_excluded(path, exclude, base)):
                _walk(path, exclude, base, found, walked)
        elif os.path.isfile(path):
            if not (exclude and is_excluded(path, exclude, base)):
                found.append(path)
        else:
            missing.append(raw)
    seen: set[str] = set()
    unique = []
    for f in found:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return Discovery(files=tuple(unique), missing=tuple(missing))
