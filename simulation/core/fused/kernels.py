"""The compiled passes: the month of work, citizens' opinion, the actor-axis sum and the small-world builder; each
mirrors a stretch of its numpy or Python reference, operation for operation (see :mod:`simulation.core.fused`).
Arrays are (lead, actors, missions), (lead, actors) and (lead, missions), C-contiguous, and parameters (lead,):
one value per replicate (the same in each where they share it); compiled once and cached
beside this file. Nothing here imports the package, so :mod:`simulation.core.rules.axes` and
:mod:`simulation.core.small_world` can use it too. An actor's values pass from one of its loops over the missions
to the next through small scratch arrays, not through the output arrays: reading back what had just been stored
there made the utility pass about 1.8 times slower."""

from __future__ import annotations

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True, error_model="numpy")
inline = numba.njit(cache=True, inline="always")


# Written without short-circuits, so that they compile to selects, not to branches that random data mispredict.
@inline
def _maximum(a, b):
    """np.maximum: the first if not smaller or NaN, else the second."""
    return a if (a >= b) | (a != a) else b


@inline
def _clip(x):
    """np.clip(x, 0.0, 1.0): NaN stays NaN; a tie keeps the bound."""
    x = x if (x > 0.0) | (x != x) else 0.0
    return x if (x < 1.0) | (x != x) else 1.0


@jit
def utility(exposed, live, burnt_out, mission, actor, grant_pull, funding, push, trusted, lead_on, erosion, affected,
            side, side_on, tau, shut):
    """Which missions each actor can choose (``open_``); choice.mission_utility, then nested_shares up to the
    argument of each open mission's exponential: the best open mission's scaled utility (``top``) and, packed
    in order of actor and mission, the open ones' scaled utility less it (``packed``, one slot to spare: only
    open missions' exponentials are needed, a third of them by default). ``shut`` is choice._SHUT."""
    n_lead, n_actors, n_missions = exposed.shape
    open_ = np.empty(exposed.shape, dtype=np.bool_)
    packed = np.empty(exposed.size + 1)
    top = np.empty((n_lead, n_actors))
    scaled, opens = np.empty(n_missions), np.empty(n_missions)  # an actor's, kept apart from the outputs
    k = 0
    for r in range(n_lead):
        for i in range(n_actors):
            best = 0.0
            for j in range(n_missions):
                o = exposed[r, i, j] & live[r, j] & (not burnt_out[r, i])
                open_[r, i, j] = o
                opens[j] = np.float64(o)
                u = 0.0 + mission[r, j]
                u = u + actor[r, i]
                u = u + grant_pull[r, i] * funding[r, j]
                if lead_on:
                    u = u + push[r, j] * trusted[r, i]
                if side_on:
                    u = u + -erosion[r] * affected[r, i, j] * side[r, j]
                x = u / tau[r]
                scaled[j] = x
                masked = x - shut * (1.0 - opens[j])
                best = masked if j == 0 else _maximum(best, masked)
            best = best if best > -0.5 * shut else 0.0
            top[r, i] = best
            for j in range(n_missions):
                packed[k] = (scaled[j] - best) * opens[j]
                k += np.int64(opens[j])
    packed[k] = 0.0
    return open_, top, packed[:k + 1]


@jit
def nest(packed, open_):
    """The missions' exponentials (``packed``: the open ones', in :func:`utility`'s order) in place, 0 for the
    others, and their sums over the missions, in numpy's order; and the sums again with 1 for 0 (an actor with no
    mission open), whose logarithm numpy takes without the slow path its logarithm of 0 and exponential of -inf
    take (the nest's weight there is 0 all the same)."""
    n_lead, n_actors, n_missions = open_.shape
    inner = np.empty(open_.shape)
    norm = np.empty((n_lead, n_actors))
    loggable = np.empty((n_lead, n_actors))
    k = 0
    for r in range(n_lead):
        for i in range(n_actors):
            total = 0.0
            for j in range(n_missions):
                o = open_[r, i, j]
                v = packed[k] if o else 0.0
                k += np.int64(o)
                inner[r, i, j] = v
                total = total + v
            norm[r, i] = total
            loggable[r, i] = total if total > 0 else 1.0
    return inner, norm, loggable


