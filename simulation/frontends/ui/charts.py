"""Live charts of a running model, as Altair (Vega-Lite) specifications.

Each ``*_chart(frame)`` is a pure function of a :class:`~simulation.frontends.ui.frame.Frame`
of the model (its recorded series and current state) returning an Altair chart sized
for one panel of the page: large fonts for a projector, a title and subtitle
that say what is shown and in which unit, short mission labels in a legend
below the plot (a legend beside it squeezed the plot on a projector), and a
month axis that spans the whole run so the lines grow from left to right.
Pointing at a line or clicking its legend entry fades the others, and with
more than four missions momentum is drawn as small multiples, one a mission.
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

from simulation.core.metrics import ACTOR_TYPES, MISSION_METRICS
from simulation.core.rules import progress as prog
from simulation.core.rules.governance import FACETS, Status
from simulation.frontends.ui.narrative import STALLED_MOMENTUM, mission_labels

if TYPE_CHECKING:
    from simulation.frontends.ui.frame import Frame

MISSION_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#edc948",
                   "#76b7b2", "#ff9da7", "#9c755f", "#1f3b73", "#8cd17d", "#bab0ac")
"""One colour per mission (up to the schema's twelve), the same in every chart."""

ACTOR_COLOURS = {"ministry": "#1f5fa8", "incumbent firm": "#7f5539", "challenger firm": "#f39c12",
                 "firm": "#e67e22", "citizen": "#27ae60", "funder": "#8e44ad"}
FACET_COLOURS = dict(zip(FACETS, ("#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#9c755f", "#76b7b2"), strict=False))
"""A colour per facet of the model's (rules.governance.FACETS)."""
PLURALS = {"ministry": "ministries", "firm": "firms", "citizen": "citizens", "funder": "funders"}
EXTRA_COLOUR = "#333333"  # a portfolio-wide series drawn next to per-mission ones
HEIGHT = 215  # of the plot; the title above and the legend below fill the rest of a 400 px panel
SMALL_MULTIPLES_FROM = 5  # missions from which momentum gets a small chart each
FADED = 0.15  # opacity of the lines not pointed at

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


def _columns(entries: int) -> int:
    return 3 if entries <= 3 else 2


def _legend(entries: int, symbol: str = "stroke") -> alt.Legend:
    """A legend below the plot: three short columns, or two wider ones for more entries."""
    columns = _columns(entries)
    return alt.Legend(orient="bottom", columns=columns, title=None, labelLimit=140 if columns == 3 else 200,
                      symbolType=symbol, symbolSize=300 if symbol == "stroke" else 120)


def _height(entries: int) -> int:
    """The plot's height, less what the legend's rows below it need beyond two."""
    rows = -(-entries // _columns(entries))
    return max(140, HEIGHT - 19 * max(0, rows - 2))


HOVER = alt.selection_point(name="hover", fields=["series"], on="mousemove", clear="view:mouseout", nearest=True)
"""The series nearest the pointer (on a layer of invisible points: lines alone are hit only on their stroke)."""
PICK = alt.selection_point(name="pick", fields=["series"], bind="legend")
"""The series whose legend entry was clicked."""
HIGHLIGHTED = alt.condition(HOVER & PICK, alt.value(1.0), alt.value(FADED))


def _lines(data: pd.DataFrame, model: Frame, *, title: str, subtitle: str, y_title: str,
           colours: dict[str, str], y_max: float | None = 1.0, percent: bool = False,
           under: alt.Chart | None = None) -> alt.LayerChart:
    """A line per series, coloured consistently, dashed for portfolio-wide series; the one pointed at stands out.

    ``under``: a layer drawn beneath the lines, with data of its own (a reference line).
    """
    data = data.assign(value=data["value"] * (100 if percent else 1))
    top = None if y_max is None else y_max * (100 if percent else 1)
    y_scale = alt.Scale(domain=[0, top]) if top is not None else alt.Scale(zero=True)
    kinds = list(dict.fromkeys(data["kind"]))
    base = alt.Chart().encode(
        x=_month_axis(model),
        y=alt.Y("value:Q", title=y_title, scale=y_scale),
        color=alt.Color("series:N", sort=list(colours), legend=_legend(len(colours)),
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
    )
    lines = base.mark_line(strokeWidth=3).encode(opacity=HIGHLIGHTED).add_params(PICK)
    if len(kinds) > 1:
        lines = lines.encode(strokeDash=alt.StrokeDash("kind:N", legend=None, sort=kinds,
                                                       scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 4]])))
    points = base.mark_point(size=40, opacity=0).encode(
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("value:Q", title=y_title, format=".2f")]).add_params(HOVER)
    layers = (lines, points) if under is None else (under, lines, points)
    return alt.layer(*layers, data=inline(data)).properties(
        title=alt.Title(title, subtitle=subtitle), width="container", height=_height(len(colours)))


