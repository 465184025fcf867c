"""Running a pattern's experiments under variants, in this process or a pool, keeping only the run summaries.

A variant changes an experiment the way a robustness or ablation arm needs:
another base scenario, another run length, extra fixed dotted overrides
(applied after the experiment's own ``fixed``, before each design point's
factor values). The experiment file itself is read through the experiment
schema, and seeds come from its root seed exactly as in a sweep: replicate k
has the same seed at every point and in every variant (common random numbers).

Pattern checks need one row per run, so runs go straight to the model's
summary, with no per-step tables and no sweep directory (several times
faster than ``missions sweep``, with the same seeds and outcomes). The
replicates of a design point run together as an ensemble, whose replicates
are bit-identical to runs alone.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import ValidationError

from simulation.analysis.patterns.spec import Pattern
from simulation.core.ensemble import Ensemble
from simulation.core.model import MissionModel
from simulation.execution.experiment import describe_error, design_points, plan, specs
from simulation.execution.runner import RunSpec, ensembles
from simulation.inputs.scenario import ScenarioError, resolve

CPU = "cpu_s"
"""Column of each run's CPU seconds: what the budget is measured in, whatever else loads the machine."""
ENSEMBLE = 16
"""Replicates of a point advanced together at most: a second or two of work, so messages cost little and every
worker stays busy."""


@dataclass(frozen=True)
class Variant:
    """How an arm or robustness case changes every experiment it runs."""

    name: str
    scenario: str | None = None  # base scenario instead of the experiment's
    steps: int | None = None  # months per run instead of the experiment's
    fixed: Mapping[str, Any] = field(default_factory=dict)  # extra dotted overrides at every point


INTACT = Variant("intact")


class CannotHost(ValueError):
    """The variant's settings cannot be combined with the experiment (a scenario or point fails validation)."""


def summarise(spec: RunSpec) -> dict[str, Any]:
    """One run's summary row and its CPU seconds (in a worker); a run that raises gives its traceback instead."""
    start = time.process_time()
    try:
        row = MissionModel(spec.config, seed=spec.seed).run().summary()
    except Exception:  # recorded so that one bad run does not sink the batch
        row = {"error": traceback.format_exc()}
    return row | {CPU: time.process_time() - start}


def summarise_ensemble(group: tuple[RunSpec, ...]) -> list[dict[str, Any]]:
    """Summary rows of runs of one structure run together (design points that differ in real values share one
    ensemble), each with its share of the CPU seconds; if the ensemble raises, each run alone (so the run at
    fault is the only one with a traceback)."""
    start = time.process_time()
    try:
        rows = [run.summary() for run in Ensemble([s.config for s in group], [s.seed for s in group]).run()]
    except Exception:
        return [summarise(spec) for spec in group]
    share = (time.process_time() - start) / len(group)
    return [row | {CPU: share} for row in rows]


def prepare(pattern: Pattern, name: str, variant: Variant) -> tuple[pd.DataFrame, list[RunSpec]]:
    """The plan of one experiment under a variant (run, point, replicate, seed, factor values) and its specs."""
    experiment, _, path = pattern.experiments[name]
    own = dict(experiment.fixed) | ({"time.steps": experiment.steps} if experiment.steps else {})
    layer = dict(variant.fixed) | ({"time.steps": variant.steps} if variant.steps else {})
    try:
        base = resolve(variant.scenario or experiment.scenario, own, origin=f"{path}: fixed",
                       layers=[(f"variant '{variant.name}'", layer)]).config
        points = design_points(experiment)
        runs = plan(experiment, base, points)
        batch = list(specs(experiment, base, points, runs))
    except ScenarioError as exc:
        raise CannotHost(f"{name}: {exc.problems[0]}") from None
    except ValidationError as exc:
        raise CannotHost(f"{name}: {describe_error(exc.errors()[0])}") from None
    return runs.join(points, on="point"), batch


def run_variants(pattern: Pattern, jobs: Sequence[tuple[Variant, Sequence[str]]], pool: Executor) -> dict[str, dict | str]:
    """Run each variant's experiments; per variant name, {experiment: run table} or why it could not run.

    Every run of every job goes to the pool in one stream, so the workers stay busy to the end.
    """
    prepared: dict[tuple[str, str], tuple[pd.DataFrame, list[RunSpec]]] = {}
    out: dict[str, dict | str] = {}
    for variant, names in jobs:
        try:
            for name in names:
                prepared[variant.name, name] = prepare(pattern, name, variant)
        except CannotHost as exc:
            out[variant.name] = f"cannot host: {exc}"
            for name in names:
                prepared.pop((variant.name, name), None)
    queue = [spec for _, batch in prepared.values() for spec in batch]
    groups = ensembles(queue, ENSEMBLE, len(queue), 1)
    rows = (row for group in pool.map(summarise_ensemble, groups) for row in group)
    for (variant_name, name), (table, batch) in prepared.items():
        outcomes = pd.DataFrame([next(rows) for _ in batch], index=table.index)
        if "error" in outcomes and outcomes["error"].notna().any():
            last = outcomes["error"].dropna().iloc[0].strip().splitlines()[-1]
            out[variant_name] = f"a run failed in {name}: {last}"
            continue
        if not isinstance(out.get(variant_name), str):
            out.setdefault(variant_name, {})[name] = pd.concat([table, outcomes], axis=1)
    return out
