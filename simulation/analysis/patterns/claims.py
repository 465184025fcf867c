"""A pattern's claims, evaluated on its experiments' run tables.

Each claim reduces to one effect per replicate (a paired difference), so its
estimate has a 95% interval over replicates and two arms of the same
experiment (intact, mechanism off, coefficient neutral) compare replicate by
replicate. The kinds:

- ``difference``: B minus A, in the expected direction; with ``beyond``, the
  effect is (B - A) - times * (D - C), so the claim is that it exceeds that
  multiple of another difference ("helps only at high trust").
- ``trend``: last level minus first level in the expected direction, and no
  step between neighbouring levels goes significantly back.
- ``peak``: an interior level has the highest mean and both ends lie
  significantly below it; the effect is the smaller of the two drops
  (end minus peak, negative when the pattern holds).
- ``level``: the measure at one point minus a value, significantly positive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulation.analysis.patterns.spec import Claim, Difference, Level, Peak, Trend
from simulation.analysis.patterns.stats import Estimate, estimate, goes_back, levels, paired_values, per_replicate, select


def expected_sign(claim: Claim) -> int:
    """The sign the claim's effect has when the claim holds."""
    if isinstance(claim, Peak):
        return -1
    if isinstance(claim, Level):
        return 1
    return claim.expect.sign


@dataclass(frozen=True)
class ClaimResult:
    """A claim's verdict; ``holds`` is None when it cannot be evaluated (its measure is missing)."""

    claim: Claim
    holds: bool | None
    values: pd.Series | None = None  # the effect of each replicate
    effect: Estimate | None = None
    detail: str = ""
    shape: bool = True  # a peak inside the grid, a trend that never goes back
    varies: bool = True  # the measure takes more than one value over the runs the claim compares

    @property
    def shortfall(self) -> str:
        """Why a claim that fails fails, which tells a fragile pattern from a contradicted one and both from a
        case that cannot test it: no variation (the measure has one value in every run compared, such as no
        mission achieved anywhere), its shape (the peak at an end of the grid, a trend that goes back), its
        effect significant the wrong way (reversed), or too weak to tell from zero (not significant)."""
        if not self.varies:
            return "no variation"
        if not self.shape:
            return "no interior peak" if isinstance(self.claim, Peak) else "goes back"
        return "reversed" if self.effect.toward(self.sign)[2] < 0 else "not significant"

    @property
    def sign(self) -> int:
        return expected_sign(self.claim)

    def describe(self) -> str:
        if self.holds is None:
            return self.detail
        return f"{self.effect}" + (f" ({self.detail})" if self.detail else "")


def evaluate(claim: Claim, tables: dict[str, pd.DataFrame]) -> ClaimResult:
    """The claim on the run tables of its pattern's experiments (one row per run)."""
    runs = tables[claim.experiment]
    if claim.measure not in runs.columns:
        return ClaimResult(claim, None, detail=f"not evaluable: `{claim.measure}` is not a run outcome yet")
    values, detail, shape_ok, shape = _effect(claim, runs)
    values = values.dropna()
    effect = estimate(values.to_numpy())
    near, _, _ = effect.toward(expected_sign(claim))
    compared = _compared(claim, runs)[claim.measure].dropna()
    varies = compared.nunique() > 1
    if not varies and not compared.empty:
        detail = ", ".join(filter(None, [detail, f"{claim.measure} is {compared.iloc[0]:g} in every run"]))
    return ClaimResult(claim, bool(shape_ok and near > 0), values, effect, detail, shape, varies)


def _compared(claim: Claim, runs: pd.DataFrame) -> pd.DataFrame:
    """The runs a claim compares: its two (or four) design points, or every level of its factor."""
    if isinstance(claim, Difference):
        points = [claim.start, claim.to] + ([claim.beyond.start, claim.beyond.to] if claim.beyond else [])
        return pd.concat([select(runs, p) for p in points])
    return select(runs, claim.at)


def _effect(claim: Claim, runs: pd.DataFrame) -> tuple[pd.Series, str, bool, bool]:
    """(per-replicate effect, detail, whether the claim's shape holds apart from the headline's significance,
    whether its shape holds at all: a peak inside the grid, a trend that never goes back)."""
    m = claim.measure
    if isinstance(claim, Difference):
        values = paired_values(runs, claim.start, claim.to, m)
        if claim.beyond is not None:
            values = values - claim.beyond.times * paired_values(runs, claim.beyond.start, claim.beyond.to, m)
        return values, "", True, True
    if isinstance(claim, Level):
        return per_replicate(runs, claim.at, m) - claim.above, "", True, True
    grid = sorted(select(runs, claim.at)[claim.factor].dropna().unique())

    def at(level) -> dict:
        return {**claim.at, claim.factor: _plain(level)}

    table = levels(runs, claim.factor, m, claim.at)
    if isinstance(claim, Trend):
        back = goes_back(table, claim.expect.sign)
        detail = "" if not back.any() else f"goes back after {claim.factor} = {_plain(grid[int(np.argmax(back))])}"
        steady = not back.any()
        return per_replicate(runs, at(grid[-1]), m) - per_replicate(runs, at(grid[0]), m), detail, steady, steady
    top = int(np.nanargmax(table["mean"].to_numpy()))
    peak = per_replicate(runs, at(grid[top]), m)
    drops = [per_replicate(runs, at(grid[0]), m) - peak, per_replicate(runs, at(grid[-1]), m) - peak]
    both_below = all(estimate(d.dropna().to_numpy()).high < 0 for d in drops)
    smaller = min(drops, key=lambda d: abs(d.mean()))
    interior = 0 < top < len(grid) - 1
    return smaller, f"peak at {claim.factor} = {_plain(grid[top])}", interior and both_below, interior


def _plain(value):
    return value.item() if hasattr(value, "item") else value


@dataclass
class Result:
    """One arm's verdict on a pattern: every claim, and the headline effect."""

    claims: list[ClaimResult]
    diagnostics: list[ClaimResult] = field(default_factory=list)

    @property
    def headline(self) -> ClaimResult:
        return self.claims[0]

    @property
    def holds(self) -> bool | None:
        """False if any claim fails; None if none fails but some cannot be evaluated; else True."""
        verdicts = [c.holds for c in self.claims]
        if False in verdicts:
            return False
        return None if None in verdicts else True

    @property
    def effect(self) -> Estimate | None:
        return self.headline.effect

    @property
    def details(self) -> dict[str, str]:
        return {c.claim.name: c.describe() for c in self.claims}

    @property
    def missing(self) -> list[str]:
        return sorted({c.claim.measure for c in self.claims if c.holds is None})


def check(claims: list[Claim], diagnostics: list[Claim], tables: dict[str, pd.DataFrame]) -> Result:
    """Every claim (and diagnostic) on the tables."""
    return Result([evaluate(c, tables) for c in claims], [evaluate(c, tables) for c in diagnostics])
