"""Citizens' support (a mission's social licence), cynicism and the side effects of pushing hard."""

from __future__ import annotations

import numpy as np

from simulation.core.rules.adjust import approach
from simulation.core.rules.axes import per_pair, sum_actors, sum_missions


def appeal(meaning, momentum, commitment):
    """How attractive a mission is to citizens (..., M) in [0, 1]: meaningful, visibly moving and
    formally backed (a believable and legitimate call to action)."""
    return (0.25 + 0.75 * meaning) * (0.5 + 0.5 * momentum) * (0.5 + 0.5 * commitment)


def support_target(appeal_, cynicism, affected, side_effects, erosion):
    """Support each citizen would give each mission; costs borne by the affected erode it."""
    base = appeal_[..., None, :] * (1.0 - cynicism)[..., :, None]
    return np.clip(base - per_pair(erosion) * affected * side_effects[..., None, :], 0.0, 1.0)


def citizens_month(appeal_, cynicism, affected, side_effects, erosion, support, adjacency, degree, influence):
    """Citizens' support (..., C, M) after a month: each citizen moves a tenth of the way towards the support
    it would give (:func:`support_target`), then towards its neighbours' (:func:`social_influence`)."""
    target = support_target(appeal_, cynicism, affected, side_effects, erosion)
    return social_influence(approach(support, target, 0.1), adjacency, degree, influence)


def legitimacy(support):
    """Each mission's social licence: citizens' mean support for it."""
    return sum_actors(support) / support.shape[-2]


def social_influence(support, adjacency, degree, weight):
    """Citizens move towards their neighbours' mean support.

    ``adjacency`` is sparse CSR over all citizens of all leading axes together (block-diagonal when replicates
    are stacked: each replicate's network is its own block), so ``support`` (..., C, M) is multiplied as one
    (citizens x missions) matrix."""
    flat = support.reshape(-1, support.shape[-1])
    neighbours = (adjacency @ flat).reshape(support.shape) / degree[..., :, None]
    weight = per_pair(weight)
    return (1.0 - weight) * support + weight * neighbours


def credibility_gap(credibility, floor):
    """How far resources fall short of what the announced ambition needs, in [0, 1]."""
    return np.clip((floor - credibility) / np.maximum(floor, 1e-12), 0.0, 1.0)


def update_disillusion(disillusion, exposure, gap, rate, decay):
    """Cynicism beyond each actor's disposition: it grows with the gaps of the missions the actor
    sees, and fades back to the disposition. ``gap`` (..., M) is zero for missions no longer live."""
    n = max(exposure.shape[-1], 1)
    felt = sum_missions(exposure * gap[..., None, :]) / n
    return np.clip(disillusion + rate * felt - decay * disillusion, 0.0, 1.0)


def update_side_effects(side_effects, pace_ratio, rate, decay):
    """Unintended consequences accumulate with the speed of the push and fade slowly."""
    return np.clip(side_effects + 0.02 * rate * pace_ratio - decay * side_effects, 0.0, 1.0)
