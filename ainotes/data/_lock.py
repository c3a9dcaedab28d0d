"""A lock per data set and cache folder, so that processes sharing one cache prepare a data set one at a time.

A class sharing a network home folder may load one data set into one empty folder at once: the
first process prepares it, the others wait for the lock, then find it ready.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ainotes.data.sources import DATA_ENV, DataUnavailableError

try:  # locks that the system releases when their process ends: flock on POSIX, msvcrt.locking on Windows
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
try:
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]

# How long a process waits for another that prepares the same data set in the same cache folder.
_LOCK_WAIT_S = 600.0
_LOCK_POLL_S = 0.05


# --------------------------------------------------------------------------------------------
def _try_lock(handle: Any) -> bool | None:
    """Lock the open file ``handle``: True if locked, False if another process holds it, None if unsupported."""
    if fcntl is not None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        except OSError:  # e.g. ENOLCK: a network file system without locks
            return None
    if msvcrt is not None:
        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # the first byte: a lock the file's users agree on
            return True
        except OSError as exc:
            return False if exc.errno in (errno.EACCES, errno.EDEADLK) else None
    return None


def _lock_timeout(name: str, root: Path, lock: Path) -> DataUnavailableError:
    return DataUnavailableError(
        f"Waited {_LOCK_WAIT_S:.0f} s for another process to finish preparing {name} in {root} (it holds the lock "
        f"file {lock}). If no other notebook or program is loading {name}, the lock is stale: delete {lock} and "
        "run this again."
    )


@contextlib.contextmanager
def _cache_lock(root: Path, name: str) -> Iterator[None]:
    """Hold data set ``name``'s lock in the cache folder ``root``: processes prepare it one at a time.

    A class sharing a network home folder may prepare one data set in one folder at once: the first
    process prepares it, the others wait, then find it ready. ``root/.name.lock`` is locked with
    flock or msvcrt; where neither works, ``root/.name.claim`` is created exclusively, then deleted.
    """
    deadline = time.monotonic() + _LOCK_WAIT_S
    lock = root / f".{name}.lock"
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "a+b")  # noqa: SIM115 - closed below, which releases the lock
    except OSError as exc:
        raise DataUnavailableError(f"The cache folder {root} cannot be written ({exc.strerror}): set {DATA_ENV} (or "
                                   "root=) to a folder you can write to.") from None  # fmt: skip
    try:
        while (locked := _try_lock(handle)) is False:
            if time.monotonic() > deadline:
                raise _lock_timeout(name, root, lock)
            time.sleep(_LOCK_POLL_S)
        if locked:
            yield
            return
    finally:
        handle.close()
    claim = root / f".{name}.claim"  # no system lock here: a file that only one process can create
    while True:
        try:
            fd = os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise _lock_timeout(name, root, claim) from None
            time.sleep(_LOCK_POLL_S)
    try:
        with os.fdopen(fd, "w") as note:
            note.write(f"{socket.gethostname()} {os.getpid()}\n")
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(claim)
