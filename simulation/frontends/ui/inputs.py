"""Widgets for the schema's controls: a slider, switch or choice with its meaning and unit as a tooltip.

The widgets are Vuetify's, driven directly, so that the value the browser
sends reaches :func:`~simulation.frontends.ui.controls.accept` untouched: a value
outside the schema (a tampered page) is refused with a short notice instead
of being cast, clipped or passed on to the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as v
import solara

from simulation.frontends.ui.controls import Control, accept
from simulation.frontends.ui.guard import guarded
from simulation.inputs.params import bounds


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None], disabled: bool = False):
    """``control`` showing ``value``; a value the schema allows goes to ``on_value``."""

    def take(raw: Any) -> None:
        on_value(accept(control.name, raw))

    handler = guarded(f"Setting {control.label}", take)
    common = {"label": control.label, "v_model": value, "on_v_model": handler, "hide_details": True,
              "disabled": disabled}
    if control.kind == "Checkbox":
        widget = v.Checkbox(**common, dense=True)
    elif control.kind == "Select":
        widget = v.Select(**common, items=control.choices, dense=True)
    else:  # the label, with the value, on a line of its own above the track (see the page's style)
        lo, hi = bounds(control.info)
        widget = v.Slider(**{**common, "label": f"{control.label}: {_number(value)}"}, min=lo, max=hi,
                          step=control.step)
    with solara.Tooltip(control.help):
        solara.Div(children=[widget], classes=["me-control", f"me-control-{control.name}"])


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)
