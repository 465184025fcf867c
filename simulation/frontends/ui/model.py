"""The model as the page drives it: built from a preset and control values, narrating as it runs."""

from __future__ import annotations

from typing import Any

from simulation.core.model import MissionModel
from simulation.frontends.ui.controls import DEFAULT_PRESET, configure, load_preset
from simulation.frontends.ui.narrative import Event, Narrator, snapshot


class UIModel(MissionModel):
    """A :class:`MissionModel` built from a preset scenario, a seed and the page's control values.

    ``UIModel(preset, seed, **values)`` takes one keyword per control (see
    :data:`simulation.frontends.ui.controls.CONTROLS`); the seed defaults to the preset's.
    """

    def __init__(self, preset: str = DEFAULT_PRESET, seed: int | None = None, **values: Any) -> None:
        config = configure(load_preset(preset), values)
        super().__init__(config, rng=config.seed if seed is None else seed)  # a preset replays its own run
        self.preset = preset
        self.events: list[Event] = []
        self.narrator = Narrator(snapshot(self))

    def step(self) -> None:
        """One month, then what it brought in plain language."""
        super().step()
        self.events.extend(self.narrator.observe(snapshot(self)))
