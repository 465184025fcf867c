"""Analysing a finished sweep: outcomes over factors, sensitivity indices, scenario discovery, a report.

Sensitivity indices (Sobol, Morris) are computed on replicate means per design
point, so stochastic noise is averaged out before SALib sees the outcomes; a
warning says when the replicates are too few for that to work. Every design,
factorial and LHS included, also gets a factor ranking (SALib's moment-independent
PAWN index on the runs). PRIM finds the factor ranges in which an outcome falls on the
wrong side of a threshold. The functions return DataFrames; ``analyze`` writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.analysis.plots import COLOURS, draw_bands, panels, save
from simulation.execution.experiment import DesignKind, Experiment, sample
from simulation.execution.results import atomic_write
from simulation.execution.sweep import Sweep

NOISE_WARNING = 0.1
"""Warn when replicate noise is more than this share of the variance between point means."""
MIN_REPLICATES = 5


# ------------------------------------------------------------------ tables
def point_means(runs: pd.DataFrame, factors: list[str], outputs: list[str]) -> pd.DataFrame:
    """Per design point: factor values, and each output's replicate mean, sd and count."""
    grouped = runs.groupby("point")
    table = grouped[factors].first()
    for output in outputs:
        table[output] = grouped[output].mean()
        table[f"{output}_sd"] = grouped[output].std(ddof=1)
    table["replicates"] = grouped.size()
    return table


def noise_share(runs: pd.DataFrame, output: str) -> float:
    """Variance of a point mean due to replicate noise, relative to the variance between point means."""
    grouped = runs.groupby("point")[output]
    between = grouped.mean().var(ddof=1)
    within = (grouped.var(ddof=1) / grouped.size()).mean()
    if not np.isfinite(between) or between <= 0:
        return float("inf") if within > 0 else 0.0
    return float(within / between)


@dataclass
class Sensitivity:
    table: pd.DataFrame  # output, factor, index, value, conf
    warnings: list[str] = field(default_factory=list)


def sensitivity(sweep: Sweep, runs: pd.DataFrame, outputs: list[str]) -> Sensitivity | None:
    """Sobol (first-order and total) or Morris (mu*, sigma) indices, with confidence intervals."""
    kind = sweep.experiment.design.kind
    if kind not in (DesignKind.SOBOL, DesignKind.MORRIS):
        return None
    from SALib.analyze import morris, sobol

    problem = sweep.experiment.problem()
    factors = problem["names"]
    reps = sweep.experiment.replicates
    warnings = []
    if reps < MIN_REPLICATES:
        warnings.append(f"only {reps} replicate(s) per point: indices mix model noise into factor effects; "
                        f"use at least {MIN_REPLICATES}")
    rows = []
    complete = runs.groupby("point").size().reindex(sweep.points.index, fill_value=0)
    if (complete == 0).any():
        warnings.append(f"{int((complete == 0).sum())} design point(s) have no finished run; indices skipped")
        return Sensitivity(pd.DataFrame(rows), warnings)
    for output in outputs:
        means = runs.groupby("point")[output].mean().reindex(sweep.points.index).to_numpy(dtype=float)
        share = noise_share(runs, output)
        if share > NOISE_WARNING:
            warnings.append(f"{output}: replicate noise is {share:.0%} of the variance between points; "
                            f"indices are unstable, add replicates")
        seed = sweep.experiment.seed % (2**32)
        with np.errstate(divide="ignore", invalid="ignore"):  # flat bootstrap resamples give NaN intervals
            if kind is DesignKind.SOBOL:
                result = sobol.analyze(problem, means, calc_second_order=False, seed=seed)
                pairs = (("S1", "S1_conf"), ("ST", "ST_conf"))
            else:
                x = sample(sweep.experiment)  # the grid SALib drew, before levels and whole numbers were decoded
                result = morris.analyze(problem, x, means, num_levels=sweep.experiment.design.levels, seed=seed)
                pairs = (("mu_star", "mu_star_conf"), ("sigma", None))
        for index, conf in pairs:
            for i, factor in enumerate(factors):
                rows.append({"output": output, "factor": factor, "index": index,
                             "value": float(result[index][i]),
                             "conf": float(result[conf][i]) if conf else np.nan})
    return Sensitivity(pd.DataFrame(rows), warnings)


