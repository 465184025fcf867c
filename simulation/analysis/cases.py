"""The model against the real missions: each case file's observations beside the model's spread over replicates.

For every observation of a case file (``observed:``, :mod:`simulation.inputs.evidence`) the model's value is read from
each replicate at the observation's month (a weighted mean where it names several missions), and summarised as
the median and the 50% and 90% bands over replicates. The real value is *inside* when its plausible range
overlaps the 90% band. ``python -m simulation.analysis.cases`` (or ``missions cases``) runs every case file that has
observations and writes ``docs/cases.md`` with one figure per case in ``results/examples/cases/``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simulation.inputs.arguments import worker_count
from simulation.inputs.evidence import TIME_TO_GOAL, Observation
from simulation.inputs.scenario import ScenarioError, resolve, scenario_files

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "cases.md"
FIGURES = REPO / "results" / "examples" / "cases"
REPLICATES = 40
"""Replicates per case on the page: enough for a 90% band (its ends are the 2nd and 38th of 40 values)."""
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Row:
    """One observation against the model: the real range and the model's quantiles over replicates."""

    observation: Observation
    quantiles: tuple[float, ...]  # at QUANTILES
    replicates: int

    @property
    def median(self) -> float:
        return self.quantiles[2]

    @property
    def band50(self) -> tuple[float, float]:
        return self.quantiles[1], self.quantiles[3]

    @property
    def band90(self) -> tuple[float, float]:
        return self.quantiles[0], self.quantiles[4]

    @property
    def inside(self) -> bool:
        """The real value's plausible range overlaps the model's 90% band."""
        low, high = self.observation.range
        return bool(low <= self.band90[1] and high >= self.band90[0])


# ------------------------------------------------------------------ reading the model
def values(obs: Observation, steps: pd.DataFrame, missions: pd.DataFrame, months: int) -> np.ndarray:
    """The model's value of one observation in each replicate (ordered by run id).

    ``time_to_goal`` of a goal never met is ``months + 1``: later than any month of the run.
    """
    weights = obs.weights
    if obs.quantity == TIME_TO_GOAL:
        (name,) = weights
        rows = missions[missions["mission_name"] == name].sort_values("run_id")
        return rows["time_to_goal"].fillna(months + 1).to_numpy(dtype=float)
    rows = steps[(steps["step"] == obs.month) & steps["mission_name"].isin(list(weights))]
    weight = rows["mission_name"].astype(str).map(weights)
    weighted = (rows[str(obs.quantity)] * weight).groupby(rows["run_id"]).sum()
    return (weighted / weight.groupby(rows["run_id"]).sum()).sort_index().to_numpy(dtype=float)


def compare(observed: Sequence[Observation], steps: pd.DataFrame, missions: pd.DataFrame, months: int) -> list[Row]:
    """Every observation the run reaches (its month within ``months``) against the model's replicates."""
    rows = []
    for obs in observed:
        if obs.month > months:
            continue
        found = values(obs, steps, missions, months)
        rows.append(Row(obs, tuple(float(q) for q in np.quantile(found, QUANTILES)), len(found)))
    return rows


@dataclass(frozen=True)
class Case:
    """A case file run against its observations."""

    name: str
    description: str
    months: int
    rows: list[Row]
    steps: pd.DataFrame  # the model's mission table, for the figure

    @property
    def inside(self) -> int:
        return sum(r.inside for r in self.rows)


def run_case(scenario: str | Path, replicates: int = REPLICATES, *, executor=None,
             overrides: dict | None = None) -> Case:
    """Run a case file's replicates (root seed: the file's ``seed``) and compare them with its observations."""
    from simulation.analysis.api import run_scenario

    resolved = resolve(scenario, overrides)
    config = resolved.config
    res = run_scenario(config, replicates=replicates, executor=executor, plots=False)
    rows = compare(resolved.evidence.observed.root, res.steps, res.missions, config.time.steps)
    return Case(config.name, config.description, config.time.steps, rows, res.steps)


