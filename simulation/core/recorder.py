"""Per-step data collection into preallocated arrays, turned into tidy tables on request."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from simulation.core.metrics import ACTOR_METRICS, ACTOR_TYPES, MISSION_METRICS, actor_table, per_actor_engagement
from simulation.core.rules.governance import FACETS, Status
from simulation.core.state import ACTOR_KINDS, Actors, Funders, Missions

FACET_DTYPE = pd.CategoricalDtype(list(FACETS))
STATUS_DTYPE = pd.CategoricalDtype([s.name.lower() for s in Status])
ACTOR_TYPE_DTYPE = pd.CategoricalDtype(list(ACTOR_TYPES))
"""The categories of the tables' category columns, one dtype each for every table."""


class Recorder:
    """Records mission and actor-type metrics every step into arrays allocated once; agent rows only when asked.

    A step only copies values into its row; tables and per-facet counts are built from the arrays when read.
    ``lead`` is the shape of the state's leading axes (``(R,)`` for an ensemble of R replicates): each row holds
    every replicate, and :meth:`replicate` reads one replicate's recorder."""

    def __init__(self, steps: int, n_missions: int, n_actors: int, agents: bool = False,
                 lead: tuple[int, ...] = ()) -> None:
        self.missions = np.zeros((steps + 1, *lead, n_missions, len(MISSION_METRICS)))
        self.actors = np.zeros((steps + 1, *lead, len(ACTOR_TYPES), len(ACTOR_METRICS)))
        self.agent_rows = np.zeros((steps + 1, *lead, n_actors, len(ACTOR_METRICS))) if agents else None
        self.n = 0

    def record(self, missions: Missions, actors: Actors, funders: Funders) -> None:
        row = self.missions[self.n]
        for k, metric in enumerate(MISSION_METRICS):
            row[..., k] = metric.read(missions)
        actor_table(actors, funders, missions.live, out=self.actors[self.n])
        if self.agent_rows is not None:
            for k, column in enumerate((per_actor_engagement(actors), actors.fatigue, actors.burnt_out,
                                        actors.resentment, actors.cynicism)):
                self.agent_rows[self.n, ..., k] = column
        self.n += 1

    def replicate(self, k: int) -> Recorder:
        """The recorder of replicate ``k`` alone (views onto this one's arrays)."""
        out = copy.copy(self)
        out.missions, out.actors = self.missions[:, k], self.actors[:, k]
        out.agent_rows = None if self.agent_rows is None else self.agent_rows[:, k]
        return out

    @property
    def facet_months(self) -> np.ndarray:
        """(missions, facets): months each mission spent live in each facet (the starting state not counted)."""
        facet = self.mission_series("facet")[1:].astype(np.int64)
        status = self.mission_series("status")[1:]
        live = (status == Status.ACTIVE) | (status == Status.LOCKED_IN)
        return np.stack([((facet == f) & live).sum(axis=0) for f in range(len(FACETS))], axis=1)

    def mission_series(self, name: str) -> np.ndarray:
        """(steps recorded, missions) series of one mission metric."""
        k = [m.name for m in MISSION_METRICS].index(name)
        return self.missions[: self.n, :, k]

    def actor_series(self, name: str) -> np.ndarray:
        """(steps recorded, actor types) series of one actor metric."""
        return self.actors[: self.n, :, ACTOR_METRICS.index(name)]

    def mission_frame(self, names: list[str]) -> pd.DataFrame:
        """Tidy per-step, per-mission table; an ensemble's holds every replicate's rows, replicate after replicate
        (built from its columns at once: a run's share of collecting its tables was mostly pandas inserting and
        converting columns one by one)."""
        data, step, mission = self._rows(self.missions, len(names))
        columns = {"step": step, "mission": mission,
                   "mission_name": pd.Categorical.from_codes(mission, dtype=pd.CategoricalDtype(names))}
        columns |= {m.name: data[:, k] for k, m in enumerate(MISSION_METRICS)}
        columns["creep"] = columns["creep"].astype(np.int64)
        columns["facet"] = pd.Categorical.from_codes(columns["facet"].astype(int), dtype=FACET_DTYPE)
        columns["status"] = pd.Categorical.from_codes(columns["status"].astype(int), dtype=STATUS_DTYPE)
        return pd.DataFrame(columns)

    def actor_frame(self) -> pd.DataFrame:
        """Tidy per-step, per-actor-type table (an ensemble's: every replicate's rows, replicate after replicate)."""
        data, step, kind = self._rows(self.actors, len(ACTOR_TYPES))
        columns = {"step": step, "actor_type": pd.Categorical.from_codes(kind, dtype=ACTOR_TYPE_DTYPE)}
        return pd.DataFrame(columns | {name: data[:, k] for k, name in enumerate(ACTOR_METRICS)})

    def _rows(self, recorded: np.ndarray, per_step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The recorded rows (steps, lead..., items, metrics) as (replicates x steps x items, metrics), with each
        row's step and item."""
        steps = self.n
        data = np.moveaxis(recorded[:steps], 0, -3).reshape(-1, recorded.shape[-1])
        replicates = len(data) // (steps * per_step)
        return (data, np.tile(np.repeat(np.arange(steps), per_step), replicates),
                np.tile(np.arange(per_step), steps * replicates))

    def agent_frame(self, kinds: np.ndarray) -> pd.DataFrame:
        """Tidy per-step, per-agent table (only if agent recording was requested)."""
        if self.agent_rows is None:
            raise ValueError("agent data was not recorded: build the model with agent_data=True")
        steps, n = self.n, kinds.size
        frame = pd.DataFrame(self.agent_rows[:steps].reshape(steps * n, -1), columns=list(ACTOR_METRICS))
        frame.insert(0, "step", np.repeat(np.arange(steps), n))
        frame.insert(1, "actor", np.tile(np.arange(n), steps))
        frame.insert(2, "actor_type", pd.Categorical.from_codes(np.tile(kinds, steps), categories=list(ACTOR_KINDS)))
        return frame
