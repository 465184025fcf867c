"""Live charts of a running model, as Altair (Vega-Lite) specifications.

Each ``*_chart(frame)`` is a pure function of a :class:`~simulation.ui.frame.Frame`
of the model (its recorded series and current state) returning an Altair chart sized
for one panel of the page: large fonts for a projector, a title and subtitle
that say what is shown and in which unit, mission names in the legend, and a
month axis that spans the whole run so the lines grow from left to right.
Altair charts render in the browser, so an update costs the server only the
specification, not an image. The data travels inline as one CSV string: a
nested list of records would make every update slow (Solara's renderer walks
every value of a widget's arguments).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from simulation.metrics import ACTOR_TYPES, MISSION_METRICS
from simulation.rules.governance import FACETS, Status
from simulation.ui.narrative import mission_names

if TYPE_CHECKING:
    from simulation.ui.frame import Frame

MISSION_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#edc948",
                   "#76b7b2", "#ff9da7", "#9c755f", "#1f3b73", "#8cd17d", "#bab0ac")
"""One colour per mission (up to the schema's twelve), the same in every chart."""

ACTOR_COLOURS = {"ministry": "#1f5fa8", "incumbent firm": "#7f5539", "challenger firm": "#f39c12",
                 "firm": "#e67e22", "citizen": "#27ae60", "funder": "#8e44ad"}
FACET_COLOURS = {"mission": "#4e79a7", "enhancement": "#59a14f", "adaptive": "#f28e2b", "anticipatory": "#b07aa1"}
PLURALS = {"ministry": "ministries", "firm": "firms", "citizen": "citizens", "funder": "funders"}
EXTRA_COLOUR = "#333333"  # a portfolio-wide series drawn next to per-mission ones
HEIGHT = 250

UNITS = {m.name: m for m in MISSION_METRICS}


VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
"""The browser renders with Vega-Lite 5 (the version Solara's chart widget loads); the specifications
written here use nothing newer, so they declare v5 rather than Altair's own version."""


def inline(frame: pd.DataFrame) -> alt.InlineData:
    """A table as inline CSV data: one string instead of a record per row."""
    return alt.InlineData(values=frame.to_csv(index=False, float_format="%.5g"), format=alt.CsvDataFormat(type="csv"))


def spec(chart: alt.TopLevelMixin) -> dict:
    """The chart, styled, as the Vega-Lite specification the page sends to the browser.

    Not validated against the schema here (that took most of a step's time); the
    component tests validate every chart instead.
    """
    out = chart.to_dict(validate=False)
    out["config"] = {**out.get("config", {}), **STYLE}
    out["padding"] = 5
    out["$schema"] = VEGA_LITE_SCHEMA
    out["usermeta"] = {"embedOptions": {"actions": False}}  # no export menu on a classroom screen
    return out


STYLE = {
    "axis": {"labelFontSize": 13, "titleFontSize": 14, "titleFontWeight": "normal", "gridOpacity": 0.5},
    "legend": {"labelFontSize": 13, "titleFontSize": 13, "symbolStrokeWidth": 3, "labelLimit": 160},
    "title": {"fontSize": 17, "subtitleFontSize": 13, "anchor": "start", "subtitleColor": "#555555"},
    "view": {"stroke": None},
}
"""Fonts and spacing that read from the back of a classroom (a Vega-Lite ``config``)."""


def _year_ticks(model: Frame) -> list[int]:
    """Month ticks at whole fiscal years, about six of them."""
    steps, year = model.config.time.steps, model.config.time.steps_per_year
    return list(range(0, steps + 1, year * max(1, round(steps / year / 6))))


def _month_axis(model: Frame) -> alt.X:
    """Months of the whole run."""
    return alt.X("month:Q", title="Month", scale=alt.Scale(domain=[0, model.config.time.steps], nice=False),
                 axis=alt.Axis(values=_year_ticks(model)))


def _months(model: Frame) -> np.ndarray:
    return np.arange(model.recorder.n)


def _frame(months: np.ndarray, series: np.ndarray, names: list[str], kind: str = "") -> pd.DataFrame:
    """Long table (month, series, kind, value) from a (months, len(names)) array."""
    steps, n = series.shape
    return pd.DataFrame({
        "month": np.repeat(months, n),
        "series": np.tile(np.asarray(names, dtype=object), steps),
        "kind": kind,
        "value": series.reshape(-1),
    })


def _lines(data: pd.DataFrame, model: Frame, *, title: str, subtitle: str, y_title: str,
           colours: dict[str, str], y_max: float | None = 1.0, percent: bool = False) -> alt.Chart:
    """A line per series, coloured consistently, dashed for portfolio-wide series."""
    data = data.assign(value=data["value"] * (100 if percent else 1))
    top = None if y_max is None else y_max * (100 if percent else 1)
    y_scale = alt.Scale(domain=[0, top]) if top is not None else alt.Scale(zero=True)
    kinds = list(dict.fromkeys(data["kind"]))
    chart = alt.Chart(inline(data)).mark_line(strokeWidth=3).encode(
        x=_month_axis(model),
        y=alt.Y("value:Q", title=y_title, scale=y_scale),
        color=alt.Color("series:N", title=None, sort=list(colours),
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("value:Q", title=y_title, format=".2f")],
    )
    if len(kinds) > 1:
        chart = chart.encode(strokeDash=alt.StrokeDash("kind:N", legend=None, sort=kinds,
                                                       scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4]])))
    return chart.properties(title=alt.Title(title, subtitle=subtitle), width="container", height=HEIGHT)


