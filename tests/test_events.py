"""Events (``events:``): dated changes to a mission's indicator from outside the model, such as a pandemic year.

They are data: a mission's progress moves by the event's share of its goal, spread over its months, and what
it moves counts towards the goal; it is not part of the pace actors judge the mission by, nor of its
transformation."""

import numpy as np
import pandas as pd
import pytest

from simulation.core.ensemble import Ensemble
from simulation.core.model import MissionModel
from simulation.inputs.params import with_overrides
from simulation.inputs.scenario import load_scenario

BASE = load_scenario("baseline", {"time.steps": 14, "population.citizens": 60, "population.firms": 20})


def with_event(progress: float, month: int = 5, months: int = 4, config=BASE):
    return with_overrides(config, {"events": [{"month": month, "months": months, "mission": "Mission 2",
                                               "progress": progress, "source": "a test"}]})


def runs(config, seed: int = 3):
    return MissionModel(BASE, seed=seed).run(), MissionModel(config, seed=seed).run()


@pytest.mark.parametrize("progress", [0.2, -0.1])
def test_an_event_moves_its_mission_by_its_share_spread_over_its_months(progress):
    plain, moved = runs(with_event(progress))
    a, b = plain.mission_frame(), moved.mission_frame()
    second = (b["mission"] == 1)
    shift = (b["progress"] - a["progress"])[second].to_numpy()
    expected = progress * np.clip(np.arange(15) - 4, 0, 4) / 4  # months 5-8 each move a quarter
    np.testing.assert_allclose(shift[:9], expected[:9], atol=1e-12)  # up to the event's end, nothing else moved it
    before = b["step"] < 5
    pd.testing.assert_frame_equal(a[before], b[before])
    assert (b.loc[second & (b["step"] >= 8), "transformation"].to_numpy()
            == pytest.approx(a.loc[second & (a["step"] >= 8), "transformation"].to_numpy(), abs=0.02))


def test_a_goal_an_event_carries_past_is_met():
    config = with_overrides(with_event(1.0, month=2, months=1), {"portfolio.mission.ambition": 0.3})
    plain, moved = runs(config)
    assert not plain.missions.achieved[1] and moved.missions.achieved_at[1] == 2


def test_an_event_value_is_a_dotted_key_and_varies_within_one_ensemble():
    configs = [with_overrides(with_event(0.1), {"events.0.progress": value}) for value in (0.0, 0.1, 0.3)]
    assert [c.events[0].progress for c in configs] == [0.0, 0.1, 0.3]
    ensemble = Ensemble(configs, [3, 4, 5]).run()
    for k, (cfg, seed) in enumerate(zip(configs, [3, 4, 5], strict=True)):
        pd.testing.assert_frame_equal(MissionModel(cfg, seed=seed).run().mission_frame(),
                                      ensemble.replicate(k).mission_frame(), check_exact=True)


def test_the_energiewende_case_carries_the_pandemic_year():
    config = load_scenario("energiewende")
    (event,) = config.events
    assert (event.mission, event.month, event.months) == ("Primary energy -20% by 2020 (vs 2008)", 112, 12)
    assert "AG Energiebilanzen" in event.source
