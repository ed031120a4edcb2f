"""Writing users' files safely: a failed write never leaves a truncated or half-written file.

Every file stepguard writes on a user's behalf (`stepguard lint --fix`, the demo's report, the
Monitor's CSV and plots) goes through `atomic_write`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at `path` with `data` so that a failure leaves the old file untouched.

    The bytes go to a temporary file in the same directory, which is flushed and fsynced and then
    moved over `path` with `os.replace` (atomic on POSIX and Windows); an existing file's mode is
    kept. On any error (disk full, a file-size limit, a read-only directory) the temporary file is
    removed and the error propagates; `path` is then byte-identical to what it was. A symlink is
    followed (the file it points to is replaced, the link stays a link), and an existing file
    that is read-only (no write permission bit, or not writable by this user) is not replaced:
    `PermissionError`. Used by `stepguard lint --fix`, the demo's report and the Monitor's exports.

    Args:
        path: the file to create or replace.
        data: its new content.

    Raises:
        PermissionError: the existing file is read-only, or the directory is not writable.
        OSError: the write failed (disk full, quota, file-size limit); `path` is unchanged.
    """
    target = Path(os.path.realpath(path))
    try:
        st = target.stat()
    except FileNotFoundError:
        mode: int | None = None
    else:
        mode = st.st_mode & 0o7777
        if not (mode & 0o222) or not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, "read-only file", os.fspath(path))
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
