"""What every module of ``missions`` subcommands shares: the exit codes, the :class:`Command` record, argument types.

Its own module so that :mod:`.cli`, which lists the commands, and the modules that define some of them
(:mod:`.sweep_cli`) import it rather than each other.
"""

from __future__ import annotations

import argparse
import reprlib
from collections.abc import Callable
from dataclasses import dataclass

from simulation.inputs.limits import WORKERS_PER_CPU, max_workers

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def whole_number(minimum: int, maximum: int | None = None, why: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` to ``maximum`` (``why`` says where the maximum comes from)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number (got {reprlib.repr(text)})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum} (got {value})")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"expected a whole number from {minimum} to {maximum}{why} (got {value})")
        return value
    return parse


def worker_count(text: str) -> int:
    """``--workers``: at most WORKERS_PER_CPU per CPU of this machine."""
    return whole_number(1, max_workers(), f", {WORKERS_PER_CPU} per CPU here")(text)
