"""Lobbying by incumbents and resentment in neglected parts of government, as decisions."""

from __future__ import annotations

import numpy as np

from simulation.core.rules.axes import sum_actors


def expected_loss(vested, exposure, ambition, specificity, commitment, momentum, focal_weight):
    """What each incumbent expects to lose to each mission (..., A, M): its stake in the status quo,
    times how far the mission would move it, how legible the threat is (a clear target) and how
    credible (formally committed and visibly moving)."""
    legible = (1.0 - focal_weight) + focal_weight * specificity
    credible = 0.5 * (commitment + momentum)
    return vested[..., :, None] * exposure * (ambition * legible * credible)[..., None, :]


def lobbies(loss, cost, others, coalition):
    """Whether each incumbent lobbies against each mission: when the loss it expects outweighs
    lobbying's cost, which falls as other exposed incumbents already lobby (a coalition forms).

    ``cost`` (..., A) is each incumbent's own cost; ``others`` (..., M) the share lobbying now.
    """
    return loss > cost[..., :, None] * (1.0 - coalition * others)[..., None, :]


def lobbying_share(lobbying, exposed):
    """Mean lobbying among the incumbents each mission touches (..., M); ``exposed`` counts them
    (``sum_actors`` of their exposure, fixed over a run)."""
    return np.divide(sum_actors(lobbying), exposed, out=np.zeros_like(exposed, dtype=float), where=exposed > 0)


def resistance(lobby_share, resentment, uninvolved, conversion):
    """Resistance per mission in [0, 1]: incumbents' lobbying plus the share of resentment in
    ministries outside the mission that turns against it."""
    n_min = max(uninvolved.shape[-2], 1)
    turned = conversion * sum_actors(resentment[..., :, None] * uninvolved) / n_min
    return np.clip(lobby_share + turned, 0.0, 1.0)


def own_work_loss(involved, own_work, reference):
    """What missions take from each ministry's own work (..., A): outside every live mission, it
    loses the cooperation of colleagues who moved time from their own work to missions (the mean
    shortfall of the other ministries' own work against what they give it with no mission calling)."""
    shortfall = np.clip(1.0 - own_work / np.maximum(reference, 1e-12), 0.0, 1.0)
    n = shortfall.shape[-1]
    colleagues = (shortfall.sum(axis=-1, keepdims=True) - shortfall) / max(n - 1, 1)
    return (1.0 - involved) * colleagues


def update_resentment(resentment, loss, rate, decay):
    """Resentment grows with what a ministry loses to the missions and fades slowly."""
    return np.clip(resentment + rate * loss - decay * resentment, 0.0, 1.0)
