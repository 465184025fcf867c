"""The page's main area: live charts, the ecosystem network, the narrative and the missions at a glance.

:func:`Dashboard` is the one component that listens to Mesa's
``update_counter``, which SolaraViz bumps after every step; it redraws its
panels, arranged on tabs. One listener matters for speed: Solara re-renders
the page once per listening component, so eleven panels listening each would
re-render the page eleven times per step.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import solara
import solara.lab
from mesa.visualization.utils import update_counter

from simulation.rules.governance import FACETS, Status
from simulation.ui import charts
from simulation.ui.compare import CompareView
from simulation.ui.figure import Box, Figure
from simulation.ui.narrative import mission_names
from simulation.ui.network import build, network_chart

if TYPE_CHECKING:
    import altair as alt

    from simulation.model import MissionModel
    from simulation.ui.model import UIModel

NARRATIVE_LINES = 60  # most recent lines kept on screen
PANEL_HEIGHT = "400px"

KIND_COLOURS = {
    "election": "#1f5fa8", "leader": "#1f5fa8", "goal": "#2e7d32", "lock-in": "#b71c1c", "ended": "#555555",
    "review": "#6a1b9a", "facet": "#00695c", "creep": "#8d6e63", "momentum": "#2e7d32", "stall": "#e65100",
    "resistance": "#c62828", "support": "#ad1457", "burn-out": "#d84315", "resentment": "#c62828",
    "cynicism": "#ad1457", "end": "#111111",
}

CSS = """
.me-panel { font-family: Roboto, Arial, sans-serif; color: #222; height: 100%; display: flex;
            flex-direction: column; }
