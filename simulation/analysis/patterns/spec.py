"""Pattern specs: what each pattern claims, on which experiment and measure, and what would take it away.

A spec is data, one YAML file per pattern in ``experiments/patterns/specs/``,
validated on load like a scenario (unknown keys rejected; every factor, level,
outcome, scenario and parameter key checked against the experiment files,
``simulation.core.metrics`` and the schema; one line per problem naming the file
and key). It names:

- the pattern's source sentence and statement;
- its **credited mechanism**, a switch (``ambition.enabled``), or the
  switches of mechanisms the source sentence credits together (a list,
  switched off together), and the **coefficient that names it** (or the
  coefficients, one per credited rule) with its neutral value
  (``resistance.focal_weight: 0``), or why no coefficient does;
- its **natural measures**: outcomes not defined in terms of the factors varied;
- its **claims**, each a paired statistical statement over one pattern
  experiment (see :mod:`simulation.analysis.patterns.claims`); the first is the headline
  that the ablation arms test;
- optional **diagnostics**: claims on other measures, reported but not counted
  (to show, for instance, that a pattern holds only on a measure capped by its factor);
- the **claimed class**, ``emergent`` or ``by design``;
- the shipped scenarios that host it in the robustness runs, and those that cannot, with why.
"""

from __future__ import annotations

import difflib
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import ConfigDict, Field, ValidationError

from simulation.core.metrics import OUTCOMES
from simulation.execution.experiment import EXPERIMENT_DIR, Experiment, load_experiment
from simulation.inputs.params import Config, Section, field_of, with_overrides
from simulation.inputs.scenario import ScenarioError, expected, scenario_files

PATTERN_DIR = EXPERIMENT_DIR / "patterns"
SPEC_DIR = PATTERN_DIR / "specs"
PENDING_OUTCOMES: tuple[str, ...] = ()
"""Outcomes issue 10 announces but ``simulation.core.metrics`` does not report yet. A claim on one of them
is not evaluable until it exists; drop a name here once it is in ``metrics.OUTCOMES``."""


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"

    @property
    def sign(self) -> int:
        return 1 if self is Direction.INCREASE else -1


class PatternClass(StrEnum):
    EMERGENT = "emergent"
    BY_DESIGN = "by design"


Point = dict[str, Any]


class _Claim(Section):
    model_config = ConfigDict(populate_by_name=True)

    name: str = Field(description="What the claim says, as the docs show it")
    experiment: str = Field(description="Pattern experiment (file stem in experiments/patterns/)")
    measure: str = Field(description="Run outcome the claim is about")


class Between(Section):
    """Two design points of an experiment; their paired difference is ``to`` minus ``from``."""

    model_config = ConfigDict(populate_by_name=True)

    start: Point = Field(alias="from", description="Design point A: a value for every factor")
    to: Point = Field(description="Design point B: a value for every factor")


class Beyond(Between):
    times: float = Field(1.0, ge=0.0, description="The claim's effect must exceed this multiple of this difference")


class Difference(_Claim, Between):
    """B minus A changes in the expected direction (optionally: by more than ``times`` another difference)."""

    kind: Literal["difference"]
    expect: Direction
    beyond: Beyond | None = None


class Trend(_Claim):
    """The measure moves one way over a factor's levels: the ends differ, no step goes significantly back."""

    kind: Literal["trend"]
    factor: str
    at: Point = Field(default_factory=dict, description="Values of the experiment's other factors")
    expect: Direction


class Peak(_Claim):
    """An inverted U: the measure peaks at an interior level and both ends lie significantly below it."""

    kind: Literal["peak"]
    factor: str
    at: Point = Field(default_factory=dict, description="Values of the experiment's other factors")


class Level(_Claim):
    """The measure at one design point lies significantly above a value."""

    kind: Literal["level"]
    at: Point = Field(description="A value for every factor")
    above: float


Claim = Annotated[Difference | Trend | Peak | Level, Field(discriminator="kind")]


class Hosts(Section):
    scenarios: list[str] = Field(min_length=3, description="Shipped scenarios the pattern is also run on (base scenario)")
    unfit: dict[str, str] = Field(default_factory=dict, description="Shipped scenarios that cannot host it, and why")


