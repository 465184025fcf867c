"""The model against the real missions: each case file's observations beside the model's spread over replicates.

For every observation of a case file (``observed:``, :mod:`simulation.inputs.evidence`) the model's value is read from
each replicate at the observation's month (a weighted mean where it names several missions), and summarised as
the median and the 50% and 90% bands over replicates. The real value is *inside* when its plausible range
overlaps the 90% band. ``python -m simulation.analysis.cases`` (or ``missions cases``) runs every case file that has
observations and writes ``docs/cases.md``: one table and one figure (in ``results/examples/cases/``) per case, the
case as written beside its calibrated variant (a file with a ``calibration:`` section that extends it), whose
observations are split into those the calibration fitted and those it held out. A band wide enough covers any
outcome, so where an observation says how wide the real spread of such missions justifies (``justified_band``), the
page says whether the model's 90% band is within it, per observation and per case.
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
from simulation.inputs.evidence import TIME_TO_GOAL, Calibrated, Observation
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
    held_out: bool = False  # left out of the calibration that produced the file: predicted, not fitted

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

    @property
    def narrow(self) -> bool | None:
        """The 90% band is no wider than the observation's justified band (``None``: the observation says none)."""
        justified = self.observation.justified_band
        return None if justified is None else bool(self.band90[1] - self.band90[0] <= justified.width)


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


def compare(observed: Sequence[Observation], steps: pd.DataFrame, missions: pd.DataFrame, months: int,
            held_out: Sequence[bool] = ()) -> list[Row]:
    """Every observation the run reaches (its month within ``months``) against the model's replicates.

    ``held_out`` marks, per observation, those the file's calibration did not fit (default: none)."""
    rows = []
    for obs, held in zip(observed, held_out or [False] * len(observed), strict=True):
        if obs.month > months:
            continue
        found = values(obs, steps, missions, months)
        rows.append(Row(obs, tuple(float(q) for q in np.quantile(found, QUANTILES)), len(found), held))
    return rows


@dataclass(frozen=True)
class Case:
    """A case file run against its observations."""

    name: str
    description: str
    months: int
    rows: list[Row]
    steps: pd.DataFrame  # the model's mission table, for the figure
    calibration: Calibrated | None = None  # the file's calibration: its cost and what it held out
    path: Path | None = None  # the case file (resolved)
    parent: Path | None = None  # the file it extends (resolved)

    @property
    def inside(self) -> int:
        return sum(r.inside for r in self.rows)

    def count(self, held_out: bool) -> tuple[int, int]:
        """(inside, of) among the observations fitted (``held_out`` false) or held out."""
        rows = [r for r in self.rows if r.held_out == held_out]
        return sum(r.inside for r in rows), len(rows)

    def narrow(self) -> tuple[int, int]:
        """(narrow, of) among the observations that say how wide a band is justified."""
        said = [narrow for narrow in (r.narrow for r in self.rows) if narrow is not None]
        return sum(said), len(said)


def run_case(scenario: str | Path, replicates: int = REPLICATES, *, executor=None,
             overrides: dict | None = None) -> Case:
    """Run a case file's replicates (root seed: the file's ``seed``) and compare them with its observations."""
    from simulation.analysis.api import run_scenario

    resolved = resolve(scenario, overrides)
    config = resolved.config
    res = run_scenario(config, replicates=replicates, executor=executor, plots=False)
    ev = resolved.evidence
    rows = compare(ev.observed.root, res.steps, res.missions, config.time.steps, ev.held_out)
    files = [source.path.resolve() for source in resolved.sources]
    return Case(config.name, config.description, config.time.steps, rows, res.steps, ev.calibration,
                files[0] if files else None, files[1] if len(files) > 1 else None)


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


def band_cell(row: Row | None, months: int) -> str:
    """The model's median and 90% band, and whether the real range overlaps it; a dash where not compared."""
    if row is None:
        return "–"
    q = str(row.observation.quantity)
    low, high = row.band90
    return (f"{number(row.median, q, months)} [{number(low, q, months)}, {number(high, q, months)}] "
            f"{'in' if row.inside else '**out**'}{', too wide' if row.narrow is False else ''}")


def justified_cell(obs: Observation) -> str:
    """The widest 90% band the real spread justifies, and why; a dash where the file does not say."""
    band = obs.justified_band
    return "–" if band is None else f"{number(band.width, obs.quantity)}: {band.reason}"


def lined_up(written: Case, calibrated: Case | None) -> list[tuple[Observation, Row | None, Row | None]]:
    """Each observation with its row as written and in the calibrated variant (``None`` where one lacks it)."""
    others = list(calibrated.rows) if calibrated is not None else []
    out = []
    for row in written.rows:
        match = next((r for r in others if r.observation == row.observation), None)
        if match is not None:
            others.remove(match)
        out.append((row.observation, row, match))
    return out + [(r.observation, None, r) for r in others]