.me-panel h3 { font-size: 17px; font-weight: 600; margin: 0 0 2px 0; }
.me-panel .me-sub { font-size: 13px; color: #555; margin-bottom: 6px; }
.me-narrative { overflow-y: auto; flex: 1; font-size: 15px; line-height: 1.35; }
.me-narrative div { padding: 3px 6px; margin: 2px 0; border-left: 5px solid #999; background: #f5f5f5; }
.me-narrative b { font-variant-numeric: tabular-nums; }
.me-glance { overflow-y: auto; flex: 1; }
.me-glance table, .me-compare-summary table { border-collapse: collapse; width: 100%; font-size: 14px; }
.me-glance th, .me-compare-summary th { text-align: left; font-weight: 600; border-bottom: 2px solid #ccc;
                                         padding: 3px 6px; }
.me-glance td, .me-compare-summary td { border-bottom: 1px solid #e4e4e4; padding: 3px 6px; }
.me-glance td:nth-child(-n+2), .me-compare-summary td { white-space: nowrap; }
.me-bar { display: inline-block; height: 11px; background: #e8e8e8; width: 60px; vertical-align: middle; }
.me-bar span { display: block; height: 11px; }
.me-dashboard [class*="col"] { min-width: 0; }  /* a long name must not widen its column */
.me-glance td:first-child { max-width: 240px; overflow: hidden; text-overflow: ellipsis; }
.me-box { min-width: 0; height: 400px; overflow: hidden; padding: 10px 12px; background: white; border-radius: 4px;
          box-shadow: 0 1px 3px rgba(0, 0, 0, 0.18); }
.me-box .vega-embed { width: 100%; }
.me-dashboard .v-window__container, .me-dashboard .v-window-item { transition: none !important; }  /* no slide */
.v-slider__thumb-label-container { display: block !important; }  /* always show slider values */
.v-slider__thumb-label { font-size: 11px; }
.v-input__slider { margin-top: 26px; }
.v-input--checkbox { margin-top: 0; }
.v-input--checkbox .v-messages { display: none; }
"""

@solara.component
def ChartPanel(build_chart: Callable[[MissionModel], alt.TopLevelMixin], model: MissionModel, tick: int):
    with Box(name=build_chart.__name__.replace("_", "-")):
        Figure(build_chart(model))


@solara.component
def NetworkPanel(model: MissionModel, tick: int):
    """The ecosystem as a network; the sample and layout are fixed per model."""
    eco = solara.use_memo(lambda: build(model), [id(model)])
    with Box(name="network"):
        Figure(network_chart(model, eco))


def narrative_html(model: UIModel) -> str:
    """The latest events, newest first, as HTML."""
    rows = []
    for event in reversed(model.events[-NARRATIVE_LINES:]):
        colour = KIND_COLOURS.get(event.kind, "#999999")
        rows.append(f'<div style="border-left-color:{colour}"><b>step {event.month}:</b> {escape(event.text)}</div>')
    if not rows:
        rows.append("<div>Nothing has happened yet: press <b>Step</b> or <b>▶</b>.</div>")
    return ('<div class="me-panel"><h3>What is happening</h3>'
            f'<div class="me-sub">Month {model.month} of {model.config.time.steps} · newest first</div>'
            f'<div class="me-narrative">{"".join(rows)}</div></div>')


@solara.component
def NarrativePanel(model: UIModel, tick: int):
    with Box(name="narrative"):
        solara.HTML(tag="div", unsafe_innerHTML=narrative_html(model), style={"height": "100%"})


STATUS_WORDS = {Status.ACTIVE: "pursuing", Status.LOCKED_IN: "locked in", Status.ACHIEVED: "achieved",
                Status.ABANDONED: "abandoned", Status.RETIRED: "retired"}


def glance_html(model: MissionModel) -> str:
    """One row per mission: progress, momentum, support, status and facet now."""
    m = model.missions
    colours = charts.mission_colours(model)
    rows = []
    for i, name in enumerate(mission_names(model)):
        colour = colours[name]
        progress = 100 * float(m.share[i])
        facet = FACETS[int(m.facet[i])]
        rows.append(
            f'<tr><td><span style="color:{colour};font-size:18px">■</span> {escape(name)}</td>'
            f'<td><span class="me-bar"><span style="width:{progress:.0f}%;background:{colour}"></span></span>'
            f" {progress:.0f}%</td><td>{m.momentum[i]:.2f}</td><td>{100 * m.legitimacy[i]:.0f}%</td>"
            f"<td>{STATUS_WORDS[Status(int(m.status[i]))]}</td>"
            f'<td><span style="color:{charts.FACET_COLOURS[facet]}">●</span> {facet}</td></tr>')
    spent = float(m.spent.sum())
    return ('<div class="me-panel"><h3>Missions at a glance</h3>'
            f'<div class="me-sub">Month {model.month} of {model.config.time.steps} · '
            f"{int(m.achieved.sum())} of {m.count} goals reached · {spent:,.0f} MU spent · "
            f"{100 * float(model.actors.burnt_out.mean()):.0f}% of actors burnt out</div>"
            '<div class="me-glance"><table><tr><th>Mission</th><th>Progress</th><th>Momentum</th>'
            f'<th>Support</th><th>Status</th><th>Facet</th></tr>{"".join(rows)}</table></div></div>')


@solara.component
def GlancePanel(model: MissionModel, tick: int):
    with Box(name="glance"):
        solara.HTML(tag="div", unsafe_innerHTML=glance_html(model), style={"height": "100%"})


def chart(build_chart: Callable[[MissionModel], alt.TopLevelMixin]) -> Callable:
    """A panel factory for one of :mod:`simulation.ui.charts`' charts."""
    return lambda model, tick: ChartPanel(build_chart, model, tick)


TABS: tuple[tuple[str, tuple[Callable, ...]], ...] = (
    ("Missions", (chart(charts.progress_chart), NarrativePanel, chart(charts.momentum_chart), GlancePanel,
                  chart(charts.facet_chart), chart(charts.spending_chart))),
    ("People and politics", (NetworkPanel, NarrativePanel, chart(charts.engagement_chart),
                             chart(charts.burnout_chart), chart(charts.resistance_chart),
                             chart(charts.legitimacy_chart))),
)
"""The live tabs, two panels a row, most telling first."""


@solara.component
def Dashboard(model: MissionModel):
    """The main area: live tabs redrawn after every step, and the comparison tab."""
    tick = update_counter.get()
    solara.Style(CSS)
    with solara.Column(classes=["me-dashboard"]), solara.lab.Tabs(lazy=True):
        for title, panels in TABS:
            with solara.lab.Tab(title), solara.ColumnsResponsive(default=12, large=6):
                for panel in panels:
                    panel(model, tick)
        with solara.lab.Tab("Compare two settings"):
            CompareView()
