"""Worker processes that may die: pools that watch their parent, and a stream of runs that outlives a dead worker.

A run can kill the process that runs it (out of memory, a crash in native code,
``os._exit``). A ``ProcessPoolExecutor`` then breaks and fails every run in it.
:func:`stream` turns that into data: the runs that were in flight are run
again one at a time in a fresh pool, so the run that kills its worker again is
reported as failed (attempt 2) and the others complete, and the stream goes
on. A Dask worker death is treated alike: Dask retries a run on other workers
and then blames every run that was on the dying worker (``KilledWorker``), so
those are run again alone too. After DEATHS_IN_A_ROW such runs in a row it stops, because then the
workers, not the runs, are at fault. Workers ignore Ctrl-C (their parent
decides what stops) and exit within a second of their parent's death, so a
killed sweep leaves no process behind.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from simulation.execution.errors import EngineError, interrupts_deferred
from simulation.inputs.limits import DEATHS_IN_A_ROW

PARENT_POLL_S = 0.5
"""How often a worker checks that its parent is alive."""


@dataclass(frozen=True)
class Engine:
    """Where runs execute: how to get a (fresh) executor and how to read its failures."""

    open_pool: Callable[[], contextlib.AbstractContextManager[Executor]]  # called again after a pool breaks
    window: int  # runs in flight at once
    killed: Callable[[BaseException], bool] = lambda exc: False  # a run the engine gave up on after worker deaths
    killed_attempts: int = 1  # how many times the engine tries a run before it reports a worker death
    stall_s: float | None = None  # give up when no run finishes for this long
    stalled: Callable[[], str] = lambda: "no run finished"  # says why, when it does
    lost: Callable[[BaseException], str] = lambda exc: f"the engine lost the runs ({type(exc).__name__}: {exc})"


def local_engine(workers: int) -> Engine:
    """``workers`` local processes (one is still a separate process, so a run cannot kill its caller)."""
    return Engine(lambda: process_pool(workers), window=4 * workers)


def shared_engine(executor: Executor, window: int) -> Engine:
    """An executor the caller owns and keeps open (a Dask client's, a thread pool in tests)."""
    return Engine(lambda: contextlib.nullcontext(executor), window=window)


def worker_context() -> Any:
    """Start workers without fork(): forking a process that runs threads (tqdm's monitor,
    a UI server) can deadlock. Workers import only the model, never matplotlib."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


@contextlib.contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers ignore Ctrl-C and die with this process.

    On an error (Ctrl-C included) queued runs are cancelled and the workers stopped at
    once: the runs they were doing are lost anyway, and a worker left waiting would keep
    this process from exiting (the pool's own shutdown has no way to stop them).
    """
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(), initializer=watch_parent,
                               initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        running = list((getattr(pool, "_processes", None) or {}).values())  # no public handle before Python 3.14
        results = getattr(pool, "_result_queue", None)  # shutdown() drops it
        pool.shutdown(wait=False, cancel_futures=True)
        for process in running:
            process.terminate()
        for process in running:
            process.join(timeout=5)
        # A worker stopped while it sent a result leaves the pool's manager thread reading the rest of the message,
        # and interpreter exit joins that thread. With the workers gone, our end of the results pipe is the last
        # writer: closing it ends the read with an end of file, which the thread takes for a broken pool.
        if results is not None:
            results._writer.close()
        raise
    pool.shutdown(wait=True)


def watch_parent(parent_pid: int) -> None:
    """Pool initializer: ignore SIGINT, and exit as soon as process ``parent_pid`` is gone.

    A forkserver's workers are its children, not ours, so PR_SET_PDEATHSIG would not
    fire; a thread polls the parent instead (psutil sees zombies and reused pids).
    """
    import psutil

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = psutil.Process(parent_pid)

    def exit_when_gone() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            try:
                alive = parent.is_running() and parent.status() != psutil.STATUS_ZOMBIE
            except psutil.Error:
                alive = False
            if not alive:
                os._exit(1)

    threading.Thread(target=exit_when_gone, name="watch-parent", daemon=True).start()


# ------------------------------------------------------------------ the stream
def stream(engine: Engine, tasks: Iterable[Any], call: Callable[[Any], Any],
           died: Callable[[Any, int, str], Any], split: Callable[[Any], list[Any]] = lambda task: [task],
           ) -> Iterator[Any]:
    """``call(task)`` of every task as they finish, at most ``engine.window`` at once.

    A task whose worker dies is run again alone, as the parts ``split(task)`` gives (a group of runs as its
    single runs), and a part whose worker dies again yields ``died(part, attempts, why)`` instead of a result.
    """
    pending = iter(tasks)
    suspects: deque[Any] = deque()  # in flight when a pool broke: each part is run again alone
    deaths = [0]  # suspects in a row that killed their worker alone
    while True:
        with engine.open_pool() as pool:
            broke = yield from _drain(engine, pool, pending, suspects, call, died, split, deaths)
        if not broke:
            return


def _drain(engine: Engine, pool: Executor, pending: Iterator[Any], suspects: deque[Any], call: Callable,
           died: Callable, split: Callable, deaths: list[int]) -> Iterator[Any]:
    """Run the suspects alone, then the pending tasks; return True if the pool broke or left new suspects."""
    while suspects:
        task = suspects.popleft()
        try:
            with interrupts_deferred():
                future = pool.submit(call, task)
            result = _result(engine, future)
            deaths[0] = 0
        except EngineError:
            raise
        except Exception as exc:
            if not _death(engine, exc):
                raise EngineError(engine.lost(exc)) from None
            deaths[0] += 1
            if deaths[0] >= DEATHS_IN_A_ROW:  # this run stays pending, for a resume once the workers are fixed
                raise EngineError(f"{DEATHS_IN_A_ROW} runs in a row killed their worker process even when run "
                                  f"alone; the workers themselves are failing (memory? a broken installation?)") from None
            detail = "out of memory, a crash or os._exit" if isinstance(exc, BrokenExecutor) else \
                f"{type(exc).__name__}: {exc}"
            result = died(task, 2 * engine.killed_attempts,
                          f"its worker process died running it, among other runs and then alone ({detail})")
            if isinstance(exc, BrokenExecutor):
                yield result
                return True
        yield result
    in_flight: dict[Future, Any] = {}
    try:
        while True:
            for task in pending:
                with interrupts_deferred():  # submitting may start a worker: see interrupts_deferred
                    in_flight[pool.submit(call, task)] = task
                if len(in_flight) >= max(engine.window, 1):
                    break
            if not in_flight:
                return bool(suspects)
            broken = []
            for future in _first_done(engine, in_flight):
                task = in_flight.pop(future)
                try:
                    result = future.result()
                except Exception as exc:
                    if not _death(engine, exc):
                        raise EngineError(engine.lost(exc)) from None
                    (broken if isinstance(exc, BrokenExecutor) else suspects).extend(split(task))
                    continue
                deaths[0] = 0
                yield result
            if broken:  # every run still in flight failed with the pool too
                suspects.extend([*broken, *(part for task in in_flight.values() for part in split(task))])
                in_flight.clear()
                return True
    finally:
        for future in in_flight:
            future.cancel()


def _death(engine: Engine, exc: Exception) -> bool:
    """Whether ``exc`` says a worker died: the pool broke, or the engine gave up on the run (Dask's KilledWorker).
    Any other failure of the engine itself (a lost scheduler) ends the stream with ``engine.lost``'s words."""
    return isinstance(exc, BrokenExecutor) or engine.killed(exc)


def _first_done(engine: Engine, in_flight: dict[Future, Any]) -> set[Future]:
    done, _ = wait(in_flight, timeout=engine.stall_s, return_when=FIRST_COMPLETED)
    if not done:
        raise EngineError(engine.stalled())
    return done


def _result(engine: Engine, future: Future) -> Any:
    _first_done(engine, {future: None})
    return future.result()
