"""The control bar, always in view: Reset, Play / Pause, Step, Run to the end, the speed, and the monitors.

Like NetLogo's, the monitors show the run at a glance (month, goals reached,
share burnt out, money spent). The bar's element carries the frame's state
as ``data-`` attributes (month, playing, running), which the browser tests
wait on.
"""

from __future__ import annotations

from collections.abc import Callable

import reacton.ipyvuetify as v
import solara

from simulation.core import metrics
from simulation.frontends.ui.controls import InvalidInput
from simulation.frontends.ui.frame import Frame
from simulation.frontends.ui.guard import guarded, notice
from simulation.frontends.ui.player import DEFAULT_SPEED, SPEEDS, Player

RECEIVED = {m.name: m for m in metrics.MISSION_METRICS}["received"]
"""Cumulative money: its unit is the unit of money spent so far."""


def monitors(frame: Frame) -> list[tuple[str, str, str]]:
    """(name, label, value) of each monitor."""
    c, m = frame.config, frame.missions
    year = (max(frame.month, 1) - 1) // c.time.steps_per_year + 1
    return [
        ("month", "Month", f"{frame.month} of {c.time.steps} · year {year}"),
        ("goals", "Goals reached", f"{int(m.achieved.sum())} of {m.count}"),
        ("burnt-out", "Burnt out", f"{100 * metrics.burnt_out_share(frame):.0f}% of actors"),
        ("spent", "Money spent", f"{float(m.spent.sum()):,.0f} {RECEIVED.unit}"),
    ]


def _button(label: str, icon: str, on_click: Callable[[], None], *, disabled: bool = False,
            classes: tuple[str, ...] = ()):
    """A button with an icon and a visible name (the name is also what screen readers say)."""
    return solara.Button(label, icon_name=icon, on_click=on_click, disabled=disabled, color="primary",
                         classes=["me-btn", *classes], attributes={"aria-label": label})


@solara.component
def SpeedControl(speed: solara.Reactive[str], on_speed: Callable[[str], None]):
    """One speed control: slow, normal, fast or as fast as possible."""
    keys = list(SPEEDS)

    def pick(index) -> None:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(keys):
            raise InvalidInput(f"Speed: expected one of {', '.join(s.label for s in SPEEDS.values())}")
        on_speed(keys[index])

    buttons = [v.Btn(children=[s.label], small=True, attributes={"title": s.description, "aria-label": f"Speed: {s.label}"})
               for s in SPEEDS.values()]
    with solara.Div(classes=["me-speed"]):
        solara.Text("Speed", classes=["me-speed-label"])
        v.BtnToggle(v_model=keys.index(speed.value), mandatory=True, dense=True, children=buttons,
                    on_v_model=guarded("Choosing the speed", pick), attributes={"role": "group", "aria-label": "Speed"})


@solara.component
def ControlBar(player: Player, frame: Frame, changed: bool, on_reset: Callable[[], None]):
    speed = solara.use_reactive(DEFAULT_SPEED)

    def set_speed(key: str) -> None:
        speed.set(key)
        if player.playing:
            player.play(key)  # the loop goes on at the new speed

    can_run = frame.running and not frame.playing
    state = {"data-month": str(frame.month), "data-playing": str(frame.playing).lower(),
             "data-running": str(frame.running).lower(), "data-preset": frame.preset, "data-seed": str(frame.seed)}
    with v.Html(tag="div", class_="me-controls", attributes={**state, "role": "toolbar", "aria-label": "Run controls"}):
        with solara.Div(classes=["me-buttons"]):
            _button("Reset", "mdi-restore", guarded("Reset", on_reset),
                    classes=("me-reset", "me-attention") if changed else ("me-reset",))
            if frame.playing:
                _button("Pause", "mdi-pause", guarded("Pause", player.pause))
            else:
                _button("Play", "mdi-play", guarded("Play", lambda: player.play(speed.value)), disabled=not frame.running)
            _button("Step", "mdi-step-forward", guarded("Step", player.step), disabled=not can_run)
            _button("Run to the end", "mdi-skip-forward", guarded("Run to the end", lambda: player.play("fastest")),
                    disabled=not can_run)
            SpeedControl(speed, set_speed)
        with solara.Div(classes=["me-monitors"]):
            for name, label, value in monitors(frame):
                solara.HTML(tag="div", unsafe_innerHTML=f"<span>{label}</span><b>{value}</b>",
                            classes=["me-monitor", f"me-monitor-{name}"])
        if changed:
            solara.Text("Settings changed: press Reset to apply them", classes=["me-cue"])
        if frame.error:
            solara.Error(frame.error, dense=True, classes=["me-error"])
        if notice.value:
            solara.Warning(notice.value, dense=True, classes=["me-notice"])