def mission_colours(model: Frame, extra: str | None = None) -> dict[str, str]:
    names = mission_names(model)
    colours = {name: MISSION_COLOURS[i % len(MISSION_COLOURS)] for i, name in enumerate(names)}
    return {**colours, extra: EXTRA_COLOUR} if extra else colours


def _mission(model: Frame, metric: str, kind: str = "") -> pd.DataFrame:
    return _frame(_months(model), model.recorder.mission_series(metric), mission_names(model), kind)


def _portfolio(model: Frame, name: str, label: str, kind: str) -> pd.DataFrame:
    values = model.portfolio[name].to_numpy()[:, None]
    return _frame(_months(model), values[: model.recorder.n], [label], kind)


def _actor_types(model: Frame, metric: str, types: tuple[str, ...]) -> pd.DataFrame:
    series = model.recorder.actor_series(metric)[:, [ACTOR_TYPES.index(t) for t in types]]
    return _frame(_months(model), series, [PLURALS[t] for t in types])


# ------------------------------------------------------------------ the charts
def progress_chart(model: Frame) -> alt.LayerChart | alt.Chart:
    """Per-mission progress towards the goal, with the linear path to the deadline where missions share one."""
    chart = _lines(_mission(model, "progress"), model, title="Progress towards each goal",
                   subtitle="% of the work the goal needs (grows when extra goals creep in); dotted: on schedule",
                   y_title="Progress (%)", colours=mission_colours(model), percent=True)
    horizons = set(model.missions.horizon.tolist())
    if len(horizons) != 1:
        return chart
    horizon = horizons.pop()
    path = pd.DataFrame({"month": [0, min(horizon, model.config.time.steps)],
                         "value": [0.0, 100 * min(1.0, model.config.time.steps / horizon)]})
    path = path if horizon >= model.config.time.steps else pd.concat(
        [path, pd.DataFrame({"month": [model.config.time.steps], "value": [100.0]})])
    on_time = alt.Chart(inline(path)).mark_line(strokeDash=[2, 4], color="#888888", strokeWidth=2).encode(
        x=_month_axis(model), y="value:Q")
    return alt.layer(on_time, chart)


def momentum_chart(model: Frame) -> alt.Chart:
    return _lines(_mission(model, "momentum"), model, title="Momentum of each mission",
                  subtitle="Sense of keeping up with the needed pace: 0 stalled, 1 flying",
                  y_title="Momentum (0–1)", colours=mission_colours(model))


def engagement_chart(model: Frame) -> alt.Chart:
    types = ("ministry", "firm", "citizen")
    colours = {PLURALS[t]: ACTOR_COLOURS[t] for t in types}
    return _lines(_actor_types(model, "engagement", types), model, title="Engagement by actor type",
                  subtitle="Share of the effort the missions ask that actors give (mean, 0–1)",
                  y_title="Engagement (0–1)", colours=colours)


def burnout_chart(model: Frame) -> alt.Chart:
    types = ("ministry", "firm", "citizen")
    colours = {**{PLURALS[t]: ACTOR_COLOURS[t] for t in types}, "all actors": EXTRA_COLOUR}
    data = pd.concat([_actor_types(model, "burnt_out", types).assign(kind="by type"),
                      _portfolio(model, "Burnt-out share", "all actors", "all")])
    top = max(0.2, float(np.ceil(data["value"].max() * 10) / 10))
    return _lines(data, model, title="Burnt out", subtitle="% of actors too fatigued to take part",
                  y_title="Burnt out (%)", colours=colours, y_max=top, percent=True)


