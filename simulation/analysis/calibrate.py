"""``missions calibrate SCENARIO``: fit a case file's assumed values to its observations by ABC-SMC (pyabc).

Only the parameters the file lists under ``assumptions:`` move, each within its declared prior range (uniform);
sourced values never do. Each particle is a set of those values, run for ``replicates`` seeded replicates (the
same seeds for every particle, from the root seed, as in every batch), and its distance is **replicate-aware**:
the mean, over observations and replicates, of how far a replicate's value lies outside the observation's
plausible range, in units of that range (at least 0.05 of a share, or 12 months). A particle whose replicates
all fall in every range has distance 0.

Why pyabc: a well-kept ABC-SMC library whose posterior (not just a best fit) says how well the observations pin
each assumption down. Its samplers accept in the order runs finish, which depends on the worker count; the
:class:`OrderedSampler` here accepts in submission order, and seeds every proposal from the root seed, the
generation and the particle's index, so a calibration gives the same posterior for any number of workers and
resumes after a crash from pyabc's database (``abc.db``, one generation at a time). It runs on the sweeps'
executors (local processes, a Dask LocalCluster or a remote scheduler).

**Hold-out**: selectors (``--hold-out month=216``, :class:`~simulation.inputs.evidence.HoldOut`) leave the
observations they match out of the distance, so that the calibrated file predicts them rather than fits them; a
selector that matches nothing, or selectors that match everything, are input errors before anything runs.

Writes into the output directory: ``posterior.csv`` (weighted quantiles of each assumption), ``particles.csv``
(the last generation), ``<name>-calibrated.yaml`` (``extends`` the original, overriding only the assumptions
with the best fit, so every source comment stays in the parent, and recording in its ``calibration:`` section
the cost and the held-out selectors), ``report.md`` with ``fit.png`` (the observations over the model's bands,
as written and calibrated; fitted and held-out observations listed apart).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulation.core.rng import replicate_seeds
from simulation.inputs.evidence import TIME_TO_GOAL, HoldOut, Observation, held_out, hold_out_problems
from simulation.inputs.params import Config, with_overrides
from simulation.inputs.scenario import Resolved, ScenarioError, resolve

SHARE_FLOOR, MONTHS_FLOOR = 0.05, 12.0
"""The smallest scale a range is judged in: a twentieth of a share, or a year."""


# ------------------------------------------------------------------ the model as pyabc sees it
def simulated(model, obs: Observation, names: list[str]) -> float:
    """One finished run's value of an observation."""
    months = model.config.time.steps
    index = {name: i for i, name in enumerate(names)}
    if obs.quantity == TIME_TO_GOAL:
        (name,) = obs.weights
        at = model.missions.achieved_at[index[name]]
        return float(at) if at >= 0 else months + 1.0
    series = model.recorder.mission_series(str(obs.quantity))[obs.month]
    weights = obs.weights
    return float(sum(series[index[n]] * w for n, w in weights.items()) / sum(weights.values()))


@dataclass(frozen=True)
class CaseModel:
    """The pyabc model: assumed values in, each observation's value in every replicate out."""

    config: Config
    observed: tuple[Observation, ...]
    seeds: tuple[int, ...]

    def __call__(self, values: dict[str, float]) -> dict[str, np.ndarray]:
        from simulation.core.ensemble import Ensemble

        config = with_overrides(self.config, {key: float(v) for key, v in values.items()})
        names = [m.name for m in config.portfolio.resolved()]
        runs = list(Ensemble(config, self.seeds).run())  # the particle's replicates, advanced together
        return {f"o{j}": np.array([simulated(m, obs, names) for m in runs]) for j, obs in enumerate(self.observed)}


def scale(obs: Observation) -> float:
    low, high = obs.range
    return max(high - low, MONTHS_FLOOR if obs.quantity == TIME_TO_GOAL else SHARE_FLOOR)


def target(observed: tuple[Observation, ...]) -> dict[str, np.ndarray]:
    """The observations as pyabc's data: (low, high, scale) per observation."""
    return {f"o{j}": np.array([*obs.range, scale(obs)]) for j, obs in enumerate(observed)}


def distance(x: dict[str, np.ndarray], x0: dict[str, np.ndarray]) -> float:
    """Mean over observations and replicates of a replicate's distance outside the real range, in its scale."""
    scores = []
    for key, (low, high, unit) in x0.items():
        outside = np.maximum(low - x[key], 0.0) + np.maximum(x[key] - high, 0.0)
        scores.append(float(outside.mean()) / unit)
    return float(np.mean(scores))


# ------------------------------------------------------------------ a sampler that does not depend on timing
def _simulate(payload: bytes, seed: int, t: int, index: int):
    import cloudpickle

    simulate_one = cloudpickle.loads(payload)
    state = np.random.SeedSequence([seed, t + 1, index]).generate_state(1)[0]  # t = -1: pyabc's calibration sample
    np.random.seed(int(state))  # noqa: NPY002  (pyabc draws its proposals from numpy's global generator)
    random.seed(int(state))
    return simulate_one()


