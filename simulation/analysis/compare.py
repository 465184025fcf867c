"""Comparing two sweeps run by run: paired differences with bootstrap confidence intervals.

Runs pair up when they share the values of the factors both sweeps vary and
the replicate number; with common random numbers (same root seed) paired runs
share their seed, so the difference isolates what changed between the sweeps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.analysis.plots import COLOURS, save
from simulation.core.rng import stream
from simulation.execution.results import atomic_write
from simulation.execution.sweep import Sweep


def pair(a: pd.DataFrame, b: pd.DataFrame, factors: list[str]) -> pd.DataFrame:
    """Runs of ``a`` and ``b`` matched on shared factor values and replicate (suffixes _a, _b)."""
    keys = [*factors, "replicate"]
    return a.merge(b, on=keys, suffixes=("_a", "_b"), validate="one_to_one")


def bootstrap_ci(differences: np.ndarray, resamples: int, rng: np.random.Generator,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean paired difference."""
    if len(differences) < 2:
        return (np.nan, np.nan)
    draws = rng.integers(0, len(differences), size=(resamples, len(differences)))
    means = differences[draws].mean(axis=1)
    tail = (1 - level) / 2
    return float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


def differences(a: Sweep, b: Sweep, outputs: list[str] | None = None, resamples: int = 2000,
                seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(overall table, per-point table, notes) of B minus A for each output."""
    factors = [f for f in a.points.columns if f in b.points.columns]
    outputs = outputs or [o for o in a.experiment.outputs if o in b.experiment.outputs]
    paired = pair(a.runs(), b.runs(), factors)
    notes = []
    if paired.empty:
        raise ValueError("the two sweeps share no (factor values, replicate) pair to compare")
    if not (paired["seed_a"] == paired["seed_b"]).all():
        notes.append("paired runs do not share seeds (different root seeds): differences include seed noise")
    rng = stream(seed, "bootstrap")
    overall, per_point = [], []
    for output in outputs:
        d = (paired[f"{output}_b"] - paired[f"{output}_a"]).to_numpy(dtype=float)
        ok = ~np.isnan(d)
        low, high = bootstrap_ci(d[ok], resamples, rng)
        overall.append({"output": output, "pairs": int(ok.sum()), "mean_a": paired[f"{output}_a"].mean(),
                        "mean_b": paired[f"{output}_b"].mean(), "difference": d[ok].mean() if ok.any() else np.nan,
                        "ci_low": low, "ci_high": high, "b_higher": float((d[ok] > 0).mean()) if ok.any() else np.nan})
        groups = paired.assign(_d=d).groupby(factors, dropna=False) if factors else [((), paired.assign(_d=d))]
        for key, rows in groups:
            values = rows["_d"].dropna().to_numpy()
            low, high = bootstrap_ci(values, resamples, rng)
            key = key if isinstance(key, tuple) else (key,)
            per_point.append({"output": output, **dict(zip(factors, key, strict=True)), "pairs": len(values),
                              "difference": values.mean() if len(values) else np.nan, "ci_low": low, "ci_high": high})
    return pd.DataFrame(overall), pd.DataFrame(per_point), notes


def difference_figure(overall: pd.DataFrame, label_a: str, label_b: str) -> Figure:
    figure = Figure(figsize=(7.5, 0.6 * len(overall) + 1.8), layout="constrained")
    ax = figure.subplots()
    y = np.arange(len(overall))[::-1]
    errors = np.vstack([overall["difference"] - overall["ci_low"], overall["ci_high"] - overall["difference"]])
    ax.errorbar(overall["difference"], y, xerr=errors, fmt="o", color=COLOURS[0], capsize=4)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(y, overall["output"])
    ax.set_xlabel(f"{label_b} minus {label_a} (mean paired difference, 95% bootstrap CI)")
    ax.grid(alpha=0.3, axis="x")
    figure.suptitle(f"Compare sweeps: {label_b} vs {label_a}", fontsize=11)
    return figure


def compare(path_a: Path | str, path_b: Path | str, out: Path | str | None = None,
            outputs: list[str] | None = None, resamples: int = 2000) -> Path:
    """Write ``compare.md``, its figure and tables; returns the report's path."""
    a, b = Sweep.open(path_a), Sweep.open(path_b)
    overall, per_point, notes = differences(a, b, outputs, resamples)
    out = Path(out) if out is not None else b.path / f"compare-vs-{a.path.name}"
    out.mkdir(parents=True, exist_ok=True)
    label_a, label_b = f"A ({a.experiment.name})", f"B ({b.experiment.name})"
    save(difference_figure(overall, label_a, label_b), out / "differences.png")
    atomic_write(out / "differences.csv", lambda tmp: overall.to_csv(tmp, index=False))
    atomic_write(out / "differences_by_point.csv", lambda tmp: per_point.to_csv(tmp, index=False))
    lines = [f"# {label_b} vs {label_a}", "", f"- A: `{a.path}`", f"- B: `{b.path}`",
             f"- paired on: {', '.join(f'`{f}`' for f in a.points.columns if f in b.points.columns) or 'nothing'}"
             f" and replicate", *[f"- note: {n}" for n in notes], "",
             "![differences](differences.png)", "", "| output | pairs | mean A | mean B | B - A | 95% CI | B higher |",
             "|---|---|---|---|---|---|---|"]
    for row in overall.itertuples(index=False):
        lines.append(f"| {row.output} | {row.pairs} | {row.mean_a:.3g} | {row.mean_b:.3g} | {row.difference:+.3g} | "
                     f"[{row.ci_low:+.3g}, {row.ci_high:+.3g}] | {row.b_higher:.0%} |")
    lines += ["", "Per design point: `differences_by_point.csv`."]
    return atomic_write(out / "compare.md", lambda tmp: tmp.write_text("\n".join(lines) + "\n", encoding="utf-8"))
