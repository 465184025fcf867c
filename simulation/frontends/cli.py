"""The ``missions`` command: run scenarios in batches, list and show them, open the UI.

Each subcommand is a :class:`Command`: a name, a help line, a function that
adds its arguments and a function that runs it and returns an exit code.
``COMMANDS`` lists them; a new subcommand (sweep, resume, status ...) is a
``Command`` in its own module plus one entry there. Exit codes: 0 done,
1 runs failed (or a Dask cluster was lost midway), 2 bad input (unknown key,
wrong type, out-of-range value, missing or unreadable file, malformed YAML, an
``extends`` cycle, a bad flag, an unusable output directory or scheduler),
130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
``main`` is the one error boundary: every expected failure becomes one line
on stderr. Heavy modules are imported inside the commands, so ``missions list``
is quick.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import reprlib
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from simulation.frontends.case_cli import CASE_COMMANDS
from simulation.frontends.commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, Command, add_ensemble_argument
from simulation.frontends.sweep_cli import SWEEP_COMMANDS
from simulation.inputs.arguments import whole_number, worker_count
from simulation.inputs.limits import MAX_REPLICATES


# ------------------------------------------------------------------ shared arguments
def key_value(text: str) -> tuple[str, Any]:
    """``--set key=value``: the value is read as YAML, so numbers, booleans and lists work."""
    from simulation.inputs.safe_yaml import YAMLProblem, load_text

    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE such as portfolio.mission.ambition=0.8 "
                                         f"(got {reprlib.repr(text)})")
    try:
        return key.strip(), load_text(raw, "value")
    except YAMLProblem as exc:
        problem = str(exc).removeprefix("value: ")
        raise argparse.ArgumentTypeError(f"{key.strip()}: value {reprlib.repr(raw)} is not valid YAML ({problem})") from None


positive_int = whole_number(1)
non_negative_int = whole_number(0)


def add_scenario_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", help="scenario name in scenarios/ (see 'missions list') or path to a YAML file")
    parser.add_argument("--set", dest="overrides", metavar="KEY=VALUE", type=key_value, action="append",
                        default=[], help="override a parameter by dotted key, e.g. portfolio.mission.ambition=0.9 "
                                         "(repeatable; the value is read as YAML)")


def overrides_of(args: argparse.Namespace) -> dict[str, Any]:
    return dict(args.overrides)


# ------------------------------------------------------------------ run
def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_arguments(parser)
    parser.add_argument("-n", "--replicates", type=whole_number(1, MAX_REPLICATES), default=1,
                        help="seeded runs (default 1)")
    parser.add_argument("--seed", type=non_negative_int, default=None,
                        help="root seed; replicate k gets replicate_seeds(seed, n)[k] (default: the scenario's seed)")
    parser.add_argument("--steps", type=positive_int, default=None, help="months to run (overrides time.steps)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="write here instead of results/<scenario>/<timestamp>-<id>/ (must be new or empty)")
    parser.add_argument("-w", "--workers", type=worker_count, default=1,
                        help="local worker processes (default 1; results are identical for any number)")
    add_ensemble_argument(parser)
    parser.add_argument("--no-plots", dest="plots", action="store_false", help="skip the PNG figures")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary table")


def cmd_run(args: argparse.Namespace) -> int:
    from simulation.analysis import api
    from simulation.execution import results as store

    layers = [("--steps", {"time.steps": args.steps})] if args.steps is not None else []
    batch = api.plan(args.scenario, args.replicates, args.seed, overrides=overrides_of(args), origin="--set",
                     layers=layers)
    out = args.out if args.out is not None else store.default_run_dir(batch.config.name)
    try:  # runs go to worker processes even for one worker, so a run that kills its process is only a failed run
        res = api.run_batch(batch, workers=args.workers, out=out, progress=not args.quiet, plots=args.plots,
                            argv=["missions", *args.argv], isolate=True, ensemble=args.ensemble)
    except api.RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not args.quiet:
        n = len(batch.specs)
        print(f"{batch.config.name}: {n} replicate{'s' * (n != 1)} x {batch.config.time.steps} months, "
              f"root seed {batch.root_seed}")
        print(store.format_summary(res.runs, res.missions))
    print(f"results: {res.path}")
    return EXIT_OK


# ------------------------------------------------------------------ list, show
def cmd_list(args: argparse.Namespace) -> int:
    from simulation.inputs.locations import search_path
    from simulation.inputs.scenario import list_scenarios

    rows = list_scenarios()
    if not rows:
        print(f"no scenario files in {', '.join(map(str, search_path('scenarios'))) or 'any scenarios/ folder'}")
        return EXIT_OK
    width = max(len(name) for name, _ in rows)
    for name, description in rows:
        print(f"{name:<{width}}  {description}")
    return EXIT_OK


def add_show_arguments(parser: argparse.ArgumentParser) -> None:
    add_scenario_arguments(parser)
    parser.add_argument("--changed", action="store_true",
                        help="only the parameters that differ from the schema defaults, as dotted keys")


def cmd_show(args: argparse.Namespace) -> int:
    import yaml

    from simulation.inputs.scenario import changed_parameters, resolve

    resolved = resolve(args.scenario, overrides_of(args), origin="--set")
    config = resolved.config
    files = " <- ".join(str(s.path) for s in resolved.sources) or "(no file)"
    print(f"# {config.name}: {config.description}\n# from {files}")
    if args.changed:
        print(yaml.safe_dump(changed_parameters(config), sort_keys=False, allow_unicode=True), end="")
    else:
        print(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True), end="")
    return EXIT_OK


# ------------------------------------------------------------------ ui
def add_ui_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=positive_int, default=8765, help="port (default 8765)")


def cmd_ui(args: argparse.Namespace) -> int:
    try:
        from simulation.frontends import ui
    except ModuleNotFoundError as exc:  # the [ui] extra is not installed
        print(f"error: the interactive UI needs {exc.name}: pip install 'mission-ecosystems[ui]'", file=sys.stderr)
        return EXIT_FAILED
    ui.warn_if_exposed(args.host, args.port)
    result = ui.serve(host=args.host, port=args.port)
    return result if isinstance(result, int) else EXIT_OK


COMMANDS: tuple[Command, ...] = (
    Command("run", "run a scenario's replicates and write results, plots and a manifest", add_run_arguments, cmd_run),
    Command("list", "list the scenarios with one-line descriptions", lambda parser: None, cmd_list),
    Command("show", "print a scenario's resolved parameters (YAML)", add_show_arguments, cmd_show),
    Command("ui", "open the interactive browser UI", add_ui_arguments, cmd_ui),
    *SWEEP_COMMANDS,
    *CASE_COMMANDS,
)


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (``error: argument --workers: ...``), as every other error is."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see '{self.prog} --help')\n")


def build_parser(commands: Sequence[Command] = COMMANDS) -> argparse.ArgumentParser:
    from simulation import __version__

    parser = Parser(prog="missions", description="Simulate mission ecosystems (Mesa ABM).")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        command_parser = sub.add_parser(command.name, help=command.help, description=command.help)
        command.add_arguments(command_parser)
        command_parser.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``missions`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (exit 2) or the help (exit 0)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    args.argv = argv
    with signals_as_interrupts():
        return run_guarded(args)


EXIT_GRACE_S = 2.0
"""How long the console script waits for threads still running when its command has returned."""


def console() -> NoReturn:
    """The ``missions`` console script: :func:`main`, then exit with its code.

    A worker stopped while it was sending a result (Ctrl-C, SIGTERM, a lost engine) can leave the process pool's
    manager thread waiting for the rest of that message, and a normal interpreter exit joins that thread
    forever (``workers.process_pool`` ends that wait; this is the backstop). Everything the command writes is
    atomic and already in place, so when such a thread is still alive after a grace period the process leaves at
    once (its workers exit within a second of it)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    others = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    for thread in others:
        thread.join(timeout=EXIT_GRACE_S / len(others))
    if any(t.is_alive() for t in others):
        os._exit(code)
    sys.exit(code)


