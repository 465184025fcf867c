"""What every module of ``missions`` subcommands shares: the exit codes and the :class:`Command` record.

Its own module so that :mod:`.cli`, which lists the commands, and the modules that define some of them
(:mod:`.sweep_cli`) import it rather than each other.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from simulation.inputs.arguments import whole_number
from simulation.inputs.limits import MAX_ENSEMBLE

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def add_ensemble_argument(parser: argparse.ArgumentParser) -> None:
    """``--ensemble N``: how many replicates of one configuration each worker advances together."""
    parser.add_argument("--ensemble", type=whole_number(1, MAX_ENSEMBLE), default=None, metavar="N",
                        help=f"replicates of one configuration a worker advances together, as one set of array "
                             f"operations (default: as many as memory and the worker count suit, up to "
                             f"{MAX_ENSEMBLE}; 1 runs each alone; results are identical for any N)")
