"""Fatigue and burn-out from the effort each actor actually gives (after Homer 1985).

Strain is the work an actor does in a month relative to its own sustainable
capacity. Mission work strains less when the mission is funded (staff and
tools share the load) and when its progress is visible (meaningful work
drains less); own work strains at face value. Fatigue builds with strain above
capacity and recovers with spare capacity, more slowly the deeper it is.
Each actor burns out at its own threshold and returns only well below it.
"""

from __future__ import annotations

import numpy as np

from simulation.core.rules.axes import sum_missions


def strain(own_work, mission_work, capacity, funding, momentum, money_relief, progress_relief):
    """Work given relative to capacity (..., A), mission work weighted by how much it drains.

    ``mission_work`` (..., A, M); ``funding`` and ``momentum`` (..., M) in [0, 1].
    """
    drain = 1.0 - money_relief * funding - progress_relief * momentum
    return (own_work + sum_missions(mission_work * drain[..., None, :])) / capacity


def update_fatigue(fatigue, load, build, recovery):
    """Fatigue grows with load above 1 and recovers with load below 1, slower when deep."""
    excess = np.maximum(load - 1.0, 0.0)
    spare = np.clip(1.0 - load, 0.0, 1.0)
    return np.clip(fatigue + build * excess - recovery * spare * (1.0 - fatigue), 0.0, 1.0)


def update_burnout(burnt_out, fatigue, threshold, recovery_point):
    """Burn-out with hysteresis: out at the actor's own threshold, back below ``recovery_point`` of it."""
    return np.where(burnt_out, fatigue >= recovery_point * threshold, fatigue >= threshold)