def run_guarded(args: argparse.Namespace) -> int:
    """Run a parsed command; each expected failure becomes one line per problem on stderr and an exit code."""
    from simulation.execution.errors import EngineError, OutputError, exit_code_of
    from simulation.inputs.scenario import ScenarioError

    try:
        return args.handler(args)
    except (ScenarioError, OutputError) as exc:
        return fail(str(exc), EXIT_BAD_INPUT)
    except EngineError as exc:
        return fail(str(exc), exc.exit_code)
    except BrokenPipeError:  # `missions show x | head`
        return EXIT_OK
    except OSError as exc:  # an unwritable --out, a full disk, a file that vanished
        where = ": ".join(str(name) for name in (exc.filename, exc.filename2) if name is not None)
        return fail(f"{where}: {exc.strerror or exc}" if where else str(exc), EXIT_BAD_INPUT)
    except RecursionError:
        return fail("the input is nested too deeply to process", EXIT_BAD_INPUT)
    except MemoryError:
        return fail("out of memory: the input asks for more than this machine has", EXIT_BAD_INPUT)
    except KeyboardInterrupt as exc:
        print(str(exc) or "interrupted; nothing was written", file=sys.stderr)
        return exit_code_of(exc)


def fail(message: str, code: int) -> int:
    print("error: " + message.replace("\n", "\nerror: "), file=sys.stderr)
    return code


@contextlib.contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C does (cleanup runs, partial output is removed; exit code 143, or 130
    for Ctrl-C), except inside ``errors.interrupts_deferred`` blocks, which finish first."""
    from simulation.execution.errors import interrupt

    try:
        previous = {sent: signal.signal(sent, interrupt) for sent in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for sent, handler in previous.items():
            signal.signal(sent, handler)
