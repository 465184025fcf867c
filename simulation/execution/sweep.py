"""Sweeps: every (design point, replicate) run, streamed to disk as it finishes, resumable after a kill.

A sweep directory holds the experiment as given, the resolved base config,
the design and the plan of runs, and Parquet parts of the finished runs. Runs
that follow each other in the plan and share a structure (a design point's
replicates, and the next points' where they differ in real values only) go
together as an ensemble (``runner.run_ensemble``), and the
finished runs of an ensemble that follow each other in the plan are written as
one part per table, named by the first run's id: ``parts/steps/<run_id>.parquet``,
``parts/missions/...``, and last, atomically, ``parts/runs/<run_id>.parquet``,
whose rows mark their runs done. A run is failed when ``failed/<run_id>.txt``
holds its traceback (or why its worker died) and how many times it was tried,
and pending otherwise; so status and resume need nothing but the files, and a
sweep killed at any moment loses at most the runs in flight (a part left without
its runs part by a kill is removed when the sweep resumes). Parts never overlap
and each covers consecutive runs, so their names in order are the runs' order.
When every run is done, the parts are gathered into ``runs.parquet``, ``steps.parquet`` and ``missions.parquet`` in
large row groups, and ``parts/`` is removed (unless asked to keep it, or some
runs failed: a retry gathers again from the parts). A failed run also leaves
``parts/errors/<run_id>.parquet``, its row of ``runs.parquet`` with the
traceback in ``error``.

The directory is laid out in a staging directory beside it and renamed into
place, so a sweep killed while starting leaves only a ``*.partial-*``
directory; ``sweep`` and ``resume`` hold its lock (``simulation.execution.locking``) while
they run, so two of them never write one directory.

The same code path serves a local process pool, a Dask LocalCluster and a
remote Dask scheduler: each is a ``concurrent.futures`` executor, fed a
bounded window of runs so memory stays flat in the number of runs
(``simulation.execution.workers``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import yaml

from simulation.execution import locking
from simulation.execution import results as store
from simulation.execution.dask_engine import engine
from simulation.execution.errors import EngineError, Interrupted, OutputError, exit_code_of
from simulation.execution.experiment import Experiment, checked_design, load_experiment, plan, specs, validate
from simulation.execution.runner import Progress, RunResult, ensembles, joined, lost_group, run_ensemble, singles
from simulation.execution.workers import Engine, stream
from simulation.inputs.limits import DASK_TIMEOUT_S
from simulation.inputs.params import Config

PARTS = ("runs", "steps", "missions")
GATHERED = ("experiment.yaml", "experiment.json", "base_config.json", "design.parquet", "plan.parquet",
            *(f"{part}.parquet" for part in PARTS))
"""The files of a finished sweep that its manifest lists with their sha256."""


@dataclass
class Sweep:
    """A sweep directory, read back."""

    path: Path
    experiment: Experiment
    base: Config
    points: pd.DataFrame
    plan: pd.DataFrame

    @classmethod
    def open(cls, path: Path | str) -> Sweep:
        """Read a sweep directory back; OutputError (one line) if it is not one or is damaged."""
        path = Path(path)
        if not (path / "plan.parquet").is_file():
            killed = " (a sweep killed while it was being laid out: delete it)" if ".partial-" in path.name else ""
            raise OutputError(f"{path}: not a sweep directory (no plan.parquet){killed}")
        experiment = _read(path / "experiment.json", lambda f: Experiment.model_validate(
            json.loads(f.read_text(encoding="utf-8"))))
        base = _read(path / "base_config.json", lambda f: Config.model_validate_json(f.read_text(encoding="utf-8")))
        points = _read(path / "design.parquet", lambda f: pd.read_parquet(f).set_index("point"))
        return cls(path, experiment, base, points, _read(path / "plan.parquet", pd.read_parquet))

    # -------------------------------------------------------------- state
    def done_ids(self) -> set[str]:
        if self.gathered():
            runs = pd.read_parquet(self.path / "runs.parquet", columns=["run_id", "error"])
            return set(runs.loc[runs["error"].isna(), "run_id"])
        files = sorted((self.path / "parts" / "runs").glob("*.parquet"))
        return {run for f in files for run in pq.read_table(f, columns=["run_id"])["run_id"].to_pylist()}

    def gathered(self) -> bool:
        """Whether the parts were gathered into whole tables and removed."""
        return (self.path / "runs.parquet").is_file() and not (self.path / "parts").exists()

    def failed_ids(self, done: set[str] | None = None) -> set[str]:
        """Runs with a failure record and no success since (``done``: :meth:`done_ids`, if already read)."""
        return {p.stem for p in (self.path / "failed").glob("*.txt")} - (self.done_ids() if done is None else done)

    def status(self) -> dict[str, int]:
        done = self.done_ids()
        failed = self.failed_ids(done)
        total = len(self.plan)
        return {"total": total, "done": len(done), "failed": len(failed), "pending": total - len(done) - len(failed)}

    def gather_finished(self) -> bool:
        """Whether the final gather finished: the manifest says complete (it is written after the tables)."""
        manifest = _read(self.path / "manifest.json", lambda f: json.loads(f.read_text(encoding="utf-8")))
        return str(manifest.get("state", "")).startswith("complete")

    def runs(self) -> pd.DataFrame:
        """One row per successful run: ids, point, parameters and outcomes, ordered by run id
        (``runs.parquet`` also holds a row for each failed run, with its traceback in ``error``)."""
        runs = pd.read_parquet(self.path / "runs.parquet") if (self.path / "runs.parquet").is_file() \
            else self._gather("runs")
        return runs[runs["error"].isna()].reset_index(drop=True) if "error" in runs else runs

    def steps(self) -> pd.DataFrame:
        return self._table("steps")

    def missions(self) -> pd.DataFrame:
        return self._table("missions")

    def _table(self, part: str) -> pd.DataFrame:
        if (self.path / f"{part}.parquet").is_file():
            return pd.read_parquet(self.path / f"{part}.parquet")
        return self._gather(part)

    def _gather(self, part: str) -> pd.DataFrame:
        files = sorted((self.path / "parts" / part).glob("*.parquet"))
        if not files:
            return pd.DataFrame()
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


# ------------------------------------------------------------------ entry points
def start(experiment_path: str | Path | Experiment | dict, out: str | Path | None = None, *, workers: int = 1,
          scheduler: str | None = None, dask_local: bool = False, progress: bool = True,
          argv: list[str] | None = None, yes: bool = False, timeout: float = DASK_TIMEOUT_S,
          keep_parts: bool = False, ensemble: int | None = None) -> Sweep:
    """Validate an experiment (a file, or an ``Experiment`` or dict from Python), lay out its sweep
    directory and run it.

    Everything is checked before anything is written: the experiment and every design point, the
    size of the design (more than LARGE_SWEEP_RUNS runs need ``yes``), the output directory and the
    engine (a remote scheduler must answer and have workers with this package's version).
    """
    if isinstance(experiment_path, Experiment | dict):
        experiment, base = validate(experiment_path, yes=yes)
        source = None
    else:
        experiment, base, source = load_experiment(experiment_path, yes=yes)
    path = Path(out) if out is not None else store.default_run_dir(experiment.name, root="results")
    _check_unused(path)
    points = checked_design(experiment, base, source or "experiment")
    with engine(workers, scheduler, dask_local, timeout) as found:
        stage = path.with_name(f"{path.name}.partial-{secrets.token_hex(3)}")
        stage.mkdir(parents=True)
        try:
            with locking.locked(stage):  # held from the first file to the last run; kept across the rename
                _lay_out(stage, experiment, base, points, source, argv)
                _move_into_place(stage, path)
                sweep = Sweep.open(path)
                execute(sweep, found, progress=progress, keep_parts=keep_parts, workers=workers, ensemble=ensemble)
        finally:
            shutil.rmtree(stage, ignore_errors=True)  # only there if the rename did not happen
    return sweep


def resume(path: str | Path, *, workers: int = 1, scheduler: str | None = None, dask_local: bool = False,
           retry_failed: bool = False, progress: bool = True, timeout: float = DASK_TIMEOUT_S,
           keep_parts: bool = False, ensemble: int | None = None) -> Sweep:
    """Run what a sweep is missing (and, if asked, what failed) and finish it."""
    sweep = Sweep.open(path)
    with locking.locked(sweep.path), engine(workers, scheduler, dask_local, timeout) as found:
        execute(sweep, found, progress=progress, retry_failed=retry_failed, keep_parts=keep_parts, workers=workers,
                ensemble=ensemble)
    return sweep


def execute(sweep: Sweep, found: Engine, *, progress: bool, retry_failed: bool = False,
            keep_parts: bool = False, workers: int = 1, ensemble: int | None = None) -> None:
    """Run every pending run of ``sweep`` (and the failed ones if asked), writing each as it finishes,
    then gather the tables. Ctrl-C, SIGTERM or a lost engine stop it with a message saying what was kept.
    The replicates of a design point run together in ensembles (``runner.run_many``)."""
    if sweep.gathered():  # finished, every run done, parts gathered and removed: nothing to do
        return
    done = sweep.done_ids()
    skip = done | (set() if retry_failed else sweep.failed_ids(done))
    todo = sweep.plan[~sweep.plan["run_id"].isin(skip)]
    for part in (*PARTS, "errors"):
        (sweep.path / "parts" / part).mkdir(parents=True, exist_ok=True)
    _remove_unfinished_parts(sweep)
    (sweep.path / "failed").mkdir(exist_ok=True)
    started = time.perf_counter()
    bar = Progress(len(todo), sweep.experiment.name, progress)
    try:
        groups = ensembles(specs(sweep.experiment, sweep.base, sweep.points, todo), ensemble, len(todo), workers)
        for group in stream(found, groups, run_ensemble, lost_group, split=singles):
            write_results(sweep, group)
            for result in group:
                bar.update(result)
    except KeyboardInterrupt as exc:
        raise Interrupted(f"interrupted; {_kept(sweep)}", exit_code_of(exc)) from None
    except EngineError as exc:
        raise EngineError(f"{exc}; {_kept(sweep)}", exit_code=1) from None
    finally:
        bar.close()
    finish(sweep, time.perf_counter() - started, keep_parts=keep_parts)


def write_results(sweep: Sweep, results: list[RunResult]) -> None:
    """Stream an ensemble's finished runs to disk: each stretch of consecutive successful runs as one part per
    table (the runs part last, as the done marker), each failure as its own record.

    A failure's file says how many times the run was tried, this time and before (``--retry-failed``),
    and its row of runs.parquet (with the traceback in ``error``) waits in ``parts/errors/``.
    """
    stretch: list[RunResult] = []
    for result in results:
        if result.ok:
            stretch.append(result)
            continue
        _write_done(sweep, stretch)
        stretch = []
        _write_failed(sweep, result)
    _write_done(sweep, stretch)


def _write_failed(sweep: Sweep, result: RunResult) -> None:
    failed = sweep.path / "failed" / f"{result.run_id}.txt"
    record = f"attempts: {result.attempts + attempts_of(failed)}\n{result.error}"
    store.write_table(_rows([result]), sweep.path / "parts" / "errors" / f"{result.run_id}.parquet")
    store.atomic_write(failed, lambda tmp: tmp.write_text(record, encoding="utf-8"))


def _write_done(sweep: Sweep, done: list[RunResult]) -> None:
    """Consecutive successful runs as one part of each table, named by the first run's id."""
    if not done:
        return
    name = f"{done[0].run_id}.parquet"
    for table in PARTS[1:]:
        store.write_table(joined(done, table), sweep.path / "parts" / table / name)
    store.write_table(_rows(done), sweep.path / "parts" / "runs" / name)
    for result in done:  # it failed before and was retried
        (sweep.path / "parts" / "errors" / f"{result.run_id}.parquet").unlink(missing_ok=True)
        (sweep.path / "failed" / f"{result.run_id}.txt").unlink(missing_ok=True)


def _rows(results: list[RunResult]) -> pd.DataFrame:
    """Rows of runs.parquet, with the schema of a batch's (``error`` a string column)."""
    rows = pd.DataFrame([{**r.row, "error": r.error} for r in results])
    rows["error"] = rows["error"].astype("str")
    return rows


def _remove_unfinished_parts(sweep: Sweep) -> None:
    """Parts of tables written before a kill stopped their runs part: those runs are pending and run again."""
    parts = sweep.path / "parts"
    done = {f.name for f in (parts / "runs").glob("*.parquet")}
    for table in PARTS[1:]:
        for f in (parts / table).glob("*.parquet"):
            if f.name not in done:
                f.unlink()


def finish(sweep: Sweep, wall_s: float, keep_parts: bool = False) -> None:
    """Gather parts into whole tables when every run is done; record the state and file hashes in the manifest.

    The parts go once the tables are written, unless ``keep_parts`` or some runs failed."""
    status = sweep.status()
    manifest = store.read_manifest(sweep.path)
    manifest["status"] = status
    manifest.setdefault("sessions", []).append({"ended": store.utc_now(), "wall_s": round(wall_s, 3)})
    parts = sweep.path / "parts"
    if status["pending"] == 0:
        for part in PARTS:
            extra = ("errors",) if part == "runs" else ()
            files = [f for folder in (part, *extra) for f in (parts / folder).glob("*.parquet")]
            store.concat_parquet(sorted(files, key=lambda f: f.stem), sweep.path / f"{part}.parquet")  # run-id order
        manifest["state"] = "complete" if status["failed"] == 0 else "complete with failures"
        manifest["files"] = {name: {"sha256": store.sha256(sweep.path / name), "bytes": (sweep.path / name).stat().st_size}
                             for name in GATHERED}
    store.write_json(manifest, sweep.path / "manifest.json")
    if status["pending"] == 0 and status["failed"] == 0 and not keep_parts:
        shutil.rmtree(parts)


# ------------------------------------------------------------------ laying out, reading back
def _check_unused(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise OutputError(f"{path}: already exists and is not empty; use `missions resume {path}` "
                          f"to finish a sweep there, or choose a new directory")


def _lay_out(stage: Path, experiment: Experiment, base: Config, points: pd.DataFrame, source: Path | None,
             argv: list[str] | None) -> None:
    """The sweep's inputs, design, plan and manifest; an experiment given from Python is saved as YAML."""
    if source is not None:
        shutil.copyfile(source, stage / "experiment.yaml")
    else:
        text = yaml.safe_dump(experiment.model_dump(mode="json"), sort_keys=False)
        store.atomic_write(stage / "experiment.yaml", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    store.write_json(experiment.model_dump(mode="json"), stage / "experiment.json")
    store.atomic_write(stage / "base_config.json", lambda tmp: tmp.write_text(base.model_dump_json(indent=2)))
    store.write_table(points.reset_index(), stage / "design.parquet")
    store.write_table(plan(experiment, base, points), stage / "plan.parquet")
    store.write_json({
        "format": store.FORMAT, "kind": "sweep", "experiment": experiment.name, "state": "running",
        "created": store.utc_now(),
        "input": {"path": str(source) if source else None, "sha256": store.sha256(stage / "experiment.yaml")},
        "design": {"kind": experiment.design.kind.value, "points": len(points),
                   "replicates": experiment.replicates, "runs": len(points) * experiment.replicates},
        "root_seed": experiment.seed, "command": argv if argv is not None else sys.argv,
        **store.provenance(),
    }, stage / "manifest.json")


def _move_into_place(stage: Path, path: Path) -> None:
    """Rename the laid-out ``stage`` to ``path`` (atomic; onto an empty directory too)."""
    try:
        os.replace(stage, path)
    except OSError as exc:
        if path.is_dir() and any(path.iterdir()):  # another sweep got there first
            raise OutputError(f"{path}: another sweep started there meanwhile; choose a new directory") from None
        raise exc from None


def _kept(sweep: Sweep) -> str:
    s = sweep.status()
    failed = f" ({s['failed']} failed)" if s["failed"] else ""
    return (f"{s['done'] + s['failed']} of {s['total']} runs are saved in {sweep.path}{failed}; "
            f"`missions resume {sweep.path}` runs the rest")


def attempts_of(failed: Path) -> int:
    """How many times a run recorded as failed in ``failed`` was tried (0 if it has no record)."""
    try:
        found = re.match(r"attempts: (\d+)", failed.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0
    return int(found.group(1)) if found else 1


def _read(file: Path, read: Callable[[Path], Any]) -> Any:
    """``read(file)`` with any failure as one line naming the file."""
    try:
        return read(file)
    except FileNotFoundError:
        raise OutputError(f"{file.parent}: not a sweep directory (no {file.name})") from None
    except (OSError, ValueError) as exc:  # bad JSON, a schema error, a truncated Parquet file
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise OutputError(f"{file}: unreadable, the sweep directory is damaged ({first})") from None


