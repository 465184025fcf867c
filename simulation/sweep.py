"""Sweeps: every (design point, replicate) run, streamed to disk as it finishes, resumable after a kill.

A sweep directory holds the experiment as given, the resolved base config,
the design and the plan of runs, and one Parquet part per finished run. A
run is done when its ``parts/runs/<run_id>.parquet`` exists (written last,
atomically), failed when ``failed/<run_id>.txt`` holds its traceback, and
pending otherwise; so status and resume need nothing but the files, and a
sweep killed at any moment loses at most the runs in flight. When every run
is done, the parts are gathered into ``runs.parquet``, ``steps.parquet`` and
``missions.parquet`` in large row groups, and ``parts/`` is removed (unless
asked to keep it, or some runs failed: a retry gathers again from the parts).
A failed run also leaves ``parts/errors/<run_id>.parquet``, its row of
``runs.parquet`` with the traceback in ``error``.

The same code path serves a local process pool, a Dask LocalCluster and a
remote Dask scheduler: each is a ``concurrent.futures`` executor, fed a
bounded window of runs so memory stays flat in the number of runs.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from simulation import results as store
from simulation.experiment import Experiment, design_points, load_experiment, plan, specs, validate
from simulation.params import Config
from simulation.runner import Progress, RunResult, run_one, worker_context

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
        path = Path(path)
        if not (path / "plan.parquet").is_file():
            raise FileNotFoundError(f"{path}: not a sweep directory (no plan.parquet)")
        experiment = Experiment.model_validate(json.loads((path / "experiment.json").read_text(encoding="utf-8")))
        base = Config.model_validate_json((path / "base_config.json").read_text(encoding="utf-8"))
        points = pd.read_parquet(path / "design.parquet").set_index("point")
        return cls(path, experiment, base, points, pd.read_parquet(path / "plan.parquet"))

    # -------------------------------------------------------------- state
    def done_ids(self) -> set[str]:
        if self.gathered():
            runs = pd.read_parquet(self.path / "runs.parquet", columns=["run_id", "error"])
            return set(runs.loc[runs["error"].isna(), "run_id"])
        return {p.stem for p in (self.path / "parts" / "runs").glob("*.parquet")}

    def gathered(self) -> bool:
        """Whether the parts were gathered into whole tables and removed."""
        return (self.path / "runs.parquet").is_file() and not (self.path / "parts").exists()

    def failed_ids(self) -> set[str]:
        return {p.stem for p in (self.path / "failed").glob("*.txt")} - self.done_ids()

    def status(self) -> dict[str, int]:
        done, failed = self.done_ids(), self.failed_ids()
        total = len(self.plan)
        return {"total": total, "done": len(done), "failed": len(failed), "pending": total - len(done) - len(failed)}

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
          argv: list[str] | None = None, keep_parts: bool = False) -> Sweep:
    """Validate an experiment (a file, or an ``Experiment`` or dict from Python), lay out its sweep directory
    and run it."""
    if isinstance(experiment_path, Experiment | dict):
        experiment, base = validate(experiment_path)
        text = yaml.safe_dump(experiment.model_dump(mode="json"), sort_keys=False)
        source = None
    else:
        experiment, base, source = load_experiment(experiment_path)
        text = source.read_text(encoding="utf-8")
    path = Path(out) if out is not None else store.default_run_dir(experiment.name, root="results")
    if path.exists() and any(path.iterdir()):
        raise store.OutputError(f"{path}: already exists and is not empty; use `missions resume {path}` "
                                f"to finish a sweep there, or choose a new directory")
    points = design_points(experiment)
    path.mkdir(parents=True, exist_ok=True)
    store.atomic_write(path / "experiment.yaml", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    store.write_json(experiment.model_dump(mode="json"), path / "experiment.json")
    store.atomic_write(path / "base_config.json", lambda tmp: tmp.write_text(base.model_dump_json(indent=2)))
    store.write_table(points.reset_index(), path / "design.parquet")
    store.write_table(plan(experiment, base, points), path / "plan.parquet")
    store.write_json({
        "format": store.FORMAT, "kind": "sweep", "experiment": experiment.name, "state": "running",
        "created": store.utc_now(),
        "input": {"path": str(source) if source else None, "sha256": store.sha256(path / "experiment.yaml")},
        "design": {"kind": experiment.design.kind.value, "points": len(points),
                   "replicates": experiment.replicates, "runs": len(points) * experiment.replicates},
        "root_seed": experiment.seed, "command": argv if argv is not None else sys.argv,
        **store.provenance(),
    }, path / "manifest.json")
    sweep = Sweep.open(path)
    execute(sweep, workers=workers, scheduler=scheduler, dask_local=dask_local, progress=progress,
            keep_parts=keep_parts)
    return sweep


def resume(path: str | Path, *, workers: int = 1, scheduler: str | None = None, dask_local: bool = False,
           retry_failed: bool = False, progress: bool = True, keep_parts: bool = False) -> Sweep:
    """Run what a sweep is missing (and, if asked, what failed) and finish it."""
    sweep = Sweep.open(path)
    if retry_failed:
        for run_id in sweep.failed_ids():
            (sweep.path / "failed" / f"{run_id}.txt").unlink()
            (sweep.path / "parts" / "errors" / f"{run_id}.parquet").unlink(missing_ok=True)
    execute(sweep, workers=workers, scheduler=scheduler, dask_local=dask_local, progress=progress,
            keep_parts=keep_parts)
    return sweep


def execute(sweep: Sweep, *, workers: int, scheduler: str | None, dask_local: bool, progress: bool,
            keep_parts: bool = False) -> None:
    """Run every pending run of ``sweep``, writing each as it finishes, then gather the tables."""
    if sweep.gathered():  # finished, every run done, parts gathered and removed: nothing to do
        return
    skip = sweep.done_ids() | sweep.failed_ids()
    todo = sweep.plan[~sweep.plan["run_id"].isin(skip)]
    for part in (*PARTS, "errors"):
        (sweep.path / "parts" / part).mkdir(parents=True, exist_ok=True)
    (sweep.path / "failed").mkdir(exist_ok=True)
    started = time.perf_counter()
    bar = Progress(len(todo), sweep.experiment.name, progress)
    try:
        with executor(workers, scheduler, dask_local) as pool:
            for result in stream(pool, specs(sweep.experiment, sweep.base, sweep.points, todo), window=4 * workers):
                write_result(sweep, result)
                bar.update(result)
    finally:
        bar.close()
    finish(sweep, time.perf_counter() - started, keep_parts=keep_parts)


def stream(pool: Executor, runs: Iterator, window: int) -> Iterator[RunResult]:
    """Results of ``runs`` as they finish, with at most ``window`` runs submitted at once."""
    in_flight: set[Future] = set()
    try:
        for spec in runs:
            if len(in_flight) >= max(window, 1):
                finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in finished)
            in_flight.add(pool.submit(run_one, spec))
        while in_flight:
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in finished)
    finally:
        for future in in_flight:
            future.cancel()


def write_result(sweep: Sweep, result: RunResult) -> None:
    """Stream one finished run to disk; the runs part goes last, as the done marker."""
    row = pd.DataFrame([{**result.row, "error": result.error}])  # the schema of a batch's runs.parquet
    if not result.ok:
        store.write_table(row, sweep.path / "parts" / "errors" / f"{result.run_id}.parquet")
        store.atomic_write(sweep.path / "failed" / f"{result.run_id}.txt",
                           lambda tmp: tmp.write_text(result.error, encoding="utf-8"))
        return
    store.write_table(result.steps, sweep.path / "parts" / "steps" / f"{result.run_id}.parquet")
    store.write_table(result.missions, sweep.path / "parts" / "missions" / f"{result.run_id}.parquet")
    store.write_table(row, sweep.path / "parts" / "runs" / f"{result.run_id}.parquet")


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


# ------------------------------------------------------------------ executors
class InProcess(Executor):
    """Runs each submitted call at once, in this process (``--workers 1``)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # pragma: no cover - run_one records its own errors
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def executor(workers: int, scheduler: str | None = None, dask_local: bool = False) -> Iterator[Executor]:
    """A process pool, a Dask LocalCluster, a remote Dask scheduler, or this process."""
    if scheduler or dask_local:
        from distributed import Client, LocalCluster

        with contextlib.ExitStack() as stack:
            if scheduler:
                client = stack.enter_context(Client(scheduler))
            else:
                cluster = stack.enter_context(LocalCluster(n_workers=max(workers, 1), threads_per_worker=1,
                                                           processes=True, dashboard_address=None))
                client = stack.enter_context(Client(cluster))
            yield client.get_executor(pure=False)
    elif workers <= 1:
        yield InProcess()
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context()) as pool:
            yield pool