def table(written: Case, calibrated: Case | None = None) -> str:
    """One row per observation: the real range, then the model as written, calibrated and fitted, or held out."""
    head = ("| observation | real [range] | widest 90% band justified | as written: median [90% band] | "
            "calibrated, fitted | calibrated, held out | source |\n|---|---|---|---|---|---|---|\n")
    lines = []
    for obs, row, fit in lined_up(written, calibrated):
        months = calibrated.months if calibrated is not None else written.months
        fitted, held = (None, fit) if fit is not None and fit.held_out else (fit, None)
        note = f" ({obs.note})" if obs.note else ""
        lines.append(f"| {observation_cell(obs)} | {real_cell(obs)} | {justified_cell(obs)} | {band_cell(row, written.months)} "
                     f"| {band_cell(fitted, months)} | {band_cell(held, months)} | {obs.source}{note} |")
    return head + "\n".join(lines)


@dataclass(frozen=True)
class Entry:
    """One case on the page: the file as written and its calibrated variant, if one was run."""

    written: Case
    calibrated: Case | None = None

    def counts(self) -> tuple[tuple[int, int], ...]:
        """(inside, of): as written, calibrated and fitted, calibrated and held out; then (narrow, of): the bands
        no wider than justified, calibrated where a variant was run, else as written."""
        empty = (0, 0)
        cal = self.calibrated
        return ((self.written.inside, len(self.written.rows)), cal.count(False) if cal else empty,
                cal.count(True) if cal else empty, (cal or self.written).narrow())


def entries(cases: Sequence[Case]) -> list[Entry]:
    """The cases paired: each calibrated variant beside the file it extends (alone where that was not run)."""
    written = {c.path: c for c in cases if c.calibration is None}
    variants = {c.parent: c for c in cases if c.calibration is not None and c.parent in written}
    return [Entry(c, variants.get(c.path)) for c in cases
            if c.calibration is None or c.parent not in written]


def fraction(pair: tuple[int, int]) -> str:
    return f"{pair[0]} of {pair[1]}" if pair[1] else "–"


def cost(calibration: Calibrated | None) -> str:
    if calibration is None:
        return "–"
    return (f"{calibration.runs:,} runs, {calibration.minutes:.1f} minutes on {calibration.workers} "
            f"worker{'s' if calibration.workers > 1 else ''}")


def page(found: list[Entry], images: dict[str, Path], out: Path, replicates: int, wall_s: float) -> str:
    totals = [tuple(sum(e.counts()[k][i] for e in found) for i in (0, 1)) for k in range(4)]
    summary = "\n".join(
        f"| [`{e.written.name}`](#{e.written.name}) | " + " | ".join(fraction(c) for c in e.counts())
        + f" | {cost(e.calibrated.calibration if e.calibrated else None)} |" for e in found)
    sections = []
    for e in found:
        c, cal = e.written, e.calibrated
        figure = images.get(c.name)
        link = f"\n\n![{c.name}: observations over the model's median and bands]" \
               f"({Path(os.path.relpath(figure, out.parent)).as_posix()})" if figure else ""
        variant = "" if cal is None else (
            f" Calibrated: [`scenarios/{cal.name}.yaml`](../scenarios/{cal.name}.yaml), {cost(cal.calibration)}"
            + (f", holding out {'; '.join(f'`{s.label}`' for s in cal.calibration.held_out)}"
               if cal.calibration.held_out else "") + ".")
        sections.append(f"## {c.name}\n\n{c.description} [`scenarios/{c.name}.yaml`](../scenarios/{c.name}.yaml)"
                        f", {c.months} months.{variant}\n\n{table(c, cal)}{link}\n")
    return (
        "# The model against real missions\n\n"
        "Each case file in `scenarios/` states what happened in the real mission (`observed:`: dated points on the "
        "scale of a quantity the model records per mission, with a plausible range and a source; see "
        "`simulation/inputs/evidence.py`). This page runs each case file as it is written and, beside it, its "
        "calibrated variant where one is shipped (`<case>-calibrated.yaml`: the case with the values it marks as "
        "assumptions fitted by `missions calibrate`, ABC-SMC). A calibration may **hold out** some observations: "
        "they are left out of its distance and predicted, not fitted, and have a column of their own. Each cell is "
        f"the model's median and 90% band over {replicates} replicates from the file's own root seed at the "
        "observation's month, and *in* where the real range overlaps that band. "
        "Regenerate it with `python -m simulation.analysis.cases` (or `missions cases`; "
        f"{wall_s / 60:.1f} minutes when this page was written). The ATO and DDC cases have no known outcome, and "
        "the counterfactuals (`moonshot-leader-only`, `eu-missions-bauhaus`) none of their own.\n\n"
        "A band wide enough covers any outcome. So each observation also says how wide a 90% band the real spread "
        "of such missions justifies (`justified_band`: how far the outcome could have fallen from the real one by "
        "chance, with its reason; every width is our assumption), and a band wider than that is marked *too wide*: "
        "there, *in* says less than it seems.\n\n"
        f"**Inside the 90% band: as written, {fraction(totals[0])} observations; calibrated, "
        f"{fraction(totals[1])} fitted and {fraction(totals[2])} held out. No wider than justified: "
        f"{fraction(totals[3])} bands (calibrated where shipped).**\n\n"
        "| case | as written: inside 90% | calibrated, fitted: inside | calibrated, held out: inside | "
        "90% band no wider than justified | calibration cost |\n|---|---|---|---|---|---|\n" + summary + "\n\n" + "\n".join(sections))


