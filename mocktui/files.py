"""Writing a file so that a reader (or a crash) never sees half of it: one place for the state
file, HAR exports and the files written on exit. Standard library only: every layer uses it."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_atomically(path: str | os.PathLike[str], data: bytes) -> Path:
    """Replace ``path`` with ``data``: a new temporary file in the same folder, flushed and
    fsynced, renamed over ``path`` (``os.replace``), then the folder fsynced. A kill at any moment
    leaves the old file or the whole new one; the temporary file is removed if anything fails.
    The new file is 0o666 less the umask, as any new file (not mkstemp's 0o600)."""
    target = Path(path)
    folder = target.parent
    temp = folder / f".{target.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(folder)
    return target


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable, where the platform lets a folder be fsynced."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
