"""Pattern-oriented validation: the ten patterns of the model brief, each a statistical test on a sweep.

Each pattern has an experiment file in ``experiments/patterns/`` and a check
that turns the sweep's runs into an effect size with a 95% confidence
interval and a verdict. Comparisons are paired on the replicate (common
random numbers), so the intervals reflect the effect, not seed noise.
``python -m simulation.patterns`` runs every pattern under three variants
(the files as they are, another root seed, twice the agents) and writes
``docs/patterns.md`` with its figures under ``results/examples/patterns/``.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from simulation.experiment import EXPERIMENT_DIR

PATTERN_DIR = EXPERIMENT_DIR / "patterns"
VARIANTS: dict[str, dict] = {
    "default": {},
    "other seed": {"seed_offset": 1000},
    "twice the agents": {"fixed": {"population.ministries": 40, "population.firms": 360,
                                   "population.citizens": 1586}},
}
"""Robustness variants: each pattern must hold under all of them."""


# ------------------------------------------------------------------ statistics
@dataclass(frozen=True)
class Estimate:
    """A mean paired difference (or a level mean) with its 95% confidence interval."""

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

    def __str__(self) -> str:
        return f"{self.value:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def estimate(values: np.ndarray) -> Estimate:
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    mean = float(values.mean()) if n else np.nan
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)) if n > 1 else np.inf
    return Estimate(mean, mean - half, mean + half, n)


def select(runs: pd.DataFrame, where: dict) -> pd.DataFrame:
    mask = np.ones(len(runs), dtype=bool)
    for key, value in where.items():
        column = runs[key]
        if value is None:
            mask &= column.isna().to_numpy()
        elif isinstance(value, str):
            mask &= (column == value).to_numpy()
        else:
            mask &= np.isclose(column.to_numpy(dtype=float), value)
    return runs[mask]


def paired(runs: pd.DataFrame, a: dict, b: dict, outcome: str) -> Estimate:
    """B minus A, paired on the replicate."""
    first = select(runs, a).set_index("replicate")[outcome]
    second = select(runs, b).set_index("replicate")[outcome]
    if first.empty or second.empty:
        raise ValueError(f"no runs for {a if first.empty else b}")
    return estimate((second - first).dropna().to_numpy())


def levels(runs: pd.DataFrame, factor: str, outcome: str, where: dict | None = None) -> pd.DataFrame:
    """Mean and 95% CI of an outcome at each level of a factor."""
    rows = select(runs, where or {})
    out = []
    for level, group in rows.groupby(factor, dropna=False):
        e = estimate(group[outcome].to_numpy())
        out.append({factor: level, "mean": e.value, "low": e.low, "high": e.high})
    return pd.DataFrame(out)


def steps_down(runs: pd.DataFrame, factor: str, outcome: str, where: dict | None = None) -> bool:
    """Each level's mean is no higher than the previous level's upper confidence bound."""
    table = levels(runs, factor, outcome, where)
    return bool((table["mean"].to_numpy()[1:] <= table["high"].to_numpy()[:-1]).all())


# ------------------------------------------------------------------ patterns
@dataclass
class Result:
    holds: bool
    effect: Estimate  # the headline effect size
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pattern:
    key: str
    title: str
    statement: str
    source: str
    experiments: tuple[str, ...]
    check: Callable[[dict[str, pd.DataFrame]], Result]
    figure: tuple[str, str, str]  # experiment, factor, outcome to plot


def p1(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p01-ambition"]
    table = levels(runs, "portfolio.mission.ambition", "total_impact")
    peak = int(table["mean"].idxmax())
    grid = table["portfolio.mission.ambition"].tolist()
    interior = 0 < peak < len(table) - 1
    top = {"portfolio.mission.ambition": grid[peak]}
    low_end = paired(runs, top, {"portfolio.mission.ambition": grid[0]}, "total_impact")
    high_end = paired(runs, top, {"portfolio.mission.ambition": grid[-1]}, "total_impact")
    effect = low_end if abs(low_end.value) < abs(high_end.value) else high_end
    return Result(interior and low_end.negative and high_end.negative, effect,
                  {"peak ambition": f"{grid[peak]:g}", "lowest ambition minus peak": str(low_end),
                   "highest ambition minus peak": str(high_end)})


def p2(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p02-portfolio"]
    key = "portfolio.count"
    counts = sorted(runs[key].unique())
    per_mission = paired(runs, {key: counts[0]}, {key: counts[-1]}, "progress_auc")
    total = levels(runs, key, "total_progress")
    peak = int(total["mean"].idxmax())
    turn = paired(runs, {key: counts[peak]}, {key: counts[-1]}, "total_progress")
    burnout = paired(runs, {key: counts[0]}, {key: counts[-1]}, "peak_burnt_out")
    holds = (per_mission.negative and steps_down(runs, key, "progress_auc") and 0 < peak < len(counts) - 1
             and turn.negative and burnout.positive and steps_down(runs.assign(b=-runs["peak_burnt_out"]), key, "b"))
    return Result(holds, per_mission, {
        "per-mission progress (time-average), most minus fewest missions": str(per_mission),
        "total progress peaks at": f"{counts[peak]} missions", "total progress, most missions minus peak": str(turn),
        "peak burnt-out share, most minus fewest missions": str(burnout)})


def p3(data: dict[str, pd.DataFrame]) -> Result:
    a, b, c = data["p03a-commitment"], data["p03b-leadership"], data["p03c-leader-leaves"]
    key = "portfolio.mission.commitment"
    commitment = paired(a, {key: 0.1}, {key: 0.9}, "progress_auc")
    lead = "portfolio.mission.leadership"
    low_trust = paired(b, {lead: 0.0, "commitment.trust": 0.1}, {lead: 1.0, "commitment.trust": 0.1}, "progress_auc")
    high_trust = paired(b, {lead: 0.0, "commitment.trust": 0.9}, {lead: 1.0, "commitment.trust": 0.9}, "progress_auc")
    leaves = "portfolio.mission.leader_leaves_at"
    loss_low = paired(c, {key: 0.2, leaves: None}, {key: 0.2, leaves: 24}, "progress_auc")
    loss_high = paired(c, {key: 0.9, leaves: None}, {key: 0.9, leaves: 24}, "progress_auc")
    holds = (commitment.positive and steps_down(a.assign(p=-a["progress_auc"]), key, "p")
             and high_trust.positive and low_trust.value < high_trust.value / 3
             and loss_low.negative and loss_low.value < 2 * loss_high.value)
    return Result(holds, commitment, {
        "progress (time-average), commitment 0.9 minus 0.1": str(commitment),
        "leadership effect at low trust (0.1)": str(low_trust),
        "leadership effect at high trust (0.9)": str(high_trust),
        "losing the leader at commitment 0.2": str(loss_low), "losing the leader at commitment 0.9": str(loss_high)})


def p4(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p04-resistance"]
    key, spec = "resistance.vested_interest", "portfolio.mission.specificity"
    vested = sorted(runs[key].unique())
    slower = paired(runs, {key: vested[0], spec: 0.5}, {key: vested[-1], spec: 0.5}, "progress_auc")
    focal = paired(runs, {key: 0.6, spec: 0.1}, {key: 0.6, spec: 0.9}, "mean_resistance")
    holds = slower.negative and steps_down(runs, key, "progress_auc", {spec: 0.5}) and focal.positive
    return Result(holds, slower, {"progress (time-average), strongest minus no vested interests": str(slower),
                                  "resistance, specific (0.9) minus vague (0.1) mission": str(focal)})


def p5(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p05-lock-in"]
    rule, first = "lockin.rule", "lockin.first_review"
    cut = paired(runs, {rule: "none", first: 36}, {rule: "review", first: 36}, "spend_after_purpose")
    early = paired(runs, {rule: "review", first: 36}, {rule: "review", first: 6}, "achieved_share")
    waste = estimate(select(runs, {rule: "none", first: 36})["spend_after_purpose"].to_numpy())
    holds = waste.positive and cut.negative and early.negative
    return Result(holds, cut, {"spend after purpose without a rule (MU)": str(waste),
                               "spend after purpose, review minus none (MU)": str(cut),
                               "missions achieved, review at 6 minus at 36 months": str(early)})


def p6(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p06-indicators"]
    vague = {"portfolio.mission.specificity": 0.1, "portfolio.mission.monitoring": 0.1}
    tangible = {"portfolio.mission.specificity": 0.9, "portfolio.mission.monitoring": 0.9}
    momentum = paired(runs, vague, tangible, "mean_momentum")
    return Result(momentum.positive, momentum, {"momentum (time-average), tangible minus vague": str(momentum)})


def p7(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p07-ambition-gap"]
    amb, budget = "portfolio.mission.ambition", "funding.national.annual_budget"
    cynicism = paired(runs, {amb: 0.9, budget: 150.0}, {amb: 0.9, budget: 30.0}, "mean_cynicism")
    legitimacy = paired(runs, {amb: 0.9, budget: 150.0}, {amb: 0.9, budget: 30.0}, "mean_legitimacy")
    modest = paired(runs, {amb: 0.3, budget: 150.0}, {amb: 0.3, budget: 30.0}, "mean_cynicism")
    holds = cynicism.positive and legitimacy.negative and cynicism.value > modest.high
    return Result(holds, cynicism, {"cynicism, high ambition: small minus full budget": str(cynicism),
                                    "legitimacy, high ambition: small minus full budget": str(legitimacy),
                                    "cynicism, modest ambition: small minus full budget": str(modest)})


def p8(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p08-new-voices"]
    key = "new_voices.inclusion"
    shut = paired(runs, {key: 0.5}, {key: 0.0}, "progress_auc")
    open_ = paired(runs, {key: 0.5}, {key: 1.0}, "progress_auc")
    return Result(shut.negative and open_.positive, open_, {
        "progress (time-average), full minus middling inclusion": str(open_),
        "progress (time-average), shut out minus middling inclusion": str(shut)})


def p9(data: dict[str, pd.DataFrame]) -> Result:
    success, slows = data["p09a-creep-success"], data["p09b-creep-completion"]
    grows = paired(success, {"production.productivity": 1.0}, {"production.productivity": 3.0}, "creep")
    delay = paired(slows, {"creep.rate": 0.0}, {"creep.rate": 0.1}, "achieved_share")
    return Result(grows.positive and delay.negative, grows, {
        "extra goals, more minus less successful missions": str(grows),
        "missions achieved, with minus without creep": str(delay)})


def p10(data: dict[str, pd.DataFrame]) -> Result:
    runs = data["p10-concentration"]
    key = "portfolio.overlap"
    resentment = paired(runs, {key: 0.0}, {key: 1.0}, "mean_resentment")
    holds = resentment.positive and steps_down(runs.assign(r=-runs["mean_resentment"]), key, "r")
    return Result(holds, resentment, {"ministries' resentment, concentrated minus spread missions": str(resentment)})


PATTERNS: tuple[Pattern, ...] = (
    Pattern("P1", "Ambition: an inverted U",
            "Success against ambition is an inverted U.",
            "“If the goal is highly incremental in nature, then it is likely only incremental solutions will be "
            "considered ... On the other hand, if the goal is too ambitious then there is a risk that over time "
            "support will fade” (seed 000)",
            ("p01-ambition",), p1, ("p01-ambition", "portfolio.mission.ambition", "total_impact")),
    Pattern("P2", "Portfolio dilution and burn-out",
            "Per-mission progress falls as more missions of similar scale run at once on fixed capacity; past a "
            "threshold, total progress across the portfolio falls too, and the share of burnt-out actors rises.",
            "“if there are multiple missions of similar scale being pushed at once, efforts are likely to be "
            "diluted or risk burn-out or disengagement from the relevant actors” (seed 000)",
            ("p02-portfolio",), p2, ("p02-portfolio", "portfolio.count", "total_progress")),
    Pattern("P3", "Commitment versus leadership",
            "Progress rises with political commitment; leadership without commitment helps only at high trust; "
            "losing a leader hurts low-commitment missions far more than institutionalised ones.",
            "“a formal commitment can have mobilising power even without a leadership push, whereas leadership "
            "alone is unlikely to provide the incentive ... unless there is already high levels of trust” "
            "(seed 000); “too much emphasis on the mission's success being driven by a charismatic and powerful "
            "individual, and not effectively underpinned by infrastructure, governance and oversight” (seed 002)",
            ("p03a-commitment", "p03b-leadership", "p03c-leader-leaves"), p3,
            ("p03a-commitment", "portfolio.mission.commitment", "progress_auc")),
    Pattern("P4", "Vested interests and a clear target",
            "Stronger vested interests slow progress; at equal ambition, a specific mission draws more resistance "
            "than a vague one.",
            "“A clear mission can act as a target ... a mission can potentially provide a clear point of "
            "resistance that a more distributed or decentralised approach may have avoided” (seed 000)",
            ("p04-resistance",), p4, ("p04-resistance", "resistance.vested_interest", "progress_auc")),
    Pattern("P5", "Lock-in and the review rule",
            "Without a review / sunset rule, resources keep flowing after a mission's goal is met or its problem "
            "has gone; a rule cuts that waste; a rule that reviews too early cuts successful missions short.",
            "“the mission can keep going even when it may no longer be appropriate, whether because the problem "
            "has been solved, or because ... the world may have moved on” and “shielding a mission from the "
            "pressure to deliver during the inevitable short-term implementation and learning curve” (seed 000)",
            ("p05-lock-in",), p5, ("p05-lock-in", "lockin.first_review", "spend_after_purpose")),
    Pattern("P6", "Tangible indicators keep momentum",
            "Missions with tangible indicators keep momentum longer than vague ones.",
            "“there will need to be a sense of progress, and that will require some measure that the activity "
            "can be evaluated against” (seed 000); “keeping momentum and motivation over time” (seed 002)",
            ("p06-indicators",), p6, ("p06-indicators", "portfolio.mission.specificity", "mean_momentum")),
    Pattern("P7", "The ambition-action gap",
            "High ambition with little budget raises cynicism and lowers legitimacy.",
            "“A noticeable gap between ambition and action, so that actors observe or suspect a lack of "
            "sincerity and commitment, and become disengaged or cynical about the process” (seed 000)",
            ("p07-ambition-gap",), p7, ("p07-ambition-gap", "funding.national.annual_budget", "mean_cynicism")),
    Pattern("P8", "New voices",
            "Engaging new actors raises progress; shutting them out lowers it.",
            "“If the mission does not require or engage actors outside of the existing players ... it is "
            "questionable why making it a mission will be any more successful than the status quo” and “A lack "
            "of respect or engagement for new or different voices” (seed 000)",
            ("p08-new-voices",), p8, ("p08-new-voices", "new_voices.inclusion", "progress_auc")),
    Pattern("P9", "Mission creep",
            "Creep grows with success and slows completion.",
            "“If it is successful, or has garnered significant support, there can be a push to either maintain "
            "the mission beyond the initial goals, or for additional items to be added under the umbrella of the "
            "mission” (seed 000)",
            ("p09a-creep-success", "p09b-creep-completion"), p9,
            ("p09b-creep-completion", "creep.rate", "achieved_share")),
    Pattern("P10", "Concentration breeds resentment",
            "Missions concentrated in few ministries raise resentment elsewhere.",
            "“other parts of the organisation or relevant ecosystem that are not linked to the mission can "
            "become resentful of the mission” (seed 000)",
            ("p10-concentration",), p10, ("p10-concentration", "portfolio.overlap", "mean_resentment")),
)


# ------------------------------------------------------------------ running
def experiment_file(name: str, variant: str, directory: Path) -> Path:
    """The pattern experiment ``name`` adapted to ``variant``, written into ``directory``."""
    data = yaml.safe_load((PATTERN_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    change = VARIANTS[variant]
    data["seed"] = data.get("seed", 0) + change.get("seed_offset", 0)
    data["fixed"] = {**data.get("fixed", {}), **change.get("fixed", {})}
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_pattern(pattern: Pattern, variant: str = "default", workers: int = 2,
                directory: Path | None = None) -> tuple[Result, dict[str, pd.DataFrame]]:
    """Run the pattern's experiments under a variant and check it."""
    from simulation import sweep

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(directory or tmp)
        data = {}
        for name in pattern.experiments:
            path = experiment_file(name, variant, base)
            data[name] = sweep.start(path, base / f"{name}-{variant.replace(' ', '-')}", workers=workers,
                                     progress=False).runs()
    return pattern.check(data), data


