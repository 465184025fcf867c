"""How effort and money become progress, and how progress becomes momentum."""

from __future__ import annotations

import numpy as np


def group_effort(effort, exposure, ask, groups, weights):
    """Effort index per mission in [0, 1]: each actor group's delivered share of what the
    missions asked of it, weighted by the group's share of the ecosystem.

    ``groups`` is a list of slices into the actor axis; ``weights`` their shares.
    """
    index = np.zeros(effort.shape[1])
    for group, weight in zip(groups, weights, strict=True):
        asked = exposure[group].sum(axis=0) * ask
        index += weight * np.divide(effort[group].sum(axis=0), asked, out=np.zeros_like(index), where=asked > 0)
    return index


def innovation(ambition, prescriptiveness, radical_gain):
    """Productivity multiplier: ambition opens room for radical solutions unless the means are prescribed."""
    return 1.0 + radical_gain * ambition * (1.0 - prescriptiveness)


def coordination(n_ministries, silo, alignment, cost):
    """Friction of spanning several ministries: silos slow a mission unless resources are aligned."""
    return 1.0 / (1.0 + cost * (1.0 - alignment) * silo * np.maximum(n_ministries - 1, 0))


def drag(resistance, strength):
    """Slow-down of progress under resistance."""
    return 1.0 / (1.0 + strength * resistance)


def learning(experience, novice, scale):
    """Learning curve: missions start slow and speed up with accumulated effort."""
    return novice + (1.0 - novice) * (1.0 - np.exp(-experience / scale))


def pace(productivity, effort, money, elasticity, multiplier):
    """Work done this month: Cobb-Douglas in effort and money, times the mission's multipliers."""
    return productivity * effort**elasticity * np.minimum(money, 1.0) ** (1.0 - elasticity) * multiplier


def perceived_pace(true_pace, visibility, noise, reference, draws):
    """What actors see of progress: tangible indicators show it, vague missions blur it."""
    seen = true_pace * visibility + noise * reference * (1.0 - visibility) * draws
    return np.maximum(seen, 0.0)


def update_momentum(momentum, perceived, reference, smoothing):
    """Momentum: a smoothed sense of keeping up with the pace the goal needs."""
    felt = np.clip(perceived / np.maximum(reference, 1e-12), 0.0, 1.0)
    return np.clip(momentum + smoothing * (felt - momentum), 0.0, 1.0)
