"""Invariants checked after every step over many seeds and settings."""

import numpy as np
import pytest
from pydantic import ValidationError

from simulation import Config, MissionModel
from simulation.core.rng import replicate_seeds
from simulation.core.rules.governance import Status
from simulation.inputs.params import bounds, leaf_fields, with_overrides

SETTINGS = {
    "default": {},
    "eight missions on shared ministries": {"portfolio.count": 8, "portfolio.overlap": 1.0},
    "review rule, radical, poor": {"lockin.rule": "review", "lockin.first_review": 12,
                                   "portfolio.mission.ambition": 1.0, "funding.national.annual_budget": 20.0},
    "sunset, leader leaves, creep": {"lockin.rule": "sunset", "lockin.first_review": 60,
                                     "portfolio.mission.leader_leaves_at": 20, "creep.rate": 0.3},
    "everything off": {f"{name}.enabled": False for name in
                       ("ambition", "commitment", "momentum", "attention", "resistance", "neglect", "creep",
                        "lockin", "ramifications", "gap", "new_voices", "silos", "cycles", "facets")},
    "one mission, all funders rich": {"portfolio.count": 1, "funding.philanthropic.annual_budget": 500.0,
                                      "funding.impact.annual_budget": 300.0, "cycles.budget_delay": 11},
}

LIVE = (Status.ACTIVE, Status.LOCKED_IN)


def check_state(model: MissionModel, previous_status: np.ndarray) -> None:
    m, a, f = model.missions, model.actors, model.funders
    for name, values in {
        "fatigue": a.fatigue, "resentment": a.resentment, "cynicism": a.cynicism, "disillusion": a.disillusion,
        "support": a.support, "lobbying": a.lobbying, "momentum": m.momentum, "commitment": m.commitment,
        "legitimacy": m.legitimacy, "resistance": m.resistance, "despair": m.despair, "credibility": m.credibility,
        "side_effects": m.side_effects, "framing_fit": m.framing_fit, "progress": m.share,
        "radical_share": m.radical_share, "engagement": m.engagement, "allocation": f.allocation,
    }.items():
        assert np.all((values >= 0) & (values <= 1)), f"{name} outside [0, 1] at month {model.month}"
    # time: nobody gives negative time, and with attention on nobody works past its most
    c = model.config
    assert np.all(a.engagement >= 0) and np.all(a.own_work >= 0) and np.all(m.effort >= 0)
    if c.attention.enabled:
        most = c.choice.overtime * a.capacity
        assert np.all(a.engagement.sum(axis=1) + a.own_work <= most * (1 + 1e-9)), "an actor works past its most"
        assert np.all(m.effort <= c.choice.overtime + 1e-9)
    assert not (a.burnt_out[:, None] & (a.engagement > 0)).any(), "a burnt-out actor still works on a mission"
    # change: incremental means reach no further than their reach; transformation only grows
    assert np.all(m.incremental <= c.ambition.incremental_reach * m.goal_size * (1 + 1e-9))
    assert np.all(m.transformation >= 0)
    assert np.all(f.allocation.sum(axis=1) <= 1 + 1e-12), "a funder allocates more than its tranche"
    # money: what funders pay equals what missions receive; received = spent + held + lapsed
    assert f.paid.sum() == pytest.approx(m.received.sum(), rel=1e-12, abs=1e-9)
    assert np.allclose(m.received, m.spent + m.treasury + m.lapsed, rtol=1e-12, atol=1e-9)
    assert np.all(m.treasury >= -1e-12) and np.all(f.budget_left >= -1e-9)
    years = (model.month - 1) // model.config.time.steps_per_year + 1  # budget years opened so far
    assert np.allclose(f.paid + f.unpaid + f.budget_left, f.annual_budget * years, rtol=1e-12, atol=1e-9), \
        "every budget issued is paid, kept unpaid or still to pay"
    # ended missions stay ended and spend nothing
    ended = ~np.isin(previous_status, LIVE)
    assert np.array_equal(m.status[ended], previous_status[ended]), "an ended mission came back"
    assert np.all(m.spent_now[ended] == 0) and np.all(m.pace[ended] == 0)
    assert np.all(m.pace >= 0)
    assert np.all(m.spent_after_purpose <= m.spent + 1e-9)


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("seed", replicate_seeds(7, 5))
def test_invariants_hold_at_every_step(setting, seed):
    model = MissionModel(with_overrides(Config(), SETTINGS[setting]), seed=seed)
    while model.running and model.month < model.config.time.steps:
        before = model.missions.status.copy()
        model.step()
        check_state(model, before)
    assert model.month == model.config.time.steps


def test_past_its_goal_a_mission_only_polishes_what_it_has():
    """Locked in after its goal, a mission's actors keep working, but only incrementally: no new radical change."""
    model = MissionModel(with_overrides(Config(), {"portfolio.mission.ambition": 0.5}), seed=3)
    radical_at_goal = {}
    while model.month < model.config.time.steps:
        model.step()
        m = model.missions
        for i in np.flatnonzero(m.achieved):
            radical_at_goal.setdefault(int(i), float(m.radical[i]))
    assert radical_at_goal, "no mission reached its goal"
    for i, radical in radical_at_goal.items():
        assert m.radical[i] == radical
    assert (m.work_done[m.achieved] >= m.work_needed[m.achieved]).all()


def _edge_settings() -> list[tuple[str, float]]:
    """Every numeric parameter at each of its schema bounds, one at a time."""
    edges = []
    for key, info, value in leaf_fields(Config()):
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        edges += [(key, bound) for bound in bounds(info) if bound is not None]
    return edges


@pytest.mark.parametrize(("key", "bound"), _edge_settings(), ids=lambda v: str(v))
def test_every_parameter_at_its_bounds_runs_and_keeps_the_invariants(key, bound):
    """A value the schema accepts must run cleanly (warnings are errors here) and keep every invariant."""
    short = {} if key == "time.steps" else {"time.steps": 24}
    try:
        config = with_overrides(Config(), {**short, key: bound})
    except ValidationError:
        return  # rejected by a cross-field rule of the schema: a clear error, not a crash
    model = MissionModel(config, seed=3)
    while model.month < min(config.time.steps, 24):
        before = model.missions.status.copy()
        model.step()
        check_state(model, before)