def factor_codes(experiment: Experiment, runs: pd.DataFrame) -> np.ndarray:
    """Factor values as numbers: numeric values as they are, other levels (switches, choices) by position."""
    columns = []
    for key, factor in experiment.factors.items():
        values = runs[key]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            columns.append(values.to_numpy(dtype=float))
        else:
            columns.append(pd.Categorical(values, categories=list(dict.fromkeys(factor.levels))).codes.astype(float))
    return np.column_stack(columns)


def rankings(sweep: Sweep, runs: pd.DataFrame, outputs: list[str]) -> pd.DataFrame:
    """Factor ranking for any design, factorial and LHS included: SALib's PAWN index (moment-independent:
    the Kolmogorov-Smirnov distance between the outcome's distribution with a factor held in a slice and
    without; median and maximum over 10 slices) on every run. Rows: output, factor, index, value, rank
    (1 = most influential by the median)."""
    from SALib.analyze import pawn

    experiment = sweep.experiment
    x = factor_codes(experiment, runs)
    problem = {"num_vars": x.shape[1], "names": list(experiment.factors),
               "bounds": [[float(c.min()), float(c.max()) + 1e-9] for c in x.T]}
    rows = []
    for output in outputs:
        y = runs[output].to_numpy(dtype=float)
        ok = np.isfinite(y)
        if ok.sum() < 20 or np.ptp(y[ok]) == 0:  # too few runs, or a flat outcome: nothing to rank
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            result = pawn.analyze(problem, x[ok], y[ok], S=10, seed=experiment.seed % 2**32 or 1)
        for i, factor in enumerate(problem["names"]):
            rows += [{"output": output, "factor": factor, "index": f"pawn_{stat}", "value": float(result[stat][i])}
                     for stat in ("median", "maximum")]
    table = pd.DataFrame(rows, columns=["output", "factor", "index", "value"])
    by_median = table[table["index"] == "pawn_median"]
    ranks = by_median.assign(rank=by_median.groupby("output")["value"].rank(ascending=False, method="min"))
    return table.merge(ranks[["output", "factor", "rank"]], on=["output", "factor"], how="left")


# ------------------------------------------------------------------ PRIM
THRESHOLD = re.compile(r"^\s*([a-z_]+)\s*(<=|>=|<|>)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*$")


def parse_threshold(text: str) -> tuple[str, str, float]:
    """``"mean_progress<0.5"`` → ("mean_progress", "<", 0.5); raises ValueError on anything else."""
    match = THRESHOLD.match(text)
    if not match:
        raise ValueError(f"--prim {text!r}: expected OUTCOME<VALUE (or <=, >, >=), e.g. mean_progress<0.5")
    return match.group(1), match.group(2), float(match.group(3))


def flag_cases(values: pd.Series, op: str, threshold: float) -> np.ndarray:
    compare = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}[op]
    return compare(values.to_numpy(dtype=float), threshold)


@dataclass
class Box:
    limits: dict[str, tuple[float, float]]  # factor -> (low, high) of the box
    coverage: float  # share of all flagged cases inside the box
    density: float  # share of cases inside the box that are flagged
    support: float  # share of all cases inside the box
    trajectory: pd.DataFrame  # coverage, density, support per peeling step


