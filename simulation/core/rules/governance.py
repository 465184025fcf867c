"""Elections, mission creep, lock-in and reviews, and facet transitions."""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from simulation.core.rules.axes import per_pair


class Status(IntEnum):
    """A mission's life: pursuing its goal, running past its purpose, or ended."""

    ACTIVE = 0
    LOCKED_IN = 1  # goal met or problem gone, still funded
    ACHIEVED = 2  # goal met and ended
    ABANDONED = 3  # ended before its goal (review, sunset)
    RETIRED = 4  # ended after the problem went away


FACETS = ("mission", "enhancement", "adaptive", "anticipatory")
MISSION, ENHANCEMENT, ADAPTIVE, ANTICIPATORY = range(4)


def election_shift(commitment, size, direction, shock, renewal):
    """Commitment after a change of government. Each mission's commitment moves by up to
    ``shock`` (scaled by ``size`` in [0, 1]): up towards 1 for the share ``renewal`` of missions
    the new government champions (``direction < renewal``), down towards 0 for the rest."""
    champions = direction < renewal
    moved = shock * size
    return np.where(champions, commitment + moved * (1.0 - commitment), commitment * (1.0 - moved))


def attach_pays(fit, attraction, cost, specificity, attached):
    """Whether attaching its own goal to each mission pays each actor (..., A, M): the mission's
    attraction (its success and support) times how well the actor's goal fits it must beat the
    cost, which a specific mission doubles (its clear boundaries resist additions)."""
    return (fit * attraction[..., None, :] > per_pair(cost) * (0.5 + 0.5 * specificity)[..., None, :]) & ~attached


def attraction(progress, legitimacy, momentum, success_weight):
    """How much a mission's name is worth to an actor with a goal of its own: its support, scaled by
    its visible success (progress and momentum) as far as ``success_weight`` says; at 0 support
    alone, which citizens give more readily to a mission that moves."""
    return legitimacy * (1.0 - success_weight + success_weight * 0.5 * (progress + momentum))


def reveals(visibility, draws):
    """Whether this month's indicators show funders that a mission is past its purpose."""
    return draws < visibility


def expected_share(age, horizon):
    """Share of the goal a linear path would have reached by ``age``."""
    return np.minimum(age / horizon, 1.0)


def end_status(achieved, problem_gone):
    """Status of a mission that ends now."""
    return np.where(achieved, Status.ACHIEVED, np.where(problem_gone, Status.RETIRED, Status.ABANDONED))


def review(status, achieved, problem_gone, share, age, horizon, on_track):
    """A periodic review looks at each live mission: it ends those past their purpose and
    abandons those off track (below ``on_track`` of the linear path to the goal)."""
    live = (status == Status.ACTIVE) | (status == Status.LOCKED_IN)
    purpose_gone = achieved | problem_gone
    off_track = share < on_track * expected_share(age, horizon)
    ends = live & (purpose_gone | off_track)
    return np.where(ends, end_status(achieved, problem_gone), status)


def sunset(status, achieved, problem_gone):
    """A sunset clause ends every live mission, whatever its state."""
    live = (status == Status.ACTIVE) | (status == Status.LOCKED_IN)
    return np.where(live, end_status(achieved, problem_gone), status)


def purpose_check(status, achieved, problem_gone, lock_in):
    """Missions whose goal is met or whose problem went away either end at once
    (no lock-in) or keep going, invested, past their purpose (lock-in)."""
    gone = (status == Status.ACTIVE) & (achieved | problem_gone)
    after = Status.LOCKED_IN if lock_in else end_status(achieved, problem_gone)
    return np.where(gone, after, status)


def facet_pace(facet, enhancement, adaptive, anticipatory):
    """Each mission's pace multiplier in its facet (see FACETS; 1 in the mission-oriented one)."""
    pace = np.ones(np.shape(facet))
    for code, value in ((ENHANCEMENT, enhancement), (ADAPTIVE, adaptive), (ANTICIPATORY, anticipatory)):
        pace = np.where(facet == code, value, pace)
    return pace


def drift_fit(fit, facet, noise, reframing):
    """Framing fit wanders with field insight and recovers while the mission adapts."""
    return np.clip(fit + noise + reframing * (facet == ADAPTIVE), 0.0, 1.0)


def facet(current, share, fit, uncertainty, enhancement_at, adaptive_below, anticipatory_above, hysteresis=0.2):
    """Which facet each mission's activity is in (see FACETS)."""
    adaptive = (fit < adaptive_below) | ((current == ADAPTIVE) & (fit < adaptive_below + hysteresis))
    out = np.where(share >= enhancement_at, ENHANCEMENT, MISSION)
    out = np.where(adaptive, ADAPTIVE, out)
    return np.where(uncertainty > anticipatory_above, ANTICIPATORY, out)
