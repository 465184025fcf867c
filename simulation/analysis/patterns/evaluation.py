"""A pattern's whole evaluation: the intact arm, the two ablation arms, the verdict and robustness cases.

The ablation arms rerun the headline claim's experiment with the credited
mechanism switched off and with the naming coefficient at its neutral value,
with the same seeds as the intact arm, so the headline effect compares
replicate by replicate across arms.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

import pandas as pd

from simulation.analysis.patterns.claims import ClaimResult, Result, check
from simulation.analysis.patterns.claims import evaluate as evaluate_claim
from simulation.analysis.patterns.execute import CPU, INTACT, Variant, run_variants
from simulation.analysis.patterns.spec import Pattern
from simulation.analysis.patterns.verdict import Verdict, classify
from simulation.core.metrics import OUTCOMES


@dataclass(frozen=True)
class Case:
    """One robustness case: does the pattern hold there (None: not evaluable)?"""

    family: str  # scenarios | <n> months | LHS
    name: str
    holds: bool | None
    note: str = ""
    shortfalls: tuple[str, ...] = ()  # why each failing claim fails (ClaimResult.shortfall)
    state: dict[str, float] = field(default_factory=dict)  # STATE measure -> its mean over every run of the case


@dataclass
class Evaluation:
    pattern: Pattern
    intact: Result
    verdict: Verdict
    tables: dict[str, dict[str, pd.DataFrame]]  # per arm name: experiment -> run table
    off: ClaimResult | None = None
    neutral: ClaimResult | None = None
    cases: list[Case] = field(default_factory=list)
    runs: int = 0
    cpu_s: float = 0.0  # CPU seconds of all its runs
    wall_s: float = 0.0

    def pass_rate(self, family: str | None = None) -> tuple[int, int]:
        """(cases that hold, cases evaluated) in one family, or in all."""
        chosen = [c for c in self.cases if (family is None or c.family == family) and c.holds is not None]
        return sum(c.holds for c in chosen), len(chosen)

    def shortfalls(self) -> dict[str, int]:
        """How often the claims failing in its robustness cases fail each way, most frequent first."""
        return dict(Counter(s for c in self.cases for s in c.shortfalls).most_common())

    def state_by_verdict(self, measure: str) -> dict[bool, float]:
        """Mean of a STATE measure over the robustness cases that hold (True) and those that fail (False)."""
        out = {}
        for holds in (True, False):
            values = [c.state[measure] for c in self.cases if c.holds is holds and measure in c.state]
            if values:
                out[holds] = sum(values) / len(values)
        return out


STATE = {"mean_engagement": "engagement", "achieved_share": "missions achieved"}
"""Measures (and their names in prose) of what state the ecosystem of a robustness case is in, over all its runs:
whether anything happens there to test."""


def ablation_arms(pattern: Pattern) -> list[Variant]:
    """Mechanism off and, where one names the pattern, coefficient neutral."""
    arms = [Variant("mechanism off", fixed=dict.fromkeys(pattern.spec.switches, False))]
    if pattern.spec.coefficient is not None:
        arms.append(Variant("coefficient neutral", fixed=dict(pattern.spec.coefficient)))
    return arms


def evaluate(pattern: Pattern, pool: Executor, cases: Sequence[tuple[str, Variant]] = ()) -> Evaluation:
    """Run the pattern's arms and robustness cases on ``pool`` and judge them."""
    started = time.perf_counter()
    spec, everything = pattern.spec, list(pattern.experiments)
    arms = ablation_arms(pattern)
    absent = sorted({c.measure for c in spec.claims if c.measure not in OUTCOMES})
    unevaluable = len(absent) == len({c.measure for c in spec.claims})  # no claim could hold in any case
    jobs = [(INTACT, everything), *((arm, [pattern.headline.experiment]) for arm in arms),
            *((variant, everything) for _, variant in cases if not unevaluable)]
    out = run_variants(pattern, jobs, pool)
    for arm in (INTACT, *arms):
        if isinstance(out[arm.name], str):
            raise RuntimeError(f"{pattern.key} {arm.name}: {out[arm.name]}")
    intact = check(spec.claims, spec.diagnostics, out[INTACT.name])
    headline = {arm.name: evaluate_claim(pattern.headline, out[arm.name]) for arm in arms}
    off, neutral = headline["mechanism off"], headline.get("coefficient neutral")
    verdict: Verdict = classify(intact, off, neutral, spec.switched_off, spec.coefficient)
    robust = [Case(family, variant.name, None, f"not run: {', '.join(absent)} not a run outcome yet") if unevaluable
              else judge(pattern, family, variant.name, out[variant.name]) for family, variant in cases]
    done = [t for tables in out.values() if isinstance(tables, dict) for t in tables.values()]
    runs, cpu = sum(len(t) for t in done), sum(float(t[CPU].sum()) for t in done)
    tables = {name: got for name, got in out.items() if name in {INTACT.name, *(a.name for a in arms)}}
    return Evaluation(pattern, intact, verdict, tables, off, neutral, robust, runs, cpu, time.perf_counter() - started)


def judge(pattern: Pattern, family: str, name: str, got: dict | str) -> Case:
    """A robustness case from its run tables (or from why it could not run: that counts as failing)."""
    if isinstance(got, str):
        return Case(family, name, False, got)
    runs = pd.concat(got.values(), ignore_index=True)
    state = {m: float(runs[m].mean()) for m in STATE if m in runs.columns and runs[m].notna().any()}
    result = check(pattern.spec.claims, [], got)
    failed = [c for c in result.claims if c.holds is False]
    failing = "; ".join(f"{c.claim.name}: {c.describe()}, {c.shortfall}" for c in failed)
    if result.holds is None:
        failing = f"{failing or 'the claims that can be evaluated hold'}; missing {', '.join(result.missing)}"
    return Case(family, name, result.holds, failing, tuple(c.shortfall for c in failed), state)


def run_pattern(pattern: Pattern, variant: Variant = INTACT, workers: int = 2) -> tuple[Result, dict[str, pd.DataFrame]]:
    """Check a pattern's claims under one variant: (result, experiment -> run table)."""
    from simulation.execution.workers import process_pool as executor

    with executor(workers) as pool:
        got = run_variants(pattern, [(variant, list(pattern.experiments))], pool)[variant.name]
    if isinstance(got, str):
        raise RuntimeError(f"{pattern.key} {variant.name}: {got}")
    return check(pattern.spec.claims, pattern.spec.diagnostics, got), got