def prim(x: pd.DataFrame, flagged: np.ndarray, alpha: float = 0.05, min_support: float = 0.05,
         min_coverage: float = 0.5) -> Box:
    """Patient Rule Induction Method (Friedman & Fisher 1999), peeling only.

    Repeatedly cuts the ``alpha`` tail of one factor that most raises the share
    of flagged cases inside the box; returns the densest box on the peeling
    trajectory that still holds ``min_coverage`` of the flagged cases.
    """
    numeric = x.select_dtypes("number")
    values = numeric.to_numpy(dtype=float)
    inside = np.ones(len(values), dtype=bool)
    total = max(flagged.sum(), 1)
    limits = {c: (float(values[:, i].min()), float(values[:, i].max())) for i, c in enumerate(numeric.columns)}
    steps = [(dict(limits), flagged.sum() / total, flagged.mean() if len(flagged) else 0.0, 1.0)]
    while inside.mean() > min_support:
        best = None
        for i in range(values.shape[1]):
            col = values[inside, i]
            for side in ("low", "high"):
                keep = _peel(values[:, i], col, inside, side, alpha)
                if keep.sum() == 0 or keep.sum() == inside.sum():
                    continue
                density = flagged[keep].mean()
                if best is None or density > best[0]:
                    best = (density, keep, i, side)
        if best is None or best[0] <= flagged[inside].mean():
            break
        density, inside, i, side = best
        # only the peeled factor's limit moves: the others keep theirs, however their values thin out inside
        column, (low, high) = numeric.columns[i], limits[numeric.columns[i]]
        kept = values[inside, i]
        limits[column] = (float(kept.min()), high) if side == "low" else (low, float(kept.max()))
        steps.append((dict(limits), flagged[inside].sum() / total, density, inside.mean()))
    trajectory = pd.DataFrame([{"coverage": c, "density": d, "support": s} for _, c, d, s in steps])
    eligible = [k for k, (_, c, _, _) in enumerate(steps) if c >= min_coverage] or [0]
    chosen = max(eligible, key=lambda k: (steps[k][2], -k))
    box_limits, coverage, density, support = steps[chosen]
    return Box(box_limits, float(coverage), float(density), float(support), trajectory)


def _peel(column: np.ndarray, inside_values: np.ndarray, inside: np.ndarray, side: str, alpha: float) -> np.ndarray:
    """Cases left after cutting the ``alpha`` tail of one side; on a discrete factor whose
    quantile cuts nothing, the extreme level is cut instead."""
    if side == "low":
        keep = inside & (column >= np.quantile(inside_values, alpha))
        return keep if keep.sum() < inside.sum() else inside & (column > inside_values.min())
    keep = inside & (column <= np.quantile(inside_values, 1 - alpha))
    return keep if keep.sum() < inside.sum() else inside & (column < inside_values.max())


# ------------------------------------------------------------------ figures
def outcome_figure(runs: pd.DataFrame, factors: list[str], output: str, title: str) -> Figure:
    """The output over each factor: median and 50%/90% bands across runs (heatmap of means for 2 factors)."""
    numeric = [f for f in factors if pd.api.types.is_numeric_dtype(runs[f])]
    if len(factors) == 2 and runs.groupby(factors).ngroups == runs["point"].nunique():
        return _heatmap(runs, factors, output, title)
    figure, axes = panels(len(factors))
    for ax, factor in zip(axes, factors, strict=False):
        levels = runs[factor].nunique()
        if factor in numeric and levels > 12:  # sampled design: bin the factor
            bins = pd.qcut(runs[factor], q=min(10, levels), duplicates="drop")
            x = runs.groupby(bins, observed=True)[factor].transform("mean")
        else:
            x = runs[factor] if factor in numeric else runs[factor].astype(str)
        q = runs.assign(_x=x).groupby("_x", observed=True)[output].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
        positions = q.index.to_numpy(dtype=float) if factor in numeric else np.arange(len(q))
        draw_bands(ax, positions, q.to_numpy(), COLOURS[0])
        ax.plot(positions, q[0.5], "o", color=COLOURS[0], markersize=3)
        if factor not in numeric:
            ax.set_xticks(positions, q.index.astype(str))
        if len(positions) == 1:
            ax.set_xlim(positions[0] - 1, positions[0] + 1)
        ax.set_xlabel(factor)
        ax.set_ylabel(output)
    figure.suptitle(f"{title}: {output}\nmedian with 50% and 90% bands across runs", fontsize=11)
    return figure


def _heatmap(runs: pd.DataFrame, factors: list[str], output: str, title: str) -> Figure:
    table = runs.groupby(factors)[output].mean().unstack(factors[1])
    figure = Figure(figsize=(6.5, 4.8), layout="constrained")
    ax = figure.subplots()
    image = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="viridis", origin="lower")
    ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(i) for i in table.index])
    ax.set_xlabel(factors[1])
    ax.set_ylabel(factors[0])
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        bright = image.norm(value) > 0.6
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8, color="black" if bright else "white")
    figure.colorbar(image, ax=ax, label=f"{output} (mean over replicates)")
    figure.suptitle(f"{title}: {output}", fontsize=11)
    return figure


