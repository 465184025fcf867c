"""The sweep subcommands of ``missions``: sweep, resume, status, analyze, compare."""

from __future__ import annotations

import argparse
import sys

from simulation.frontends.commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, Command, add_ensemble_argument
from simulation.inputs.arguments import worker_count
from simulation.inputs.limits import DASK_TIMEOUT_S, LARGE_SWEEP_RUNS


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds (got {text!r})") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0 (got {text})")
    return value


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-w", "--workers", type=worker_count, default=1,
                        help="local worker processes, or LocalCluster workers (default 1; results are identical)")
    add_ensemble_argument(parser)
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                        help="send runs to an existing Dask distributed scheduler; its workers need this package "
                             "at this version")
    engine.add_argument("--dask-local", action="store_true", help="start a Dask LocalCluster with --workers workers")
    parser.add_argument("--timeout", type=seconds, default=DASK_TIMEOUT_S, metavar="SECONDS",
                        help=f"with Dask: give up when there is no worker, or no run finishes, for this long "
                             f"(default {DASK_TIMEOUT_S:.0f})")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--keep-parts", action="store_true",
                        help="keep parts/ (one Parquet file per run) after gathering them into whole tables")


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("experiment", help="experiment name in experiments/ or path to a YAML file")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="sweep directory (default results/<experiment>/<timestamp>-<id>/; must be new or empty)")
    parser.add_argument("--yes", action="store_true",
                        help=f"run a design of more than {LARGE_SWEEP_RUNS:,} runs (points x replicates)")
    add_engine_arguments(parser)


def _report(sweep) -> int:
    status = sweep.status()
    print(f"{sweep.path}: {status['done']} done, {status['failed']} failed, {status['pending']} pending "
          f"of {status['total']} runs")
    if status["failed"]:
        print(f"tracebacks in {sweep.path / 'failed'}; retry with: missions resume {sweep.path} --retry-failed")
    return EXIT_OK if status["failed"] == 0 else EXIT_FAILED


def cmd_sweep(args: argparse.Namespace) -> int:
    from simulation.execution import sweep

    result = sweep.start(args.experiment, args.out, workers=args.workers, scheduler=args.scheduler,
                         dask_local=args.dask_local, progress=not args.quiet, argv=["missions", *args.argv],
                         yes=args.yes, timeout=args.timeout, keep_parts=args.keep_parts, ensemble=args.ensemble)
    return _report(result)


def add_resume_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="a sweep directory")
    parser.add_argument("--retry-failed", action="store_true", help="also re-run the runs that failed")
    add_engine_arguments(parser)


def _open(directory: str):
    """The sweep in ``directory``; OutputError (exit 2) if it is not one or is damaged."""
    from simulation.execution.sweep import Sweep

    return Sweep.open(directory)


def cmd_resume(args: argparse.Namespace) -> int:
    from simulation.execution import sweep

    result = sweep.resume(args.directory, workers=args.workers, scheduler=args.scheduler,
                          dask_local=args.dask_local, retry_failed=args.retry_failed, progress=not args.quiet,
                          timeout=args.timeout, keep_parts=args.keep_parts, ensemble=args.ensemble)
    return _report(result)


def add_directory_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", help="a sweep directory")


def cmd_status(args: argparse.Namespace) -> int:
    from simulation.execution.locking import holder

    found = _open(args.directory)
    status = found.status()
    print(f"{found.experiment.name}: {status['done']} done, {status['failed']} failed, "
          f"{status['pending']} pending of {status['total']} runs")
    running = holder(found.path)
    if running:
        print(f"a sweep or resume is running in it now ({running})")
    elif status["pending"] == 0 and not found.gather_finished():
        print(f"the final gather of the tables did not finish; `missions resume {found.path}` finishes it")
    elif status["pending"]:
        print(f"`missions resume {found.path}` runs the pending runs")
    return EXIT_OK


def add_analyze_arguments(parser: argparse.ArgumentParser) -> None:
    add_directory_argument(parser)
    parser.add_argument("--output", dest="outputs", action="append", default=None, metavar="OUTCOME",
                        help="outcome to analyse (repeatable; default: the experiment's outputs)")
    parser.add_argument("--prim", action="append", default=None, metavar="OUTCOME<VALUE",
                        help="scenario discovery: which factor ranges lead to OUTCOME<VALUE (or <=, >, >=); "
                             "default achieved_share<0.5")


def cmd_analyze(args: argparse.Namespace) -> int:
    from simulation.analysis.sweeps import analyze, parse_threshold
    from simulation.core.metrics import OUTCOMES

    _open(args.directory)
    try:
        for text in args.prim or []:
            parse_threshold(text)
        unknown = [o for o in (args.outputs or []) + [parse_threshold(t)[0] for t in args.prim or []]
                   if o not in OUTCOMES]
        if unknown:
            raise ValueError(f"unknown outcome {unknown[0]!r}; expected one of: {', '.join(OUTCOMES)}")
        report = analyze(args.directory, args.outputs, args.prim)  # a sweep with no finished run is a ValueError
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"report: {report}")
    return EXIT_OK


def add_compare_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory_a", help="sweep A (the reference)")
    parser.add_argument("directory_b", help="sweep B; differences are B minus A")
    parser.add_argument("--out", default=None, metavar="DIR", help="where to write (default B/compare-vs-<A>)")
    parser.add_argument("--output", dest="outputs", action="append", default=None, metavar="OUTCOME",
                        help="outcome to compare (repeatable; default: outputs both experiments share)")


def cmd_compare(args: argparse.Namespace) -> int:
    from simulation.analysis.compare import compare

    _open(args.directory_a), _open(args.directory_b)
    try:
        path = compare(args.directory_a, args.directory_b, args.out, args.outputs)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(path.read_text(encoding="utf-8"))
    print(f"report: {path}")
    return EXIT_OK


SWEEP_COMMANDS: tuple[Command, ...] = (
    Command("sweep", "run an experiment's design points and replicates, streaming results to disk",
            add_sweep_arguments, cmd_sweep),
    Command("resume", "finish a killed sweep: run what is pending (--retry-failed: and what failed), then gather",
            add_resume_arguments, cmd_resume),
    Command("status", "count a sweep's done, failed and pending runs", add_directory_argument, cmd_status),
    Command("analyze", "sensitivity indices, outcome plots and PRIM scenario discovery: report.md",
            add_analyze_arguments, cmd_analyze),
    Command("compare", "paired differences between two sweeps with bootstrap confidence intervals",
            add_compare_arguments, cmd_compare),
)