class PatternSpec(Section):
    key: str = Field(pattern=r"^P[0-9]+$")
    title: str
    statement: str
    source: str
    mechanism: str | list[str] = Field(description="The credited mechanism's switch (a dotted key ending in .enabled), "
                                       "or the switches of mechanisms credited together (switched off together)")
    coefficient: dict[str, Any] | None = Field(None, description="The coefficient that names it: {key: neutral value}")
    coefficient_note: str = Field("", description="Why this coefficient (or why none names the pattern)")
    measures: list[str] = Field(min_length=1, description="Natural measures: outcomes not defined by the factors varied")
    claimed: PatternClass
    claims: list[Claim] = Field(min_length=1, description="The pattern's claims; the first is the headline")
    diagnostics: list[Claim] = Field(default_factory=list, description="Claims reported but not counted")
    robustness: Hosts

    @property
    def switches(self) -> tuple[str, ...]:
        """The credited switches: one, or those of mechanisms that carry the pattern only together."""
        return (self.mechanism,) if isinstance(self.mechanism, str) else tuple(self.mechanism)

    @property
    def switched_off(self) -> str:
        """The mechanism-off arm as overrides read: ``a.enabled: false, b.enabled: false``."""
        return ", ".join(f"{key}: false" for key in self.switches)


_SPEC_KEYS = sorted({name for model in (PatternSpec, Hosts, Difference, Trend, Peak, Level, Beyond)
                     for name, info in model.model_fields.items() for name in (name, info.alias) if name})


class Pattern:
    """A validated spec with its file and its experiments (each validated by the experiment schema)."""

    def __init__(self, spec: PatternSpec, path: Path, experiments: dict[str, tuple[Experiment, Config, Path]]) -> None:
        self.spec, self.path, self.experiments = spec, path, experiments

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def headline(self) -> Claim:
        return self.spec.claims[0]

    def __repr__(self) -> str:
        return f"Pattern({self.key}: {self.title})"


# ------------------------------------------------------------------ loading
def load_patterns(spec_dir: Path = SPEC_DIR, experiment_dir: Path = PATTERN_DIR) -> tuple[Pattern, ...]:
    """Every spec in ``spec_dir``, validated, in pattern order (P1, P2, ..., P10). Raises ScenarioError."""
    return _load(Path(spec_dir), Path(experiment_dir))


@cache
def _load(spec_dir: Path, experiment_dir: Path) -> tuple[Pattern, ...]:
    patterns, problems = [], []
    for path in sorted(spec_dir.glob("*.yaml")):
        try:
            patterns.append(load_pattern(path, experiment_dir))
        except ScenarioError as exc:
            problems += exc.problems
    keys = [p.key for p in patterns]
    problems += [f"{p.path}: key: {p.key} is also the key of another spec" for p in patterns if keys.count(p.key) > 1]
    if problems:
        raise ScenarioError(problems)
    return tuple(sorted(patterns, key=lambda p: int(p.key[1:])))


