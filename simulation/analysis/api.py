"""Run a scenario's replicates from Python, as ``missions run`` does from the shell.

>>> from simulation import run_scenario
>>> res = run_scenario("moonshot", replicates=4, steps=24)      # doctest: +SKIP
>>> res.steps.groupby("step")["progress"].median()              # doctest: +SKIP

``plan`` resolves and validates everything (raising ``ScenarioError`` on bad
input, before anything is written); ``run_batch`` runs a plan and, given an
output directory, writes it through the results store.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simulation.core.rng import replicate_seeds
from simulation.execution import results as store
from simulation.execution.experiment import Experiment
from simulation.execution.runner import RunResult, RunSpec, make_specs, run_many
from simulation.inputs.limits import MAX_REPLICATES, max_workers
from simulation.inputs.params import Config
from simulation.inputs.scenario import Resolved, ScenarioError, Source, changed_parameters, resolve

if TYPE_CHECKING:
    from simulation.execution.sweep import Sweep


class RunError(RuntimeError):
    """Some runs of a batch raised; their tracebacks are in ``failures`` (and in the manifest if written)."""

    def __init__(self, failures: list[tuple[str, str]], path: Path | None = None) -> None:
        self.failures, self.path = failures, path
        first_id, first_error = failures[0]
        where = f"; results written to {path}" if path else ""
        super().__init__(f"{len(failures)} run(s) failed{where}. First, {first_id}:\n{first_error}")


@dataclass(frozen=True)
class Batch:
    """A validated plan: the resolved scenario, its seeds and one spec per replicate."""

    resolved: Resolved
    root_seed: int
    specs: list[RunSpec]

    @property
    def config(self) -> Config:
        return self.resolved.config

    @property
    def seeds(self) -> list[int]:
        return [s.seed for s in self.specs]


@dataclass
class Results:
    """The tables of a batch (pandas DataFrames) and, if it was written, where."""

    config: Config
    steps: pd.DataFrame  # run x month x mission: mission metrics
    actors: pd.DataFrame  # run x month x actor type
    runs: pd.DataFrame  # one row per run: changed parameters, seed, outcomes
    missions: pd.DataFrame  # run x mission: end-of-run outcomes
    seeds: list[int]
    path: Path | None = None
    manifest: dict[str, Any] | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Per mission across replicates: share achieved, months to goal, progress, spend."""
        return store.summary_table(self.runs, self.missions)


def run_scenario(scenario: str | Path | Config, replicates: int = 1, seed: int | None = None,
                 steps: int | None = None, overrides: Mapping[str, Any] | None = None, workers: int = 1,
                 out: str | Path | None = None, *, progress: bool = False, plots: bool = True,
                 executor: Executor | None = None, ensemble: int | None = None) -> Results:
    """Run ``replicates`` seeded runs of a scenario and return their tables.

    ``scenario`` is a name in ``scenarios/``, a path to a YAML file, or a
    ``Config``. ``seed`` is the root seed (default: the scenario's); replicate
    k runs with ``replicate_seeds(seed, replicates)[k]``, so the same call
    gives the same tables for any ``workers``. ``steps`` overrides
    ``time.steps``; ``overrides`` maps dotted keys to values. With ``out`` the
    batch is also written there (a directory that must not hold anything yet),
    plots included unless ``plots=False``. Raises ``ScenarioError`` on bad
    input and ``RunError`` if any run fails.
    """
    batch = plan(scenario, replicates, seed, steps, overrides)
    return run_batch(batch, workers=workers, out=out, progress=progress, plots=plots, executor=executor,
                     ensemble=ensemble)


def run_experiment(experiment: Experiment | Mapping[str, Any] | str | Path, out: str | Path | None = None, *,
                   workers: int = 1, scheduler: str | None = None, dask_local: bool = False,
                   progress: bool = False, keep_parts: bool = False, ensemble: int | None = None) -> Sweep:
    """Run a sweep, as ``missions sweep`` does, and return it; ``.runs()``, ``.steps()`` and ``.missions()``
    are its tables and ``simulation.analysis.sweeps.summarise(sweep)`` its analysis, all as DataFrames.

    ``experiment`` is an ``Experiment``, a dict with the keys of an experiment file, or a name in
    ``experiments/`` or a path. ``out`` is the sweep directory (default ``results/<name>/<timestamp>-<id>/``;
    it must be new or empty). Raises ``ScenarioError`` on bad input, before anything is written.
    """
    from simulation.execution import sweep

    if isinstance(experiment, Mapping):
        experiment = {"name": "experiment", **experiment}
    return sweep.start(experiment, out, workers=workers, scheduler=scheduler, dask_local=dask_local,
                       progress=progress, argv=[], keep_parts=keep_parts, ensemble=ensemble)


