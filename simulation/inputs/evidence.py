"""What a case file says happened, and which of its values may be fitted: ``observed:`` and ``assumptions:``.

A scenario file of a real case carries two sections beside its parameters:

- ``observed:``: dated points of the real mission (month, mission, quantity, value with a range, source), each on
  the scale of a quantity the model records per mission (:data:`QUANTITIES`), so model and reality are compared
  on one scale (``docs/cases.md``, ``missions cases``);
- ``assumptions:``: the parameters the file marks as its own guesses, each with a prior range, the only values
  ``missions calibrate`` may change (a sourced value is never fitted).

Both are data, validated here like every parameter: unknown keys, bad types and out-of-range values are errors
naming the key path, and :func:`problems` checks them against the resolved scenario (its missions, its length,
the schema's bounds). They are not parameters of a run, so they stay out of ``Config`` and of the run tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import Field, RootModel, ValidationError, model_validator

from simulation.inputs.params import Config, Section, bounds, field_of, get_dotted, param

TIME_TO_GOAL = "time_to_goal"
QUANTITIES: tuple[str, ...] = ("progress", "engagement", "momentum", "commitment", "legitimacy", "resistance",
                               TIME_TO_GOAL)
"""What an observation may measure: a share the model records per mission each month (``steps.parquet``, named
as in ``simulation.core.metrics.MISSION_METRICS``; a test checks), or ``time_to_goal``, the month the goal was met
(``missions.parquet``; never met counts as later than any month). Listed here, not imported, so that reading a
scenario file does not import the model."""
Quantity = StrEnum("Quantity", {name: name for name in QUANTITIES})


class Observation(Section):
    """One dated point of the real mission, on the scale of a quantity the model records."""

    month: int = param(..., ge=0, le=2400, unit="month", doc="When it was observed (month 0: the scenario's start)")
    mission: str | dict[str, float] = Field(
        ..., description="The mission's name, or names with weights: the observation is their weighted mean")
    quantity: Quantity = Field(..., description="What was observed, one of the model's per-mission quantities")
    value: float = param(..., ge=0.0, le=2400.0, unit="quantity's unit", doc="The best estimate")
    uncertainty: float | None = param(None, ge=0.0, le=2400.0, unit="quantity's unit",
                                      doc="Plus or minus: the range is value - uncertainty to value + uncertainty")
    low: float | None = param(None, ge=0.0, le=2400.0, unit="quantity's unit", doc="Lowest plausible value")
    high: float | None = param(None, ge=0.0, le=2400.0, unit="quantity's unit", doc="Highest plausible value")
    source: str = Field(..., min_length=1, max_length=500, description="Where the value comes from")
    note: str = Field("", max_length=500, description="How the real figure maps to the quantity's scale")

    @model_validator(mode="after")
    def _one_range(self) -> Observation:
        if self.uncertainty is not None and (self.low is not None or self.high is not None):
            raise ValueError("give either uncertainty or low and high, not both")
        if (self.low is None) != (self.high is None):
            raise ValueError("low and high go together")
        if self.low is not None and not self.low <= self.value <= self.high:
            raise ValueError(f"expected low <= value <= high (got {self.low}, {self.value}, {self.high})")
        if self.quantity != TIME_TO_GOAL and self.range[1] > 1.0:
            raise ValueError(f"{self.quantity} is a share: value and range must lie in [0, 1]")
        return self

    @property
    def range(self) -> tuple[float, float]:
        """(low, high): the plausible range of the real value."""
        if self.low is not None and self.high is not None:
            return self.low, self.high
        spread = self.uncertainty or 0.0
        return max(self.value - spread, 0.0), self.value + spread

    @property
    def weights(self) -> dict[str, float]:
        """Mission name -> weight (one mission: weight 1)."""
        return {self.mission: 1.0} if isinstance(self.mission, str) else dict(self.mission)

    @property
    def label(self) -> str:
        """A short name for tables and figures."""
        what = self.mission if isinstance(self.mission, str) else " + ".join(self.mission)
        return f"{what}: {self.quantity}, month {self.month}"


class Observed(RootModel[list[Observation]]):
    """The ``observed:`` section: a list of observations (empty where no outcome is known)."""

    root: list[Observation] = Field(default_factory=list, max_length=1000)


class Prior(Section):
    """The range a calibration may search for one assumed value."""

    low: float = Field(..., strict=False, description="Lowest value the calibration tries")
    high: float = Field(..., strict=False, description="Highest value the calibration tries")

    @model_validator(mode="after")
    def _ordered(self) -> Prior:
        if not self.low < self.high:
            raise ValueError(f"expected low < high (got {self.low}, {self.high})")
        return self


class Assumptions(RootModel[dict[str, Prior]]):
    """The ``assumptions:`` section: dotted key of an assumed parameter -> its prior range."""

    root: dict[str, Prior] = Field(default_factory=dict, max_length=50)


def problems(observed: Observed, assumptions: Assumptions, config: Config, inherited: bool = False) -> list[str]:
    """What the sections get wrong about the scenario they belong to, as ``key.path: message`` lines.

    Observations ``inherited`` from a parent file may lie beyond a child's shorter run (they are then not
    compared); a file's own must lie within its run.
    """
    out: list[str] = []
    names = [m.name for m in config.portfolio.resolved()]
    for i, obs in enumerate(observed.root):
        where = f"observed.{i}"
        if obs.month > config.time.steps and not inherited:
            out.append(f"{where}.month: expected a month <= time.steps, {config.time.steps} (got {obs.month})")
        unknown = [name for name in obs.weights if name not in names]
        if unknown:
            out.append(f"{where}.mission: expected one of the scenario's missions: {', '.join(names)} "
                       f"(got {unknown[0]!r})")
        if any(w <= 0 for w in obs.weights.values()):
            out.append(f"{where}.mission: expected weights > 0 (got {obs.mission})")
        if obs.quantity == TIME_TO_GOAL and len(obs.weights) != 1:
            out.append(f"{where}.mission: {TIME_TO_GOAL} is one mission's (got {len(obs.weights)} missions)")
    for key, prior in assumptions.root.items():
        where = f"assumptions.{key}"
        try:
            info = field_of(key)
            value = get_dotted(config, key)
        except KeyError as exc:  # its message starts with the key again
            out.append(f"{where}: {str(exc.args[0]).split(': ', 1)[-1]}")
            continue
        if float not in getattr(info.annotation, "__args__", (info.annotation,)) or isinstance(value, bool):
            out.append(f"{where}: expected a real-valued parameter (got {value!r})")
            continue
        lo, hi = bounds(info)
        if (lo is not None and prior.low < lo) or (hi is not None and prior.high > hi):
            out.append(f"{where}: expected a range within the schema's bounds [{lo}, {hi}] "
                       f"(got [{prior.low}, {prior.high}])")
    return out


@dataclass(frozen=True)
class Evidence:
    """A case file's ``observed:`` and ``assumptions:`` sections, validated against its scenario."""

    observed: Observed = field(default_factory=Observed)
    assumptions: Assumptions = field(default_factory=Assumptions)