def load_pattern(path: Path, experiment_dir: Path = PATTERN_DIR) -> Pattern:
    """One spec file, validated against the schema, the outcomes, the scenarios and its experiment files."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of pattern keys at the top level")
    try:
        spec = PatternSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([f"{path}: {describe(error)}" for error in exc.errors()]) from None
    experiments, problems = {}, []
    for name in dict.fromkeys(c.experiment for c in (*spec.claims, *spec.diagnostics)):
        try:
            experiments[name] = load_experiment(Path(experiment_dir) / f"{name}.yaml")
        except ScenarioError as exc:
            problems += [f"{path}: experiment {name}: {line}" for line in exc.problems]
    if problems:
        raise ScenarioError(problems)
    problems = [f"{path}: {line}" for line in check(spec, {n: e[0] for n, e in experiments.items()})]
    if problems:
        raise ScenarioError(problems)
    return Pattern(spec, path, experiments)


def check(spec: PatternSpec, experiments: dict[str, Experiment]) -> list[str]:
    """Cross-checks of one spec; one line per problem, naming the key."""
    problems = _check_keys(spec) + _check_hosts(spec)
    known = set(OUTCOMES) | set(PENDING_OUTCOMES)
    problems += [f"measures.{i}: unknown outcome {m!r}" for i, m in enumerate(spec.measures) if m not in known]
    for label, claims in (("claims", spec.claims), ("diagnostics", spec.diagnostics)):
        for i, claim in enumerate(claims):
            where = f"{label}.{i}"
            if claim.measure not in known:
                problems.append(f"{where}.measure: unknown outcome {claim.measure!r}; expected one of "
                                f"{', '.join((*OUTCOMES, *PENDING_OUTCOMES))}")
            elif label == "claims" and claim.measure not in spec.measures:
                problems.append(f"{where}.measure: {claim.measure!r} is not one of the natural measures "
                                f"({', '.join(spec.measures)}); a claim on another measure is a diagnostic")
            problems += [f"{where}.{line}" for line in _check_points(claim, experiments[claim.experiment])]
    bases = {e.scenario for e in experiments.values()}
    problems += [f"robustness.scenarios: {s} is the base scenario of the pattern's experiments already"
                 for s in spec.robustness.scenarios if s in bases]
    headline = experiments[spec.claims[0].experiment]
    design = {*headline.factors, *headline.fixed}
    for key in (*spec.switches, *(spec.coefficient or {})):
        if key in design:
            problems.append(f"{'mechanism' if key in spec.switches else 'coefficient'}: {key} is a factor or fixed "
                            f"value of the headline's experiment {spec.claims[0].experiment}, so an arm cannot set it")
    return problems


def _check_keys(spec: PatternSpec) -> list[str]:
    problems = []
    if not spec.switches or len(set(spec.switches)) < len(spec.switches):
        problems.append(f"mechanism: expected one switch or a list of different ones (got {spec.mechanism})")
    for switch in spec.switches:
        try:
            info = field_of(switch)
            if not switch.endswith(".enabled") or info.annotation is not bool:
                problems.append(f"mechanism: expected a mechanism's switch, a key ending in .enabled (got {switch})")
        except KeyError as exc:
            problems.append(f"mechanism: {exc.args[0]}")
    if spec.coefficient is None:
        if not spec.coefficient_note.strip():
            problems.append("coefficient_note: say why no coefficient names the pattern (no coefficient given)")
        return problems
    if not spec.coefficient:
        problems.append("coefficient: expected {key: neutral value}, or leave it out and say why in coefficient_note")
    for key in spec.coefficient:
        if key.endswith(".enabled"):
            problems.append(f"coefficient: {key} is a switch; the mechanism names the switch")
    try:
        with_overrides(Config(), spec.coefficient)
    except KeyError as exc:
        problems.append(f"coefficient: {exc.args[0]}")
    except ValidationError as exc:
        problems += [f"coefficient.{describe(error)}" for error in exc.errors()]
    return problems


def _check_hosts(spec: PatternSpec) -> list[str]:
    shipped = {p.stem for p in scenario_files()}
    hosts = spec.robustness
    problems = [f"robustness.scenarios: unknown scenario {s!r}; shipped: {', '.join(sorted(shipped))}"
                for s in hosts.scenarios if s not in shipped]
    problems += [f"robustness.unfit: unknown scenario {s!r}" for s in hosts.unfit if s not in shipped]
    problems += [f"robustness.scenarios: {s} is also listed as unfit" for s in hosts.scenarios if s in hosts.unfit]
    problems += [f"robustness.scenarios: {s} is listed twice" for s in set(hosts.scenarios)
                 if hosts.scenarios.count(s) > 1]
    return problems


def _check_points(claim: Claim, experiment: Experiment) -> list[str]:
    """Each design point a claim names must pin every factor of its experiment to one of its levels."""
    factors = experiment.factors
    if isinstance(claim, Difference):
        points = {"from": claim.start, "to": claim.to}
        if claim.beyond is not None:
            points |= {"beyond.from": claim.beyond.start, "beyond.to": claim.beyond.to}
        free: set[str] = set()
    elif isinstance(claim, Level):
        points, free = {"at": claim.at}, set()
    else:
        if claim.factor not in factors:
            return [f"factor: {claim.factor!r} is not a factor of {claim.experiment} ({', '.join(factors)})"]
        points, free = {"at": claim.at}, {claim.factor}
    problems = []
    for label, point in points.items():
        missing = sorted(set(factors) - free - set(point))
        extra = sorted(set(point) - (set(factors) - free))
        if missing:
            problems.append(f"{label}: give a value for {', '.join(missing)} (a factor of {claim.experiment})")
        if extra:
            problems.append(f"{label}: {', '.join(extra)} is not a free factor of {claim.experiment}")
        for key, value in point.items():
            if key in factors and not any(_same(value, level) for level in factors[key].levels):
                problems.append(f"{label}.{key}: {value!r} is not a level of {claim.experiment} "
                                f"({factors[key].levels})")
    return problems


def describe(error: dict) -> str:
    """One pydantic error as ``key.path: what was expected (got value)``; a claim's kind is left out of the path."""
    kinds = {"difference", "trend", "peak", "level"}
    parts = [str(p) for i, p in enumerate(error["loc"]) if not (p in kinds and i and isinstance(error["loc"][i - 1], int))]
    if error["type"] == "extra_forbidden":
        name = parts[-1]
        close = difflib.get_close_matches(name, _SPEC_KEYS, n=1)
        return f"{'.'.join(parts)}: unknown key {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    return f"{'.'.join(parts)}: {expected(error)}" if parts else expected(error)


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
