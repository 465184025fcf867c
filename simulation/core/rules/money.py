"""Funders' annual budgets, their allocation across missions, and mission spending.

Every function moves money without creating or destroying it: what funders
pay equals what missions receive, and what missions receive is spent, held
or lapses at the fiscal year's end. Funders decide on what they can see: formal
commitment and a trusted leader's push, the momentum indicators show, and
whether indicators show a mission is past its purpose.
"""

from __future__ import annotations

import numpy as np

from simulation.core.rules.axes import per_pair

STALLED_BELOW = 0.5
"""Momentum under which a funder starts to see a mission as stalling (fully stalled at 0)."""


def paying_month(month_of_year: int, delay: int) -> bool:
    """Funds flow only once the year's budget is approved ``delay`` months into the year."""
    return month_of_year >= delay


def tranche(budget_left, month_of_year, steps_per_year, delay):
    """This month's tranche of each funder: what is left spread over the paying months left."""
    months_left = steps_per_year - max(month_of_year, delay)
    return budget_left / max(months_left, 1)


def stalled(momentum):
    """How stalled each mission looks to funders (..., M) in [0, 1]."""
    return np.clip(1.0 - momentum / STALLED_BELOW, 0.0, 1.0)


def backing(commitment, leader_push, trust):
    """Political backing state funders see in each mission (..., M), in [0, 1]: the stronger of its formal
    commitment and a present leader's push as far as funders trust it (in the square of trust, as actors'
    leadership term). A trusted leader can unlock money a statute has not granted, and it leaves with the
    leader; what a statute grants stays. Where commitment is the stronger, the leader adds no money."""
    return np.maximum(commitment, leader_push * trust**2)


def release(political, backing_, budget_weight):
    """Share of its claim a funder releases to each mission (..., F, M): state funders follow the political
    backing they see (``backing``; ``political`` (F,) marks them); the others do not."""
    follows = (1.0 - budget_weight) + budget_weight * backing_
    return np.where(political[..., None], follows[..., None, :], 1.0)


def health(risk_appetite, stalled_, stall_penalty, hold):
    """How much of its claim each funder grants each mission (..., F, M).

    Missions that look stalled lose funding in proportion to a funder's aversion to risk;
    ``hold`` (..., M) is 1 until funders see a mission is past its purpose, and decays after.
    """
    cut = per_pair(stall_penalty) * (1.0 - risk_appetite)[..., None] * stalled_[..., None, :]
    return (1.0 - cut) * hold[..., None, :]


def allocation_target(base_share, grant, live):
    """Each funder's target share of its tranche per mission: live missions split it by claim
    (``base_share``), and each gets the share ``grant`` (..., F, M) of its part."""
    claims = base_share * live
    total = claims.sum(axis=-1, keepdims=True)
    split = np.divide(claims, total, out=np.zeros_like(claims, dtype=float), where=total > 0)
    return grant * split[..., None, :]


def pay(tranche_, allocation):
    """Payments funder -> mission; allocation rows sum to at most 1, so no funder overpays."""
    return tranche_[..., :, None] * allocation


def spend(treasury, spending, rate):
    """What each spending mission spends this month from its treasury."""
    return treasury * rate * spending


def money_ratio(spent, full_pace):
    """What a mission's spending buys of work at full pace (``full_pace``: its cost a month), at most 1;
    1 where work costs nothing."""
    paid_for = np.minimum(spent / np.where(full_pace > 0, full_pace, 1.0), 1.0)
    return np.where(full_pace > 0, paid_for, 1.0)


def year_end_lapse(treasury, carry_over):
    """Unspent mission money that lapses when the fiscal year closes."""
    return treasury * (1.0 - carry_over)