def resistance_chart(model: Frame) -> alt.Chart:
    label = "ministries' resentment"
    data = pd.concat([_mission(model, "resistance", "resistance"),
                      _actor_types(model, "resentment", ("ministry",)).assign(series=label, kind="resentment")])
    top = max(0.5, float(np.ceil(data["value"].max() * 10) / 10))
    return _lines(data, model, title="Resistance and resentment",
                  subtitle="Lobbying by vested interests against each mission; resentment of left-out ministries",
                  y_title="Level (0–1)", colours=mission_colours(model, label), y_max=top)


def legitimacy_chart(model: Frame) -> alt.Chart:
    label = "cynicism (all actors)"
    data = pd.concat([_mission(model, "legitimacy", "support"),
                      _portfolio(model, "Cynicism", label, "cynicism")])
    return _lines(data, model, title="Public support and cynicism",
                  subtitle="Citizens' support for each mission (legitimacy) and mean cynicism",
                  y_title="Level (0–1)", colours=mission_colours(model, label))


def spending_chart(model: Frame) -> alt.Chart:
    m = model.missions
    data = _mission(model, "spend")
    colours = mission_colours(model)
    total, after = float(m.spent.sum()), float(m.spent_after_purpose.sum())
    subtitle = (f"{UNITS['spend'].unit}, stacked; so far {total:,.0f} MU, "
                f"{after:,.0f} MU of it after the purpose was met")
    chart = alt.Chart(inline(data)).mark_area(opacity=0.85).encode(
        x=_month_axis(model),
        y=alt.Y("value:Q", title="Spending (MU per month)", stack="zero"),
        color=alt.Color("series:N", title=None, sort=list(colours),
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=[alt.Tooltip("series:N", title="Mission"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("value:Q", title="MU per month", format=".1f")],
    )
    return chart.properties(title=alt.Title("Spending", subtitle=subtitle), width="container", height=HEIGHT)


STATUS_LABELS = {Status.ACTIVE: "pursuing its goal", Status.LOCKED_IN: "locked in (funded past its purpose)",
                 Status.ACHIEVED: "ended", Status.ABANDONED: "ended", Status.RETIRED: "ended"}


def facet_chart(model: Frame) -> alt.Chart:
    """Each mission's facet month by month; faded once locked in, pale once ended."""
    names = mission_names(model)
    facet = model.recorder.mission_series("facet").astype(int)
    status = model.recorder.mission_series("status").astype(int)
    data = _frame(_months(model), facet.astype(float), names)
    data["facet"] = np.asarray(FACETS, dtype=object)[facet.reshape(-1)]
    data["status"] = [STATUS_LABELS[Status(s)] for s in status.reshape(-1)]
    states = list(dict.fromkeys(STATUS_LABELS.values()))
    chart = alt.Chart(inline(data)).mark_rect().encode(
        x=alt.X("month:Q", title="Month", bin=alt.Bin(step=1, extent=[0, model.config.time.steps + 1]),
                axis=alt.Axis(values=_year_ticks(model)),
                scale=alt.Scale(domain=[0, model.config.time.steps + 1], nice=False)),
        y=alt.Y("series:N", title=None, sort=names),
        color=alt.Color("facet:N", title="Facet", sort=list(FACET_COLOURS),
                        scale=alt.Scale(domain=list(FACET_COLOURS), range=list(FACET_COLOURS.values()))),
        opacity=alt.Opacity("status:N", title="Status", sort=states,
                            scale=alt.Scale(domain=states, range=[1.0, 0.55, 0.15])),
        tooltip=[alt.Tooltip("series:N", title="Mission"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("facet:N", title="Facet"), alt.Tooltip("status:N", title="Status")],
    )
    height = min(HEIGHT, 26 * len(names) + 20)
    return chart.properties(title=alt.Title("Facet of each mission over time",
                                            subtitle="Where each mission's activity is; faded: locked in, pale: ended"),
                            width="container", height=height)


CHARTS = (progress_chart, momentum_chart, engagement_chart, burnout_chart, resistance_chart, legitimacy_chart,
          spending_chart, facet_chart)
"""Every live chart, in the order the page shows them."""