def case_files() -> list[Path]:
    """The shipped scenario files that have observations (the ones with an outcome to compare with)."""
    return [p for p in scenario_files() if resolve(p).evidence.observed.root]


# ------------------------------------------------------------------ the page
def number(value: float, quantity: str, months: int | None = None) -> str:
    """A value as the tables show it: months as whole months ("never" past the run), shares to two decimals."""
    if quantity == TIME_TO_GOAL:
        return "never" if months is not None and value > months else f"{value:.0f}"
    return f"{value:.2f}"


def real_cell(obs: Observation) -> str:
    """The real value and its range, as the page shows it (the stale-page test looks for it)."""
    low, high = obs.range
    shown = number(obs.value, obs.quantity)
    return shown if low == high == obs.value else f"{shown} [{number(low, obs.quantity)}, {number(high, obs.quantity)}]"


def observation_cell(obs: Observation) -> str:
    what = obs.mission if isinstance(obs.mission, str) else "all: " + ", ".join(
        f"{name} ×{weight:g}" for name, weight in obs.mission.items())
    return f"{what}; `{obs.quantity}` at month {obs.month}"


def table(case: Case) -> str:
    head = ("| observation | real [range] | model median | 50% band | 90% band | inside 90%? | source |\n"
            "|---|---|---|---|---|---|---|\n")
    lines = []
    for r in case.rows:
        q, m = str(r.observation.quantity), case.months

        def band(pair: tuple[float, float], q: str = q, m: int = m) -> str:
            return f"[{number(pair[0], q, m)}, {number(pair[1], q, m)}]"
        note = f" ({r.observation.note})" if r.observation.note else ""
        lines.append(f"| {observation_cell(r.observation)} | {real_cell(r.observation)} | {number(r.median, q, m)} "
                     f"| {band(r.band50)} | {band(r.band90)} | {'yes' if r.inside else '**no**'} "
                     f"| {r.observation.source}{note} |")
    return head + "\n".join(lines)


def page(cases: list[Case], images: dict[str, Path], out: Path, replicates: int, wall_s: float) -> str:
    inside = sum(c.inside for c in cases)
    total = sum(len(c.rows) for c in cases)
    summary = "\n".join(f"| [`{c.name}`](#{c.name}) | {len(c.rows)} | {c.inside} |" for c in cases)
    sections = []
    for c in cases:
        figure = images.get(c.name)
        link = f"\n\n![{c.name}: observations over the model's median and bands]" \
               f"({Path(os.path.relpath(figure, out.parent)).as_posix()})" if figure else ""
        sections.append(f"## {c.name}\n\n{c.description} [`scenarios/{c.name}.yaml`](../scenarios/{c.name}.yaml)"
                        f", {c.months} months.\n\n{table(c)}{link}\n")
    return (
        "# The model against real missions\n\n"
        "Each case file in `scenarios/` states what happened in the real mission (`observed:`: dated points on the "
        "scale of a quantity the model records per mission, with a plausible range and a source; see "
        "`simulation/inputs/evidence.py`). This page runs each case file as it is written (a `-calibrated` file is a case "
        "with its assumptions fitted by `missions calibrate`; the others are uncalibrated), with "
        f"{replicates} replicates from the file's own root seed, and compares: the model's median and its 50% and "
        "90% bands over replicates at the observation's month, and whether the real range overlaps the 90% band. "
        "Regenerate it with `python -m simulation.analysis.cases` (or `missions cases`; "
        f"{wall_s / 60:.1f} minutes when this page was written). The ATO and DDC cases have no known outcome, and "
        "the counterfactuals (`moonshot-leader-only`, `eu-missions-bauhaus`) none of their own.\n\n"
        f"**Inside the 90% band: {inside} of {total} observations.**\n\n"
        "| case | observations | inside 90% |\n|---|---|---|\n" + summary + "\n\n" + "\n".join(sections))


