"""The page's controls: preset scenarios, sliders and switches, all read from the parameter schema.

Each control names one dotted key of :class:`~simulation.inputs.params.Config`. Its
widget, bounds, choices, unit and description come from that field
(``field_of``, ``bounds``); its starting value comes from the chosen preset
scenario. Nothing here restates a default or a bound.

A control is also a keyword argument of :class:`simulation.frontends.ui.model.UIModel`.

The browser is not trusted: a preset is only ever a name from the shipped
scenarios (never a path), and every value a widget sends is checked against
the schema (:func:`accept`) before the page keeps it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

from simulation.inputs.params import MECHANISMS, Config, bounds, field_of, get_dotted, with_overrides
from simulation.inputs.scenario import list_scenarios, load_scenario, scenario_files

DEFAULT_PRESET = "baseline"
"""The scenario the page opens with."""


@dataclass(frozen=True)
class Control:
    """One slider, switch or choice on the page, bound to a dotted key of the schema."""

    name: str  # keyword argument of UIModel (no dots: SolaraViz passes it as a Python name)
    key: str  # dotted key into Config
    label: str
    per_mission: bool = False  # a template value (portfolio.mission.*) that moves every mission

    @property
    def info(self) -> Any:
        return field_of(self.key)

    @property
    def kind(self) -> str:
        """SolaraViz input type: SliderInt, SliderFloat, Checkbox or Select."""
        annotation = self.info.annotation
        if annotation is bool:
            return "Checkbox"
        if isinstance(annotation, type) and issubclass(annotation, Enum):
            return "Select"
        return "SliderInt" if annotation is int else "SliderFloat"

    @property
    def choices(self) -> list[str]:
        """The values of an enum-typed control."""
        return [member.value for member in self.info.annotation]

    @property
    def unit(self) -> str:
        return (self.info.json_schema_extra or {}).get("unit", "")

    @property
    def help(self) -> str:
        """The schema's description, with the range and unit where there is one.

        A mechanism's switch is described by its section's docstring (what the mechanism does).
        """
        text = self.info.description or ""
        if self.kind == "Checkbox" and self.key.endswith(".enabled"):
            section = Config.model_fields[self.key.split(".")[0]].annotation
            text = (section.__doc__ or text).strip().splitlines()[0]
        if self.kind.startswith("Slider"):
            lo, hi = bounds(self.info)
            unit = f" {self.unit}" if self.unit and self.unit != "share" else ""
            text += f" ({_fmt(lo)} to {_fmt(hi)}{unit})"
        return text

    def value_in(self, config: Config) -> Any:
        """This control's value in ``config`` (an enum as its plain value)."""
        value = get_dotted(config, self.key)
        return value.value if isinstance(value, Enum) else value

    @property
    def step(self) -> float:
        return 1 if self.kind == "SliderInt" else SLIDER_STEP


SLIDER_STEP = 0.05
"""Granularity of float sliders (every float control here spans a range where 0.05 reads well)."""


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


SLIDERS: tuple[Control, ...] = (
    Control("ambition", "portfolio.mission.ambition", "Ambition", per_mission=True),
    Control("commitment", "portfolio.mission.commitment", "Political commitment", per_mission=True),
    Control("leadership", "portfolio.mission.leadership", "Leadership", per_mission=True),
    Control("specificity", "portfolio.mission.specificity", "Specificity of the goal", per_mission=True),
    Control("missions", "portfolio.count", "Number of missions"),
    Control("resilience", "attention.resilience", "Resilience (fatigue borne before burning out)"),
    Control("vested_interest", "resistance.vested_interest", "Vested interests"),
    Control("inclusion", "new_voices.inclusion", "New-voices inclusion"),
    Control("review_rule", "lockin.rule", "Review / sunset rule"),
)
"""The parameters that matter for teaching, in the order the sidebar shows them."""