@jit
def options(u_rest, u_own, log_norm, norm, top, tau):
    """The nest's inclusive value, then rest's, own work's and the nest's utility less the largest of the three
    (stacked on a first axis of 3, for one exponential); where no mission is open the nest's is 0 instead of
    -inf, and :func:`effort` takes its weight as 0, which is numpy's exponential of -inf."""
    n_lead, n_actors = norm.shape
    out = np.empty((3, n_lead, n_actors))
    for r in range(n_lead):
        for i in range(n_actors):
            inclusive = tau[r] * (log_norm[r, i] + top[r, i]) if norm[r, i] > 0 else -np.inf
            rest = u_rest[r, i]
            peak = _maximum(_maximum(rest, u_own[r]), inclusive)
            out[0, r, i] = rest - peak
            out[1, r, i] = u_own[r] - peak
            out[2, r, i] = inclusive - peak if norm[r, i] > 0 else 0.0
    return out


@jit
def effort(weights, inner, norm, open_, engagement, own_work, fatigue, capacity, threshold, burnt_out, funding,
           momentum, overtime, adaptation, money_relief, progress_relief, build, recovery, recovery_point):
    """The rest of nested_shares, partial adjustment, strain.strain, update_fatigue and update_burnout."""
    n_lead, n_actors, n_missions = open_.shape
    new_engagement = np.empty(open_.shape)
    new_own = np.empty((n_lead, n_actors))
    new_fatigue = np.empty((n_lead, n_actors))
    new_burnt = np.empty((n_lead, n_actors), dtype=np.bool_)
    drain, given = np.empty(n_missions), np.empty(n_missions)  # an actor's, kept apart from the outputs
    for r in range(n_lead):
        for j in range(n_missions):
            drain[j] = 1.0 - money_relief[r] * funding[r, j] - progress_relief[r] * momentum[r, j]
        for i in range(n_actors):
            w_nest = weights[2, r, i] if norm[r, i] > 0 else 0.0
            total = weights[0, r, i] + weights[1, r, i] + w_nest
            nest_share = w_nest / total
            hours = overtime[r] * capacity[r, i]
            denominator = norm[r, i] if norm[r, i] > 0 else 1.0
            mission_load = 0.0
            for j in range(n_missions):
                share = nest_share * (inner[r, i, j] / denominator)
                e = engagement[r, i, j]
                e = (e + adaptation[r] * (hours * share - e)) * np.float64(open_[r, i, j])
                given[j] = e
                mission_load = mission_load + e * drain[j]
            own = own_work[r, i]
            own = own + adaptation[r] * (hours * (weights[1, r, i] / total) - own)
            new_own[r, i] = own
            load = (own + mission_load) / capacity[r, i]
            excess = _maximum(load - 1.0, 0.0)
            spare = _clip(1.0 - load)
            f = fatigue[r, i]
            f = _clip(f + build[r] * excess - recovery[r] * spare * (1.0 - f))
            new_fatigue[r, i] = f
            out = f >= (recovery_point[r] * threshold[r, i] if burnt_out[r, i] else threshold[r, i])
            new_burnt[r, i] = out
            for j in range(n_missions):
                new_engagement[r, i, j] = 0.0 if out else given[j]
    return new_engagement, new_own, new_fatigue, new_burnt


@jit
def towards_target(appeal, cynicism, affected, side, erosion, support):
    """opinion.support_target, then each citizen's support a tenth of the way towards it."""
    n_lead, n_citizens, n_missions = support.shape
    out = np.empty(support.shape)
    for r in range(n_lead):
        for c in range(n_citizens):
            trusting = 1.0 - cynicism[r, c]
            for j in range(n_missions):
                target = _clip(appeal[r, j] * trusting - erosion[r] * affected[r, c, j] * side[r, j])
                s = support[r, c, j]
                out[r, c, j] = s + 0.1 * (target - s)
    return out


