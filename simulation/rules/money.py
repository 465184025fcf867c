"""Funders' annual budgets, their allocation across missions, and mission spending.

Every function moves money without creating or destroying it: what funders
pay equals what missions receive, and what missions receive is spent, held
or lapses at the fiscal year's end.
"""

from __future__ import annotations

import numpy as np


def paying_month(month_of_year: int, delay: int) -> bool:
    """Funds flow only once the year's budget is approved ``delay`` months into the year."""
    return month_of_year >= delay


def tranche(budget_left, month_of_year, steps_per_year, delay):
    """This month's tranche of each funder: what is left spread over the paying months left."""
    months_left = steps_per_year - max(month_of_year, delay)
    return budget_left / max(months_left, 1)


def allocation_target(base_share, health, live):
    """Each funder's target share of its tranche per mission: live missions by claim and health."""
    claims = base_share * live
    total = claims.sum()
    if total <= 0:
        return np.zeros((health.shape[0], base_share.size))
    return health * (claims / total)[None, :]


def health(risk_appetite, stalled, stall_penalty, hold):
    """How much of its claim each funder grants each mission (funders x missions).

    Stalled missions lose funding in proportion to a funder's aversion to risk;
    ``hold`` (missions,) is 1 while a mission pursues its purpose and decays after.
    """
    cut = stall_penalty * (1.0 - risk_appetite)[:, None] * stalled[None, :]
    return (1.0 - cut) * hold[None, :]


def pay(tranche_, allocation):
    """Payments funder -> mission; allocation rows sum to at most 1, so no funder overpays."""
    return tranche_[:, None] * allocation


def spend(treasury, spending, rate):
    """What each spending mission spends this month from its treasury."""
    return treasury * rate * spending


def year_end_lapse(treasury, carry_over):
    """Unspent mission money that lapses when the fiscal year closes."""
    return treasury * (1.0 - carry_over)
