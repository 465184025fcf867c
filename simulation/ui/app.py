"""The educators' page: Mesa's SolaraViz around the mission model, with a preset picker and custom panels.

Run it with ``missions ui`` (or ``solara run simulation.ui.app``). Every
browser session gets a model of its own: the model is created inside the
page component, never at import.

Picking a preset rebuilds the model from that scenario at once and moves
every slider to the scenario's value; sliders and switches then apply on
*Reset*, as everywhere in SolaraViz.
"""

from __future__ import annotations

from collections.abc import Callable

import solara
from mesa.visualization import SolaraViz

from simulation.ui.controls import CONTROLS, DEFAULT_PRESET, model_params, presets
from simulation.ui.model import UIModel
from simulation.ui.panels import Dashboard

TITLE = "Mission ecosystems: how missions gain momentum, burn out, meet resistance or lock in"
PLAY_INTERVAL_MS = 150


@solara.component
def PresetPicker(preset: str, on_pick):
    """The shipped scenarios, with the chosen one's description."""
    choices = solara.use_memo(presets, [])
    descriptions = dict(choices)
    with solara.Card("Scenario preset"):
        solara.Select("Preset", value=preset, values=list(descriptions), on_value=on_pick,
                      classes=["me-preset"])
        solara.Text(descriptions.get(preset, ""), style={"font-size": "13px", "color": "#555"})
        ControlsHelp()


@solara.component
def ControlsHelp():
    """What each slider and switch means, from the parameter schema."""
    with solara.Details("What the controls mean"):
        rows = "".join(f"<li><b>{c.label}</b>: {c.help}</li>" for c in CONTROLS.values())
        solara.HTML(tag="ul", unsafe_innerHTML=rows, style={"font-size": "13px", "padding-left": "18px"})


@solara.component
def Session(preset: str, model: solara.Reactive, on_pick: Callable[[str], None]):
    """One preset's page: SolaraViz's title bar and sidebar (controls, sliders, time) and the panels.

    The main area is the Dashboard rather than SolaraViz's draggable grid: one component
    for all panels, redrawn once per step (see :mod:`simulation.ui.panels`).
    """
    params = solara.use_memo(lambda: model_params(preset), [preset])
    with solara.Column(gap="0px"):
        with solara.Sidebar():
            PresetPicker(preset, on_pick)
        SolaraViz(model, components=[], model_params=params, name=TITLE, play_interval=PLAY_INTERVAL_MS)
        Dashboard(model.value)


@solara.component
def Page():
    """The page of one browser session: its own preset and model, created here, never at import."""
    preset = solara.use_reactive(DEFAULT_PRESET)
    first = solara.use_memo(lambda: UIModel(preset=DEFAULT_PRESET), [])
    model = solara.use_reactive(first)

    def pick(name: str) -> None:
        model.set(UIModel(preset=name))
        preset.set(name)

    # Keyed by preset: a new preset remounts the layout and everything in it. SolaraViz keeps its
    # slider values in state of its own, in components that the layout's sidebar renders, so only
    # a new layout makes them start again at the new preset's values.
    return solara.AppLayout(children=[Session(preset.value, model, pick)]).key(f"preset-{preset.value}")


@solara.component
def Layout(children=()):
    """Replaces Solara's default layout, which would wrap :func:`Page` in a second AppLayout."""
    return children[0]


page = Page