def ordered_sampler(executor: Executor, seed: int, batch: int, progress: bool):
    """An :class:`OrderedSampler` (built here so that pyabc is imported only when calibrating)."""
    import cloudpickle
    from pyabc.sampler import Sampler

    class OrderedSampler(Sampler):
        """Particles ``0, 1, 2 ...`` of a generation, each seeded by (seed, generation, index), accepted in index
        order: the first ``n`` accepted form the generation, whatever order the executor finished them in."""

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            payload = cloudpickle.dumps(simulate_one)
            sample, accepted, evaluated = self._create_empty_sample(), 0, 0
            bar = _bar(n, f"generation {t}", progress)
            while accepted < n and evaluated < max_eval:
                futures = [executor.submit(_simulate, payload, seed, t, evaluated + i) for i in range(batch)]
                for future in futures:
                    particle = future.result()
                    if accepted >= n:
                        continue  # evaluated beyond the n-th acceptance: dropped, whatever finished first
                    sample.append(particle)
                    evaluated += 1
                    accepted += particle.accepted
                    bar.update(int(particle.accepted))
            bar.close()
            self.nr_evaluations_ = evaluated
            sample.ok = accepted >= n
            return sample

    return OrderedSampler()


def _bar(total: int, label: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="accepted", file=sys.stderr, disable=not enabled, leave=False)


# ------------------------------------------------------------------ a calibration
@dataclass
class Calibration:
    resolved: Resolved
    posterior: Any  # pandas DataFrame: key, prior low/high, weighted quantiles, best fit
    particles: Any  # the last generation: one row per particle, its values, weight and distance
    best: dict[str, float]
    runs: int
    wall_s: float
    generations: int
    workers: int
    hold_out: tuple[HoldOut, ...] = ()  # the selectors of the observations left out of the distance


def fitted(resolved: Resolved, hold_out: tuple[HoldOut, ...]) -> tuple[Observation, ...]:
    """The observations a calibration fits: those within the run, less those ``hold_out`` selects.

    Raises ScenarioError (naming the flag and file) for a selector that selects none, or selectors that leave
    nothing to fit."""
    observed = [o for o in resolved.evidence.observed.root if o.month <= resolved.config.time.steps]
    path = resolved.sources[0].path if resolved.sources else "the scenario"
    bad = hold_out_problems(observed, list(hold_out), ["--hold-out"] * len(hold_out), "--hold-out", f" of {path}")
    if bad:
        raise ScenarioError(bad)
    return tuple(o for o, out in zip(observed, held_out(observed, list(hold_out)), strict=True) if not out)


