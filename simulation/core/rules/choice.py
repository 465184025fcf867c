"""How each actor splits its working time between rest, its own work and the missions.

A nested logit (McFadden 1978): rest, business as usual and a nest holding the
live missions the actor is exposed to. The nest's dissimilarity parameter is
``1 - crowding``: at crowding 0 every mission is a separate claim on time
(adding one draws time from rest and own work as a new option would); at
crowding 1 missions are perfect substitutes that share one claim. Utilities
are additive and unbounded, so no single driver saturates and masks the others.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import expit

from simulation.core.rules.axes import max_missions, per_pair, sum_missions

NEUTRAL = 0.5
"""Stand-in value of a driver whose mechanism is switched off (momentum, meaning)."""


def bau_bias(slack, overtime):
    """Utility of own work over rest such that, with no mission calling, an actor works ``1 - slack``
    of its capacity: shares rest : own work = (overtime - 1 + slack) : (1 - slack)."""
    return np.log((1.0 - slack) / (overtime - 1.0 + slack))


class Drivers(NamedTuple):
    """The weighted terms of every actor's utility for every mission, grouped by shape: per mission (..., M),
    per actor (..., A), and the per-pair products of grants (each actor's pull (..., A) times each mission's
    funding (..., M)), leadership (a leader's push (..., M) times each actor's trust in it (..., A), see
    :func:`leadership_factors`) and side effects (erosion times who is affected (..., A, M) times each
    mission's side effects (..., M)). A mechanism that is off leaves its factors ``None``."""

    mission: np.ndarray
    actor: np.ndarray
    grant_pull: np.ndarray
    funding: np.ndarray
    push: np.ndarray | None = None
    trusted: np.ndarray | None = None
    erosion: float = 0.0
    affected: np.ndarray | None = None
    side_effects: np.ndarray | None = None


def mission_utility(drivers: Drivers):
    """Utility of each mission to each actor (..., A, M): the sum of its drivers, each already weighted,
    added in the order of :class:`Drivers`."""
    d = drivers
    total = 0.0 + d.mission[..., None, :]
    total = total + d.actor[..., None]
    total = total + d.grant_pull[..., None] * d.funding[..., None, :]
    if d.push is not None:
        total = total + d.push[..., None, :] * d.trusted[..., :, None]
    if d.affected is not None:
        total = total + -per_pair(d.erosion) * d.affected * d.side_effects[..., None, :]
    return total


def meaning(ambition):
    """Meaning a goal gives those asked to work on it: nothing at the status quo, rising with
    ambition, with diminishing returns (a radical goal means little more than a bold one)."""
    return 1.0 - (1.0 - ambition) ** 2


def leadership_factors(leadership, present, trust, cynicism, weight):
    """Leadership mobilises only where trust is already high: its pull on an actor is the weighted push of
    the mission's present leader (..., M) times the square of the actor's trust (..., A), which cynicism
    lowers."""
    return weight * (leadership * present), (trust * (1.0 - cynicism)) ** 2


_SHUT = 1e300
"""Subtracted from the utility of a mission an actor cannot choose: below every utility the model can give."""


def dissimilarity(crowding):
    """The nest's dissimilarity parameter, ``1 - crowding``, kept above 0 so that utilities can be scaled by it."""
    return np.maximum(1.0 - crowding, 1e-3)


def nested_shares(u_rest, u_bau, u_missions, available, crowding):
    """Shares of working time: (rest (..., A), own work (..., A), missions (..., A, M)).

    ``available`` (..., A, M) marks the missions an actor can choose (exposed, live, not burnt out).
    """
    tau = dissimilarity(crowding)
    u_rest, u_bau = np.broadcast_arrays(u_rest, u_bau)
    scaled = u_missions / per_pair(tau)
    # masks by arithmetic, not np.where, which costs four times as much on so irregular a mask: the best
    # available mission (a utility far below any real one where none is open, set to 0 as for no mission)...
    top = max_missions(scaled - _SHUT * ~available, keepdims=True)
    top = np.where(top > -0.5 * _SHUT, top, 0.0)
    # ...and the exponential of 0 where unavailable (numpy's exp of -inf or of an underflow is 15x slower), then 0
    inner = np.exp((scaled - top) * available) * available
    norm = sum_missions(inner, keepdims=True)
    some = norm > 0
    with np.errstate(divide="ignore"):
        inclusive = np.where(some, per_pair(tau) * (np.log(norm) + top), -np.inf)[..., 0]  # the nest's utility
    peak = np.maximum(np.maximum(u_rest, u_bau), inclusive)
    w_rest, w_bau, w_nest = np.exp(u_rest - peak), np.exp(u_bau - peak), np.exp(inclusive - peak)
    total = w_rest + w_bau + w_nest
    within = inner / np.where(some, norm, 1.0)  # an actor with no mission open has inner 0
    return w_rest / total, w_bau / total, (w_nest / total)[..., None] * within


def independent_shares(u_rest, u_bau, u_missions, available):
    """Shares when missions do not compete for time (attention off): each mission is weighed
    against rest and own work on its own; rest and own work keep their no-mission shares."""
    others = np.logaddexp(u_rest, u_bau)[..., None]
    mission = np.where(available, expit(u_missions - others), 0.0)
    rest = expit(u_rest - u_bau)
    return rest, 1.0 - rest, mission
