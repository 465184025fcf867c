"""Analysing a finished sweep: outcomes over factors, sensitivity indices, scenario discovery, a report.

Sensitivity indices (Sobol, Morris) are computed on replicate means per design
point, so stochastic noise is averaged out before SALib sees the outcomes; a
warning says when the replicates are too few for that to work. PRIM finds the
factor ranges in which an outcome falls on the wrong side of a threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simulation.experiment import DesignKind
from simulation.plots import COLOURS, draw_bands, panels, save
from simulation.results import atomic_write
from simulation.sweep import Sweep

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
                x = sweep.points[factors].to_numpy(dtype=float)
                result = morris.analyze(problem, x, means, num_levels=sweep.experiment.design.levels, seed=seed)
                pairs = (("mu_star", "mu_star_conf"), ("sigma", None))
        for index, conf in pairs:
            for i, factor in enumerate(factors):
                rows.append({"output": output, "factor": factor, "index": index,
                             "value": float(result[index][i]),
                             "conf": float(result[conf][i]) if conf else np.nan})
    return Sensitivity(pd.DataFrame(rows), warnings)


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
                    best = (density, keep)
        if best is None or best[0] <= flagged[inside].mean():
            break
        density, inside = best
        limits = {c: (float(values[inside, i].min()), float(values[inside, i].max()))
                  for i, c in enumerate(numeric.columns)}
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
def analyze(path: Path | str, outputs: list[str] | None = None, prim_thresholds: list[str] | None = None) -> Path:
    """Write ``report.md`` and its figures into ``<sweep>/analysis/``; returns the report's path."""
    sweep = Sweep.open(path)
    runs = sweep.runs()
    if runs.empty:
        raise ValueError(f"{sweep.path}: no finished runs to analyse")
    outputs = outputs or sweep.experiment.outputs
    thresholds = [parse_threshold(t) for t in prim_thresholds or []] or [_default_threshold(runs, outputs)]
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
    means = point_means(runs, factors, outputs)
    lines += ["### Point means", "", _markdown(means.head(40)), ""]
    if len(means) > 40:
        lines += [f"({len(means) - 40} more points in `analysis/point_means.csv`)", ""]
    atomic_write(out / "point_means.csv", lambda tmp: means.to_csv(tmp))
    result = sensitivity(sweep, runs, outputs)
    if result is not None:
        lines += ["## Sensitivity", ""]
        lines += [f"> Warning: {w}" for w in result.warnings] + ([""] if result.warnings else [])
        if not result.table.empty:
            save(sensitivity_figure(result.table, name), out / "sensitivity.png")
            atomic_write(out / "sensitivity.csv", lambda tmp: result.table.to_csv(tmp, index=False))
            wide = result.table.pivot_table(index=["output", "factor"], columns="index", values=["value", "conf"])
            lines += ["![sensitivity](sensitivity.png)", "", _markdown(wide.round(3)), ""]
    lines += ["## Scenario discovery (PRIM)", ""]
    for outcome, op, value in thresholds:
        flagged = flag_cases(runs[outcome], op, value)
        lines += [f"### Runs with {outcome} {op} {value:g}: {flagged.sum()} of {len(flagged)}", ""]
        numeric = runs[factors].select_dtypes("number")
        if flagged.sum() == 0 or flagged.all() or numeric.empty:
            lines += ["No box: the threshold flags none or all runs, or no factor is numeric.", ""]
            continue
        box = prim(numeric, flagged)
        lines += [f"Box holding {box.coverage:.0%} of these runs, {box.density:.0%} of the runs inside it "
                  f"are flagged ({box.support:.0%} of all runs lie inside):", ""]
        lines += [f"- `{factor}` in [{lo:g}, {hi:g}]" for factor, (lo, hi) in box.limits.items()
                  if (lo, hi) != (numeric[factor].min(), numeric[factor].max())] or ["- (the whole space)"]
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
