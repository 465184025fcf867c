"""``missions cases`` (the model against the real missions, docs/cases.md) and ``missions calibrate``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simulation.frontends.commands import Command
from simulation.inputs.arguments import whole_number, worker_count
from simulation.inputs.limits import MAX_REPLICATES
from simulation.inputs.scenario import resolve


def add_cases_arguments(parser: argparse.ArgumentParser) -> None:
    from simulation.analysis.cases import add_arguments

    add_arguments(parser)


def cmd_cases(args: argparse.Namespace) -> int:
    from simulation.analysis.cases import run

    return run(args)


def add_calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="a case file with observed: and assumptions: sections")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default results/calibrate/<scenario>/); one already started resumes")
    parser.add_argument("--population", type=whole_number(4), default=40, help="particles per generation (default 40)")
    parser.add_argument("--generations", type=whole_number(1), default=4, help="ABC-SMC generations (default 4)")
    parser.add_argument("-n", "--replicates", type=whole_number(1, MAX_REPLICATES), default=8, help="seeded replicates per particle (default 8)")
    parser.add_argument("--seed", type=int, default=None, help="root seed (default: the scenario's)")
    parser.add_argument("--hold-out", action="append", default=[], metavar="KEY=VALUE",
                        help="leave the observations with this id, month, mission or quantity out of the fit, to "
                             "predict them (repeat for more; e.g. --hold-out month=216)")
    parser.add_argument("-w", "--workers", type=worker_count, default=2, help="worker processes (default 2)")
    parser.add_argument("--dask-local", action="store_true", help="run on a Dask LocalCluster")
    parser.add_argument("--scheduler", default=None, help="run on an existing Dask scheduler (tcp://host:8786)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def cmd_calibrate(args: argparse.Namespace) -> int:
    from simulation.analysis.calibrate import calibrate, write_report
    from simulation.inputs.evidence import selector

    try:
        import pyabc  # noqa: F401
    except ModuleNotFoundError:
        print("error: calibration needs pyabc: pip install 'mission-ecosystems[calibrate]'", file=sys.stderr)
        return 1
    hold_out = tuple(selector(text) for text in args.hold_out)
    name = resolve(args.scenario).config.name
    out = args.out if args.out is not None else Path("results") / "calibrate" / name
    argv = ["missions", *getattr(args, "argv", ["calibrate", str(args.scenario)])]
    cal = calibrate(args.scenario, out, population=args.population, generations=args.generations,
                    replicates=args.replicates, seed=args.seed, workers=args.workers, scheduler=args.scheduler,
                    dask_local=args.dask_local, progress=not args.quiet and sys.stderr.isatty(), hold_out=hold_out)
    report = write_report(cal, out, argv, max(args.replicates, 20), args.workers)
    print(cal.posterior.to_string(index=False))
    print(f"{cal.runs} runs in {cal.wall_s / 60:.1f} minutes; report: {report}")
    return 0


CASE_COMMANDS: tuple[Command, ...] = (
    Command("cases", "run every case file against its observations; write docs/cases.md and its figures",
            add_cases_arguments, cmd_cases),
    Command("calibrate", "fit a case file's assumptions to its observations (ABC-SMC); write a calibrated file",
            add_calibrate_arguments, cmd_calibrate),
)
