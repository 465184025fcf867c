"""R replicates advanced together, one set of array operations per phase.

The state of an :class:`Ensemble` carries a leading replicate axis; each replicate is built from its own seed
(and its own configuration, where they differ in real-valued parameters only: :mod:`simulation.core.varying`)
exactly as a run alone is, and draws from its own streams, so replicate ``k`` gives the same results, bit for
bit, as ``MissionModel(config, seed=seeds[k])``. Its fixed cost per step (Python and numpy calls) is paid once
for all R replicates, which is where the time of small runs goes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from simulation.core.engine import Engine
from simulation.core.recorder import Recorder
from simulation.core.run_tables import RunTables
from simulation.core.state import Actors, Funders, Missions, take
from simulation.inputs.params import Config


class Ensemble(Engine):
    """Replicates of ``config`` (or of ``config[k]`` each, one configuration per seed), one per seed, run as one."""

    def __init__(self, config: Config | Sequence[Config], seeds: Sequence[int], agent_data: bool = False) -> None:
        if isinstance(seeds, int) or not len(seeds):
            raise ValueError("an ensemble needs a non-empty sequence of seeds")
        self.seeds = [int(s) for s in seeds]
        super().__init__(config, self.seeds, agent_data)

    def replicate(self, k: int) -> Replicate:
        """Replicate ``k`` as a run of its own (views onto the ensemble's arrays)."""
        return Replicate(self.configs[k], self.seeds[k], self.month, take(self.missions, k), take(self.actors, k),
                         take(self.funders, k), self.recorder.replicate(k))

    def __iter__(self) -> Iterator[Replicate]:
        return (self.replicate(k) for k in range(len(self.seeds)))


@dataclass
class Replicate(RunTables):
    """One replicate of an ensemble, with the tables and summaries of a run."""

    config: Config
    seed: int
    month: int
    missions: Missions
    actors: Actors
    funders: Funders
    recorder: Recorder