SWITCHES: tuple[Control, ...] = tuple(
    Control(f"{name}_on", f"{name}.enabled", f"Mechanism: {name.replace('_', ' ').replace('lockin', 'lock-in')}")
    for name in MECHANISMS
)
"""One on/off switch per mechanism of the model."""

CONTROLS: dict[str, Control] = {c.name: c for c in (*SLIDERS, *SWITCHES)}


# ------------------------------------------------------------------ presets
class InvalidInput(ValueError):
    """A value the page will not take (from a tampered or confused browser); the message is short and safe to show."""


def presets() -> list[tuple[str, str]]:
    """(name, description) of the shipped scenarios (``scenarios/*.yaml``), valid ones only."""
    return [(name, text) for name, text in list_scenarios() if not text.startswith("INVALID")]


def load_preset(name: str) -> Config:
    """The config of the shipped scenario called ``name``; any other value, a path included, is refused."""
    files = {path.stem: path for path in scenario_files()}
    if not isinstance(name, str) or name not in files:
        raise InvalidInput("unknown preset: pick one from the list")
    return load_scenario(files[name])


def values_of(config: Config) -> dict[str, Any]:
    """Every control's value in ``config``: where the sliders start for a preset."""
    return {name: control.value_in(config) for name, control in CONTROLS.items()}


def accept(name: str, value: Any) -> Any:
    """``value`` for control ``name`` if the schema allows it (as the control's type), else :class:`InvalidInput`."""
    control = CONTROLS.get(name) if isinstance(name, str) else None
    if control is None:
        raise InvalidInput("unknown control")
    kind = control.kind
    if kind == "Checkbox":
        if not isinstance(value, bool):
            raise InvalidInput(f"{control.label}: expected on or off")
        return value
    if kind == "Select":
        if not isinstance(value, str) or value not in control.choices:
            raise InvalidInput(f"{control.label}: expected one of {', '.join(control.choices)}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{control.label}: expected a number")
    if kind == "SliderInt" and value != int(value):
        raise InvalidInput(f"{control.label}: expected a whole number")
    lo, hi = bounds(control.info)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise InvalidInput(f"{control.label}: expected {_fmt(lo)} to {_fmt(hi)}")
    return int(value) if kind == "SliderInt" else float(value)


def accept_seed(value: Any) -> int:
    """A run's seed typed on the page, within the schema's bounds."""
    lo, hi = bounds(field_of("seed"))
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidInput(f"Seed: expected a whole number from {lo} to {hi}")
    return value


# ------------------------------------------------------------------ applying values
def configure(base: Config, values: dict[str, Any]) -> Config:
    """``base`` with control values (by control name) applied and validated.

    A per-mission control that differs from ``base``'s template value moves every
    mission, overriding what the preset set per mission. Fewer missions than the
    preset has drops the preset's overrides for the missions that go; more adds
    missions made from the template, named "Mission k" where the template's own
    name would repeat.
    """
    unknown = sorted(set(values) - set(CONTROLS))
    if unknown:
        raise TypeError(f"unknown control(s): {', '.join(unknown)}; expected some of: {', '.join(CONTROLS)}")
    overrides: dict[str, Any] = {control.key: value for control, value in zip(map(CONTROLS.get, values),
                                                                              values.values(), strict=True)}
    pf = base.portfolio
    count = values.get("missions", pf.count)
    missions = [m.model_dump(mode="json") for m in pf.missions[:count]]
    if count > pf.count and pf.mission.name:
        missions += [{} for _ in range(pf.count - len(missions))]
        missions += [{"name": f"Mission {k + 1}"} for k in range(pf.count, count)]
    for name, value in values.items():
        control = CONTROLS[name]
        if control.per_mission and value != get_dotted(base, control.key):
            for mission in missions:
                mission[control.key.rsplit(".", 1)[1]] = value
    if missions != [m.model_dump(mode="json") for m in pf.missions]:
        overrides["portfolio.missions"] = missions
    return with_overrides(base, overrides)
