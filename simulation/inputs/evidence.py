"""What a case file says happened, and which of its values may be fitted: ``observed:`` and ``assumptions:``.

A scenario file of a real case carries two sections beside its parameters:

- ``observed:``: dated points of the real mission (month, mission, quantity, value with a range, source), each on
  the scale of a quantity the model records per mission (:data:`QUANTITIES`), so model and reality are compared
  on one scale (``docs/cases.md``, ``missions cases``); each may say how wide a 90% band the real spread of such
  missions justifies (:class:`JustifiedBand`), so that a band wide enough to cover any outcome is seen as such;
- ``assumptions:``: the parameters the file marks as its own guesses, each with a prior range, the only values
  ``missions calibrate`` may change (a sourced value is never fitted);
- ``calibration:``: written by ``missions calibrate`` into the calibrated file, what the fit cost and which
  observations it **held out** (left out of the distance, to be predicted rather than fitted), as selectors
  (:class:`HoldOut`) that must each select some observation and together not all of them.

Both are data, validated here like every parameter: unknown keys, bad types and out-of-range values are errors
naming the key path, and :func:`problems` checks them against the resolved scenario (its missions, its length,
the schema's bounds). They are not parameters of a run, so they stay out of ``Config`` and of the run tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, RootModel, ValidationError, model_validator

from simulation.inputs.params import Config, Section, bounds, field_of, get_dotted, param

TIME_TO_GOAL = "time_to_goal"
QUANTITIES: tuple[str, ...] = ("progress", "engagement", "momentum", "commitment", "legitimacy", "resistance",
                               TIME_TO_GOAL)
"""What an observation may measure: a share the model records per mission each month (``steps.parquet``, named
as in ``simulation.core.metrics.MISSION_METRICS``; a test checks), or ``time_to_goal``, the month the goal was met
(``missions.parquet``; never met counts as later than any month). Listed here, not imported, so that reading a
scenario file does not import the model."""
Quantity = StrEnum("Quantity", {name: name for name in QUANTITIES})


def _id(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", text):
        raise ValueError(f"expected an id of lower-case letters, digits and '-' (got {text[:60]!r})")
    return text


ObservationId = Annotated[str, Field(max_length=60), AfterValidator(_id)]
"""A short name for an observation, unique in its file, that a hold-out selector can name."""


class JustifiedBand(Section):
    """How wide the model's 90% band may be at an observation: the real spread of missions like this one.

    A band is only as good as it is narrow: one wide enough covers any outcome. This says, with its reason, how far
    such a mission's outcome could plausibly have fallen from the real one by chance (weather, a year's economy,
    a launch that slipped), so that ``docs/cases.md`` can say whether the model's band is wider than that."""

    width: float = param(..., gt=0.0, le=2400.0, unit="quantity's unit", doc="Widest 90% band the real spread justifies")
    reason: str = Field(..., min_length=1, max_length=500, description="Why such missions spread that far")


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
    id: ObservationId | None = Field(None, description="A short name, unique in the file, for holding it out")
    justified_band: JustifiedBand | None = Field(None, description="How wide the model's 90% band may be here")

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
        if self.quantity != TIME_TO_GOAL and self.justified_band is not None and self.justified_band.width > 1.0:
            raise ValueError(f"{self.quantity} is a share: a justified band is at most 1 wide "
                             f"(got {self.justified_band.width})")
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


class HoldOut(Section):
    """Which observations a calibration leaves out of its distance: those matching every field given.

    ``mission`` matches an observation of that one mission (not a weighted group: name the group by ``id``)."""

    id: ObservationId | None = Field(None, description="The observation's id")
    month: int | None = param(None, ge=0, le=2400, unit="month", doc="The observation's month")
    mission: str | None = Field(None, min_length=1, max_length=500, description="The observation's one mission")
    quantity: Quantity | None = Field(None, description="The observation's quantity")

    @model_validator(mode="after")
    def _something(self) -> HoldOut:
        if not self.given:
            raise ValueError(f"expected at least one of: {', '.join(HoldOut.model_fields)}")
        return self

    @property
    def given(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)

    def selects(self, obs: Observation) -> bool:
        return all(getattr(obs, key) == value for key, value in self.given.items())

    @property
    def label(self) -> str:
        """As the ``--hold-out`` flag writes it."""
        return ", ".join(f"{key}={value}" for key, value in self.given.items())


