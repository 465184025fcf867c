"""Is a pattern emergent? Three criteria on the headline claim, computed from the ablation arms.

With I the intact headline effect measured in its expected direction (positive
when it holds), and every estimate a 95% t-interval over paired replicates:

1. **Holds**: every claim holds on the natural measures (intact arm).
2. **Vanishes with the mechanism off**: the whole interval of the headline
   effect with the credited mechanism switched off lies below ``FRACTION`` x I
   in the expected direction. This covers an effect that is gone (an interval
   around 0), reversed (an interval beyond 0) or cut to a remnant. It asks for
   evidence of absence: a wide interval that merely includes 0 does not count,
   so noise cannot pass for vanishing. A quarter leaves room for the small
   residue that other mechanisms may honestly add (money split over more
   missions also dilutes), while the credited mechanism must carry at least
   three quarters of the effect.
3. **Weaker but present with the coefficient neutralised**: with the one
   coefficient that names the pattern at its neutral value, the headline effect
   is still significant in the expected direction and at least ``FRACTION`` x I
   (present: other agents' responses still carry it), and it is significantly
   smaller than intact, paired on replicates (weaker: the coefficient does
   contribute). A pattern that no coefficient names skips this criterion.

A pattern meeting all three is computed **emergent**; one failing any is
**by design** (a hypothesis written as a rule, or a pattern that does not hold);
one where a criterion cannot be evaluated yet (a missing outcome) and none
fails is **not evaluable**.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulation.analysis.patterns.claims import ClaimResult, Result
from simulation.analysis.patterns.spec import PatternClass
from simulation.analysis.patterns.stats import estimate

FRACTION = 0.25
"""Share of the intact effect below which it has vanished, and above which it is still present."""
NOT_EVALUABLE = "not evaluable"


@dataclass(frozen=True)
class Verdict:
    holds: bool | None
    vanishes: bool | None
    present: bool | None  # None also where no coefficient names the pattern
    weaker: bool | None
    computed: str  # emergent | by design | not evaluable
    reasons: list[str] = field(default_factory=list)


def _intact_size(headline: ClaimResult) -> float | None:
    if headline.holds is None:
        return None
    return headline.effect.toward(headline.sign)[1]


def vanishes(headline: ClaimResult, off: ClaimResult) -> bool | None:
    size = _intact_size(headline)
    if size is None or off.holds is None:
        return None
    far = off.effect.toward(off.sign)[2]
    return bool(size > 0 and far < FRACTION * size)


def present(headline: ClaimResult, neutral: ClaimResult) -> bool | None:
    size = _intact_size(headline)
    if size is None or neutral.holds is None:
        return None
    near, value, _ = neutral.effect.toward(neutral.sign)
    return bool(size > 0 and near > 0 and value >= FRACTION * size)


def weaker(headline: ClaimResult, neutral: ClaimResult) -> bool | None:
    if headline.holds is None or neutral.holds is None:
        return None
    loss = (headline.values - neutral.values).dropna() * headline.sign
    return bool(estimate(loss.to_numpy()).low > 0)


def classify(intact: Result, off: ClaimResult | None, neutral: ClaimResult | None, switched_off: str,
             coefficient: dict | None) -> Verdict:
    """The computed class from the intact arm and the headline claim in the two ablation arms."""
    head = intact.headline
    gone = vanishes(head, off) if off is not None else None
    here = present(head, neutral) if neutral is not None else None
    less = weaker(head, neutral) if neutral is not None else None
    reasons = []
    if intact.holds is False:
        failing = [c.claim.name for c in intact.claims if c.holds is False]
        reasons.append("does not hold: " + "; ".join(failing))
    if gone is False:
        reasons.append(f"does not vanish with {switched_off}")
    named = ", ".join(f"{k}: {v}" for k, v in (coefficient or {}).items())
    if coefficient is not None and here is False:
        reasons.append(f"with {named} it is gone: it follows from that coefficient")
    if coefficient is not None and less is False:
        reasons.append(f"with {named} it is not weaker: the coefficient does not carry it")
    criteria = [intact.holds, gone] + ([here, less] if coefficient is not None else [])
    if False in criteria:
        computed = PatternClass.BY_DESIGN.value
    elif None in criteria:
        computed = NOT_EVALUABLE
        reasons.append("missing outcomes: " + ", ".join(intact.missing or [head.claim.measure]))
    else:
        computed = PatternClass.EMERGENT.value
    return Verdict(intact.holds, gone, here if coefficient is not None else None,
                   less if coefficient is not None else None, computed, reasons)


def ratio(headline: ClaimResult, other: ClaimResult | None) -> float:
    """The other arm's headline effect as a share of the intact one (in the expected direction)."""
    size = _intact_size(headline)
    if other is None or other.holds is None or not size:
        return np.nan
    return other.effect.toward(other.sign)[1] / size
