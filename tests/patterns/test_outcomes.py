"""Outcome tests (slow): the outcomes a researcher reads respond to what the sources say they respond to,
and no shipped scenario is a foregone conclusion (issue 10, "Outcome tests").

Outcome names are checked against ``simulation.core.metrics.OUTCOMES``. A test on an outcome the model does not
report yet is a strict xfail, so it fails, and must be un-marked, once the outcome exists. ``TODAY`` lists
what fails on today's model although its outcomes exist (the findings of issue 10); strict as well, so an
entry must go once its test passes.
"""

import numpy as np
import pytest

from simulation import run_scenario
from simulation.analysis.patterns.stats import estimate
from simulation.core import metrics
from simulation.execution.workers import process_pool as executor
from simulation.inputs.scenario import load_scenario, scenario_files

SEED = 2026  # one root seed: replicate k has the same seed in every arm (paired comparisons)
REPLICATES = 12
CLEARLY_SLOWER = 1.25  # "takes at least 25% longer to reach its goal"
BURN_OUT_DIRECTION = {"portfolio.mission.commitment": +1, "funding.national.annual_budget": +1}
"""Burn-out comes from effort given: more commitment and more grant money draw more effort, so more burn-out.
If the documented rules (docs/ODD.md) say otherwise for one of them, change its sign here, with the reason."""
VARYING = ("peak_burnt_out", "transformation", "mean_engagement", "mean_progress", "progress_auc", "mean_momentum",
           "mean_legitimacy", "mean_resistance", "mean_cynicism", "mean_resentment", "spend")
"""Continuous outcomes that seed noise alone should move. Counts and shares of missions (achieved, creep,
retired_share) may honestly be the same in every replicate: Apollo's problem never goes away."""
UNRESENTED = "mean_resentment"
"""Resentment is of ministries outside every live mission (neglect): where every ministry works on some mission,
none resents, and the outcome must be 0 in every run instead."""
CAPPED = ("mean_progress",)
"""Shares of the goal, capped at 1: where every run reaches every goal, the months to get there must vary instead."""
SCENARIOS = tuple(p.stem for p in scenario_files())

TODAY: dict[str, str] = {}
"""Known failures on today's model, with the reason."""


def marks(*outcomes: str, today: str | None = None):
    """Strict xfail where an outcome is missing, or where today's model is known to fail."""
    absent = [o for o in outcomes if o not in metrics.OUTCOMES]
    if absent:
        return pytest.mark.xfail(strict=True, reason=f"not a run outcome yet: {', '.join(absent)}")
    if today is not None and today in TODAY:
        return pytest.mark.xfail(strict=True, reason=TODAY[today])
    return ()


@pytest.fixture(scope="module")
def pool():
    with executor(2) as pool:
        yield pool


@pytest.fixture(scope="module")
def batch(pool):
    """Run tables by (scenario, overrides, replicates), each batch run once per module."""
    cache = {}

    def get(scenario: str, replicates: int = REPLICATES, **overrides):
        key = (scenario, replicates, tuple(sorted(overrides.items())))
        if key not in cache:
            cache[key] = run_scenario(scenario, replicates=replicates, seed=SEED, overrides=overrides,
                                      executor=pool, plots=False)
        return cache[key]

    return get


def paired(a, b, outcome: str):
    """B minus A, paired on the replicate."""
    return estimate((b.runs.set_index("replicate")[outcome] - a.runs.set_index("replicate")[outcome]).to_numpy())


def clearly_worse(better, worse) -> tuple[bool, str]:
    """The second batch takes at least 25% longer to reach its goal, or reaches it in clearly fewer runs."""
    time_a, time_b = better.runs["mean_time_to_goal"].mean(), worse.runs["mean_time_to_goal"].mean()
    slower = bool(np.isfinite(time_a) and (np.isnan(time_b) or time_b >= CLEARLY_SLOWER * time_a))
    fewer = paired(better, worse, "achieved_share")
    why = f"months to goal {time_a:.1f} against {time_b:.1f}; runs that reach it, difference {fewer}"
    return slower or fewer.negative, why


