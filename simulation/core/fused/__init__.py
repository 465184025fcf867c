"""The month of work and citizens' opinion fused into compiled passes over the arrays (numba), with numpy's bits.

:func:`simulation.core.rules.work.month_of_work` chains some forty numpy operations over (..., A, M) arrays,
:func:`simulation.core.rules.opinion.citizens_month` and ``update_disillusion`` a dozen more; most broadcast
an (..., A, 1) or (..., 1, M) operand against a full array, which numpy runs a few elements per inner-loop
call when the mission axis is short. Here each chain is one loop over actors and missions. The arithmetic is
the reference's, operation for operation and in the same order (no fast-math, no fused multiply-add), and
the exponentials and logarithms are left to numpy between the passes, because numba's (the C library's)
differ from numpy's SIMD ones in the last bit. So results do not depend on whether numba is installed, and
``tests/test_fused.py`` checks that, bit for bit. The passes are in :mod:`.kernels`.

The fused month of work runs with attention on, and it and disillusion with 2 to 7 missions (where numpy
adds the mission axis one element after another); citizens' sparse product stays scipy's. Otherwise, without
numba, or with ``MISSIONS_KERNELS=numpy`` in the environment (:mod:`.compiled`), the numpy reference runs.
"""

from __future__ import annotations

import numpy as np

from simulation.core.fused import compiled
from simulation.core.rules import choice, opinion, work
from simulation.core.rules.axes import PAIRWISE_FROM
from simulation.core.rules.choice import _SHUT, Drivers

_UNUSED_2D, _UNUSED_3D = np.zeros((1, 1)), np.zeros((1, 1, 1))
"""Stand-ins for the factors of a driver whose mechanism is off: the passes never read them."""


def month_of_work(drivers: Drivers, exposed, live, effort: work.Effort, capacity, threshold, funding, momentum,
                  s: work.Setting) -> work.Effort:
    """:func:`simulation.core.rules.work.month_of_work`, fused where it can be."""
    shape = np.broadcast_shapes(exposed.shape, effort.engagement.shape)
    missions = shape[-1]
    passes = compiled.kernels() if s.attention and 1 < missions < PAIRWISE_FROM else None
    if passes is None:
        return work.month_of_work(drivers, exposed, live, effort, capacity, threshold, funding, momentum, s)
    per_pair, per_actor, per_mission, per_lead = _layouts(shape)

    d = drivers
    lead_on, side_on = d.push is not None, d.affected is not None
    tau = per_lead(choice.dissimilarity(s.crowding))
    burnt_out = per_actor(effort.burnt_out)
    open_, top, packed = passes.utility(per_pair(exposed), per_mission(live), burnt_out,
        per_mission(d.mission), per_actor(d.actor), per_actor(d.grant_pull), per_mission(d.funding),
        per_mission(d.push) if lead_on else _UNUSED_2D, per_actor(d.trusted) if lead_on else _UNUSED_2D, lead_on,
        per_lead(d.erosion), per_pair(d.affected) if side_on else _UNUSED_3D,
        per_mission(d.side_effects) if side_on else _UNUSED_2D, side_on, tau, _SHUT)
    inner, norm, loggable = passes.nest(np.exp(packed, out=packed), open_)
    log_norm = np.log(loggable, out=loggable)
    fatigue, capacity_ = per_actor(effort.fatigue), per_actor(capacity)
    weights = passes.options(s.fatigue_weight * fatigue, per_lead(s.own_utility), log_norm, norm, top, tau)
    weights = np.exp(weights, out=weights)
    engagement, own_work, fatigue, burnt_out = passes.effort(
        weights, inner, norm, open_, per_pair(effort.engagement), per_actor(effort.own_work), fatigue, capacity_,
        per_actor(threshold), burnt_out, per_mission(funding), per_mission(momentum), *map(per_lead, (s.overtime,
        s.adaptation, s.money_relief, s.progress_relief, s.fatigue_build, s.fatigue_recovery, s.recovery_point)))
    return work.Effort(engagement.reshape(shape), own_work.reshape(shape[:-1]), fatigue.reshape(shape[:-1]),
                       burnt_out.reshape(shape[:-1]))


def citizens_month(appeal_, cynicism, affected, side_effects, erosion, support, adjacency, degree, influence):
    """:func:`simulation.core.rules.opinion.citizens_month`, fused where it can be."""
    passes = compiled.kernels() if support.shape[-1] > 0 else None
    if passes is None:
        return opinion.citizens_month(appeal_, cynicism, affected, side_effects, erosion, support, adjacency, degree,
                                      influence)
    shape = support.shape
    per_pair, per_actor, per_mission, per_lead = _layouts(shape)
    moved = passes.towards_target(per_mission(appeal_), per_actor(cynicism), per_pair(affected),
                                  per_mission(side_effects), per_lead(erosion), per_pair(support))
    neighbours = (adjacency @ moved.reshape(-1, shape[-1])).reshape(moved.shape)
    return passes.mix(moved, neighbours, per_actor(degree), per_lead(influence)).reshape(shape)


def update_disillusion(disillusion, exposure, gap, rate, decay):
    """:func:`simulation.core.rules.opinion.update_disillusion`, fused where it can be."""
    shape = np.broadcast_shapes(exposure.shape, (*disillusion.shape, 1))
    passes = compiled.kernels() if 1 < shape[-1] < PAIRWISE_FROM else None
    if passes is None:
        return opinion.update_disillusion(disillusion, exposure, gap, rate, decay)
    per_pair, per_actor, per_mission, per_lead = _layouts(shape)
    return passes.disillusion(per_actor(disillusion), per_pair(exposure), per_mission(gap), per_lead(rate),
                              per_lead(decay)).reshape(shape[:-1])


def _layouts(shape):
    """Reshapers of per-pair (..., A, M), per-actor (..., A) and per-mission (..., M) arrays, broadcast to
    ``shape``, into the C-contiguous (lead, A, M), (lead, A) and (lead, M) the passes take, and of parameters
    (one value, or one per replicate (..., 1)) into (lead,)."""
    lead, actors, missions = int(np.prod(shape[:-2], dtype=np.int64)), shape[-2], shape[-1]

    def per_pair(x):
        return np.ascontiguousarray(np.broadcast_to(x, shape)).reshape(lead, actors, missions)

    def per_actor(x):
        return np.ascontiguousarray(np.broadcast_to(x, shape[:-1])).reshape(lead, actors)

    def per_mission(x):
        return np.ascontiguousarray(np.broadcast_to(x, (*shape[:-2], missions))).reshape(lead, missions)

    def per_lead(x):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=np.float64).reshape(-1), (lead,)))

    return per_pair, per_actor, per_mission, per_lead