# ------------------------------------------------------------------ figures
def _progress_bands(ax, case: Case, weights: dict[str, float], colour: str, label: str) -> None:
    steps = case.steps[case.steps["mission_name"].isin(list(weights))]
    weight = steps["mission_name"].astype(str).map(weights)
    series = ((steps["progress"] * weight).groupby([steps["run_id"], steps["step"]]).sum()
              / weight.groupby([steps["run_id"], steps["step"]]).sum()).unstack("run_id")
    q = series.quantile(list(QUANTILES), axis=1).T
    ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.15, lw=0, label=f"{label} 90%")
    ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.3, lw=0, label=f"{label} 50%")
    ax.plot(q.index, q[0.5], color=colour, lw=1.5, label=f"{label} median")


def figure(written: Case, calibrated: Case | None = None):
    """Per observed mission (or group): the model's median with 50% and 90% bands, as written and calibrated,
    and the real points (hollow: held out of the calibration)."""
    from matplotlib.figure import Figure

    from simulation.analysis.plots import COLOURS

    shown = lined_up(written, calibrated)
    groups: dict[tuple, list[tuple[Observation, bool]]] = {}
    for obs, _, fit in shown:
        groups.setdefault(tuple(obs.weights.items()), []).append((obs, fit is not None and fit.held_out))
    fig = Figure(figsize=(4.2 * len(groups) + 0.4, 3.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(groups), sharey=True))
    for ax, (key, points) in zip(axes, groups.items(), strict=True):
        weights = dict(key)
        if calibrated is None:
            _progress_bands(ax, written, weights, COLOURS[0], "model")
        else:
            _progress_bands(ax, written, weights, COLOURS[6], "as written")
            _progress_bands(ax, calibrated, weights, COLOURS[0], "calibrated")
        for obs, held in points:
            low, high = obs.range
            face = {"mfc": "white"} if held else {}
            kind = "goal met" if obs.quantity == TIME_TO_GOAL else str(obs.quantity)
            label = f"{kind} (real{', held out' if held else ''})"
            if obs.quantity == TIME_TO_GOAL:  # the goal met: progress 1 at that month
                ax.errorbar([obs.value], [1.0], xerr=[[obs.value - low], [high - obs.value]], fmt="D",
                            color=COLOURS[1], capsize=3, label=label, **face)
            else:
                ax.errorbar([obs.month], [obs.value], yerr=[[obs.value - low], [high - obs.value]], fmt="o",
                            color=COLOURS[1] if obs.quantity == "progress" else COLOURS[2], capsize=3,
                            label=label, **face)
        title = next(iter(weights)) if len(weights) == 1 else "all missions (weighted)"
        ax.set_title(title if len(title) < 48 else title[:45] + "...", fontsize=8)
        ax.set_xlabel("month", fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("progress (share of the goal)")
    unique = {}
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        unique.update(zip(labels, handles, strict=True))
    axes[0].legend(unique.values(), unique.keys(), fontsize=6, loc="upper left")
    replicates = written.rows[0].replicates if written.rows else 0
    fig.suptitle(f"{written.name}: observed against the model ({replicates} replicates)", fontsize=9)
    return fig


def write_docs(out: Path = DOCS, figures: Path = FIGURES, workers: int = 2, replicates: int = REPLICATES,
               files: Sequence[Path] | None = None, log: Callable[[str], None] = print) -> list[Entry]:
    """Run every case file with observations (and the file each calibrated one extends); write one figure per
    case and the Markdown page."""
    from simulation.analysis.plots import save
    from simulation.execution.results import atomic_write
    from simulation.execution.workers import process_pool

    started = time.perf_counter()
    figures.mkdir(parents=True, exist_ok=True)
    queue, cases = [Path(p) for p in (files if files is not None else case_files())], []
    with process_pool(workers) as pool:
        while queue:
            case = run_case(queue.pop(0), replicates, executor=pool)
            cases.append(case)
            log(f"{case.name}: {case.inside} of {len(case.rows)} observations inside the 90% band, "
                "{} of {} bands no wider than justified".format(*case.narrow()))
            ran = {c.path for c in cases} | {p.resolve() for p in queue}
            if case.calibration is not None and case.parent is not None and case.parent not in ran:
                queue.append(case.parent)
    found = entries(cases)
    images = {e.written.name: save(figure(e.written, e.calibrated), figures / f"{e.written.name}.png")
              for e in found}
    text = page(found, images, out, replicates, time.perf_counter() - started)
    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return found


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
