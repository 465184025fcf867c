"""Dask as an engine: a LocalCluster, or a remote scheduler checked before any file is written.

A remote cluster fails in ways a local pool does not: nothing listens at the
address, the scheduler has no workers, the workers run another version of this
package (or none, and die unpickling each run), or the scheduler goes away
midway. Each becomes one :class:`~simulation.execution.errors.EngineError` line: exit
code 2 when found before the sweep starts, 1 when it happens midway (the runs
saved so far stay saved, and ``missions resume`` finishes the sweep).
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from simulation.execution.errors import EngineError
from simulation.execution.workers import Engine, local_engine, shared_engine
from simulation.inputs.limits import DASK_CONNECT_S, DASK_TIMEOUT_S

PACKAGE = "mission-ecosystems"


@contextlib.contextmanager
def engine(workers: int, scheduler: str | None = None, dask_local: bool = False,
           timeout: float = DASK_TIMEOUT_S) -> Iterator[Engine]:
    """Local processes, a Dask LocalCluster or a remote Dask scheduler (checked before it is used).

    Here rather than in :mod:`.workers`, which this module builds on, so that the two do not import each other."""
    if scheduler or dask_local:
        with dask_engine(workers, scheduler, timeout) as found:
            yield found
    else:
        yield local_engine(workers)


@contextlib.contextmanager
def dask_engine(workers: int, scheduler: str | None, timeout: float) -> Iterator[Engine]:
    """An engine on a remote ``scheduler`` (checked first), or on a LocalCluster of ``workers`` processes."""
    import dask
    from distributed import Client, KilledWorker, LocalCluster

    with contextlib.ExitStack() as stack:
        stack.enter_context(dask.config.set({"distributed.comm.timeouts.connect": f"{DASK_CONNECT_S}s"}))
        stack.enter_context(_log_without_tracebacks())
        if scheduler:
            check_listening(scheduler)
            try:
                client = stack.enter_context(Client(scheduler, timeout=DASK_CONNECT_S))
            except (OSError, TimeoutError) as exc:
                raise EngineError(f"--scheduler {scheduler}: no Dask scheduler answered within "
                                  f"{DASK_CONNECT_S:.0f} s ({exc})", exit_code=2) from None
            wait_for_workers(client, scheduler, timeout)
            check_versions(client, scheduler)
        else:
            cluster = stack.enter_context(LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                                                       processes=True, dashboard_address=None))
            client = stack.enter_context(Client(cluster))
        threads = sum(client.nthreads().values())
        found = shared_engine(client.get_executor(pure=False), window=4 * max(workers, threads))
        yield Engine(found.open_pool, found.window, killed=lambda exc: isinstance(exc, KilledWorker),
                     killed_attempts=int(dask.config.get("distributed.scheduler.allowed-failures")) + 1,
                     stall_s=timeout, stalled=lambda: stall_message(client, scheduler, timeout),
                     lost=lambda exc: f"lost {where(scheduler)} ({type(exc).__name__}{f': {exc}' if str(exc) else ''})")


def check_listening(address: str) -> None:
    """Fail at once, not after a connect timeout, where nothing listens at a ``tcp://`` address."""
    parts = urlsplit(address)
    if not parts.scheme or not parts.hostname:
        raise EngineError(f"--scheduler {address}: expected an address such as tcp://host:8786", exit_code=2)
    if parts.scheme != "tcp":
        return  # tls://, ucx:// ...: Dask's own connect reports problems
    try:
        port = parts.port or 8786
        with socket.create_connection((parts.hostname, port), timeout=DASK_CONNECT_S):
            pass
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise EngineError(f"--scheduler {address}: nothing answers there ({reason}); start one with "
                          f"`dask scheduler`, or check the address", exit_code=2) from None


def wait_for_workers(client: Any, scheduler: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        raise EngineError(f"--scheduler {scheduler}: the scheduler has had no worker for {timeout:.0f} s; start "
                          f"workers with `dask worker {scheduler}` where {PACKAGE} {_version()} is installed, or "
                          f"raise --timeout", exit_code=2) from None


def check_versions(client: Any, scheduler: str) -> None:
    """Every worker must have this package at this version: others could not unpickle the runs, or would
    compute them with other code."""
    here = _version()
    found = client.run(metadata.version, PACKAGE, on_error="return")
    for worker, version in sorted(found.items()):
        if isinstance(version, BaseException):
            raise EngineError(f"--scheduler {scheduler}: worker {worker} does not have {PACKAGE} installed; "
                              f"install version {here} on every worker", exit_code=2)
        if version != here:
            raise EngineError(f"--scheduler {scheduler}: worker {worker} has {PACKAGE} {version}, this is {here}; "
                              f"install the same version on every worker", exit_code=2)


def where(scheduler: str | None) -> str:
    return f"the Dask scheduler at {scheduler}" if scheduler else "the Dask LocalCluster"


def stall_message(client: Any, scheduler: str | None, timeout: float) -> str:
    try:
        workers = len(client.nthreads())
        state = f"{where(scheduler)} has {workers} worker{'s' * (workers != 1)}"
    except Exception as exc:  # the scheduler itself is gone
        state = f"{where(scheduler)} does not answer ({type(exc).__name__})"
    return f"no run finished in the last {timeout:.0f} s and {state}; raise --timeout if single runs take longer"


@contextlib.contextmanager
def _log_without_tracebacks() -> Iterator[None]:
    """Dask's log lines stay, but not their tracebacks: the failure that matters is ours, in one line."""
    class NoTracebacks(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.exc_info = record.exc_text = record.stack_info = None
            return True

    handlers = logging.getLogger("distributed").handlers
    quiet = NoTracebacks()
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)


def _version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "(unknown)"
