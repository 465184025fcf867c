"""A month of work: how each actor splits its time, moves towards that split, and (with attention on) tires.

The composition of :mod:`choice` (the nested logit), partial adjustment and :mod:`strain`, as one pure
function so that :mod:`simulation.core.fused` can give the same month in one pass over the arrays. This
numpy version is the readable reference and the fallback; the fused one must give the same bits.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulation.core.rules import choice, strain
from simulation.core.rules.adjust import approach
from simulation.core.rules.axes import per_pair


class Effort(NamedTuple):
    """What the actors carry into the month: (..., A, M) engagement, (..., A) the rest."""

    engagement: np.ndarray
    own_work: np.ndarray
    fatigue: np.ndarray
    burnt_out: np.ndarray


class Setting(NamedTuple):
    """The month's scalar parameters, each from the schema (``attention.*``, ``choice.*``, ``production.*``)."""

    attention: bool  # missions compete for time and tire those who work on them
    fatigue_weight: float
    own_utility: float  # choice.bau_bias(slack, overtime)
    crowding: float
    overtime: float
    adaptation: float
    money_relief: float
    progress_relief: float
    fatigue_build: float
    fatigue_recovery: float
    recovery_point: float


def month_of_work(drivers: choice.Drivers, exposed, live, effort: Effort, capacity, threshold, funding, momentum,
                  s: Setting) -> Effort:
    """Each actor's effort after a month: time split by the nested logit over rest, own work and the missions
    available to it (those it is ``exposed`` to (..., A, M) that are ``live`` (..., M), unless it is burnt out),
    engagement and own work moving towards that split, fatigue from the
    strain of what was given (relieved by ``funding`` and ``momentum``, (..., M)), burn-out at each actor's
    ``threshold``; the burnt-out drop their mission work at once. With attention off, each mission is weighed
    on its own and no one tires."""
    available = exposed & live[..., None, :] & ~effort.burnt_out[..., None]
    u_own = np.full_like(effort.fatigue, s.own_utility)
    u_missions = choice.mission_utility(drivers)
    if s.attention:
        u_rest = s.fatigue_weight * effort.fatigue
        _, own, shares = choice.nested_shares(u_rest, u_own, u_missions, available, s.crowding)
    else:
        _, own, shares = choice.independent_shares(np.zeros_like(effort.fatigue), u_own, u_missions, available)
    hours = s.overtime * capacity
    engagement = approach(effort.engagement, hours[..., None] * shares, per_pair(s.adaptation)) * available
    own_work = approach(effort.own_work, hours * own, s.adaptation)
    if not s.attention:
        return Effort(engagement, own_work, effort.fatigue, effort.burnt_out)
    load = strain.strain(own_work, engagement, capacity, funding, momentum, s.money_relief, s.progress_relief)
    fatigue = strain.update_fatigue(effort.fatigue, load, s.fatigue_build, s.fatigue_recovery)
    burnt_out = strain.update_burnout(effort.burnt_out, fatigue, threshold, s.recovery_point)
    return Effort(np.where(burnt_out[..., None], 0.0, engagement), own_work, fatigue, burnt_out)
