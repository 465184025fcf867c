"""Side-by-side comparison of two settings (e.g. one mission against four), each run to the end over several seeds.

A setting is a preset plus the teaching sliders. The sliders start at the
preset's values and go back to them whenever the preset changes, so a side
never mixes one preset's settings with another's. Both sides run the same
seeds (the replicates of one root seed), so differences are paired: they
come from the settings, not from luck, and the spread across seeds shows how
much luck there is. The runs are quick, whole runs of the plain
:class:`~simulation.core.model.MissionModel`, on a thread of their own,
independent of the live model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import solara
import solara.lab

from simulation.core import metrics
from simulation.core.model import MissionModel
from simulation.core.rng import replicate_seeds
from simulation.frontends.ui import charts
from simulation.frontends.ui.controls import CONTROLS, DEFAULT_PRESET, SLIDERS, InvalidInput, configure, load_preset, presets
from simulation.frontends.ui.figure import Box, Figure
from simulation.frontends.ui.guard import Guard, guarded, short
from simulation.frontends.ui.inputs import ControlInput

SIDE_COLOURS = {"A": "#1f5fa8", "B": "#e15759"}
SEEDS = (5, 1, 20)
"""Seeds a setting runs: (default, fewest, most); the most bounds the work one click asks for."""
BAND = (0.1, 0.9)
"""The spread shown across seeds: from the 10th to the 90th percentile."""


@dataclass(frozen=True)
class Setting:
    preset: str = DEFAULT_PRESET
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of_preset(cls, name: str, **changes: Any) -> Setting:
        """``name``'s own values for every slider, with ``changes`` on top."""
        config = load_preset(name)
        return cls(name, {**{c.name: c.value_in(config) for c in SLIDERS}, **changes})

    def changes(self) -> dict[str, Any]:
        """The sliders moved away from the preset's values."""
        config = load_preset(self.preset)
        return {name: value for name, value in self.values.items() if value != CONTROLS[name].value_in(config)}

    def label(self, side: str) -> str:
        words = [self.preset]
        for name, value in self.changes().items():
            control = CONTROLS[name]
            if control.kind == "SliderInt" and control.unit:
                words.append(f"{value} {control.unit.removesuffix('s') if value == 1 else control.unit}")
            else:
                words.append(f"{control.label.lower()}: {value}")
        return f"{side}: " + ", ".join(words)


@dataclass(frozen=True)
class Outcome:
    """A setting's runs, one per seed: their portfolio series and summaries."""

    label: str
    series: pd.DataFrame  # seed x month x MODEL_REPORTERS
    summaries: pd.DataFrame  # seed x OUTCOMES


def run(setting: Setting, side: str, seeds: list[int]) -> Outcome:
    config = configure(load_preset(setting.preset), setting.values)
    series, summaries = [], []
    for seed in seeds:
        model = MissionModel(config, seed=seed).run()
        frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        series.append(frame.assign(month=np.arange(len(frame)), seed=seed))
        summaries.append({"seed": seed, **model.summary()})
    return Outcome(setting.label(side), pd.concat(series, ignore_index=True), pd.DataFrame(summaries))


def defaults() -> dict[str, Setting]:
    """One mission against four, on the default preset."""
    return {"A": Setting.of_preset(DEFAULT_PRESET, missions=1), "B": Setting.of_preset(DEFAULT_PRESET, missions=4)}


settings = solara.reactive(defaults())
seeds = solara.reactive(SEEDS[0])
outcomes: solara.Reactive[dict[str, Outcome] | None] = solara.reactive(None)
failure = solara.reactive("")
"""Per browser session (Solara keeps a reactive variable per session)."""


def run_all(chosen: dict[str, Setting], count: int) -> dict[str, Outcome]:
    """Both settings over the same ``count`` seeds (replicates of setting A's preset's seed)."""
    common = replicate_seeds(load_preset(chosen["A"].preset).seed, count)
    return {side: run(setting, side, common) for side, setting in chosen.items()}


@solara.lab.task(prefer_threaded=True)
def run_both() -> None:
    failure.set("")
    try:
        outcomes.set(run_all(settings.value, seeds.value))
    except Exception as exc:  # e.g. a preset file broken since the page opened
        failure.set(short("Running the comparison", exc))


def accept_seeds(value: Any) -> int:
    lo, hi = SEEDS[1:]
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or not lo <= value <= hi:
        raise InvalidInput(f"Seeds: expected a whole number from {lo} to {hi}")
    return int(value)


