"""A consistent, read-only snapshot of a running model: what one render of the page shows.

The page draws every panel from one :class:`Frame`, never from the live
model. A frame is copied in one go while the model is between two steps
(the :class:`~simulation.frontends.ui.player.Player` takes it under its lock), so a
chart can never see the recorder one month ahead of the mission arrays,
however a render and a play loop interleave.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from simulation.core.recorder import Recorder
    from simulation.core.state import Actors, Funders, Missions
    from simulation.frontends.ui.model import UIModel
    from simulation.frontends.ui.narrative import Event
    from simulation.inputs.params import Config


@dataclass(frozen=True)
class Frame:
    """The state of one session's model after some month, with the session's play state.

    It carries the same names the charts read from a model (``config``,
    ``missions``, ``actors``, ``funders``, ``recorder``, ``month``, ``seed``),
    so the chart functions take either.
    """

    seq: int  # frames of a session are numbered in the order they were taken
    playing: bool
    preset: str
    seed: int
    config: Config
    month: int
    running: bool  # months are left to run
    missions: Missions
    actors: Actors
    funders: Funders
    recorder: Recorder
    portfolio: pd.DataFrame  # Mesa's DataCollector model variables, one row a month
    events: tuple[Event, ...]
    n_agents: int
    error: str = ""  # why the run stopped, in a short sentence, if it failed

    @classmethod
    def of(cls, model: UIModel, seq: int = 0, playing: bool = False, error: str = "") -> Frame:
        """A copy of ``model``'s state; the caller makes sure no step is under way."""
        return cls(
            seq=seq, playing=playing, preset=model.preset, seed=model.seed, config=model.config, month=model.month,
            running=model.running, missions=copy.deepcopy(model.missions), actors=copy.deepcopy(model.actors),
            funders=copy.deepcopy(model.funders), recorder=copy.deepcopy(model.recorder),
            portfolio=model.datacollector.get_model_vars_dataframe(), events=tuple(model.events),
            n_agents=len(model.agents), error=error,
        )
