"""``docs/patterns.md`` and its figures: every pattern's claims, ablations, verdict and robustness.

``python -m simulation.analysis.patterns`` evaluates all ten patterns with the full
robustness design and rewrites the page and ``results/examples/patterns/pN.png``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from simulation.analysis.patterns.claims import ClaimResult
from simulation.analysis.patterns.evaluation import STATE, Case, Evaluation, evaluate
from simulation.analysis.patterns.robustness import DESIGN_KEYS, FULL, Design, cases, parameters, zero_defaults
from simulation.analysis.patterns.spec import Difference, Level, Pattern, load_patterns
from simulation.analysis.patterns.stats import levels
from simulation.analysis.patterns.verdict import FRACTION, ratio
from simulation.inputs.arguments import worker_count

REPO = Path(__file__).resolve().parents[3]
DOCS = REPO / "docs" / "patterns.md"
FIGURES = REPO / "results" / "examples" / "patterns"
ROBUSTNESS = {"full": {}, "ci": {"scenarios": 1, "lhs": 1, "long": False}, "none": {"scenarios": 0, "lhs": 0, "long": False}}
"""How much of the robustness design a run covers: all of it (the docs), the CI subset, or none."""
ARMS = ("intact", "mechanism off", "coefficient neutral")


# ------------------------------------------------------------------ figures
def figure(ev: Evaluation):
    """The headline claim's measure over its factor, one panel per arm (or a diagnostic where it is missing)."""
    from matplotlib.figure import Figure

    shown = next((c for c in (ev.intact.headline, *ev.intact.diagnostics) if c.holds is not None), None)
    if shown is None:
        return None
    claim = shown.claim
    arms = [a for a in ARMS if a in ev.tables and claim.experiment in ev.tables[a]]
    fig = Figure(figsize=(3.4 * len(arms) + 0.6, 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(arms), sharey=True))
    x = _x_factor(claim, ev.pattern)
    for ax, arm in zip(axes, arms, strict=True):
        runs = ev.tables[arm][claim.experiment]
        others = [f for f in ev.pattern.experiments[claim.experiment][0].factors if f != x]
        groups = runs.groupby(others, dropna=False) if others else [((), runs)]
        for k, (key, rows) in enumerate(groups):
            table = levels(rows, x, claim.measure)
            xs = table[x].astype(str) if table[x].dtype == object or table[x].isna().any() else table[x]
            label = ", ".join(f"{o.split('.')[-1]}={v}" for o, v in zip(others, np.atleast_1d(key), strict=False))
            ax.errorbar(xs, table["mean"], yerr=[table["mean"] - table["low"], table["high"] - table["mean"]],
                        marker="o", capsize=3, label=label or None, color=f"C{k}")
        ax.set_title(arm, fontsize=9)
        ax.set_xlabel(x, fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(claim.measure)
    if len(ev.pattern.experiments[claim.experiment][0].factors) > 1:
        axes[0].legend(fontsize=7)
    what = "headline" if shown is ev.intact.headline else "diagnostic (the headline's measure is missing)"
    fig.suptitle(f"{ev.pattern.key} {ev.pattern.title}: {what}\n{claim.name}; mean and 95% CI over replicates",
                 fontsize=9)
    return fig


def _x_factor(claim, pattern: Pattern) -> str:
    factors = list(pattern.experiments[claim.experiment][0].factors)
    if isinstance(claim, Difference):
        return next((f for f in factors if claim.start[f] != claim.to[f]), factors[0])
    if isinstance(claim, Level):
        return factors[0]
    return claim.factor


# ------------------------------------------------------------------ page
def _yes(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "**no**")


def _rate(ev: Evaluation, family: str | None) -> str:
    held, total = ev.pass_rate(family)
    return f"{held}/{total}" if total else "n/a"


def _state(case: Case, measure: str) -> str:
    return f"{case.state[measure]:.2f}" if measure in case.state else "n/a"


def _states(ev: Evaluation) -> str:
    """Whether the failing cases are those where little happens: mean engagement and share of missions achieved
    (over all runs of a case) in the cases that hold against those that fail."""
    parts = []
    for measure, label in STATE.items():
        by = ev.state_by_verdict(measure)
        if True in by and False in by:
            parts.append(f"{label} {by[True]:.2f} where it holds, {by[False]:.2f} where it fails")
    return f" Mean over each case's runs: {'; '.join(parts)}." if parts else ""


def _share(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value + 0.0:.0%}"  # + 0.0: no "-0%"


def summary_table(evaluations: list[Evaluation], design: Design) -> str:
    long = f"{design.long_steps} months"
    head = ("| pattern | claimed | computed | holds | headline effect (intact) | mechanism off | coefficient neutral "
            f"| scenarios | {long} | LHS | all cases |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
    rows = []
    for ev in evaluations:
        h = ev.intact.headline
        rows.append(f"| [{ev.pattern.key}](#{_anchor(ev.pattern)}) {ev.pattern.title} | {ev.pattern.spec.claimed} "
                    f"| **{ev.verdict.computed}** | {_yes(ev.intact.holds)} | {h.describe()} | "
                    f"{_arm(ev.off)} | {_arm(ev.neutral)} | {_rate(ev, 'scenarios')} | {_rate(ev, long)} | "
                    f"{_rate(ev, 'LHS')} | {_rate(ev, None)} |")
    return head + "\n".join(rows)


def _arm(result: ClaimResult | None) -> str:
    return "n/a" if result is None or result.holds is None else str(result.effect)


def _anchor(pattern: Pattern) -> str:
    text = f"{pattern.key} {pattern.title}".lower()
    return "".join(ch for ch in text if ch.isalnum() or ch in " -").replace(" ", "-")


def section(ev: Evaluation, image: Path | None, docs_dir: Path, design: Design) -> str:
    p, s, v = ev.pattern, ev.pattern.spec, ev.verdict
    experiments = []
    for name, (experiment, _, _) in p.experiments.items():
        factors = "; ".join(f"`{k}`: {', '.join('none' if x is None else str(x) for x in f.levels)}"
                            for k, f in experiment.factors.items())
        fixed = f"; fixed {', '.join(f'`{k}`: {x}' for k, x in experiment.fixed.items())}" if experiment.fixed else ""
        experiments.append(f"- [`{name}`](../experiments/patterns/{name}.yaml) on `{experiment.scenario}`: {factors}"
                           f"{fixed}; {experiment.replicates} replicates, root seed {experiment.seed}")
    coefficient = ", ".join(f"`{k}: {x}`" for k, x in s.coefficient.items()) if s.coefficient else "none"
    credited = ", ".join(f"`{k}`" for k in s.switches)
    lines = [
        f"## {p.key} {p.title}", "",
        f"**Pattern.** {s.statement}", "",
        f"**Source.** {s.source}", "",
        f"**Spec.** [`{p.path.name}`](../experiments/patterns/specs/{p.path.name}). **Experiments:**", "",
        *experiments, "",
        f"**Credited mechanism** {credited}. **Coefficient that names it** {coefficient}. {s.coefficient_note}", "",
        f"**Natural measures** {', '.join(f'`{m}`' for m in s.measures)}.", "",
        f"**Class.** Claimed *{s.claimed}*; computed **{v.computed}**"
        + (f": {'; '.join(v.reasons)}." if v.reasons else "."), "",
        "| claim (the first is the headline) | measure | effect, mean paired difference and 95% CI | holds |",
        "|---|---|---|---|",
        *(f"| {c.claim.name} | `{c.claim.measure}` | {c.describe()} | {_yes(c.holds)} |" for c in ev.intact.claims), "",
        "**Ablation** (headline claim, same seeds):", "",
        "| arm | headline effect | share of the intact effect | criterion |", "|---|---|---|---|",
        f"| intact | {ev.intact.headline.describe()} | {_share(ratio(ev.intact.headline, ev.intact.headline))} "
        f"| holds: {_yes(v.holds)} |",
        f"| `{s.switched_off}` | {_arm(ev.off)} | {_share(ratio(ev.intact.headline, ev.off))} "
        f"| vanishes: {_yes(v.vanishes)} |",
    ]
    if s.coefficient:
        lines.append(f"| {coefficient} | {_arm(ev.neutral)} | {_share(ratio(ev.intact.headline, ev.neutral))} "
                     f"| present: {_yes(v.present)}; weaker: {_yes(v.weaker)} |")
    if ev.intact.diagnostics:
        lines += ["", "**Diagnostics** (other measures, not counted):", "",
                  "| claim | measure | effect and 95% CI | holds |", "|---|---|---|---|",
                  *(f"| {c.claim.name} | `{c.claim.measure}` | {c.describe()} | {_yes(c.holds)} |"
                    for c in ev.intact.diagnostics)]
    if ev.cases:
        why = ", ".join(f"{n} {kind}" for kind, n in ev.shortfalls().items())
        lines += ["", f"**Robustness** (does every claim hold?): all cases {_rate(ev, None)}"
                  + (f"; the claims that fail there: {why}." if why else ".") + _states(ev), "",
                  "| case | holds | engagement | achieved | what fails |", "|---|---|---|---|---|",
                  *(f"| {c.name} | {_yes(c.holds)} | {' | '.join(_state(c, m) for m in STATE)} | {c.note} |"
                    for c in ev.cases)]
    unfit = s.robustness.unfit
    if unfit:
        lines += ["", "Scenarios that cannot host it: " + "; ".join(f"`{k}` ({r})" for k, r in unfit.items()) + "."]
    if image is not None:
        lines += ["", f"![{p.key}]({Path(os.path.relpath(image, docs_dir)).as_posix()})"]
    return "\n".join(lines) + "\n"


def method(design: Design, robustness: str) -> str:
    params, zero = parameters(), zero_defaults()
    coverage = {"full": "the full robustness design", "ci": "the CI subset of the robustness design (first host "
                "scenario, first hypercube point)", "none": "no robustness cases"}[robustness]
    return f"""## How a pattern is judged

Each pattern is a spec in [`experiments/patterns/specs/`](../experiments/patterns/specs/) over experiment files in
[`experiments/patterns/`](../experiments/patterns/). Its claims are statistical statements over replicates with
fixed seeds: paired on the replicate (replicate k has the same seed at every design point, in every arm and in
every case), each with a 95% t-interval over replicates. The first claim is the headline.

**Emergent or by design.** The headline experiment is rerun with the credited mechanism switched off and with the
coefficient that names the pattern at its neutral value. Where a pattern's source sentence names several
mechanisms, all of them are credited: they are switched off together, and the coefficient of each is neutralised
together. With I the intact headline effect in its expected
direction, a pattern is computed **emergent** when all three hold:

1. it **holds**: every claim holds on the natural measures (outcomes not defined in terms of the factor varied);
2. it **vanishes** with the mechanism off: the whole 95% interval of the effect lies below {FRACTION:.0%} of I
   in the expected direction (gone, reversed, or cut to a remnant). An interval that merely includes 0 is not
   enough, so noise cannot pass for vanishing; the {FRACTION:.0%} leaves room for what other mechanisms honestly
   add, while the credited one must carry at least {1 - FRACTION:.0%} of the effect;
3. with the coefficient neutralised it is **present** (significant in the expected direction and at least
   {FRACTION:.0%} of I: other agents' responses still carry it) and **weaker** (significantly smaller than
   intact, paired on replicates: the coefficient contributes). A pattern that no coefficient names skips this.

A pattern failing any criterion is computed **by design**: a hypothesis written as a rule (or one that does not
hold), not evidence. Where a criterion cannot be evaluated yet (an outcome the model does not report) and none
fails, it is **not evaluable**. The spec also states a claimed class; the slow tests assert that the two agree.

**Robustness.** Every pattern is also run (intact) on at least three shipped scenarios as the base scenario
instead of `baseline` (a spec lists them, and says why any other scenario cannot host it), on
{design.long_steps}-month runs, and at each of the {design.lhs_points} points of a Latin hypercube
over the {len(params)} numeric parameters of the schema (each parameter's column a one-dimensional
`scipy.stats.qmc.LatinHypercube` from its own stream of seed {design.seed}, so a parameter added to the schema
moves no other), each within ±{design.spread:.0%} of its default, clipped to its schema bounds, integers rounded.
A case passes when every claim holds; a failing case names each claim that fails, its effect and why: reversed
(significant the wrong way), not significant (too weak to tell from zero), its shape (no interior peak, a trend
that goes back), or no variation (the measure has one value in every run the claim compares, such as no mission
achieved in any run: the case cannot test the claim, and it still counts as failing). Beside each case stand the
mean engagement and the share of missions achieved over all its runs, and each pattern sets the mean of these over
the cases that hold against those that fail: whether it fails where little happens. The hypercube leaves out
each pattern's focal keys (the factors and fixed values of its experiments), keys that set the design rather
than the conditions (`time.*`, {', '.join(f'`{k}`' for k in
DESIGN_KEYS)}, every `*.count`: they fix what a pattern compares, such as P2's fixed capacity), and parameters
whose default is 0 ({', '.join(f'`{k}`' for k in zero)}), where ±{design.spread:.0%} is no range. This page
shows {coverage}; the goal for each pattern is at least 90% of its cases.
"""


STARVED = 0.1
"""A hypercube point whose runs (every pattern's there) achieve less than this share of their missions: one where
little happens to test."""


def hypercube_section(evaluations: list[Evaluation]) -> str:
    """The hypercube's points across the patterns: which fail at each point, and the state of the ecosystem there
    (each STATE measure over every run of the point, averaged over the patterns), so that a reader sees whether
    the failures gather where missions starve rather than where a mechanism misbehaves."""
    points: dict[str, list[tuple[str, Case]]] = {}
    for ev in evaluations:
        for case in ev.cases:
            if case.family == "LHS" and case.holds is not None:
                points.setdefault(case.name, []).append((ev.pattern.key, case))
    if not points:
        return ""
    rows, counts = [], {True: [], False: []}  # starved or not: (pattern cases, failing ones) per point
    for name, found in points.items():
        failing = [key for key, case in found if not case.holds]
        state = {m: float(np.mean(values)) for m in STATE
                 if (values := [case.state[m] for _, case in found if m in case.state])}
        counts[state.get("achieved_share", 1.0) < STARVED].append((len(found), len(failing)))
        cells = " | ".join(f"{state[m]:.2f}" if m in state else "n/a" for m in STATE)
        rows.append(f"| {name} | {len(failing)} of {len(found)} | {', '.join(failing) or '-'} | {cells} |")
    parts = []
    for starved, where in ((True, f"where missions achieve under {STARVED:.0%} of their goals"), (False, "elsewhere")):
        if counts[starved]:
            cases_, failed = (sum(column) for column in zip(*counts[starved], strict=True))
            n = len(counts[starved])
            parts.append(f"at the {n} point{'s' if n != 1 else ''} {where}, {failed} of {cases_} pattern cases fail"
                         f" ({failed / cases_:.0%})")
    head, summary = " | ".join(STATE.values()), "; ".join(parts)
    return "\n".join([
        "## The hypercube's points across the patterns", "",
        "Each point of the hypercube is one set of conditions for all ten patterns (each leaving out its own focal "
        "keys). Per point: the patterns that fail there, and the mean engagement and share of missions achieved "
        "over the patterns' runs there. " + summary[0].upper() + summary[1:] + ".", "",
        f"| point | patterns failing | which | {head} |", "|---|---|---|" + "---|" * len(STATE), *rows, ""])


def page(evaluations: list[Evaluation], images: dict[str, Path | None], out: Path, design: Design,
         robustness: str, workers: int, wall_s: float) -> str:
    runs, cpu = sum(e.runs for e in evaluations), sum(e.cpu_s for e in evaluations)
    emergent = sum(e.verdict.computed == "emergent" for e in evaluations)
    held = sum(e.intact.holds is True for e in evaluations)
    intro = (
        "# Pattern validation\n\n"
        "The model is checked against the ten patterns of the model brief (pattern-oriented modelling, Grimm et "
        "al. 2005), and each pattern is classified honestly: a pattern counts as reproduced only if it emerges "
        "from what agents do. It must hold on a measure not defined by the factor varied, vanish when its credited "
        "mechanism is switched off, and survive (weaker) when the one coefficient that names it is neutralised. "
        "Regenerate this page and its figures with `python -m simulation.analysis.patterns` "
        f"({runs:,} runs, {cpu / 60:.0f} CPU-minutes; {wall_s / 60:.0f} minutes with {workers} workers when this "
        "page was written).\n\n"
        f"**Hold on their natural measures: {held} of {len(evaluations)}. Computed emergent: {emergent} of "
        f"{len(evaluations)}** (the goal: at least 7, P1, P2, P3 and P5 among them; and each pattern holding in at "
        "least 90% of its robustness cases).\n\n")
    sections = [section(e, images.get(e.pattern.key), out.parent, design) for e in evaluations]
    return (intro + summary_table(evaluations, design) + "\n\n" + method(design, robustness) + "\n"
            + hypercube_section(evaluations) + "\n" + "\n".join(sections))


def write_docs(out: Path = DOCS, figures: Path = FIGURES, workers: int = 2, robustness: str = "full",
               design: Design = FULL, log: Callable[[str], None] = print,
               patterns: Sequence[Pattern] | None = None) -> list[Evaluation]:
    """Evaluate every pattern (the shipped specs by default); write the figures and the Markdown page."""
    from simulation.analysis.plots import save
    from simulation.execution.workers import process_pool as executor

    started = time.perf_counter()
    figures.mkdir(parents=True, exist_ok=True)
    evaluations, images = [], {}
    with executor(workers) as pool:
        for pattern in patterns if patterns is not None else load_patterns():
            ev = evaluate(pattern, pool, cases(pattern, design, **ROBUSTNESS[robustness]))
            evaluations.append(ev)
            fig = figure(ev)
            images[pattern.key] = save(fig, figures / f"{pattern.key.lower()}.png") if fig is not None else None
            log(f"{pattern.key}: {ev.verdict.computed}, holds {_yes(ev.intact.holds)}, cases {_rate(ev, None)}; "
                f"{ev.runs} runs, {ev.cpu_s:.0f} CPU-s, {ev.wall_s:.0f} s")
    text = page(evaluations, images, out, design, robustness, workers, time.perf_counter() - started)
    from simulation.execution.results import atomic_write

    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return evaluations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulation.analysis.patterns",
                                     description="Evaluate the ten patterns and write docs/patterns.md and its figures")
    parser.add_argument("--out", type=Path, help="the Markdown page (default docs/patterns.md)")
    parser.add_argument("--figures", type=Path, help="folder of the figures (default results/examples/patterns)")
    parser.add_argument("-w", "--workers", type=worker_count, default=2, help="worker processes (results are identical)")
    parser.add_argument("--robustness", choices=list(ROBUSTNESS), default="full",
                        help="full (the docs), ci (one host scenario, one hypercube point) or none")
    parser.add_argument("--patterns", type=_keys, metavar="P1,P5",
                        help="evaluate only these patterns (with --out and --figures: the shipped page holds all ten)")
    args = parser.parse_args(argv)
    from simulation.inputs.scenario import ScenarioError

    if args.patterns and (args.out is None or args.figures is None):
        parser.error("--patterns evaluates part of the page: give --out and --figures (docs/patterns.md and its "
                     "figures hold all ten)")
    out, figures = args.out or DOCS, args.figures or FIGURES
    try:
        write_docs(out, figures, args.workers, args.robustness, log=lambda line: print(line, file=sys.stderr),
                   patterns=_chosen(args.patterns, parser))
    except ScenarioError as exc:
        print(f"error: {exc}".replace("\n", "\nerror: "), file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


def _keys(text: str) -> list[str]:
    """``--patterns``: pattern keys, comma-separated (p5 and P5 alike)."""
    keys = [k.strip().upper() for k in text.split(",") if k.strip()]
    if not keys:
        raise argparse.ArgumentTypeError("give pattern keys such as P1,P5")
    return keys


def _chosen(keys: list[str] | None, parser: argparse.ArgumentParser) -> list[Pattern] | None:
    """The shipped patterns named by ``keys``, in pattern order; all of them when ``keys`` is None."""
    if keys is None:
        return None
    patterns = load_patterns()
    known = [p.key for p in patterns]
    unknown = [k for k in keys if k not in known]
    if unknown:
        parser.error(f"--patterns: unknown {', '.join(unknown)}; the patterns are {', '.join(known)}")
    return [p for p in patterns if p.key in keys]
