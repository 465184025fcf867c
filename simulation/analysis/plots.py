"""Figures of a batch across its replicates, as PNG files.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global
backend switch), so it is safe in servers and never needed by worker
processes. Every figure shows spread, not single runs: the median and the
50% and 90% bands across replicates, one panel per mission.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from simulation.core.metrics import MISSION_METRICS
from simulation.core.rules.governance import FACETS
from simulation.core.state import ACTOR_KINDS
from simulation.execution.results import atomic_write

KEY_METRICS: tuple[str, ...] = ("progress", "transformation", "engagement", "momentum", "commitment", "legitimacy",
                                 "resistance", "spend")
"""Mission metrics drawn by default, one figure each."""

ACTOR_PANELS: tuple[tuple[str, str], ...] = (
    ("engagement", "engagement (share of working time on missions)"),
    ("fatigue", "fatigue (share, 0-1)"),
    ("burnt_out", "burnt out (share of actors)"),
    ("cynicism", "cynicism (share, 0-1)"),
)
ENDINGS = ("achieved", "retired", "abandoned")
"""How a mission's activity can end: its goal met, its problem gone, or given up."""
BANDS = (0.05, 0.25, 0.5, 0.75, 0.95)
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#999999")  # Okabe-Ito
DPI = 110


def write_plots(steps: pd.DataFrame, actors: pd.DataFrame, out_dir: Path | str, scenario: str,
                metrics: Sequence[str] = KEY_METRICS) -> list[Path]:
    """Write every figure of a batch into ``out_dir``; returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if steps.empty:
        return []
    replicates = steps["run_id"].nunique()
    figures = {name: mission_figure(steps, name, scenario, replicates) for name in metrics}
    figures["actors"] = actor_figure(actors, scenario, replicates)
    figures["facets"] = facet_figure(steps, scenario, replicates)
    return [save(figure, out_dir / f"{name}.png") for name, figure in figures.items()]


def save(figure: Figure, path: Path) -> Path:
    return atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=DPI))


# ------------------------------------------------------------------ figures
def mission_figure(steps: pd.DataFrame, metric: str, scenario: str, replicates: int) -> Figure:
    """One panel per mission: the metric's median over months with 50% and 90% bands."""
    unit = {m.name: m.unit for m in MISSION_METRICS}[metric]
    names = _mission_names(steps)
    figure, axes = panels(len(names), sharey=True)
    for ax, (mission, name) in zip(axes, names.items(), strict=False):
        rows = steps[steps["mission"] == mission]
        months, bands = _bands(rows, "step", metric)
        draw_bands(ax, months, bands, COLOURS[0])
        ax.set_title(name, fontsize=10)
    for ax in axes[: len(names)]:
        ax.set_xlabel("month")
    for ax in axes[:: _ncols(len(names))]:
        ax.set_ylabel(f"{metric.replace('_', ' ')} ({unit})")
    axes[0].legend(handles=_band_legend(COLOURS[0]), loc="best", fontsize=8, frameon=False)
    _title(figure, f"{metric.replace('_', ' ').capitalize()} by mission", scenario, replicates)
    return figure


def actor_figure(actors: pd.DataFrame, scenario: str, replicates: int) -> Figure:
    """Engagement, fatigue, burn-out and cynicism by actor type, with 50% and 90% bands."""
    figure, axes = panels(len(ACTOR_PANELS), ncols=2)
    for ax, (metric, label) in zip(axes, ACTOR_PANELS, strict=False):
        for colour, kind in zip(COLOURS, ACTOR_KINDS, strict=False):
            rows = actors[actors["actor_type"] == kind]
            if rows[metric].notna().any():
                months, bands = _bands(rows, "step", metric)
                draw_bands(ax, months, bands, colour, label=kind)
        ax.set_ylabel(label)
        ax.set_xlabel("month")
    axes[0].legend(loc="best", fontsize=8, frameon=False, title="median by actor type", title_fontsize=8)
    _title(figure, "Actors: engagement, fatigue, burn-out and cynicism", scenario, replicates)
    return figure


