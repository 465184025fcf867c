"""How each actor splits its working time between rest, its own work and the missions.

A nested logit (McFadden 1978): rest, business as usual and a nest holding the
live missions the actor is exposed to. The nest's dissimilarity parameter is
``1 - crowding``: at crowding 0 every mission is a separate claim on time
(adding one draws time from rest and own work as a new option would); at
crowding 1 missions are perfect substitutes that share one claim. Utilities
are additive and unbounded, so no single driver saturates and masks the others.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

NEUTRAL = 0.5
"""Stand-in value of a driver whose mechanism is switched off (momentum, meaning)."""


def bau_bias(slack, overtime):
    """Utility of own work over rest such that, with no mission calling, an actor works ``1 - slack``
    of its capacity: shares rest : own work = (overtime - 1 + slack) : (1 - slack)."""
    return np.log((1.0 - slack) / (overtime - 1.0 + slack))


def mission_utility(drivers):
    """Utility of each mission to each actor: the sum of its drivers, each already weighted.

    ``drivers`` is an iterable of arrays broadcastable to (..., A, M): per-mission terms
    shaped (..., 1, M), per-actor terms (..., A, 1).
    """
    total = 0.0
    for term in drivers:
        total = total + term
    return total


def meaning(ambition):
    """Meaning a goal gives those asked to work on it: nothing at the status quo, rising with
    ambition, with diminishing returns (a radical goal means little more than a bold one)."""
    return 1.0 - (1.0 - ambition) ** 2


def leadership_pull(leadership, present, trust, cynicism, weight):
    """Leadership mobilises only where trust is already high: its pull grows with the square of each
    actor's trust, which cynicism lowers. (..., A, M)"""
    return weight * (leadership * present)[..., None, :] * ((trust * (1.0 - cynicism)) ** 2)[..., :, None]


def _logsumexp(x, axis, where):
    """log sum exp over ``axis`` of the entries allowed by ``where``; -inf where none is."""
    masked = np.where(where, x, -np.inf)
    top = masked.max(axis=axis, keepdims=True)
    safe = np.where(np.isfinite(top), top, 0.0)
    total = np.exp(masked - safe).sum(axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        out = np.log(total) + safe
    return np.squeeze(out, axis=axis)


def nested_shares(u_rest, u_bau, u_missions, available, crowding):
    """Shares of working time: (rest (..., A), own work (..., A), missions (..., A, M)).

    ``available`` (..., A, M) marks the missions an actor can choose (exposed, live, not burnt out).
    """
    tau = max(1.0 - crowding, 1e-3)
    u_rest, u_bau = np.broadcast_arrays(u_rest, u_bau)
    inclusive = tau * _logsumexp(u_missions / tau, -1, available)  # (..., A)
    options = np.stack([u_rest, u_bau, inclusive], axis=-1)
    top = options.max(axis=-1, keepdims=True)
    weights = np.exp(options - top)
    upper = weights / weights.sum(axis=-1, keepdims=True)
    scaled = np.where(available, u_missions / tau, -np.inf)
    scaled_top = scaled.max(axis=-1, keepdims=True)
    inner = np.where(available, np.exp(scaled - np.where(np.isfinite(scaled_top), scaled_top, 0.0)), 0.0)
    norm = inner.sum(axis=-1, keepdims=True)
    within = np.divide(inner, norm, out=np.zeros_like(inner), where=norm > 0)
    return upper[..., 0], upper[..., 1], upper[..., 2:3] * within


def independent_shares(u_rest, u_bau, u_missions, available):
    """Shares when missions do not compete for time (attention off): each mission is weighed
    against rest and own work on its own; rest and own work keep their no-mission shares."""
    others = np.logaddexp(u_rest, u_bau)[..., None]
    mission = np.where(available, expit(u_missions - others), 0.0)
    rest = expit(u_rest - u_bau)
    return rest, 1.0 - rest, mission
