"""The tables and summaries of a finished run, for a model run alone and for each replicate of an ensemble."""

from __future__ import annotations

import pandas as pd

from simulation.core import metrics


class RunTables:
    """Readers of a run's results; the class using it has ``missions``, ``actors``, ``funders`` and ``recorder``
    of one run (no replicate axis)."""

    def mission_frame(self) -> pd.DataFrame:
        return self.recorder.mission_frame(self.missions.names)

    def actor_frame(self) -> pd.DataFrame:
        return self.recorder.actor_frame()

    def agent_frame(self) -> pd.DataFrame:
        return self.recorder.agent_frame(self.actors.kind)

    def summary(self) -> dict:
        return metrics.run_summary(self)

    def mission_summary(self) -> list[dict]:
        return metrics.mission_summary(self.missions, self.recorder.facet_months)
