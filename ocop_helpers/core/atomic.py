"""Atomic file writes and folder swaps: a reader never sees half a file, a failed build never replaces a good one."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def write_atomic(target: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically (a reader never sees half a file)."""
    target = Path(target)
    write_atomic(target, lambda tmp: Path(tmp).write_bytes(data))
    return target


_RENAME_EXCHANGE = 2  # linux/fs.h


_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def staging_dir(target: Path) -> Path:
    """A fresh, empty folder next to ``target`` (same file system) where a build writes before it is
    swapped in with :func:`replace_dir`; a leftover of a killed build of this process id is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    return tmp


def remove_file(path: Path) -> None:
    """Delete a file if it exists."""
    Path(path).unlink(missing_ok=True)


def remove_dir(folder: Path) -> None:
    """Delete a folder and everything in it, if it exists."""
    shutil.rmtree(folder, ignore_errors=True)


def keep_failed(staging: Path, target: Path) -> Path:
    """Keep a failed build's staging folder as ``.<name>.failed`` next to ``target`` (replacing an
    older one) for inspection; the published folder is not touched. Returns the kept folder."""
    failed = failed_dir(target)
    shutil.rmtree(failed, ignore_errors=True)
    staging.rename(failed)
    return failed


def failed_dir(target: Path) -> Path:
    """Where a failed build of ``target`` is kept."""
    return target.parent / f".{target.name}.failed"


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` at ``target``, replacing what was there, then delete the old one.

    Where the file system allows, the two folders are exchanged in one atomic step, so a process
    killed at any moment leaves either the old complete folder or the new one at ``target``, never
    none. Elsewhere: two renames (a kill between them leaves the old folder as ``.<name>.old-<pid>``).
    """
    if not target.exists():
        new.rename(target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the previous content
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Write a folder aside and swap it in whole: yields a staging folder next to ``target``; on
    success it replaces ``target`` (:func:`replace_dir`), on failure it is kept as ``.<name>.failed``
    (:func:`keep_failed`) and ``target`` is untouched."""
    staging = staging_dir(target)
    try:
        yield staging
    except BaseException:
        keep_failed(staging, target)
        raise
    replace_dir(staging, target)