SECTIONS = {"observed": Observed, "assumptions": Assumptions}


def read(sections: dict[str, tuple[str, Any]], config: Config, top: str = "") -> Evidence:
    """The sections (name -> (file that set it, raw data)) validated; raises ScenarioError naming file and key.

    ``top`` is the scenario's own file (observations from another were inherited)."""
    from simulation.inputs.messages import ScenarioError, _unknown, capped, expected

    def describe(origin: str, name: str, error: dict) -> str:
        loc = (name, *error["loc"])
        if error["type"] == "extra_forbidden":
            model = Observation if name == "observed" else Prior
            return f"{origin}: {'.'.join(map(str, loc))}: {_unknown(str(loc[-1]), model.model_fields)}"
        return f"{origin}: {'.'.join(map(str, loc))}: {expected(error)}"

    found, bad = {}, []
    origins = {name: origin for name, (origin, _) in sections.items()}
    for name, model in SECTIONS.items():
        origin, raw = sections.get(name, ("", None))
        try:
            found[name] = model.model_validate(model().root if raw is None else raw)
        except ValidationError as exc:
            bad += capped(exc.errors(), lambda e, o=origin, n=name: describe(o, n, e), origin)
    if not bad:
        evidence = Evidence(**found)
        bad = [f"{origins[line.split('.', 1)[0]]}: {line}" for line in problems(*found.values(), config,
                                                                                  origins.get("observed", top) != top)]
    if bad:
        raise ScenarioError(bad)
    return evidence