# ------------------------------------------------------------------ charts and table
def spread(results: dict[str, Outcome], measure: str, percent: bool) -> pd.DataFrame:
    """Per setting and month: the median of ``measure`` across seeds and the band around it."""
    rows = []
    for outcome in results.values():
        grouped = outcome.series.groupby("month")[measure]
        rows.append(pd.DataFrame({
            "month": grouped.median().index, "setting": outcome.label, "median": grouped.median().to_numpy(),
            "low": grouped.quantile(BAND[0]).to_numpy(), "high": grouped.quantile(BAND[1]).to_numpy()}))
    data = pd.concat(rows, ignore_index=True)
    if percent:
        data[["median", "low", "high"]] *= 100
    return data


def comparison_chart(results: dict[str, Outcome], measure: str, title: str, y_title: str,
                     percent: bool = False) -> alt.LayerChart:
    data = spread(results, measure, percent)
    labels = [o.label for o in results.values()]
    steps = int(data["month"].max())
    count = results[next(iter(results))].summaries.shape[0]
    colour = alt.Color("setting:N", sort=labels, legend=charts._legend(len(labels)),
                       scale=alt.Scale(domain=labels, range=list(SIDE_COLOURS.values())))
    x = alt.X("month:Q", title="Month", scale=alt.Scale(domain=[0, steps], nice=False),
              axis=alt.Axis(values=list(range(0, steps + 1, 12 * max(1, round(steps / 72))))))
    band = alt.Chart().mark_area(opacity=0.18).encode(x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q",
                                                      color=colour)
    line = alt.Chart().mark_line(strokeWidth=3).encode(
        x=x, y="median:Q", color=colour,
        tooltip=["setting:N", "month:Q", alt.Tooltip("median:Q", format=".2f"), alt.Tooltip("low:Q", format=".2f"),
                 alt.Tooltip("high:Q", format=".2f")])
    subtitle = (f"Median of {count} seeds; band: {100 * BAND[0]:.0f}th to {100 * BAND[1]:.0f}th percentile"
                if count > 1 else "One seed")
    return alt.layer(band, line, data=charts.inline(data)).properties(
        title=alt.Title(title, subtitle=subtitle), width="container", height=charts.HEIGHT)


HEADLINE = (
    ("achieved", "Goals reached", "{:.0f}"), ("mean_progress", "Mean progress", "{:.0%}"),
    ("mean_time_to_goal", "Months to goal (mean)", "{:.0f}"), ("peak_burnt_out", "Peak burnt-out share", "{:.0%}"),
    ("peak_resistance", "Peak resistance", "{:.2f}"), ("final_legitimacy", "Final support", "{:.0%}"),
    ("final_cynicism", "Final cynicism", "{:.2f}"), ("spend", "Spent (MU)", "{:,.0f}"),
    ("spend_after_purpose", "Spent after purpose (MU)", "{:,.0f}"),
)
"""The outcomes the table leads with (those the model still reports), with their labels and formats."""


def _cell(values: pd.Series, fmt: str) -> str:
    values = values.dropna()
    if values.empty:
        return "–"
    middle = fmt.format(values.median())
    return middle if values.size == 1 else f"{middle} <small>({fmt.format(values.min())}–{fmt.format(values.max())})</small>"


def _paired(results: dict[str, Outcome], key: str, fmt: str) -> str:
    """The median over seeds of B − A, seed by seed."""
    a, b = (results[side].summaries.set_index("seed")[key].astype(float) for side in ("A", "B"))
    diff = (b - a).dropna()
    if diff.empty:
        return "–"
    text = fmt.format(diff.median())
    return text if text.startswith("-") else f"+{text}"


def summary_rows(results: dict[str, Outcome], rows: tuple[tuple[str, str, str], ...]) -> str:
    body = []
    for key, label, fmt in rows:
        if key not in metrics.OUTCOMES:
            continue
        cells = "".join(f"<td>{_cell(o.summaries[key].astype(float), fmt)}</td>" for o in results.values())
        body.append(f"<tr><td>{label}</td>{cells}<td>{_paired(results, key, fmt)}</td></tr>")
    return "".join(body)


