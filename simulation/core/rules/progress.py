"""How effort and money become change, and how change is seen and felt.

A mission moves the status quo by two kinds of work. Incremental work (more of
the same, done better) is productive at once but has diminishing returns: it can
move the system only ``incremental_reach`` of a fully radical goal. Radical work
(new solutions) must first be learnt and can move the system without that
ceiling; its results diffuse beyond the mission's aim (ripple).
"""

from __future__ import annotations

import numpy as np

from simulation.core.rules.axes import sum_actors


def exposed_capacity(exposure, capacity, groups):
    """Each group's capacity exposed to each mission, one (..., M) array per group: what its effort is a
    share of. Exposure and capacity are fixed over a run, so the engine computes this once."""
    return [sum_actors(exposure[..., group, :] * capacity[..., group, None]) for group in groups]


def group_effort(effort, rooms, groups, weights):
    """Effort index per mission (..., M): each group's share of its exposed capacity (``rooms``, from
    :func:`exposed_capacity`) given to the mission, weighted by the group's share of the mission's work.
    ``groups`` are slices of the actor axis."""
    index = 0.0
    for group, room, weight in zip(groups, rooms, weights, strict=True):
        given = sum_actors(effort[..., group, :])
        index = index + weight * np.divide(given, room, out=np.zeros_like(given), where=room > 0)
    return index


def challenger_share(effort, incumbents, challengers):
    """Share of firms' mission effort that comes from challengers (..., M)."""
    inc = sum_actors(effort[..., incumbents, :])
    chal = sum_actors(effort[..., challengers, :])
    total = inc + chal
    return np.divide(chal, total, out=np.zeros_like(total), where=total > 0)


def radical_share(goal, reach, prescriptiveness):
    """Share of a mission's work its actors put into radical solutions (..., M).

    A goal that incremental means can reach while their returns are still high (within half
    their reach) draws only incremental solutions ("we're close, why jeopardise what's
    working?"); a goal beyond that draws radical work for the part incremental means cannot
    cover. Prescribed means hold actors to the status quo.
    """
    needed = np.clip(1.0 - 0.5 * reach / np.maximum(goal, 1e-12), 0.0, 1.0)
    return needed * (1.0 - prescriptiveness)


def incremental_gain(work, incremental, reach):
    """Change from incremental work: diminishing as it nears what incremental means can reach."""
    return np.where(reach > 0, work * np.clip(1.0 - incremental / np.maximum(reach, 1e-12), 0.0, 1.0), 0.0)


def learning(experience, novice, scale):
    """Learning curve: work starts at ``novice`` productivity and speeds up with experience."""
    return novice + (1.0 - novice) * (1.0 - np.exp(-experience / scale))


def radical_productivity(radical_experience, scale, gain, challengers, insight):
    """Productivity of radical work relative to incremental: it rises to ``1 + gain`` as new
    solutions are learnt, and challengers bring insight incumbents lack."""
    return (1.0 + gain * (1.0 - np.exp(-radical_experience / scale))) * (1.0 + insight * challengers)


def coordination(n_ministries, silo, alignment, cost):
    """Friction of spanning several ministries: silos slow a mission unless resources are aligned."""
    return 1.0 / (1.0 + cost * (1.0 - alignment) * silo * np.maximum(n_ministries - 1, 0))


def drag(resistance, strength):
    """Slow-down of progress under resistance."""
    return 1.0 / (1.0 + strength * resistance)


def pace(productivity, effort, money, elasticity, multiplier):
    """Work done this month: Cobb-Douglas in effort and money (money beyond need does not help)."""
    return productivity * effort**elasticity * np.minimum(money, 1.0) ** (1.0 - elasticity) * multiplier


def perceived_pace(true_pace, visibility, noise, reference, draws):
    """What actors see of this month's progress: tangible indicators show all of it; without
    them actors credit only half of it and see much noise."""
    return true_pace * (0.5 + 0.5 * visibility) + noise * reference * (1.0 - visibility) * draws


def momentum(seen_pace, reference):
    """Momentum: the smoothed pace actors see, relative to the pace the goal needs, in [0, 1]."""
    return np.clip(seen_pace / np.maximum(reference, 1e-12), 0.0, 1.0)


def despair(seen_pace, remaining_work, months_left, grace):
    """Share of the remaining work the pace actors see would leave undone by the deadline
    ("why bother, this is impossible"); past the deadline actors allow themselves ``grace`` months."""
    reachable = np.maximum(seen_pace, 0.0) * np.maximum(months_left, max(grace, 1))
    gap = 1.0 - reachable / np.maximum(remaining_work, 1e-9)
    return np.where(remaining_work <= 0, 0.0, np.clip(gap, 0.0, 1.0))
