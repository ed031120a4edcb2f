"""Where the demo writes its report: the directory, checked before any experiment runs.

`prepare_out_dir` turns every way a report directory can be unusable (an empty path, a file, a
parent that is a file, no permission, a read-only file system) into a one-line error in well
under a second, instead of a traceback after minutes of experiments. Torch-free, so the command
can call it before importing anything heavy.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["REPORT_FILES", "prepare_out_dir"]

REPORT_FILES = ("report.md", "results.json")


def prepare_out_dir(out_dir: str | os.PathLike[str], what: str = "out_dir") -> Path:
    """The report directory `out_dir`, created if missing and proven writable; call it before
    running anything so a bad directory costs seconds, not the run.

    Raises TypeError for a `out_dir` that is not a path, and ValueError (naming `what`, the
    argument as the caller knows it) for an empty path, a
    path that is a file, a report file that is a directory, or a directory that cannot be
    created or written (a parent that is a file, no permission, a read-only file system).
    """
    text = os.fspath(out_dir) if isinstance(out_dir, (str, os.PathLike)) else None
    if not isinstance(text, str):
        raise TypeError(
            f"{what} must be a directory path (a str or pathlib.Path), got {type(out_dir).__name__}"
        )
    if not text.strip():
        raise ValueError(
            f"{what} must name a directory (e.g. stepguard-report), got {out_dir!r}; an empty "
            "path would write into the working directory"
        )
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise ValueError(
            f"{what} {text!r} is a file, not a directory; give a directory (created if missing)"
        )
    for name in REPORT_FILES:
        if (path / name).is_dir():
            raise ValueError(
                f"{what} {text!r} holds a directory named {name!r} where the report file goes; "
                "remove it or choose another directory"
            )
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".stepguard-write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ValueError(
            f"{what} {text!r} cannot be written ({exc.strerror or exc}); choose a directory you "
            "can write to"
        ) from None
    return path
