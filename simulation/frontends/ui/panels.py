"""The page's main area: live charts, the ecosystem network, the narrative and the missions at a glance.

:func:`Dashboard` draws every panel from one :class:`~simulation.frontends.ui.frame.Frame`
(see :mod:`simulation.frontends.ui.player`), arranged on tabs; only the open tab is
drawn. Each panel is its own error boundary: one that fails shows a short
sentence and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

import solara
import solara.lab

from simulation.core.rules.governance import FACETS
from simulation.frontends.ui import charts
from simulation.frontends.ui.about import AboutView, Try
from simulation.frontends.ui.compare import CompareView
from simulation.frontends.ui.figure import Box, Figure
from simulation.frontends.ui.guard import Guard
from simulation.frontends.ui.narrative import mission_labels, mission_names, status_word
from simulation.frontends.ui.network import build, network_chart

if TYPE_CHECKING:
    import altair as alt

    from simulation.frontends.ui.frame import Frame

NARRATIVE_LINES = 300  # newest lines shown (a safety bound: a lesson run tells far fewer)

KIND_COLOURS = {
    "election": "#1f5fa8", "leader": "#1f5fa8", "goal": "#2e7d32", "lock-in": "#b71c1c", "ended": "#555555",
    "review": "#6a1b9a", "facet": "#00695c", "creep": "#8d6e63", "momentum": "#2e7d32", "stall": "#e65100",
    "resistance": "#c62828", "support": "#ad1457", "burn-out": "#d84315", "resentment": "#c62828",
    "cynicism": "#ad1457", "end": "#111111", "recovery": "#2e7d32",
}


@solara.component
def Content(frame: Frame, draw: Callable[[Frame], None]):
    draw(frame)


@solara.component
def Panel(name: str, frame: Frame, draw: Callable[[Frame], None]):
    """A panel's frame, in which ``draw(frame)`` puts the content; if that fails, one sentence instead."""
    with Box(name=name), Guard(what="This panel", retry_on=frame.seq):
        Content(frame, draw)


def draw_network(frame: Frame) -> None:
    """The ecosystem as a network; the sample and layout are fixed per run."""
    eco = solara.use_memo(lambda: build(frame), [frame.preset, frame.seed, frame.config])
    Figure(network_chart(frame, eco), name=f"{frame.preset}-month{frame.month}-network")


def _line(event) -> str:
    colour = KIND_COLOURS.get(event.kind, "#999999")
    return f'<div style="border-left-color:{colour}"><b>Month {event.month}:</b> {escape(event.text)}</div>'


def narrative_html(frame: Frame) -> str:
    """The story so far: milestones pinned at the top (oldest first), then the other lines, newest first."""
    milestones = [_line(e) for e in frame.events if e.milestone]
    lines = [_line(e) for e in reversed([e for e in frame.events if not e.milestone][-NARRATIVE_LINES:])]
    if not frame.events:
        lines.append("<div>Nothing has happened yet: press <b>Step</b>, <b>Play</b> or <b>Run to the end</b>.</div>")
    pinned = f'<div class="me-milestones">{"".join(milestones)}</div>' if milestones else ""
    return ('<div class="me-panel"><h3>What is happening</h3>'
            f'<div class="me-sub">Month {frame.month} of {frame.config.time.steps} · milestones first, '
            f'then the newest first</div>{pinned}<div class="me-narrative">{"".join(lines)}</div></div>')


def draw_narrative(frame: Frame) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=narrative_html(frame), style={"height": "100%"})


def glance_html(frame: Frame) -> str:
    """One row per mission: progress, momentum, support, status and facet now (full names on hover)."""
    m = frame.missions
    colours = charts.mission_colours(frame)
    rows = []
    for i, (name, label) in enumerate(zip(mission_names(frame), mission_labels(frame), strict=True)):
        colour = colours[label]
        progress = 100 * float(m.share[i])
        facet = FACETS[int(m.facet[i])]
        rows.append(
            f'<tr><td title="{escape(name)}"><span style="color:{colour}">■</span> {escape(label)}</td>'
            f'<td><span class="me-bar"><span style="width:{progress:.0f}%;background:{colour}"></span></span>'
            f" {progress:.0f}%</td><td>{m.momentum[i]:.2f}</td><td>{100 * m.legitimacy[i]:.0f}%</td>"
            f"<td>{status_word(int(m.status[i]))}<br>"
            f'<span style="color:{charts.FACET_COLOURS[facet]}">●</span> {facet}</td></tr>')
    return ('<div class="me-panel"><h3>Missions at a glance</h3>'
            f'<div class="me-sub">Month {frame.month} of {frame.config.time.steps}; point at a name for the '
            'whole of it</div><div class="me-glance"><table><tr><th>Mission</th><th>Progress</th><th>Momentum</th>'
            f'<th>Support</th><th>Status, facet</th></tr>{"".join(rows)}</table></div></div>')


def draw_glance(frame: Frame) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=glance_html(frame), style={"height": "100%"})


def chart(build_chart: Callable[[Frame], alt.TopLevelMixin]) -> tuple[str, Callable[[Frame], None]]:
    """A panel of one of :mod:`simulation.frontends.ui.charts`' charts: (name, draw)."""
    name = build_chart.__name__.replace("_", "-")
    return name, lambda frame: Figure(build_chart(frame), name=f"{frame.preset}-month{frame.month}-{name}")


TABS: tuple[tuple[str, tuple[tuple[str, Callable[[Frame], None]], ...]], ...] = (
    ("Missions", (chart(charts.progress_chart), ("narrative", draw_narrative), chart(charts.momentum_chart),
                  ("glance", draw_glance), chart(charts.facet_chart), chart(charts.spending_chart))),
    ("People and politics", (("network", draw_network), ("narrative", draw_narrative),
                             chart(charts.engagement_chart), chart(charts.burnout_chart),
                             chart(charts.resistance_chart), chart(charts.legitimacy_chart))),
)
"""The live tabs' panels, (name, draw), two a row, most telling first."""


@solara.component
def Dashboard(frame: Frame, tab: solara.Reactive[int], on_try: Callable[[Try], None]):
    """The main area: the live tabs, drawn from ``frame``, the comparison tab and the about tab."""
    def try_it(item: Try) -> None:
        on_try(item)
        tab.set(0)

    with solara.Column(classes=["me-dashboard"]), solara.lab.Tabs(value=tab.value, on_value=tab.set, lazy=True):
        for title, panels in TABS:
            with solara.lab.Tab(title), solara.ColumnsResponsive(default=12, large=6):
                for name, draw in panels:
                    Panel(name, frame, draw)
        with solara.lab.Tab("Compare two settings"):
            CompareView()
        with solara.lab.Tab("About this model"):
            AboutView(try_it)
