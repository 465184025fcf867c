"""One process at a time in a sweep directory: an exclusive ``flock`` on its ``.lock`` file.

Two sweeps or resumes writing the same directory would mix their rows and
manifests. ``sweep`` and ``resume`` hold the lock for as long as they run; the
kernel releases it when the process ends, however it ends, so a killed sweep
never leaves a stale lock. The file also says who holds it, for the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from simulation.execution.errors import OutputError

LOCK_NAME = ".lock"


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the lock of ``directory``, or raise OutputError saying which process holds it.

    The lock belongs to the file, so it is kept when ``directory`` is renamed while held.
    """
    fd = os.open(Path(directory) / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"{directory}: another sweep or resume is running in it ({_holder(fd)}); "
                              f"wait for it to finish, or stop it") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        yield
    finally:
        os.close(fd)


def holder(directory: Path) -> str | None:
    """Who holds the lock of ``directory`` now, or None when nobody does."""
    try:
        fd = os.open(Path(directory) / LOCK_NAME, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(fd)
    else:
        return None
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    return text or "a process that is starting"