def mission_colours(model: Frame, extra: str | None = None) -> dict[str, str]:
    """Each mission's colour, by its short label (and ``extra``'s, a portfolio-wide series)."""
    labels = mission_labels(model)
    colours = {label: MISSION_COLOURS[i % len(MISSION_COLOURS)] for i, label in enumerate(labels)}
    return {**colours, extra: EXTRA_COLOUR} if extra else colours


def _mission(model: Frame, metric: str, kind: str = "") -> pd.DataFrame:
    return _frame(_months(model), model.recorder.mission_series(metric), mission_labels(model), kind)


def _portfolio(model: Frame, name: str, label: str, kind: str) -> pd.DataFrame:
    values = model.portfolio[name].to_numpy()[:, None]
    return _frame(_months(model), values[: model.recorder.n], [label], kind)


def _actor_types(model: Frame, metric: str, types: tuple[str, ...]) -> pd.DataFrame:
    series = model.recorder.actor_series(metric)[:, [ACTOR_TYPES.index(t) for t in types]]
    return _frame(_months(model), series, [PLURALS[t] for t in types])


# ------------------------------------------------------------------ the charts
def progress_chart(model: Frame) -> alt.LayerChart:
    """Per-mission progress towards the goal, with the linear path to the deadline where missions share one."""
    return _lines(_mission(model, "progress"), model, title="Progress towards each goal",
                  subtitle="% of the work each goal needs; dotted: on schedule to the deadline",
                  y_title="Progress (%)", colours=mission_colours(model), percent=True, under=_on_schedule(model))


def _on_schedule(model: Frame) -> alt.Chart | None:
    """The linear path to the missions' deadline, in % (None if their deadlines differ)."""
    horizons = set(model.missions.horizon.tolist())
    if len(horizons) != 1:
        return None
    horizon, steps = horizons.pop(), model.config.time.steps
    path = pd.DataFrame({"month": [0, min(horizon, steps)], "value": [0.0, 100 * min(1.0, steps / horizon)]})
    if horizon < steps:
        path = pd.concat([path, pd.DataFrame({"month": [steps], "value": [100.0]})])
    return alt.Chart(inline(path)).mark_line(strokeDash=[2, 4], color="#888888", strokeWidth=2).encode(
        x=_month_axis(model), y="value:Q")


def momentum_chart(model: Frame) -> alt.Chart | alt.FacetChart:
    """Momentum of each mission; from SMALL_MULTIPLES_FROM missions on, one small chart a mission."""
    title = alt.Title("Momentum of each mission",
                      subtitle=f"Sense of keeping up with the pace: 0 stalled, 1 flying; dashed: {STALLED_MOMENTUM[0]:g}")
    colours = mission_colours(model)
    if len(colours) < SMALL_MULTIPLES_FROM:
        return _lines(_mission(model, "momentum"), model, title=title.text, subtitle=title.subtitle,
                      y_title="Momentum (0–1)", colours=colours)
    line = alt.Chart().mark_line(strokeWidth=2.5).encode(
        x=alt.X("month:Q", title=None, scale=alt.Scale(domain=[0, model.config.time.steps], nice=False),
                axis=alt.Axis(values=_year_ticks(model)[::2], labelFontSize=11)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(values=[0, 0.5, 1],
                                                                                     labelFontSize=11)),
        color=alt.Color("series:N", legend=None, scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=[alt.Tooltip("series:N", title="Mission"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("value:Q", title="Momentum", format=".2f")],
    )
    stalled = alt.Chart().mark_rule(strokeDash=[4, 3], color="#999999").encode(y=alt.datum(STALLED_MOMENTUM[0]))
    return alt.layer(line, stalled, data=inline(_mission(model, "momentum"))).properties(
        width=SMALL_WIDTH, height=SMALL_HEIGHT).facet(
        facet=alt.Facet("series:N", title=None, sort=list(colours),
                        header=alt.Header(labelFontSize=13, labelLimit=SMALL_WIDTH, labelAnchor="start")),
        columns=3, spacing={"row": 6, "column": 14}, title=title)


SMALL_WIDTH, SMALL_HEIGHT = 135, 95
"""Size of each small chart: three a row fit a panel at 1366 px wide."""


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
                      _portfolio(model, "burnt_out", "all actors", "all")])
    top = max(0.2, float(np.ceil(data["value"].max() * 10) / 10))
    return _lines(data, model, title="Burnt out", subtitle="% of actors too fatigued to take part",
                  y_title="Burnt out (%)", colours=colours, y_max=top, percent=True)


