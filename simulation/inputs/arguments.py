"""Argument types for every command line (``missions`` and the ``python -m`` page generators): whole numbers
within bounds, and worker counts within what this machine allows. In the inputs layer so that any layer's command
line checks its numbers the same way."""

from __future__ import annotations

import argparse
import reprlib
from collections.abc import Callable

from simulation.inputs.limits import WORKERS_PER_CPU, max_workers


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
