"""Missions that start part-way (``initial_progress``): a goal set as a level counts what exists at month 0."""

import numpy as np
import pytest

from simulation.core.model import MissionModel
from simulation.inputs.params import with_overrides
from simulation.inputs.scenario import load_scenario

BASE = load_scenario("baseline", {"time.steps": 12, "population.citizens": 60, "population.firms": 20,
                                  "portfolio.missions.0.name": "First"})


@pytest.mark.parametrize("start", [0.2, 0.9])
def test_a_mission_starts_with_its_progress_counted_and_keeps_it(start):
    config = with_overrides(BASE, {"portfolio.missions.0.initial_progress": start})
    frame = MissionModel(config, rng=3).run().mission_frame()
    first = frame[frame["mission"] == 0].set_index("step")["progress"]
    others = frame[(frame["mission"] > 0) & (frame["step"] == 0)]["progress"]
    assert first[0] == pytest.approx(start) and (others == 0).all()
    assert first.is_monotonic_increasing and first.iloc[-1] > start


def test_existing_change_is_incremental_only_as_far_as_incremental_means_reach():
    config = with_overrides(BASE, {"portfolio.mission.initial_progress": 0.9, "portfolio.mission.ambition": 1.0})
    m = MissionModel(config, rng=3).missions
    reach = config.ambition.incremental_reach * m.goal_size
    np.testing.assert_allclose(m.incremental, reach)
    np.testing.assert_allclose(m.incremental + m.radical, 0.9 * m.work_needed)


def test_the_india_case_starts_from_what_existed_in_2015():
    config = load_scenario("india-renewables")
    assert [round(m.initial_progress, 2) for m in config.portfolio.resolved()] == [0.05, 0.01, 0.38]