def sensitivity_figure(table: pd.DataFrame, title: str) -> Figure:
    outputs = list(table["output"].unique())
    figure, axes = panels(len(outputs), ncols=min(len(outputs), 2))
    for ax, output in zip(axes, outputs, strict=False):
        rows = table[table["output"] == output]
        indices = list(rows["index"].unique())
        factors = list(rows["factor"].unique())
        width = 0.8 / len(indices)
        for k, index in enumerate(indices):
            part = rows[rows["index"] == index].set_index("factor").reindex(factors)
            ax.barh(np.arange(len(factors)) + k * width, part["value"], height=width, xerr=part["conf"],
                    color=COLOURS[k], label=index, capsize=2)
        ax.set_yticks(np.arange(len(factors)) + width * (len(indices) - 1) / 2, factors, fontsize=8)
        ax.set_title(output, fontsize=10)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3, axis="x")
    figure.suptitle(f"{title}: sensitivity indices with 95% confidence intervals", fontsize=11)
    return figure


# ------------------------------------------------------------------ report
@dataclass
class Analysis:
    """The tables of a sweep's analysis; ``analyze`` writes them with the figures and the report."""

    sweep: Sweep
    runs: pd.DataFrame  # the successful runs
    outputs: list[str]
    point_means: pd.DataFrame  # per design point: factor values, replicate mean and sd of each output
    rankings: pd.DataFrame  # output, factor, index (pawn_median, pawn_maximum), value, rank: every design
    sensitivity: Sensitivity | None  # Sobol or Morris indices, for those designs
    prim: pd.DataFrame  # threshold, flagged, runs, coverage, density, support, factor, low, high, restricted


def summarise(path: Path | str | Sweep, outputs: list[str] | None = None,
              prim_thresholds: list[str] | None = None) -> Analysis:
    """Every table of a sweep's analysis, as DataFrames; nothing is written."""
    sweep = path if isinstance(path, Sweep) else Sweep.open(path)
    runs = sweep.runs()
    if runs.empty:
        raise ValueError(f"{sweep.path}: no finished runs to analyse")
    outputs = outputs or sweep.experiment.outputs
    thresholds = [parse_threshold(t) for t in prim_thresholds or []] or [_default_threshold(runs, outputs)]
    factors = list(sweep.points.columns)
    return Analysis(sweep, runs, outputs, point_means(runs, factors, outputs), rankings(sweep, runs, outputs),
                    sensitivity(sweep, runs, outputs), prim_table(runs, factors, thresholds))


def prim_table(runs: pd.DataFrame, factors: list[str], thresholds: list[tuple[str, str, float]]) -> pd.DataFrame:
    """One row per (threshold, numeric factor) of the PRIM box found for it; ``restricted`` marks the
    factors whose range the box narrows (the others span the whole design)."""
    rows = []
    numeric = runs[factors].select_dtypes("number")
    for outcome, op, value in thresholds:
        flagged = flag_cases(runs[outcome], op, value)
        head = {"threshold": f"{outcome} {op} {value:g}", "flagged": int(flagged.sum()), "runs": len(flagged)}
        if flagged.sum() == 0 or flagged.all() or numeric.empty:
            rows.append(head)
            continue
        box = prim(numeric, flagged)
        for factor, (low, high) in box.limits.items():
            full = (float(numeric[factor].min()), float(numeric[factor].max()))
            rows.append({**head, "coverage": box.coverage, "density": box.density, "support": box.support,
                         "factor": factor, "low": low, "high": high, "restricted": (low, high) != full})
    return pd.DataFrame(rows, columns=["threshold", "flagged", "runs", "coverage", "density", "support", "factor",
                                       "low", "high", "restricted"])