def figure(pattern: Pattern, data: dict[str, pd.DataFrame], result: Result):
    from matplotlib.figure import Figure

    name, factor, outcome = pattern.figure
    runs = data[name]
    others = [c for c in runs.columns if c.count(".") and c != factor and runs[c].nunique() > 1]
    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = fig.subplots()
    groups = runs.groupby(others, dropna=False) if others else [((), runs)]
    for k, (key, rows) in enumerate(groups):
        table = levels(rows, factor, outcome)
        x = table[factor].astype(str) if table[factor].dtype == object else table[factor]
        label = ", ".join(f"{o.split('.')[-1]}={v}" for o, v in zip(others, np.atleast_1d(key), strict=False))
        ax.errorbar(x, table["mean"], yerr=[table["mean"] - table["low"], table["high"] - table["mean"]],
                    marker="o", capsize=3, label=label or None, color=f"C{k}")
    ax.set_xlabel(factor)
    ax.set_ylabel(outcome)
    ax.grid(alpha=0.3)
    if others:
        ax.legend(fontsize=8)
    verdict = "holds" if result.holds else "DOES NOT HOLD"
    fig.suptitle(f"{pattern.key} {pattern.title} ({verdict})\nmean and 95% CI over replicates", fontsize=10)
    return fig


def write_docs(out: Path, figures: Path, workers: int = 2) -> None:
    """Run every pattern under every variant; write the figures and the Markdown page."""
    from simulation.plots import save

    figures.mkdir(parents=True, exist_ok=True)
    rows, sections = [], []
    for pattern in PATTERNS:
        verdicts = {}
        for variant in VARIANTS:
            result, data = run_pattern(pattern, variant, workers)
            verdicts[variant] = result
            if variant == "default":
                image = figures / f"{pattern.key.lower()}.png"
                save(figure(pattern, data, result), image)
        main = verdicts["default"]
        measure = next((k for k, v in main.details.items() if v == str(main.effect)), "")
        rows.append(f"| {pattern.key} | {pattern.title} | {measure}: {main.effect} | "
                    + " | ".join("holds" if r.holds else "**fails**" for r in verdicts.values()) + " |")
        detail = "\n".join(f"- {k}: {v}" for k, v in main.details.items())
        robust = "\n".join(f"- {variant}: {'holds' if r.holds else 'fails'}; " + "; ".join(
            f"{k}: {v}" for k, v in r.details.items()) for variant, r in verdicts.items() if variant != "default")
        experiments = ", ".join(f"[`{e}`](../experiments/patterns/{e}.yaml)" for e in pattern.experiments)
        sections.append(f"## {pattern.key} {pattern.title}\n\n**Pattern.** {pattern.statement}\n\n"
                        f"**Source.** {pattern.source}\n\n**Experiments.** {experiments}\n\n"
                        f"![{pattern.key}](../{image.relative_to(out.parent.parent)})\n\n"
                        f"**Measured (default variant, mean paired difference and 95% CI):**\n\n{detail}\n\n"
                        f"**Robustness:**\n\n{robust}\n")
    header = ("# Pattern validation\n\nThe model is checked against the ten patterns of the model brief "
              "(pattern-oriented modelling, Grimm et al. 2005). Each pattern is a statistical statement over "
              "replicates with fixed seeds, at the scenario defaults except for the factors its experiment "
              "varies. Differences are paired on the replicate (common random numbers); intervals are 95% "
              "t-intervals over replicates. Every pattern is also run with another root seed and with twice the "
              "agents; `tests/patterns/` asserts all three. Regenerate this page with "
              "`python -m simulation.patterns` (a few minutes).\n\n"
              "| pattern | | headline effect: mean paired difference, 95% CI | " + " | ".join(VARIANTS) + " |\n"
              "|---|---|---|" + "---|" * len(VARIANTS) + "\n")
    out.write_text(header + "\n".join(rows) + "\n\n" + "\n".join(sections), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the pattern experiments and write docs/patterns.md")
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=repo / "docs" / "patterns.md")
    parser.add_argument("--figures", type=Path, default=repo / "results" / "examples" / "patterns")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    write_docs(args.out, args.figures, args.workers)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
