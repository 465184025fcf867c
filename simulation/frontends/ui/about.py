"""The "About this model" tab: what the model is, how to read the page, and things to try, each one click away.

The controls' meanings come from the parameter schema (as their tooltips
do), the statuses and facets from the model's own enums, so this page says
what the model does today. Each thing to try names a preset and a few
control values; *Try it* loads them and starts the run afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import solara

from simulation.core.rules.governance import FACETS, Status
from simulation.frontends.ui.controls import CONTROLS, SLIDERS, SWITCHES, load_preset
from simulation.frontends.ui.figure import Box
from simulation.frontends.ui.guard import guarded
from simulation.frontends.ui.narrative import facet_text, status_word


@dataclass(frozen=True)
class Try:
    """A question for the class, and the settings that raise it."""

    title: str
    question: str
    preset: str
    values: dict[str, Any] = field(default_factory=dict)


THINGS_TO_TRY: tuple[Try, ...] = (
    Try("Too many missions at once", "Six missions share the same ministries and firms. What happens to burn-out "
        "and to progress? Compare with three (the baseline).", "baseline", {"missions": 6}),
    Try("A leader who leaves", "Apollo with a charismatic leader but little formal commitment. What happens when "
        "the leader leaves in month 30? Then pick moonshot: commitment carries it.", "moonshot-leader-only"),
    Try("Vested interests push back", "Strong incumbents and a specific, measurable goal. Who pushes back, and "
        "when? Watch the resistance chart and the narrative.", "baseline",
        {"vested_interest": 0.9, "specificity": 0.9}),
    Try("Lock-in, and a rule against it", "No review rule: watch for 'lock-in' in the narrative and for spending "
        "after the purpose was met. Then set the review rule to review or sunset and press Reset.", "iceland-youth",
        {"review_rule": "none"}),
    Try("A portfolio of five", "The five EU missions of 2021. Which ones stall, which pick up again, and who burns "
        "out?", "eu-missions"),
    Try("Ambition out of reach", "India's rooftop solar target was the over-ambitious one. How does ambition far "
        "beyond the means change momentum and cynicism?", "india-renewables"),
)
"""The questions a class can explore, each with the settings that raise it."""


def _items(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<li><b>{escape(name)}</b>: {escape(text)}</li>" for name, text in rows)


def about_html() -> str:
    """What the model is and how to read the page; controls, statuses and facets from the model itself."""
    controls = _items([(c.label, c.help) for c in (*SLIDERS, *SWITCHES)])
    statuses = "".join(f"<li>{escape(status_word(s))}</li>" for s in Status)
    facets = _items([(name, facet_text(i, "a mission").removeprefix("a mission ")) for i, name in enumerate(FACETS)])
    return f"""
<h3>About this model</h3>
<p>Ministries, incumbent and challenger firms, funders and citizens on a social network respond, month by
month, to a portfolio of <i>missions</i>: ambitious public goals such as landing on the Moon or halving youth
substance use. The model shows why missions gain momentum, stall, burn people out, meet resistance, creep, or
lock in: keep running after their purpose is gone. One step is one month.</p>
<p><b>How to use the page.</b> Pick a <b>preset</b> (a real or reference case); it applies at once. Move
sliders, then press <b>Reset</b> to start again with them (the bar says when settings wait for a Reset).
<b>Step</b> runs one month, <b>Play</b> runs at the chosen <b>speed</b>, <b>Run to the end</b> runs the rest
at once. The same seed gives the same run; <b>New random run</b> draws another seed. The monitors in the bar
show the month, goals reached, the share of actors burnt out and the money spent.</p>
<p><b>Reading the charts.</b> Point at a line to pick it out, or click its name in the legend. <b>Save as
PNG</b> on a chart saves it; <b>Download this run</b> (left) saves the run's tables as CSV.</p>
<details><summary>What the controls mean</summary><ul>{controls}</ul></details>
<details><summary>A mission's status</summary><p>{escape(Status.__doc__ or "")}</p><ul>{statuses}</ul></details>
<details><summary>A mission's facets</summary><ul>{facets}</ul></details>
"""


@solara.component
def TryCard(item: Try, on_try: Callable[[Try], None]):
    config = load_preset(item.preset)
    changes = ", ".join(f"{CONTROLS[name].label.lower()} {value}" for name, value in item.values.items())
    with solara.Div(classes=["me-try"]):
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<h4>{escape(item.title)}</h4><p>{escape(item.question)}</p><div class='me-sub'>Preset "
            f"<b>{escape(item.preset)}</b>{': ' + escape(changes) if changes else ''} · {config.time.steps} months"
            "</div>"))
        solara.Button("Try it", icon_name="mdi-flask-outline", color="primary", outlined=True,
                      on_click=guarded("Setting up", lambda: on_try(item)),
                      attributes={"aria-label": f"Try it: {item.title}"})


@solara.component
def AboutView(on_try: Callable[[Try], None]):
    with solara.ColumnsResponsive(default=12, large=6):
        with Box(name="about"):
            solara.HTML(tag="div", unsafe_innerHTML=about_html(), classes=["me-about"])
        with Box(name="things-to-try"):
            solara.HTML(tag="h3", unsafe_innerHTML="Things to try")
            for item in THINGS_TO_TRY:
                TryCard(item, on_try)
