"""The model as the page drives it: built from a preset and slider values, narrating as it runs."""

from __future__ import annotations

from typing import Any

from simulation.model import MissionModel
from simulation.ui.controls import DEFAULT_PRESET, configure, load_preset
from simulation.ui.narrative import Event, snapshot
from simulation.ui.narrative import events as narrate


class UIModel(MissionModel):
    """A :class:`MissionModel` built the way Mesa's SolaraViz rebuilds models on *Reset*.

    SolaraViz calls ``UIModel(**values)`` with the preset and one keyword per
    control (see :data:`simulation.ui.controls.CONTROLS`). Its parameter check
    accepts names it does not see in the signature only through a var-keyword
    argument literally named ``kwargs``, hence the signature.
    """

    def __init__(self, preset: str = DEFAULT_PRESET, seed: int | None = None, **kwargs: Any) -> None:
        # SolaraViz's Reset adds a Mesa ``scenario`` object of its own; the preset plays that role here.
        kwargs.pop("scenario", None)
        config = configure(load_preset(preset), kwargs)
        super().__init__(config, rng=config.seed if seed is None else seed)  # a preset replays its own run
        self.preset = preset
        self.events: list[Event] = []
        self._seen = snapshot(self)
        # Mesa's step (which advances model.time, then calls step() below) only within the run:
        # SolaraViz steps `render_interval` times in a row without looking at `running`.
        self._advance, self.step = self.step, self._within_run

    def _within_run(self) -> None:
        if self.running:
            self._advance()

    def step(self) -> None:
        """One month, then what it brought in plain language."""
        super().step()
        now = snapshot(self, self._seen)
        self.events.extend(narrate(self._seen, now))
        self._seen = now