def analyze(path: Path | str, outputs: list[str] | None = None, prim_thresholds: list[str] | None = None) -> Path:
    """Write ``report.md``, its figures and tables into ``<sweep>/analysis/``; returns the report's path."""
    result = summarise(path, outputs, prim_thresholds)
    sweep, runs, outputs = result.sweep, result.runs, result.outputs
    factors = list(sweep.points.columns)
    out = sweep.path / "analysis"
    out.mkdir(exist_ok=True)
    name = sweep.experiment.name
    status = sweep.status()
    lines = [f"# Sweep report: {name}", "", sweep.experiment.description or "", "",
             f"- design: {sweep.experiment.design.kind.value}, {len(sweep.points)} points x "
             f"{sweep.experiment.replicates} replicates (common random numbers, root seed {sweep.experiment.seed})",
             f"- base scenario: {sweep.experiment.scenario}; factors: {', '.join(f'`{f}`' for f in factors)}",
             f"- runs: {status['done']} done, {status['failed']} failed, {status['pending']} pending", ""]
    if status["pending"] or status["failed"]:
        lines += ["> Incomplete sweep: figures and indices use the finished runs only.", ""]
    lines += ["## Outcomes over the factors", ""]
    for output in outputs:
        save(outcome_figure(runs, factors, output, name), out / f"outcome-{output}.png")
        lines += [f"### {output}", "", f"![{output}](outcome-{output}.png)", ""]
    means = result.point_means
    lines += ["### Point means", "", _markdown(means.head(40)), ""]
    if len(means) > 40:
        lines += [f"({len(means) - 40} more points in `analysis/point_means.csv`)", ""]
    atomic_write(out / "point_means.csv", lambda tmp: means.to_csv(tmp))
    lines += ["## Factor ranking", "", "SALib's PAWN index on every run (moment-independent: how far the outcome's "
              "distribution moves when a factor is held within a slice of its range; median and maximum over "
              "10 slices, 0 to 1).", ""]
    ranked = result.rankings
    atomic_write(out / "rankings.csv", lambda tmp: ranked.to_csv(tmp, index=False))
    if ranked.empty:
        lines += ["Too few runs (under 20) or flat outcomes: no ranking.", ""]
    else:
        wide = ranked.pivot_table(index=["output", "rank", "factor"], columns="index", values="value")
        lines += [_markdown(wide.round(3)), ""]
    found = result.sensitivity
    if found is not None:
        lines += ["## Sensitivity", ""]
        lines += [f"> Warning: {w}" for w in found.warnings] + ([""] if found.warnings else [])
        if not found.table.empty:
            save(sensitivity_figure(found.table, name), out / "sensitivity.png")
            atomic_write(out / "sensitivity.csv", lambda tmp: found.table.to_csv(tmp, index=False))
            wide = found.table.pivot_table(index=["output", "factor"], columns="index", values=["value", "conf"])
            lines += ["![sensitivity](sensitivity.png)", "", _markdown(wide.round(3)), ""]
    lines += ["## Scenario discovery (PRIM)", ""]
    atomic_write(out / "prim.csv", lambda tmp: result.prim.to_csv(tmp, index=False))
    for threshold, rows in result.prim.groupby("threshold", sort=False):
        first = rows.iloc[0]
        lines += [f"### Runs with {threshold}: {first['flagged']} of {first['runs']}", ""]
        if rows["factor"].isna().all():
            lines += ["No box: the threshold flags none or all runs, or no factor is numeric.", ""]
            continue
        lines += [f"Box holding {first['coverage']:.0%} of these runs, {first['density']:.0%} of the runs inside it "
                  f"are flagged ({first['support']:.0%} of all runs lie inside):", ""]
        restricted = rows[rows["restricted"].astype(bool)]
        lines += [f"- `{r.factor}` in [{r.low:g}, {r.high:g}]" for r in restricted.itertuples()] or \
                 ["- (the whole space)"]
        lines.append("")
    return atomic_write(out / "report.md", lambda tmp: tmp.write_text("\n".join(lines) + "\n", encoding="utf-8"))


def _default_threshold(runs: pd.DataFrame, outputs: list[str]) -> tuple[str, str, float]:
    """Failure by default: under half the missions achieved, else the first output below its median."""
    if "achieved_share" in runs:
        return ("achieved_share", "<", 0.5)
    return (outputs[0], "<", float(runs[outputs[0]].median()))


def _markdown(frame: pd.DataFrame) -> str:
    shown = frame.reset_index()
    shown.columns = [" ".join(map(str, c)).strip() if isinstance(c, tuple) else str(c) for c in shown.columns]
    header = "| " + " | ".join(shown.columns) + " |"
    rule = "|" + "---|" * len(shown.columns)
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in shown.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.3g}"
    return str(value)