# ------------------------------------------------------------------ figures
def figure(case: Case):
    """Per observed mission (or group): the model's median with 50% and 90% bands, and the real points."""
    from matplotlib.figure import Figure

    from simulation.analysis.plots import COLOURS

    groups: dict[tuple, list[Row]] = {}
    for r in case.rows:
        groups.setdefault(tuple(r.observation.weights.items()), []).append(r)
    fig = Figure(figsize=(4.2 * len(groups) + 0.4, 3.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(groups), sharey=True))
    for ax, (key, rows) in zip(axes, groups.items(), strict=True):
        weights = dict(key)
        steps = case.steps[case.steps["mission_name"].isin(list(weights))]
        weight = steps["mission_name"].astype(str).map(weights)
        series = ((steps["progress"] * weight).groupby([steps["run_id"], steps["step"]]).sum()
                  / weight.groupby([steps["run_id"], steps["step"]]).sum()).unstack("run_id")
        q = series.quantile(list(QUANTILES), axis=1).T
        ax.fill_between(q.index, q[0.05], q[0.95], color=COLOURS[0], alpha=0.15, lw=0, label="model 90%")
        ax.fill_between(q.index, q[0.25], q[0.75], color=COLOURS[0], alpha=0.3, lw=0, label="model 50%")
        ax.plot(q.index, q[0.5], color=COLOURS[0], lw=1.5, label="model median")
        for r in rows:
            obs = r.observation
            low, high = obs.range
            if obs.quantity == TIME_TO_GOAL:  # the goal met: progress 1 at that month
                ax.errorbar([obs.value], [1.0], xerr=[[obs.value - low], [high - obs.value]], fmt="D",
                            color=COLOURS[1], capsize=3, label="goal met (real)")
            else:
                ax.errorbar([obs.month], [obs.value], yerr=[[obs.value - low], [high - obs.value]], fmt="o",
                            color=COLOURS[1] if obs.quantity == "progress" else COLOURS[2], capsize=3,
                            label=f"{obs.quantity} (real)")
        title = next(iter(weights)) if len(weights) == 1 else "all missions (weighted)"
        ax.set_title(title if len(title) < 48 else title[:45] + "...", fontsize=8)
        ax.set_xlabel("month", fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("progress (share of the goal)")
    handles, labels = axes[0].get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    axes[0].legend(unique.values(), unique.keys(), fontsize=7, loc="upper left")
    fig.suptitle(f"{case.name}: observed against the model ({case.rows[0].replicates} replicates)", fontsize=9)
    return fig


def write_docs(out: Path = DOCS, figures: Path = FIGURES, workers: int = 2, replicates: int = REPLICATES,
               files: Sequence[Path] | None = None, log: Callable[[str], None] = print) -> list[Case]:
    """Run every case file with observations; write one figure per case and the Markdown page."""
    from simulation.analysis.plots import save
    from simulation.execution.results import atomic_write
    from simulation.execution.workers import process_pool

    started = time.perf_counter()
    figures.mkdir(parents=True, exist_ok=True)
    cases, images = [], {}
    with process_pool(workers) as pool:
        for path in files if files is not None else case_files():
            case = run_case(path, replicates, executor=pool)
            cases.append(case)
            images[case.name] = save(figure(case), figures / f"{case.name}.png")
            log(f"{case.name}: {case.inside} of {len(case.rows)} observations inside the 90% band")
    text = page(cases, images, out, replicates, time.perf_counter() - started)
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return cases


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DOCS, help="the Markdown page (default docs/cases.md)")
    parser.add_argument("--figures", type=Path, default=FIGURES, help="folder of the figures")
    parser.add_argument("-n", "--replicates", type=int, default=REPLICATES, help=f"per case (default {REPLICATES})")
    parser.add_argument("-w", "--workers", type=worker_count, default=2, help="worker processes (results are identical)")


def run(args: argparse.Namespace) -> int:
    write_docs(args.out, args.figures, args.workers, args.replicates, log=lambda line: print(line, file=sys.stderr))
    print(f"wrote {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulation.analysis.cases", description=__doc__.splitlines()[0])
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except ScenarioError as exc:
        print(f"error: {exc}".replace("\n", "\nerror: "), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
