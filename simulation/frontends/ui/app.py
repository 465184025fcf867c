"""The educators' page: pick a preset, move sliders, press Reset, then Step, Play or Run to the end.

Run it with ``missions ui`` (or ``solara run simulation.frontends.ui.app``). Every
browser session gets a model and a :class:`~simulation.frontends.ui.player.Player` of
its own, created inside the page component, never at import.

The page keeps two sets of settings: those the sliders show (*pending*) and
those the running model was built from (*applied*). A preset applies at
once and moves every slider to its value; other changes apply on Reset, and
until then the control bar says so. The layout is built once and never
rebuilt on a preset change, so a click right after one is not lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import reacton.ipyvuetify as v
import solara
from solara.server import kernel_context

from simulation.frontends.ui import export
from simulation.frontends.ui.about import Try
from simulation.frontends.ui.controls import (
    DEFAULT_PRESET,
    SLIDERS,
    SWITCHES,
    InvalidInput,
    accept_seed,
    load_preset,
    presets,
    values_of,
)
from simulation.frontends.ui.guard import Guard, guarded, notice
from simulation.frontends.ui.inputs import ControlInput
from simulation.frontends.ui.model import UIModel
from simulation.frontends.ui.panels import Dashboard
from simulation.frontends.ui.player import Player
from simulation.frontends.ui.style import CSS, PageSetup
from simulation.frontends.ui.toolbar import ControlBar

TITLE = "Mission ecosystems"
SUBTITLE = "how missions gain momentum, burn out, meet resistance or lock in"


@dataclass(frozen=True)
class Settings:
    """What a model is built from: a preset, every control's value and a seed."""

    preset: str
    values: dict[str, Any] = field(default_factory=dict)
    seed: int = 0

    @classmethod
    def of_preset(cls, name: str) -> Settings:
        config = load_preset(name)
        return cls(name, values_of(config), config.seed)

    def model(self) -> UIModel:
        return UIModel(preset=self.preset, seed=self.seed, **self.values)


def in_session(callback: Callable[[int], None]) -> Callable[[int], None]:
    """``callback`` run inside this browser session's kernel context, from whatever thread calls it."""
    context = kernel_context.get_current_context() if kernel_context.has_current_context() else None
    if context is None:
        return callback

    def call(seq: int) -> None:
        with context:
            callback(seq)

    return call


@solara.component
def Live(player: Player, changed: bool, on_reset: Callable[[], None], tab: solara.Reactive[int],
         on_try: Callable[[Try], None]):
    """Everything that follows the model: the control bar with its monitors, and the panels.

    It re-renders on each new frame and draws only from that frame.
    """
    _seq, set_seq = solara.use_state(0)

    def follow() -> Callable[[], None]:
        stop = player.listen(in_session(set_seq))
        set_seq(player.latest.seq)  # a frame published before listening
        return stop

    solara.use_effect(follow, [player])
    frame = player.latest
    ControlBar(player, frame, changed=changed, on_reset=on_reset)
    with Guard(what="The charts", retry_on=frame.seq):
        Dashboard(frame, tab, on_try)


@solara.component
def SettingsPanel(pending: solara.Reactive[Settings], applied: Settings, player: Player,
                  on_pick: Callable[[str], None], on_new_run: Callable[[], None]):
    """The preset, the seed, the sliders and the mechanisms' switches; the run's tables to download."""
    choices = solara.use_memo(presets, [])
    names = [name for name, _ in choices]
    settings = pending.value

    def set_value(name: str) -> Callable[[Any], None]:
        return lambda value: pending.set(replace(pending.value, values={**pending.value.values, name: value}))

    def set_seed(value: Any) -> None:
        pending.set(replace(pending.value, seed=accept_seed(value)))

    with solara.Div(classes=["me-settings"]):
        solara.v.Select(label="Scenario preset", v_model=settings.preset, items=names, dense=True, hide_details=True,
                        on_v_model=guarded("Choosing a preset", on_pick), class_="me-preset")
        solara.Text(dict(choices).get(settings.preset, ""), classes=["me-preset-text"])
        with solara.Row(classes=["me-seed"]):
            v.TextField(label="Seed", v_model=str(settings.seed), type="number", dense=True, hide_details=True,
                        on_v_model=guarded("Setting the seed", lambda raw: set_seed(_whole(raw))),
                        class_="me-seed-input")
            solara.Button("New random run", icon_name="mdi-dice-multiple", on_click=guarded("A new run", on_new_run),
                          text=True, classes=["me-new-run"], attributes={"aria-label": "New random run"})
        solara.Text("Missions", classes=["me-group"])
        for control in SLIDERS:
            ControlInput(control, settings.values[control.name], set_value(control.name))
        with solara.Details("Mechanisms on or off"):
            for control in SWITCHES:
                ControlInput(control, settings.values[control.name], set_value(control.name))
        with solara.Div(classes=["me-downloads"]):
            solara.Text("Download this run", classes=["me-group"])
            for table in export.TABLES:
                solara.FileDownload(lambda table=table: export.csv(player.latest, table),
                                    filename=export.filename(applied.preset, applied.seed, table),
                                    label=f"{table.capitalize()} (CSV)", mime_type="text/csv")


def _whole(raw: Any) -> int:
    """A seed typed in the browser (text) as a whole number, or InvalidInput."""
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 19:
        raise InvalidInput("Seed: expected a whole number")
    return int(text)


@solara.component
def Page():
    """One browser session: its own settings, model and play loop, created here, never at import."""
    first = solara.use_memo(lambda: Settings.of_preset(DEFAULT_PRESET), [])
    pending = solara.use_reactive(first)  # what the sliders show
    applied = solara.use_reactive(first)  # what the model was built from
    player = solara.use_memo(lambda: Player(first.model()), [])
    tab = solara.use_reactive(0)  # the open tab of the main area

    def stop_on_leave() -> Callable[[], None]:
        if kernel_context.has_current_context():
            kernel_context.get_current_context().on_close(player.close)
        return player.close

    solara.use_effect(stop_on_leave, [])

    def apply(settings: Settings) -> None:
        model = settings.model()  # may refuse the settings; then nothing changes
        player.replace(model)
        pending.set(settings)
        applied.set(settings)
        notice.set("")

    def pick(name: Any) -> None:
        apply(Settings.of_preset(name))

    def new_run() -> None:
        apply(replace(pending.value, seed=secrets.randbelow(2**31)))

    def try_it(item: Try) -> None:
        start = Settings.of_preset(item.preset)
        apply(replace(start, values={**start.values, **item.values}))

    solara.Title(f"{TITLE}: {SUBTITLE}")
    solara.Style(CSS)
    PageSetup()
    with Guard(what="The page"), solara.Div(classes=["me-page"]):
        solara.HTML(tag="header", unsafe_innerHTML=f"<h1>{TITLE}</h1><span>{SUBTITLE}</span>", classes=["me-title"])
        with solara.Div(classes=["me-body"]):
            SettingsPanel(pending, applied.value, player, on_pick=pick, on_new_run=guarded("A new run", new_run))
            with solara.Div(classes=["me-main"]):
                Live(player, changed=pending.value != applied.value, on_reset=lambda: apply(pending.value),
                     tab=tab, on_try=try_it)


@solara.component
def Layout(children=()):
    """Replaces Solara's default layout: the page draws its own."""
    return children[0]


page = Page
