"""Side-by-side comparison of two settings (e.g. one mission against four), each run to the end.

A setting is a preset plus a few controls (number of missions, review rule).
Both runs use the preset's seed, so the comparison shows the settings'
difference, not luck. The runs are whole, quick runs of the plain
:class:`~simulation.model.MissionModel`, independent of the live model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd
import solara

from simulation.model import MissionModel
from simulation.ui import charts
from simulation.ui.controls import CONTROLS, DEFAULT_PRESET, configure, load_preset, presets
from simulation.ui.figure import Box, Figure
from simulation.ui.inputs import ControlInput

VARIED = ("missions", "review_rule")
"""Controls each side of the comparison can set besides the preset."""

SIDE_COLOURS = {"A": "#1f5fa8", "B": "#e15759"}


@dataclass(frozen=True)
class Setting:
    preset: str = DEFAULT_PRESET
    values: dict = field(default_factory=dict)

    def label(self, side: str) -> str:
        words = [self.preset]
        for name, value in self.values.items():
            control = CONTROLS[name]
            unit = control.unit.removesuffix("s") if value == 1 else control.unit
            words.append(f"{value} {unit}" if control.kind.startswith("Slider") else f"{value} rule")
        return f"{side}: " + ", ".join(words)


@dataclass(frozen=True)
class Outcome:
    """A finished run of one setting: its portfolio series and summary."""

    label: str
    series: pd.DataFrame  # month x MODEL_REPORTERS
    summary: dict


def run(setting: Setting, side: str) -> Outcome:
    config = configure(load_preset(setting.preset), setting.values)
    model = MissionModel(config).run()
    series = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    series.insert(0, "month", np.arange(len(series)))
    return Outcome(setting.label(side), series, model.summary())


def defaults() -> dict[str, Setting]:
    """One mission against four, on the default preset."""
    return {"A": Setting(values={"missions": 1}), "B": Setting(values={"missions": 4})}


settings = solara.reactive(defaults())
outcomes: solara.Reactive[dict[str, Outcome]] = solara.reactive({})


def run_both() -> None:
    outcomes.set({side: run(setting, side) for side, setting in settings.value.items()})


def comparison_chart(measure: str, title: str, y_title: str, percent: bool = False) -> alt.Chart | None:
    if not outcomes.value:
        return None
    frames = [o.series[["month", measure]].assign(setting=o.label) for o in outcomes.value.values()]
    data = pd.concat(frames).rename(columns={measure: "value"})
    data["value"] *= 100 if percent else 1
    labels = [o.label for o in outcomes.value.values()]
    steps = int(data["month"].max())
    return alt.Chart(charts.inline(data)).mark_line(strokeWidth=3).encode(
        x=alt.X("month:Q", title="Month", scale=alt.Scale(domain=[0, steps], nice=False),
                axis=alt.Axis(values=list(range(0, steps + 1, 12)))),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("setting:N", title=None, sort=labels,
                        scale=alt.Scale(domain=labels, range=list(SIDE_COLOURS.values()))),
        tooltip=["setting:N", "month:Q", alt.Tooltip("value:Q", format=".2f")],
    ).properties(title=alt.Title(title, subtitle="Setting A against setting B, each run to the end"),
                 width="container", height=charts.HEIGHT)


@solara.component
def SideControls(side: str):
    setting = settings.value[side]
    names = [name for name, _ in presets()]

    def update(**change) -> None:
        current = settings.value[side]
        values = {**current.values, **change.pop("values", {})}
        settings.set({**settings.value, side: Setting(change.get("preset", current.preset), values)})

    with solara.Column(style={"min-width": "200px", "flex": "1"}):
        solara.Text(f"Setting {side}", style={"font-weight": "600", "font-size": "16px",
                                              "color": SIDE_COLOURS[side]})
        solara.Select("Preset", value=setting.preset, values=names, on_value=lambda v: update(preset=v))
        base = load_preset(setting.preset)
        for name in VARIED:
            control = CONTROLS[name]
            value = setting.values.get(name, control.value_in(base))
            ControlInput(control, value, lambda v, name=name: update(values={name: v}))


@solara.component
def CompareSettings():
    """Pick two settings and run both (the live model is not touched)."""
    solara.use_effect(lambda: None if outcomes.value else run_both(), [])
    with Box(name="compare-settings"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            '<h3 style="font-size:17px;font-weight:600;margin:2px 0">Compare two settings</h3>'
            '<div style="font-size:13px;color:#555">Each setting runs to the end with its preset\'s seed.</div>'))
        with solara.Row():
            SideControls("A")
            SideControls("B")
        solara.Button("Run both", color="primary", on_click=run_both, classes=["me-compare-run"])


SUMMARY_ROWS = (
    ("achieved", "Goals reached", "{:.0f}"), ("mean_progress", "Mean progress", "{:.0%}"),
    ("mean_time_to_goal", "Months to goal (mean)", "{:.0f}"), ("peak_burnt_out", "Peak burnt-out share", "{:.0%}"),
    ("peak_resistance", "Peak resistance", "{:.2f}"), ("final_legitimacy", "Final support", "{:.0%}"),
    ("final_cynicism", "Final cynicism", "{:.2f}"), ("spend", "Spent (MU)", "{:,.0f}"),
    ("spend_after_purpose", "Spent after purpose (MU)", "{:,.0f}"),
)


@solara.component
def CompareSummary():
    results = outcomes.value
    if not results:
        with Box(name="compare-summary"):
            solara.Text("Running…")
        return
    header = "".join(f'<th style="color:{SIDE_COLOURS[side]}">{o.label}</th>' for side, o in results.items())
    body = []
    for key, label, fmt in SUMMARY_ROWS:
        cells = "".join(f"<td>{'–' if pd.isna(o.summary[key]) else fmt.format(o.summary[key])}</td>"
                        for o in results.values())
        body.append(f"<tr><td>{label}</td>{cells}</tr>")
    with Box(name="compare-summary"):
        solara.HTML(tag="div", classes=["me-compare-summary"], unsafe_innerHTML=(
            '<h3 style="font-size:17px;font-weight:600;margin:0 0 8px">Outcomes at the end of the run</h3>'
            f'<table><tr><th>Measure</th>{header}</tr>{"".join(body)}</table>'))


COMPARED = (
    ("Mean progress", "Mean progress of the missions", "Progress (%)", True),
    ("Burnt-out share", "Burnt-out share of actors", "Burnt out (%)", True),
    ("Legitimacy", "Public support (legitimacy)", "Support (0–1)", False),
    ("Spending", "Spending", "MU per month", False),
)
"""Portfolio series (Mesa DataCollector reporters) compared: (reporter, title, axis title, as percent)."""


@solara.component
def CompareView():
    """The comparison tab: settings and outcomes, then the compared series, two a row."""
    with solara.ColumnsResponsive(default=12, large=6):
        CompareSettings()
        CompareSummary()
        for measure, title, y_title, percent in COMPARED:
            chart = comparison_chart(measure, title, y_title, percent)
            with Box(name="compare-chart"):
                if chart is not None:
                    Figure(chart)
