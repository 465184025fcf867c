"""Running many seeded model runs, in this process or in a pool of worker processes.

``run_one`` is a pure function of a picklable :class:`RunSpec`: it builds the
model from the spec's config and seed, runs it and returns a picklable
:class:`RunResult` whose tables already carry the run's id, replicate and
seed. ``run_ensemble`` does the same for several specs of one structure at
once (their configurations may differ in real-valued parameters: a sweep's
design points), as one :class:`~simulation.core.ensemble.Ensemble` (results
identical to ``run_one`` of each). ``run_many`` groups specs into ensembles, fans them out to
any ``concurrent.futures.Executor``-like object (a process pool by default; a
Dask ``client.get_executor()`` works the same way) and returns results ordered
by run id, whatever order they finished in. A run that raises, or kills its
worker process, is recorded as a failed result; it does not stop the batch.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simulation.core.ensemble import Ensemble
from simulation.core.metrics import ACTOR_TYPES, MISSION_METRICS
from simulation.core.model import MissionModel
from simulation.core.recorder import FACET_DTYPE, STATUS_DTYPE, Recorder
from simulation.core.varying import structure
from simulation.execution import workers as engines
from simulation.inputs.limits import ENSEMBLE_BYTES, MAX_ENSEMBLE, max_workers
from simulation.inputs.params import Config
from simulation.inputs.scenario import parameters

RUN_COLUMNS = ("run_id", "point", "replicate", "seed")
"""Columns that lead every row of every table, so any row can be traced to its run (``point``: 0 in a batch)."""


@dataclass(frozen=True)
class RunSpec:
    """One run to do: a resolved config, the seed of this replicate and a stable id."""

    run_id: str
    scenario: str
    replicate: int
    seed: int
    config: Config
    point: int = 0  # the design point of a sweep
    order: int | None = None  # place in its sweep's plan (runs that follow each other there go together)


@dataclass(eq=False)
class Tables:
    """The tables of runs of one configuration, done together: each table holds every run's rows, run after run,
    the same number of rows each. Kept as one frame per table because results travel from worker processes
    pickled: building, pickling and joining a frame per run and table cost about a seventh of a run's model
    time."""

    steps: pd.DataFrame  # per month and mission
    actors: pd.DataFrame  # per month and actor type
    missions: pd.DataFrame  # per mission, at the end
    runs: int

    def rows(self, table: str, first: int, stop: int) -> pd.DataFrame:
        """The rows of runs ``first`` to ``stop - 1`` in ``table``."""
        frame = getattr(self, table)
        if first == 0 and stop == self.runs:
            return frame
        per_run = len(frame) // self.runs
        return frame.iloc[first * per_run:stop * per_run].reset_index(drop=True)


@dataclass
class RunResult:
    """What one run produced; tables are empty and ``error`` holds the traceback if it failed."""

    run_id: str
    scenario: str
    replicate: int
    seed: int
    tables: Tables | None = None  # shared by the runs done with it; this run is its number ``index``
    index: int = 0
    row: dict[str, Any] = field(default_factory=dict)  # one row of runs.parquet
    wall_s: float = 0.0
    error: str | None = None
    attempts: int = 1  # times it was started: more than 1 when its worker process died

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def steps(self) -> pd.DataFrame:
        return self._own("steps")

    @property
    def actors(self) -> pd.DataFrame:
        return self._own("actors")

    @property
    def missions(self) -> pd.DataFrame:
        return self._own("missions")

    def _own(self, table: str) -> pd.DataFrame:
        return pd.DataFrame() if self.tables is None else self.tables.rows(table, self.index, self.index + 1)


def joined(results: Sequence[RunResult], table: str) -> pd.DataFrame:
    """One table of several successful runs, in their order: the runs done together and following each other
    are one slice of their shared frame, so a whole ensemble's rows are taken as they are."""
    pieces = []
    for _, found in itertools.groupby(results, key=lambda r: id(r.tables)):
        found = list(found)
        tables, indices = found[0].tables, [r.index for r in found]
        stretches = np.split(indices, np.flatnonzero(np.diff(indices) != 1) + 1)
        pieces += [tables.rows(table, int(s[0]), int(s[-1]) + 1) for s in stretches]
    if len(pieces) == 1:
        return pieces[0]
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()


def make_specs(config: Config, seeds: list[int], scenario: str | None = None) -> list[RunSpec]:
    """One spec per seed, replicate k getting ``seeds[k]`` and id ``<scenario>-<k:04d>``."""
    name = scenario or config.name
    return [RunSpec(f"{name}-{k:04d}", name, k, int(seed), config) for k, seed in enumerate(seeds)]