def summary_html(results: dict[str, Outcome]) -> str:
    header = "".join(f'<th style="color:{SIDE_COLOURS[side]}">{o.label}</th>' for side, o in results.items())
    everything = tuple((key, key.replace("_", " ").capitalize(), "{:.3g}") for key in metrics.OUTCOMES
                       if key not in ("missions", "all_achieved"))
    count = results["A"].summaries.shape[0]
    return ('<h3 style="font-size:17px;font-weight:600;margin:0 0 4px">Outcomes at the end of the run</h3>'
            f'<div class="me-sub">Median of {count} seeds (lowest–highest); B − A compares the runs seed by seed'
            f'</div><table><tr><th>Measure</th>{header}<th>B − A</th></tr>{summary_rows(results, HEADLINE)}</table>'
            '<details><summary>Every outcome of the model</summary><table>'
            f'<tr><th>Outcome</th>{header}<th>B − A</th></tr>{summary_rows(results, everything)}</table></details>')


COMPARED = (
    ("mean_progress", "Mean progress of the missions", "Progress (%)", True),
    ("burnt_out", "Burnt-out share of actors", "Burnt out (%)", True),
    ("legitimacy", "Public support (legitimacy)", "Support (0–1)", False),
    ("spend", "Spending", "MU per month", False),
)
"""Portfolio series (Mesa DataCollector reporters) compared: (reporter, title, axis title, as percent)."""


# ------------------------------------------------------------------ components
@solara.component
def SideControls(side: str):
    """One side's preset and sliders; a new preset brings every slider back to its values."""
    setting = settings.value[side]
    names = [name for name, _ in solara.use_memo(presets, [])]

    def pick(name: Any) -> None:
        settings.set({**settings.value, side: Setting.of_preset(name)})

    def set_value(name: str):
        def set_it(value: Any) -> None:
            current = settings.value[side]
            settings.set({**settings.value, side: Setting(current.preset, {**current.values, name: value})})
        return set_it

    with solara.Div(classes=["me-compare-side", f"me-compare-{side}"]):
        solara.Text(f"Setting {side}", style={"font-weight": "600", "font-size": "16px", "color": SIDE_COLOURS[side]})
        solara.v.Select(label="Preset", v_model=setting.preset, items=names, dense=True, hide_details=True,
                        on_v_model=guarded("Choosing a preset", pick), class_=f"me-compare-preset-{side}")
        for control in SLIDERS:
            ControlInput(control, setting.values[control.name], set_value(control.name))


@solara.component
def CompareSettings():
    """Pick two settings and run both (the live model is not touched)."""
    solara.use_effect(lambda: run_both() if outcomes.value is None else None, [])
    with Box(name="compare-settings"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            '<h3 style="font-size:17px;font-weight:600;margin:2px 0">Compare two settings</h3>'
            '<div class="me-sub">Both run to the end over the same seeds, so a difference comes from the '
            "settings, not from chance; a new preset brings its side's sliders back to the preset's values.</div>"))
        with solara.Row(classes=["me-compare-sides"]):
            SideControls("A")
            SideControls("B")
        with solara.Row(style={"align-items": "center"}):
            solara.v.Slider(label=f"Seeds per setting: {seeds.value}", v_model=seeds.value, min=SEEDS[1],
                            max=SEEDS[2], step=1, hide_details=True, class_="me-compare-seeds",
                            on_v_model=guarded("Setting the seeds", lambda v: seeds.set(accept_seeds(v))))
            solara.Button("Run both", icon_name="mdi-play-box-multiple", color="primary", on_click=run_both,
                          disabled=run_both.pending, classes=["me-compare-run"], attributes={"aria-label": "Run both"})
        if run_both.pending:
            solara.ProgressLinear(True)
            solara.Text(f"Running {2 * seeds.value} runs…", classes=["me-compare-running"])
        if failure.value:
            solara.Warning(failure.value, dense=True)


@solara.component
def CompareSummary():
    results = outcomes.value
    with Box(name="compare-summary"):
        if results is None:
            solara.Text("Running…")
        else:
            solara.HTML(tag="div", classes=["me-compare-summary"], unsafe_innerHTML=summary_html(results))


@solara.component
def CompareChart(measure: str, title: str, y_title: str, percent: bool):
    if outcomes.value is not None:
        Figure(comparison_chart(outcomes.value, measure, title, y_title, percent))


@solara.component
def CompareView():
    """The comparison tab: settings and outcomes, then the compared series, two a row."""
    with solara.ColumnsResponsive(default=12, large=6):
        CompareSettings()
        with Guard(what="The outcomes"):
            CompareSummary()
        for measure, title, y_title, percent in COMPARED:
            with Box(name="compare-chart"), Guard(what="This chart"):
                CompareChart(measure, title, y_title, percent)