@jit
def mix(support, neighbours, degree, weight):
    """The rest of opinion.social_influence, after scipy's sparse product ``neighbours`` (a compiled loop over
    it is twice as slow here): the neighbours' mean mixed with the citizen's own support."""
    n_lead, n_citizens, n_missions = support.shape
    out = np.empty(support.shape)
    for r in range(n_lead):
        w = weight[r]
        for i in range(n_citizens):
            for j in range(n_missions):
                out[r, i, j] = (1.0 - w) * support[r, i, j] + w * (neighbours[r, i, j] / degree[r, i])
    return out


@jit
def disillusion(disillusion_, exposure, gap, rate, decay):
    """opinion.update_disillusion."""
    n_lead, n_actors, n_missions = exposure.shape
    out = np.empty((n_lead, n_actors))
    for r in range(n_lead):
        for i in range(n_actors):
            felt = 0.0
            for j in range(n_missions):
                felt = felt + exposure[r, i, j] * gap[r, j]
            d = disillusion_[r, i]
            out[r, i] = _clip(d + rate[r] * (felt / n_missions) - decay[r] * d)
    return out


@jit
def sum_actors(x):
    """axes.sum_actors of a (lead, actors, missions) array of any strides: from 0.0, adding the actors' rows one
    after another, as numpy does."""
    n_lead, n_actors, n_missions = x.shape
    out = np.zeros((n_lead, n_missions))
    for r in range(n_lead):
        for i in range(n_actors):
            for j in range(n_missions):
                out[r, j] += x[r, i, j]
    return out


@inline
def _uniform(words, at):
    """CPython's ``random.random()`` from the Mersenne Twister words ``words[at], words[at + 1]``."""
    a, b = words[at] >> np.uint32(5), words[at + 1] >> np.uint32(6)
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)


@inline
def _below(n, bits, words, at):
    """CPython's ``random.choice(range(n))`` (``_randbelow``: ``bits``-bit draws until one is below ``n``):
    the node and the next unused word, or -1 when ``words`` runs out."""
    while at < words.size:
        r = np.int64(words[at] >> np.uint32(32 - bits))
        at += 1
        if r < n:
            return r, at
    return -1, at


@jit
def watts_strogatz(n, k, p, words):
    """small_world.watts_strogatz's ring and rewiring over a dense 0/1 matrix, drawing from ``words`` (the
    ``random.Random(seed)`` stream as 32-bit words) exactly as the reference draws: the CSR row pointers and
    sorted column indices, or empty ones when ``words`` runs out (the caller then draws more)."""
    linked = np.zeros((n, n), dtype=np.bool_)
    degree = np.zeros(n, dtype=np.int64)
    half = k // 2
    for j in range(1, half + 1):
        for u in range(n):
            v = (u + j) % n
            if not linked[u, v]:
                linked[u, v] = linked[v, u] = True
                degree[u] += 1
                degree[v] += 1
    bits = 0
    while (1 << bits) <= n:
        bits += 1
    at = 0
    for j in range(1, half + 1):
        for u in range(n):
            if at + 1 >= words.size:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
            chance = _uniform(words, at)
            at += 2
            if chance >= p:
                continue
            w, at = _below(n, bits, words, at)
            rewire = True
            while w >= 0 and (w == u or linked[u, w]):
                w, at = _below(n, bits, words, at)
                if degree[u] >= n - 1:
                    rewire = False  # u is joined to everyone: skip this rewiring
                    break
            if w < 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
            if rewire:
                v = (u + j) % n
                if linked[u, v]:
                    linked[u, v] = linked[v, u] = False
                    degree[u] -= 1
                    degree[v] -= 1
                if not linked[u, w]:
                    linked[u, w] = linked[w, u] = True
                    degree[u] += 1
                    degree[w] += 1
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(degree)
    indices = np.empty(indptr[-1], dtype=np.int32)
    for u in range(n):
        at = indptr[u]
        for w in range(n):
            if linked[u, w]:
                indices[at] = w
                at += 1
    return indptr, indices