def run_one(spec: RunSpec) -> RunResult:
    """Run one model to its configured length and collect its tables (no I/O, no globals)."""
    start = time.perf_counter()
    try:
        model = MissionModel(spec.config, seed=spec.seed).run()
        return collected([spec], [model], model.recorder, time.perf_counter() - start)[0]
    except Exception:  # recorded per run so one bad run does not sink a batch
        return failed_run(spec, traceback.format_exc(), wall_s=time.perf_counter() - start)


def run_ensemble(specs: Sequence[RunSpec]) -> list[RunResult]:
    """Run specs of one structure (:func:`simulation.core.varying.structure`) together as one ensemble; each
    result is the one ``run_one`` gives.

    If the ensemble raises, each spec is run alone, so the run at fault is the only failed one."""
    if len(specs) == 1:
        return [run_one(specs[0])]
    start = time.perf_counter()
    try:
        ensemble = Ensemble([s.config for s in specs], [s.seed for s in specs]).run()
        return collected(specs, list(ensemble), ensemble.recorder, time.perf_counter() - start)
    except Exception:
        return [run_one(spec) for spec in specs]


def collected(specs: Sequence[RunSpec], runs: Sequence[Any], recorder: Recorder, wall_s: float) -> list[RunResult]:
    """The results of finished runs of one structure (a model alone, or the replicates of an ensemble, whose
    ``recorder`` holds them all): their tables built once for them all, each row led by its run's ids; each run's
    ``wall_s`` is its share of the time."""
    clock = time.perf_counter()
    params: dict[int, dict[str, Any]] = {}  # each configuration's parameters, read once for the runs sharing it
    rows = [run_row(spec, params.setdefault(id(spec.config), parameters(spec.config))) for spec in specs]
    names = runs[0].missions.names
    missions = missions_table([record for run in runs for record in run.mission_summary()], names)
    tables = Tables(*(_lead(frame, rows) for frame in (recorder.mission_frame(names), recorder.actor_frame(),
                                                       missions)), runs=len(specs))
    results = [RunResult(spec.run_id, spec.scenario, spec.replicate, spec.seed, tables, k, row={**row, **run.summary()})
               for k, (spec, row, run) in enumerate(zip(specs, rows, runs, strict=True))]
    share = (wall_s + time.perf_counter() - clock) / len(specs)
    for result in results:
        result.wall_s = share
    return results