def plan(scenario: str | Path | Config, replicates: int = 1, seed: int | None = None, steps: int | None = None,
         overrides: Mapping[str, Any] | None = None, *, origin: str = "overrides",
         layers: list[tuple[str, Mapping[str, Any]]] | None = None) -> Batch:
    """Resolve and validate a batch without running it; see ``run_scenario`` for the arguments.

    ``origin`` names the source of ``overrides`` in error messages; ``layers``
    adds further labelled overrides (the CLI's ``--steps``).
    """
    if isinstance(replicates, bool) or not isinstance(replicates, int) or not 1 <= replicates <= MAX_REPLICATES:
        raise ScenarioError(f"replicates: expected a whole number from 1 to {MAX_REPLICATES} (got {replicates!r})")
    layers = list(layers or [])
    if steps is not None:
        layers.append(("steps", {"time.steps": steps}))
    resolved = resolve(scenario, overrides, origin=origin, layers=layers)
    root = resolved.config.seed if seed is None else seed
    if isinstance(root, bool) or not isinstance(root, int) or not 0 <= root < 2**63:
        raise ScenarioError(f"seed: expected a whole number from 0 to 2**63 - 1 (got {root!r})")
    specs = make_specs(resolved.config, replicate_seeds(root, replicates))
    return Batch(resolved, root, specs)


def run_batch(batch: Batch, workers: int = 1, out: str | Path | None = None, *, progress: bool = False,
              plots: bool = True, executor: Executor | None = None, argv: list[str] | None = None,
              isolate: bool = False, ensemble: int | None = None) -> Results:
    """Run a planned batch; with ``out``, write it atomically there (see ``simulation.execution.results``).

    ``isolate`` runs even one worker in its own process; ``ensemble`` replicates go together (default: chosen
    from memory); see ``runner.run_many``. Results do not depend on either.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= max_workers():
        raise ScenarioError(f"workers: expected a whole number from 1 to {max_workers()} (got {workers!r})")
    if out is None:
        return _collect(batch, _run(batch, workers, progress, executor, isolate, ensemble)[0])
    with store.staged(Path(out)) as stage:
        started = store.utc_now()
        runs, run_s = _run(batch, workers, progress, executor, isolate, ensemble)
        res = _collect(batch, runs)
        frames = {"steps": res.steps, "actors": res.actors, "missions": res.missions, "runs": res.runs}
        clock = time.perf_counter()
        for name, frame in frames.items():
            store.write_table(frame, stage / f"{name}.parquet")
        write_s = time.perf_counter() - clock
        clock = time.perf_counter()
        if plots:
            from simulation.analysis.plots import write_plots  # matplotlib only where figures are drawn

            write_plots(res.steps, res.actors, stage / "plots", batch.config.name)
        plot_s = time.perf_counter() - clock
        res.manifest = manifest(batch, runs, workers, argv, started=started,
                                timings={"runs_s": run_s, "write_s": write_s, "plots_s": plot_s}, stage=stage)
        store.write_json(res.manifest, stage / "manifest.json")
    res.path = Path(out)
    if res.failures:
        raise RunError(res.failures, res.path)
    return res


def manifest(batch: Batch, runs: list[RunResult], workers: int, argv: list[str] | None, *, started: str,
             timings: dict[str, float], stage: Path) -> dict[str, Any]:
    """Everything needed to trust and reproduce a results directory."""
    config = batch.config
    files = {str(p.relative_to(stage)): {"sha256": store.sha256(p), "bytes": p.stat().st_size}
             for p in sorted(stage.rglob("*")) if p.is_file() and not p.name.startswith(".")}
    per_run = [r.wall_s for r in runs]
    return {
        "format": store.FORMAT,
        "scenario": config.name,
        "description": config.description,
        "inputs": [{"path": _shown(s.path), "sha256": s.sha256} for s in batch.resolved.sources],
        "overrides": batch.resolved.overrides,
        "changed_parameters": changed_parameters(config),
        "config": config.model_dump(mode="json"),
        "root_seed": batch.root_seed,
        "replicates": len(batch.specs),
        "seeds": batch.seeds,
        "run_ids": [s.run_id for s in batch.specs],
        "workers": workers,
        "argv": list(sys.argv if argv is None else argv),
        **store.provenance(),
        "started_utc": started,
        "finished_utc": store.utc_now(),
        "timings": {**{k: round(v, 4) for k, v in timings.items()},
                    "wall_s": round(sum(timings.values()), 4),
                    "run_mean_s": round(sum(per_run) / max(len(per_run), 1), 4),
                    "run_max_s": round(max(per_run, default=0.0), 4)},
        "files": files,
        "failures": [{"run_id": r.run_id, "seed": r.seed, "error": r.error} for r in runs if not r.ok],
    }


def _shown(path: Path) -> str:
    """A path inside the repository as repository-relative (portable across checkouts); others absolute."""
    path = Path(path).resolve()
    return str(path.relative_to(store.REPO)) if path.is_relative_to(store.REPO) else str(path)


def _run(batch: Batch, workers: int, progress: bool, executor: Executor | None, isolate: bool,
         ensemble: int | None) -> tuple[list[RunResult], float]:
    clock = time.perf_counter()
    runs = run_many(batch.specs, workers=workers, progress=progress, executor=executor, isolate=isolate,
                    ensemble=ensemble)
    return runs, time.perf_counter() - clock


def _collect(batch: Batch, runs: list[RunResult]) -> Results:
    frames = store.tables(runs)
    return Results(batch.config, frames["steps"], frames["actors"], frames["runs"], frames["missions"],
                   batch.seeds, failures=[(r.run_id, r.error) for r in runs if not r.ok])


__all__ = ["Batch", "Results", "RunError", "ScenarioError", "Source", "plan", "run_batch", "run_experiment",
           "run_scenario"]
