"""Why actors engage with a mission, how far their attention stretches, and burn-out.

Pure functions of numpy arrays: shapes are (actors, missions) for per-pair
values and (missions,) or (actors,) for the rest. No Mesa, no model objects.
"""

from __future__ import annotations

import numpy as np


def salience(n_active: int, decay: float) -> float:
    """Motivational salience of each mission when ``n_active`` run at once.

    "Too many priorities become the same as not having any": each extra
    mission lowers the salience of every mission, faster than money is split.
    """
    return 1.0 / (1.0 + decay * max(n_active - 1, 0))


def stretch(ambition: np.ndarray, weight: float) -> np.ndarray:
    """Meaningfulness from ambition: a goal close to the status quo stretches nothing."""
    return (1.0 - weight) + weight * ambition


def political_pull(commitment, leadership, leader_present, trust, w_commit, w_lead):
    """Formal commitment mobilises alone; leadership only as far as trust allows."""
    return w_commit * commitment + w_lead * leadership * leader_present * trust


def despair(pace, remaining_work, months_left, age, grace):
    """Share of the remaining work that the current pace will leave undone ("why bother")."""
    reachable = pace * np.maximum(months_left, 1.0)
    gap = 1.0 - reachable / np.maximum(remaining_work, 1e-9)
    gap = np.where(remaining_work <= 0, 0.0, gap)
    return np.where(age >= grace, np.clip(gap, 0.0, 1.0), 0.0)


def mission_pull(political, momentum, legitimacy, salience_, stretch_, despair_, w_momentum, despair_weight):
    """Mission-level pull on every exposed actor, before the actor's own state."""
    base = political + w_momentum * momentum + legitimacy
    return salience_ * stretch_ * base * (1.0 - despair_weight * despair_)


def willingness(exposure, gate, cynicism, pull, money_weight, funding):
    """Engagement each actor would give each mission, in [0, 1): saturating in the pull.

    ``gate`` (actors,) admits new voices; ``money_weight`` (actors,) is how
    much grants move the actor (firms most); ``funding`` (missions,) is the
    mission's money ratio.
    """
    drive = pull[None, :] + money_weight[:, None] * funding[None, :]
    return exposure * (gate * (1.0 - cynicism))[:, None] * (1.0 - np.exp(-np.maximum(drive, 0.0)))


def demand(exposure, ask, active):
    """Workload the active missions ask of each actor (capacity units)."""
    return exposure @ (ask * active)


def allocate_effort(willing, exposure, ask, active, demand_, capacity, fatigue, burnt_out):
    """Effort each actor gives each mission: what it is willing to give and what is asked,
    scaled down when the asks together exceed the capacity fatigue leaves it."""
    available = capacity * (1.0 - fatigue)
    squeeze = np.where(demand_ > available, available / np.maximum(demand_, 1e-12), 1.0)
    asked = exposure * (ask * active)[None, :] * squeeze[:, None]
    effort = np.minimum(willing, asked)
    return np.where(burnt_out[:, None], 0.0, effort)


def update_fatigue(fatigue, load, sustainable, build, recovery):
    """Homer-style fatigue: builds with excess load, recovers slowly and slower when deep."""
    excess = np.maximum(load - sustainable, 0.0)
    slack = np.maximum(sustainable - load, 0.0)
    return np.clip(fatigue + build * excess - recovery * np.minimum(slack, 1.0) * (1.0 - fatigue), 0.0, 1.0)


def update_burnout(burnt_out, fatigue, burnout_at, recovered_at):
    """Burn-out with hysteresis: out at ``burnout_at``, back only below ``recovered_at``."""
    return np.where(burnt_out, fatigue >= recovered_at, fatigue >= burnout_at)


def approach(current, target, speed):
    """Move ``current`` a share ``speed`` of the way towards ``target``."""
    return current + speed * (target - current)


def leader_loss(commitment, shock):
    """Share of engagement and momentum kept when a mission's leader leaves:
    the loss is large where the mission is not underpinned by formal commitment."""
    return 1.0 - shock * (1.0 - commitment)
