"""``missions cases`` (the model against the real missions, docs/cases.md) and ``missions calibrate``."""

from __future__ import annotations

import argparse

from simulation.cli import Command


def add_cases_arguments(parser: argparse.ArgumentParser) -> None:
    from simulation.cases import add_arguments

    add_arguments(parser)


def cmd_cases(args: argparse.Namespace) -> int:
    from simulation.cases import run

    return run(args)


def add_calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    from simulation.calibrate import add_arguments

    add_arguments(parser)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from simulation.calibrate import run

    return run(args)


CASE_COMMANDS: tuple[Command, ...] = (
    Command("cases", "run every case file against its observations; write docs/cases.md and its figures",
            add_cases_arguments, cmd_cases),
    Command("calibrate", "fit a case file's assumptions to its observations (ABC-SMC); write a calibrated file",
            add_calibrate_arguments, cmd_calibrate),
)
