"""What every module of ``missions`` subcommands shares: the exit codes and the :class:`Command` record.

Its own module so that :mod:`.cli`, which lists the commands, and the modules that define some of them
(:mod:`.sweep_cli`) import it rather than each other.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
