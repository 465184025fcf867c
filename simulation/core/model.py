"""The mission-ecosystem model as a Mesa model: the engine with no replicate axis, plus Mesa's agents.

The schedule, its phases and the state arrays are :class:`~simulation.core.engine.Engine`'s (read its
``step()``); this class adds what Mesa users and the UI expect: Mesa's conventions for arguments
(:mod:`simulation.core.model_args`), agents that are views onto rows of the state arrays, and a
DataCollector of portfolio series.
"""

from __future__ import annotations

from typing import Any

import mesa

from simulation.core import metrics
from simulation.core.agents import Citizen, Firm, Funder, Ministry
from simulation.core.engine import Engine
from simulation.core.model_args import model_inputs
from simulation.core.rng import stream_seed
from simulation.inputs.params import Config


class MissionModel(Engine, mesa.Model):
    """A portfolio of missions pursued by an ecosystem of actors, month by month."""

    def __init__(self, config: Config | None = None, *, rng: Any = None, seed: Any = None, agent_data: bool = False,
                 **kwargs: Any) -> None:
        config, seed = model_inputs(config, rng, seed, kwargs)  # Mesa's conventions: simulation.core.model_args
        mesa.Model.__init__(self, rng=stream_seed(seed, "mesa"))
        self.datacollector = mesa.DataCollector(model_reporters=metrics.MODEL_REPORTERS)
        Engine.__init__(self, config, seed, agent_data)
        self._create_agents()

    def _create_agents(self) -> None:
        a = self.actors
        for cls, rows in ((Ministry, a.ministries), (Firm, a.firms), (Citizen, a.citizens)):
            cls.create_agents(self, rows.stop - rows.start, list(range(rows.start, rows.stop)))
        Funder.create_agents(self, self.funders.kind.size, list(range(self.funders.kind.size)))

    def run(self) -> MissionModel:
        """Run to the configured number of steps."""
        return Engine.run(self)

    def record(self) -> None:
        Engine.record(self)
        self.datacollector.collect(self)