def facet_figure(steps: pd.DataFrame, scenario: str, replicates: int) -> Figure:
    """One panel per mission: share of replicates in each facet, or ended and how, month by month."""
    names = _mission_names(steps)
    states = [*FACETS, *ENDINGS]
    figure, axes = panels(len(names), sharey=True)
    for ax, (mission, name) in zip(axes, names.items(), strict=False):
        rows = steps[steps["mission"] == mission]
        state = rows["facet"].astype(str).where(rows["status"].isin(["active", "locked_in"]), rows["status"].astype(str))
        shares = (pd.crosstab(rows["step"], state, normalize="index")
                  .reindex(columns=states, fill_value=0.0))
        ax.stackplot(shares.index, shares.to_numpy().T, labels=states,
                     colors=[*COLOURS[: len(FACETS)], "#BBBBBB", "#DDDDDD", "#F2F2F2"], alpha=0.9)
        ax.set_ylim(0, 1)
        ax.set_xlim(shares.index.min(), shares.index.max())
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("month")
    for ax in axes[:: _ncols(len(names))]:
        ax.set_ylabel("share of replicates")
    handles, _ = axes[0].get_legend_handles_labels()
    labels = [*FACETS, "ended: goal met", "ended: problem gone (retired)", "ended: abandoned"]
    figure.legend(handles, labels, loc="outside lower center", ncols=len(states), fontsize=8, frameon=False)
    _title(figure, "Facet of each mission's activity", scenario, replicates, how="share in each facet")
    return figure


# ------------------------------------------------------------------ helpers
def _bands(rows: pd.DataFrame, x: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(x values, quantiles x BANDS) of ``metric`` across runs at each ``x``."""
    wide = rows.pivot_table(index=x, columns="run_id", values=metric, aggfunc="first", observed=True)
    values = wide.to_numpy(dtype=float)
    ok = ~np.isnan(values).all(axis=1)
    quantiles = np.full((values.shape[0], len(BANDS)), np.nan)
    quantiles[ok] = np.nanquantile(values[ok], BANDS, axis=1).T
    return wide.index.to_numpy(), quantiles


def draw_bands(ax, x: np.ndarray, q: np.ndarray, colour: str, label: str | None = None) -> None:
    ax.fill_between(x, q[:, 0], q[:, 4], color=colour, alpha=0.15, linewidth=0)
    ax.fill_between(x, q[:, 1], q[:, 3], color=colour, alpha=0.35, linewidth=0)
    ax.plot(x, q[:, 2], color=colour, linewidth=1.6, label=label)
    ax.set_xlim(x.min(), x.max())
    ax.grid(alpha=0.3, linewidth=0.5)


def _band_legend(colour: str) -> list:
    return [Patch(color=colour, alpha=1.0, label="median"), Patch(color=colour, alpha=0.35, label="50% of runs"),
            Patch(color=colour, alpha=0.15, label="90% of runs")]


def _mission_names(steps: pd.DataFrame) -> dict[int, str]:
    first = steps.drop_duplicates("mission").sort_values("mission")
    return dict(zip(first["mission"].astype(int), first["mission_name"].astype(str), strict=True))


def _ncols(n: int) -> int:
    return min(n, 3)


def panels(n: int, ncols: int | None = None, sharey: bool = False) -> tuple[Figure, list]:
    ncols = ncols or _ncols(n)
    nrows = math.ceil(n / ncols)
    figure = Figure(figsize=(max(4.4 * ncols, 7.5), 3.1 * nrows + 0.9), layout="constrained")
    grid = figure.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False)
    axes = list(grid.ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[:n]:
        ax.tick_params(labelbottom=True, labelleft=True)
    return figure, axes


def _title(figure: Figure, what: str, scenario: str, replicates: int,
           how: str = "median with 50% and 90% bands") -> None:
    runs = f"{replicates} replicate{'s' if replicates != 1 else ''}"
    figure.suptitle(f"{what}\n{scenario}: {how} across {runs}", fontsize=11)