@pytest.mark.slow
@pytest.mark.parametrize(("key", "low", "high", "today"), [
    pytest.param("portfolio.mission.commitment", 0.1, 0.9, "commitment", marks=marks("peak_burnt_out", today="commitment"),
                 id="commitment"),
    pytest.param("funding.national.annual_budget", 30.0, 300.0, "funding", marks=marks("peak_burnt_out", today="funding"),
                 id="funding"),
])
def test_peak_burn_out_responds_in_the_documented_direction(batch, key, low, high, today):
    effect = paired(batch("baseline", **{key: low}), batch("baseline", **{key: high}), "peak_burnt_out")
    near = effect.toward(BURN_OUT_DIRECTION[key])[0]
    assert near > 0, f"peak burn-out, {key} {high} minus {low}: {effect} (expected sign {BURN_OUT_DIRECTION[key]:+d})"


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [pytest.param(s, marks=marks("peak_burnt_out", today=f"{s}/peak_burnt_out"))
                                      for s in ("baseline", "moonshot")])
def test_peak_burn_out_varies_between_replicates(batch, scenario):
    values = batch(scenario).runs["peak_burnt_out"]
    assert values.nunique() > 1, f"{scenario}: peak burn-out is {values.iloc[0]} in every replicate"


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [pytest.param("baseline", marks=marks("peak_burnt_out", today="all actors"))])
def test_peak_burn_out_is_the_share_of_all_actors(batch, scenario):
    res = batch(scenario, replicates=3)
    population = load_scenario(scenario).population
    counts = {"ministry": population.ministries, "firm": population.firms, "citizen": population.citizens}
    actors = res.actors[res.actors["actor_type"].isin(list(counts))].copy()
    actors["burnt"] = actors["burnt_out"] * actors["actor_type"].map(counts)
    share = actors.groupby(["replicate", "step"])["burnt"].sum() / sum(counts.values())
    expected = share.groupby("replicate").max()
    got = res.runs.set_index("replicate")["peak_burnt_out"]
    np.testing.assert_allclose(got.sort_index(), expected.sort_index(), atol=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param("moonshot", marks=marks("mean_time_to_goal", "achieved_share",
                                                                       today="moonshot"))])
def test_moonshot_requires_explicit_commitment(batch, case):
    worse, why = clearly_worse(batch(case, 20), batch(case, 20, **{"portfolio.mission.commitment": 0.3}))
    assert worse, f"moonshot at commitment 0.3 against 0.95: {why}"


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param("low trust", marks=marks("mean_time_to_goal", "achieved_share",
                                                                        today="leader only"))])
def test_a_leader_alone_differs_from_commitment_at_low_trust(batch, case):
    trust = {"commitment.trust": 0.1}
    worse, why = clearly_worse(batch("moonshot", 20, **trust), batch("moonshot-leader-only", 20, **trust))
    assert worse, f"moonshot-leader-only against moonshot at trust 0.1: {why}"


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [pytest.param("ato-fix-it-squads", marks=marks("achieved_share", today="ato"))])
def test_the_easy_control_achieves_its_goal_in_most_runs(batch, scenario):
    share = batch(scenario, 20).runs["achieved_share"].mean()
    assert share > 0.5, f"{scenario}: goal achieved in {share:.0%} of runs"


def everyone_involved(scenario: str) -> bool:
    """Every ministry is exposed to some mission, in a model built from the root seed."""
    from simulation import MissionModel

    actors = MissionModel(load_scenario(scenario), seed=SEED).actors
    return bool((actors.exposure[..., actors.ministries, :].max(axis=-1) > 0).all())


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "outcome"), [
    pytest.param(s, o, marks=marks(o, today=f"{s}/{o}"), id=f"{s}-{o}") for s in SCENARIOS for o in VARYING])
def test_no_shipped_scenario_gives_an_outcome_identical_across_replicates(batch, scenario, outcome):
    runs = batch(scenario, 10).runs
    values = runs[outcome]
    if outcome == UNRESENTED and everyone_involved(scenario):
        assert values.eq(0.0).all(), f"{scenario}: every ministry is on a mission, yet {outcome} is {values.max()}"
        return
    if outcome in CAPPED and runs["achieved_share"].eq(1.0).all():
        values = runs["mean_time_to_goal"]  # every run reaches every goal, so progress sits on its cap: when?
    assert values.nunique() > 1, f"{scenario}: {outcome} is {values.iloc[0]} in all {len(values)} replicates"
