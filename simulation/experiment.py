"""Experiment files: a base scenario, a design over dotted-key factors, replicates, a root seed, outputs.

An experiment expands into design points (one row of factor values each) and,
for every point, ``replicates`` runs. Replicate k gets the same seed at every
point (common random numbers), so two points, or two sweeps, compare pairwise.
Factor bounds are checked against the parameter schema; the schema is never restated.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from simulation.limits import LARGE_SWEEP_RUNS, MAX_SWEEP_RUNS
from simulation.metrics import OUTCOMES
from simulation.params import Config, Section, bounds, field_of, get_dotted, name_field, param, with_overrides
from simulation.rng import int_seed, replicate_seeds
from simulation.runner import RunSpec
from simulation.safe_yaml import YAMLProblem, load_file
from simulation.scenario import SUFFIXES, ScenarioError, capped, expected, kind_of, resolve

EXPERIMENT_DIR = Path(__file__).resolve().parent.parent / "experiments"


class DesignKind(StrEnum):
    FACTORIAL = "factorial"
    LHS = "lhs"
    SOBOL = "sobol"
    MORRIS = "morris"


SAMPLED = (DesignKind.LHS, DesignKind.SOBOL, DesignKind.MORRIS)


class Factor(Section):
    """Values of one dotted key: ``levels`` for a factorial design, ``range`` for sampled designs."""

    levels: list[Any] | None = Field(None, description="Values to try (factorial designs)")
    range: tuple[float, float] | None = Field(None, description="[low, high] to sample (LHS, Sobol, Morris)")

    @model_validator(mode="after")
    def _one_of(self) -> Factor:
        if (self.levels is None) == (self.range is None):
            raise ValueError("give either levels (factorial) or range (lhs, sobol, morris)")
        if self.levels is not None and not self.levels:
            raise ValueError("levels: expected at least one value")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range: expected low < high (got {list(self.range)})")
        return self


class Design(Section):
    kind: DesignKind = Field(DesignKind.FACTORIAL, description="factorial | lhs | sobol | morris")
    samples: int = param(16, ge=1, le=1_000_000, unit="samples",
                         doc="LHS points; Sobol base sample N (a power of 2); Morris trajectories")
    levels: int = param(4, ge=2, le=50, unit="levels", doc="Grid levels of a Morris design")


class Experiment(Section):
    """A sweep over a base scenario."""

    name: str = name_field("experiment", "Experiment name; defaults to the file name")
    description: str = Field("", description="The question the experiment answers")
    scenario: str = Field("baseline", description="Base scenario: a name in scenarios/ or a path")
    replicates: int = param(10, ge=1, le=100_000, unit="runs per point", doc="Seeded replicates per design point")
    seed: int = param(2026, ge=0, le=2**63 - 1, unit="", doc="Root seed: replicate k's seed derives from it")
    steps: int | None = param(None, ge=1, le=2400, unit="months", doc="Run length (default: the scenario's)")
    design: Design = Design()
    factors: dict[str, Factor] = Field(description="Dotted keys of the parameter schema and their values")
    fixed: dict[str, Any] = Field(default_factory=dict, description="Dotted overrides applied at every point")
    outputs: list[str] = Field(default_factory=lambda: ["mean_progress", "achieved_share", "peak_burnt_out"],
                               description="Run outcomes to analyse (keys of the run summary)")

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if not self.factors:
            raise ValueError("factors: expected at least one factor")
        sampled = self.design.kind in SAMPLED
        for key, factor in self.factors.items():
            if sampled and factor.range is None:
                raise ValueError(f"factors.{key}: a {self.design.kind} design needs a range, not levels")
            if not sampled and factor.levels is None:
                raise ValueError(f"factors.{key}: a factorial design needs levels, not a range")
        if self.design.kind is DesignKind.SOBOL and self.design.samples & (self.design.samples - 1):
            raise ValueError(f"design.samples: a Sobol design needs a power of 2 (got {self.design.samples})")
        unknown = [o for o in self.outputs if o not in OUTCOMES]
        if unknown:
            raise ValueError(f"outputs: unknown outcome {unknown[0]!r}; expected some of: {', '.join(OUTCOMES)}")
        return self

    def problem(self) -> dict:
        """The SALib problem of a sampled design."""
        names = list(self.factors)
        return {"num_vars": len(names), "names": names, "bounds": [list(self.factors[n].range) for n in names]}


# ------------------------------------------------------------------ loading
def load_experiment(name_or_path: str | Path, *, yes: bool = False) -> tuple[Experiment, Config, Path]:
    """The validated experiment, its resolved base config and its file. Raises ScenarioError.

    A design of more than LARGE_SWEEP_RUNS runs needs ``yes``; one of more than MAX_SWEEP_RUNS is refused.
    """
    path = _locate(name_or_path)
    try:
        data = load_file(path)[1]
    except YAMLProblem as exc:
        raise ScenarioError(str(exc)) from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of experiment keys at the top level (got {kind_of(data)})")
    data.setdefault("name", path.stem)
    try:
        experiment = Experiment.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(capped(exc.errors(), lambda error: f"{path}: {describe_error(error)}", str(path))) from None
    _check_size(experiment, path, yes)
    try:
        base = resolve(experiment.scenario).config
    except ScenarioError as exc:
        raise ScenarioError([f"{path}: scenario: {problem}" for problem in exc.problems]) from None
    return experiment, _check_values(experiment, base, path), path


def describe_error(error: dict) -> str:
    """One pydantic error as ``key.path: what was expected (got value)``."""
    loc = ".".join(str(part) for part in error["loc"])
    return f"{loc}: {expected(error)}" if loc else expected(error)


def _locate(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    candidates = [Path(text)] if text.endswith((".yaml", ".yml")) or "/" in text else \
        [EXPERIMENT_DIR / f"{text}{suffix}" for suffix in (".yaml", ".yml")]
    for path in candidates:
        if path.is_file() and path.suffix not in SUFFIXES:
            raise ScenarioError(f"{path}: expected an experiment name or a .yaml or .yml file")
        if path.is_file():
            return path
    available = ", ".join(sorted(p.stem for p in EXPERIMENT_DIR.glob("*.yaml"))) or "none"
    raise ScenarioError(f"{candidates[0]}: experiment not found; available: {available}")


def _check_values(experiment: Experiment, base: Config, path: Path) -> Config:
    """Check every factor value and fixed override against the schema; return the fixed base config."""
    problems = []
    for key in (*experiment.factors, *experiment.fixed):
        try:
            field_of(key)
        except KeyError as exc:
            problems.append(f"{path}: {'factors' if key in experiment.factors else 'fixed'}.{key}: {exc.args[0]}")
    if problems:
        raise ScenarioError(problems)
    overrides = dict(experiment.fixed)
    if experiment.steps is not None:
        overrides["time.steps"] = experiment.steps
    try:
        fixed = with_overrides(base, overrides)
    except KeyError as exc:  # a list index the scenario does not have
        raise ScenarioError(f"{path}: fixed: {exc.args[0]} in scenario {experiment.scenario!r}") from None
    except ValidationError as exc:
        raise ScenarioError([f"{path}: fixed.{describe_error(e)}" for e in exc.errors()]) from None
    for key in experiment.factors:
        try:
            get_dotted(fixed, key)
        except KeyError as exc:
            problems.append(f"{path}: factors.{key}: {exc.args[0]} in scenario {experiment.scenario!r}")
    if problems:
        raise ScenarioError(problems)
    for key, factor in experiment.factors.items():
        lo, hi = bounds(field_of(key))
        if factor.range is not None:
            if (lo is not None and factor.range[0] < lo) or (hi is not None and factor.range[1] > hi):
                problems.append(f"{path}: factors.{key}.range: expected within the schema's bounds "
                                f"[{lo}, {hi}] (got {list(factor.range)})")
            continue
        for i, value in enumerate(factor.levels):
            try:
                with_overrides(fixed, {key: value})
            except ValidationError as exc:
                problems += [f"{path}: factors.{key}.levels.{i}: {describe_error(e)}" for e in exc.errors()]
    if problems:
        raise ScenarioError(problems)
    return fixed


def design_size(experiment: Experiment) -> int:
    """Design points, counted without building the design."""
    d, factors = experiment.design, experiment.factors
    if d.kind is DesignKind.FACTORIAL:
        return int(np.prod([len(f.levels) for f in factors.values()], dtype=object))
    return d.samples * {DesignKind.LHS: 1, DesignKind.SOBOL: len(factors) + 2, DesignKind.MORRIS: len(factors) + 1}[d.kind]


def _check_size(experiment: Experiment, path: Path, yes: bool) -> None:
    points = design_size(experiment)
    runs = points * experiment.replicates
    what = f"{points:,} design points x {experiment.replicates:,} replicates = {runs:,} runs"
    if runs > MAX_SWEEP_RUNS:
        raise ScenarioError(f"{path}: design: {what}, more than the {MAX_SWEEP_RUNS:,} a sweep may have")
    if runs > LARGE_SWEEP_RUNS and not yes:
        raise ScenarioError(f"{path}: design: {what}, more than {LARGE_SWEEP_RUNS:,}; pass --yes to run them")


def checked_design(experiment: Experiment, fixed: Config, path: Path) -> pd.DataFrame:
    """The design points, once each point's config validates.

    Every point is validated here, before anything is written, so no run fails for a combination
    of factor values that the schema's cross-field rules forbid (or a sampled value of the wrong type).
    """
    design = design_points(experiment)
    bad: list[tuple[int, dict, dict]] = []  # (point, its values, its first error)
    for point in design.index:
        values = point_values(design, point)
        try:
            with_overrides(fixed, values)
        except ValidationError as exc:
            bad.append((point, values, exc.errors()[0]))
    if bad:
        point, values, error = bad[0]
        shown = ", ".join(f"{key}={value!r}" for key, value in values.items())
        raise ScenarioError(f"{path}: factors: {len(bad)} of {len(design)} design points break the schema; the "
                            f"first, point {point} ({shown}): {describe_error(error)}")
    return design


# ------------------------------------------------------------------ expansion
def design_points(experiment: Experiment) -> pd.DataFrame:
    """One row per design point, one column per factor (dotted key), index named ``point``."""
    names = list(experiment.factors)
    kind, d = experiment.design.kind, experiment.design
    if kind is DesignKind.FACTORIAL:
        grids = np.meshgrid(*[np.arange(len(experiment.factors[n].levels)) for n in names], indexing="ij")
        rows = {n: [experiment.factors[n].levels[i] for i in g.ravel()] for n, g in zip(names, grids, strict=True)}
        points = pd.DataFrame(rows)
    else:
        from SALib.sample import latin, morris, sobol

        seed = int_seed(experiment.seed, "design")
        problem = experiment.problem()
        if kind is DesignKind.LHS:
            values = latin.sample(problem, d.samples, seed=seed)
        elif kind is DesignKind.SOBOL:
            values = sobol.sample(problem, d.samples, calc_second_order=False, seed=seed)
        else:
            values = morris.sample(problem, d.samples, num_levels=d.levels, seed=seed)
        points = pd.DataFrame(values, columns=names)
        for n in names:
            if field_of(n).annotation is int:
                points[n] = points[n].round().astype(int)
    points.index.name = "point"
    return points


def run_id(point: int, replicate: int) -> str:
    return f"p{point:05d}-r{replicate:04d}"


def plan(experiment: Experiment, base: Config, points: pd.DataFrame) -> pd.DataFrame:
    """Every (point, replicate) run: id, point, replicate and seed. Seeds depend on the replicate only."""
    seeds = replicate_seeds(experiment.seed, experiment.replicates)
    n_points, reps = len(points), experiment.replicates
    return pd.DataFrame({
        "run_id": [run_id(p, r) for p in range(n_points) for r in range(reps)],
        "point": np.repeat(np.arange(n_points), reps),
        "replicate": np.tile(np.arange(reps), n_points),
        "seed": np.tile(np.array(seeds, dtype=np.int64), n_points),
    })


def specs(experiment: Experiment, base: Config, points: pd.DataFrame, runs: pd.DataFrame):
    """RunSpecs for the rows of ``runs`` (a subset of the plan), built point by point, lazily."""
    configs: dict[int, Config] = {}
    for row in runs.itertuples(index=False):
        if row.point not in configs:
            configs[row.point] = with_overrides(base, point_values(points, row.point))
        yield RunSpec(row.run_id, experiment.name, int(row.replicate), int(row.seed), configs[row.point])


def point_values(points: pd.DataFrame, point: int) -> dict[str, Any]:
    """Factor values of one design point as plain Python values (column by column, keeping each dtype).

    A whole-number factor whose column pandas holds as floats (a null level makes it so) gives ints again,
    as its levels were: the schema's counts are strict.
    """
    values = {key: plain(points.at[point, key]) for key in points.columns}
    return {key: int(value) if isinstance(value, float) and value.is_integer() and _whole(key) else value
            for key, value in values.items()}


def _whole(key: str) -> bool:
    annotation = field_of(key).annotation
    return annotation is int or int in getattr(annotation, "__args__", ())


def plain(value: Any) -> Any:
    """numpy scalars as Python values, so the schema validates them as the YAML would (NaN: null)."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and value != value else value
