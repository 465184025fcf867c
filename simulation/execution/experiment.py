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

from simulation.core.metrics import OUTCOMES
from simulation.core.rng import int_seed, replicate_seeds
from simulation.execution.runner import RunSpec
from simulation.inputs import locations
from simulation.inputs.limits import LARGE_SWEEP_RUNS, MAX_SWEEP_RUNS
from simulation.inputs.params import Config, Section, bounds, field_of, get_dotted, name_field, param, with_overrides
from simulation.inputs.safe_yaml import YAMLProblem, load_file
from simulation.inputs.scenario import SUFFIXES, ScenarioError, capped, expected, kind_of, resolve

EXPERIMENT_DIR = locations.shipped("experiments")
"""The shipped experiment files; names are looked up in the user's directories first (``simulation.inputs.locations``)."""


class DesignKind(StrEnum):
    FACTORIAL = "factorial"
    LHS = "lhs"
    SOBOL = "sobol"
    MORRIS = "morris"


SAMPLED = (DesignKind.LHS, DesignKind.SOBOL, DesignKind.MORRIS)


class Factor(Section):
    """Values of one dotted key: ``levels`` (any design; sampled designs draw them with equal chances) or,
    for a numeric key in a sampled design, ``range`` (whole numbers are drawn with equal chances too)."""

    levels: list[Any] | None = Field(None, description="Values to try (factorial) or to draw from (sampled designs)")
    range: tuple[float, float] | None = Field(None, description="[low, high] of a number to sample (LHS, Sobol, Morris)")

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
            if not sampled and factor.levels is None:
                raise ValueError(f"factors.{key}: a factorial design needs levels, not a range")
        if self.design.kind is DesignKind.SOBOL and self.design.samples & (self.design.samples - 1):
            raise ValueError(f"design.samples: a Sobol design needs a power of 2 (got {self.design.samples})")
        unknown = [o for o in self.outputs if o not in OUTCOMES]
        if unknown:
            raise ValueError(f"outputs: unknown outcome {unknown[0]!r}; expected some of: {', '.join(OUTCOMES)}")
        return self

    def problem(self) -> dict:
        """The SALib problem of a sampled design, on the scale it is sampled on: a whole-number range
        [lo, hi] as [lo, hi + 1) and n levels as [0, n), each floored afterwards, so every value gets
        an equal share of the unit interval (rounding gave the end values half a share)."""
        names = list(self.factors)
        return {"num_vars": len(names), "names": names, "bounds": [sampling_bounds(self.factors[n], n) for n in names]}


def whole(key: str) -> bool:
    """Whether the schema field behind ``key`` holds whole numbers."""
    annotation = field_of(key).annotation
    return (set(getattr(annotation, "__args__", (annotation,))) - {type(None)}) == {int}


def numeric(key: str) -> bool:
    annotation = field_of(key).annotation
    kinds = set(getattr(annotation, "__args__", (annotation,))) - {type(None)}
    return bool(kinds) and kinds <= {int, float}


def sampling_bounds(factor: Factor, key: str) -> list[float]:
    if factor.levels is not None:
        return [0.0, float(len(factor.levels))]
    low, high = factor.range
    return [low, high + 1.0] if whole(key) else [low, high]


def decode(experiment: Experiment, values: np.ndarray) -> pd.DataFrame:
    """Sampled values (on the scale of ``problem``) as factor values: numbers, whole numbers or levels."""
    columns = {}
    for i, (key, factor) in enumerate(experiment.factors.items()):
        low, high = sampling_bounds(factor, key)
        if factor.levels is not None:
            picks = np.clip(np.floor(values[:, i]), 0, len(factor.levels) - 1).astype(int)
            columns[key] = pd.Series([factor.levels[k] for k in picks])
        elif whole(key):
            columns[key] = pd.Series(np.clip(np.floor(values[:, i]), low, high - 1).astype(int))
        else:
            columns[key] = pd.Series(values[:, i])
    return pd.DataFrame(columns)


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
    return (*validate(data, path, yes=yes), path)


def validate(data: dict | Experiment, label: str | Path = "experiment", *, yes: bool = False) -> tuple[Experiment, Config]:
    """The validated experiment (from a file's data, a dict or an ``Experiment``) and its fixed base config;
    problems name ``label`` and the key path. A design of more than LARGE_SWEEP_RUNS runs needs ``yes``.
    Raises ScenarioError."""
    try:
        experiment = Experiment.model_validate(data if isinstance(data, dict) else data.model_dump())
    except ValidationError as exc:
        raise ScenarioError(capped(exc.errors(), lambda error: f"{label}: {describe_error(error)}", str(label))) from None
    _check_size(experiment, label, yes)
    try:
        base = resolve(experiment.scenario).config
    except ScenarioError as exc:
        raise ScenarioError([f"{label}: scenario: {problem}" for problem in exc.problems]) from None
    return experiment, _check_values(experiment, base, label)


def describe_error(error: dict) -> str:
    """One pydantic error as ``key.path: what was expected (got value)``."""
    loc = ".".join(str(part) for part in error["loc"])
    return f"{loc}: {expected(error)}" if loc else expected(error)


def _locate(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    by_path = text.endswith(locations.SUFFIXES) or "/" in text
    path = Path(text) if by_path else locations.find("experiments", text)
    if path is not None and path.is_file():
        if path.suffix not in SUFFIXES:
            raise ScenarioError(f"{path}: expected an experiment name or a .yaml or .yml file")
        return path
    available = ", ".join(p.stem for p in locations.files("experiments")) or "none"
    raise ScenarioError(f"{text if by_path else text + '.yaml'}: experiment not found; available: {available}")


def _check_values(experiment: Experiment, base: Config, path: str | Path) -> Config:
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
            if not numeric(key):
                problems.append(f"{path}: factors.{key}.range: {key} is not a number; give levels instead "
                                f"(such as [true, false] or the choices to draw from)")
                continue
            if whole(key) and not all(float(v).is_integer() for v in factor.range):
                problems.append(f"{path}: factors.{key}.range: expected whole numbers (got {list(factor.range)})")
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
    kind = experiment.design.kind
    if kind is DesignKind.FACTORIAL:
        grids = np.meshgrid(*[np.arange(len(experiment.factors[n].levels)) for n in names], indexing="ij")
        rows = {n: [experiment.factors[n].levels[i] for i in g.ravel()] for n, g in zip(names, grids, strict=True)}
        points = pd.DataFrame(rows)
    else:
        points = decode(experiment, sample(experiment))
    points.index.name = "point"
    return points


def sample(experiment: Experiment) -> np.ndarray:
    """The seeded SALib sample of a sampled design, on the scale of ``experiment.problem()``."""
    from SALib.sample import latin, morris, sobol

    d, seed, problem = experiment.design, int_seed(experiment.seed, "design"), experiment.problem()
    if d.kind is DesignKind.LHS:
        return latin.sample(problem, d.samples, seed=seed)
    if d.kind is DesignKind.SOBOL:
        return sobol.sample(problem, d.samples, calc_second_order=False, seed=seed)
    return morris.sample(problem, d.samples, num_levels=d.levels, seed=seed)


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
    for row in runs.itertuples():
        if row.point not in configs:
            configs[row.point] = with_overrides(base, point_values(points, row.point))
        yield RunSpec(row.run_id, experiment.name, int(row.replicate), int(row.seed), configs[row.point],
                      point=int(row.point), order=int(row.Index))


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