def ensemble_size(config: Config, runs: int, workers: int) -> int:
    """Replicates to advance together: enough to share each step's fixed cost (at most MAX_ENSEMBLE), few
    enough that every worker gets a share of ``runs`` and an ensemble stays within ENSEMBLE_BYTES."""
    pop, n_missions, steps = config.population, config.portfolio.count, config.time.steps
    actors = pop.ministries + pop.firms + pop.citizens
    recorded = (steps + 1) * (n_missions * len(MISSION_METRICS) + len(ACTOR_TYPES) * 5)
    state = actors * (16 * n_missions + 24) + pop.citizens * config.network.degree * 2
    per_replicate = 8 * (recorded + state)
    return max(1, min(MAX_ENSEMBLE, ENSEMBLE_BYTES // per_replicate, math.ceil(runs / max(workers, 1))))


def ensembles(specs: Iterable[RunSpec], ensemble: int | None, runs: int, workers: int) -> Iterator[tuple[RunSpec, ...]]:
    """Consecutive runs of one structure (:func:`simulation.core.varying.structure`: the same configuration,
    or one that differs in real-valued parameters only, as a sweep's design points do) in groups of
    ``ensemble`` at most (default: :func:`ensemble_size` of the group's configuration), built lazily for long
    sweeps. A group holds no gap in its sweep's plan (runs done before), so a sweep's parts each cover
    consecutive runs."""
    group: list[RunSpec] = []
    size, shape = 1, None
    for spec in specs:
        if group and (len(group) >= size or not _follows(group[-1], spec)
                      or (spec.config is not group[-1].config and structure(spec.config) != shape)):
            yield tuple(group)
            group = []
        if not group:
            size, shape = ensemble or ensemble_size(spec.config, runs, workers), structure(spec.config)
        group.append(spec)
    if group:
        yield tuple(group)


def _follows(before: RunSpec, spec: RunSpec) -> bool:
    """Whether ``spec`` is the run after ``before``: next in its sweep's plan, or the next replicate."""
    if spec.order is not None and before.order is not None:
        return spec.order == before.order + 1
    return spec.replicate == before.replicate + 1


def singles(group: tuple[RunSpec, ...]) -> list[tuple[RunSpec, ...]]:
    """A group split into one-run groups: how a group whose worker died is run again, run by run."""
    return [(spec,) for spec in group]


def lost_group(group: tuple[RunSpec, ...], attempts: int, why: str) -> list[RunResult]:
    """The runs of a one-run group whose worker process died (``workers.stream``'s ``died``)."""
    return [lost_run(spec, attempts, why) for spec in group]


def run_row(spec: RunSpec, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The leading columns of a run's row in runs.parquet: its ids, scenario and every parameter (``params``:
    ``parameters(spec.config)``, if already read)."""
    ids = {"run_id": spec.run_id, "point": spec.point, "replicate": spec.replicate, "seed": spec.seed}
    return {**ids, "scenario": spec.scenario, **(parameters(spec.config) if params is None else params)}


def failed_run(spec: RunSpec, error: str, *, wall_s: float = 0.0, attempts: int = 1) -> RunResult:
    """A run with no tables and ``error`` saying why."""
    return RunResult(spec.run_id, spec.scenario, spec.replicate, spec.seed, row=run_row(spec),
                     wall_s=wall_s, error=error, attempts=attempts)


def lost_run(spec: RunSpec, attempts: int, why: str) -> RunResult:
    """A run whose worker process died (``workers.stream``'s ``died``)."""
    return failed_run(spec, f"WorkerDied: {why}\n", attempts=attempts)


def missions_table(rows: list[dict], names: list[str]) -> pd.DataFrame:
    """End-of-run mission records with the categories ``steps`` uses, so a column has one dtype in every table
    (built from its columns at once: converting columns of a built frame cost twice as much)."""
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    columns["mission_name"] = pd.Categorical(columns["mission_name"], categories=list(dict.fromkeys(names)))
    columns["status"] = pd.Categorical(columns["status"], dtype=STATUS_DTYPE)
    columns["final_facet"] = pd.Categorical(columns["final_facet"], dtype=FACET_DTYPE)
    return pd.DataFrame(columns)


def run_many(specs: Iterable[RunSpec], workers: int = 1, progress: bool = True,
             executor: Executor | None = None, *, isolate: bool = False,
             ensemble: int | None = None) -> list[RunResult]:
    """Run every spec and return the results ordered by run id.

    ``workers=1`` runs in this process unless ``isolate`` (then in one worker
    process, so that a run that kills its process is only a failed run); more
    starts a process pool of that size. An ``executor`` given by the caller
    (anything with ``submit`` returning concurrent futures) is used as is and left open.
    Runs of one configuration go together in ensembles of ``ensemble`` replicates
    (default :func:`ensemble_size`); 1 runs each alone.
    """
    specs = list(specs)
    ids = [s.run_id for s in specs]
    if len(set(ids)) != len(ids):
        raise ValueError("run ids must be unique")
    if executor is None and not 1 <= workers <= max_workers():
        raise ValueError(f"workers: expected 1 to {max_workers()} (got {workers})")
    if ensemble is not None and (isinstance(ensemble, bool) or not isinstance(ensemble, int)
                                 or not 1 <= ensemble <= MAX_ENSEMBLE):
        raise ValueError(f"ensemble: expected a whole number from 1 to {MAX_ENSEMBLE} (got {ensemble!r})")
    bar = Progress(len(specs), specs[0].scenario if specs else "", progress)
    results: list[RunResult] = []
    if executor is not None:
        engine = engines.shared_engine(executor, window=max(len(specs), 1))
    elif isolate or (workers > 1 and len(specs) > 1):
        engine = engines.local_engine(max(min(workers, len(specs)), 1))
    else:
        engine = None
    groups = ensembles(specs, ensemble, len(specs), 1 if engine is None else workers)
    try:
        found = engines.stream(engine, groups, run_ensemble, lost_group, split=singles) if engine \
            else map(run_ensemble, groups)
        for group in found:
            for result in group:
                results.append(result)
                bar.update(result)
    finally:
        bar.close()
    return sorted(results, key=lambda r: r.run_id)


def _lead(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``frame``, whose rows are ``rows``' runs' one after the other (as many each), with each row's run id,
    point, replicate and seed as its first columns (one concatenation: inserting them one by one cost three times
    as much)."""
    per_run = len(frame) // len(rows)
    ids = {key: np.repeat([row[key] for row in rows], per_run) for key in RUN_COLUMNS}
    return pd.concat([pd.DataFrame(ids, index=frame.index), frame], axis=1)


class Progress:
    """A tqdm bar on stderr when it is a terminal; otherwise one closing line."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.total, self.label, self.enabled = total, label, enabled
        self.start, self.failed = time.perf_counter(), 0
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit="run", file=sys.stderr, dynamic_ncols=True)

    def update(self, result: RunResult) -> None:
        self.failed += not result.ok
        if self.bar is not None:
            self.bar.update(1)
            if self.failed:
                self.bar.set_postfix(failed=self.failed)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.enabled:
            failed = f", {self.failed} failed" if self.failed else ""
            print(f"{self.label}: {self.total} runs in {time.perf_counter() - self.start:.1f} s{failed}",
                  file=sys.stderr)