def resistance_chart(model: Frame) -> alt.Chart:
    """Resistance against each mission (the axis fits the levels reached) and what it costs in progress."""
    label = "ministries' resentment"
    data = pd.concat([_mission(model, "resistance", "resistance"),
                      _actor_types(model, "resentment", ("ministry",)).assign(series=label, kind="resentment")])
    top = max(0.25, float(np.ceil(data["value"].max() * 1.25 * 20) / 20))
    live = model.missions.live
    worst = float(model.missions.resistance[live].max()) if live.any() else 0.0
    slower = 1.0 - float(prog.drag(worst, model.config.resistance.drag))
    cost = f"; it slows progress by up to {100 * slower:.0f}% now" if slower >= 0.005 else ""
    return _lines(data, model, title="Resistance and resentment",
                  subtitle=f"Lobbying by vested interests{cost}",
                  y_title="Level (0–1)", colours=mission_colours(model, label), y_max=top)


def legitimacy_chart(model: Frame) -> alt.Chart:
    label = "cynicism (all actors)"
    data = pd.concat([_mission(model, "legitimacy", "support"),
                      _portfolio(model, "cynicism", label, "cynicism")])
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
    chart = alt.Chart(inline(data)).mark_area().encode(
        x=_month_axis(model),
        y=alt.Y("value:Q", title="Spending (MU per month)", stack="zero"),
        color=alt.Color("series:N", sort=list(colours), legend=_legend(len(colours), "square"),
                        scale=alt.Scale(domain=list(colours), range=list(colours.values()))),
        tooltip=[alt.Tooltip("series:N", title="Mission"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("value:Q", title="MU per month", format=".1f")],
    )
    hover = alt.selection_point(name="hover", fields=["series"], on="mouseover", clear="mouseout")
    return chart.add_params(hover, PICK).encode(opacity=alt.condition(hover & PICK, alt.value(0.9),
                                                                      alt.value(FADED))).properties(
        title=alt.Title("Spending", subtitle=subtitle), width="container", height=_height(len(colours)))


PHASES = ("pursuing its goal", "locked in (funded past its purpose)", "ended")


def phase(status: int) -> str:
    """Where a mission's life is: pursuing, locked in, or ended (any other status of the model's)."""
    status = Status(status)
    return PHASES[0] if status is Status.ACTIVE else PHASES[1] if status is Status.LOCKED_IN else PHASES[2]


def facet_chart(model: Frame) -> alt.Chart:
    """Each mission's facet month by month; faded once locked in, pale once ended."""
    labels = mission_labels(model)
    facet = model.recorder.mission_series("facet").astype(int)
    status = model.recorder.mission_series("status").astype(int)
    data = _frame(_months(model), facet.astype(float), labels)
    data["facet"] = np.asarray(FACETS, dtype=object)[facet.reshape(-1)]
    data["status"] = [phase(s) for s in status.reshape(-1)]
    chart = alt.Chart(inline(data)).mark_rect().encode(
        x=alt.X("month:Q", title="Month", bin=alt.Bin(step=1, extent=[0, model.config.time.steps + 1]),
                axis=alt.Axis(values=_year_ticks(model)),
                scale=alt.Scale(domain=[0, model.config.time.steps + 1], nice=False)),
        y=alt.Y("series:N", title=None, sort=labels, axis=alt.Axis(labelLimit=170, labelFontSize=13)),
        color=alt.Color("facet:N", title="Facet", sort=list(FACET_COLOURS),
                        legend=alt.Legend(orient="bottom", title=None, columns=len(FACET_COLOURS), labelLimit=110),
                        scale=alt.Scale(domain=list(FACET_COLOURS), range=list(FACET_COLOURS.values()))),
        opacity=alt.Opacity("status:N", legend=None,  # the subtitle says what the shades mean
                            scale=alt.Scale(domain=list(PHASES), range=[1.0, 0.55, 0.15])),
        tooltip=[alt.Tooltip("series:N", title="Mission"), alt.Tooltip("month:Q", title="Month"),
                 alt.Tooltip("facet:N", title="Facet"), alt.Tooltip("status:N", title="Status")],
    )
    height = min(HEIGHT, 30 * len(labels) + 10)
    return chart.properties(title=alt.Title("Facet of each mission over time",
                                            subtitle="The facet each mission's activity is in; faded: locked in, "
                                                     "pale: ended"),
                            width="container", height=height)


CHARTS = (progress_chart, momentum_chart, engagement_chart, burnout_chart, resistance_chart, legitimacy_chart,
          spending_chart, facet_chart)
"""Every live chart, in the order the page shows them."""
