"""Mesa agents: ministries, firms, funders and citizens.

Each agent is a view onto one row of the model's state arrays. The model
updates whole populations at once through the pure rules in
``simulation.core.rules``; an agent exposes its own slice of that state, so
``model.agents_by_type[Firm]`` and per-agent inspection work as in any Mesa
model without per-agent Python work in the hot loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulation.core.state import FUNDER_KINDS

if TYPE_CHECKING:
    from simulation.core.model import MissionModel


class Actor(mesa.Agent):
    """An actor whose state lives in row ``row`` of ``model.actors``."""

    def __init__(self, model: MissionModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def engagement(self) -> np.ndarray:
        """Engagement with each mission."""
        return self.model.actors.engagement[self.row]

    @property
    def fatigue(self) -> float:
        return float(self.model.actors.fatigue[self.row])

    @property
    def burnt_out(self) -> bool:
        return bool(self.model.actors.burnt_out[self.row])

    @property
    def resentment(self) -> float:
        return float(self.model.actors.resentment[self.row])

    @property
    def cynicism(self) -> float:
        return float(self.model.actors.cynicism[self.row])

    @property
    def missions(self) -> list[str]:
        """Names of the missions this actor is exposed to."""
        names = self.model.missions.names
        return [names[m] for m in np.flatnonzero(self.model.actors.exposure[self.row])]


class Ministry(Actor):
    """A government organisation: capacity, silo tendency, mandate for some missions."""

    @property
    def silo(self) -> float:
        return float(self.model.actors.silo[self.row])

    @property
    def leads(self) -> list[str]:
        """Missions this ministry leads (it is the first of the mission's ministries)."""
        return [name for name, lead in zip(self.model.missions.names, self.model.lead_ministry, strict=True)
                if lead == self.row]


class Firm(Actor):
    """An incumbent (with a vested interest) or a challenger (a new entrant)."""

    @property
    def incumbent(self) -> bool:
        return self.row < self.model.actors.incumbents.stop

    @property
    def vested_interest(self) -> float:
        return float(self.model.actors.vested[self.row])


class Citizen(Actor):
    """A citizen whose support is the missions' social licence."""

    @property
    def support(self) -> np.ndarray:
        return self.model.actors.support[self.row - self.model.actors.citizens.start]


class Funder(mesa.Agent):
    """A national, regional, philanthropic or impact funder with an annual budget."""

    def __init__(self, model: MissionModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def kind(self) -> str:
        return FUNDER_KINDS[self.model.funders.kind[self.row]]

    @property
    def allocation(self) -> np.ndarray:
        """Share of this funder's monthly tranche going to each mission."""
        return self.model.funders.allocation[self.row]

    @property
    def paid(self) -> float:
        return float(self.model.funders.paid[self.row])