def calibrate(scenario: str | Path, out: str | Path, *, population: int = 40, generations: int = 4,
              replicates: int = 8, seed: int | None = None, workers: int = 2, scheduler: str | None = None,
              dask_local: bool = False, progress: bool = False, hold_out: tuple[HoldOut, ...] = ()) -> Calibration:
    """Fit the file's assumptions to its observations, less those ``hold_out`` selects; resumes a calibration
    already started in ``out``."""
    import pyabc

    from simulation.execution.dask_engine import engine

    resolved = resolve(scenario)
    config, ev = resolved.config, resolved.evidence
    priors = ev.assumptions.root
    observed = fitted(resolved, hold_out) if ev.observed.root else ()
    if not priors or not observed:
        raise ScenarioError(f"{resolved.sources[0].path}: calibration needs an assumptions: section and observations "
                            f"(got {len(priors)} assumptions, {len(observed)} observations)")
    root = config.seed if seed is None else seed
    model = CaseModel(config, observed, tuple(replicate_seeds(root, replicates)))
    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", p.low, p.high - p.low) for k, p in priors.items()})
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{(out / 'abc.db').resolve()}"
    started = time.perf_counter()
    with engine(workers, scheduler, dask_local) as found, found.open_pool() as pool:
        sampler = ordered_sampler(pool, root, batch=max(population // 2, found.window), progress=progress)
        abc = pyabc.ABCSMC(model, prior, distance, population_size=population, sampler=sampler)
        started_before = (out / "abc.db").exists()
        history = pyabc.History(db) if started_before else None
        done = history.max_t + 1 if history is not None and history.max_t is not None else 0
        if done:  # a calibration started before: resume it after its last complete generation
            abc.load(db, history.id)
        else:
            abc.new(db, target(observed))
        if done < generations:
            history = abc.run(minimum_epsilon=0.0, max_nr_populations=generations - done)
    import pandas as pd

    last = history.get_population(history.max_t)
    particles = pd.DataFrame([{**{k: float(p.parameter[k]) for k in priors}, "weight": p.weight,
                               "distance": p.distance} for p in last.particles])
    best = {k: float(v) for k, v in particles.sort_values("distance", kind="stable").iloc[0][list(priors)].items()}
    posterior = _posterior(particles, particles["weight"].to_numpy(), priors, best)
    runs = int(history.total_nr_simulations) * replicates
    return Calibration(resolved, posterior, particles, best, runs, time.perf_counter() - started,
                       int(history.max_t) + 1, workers, tuple(hold_out))


def _posterior(frame, weights, priors, best):
    import pandas as pd

    rows = []
    for key, prior in priors.items():
        order = np.argsort(frame[key].to_numpy())
        values, cum = frame[key].to_numpy()[order], np.cumsum(weights[order])
        q = {f"q{int(p * 100):02d}": float(values[np.searchsorted(cum, p * cum[-1])]) for p in (0.05, 0.5, 0.95)}
        rows.append({"key": key, "prior_low": prior.low, "prior_high": prior.high, **q, "best": best[key]})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ outputs
def calibrated_file(cal: Calibration, out: Path, argv: list[str]) -> Path:
    """A scenario file that ``extends`` the original and overrides only its assumptions with the best fit."""
    from simulation.execution.results import atomic_write

    parent = cal.resolved.sources[0].path.resolve()
    name = f"{cal.resolved.config.name}-calibrated"
    path = out / f"{name}.yaml"
    extends = parent.stem if parent.parent == path.parent.resolve() or _by_name(parent) else \
        os.path.relpath(parent, path.parent.resolve())
    lines = [f"# {name}: {cal.resolved.config.name} with its assumptions fitted to its observations.",
             f"# Written by `{' '.join(argv)}`: ABC-SMC (pyabc), {cal.generations} generations, {cal.runs} runs.",
             "# Only the values the parent lists under assumptions: change (the best-fitting particle of the last",
             "# generation); every sourced value and its comment stays in the parent file.",
             f"extends: {extends}",
             f"description: {cal.resolved.config.description.rstrip('.')} (calibrated)",
             "overrides:"]
    for row in cal.posterior.itertuples():
        lines.append(f"  {row.key}: {row.best:.4g}  # assumption, calibrated: posterior median {row.q50:.3g}, "
                     f"90% [{row.q05:.3g}, {row.q95:.3g}]; prior [{row.prior_low:g}, {row.prior_high:g}]")
    lines += ["calibration:  # what the fit cost; held_out: the observations it did not fit (predicted)",
              f"  runs: {cal.runs}", f"  minutes: {cal.wall_s / 60:.1f}", f"  workers: {cal.workers}"]
    lines += ["  held_out:"] * bool(cal.hold_out) + [
        "    - {" + ", ".join(f"{key}: {json.dumps(str(value))}" if key != "month" else f"{key}: {value}"
                          for key, value in s.given.items()) + "}" for s in cal.hold_out]
    atomic_write(path, lambda tmp: tmp.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    return path


def _by_name(parent: Path) -> bool:
    """Whether the scenario name finds ``parent`` (a shipped file): the calibrated file may then be moved."""
    from simulation.inputs.scenario import locate

    try:
        return locate(parent.stem).resolve() == parent
    except ScenarioError:
        return False


def write_report(cal: Calibration, out: Path, argv: list[str], replicates: int, workers: int) -> Path:
    """posterior.csv, particles.csv, the calibrated file, the before/after figure and report.md."""
    from simulation.analysis.cases import figure, run_case, table
    from simulation.analysis.plots import save
    from simulation.execution.results import atomic_write

    atomic_write(out / "posterior.csv", lambda tmp: cal.posterior.to_csv(tmp, index=False))
    atomic_write(out / "particles.csv", lambda tmp: cal.particles.to_csv(tmp, index=False))
    path = calibrated_file(cal, out, argv)
    from simulation.execution.workers import process_pool

    with process_pool(workers) as pool:
        before = run_case(cal.resolved.sources[0].path, replicates, executor=pool)
        after = run_case(path, replicates, executor=pool)
    save(figure(before, after), out / "fit.png")
    (fit_in, fit_n), (held_in, held_n) = after.count(False), after.count(True)
    held = "; ".join(f"`{s.label}`" for s in cal.hold_out)
    text = "\n\n".join([
        f"# Calibration of `{cal.resolved.config.name}`",
        f"`{' '.join(argv)}`: {cal.generations} generations of ABC-SMC, {cal.runs} runs, "
        f"{cal.wall_s / 60:.1f} minutes with {cal.workers} workers. Calibrated file: [`{path.name}`]({path.name}).",
        f"Fitted: {fit_n} observations" + (f"; held out (not in the distance, predicted): {held_n}, by {held}"
                                          if held_n else "; none held out") + ".",
        "## Posterior (weighted quantiles of the last generation) and best fit",
        "```\n" + cal.posterior.to_string(index=False) + "\n```",
        f"## Inside the 90% band ({replicates} replicates)",
        f"As written: {before.inside} of {len(before.rows)}. Calibrated: {fit_in} of {fit_n} fitted"
        + (f", {held_in} of {held_n} held out." if held_n else ".")
        + " No wider than the real spread justifies (calibrated): {} of {} bands.".format(*after.narrow()),
        table(before, after),
        "![as written and calibrated](fit.png)"])
    atomic_write(out / "report.md", lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    return out / "report.md"
