"""Paired statistics over a run table: effects per replicate, their means and 95% confidence intervals.

Every comparison pairs runs on the replicate (common random numbers: replicate
k has the same seed at every design point, in every arm and variant), so an
interval measures the effect, not seed noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A mean (of paired differences, or of a level) with its 95% t-interval over replicates."""

    value: float
    low: float
    high: float
    n: int

    @property
    def positive(self) -> bool:
        return self.low > 0

    @property
    def negative(self) -> bool:
        return self.high < 0

    def toward(self, sign: int) -> tuple[float, float, float]:
        """(near bound, value, far bound) measured in direction ``sign``: for sign -1 the values are negated,
        so 'near > 0' means significant in that direction whichever it is."""
        if sign >= 0:
            return self.low, self.value, self.high
        return -self.high, -self.value, -self.low

    def __str__(self) -> str:
        return f"{self.value:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def estimate(values) -> Estimate:
    """Mean and 95% t-interval of ``values``, NaNs dropped; a constant sample has a zero-width interval."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return Estimate(np.nan, np.nan, np.nan, 0)
    mean = float(values.mean())
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * values.std(ddof=1) / np.sqrt(n)) if n > 1 else np.inf
    return Estimate(mean, mean - half, mean + half, n)


def matches(column: pd.Series, value) -> np.ndarray:
    """Rows of ``column`` equal to ``value``: None matches missing values, numbers match within rounding."""
    if value is None:
        return column.isna().to_numpy()
    if isinstance(value, str) or column.dtype == object:
        return (column == value).to_numpy()
    return np.isclose(column.to_numpy(dtype=float), value)


def select(runs: pd.DataFrame, where: dict) -> pd.DataFrame:
    """The runs whose factor columns hold the given values."""
    mask = np.ones(len(runs), dtype=bool)
    for key, value in where.items():
        mask &= matches(runs[key], value)
    return runs[mask]


def per_replicate(runs: pd.DataFrame, where: dict, outcome: str) -> pd.Series:
    """The outcome of each replicate at one design point, indexed by replicate."""
    rows = select(runs, where)
    if rows.empty:
        raise ValueError(f"no runs at {where}")
    if rows["replicate"].duplicated().any():
        raise ValueError(f"{where} does not pin a single design point (several runs per replicate)")
    return rows.set_index("replicate")[outcome].astype(float)


def paired_values(runs: pd.DataFrame, a: dict, b: dict, outcome: str) -> pd.Series:
    """B minus A for each replicate."""
    return per_replicate(runs, b, outcome) - per_replicate(runs, a, outcome)


def paired(runs: pd.DataFrame, a: dict, b: dict, outcome: str) -> Estimate:
    """B minus A, paired on the replicate."""
    return estimate(paired_values(runs, a, b, outcome).dropna())


def levels(runs: pd.DataFrame, factor: str, outcome: str, where: dict | None = None) -> pd.DataFrame:
    """Mean and 95% CI of an outcome at each level of a factor, levels in sorted order."""
    rows = select(runs, where or {})
    out = []
    for level, group in rows.groupby(factor, dropna=False, sort=True):
        e = estimate(group[outcome].to_numpy())
        out.append({factor: level, "mean": e.value, "low": e.low, "high": e.high})
    return pd.DataFrame(out)


def goes_back(table: pd.DataFrame, sign: int) -> np.ndarray:
    """For each step between neighbouring levels of a ``levels`` table: does the mean go significantly
    against direction ``sign``, beyond the previous level's confidence bound?"""
    mean, low, high = (table[c].to_numpy() for c in ("mean", "low", "high"))
    return sign * mean[1:] < sign * np.where(sign > 0, low, high)[:-1]


def steps_down(runs: pd.DataFrame, factor: str, outcome: str, where: dict | None = None) -> bool:
    """Each level's mean is no higher than the previous level's upper confidence bound."""
    return not goes_back(levels(runs, factor, outcome, where), -1).any()
