"""Failures that are not bugs. The CLI turns each into one line on stderr and an exit code.

Kept free of heavy imports so that the CLI can catch them without loading the model.
Bad scenario and experiment input is :class:`simulation.inputs.scenario.ScenarioError`.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


class OutputError(ValueError):
    """The output directory cannot be used: it holds results already, a run is writing it, or it is damaged."""


class EngineError(RuntimeError):
    """The engine that runs the runs failed: an unreachable or lost Dask scheduler, no workers, workers that die.

    ``exit_code`` is 2 when it was found before anything was written (a bad ``--scheduler``), else 1.
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, with a message saying what was kept; ``exit_code`` 130 or 143 (128 + the signal)."""

    def __init__(self, message: str = "", exit_code: int = 128 + signal.SIGINT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


_deferred = {"depth": 0, "pending": 0}


def interrupt(signum: int, frame: object) -> None:
    """The CLI's handler of SIGINT and SIGTERM: stop as Ctrl-C does, so cleanup runs and partial output goes,
    but not inside :func:`interrupts_deferred`, where the signal waits for the block to end."""
    if _deferred["depth"]:
        _deferred["pending"] = signum
        return
    raise Interrupted(exit_code=128 + signum)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """A block that Ctrl-C and SIGTERM do not cut in two (handing a run to a pool that may be starting a worker:
    cut there, the worker is unknown to the pool, waits forever, and the program cannot exit)."""
    _deferred["depth"] += 1
    try:
        yield
    finally:
        _deferred["depth"] -= 1
        signum, _deferred["pending"] = _deferred["pending"], 0
        if signum and not _deferred["depth"]:
            raise Interrupted(exit_code=128 + signum)


def exit_code_of(interrupt: KeyboardInterrupt) -> int:
    return interrupt.exit_code if isinstance(interrupt, Interrupted) else 128 + signal.SIGINT
