"""The page's controls: preset scenarios, sliders and switches, all read from the parameter schema.

Each control names one dotted key of :class:`~simulation.params.Config`. Its
widget, bounds, choices and description come from that field (``field_of``,
``bounds``); its starting value comes from the chosen preset scenario. Nothing
here restates a default or a bound.

A control is also a keyword argument of :class:`simulation.ui.model.UIModel`,
which is how Mesa's SolaraViz passes slider values back on *Reset*.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from simulation.params import MECHANISMS, Config, bounds, field_of, get_dotted, with_overrides
from simulation.scenario import list_scenarios, load_scenario

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

    def widget(self, config: Config) -> dict[str, Any]:
        """SolaraViz's description of this control, starting at ``config``'s value."""
        value = get_dotted(config, self.key)
        spec: dict[str, Any] = {"type": self.kind, "label": self.label}
        if self.kind == "Select":
            return {**spec, "value": value.value if isinstance(value, Enum) else value, "values": self.choices}
        if self.kind == "Checkbox":
            return {**spec, "value": bool(value)}
        lo, hi = bounds(self.info)
        step = 1 if self.kind == "SliderInt" else SLIDER_STEP
        return {**spec, "value": value, "min": lo, "max": hi, "step": step}


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
def presets() -> list[tuple[str, str]]:
    """(name, description) of the shipped scenarios (``scenarios/*.yaml``), valid ones only."""
    return [(name, text) for name, text in list_scenarios() if not text.startswith("INVALID")]


def load_preset(name: str) -> Config:
    """The config of preset ``name`` (a scenario file by name or path)."""
    return load_scenario(name)


def model_params(preset: str, config: Config | None = None) -> dict[str, Any]:
    """SolaraViz ``model_params``: the preset (fixed) and every control, starting at the preset's values."""
    config = load_preset(preset) if config is None else config
    return {"preset": preset, **{c.name: c.widget(config) for c in CONTROLS.values()}}


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