class Calibrated(Section):
    """The ``calibration:`` section of a calibrated file: what its fit cost and what it held out."""

    runs: int = param(..., ge=1, le=10**9, unit="runs", doc="Model runs the fit took (particles x replicates)")
    minutes: float = param(..., ge=0.0, le=10**6, unit="minutes", doc="Wall-clock time of the fit")
    workers: int = param(..., ge=1, le=4096, unit="processes", doc="Worker processes it ran on")
    held_out: list[HoldOut] = Field(default_factory=list, max_length=1000,
                                    description="Observations not fitted: any selector matching one holds it out")


def selector(text: str, flag: str = "--hold-out") -> HoldOut:
    """A selector as a command-line flag gives it, ``key=value`` (``month=216``, ``id=wind``, ``quantity=...``).

    Raises ScenarioError naming the flag and key."""
    from simulation.inputs.messages import ScenarioError, _unknown, expected

    key, sep, value = (part.strip() for part in text.partition("="))
    if not sep or not key:
        raise ScenarioError(f"{flag}: expected key=value with a key of: {', '.join(HoldOut.model_fields)} "
                            f"(got {text!r})")
    try:
        return HoldOut.model_validate({key: int(value) if key == "month" and value.isdecimal() else value})
    except ValidationError as exc:
        error = exc.errors()[0]
        what = _unknown(key, HoldOut.model_fields) if error["type"] == "extra_forbidden" else expected(error)
        raise ScenarioError(f"{flag}: {key}: {what}") from None


def held_out(observed: list[Observation], selectors: list[HoldOut]) -> list[bool]:
    """Per observation: is it held out (matched by some selector)?"""
    return [any(s.selects(obs) for s in selectors) for obs in observed]


def hold_out_problems(observed: list[Observation], selectors: list[HoldOut], names: list[str], whole: str,
                      of: str = "") -> list[str]:
    """A selector that selects nothing, or selectors that leave nothing to fit, as ``name: message`` lines.

    ``names`` names each selector (a key path or a flag), ``whole`` all of them, ``of`` whose observations."""
    count = f"{len(observed)} observations{of}"
    out = [f"{name}: expected a selector matching one of the {count} (got {s.label})"
           for name, s in zip(names, selectors, strict=True) if not any(s.selects(obs) for obs in observed)]
    if not out and selectors and all(held_out(observed, selectors)):
        out.append(f"{whole}: expected observations left to fit; the selectors hold out all {count} "
                   f"(got {'; '.join(s.label for s in selectors)})")
    return out


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


def problems(observed: Observed, assumptions: Assumptions, calibration: Calibrated | None, config: Config,
             inherited: bool = False) -> list[str]:
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
        if obs.id is not None and obs.id in [o.id for o in observed.root[:i]]:
            out.append(f"{where}.id: expected an id unique in the file (got {obs.id!r} twice)")
    if calibration is not None:
        out += hold_out_problems(observed.root, calibration.held_out,
                                 [f"calibration.held_out.{i}" for i in range(len(calibration.held_out))],
                                 "calibration.held_out")
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
    calibration: Calibrated | None = None  # set in a file written by ``missions calibrate``

    @property
    def held_out(self) -> list[bool]:
        """Per observation: did the calibration hold it out?"""
        return held_out(self.observed.root, self.calibration.held_out if self.calibration else [])


SECTIONS = {"observed": Observed, "assumptions": Assumptions, "calibration": Calibrated}


def read(sections: dict[str, tuple[str, Any]], config: Config, top: str = "") -> Evidence:
    """The sections (name -> (file that set it, raw data)) validated; raises ScenarioError naming file and key.

    ``top`` is the scenario's own file (observations from another were inherited)."""
    from simulation.inputs.messages import ScenarioError, _unknown, capped, expected

    def describe(origin: str, name: str, error: dict) -> str:
        loc = (name, *error["loc"])
        if error["type"] == "extra_forbidden":
            model = {"observed": Observation, "assumptions": Prior}.get(name, Calibrated)
            if len(loc) > 3:
                model = HoldOut if name == "calibration" else JustifiedBand if name == "observed" else model
            return f"{origin}: {'.'.join(map(str, loc))}: {_unknown(str(loc[-1]), model.model_fields)}"
        return f"{origin}: {'.'.join(map(str, loc))}: {expected(error)}"

    found, bad = {}, []
    origins = {name: origin for name, (origin, _) in sections.items()}
    for name, model in SECTIONS.items():
        origin, raw = sections.get(name, ("", None))
        if raw is None and name == "calibration":
            found[name] = None
            continue
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
