"""The recorder: per-step rows in preallocated arrays give the same numbers as reading the state each month."""

import numpy as np

from simulation import MissionModel
from simulation.core.metrics import ACTOR_METRICS, per_actor_engagement
from simulation.core.rules.governance import FACETS
from simulation.core.state import ACTOR_KINDS
from simulation.inputs.scenario import load_scenario


def masked_means(model: MissionModel) -> np.ndarray:
    """(kinds, ACTOR_METRICS) means over each kind's boolean mask, read from the live state."""
    a = model.actors
    columns = (per_actor_engagement(a), a.fatigue, a.burnt_out, a.resentment, a.cynicism)
    return np.array([[c[a.kind == k].mean() for c in columns] for k in range(len(ACTOR_KINDS))])


def test_type_means_and_facet_months_match_the_state_month_by_month():
    config = load_scenario("eu-missions")
    model = MissionModel(config, seed=4)
    months = np.zeros((model.missions.count, len(FACETS)), dtype=np.int64)
    for _ in range(config.time.steps):
        model.step()
        m = model.missions
        np.add.at(months, (np.arange(m.count), m.facet), m.live)
        recorded = model.recorder.actors[model.recorder.n - 1, :len(ACTOR_KINDS)]
        np.testing.assert_array_equal(recorded, masked_means(model))  # the same bits, not just close
    assert (months[:, 1:] > 0).any(), "the run should leave the mission facet, or this test checks little"
    np.testing.assert_array_equal(model.recorder.facet_months, months)
    summary = model.mission_summary()
    assert [[row[f"months_{f}"] for f in FACETS] for row in summary] == months.tolist()


def test_agent_rows_hold_only_the_months_recorded_so_far():
    model = MissionModel(seed=3, steps=12, agent_data=True)
    for _ in range(3):
        model.step()
    agents = model.agent_frame()
    n = model.actors.kind.size
    assert len(agents) == 4 * n and agents["step"].max() == 3
    last = agents[agents["step"] == 3]
    np.testing.assert_array_equal(last["fatigue"].to_numpy(), model.actors.fatigue)
    assert list(agents.columns[3:]) == list(ACTOR_METRICS)
