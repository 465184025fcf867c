"""The EMA Workbench adapter: a small perform_experiments run, with parameters read from the schema."""

import numpy as np
import pytest

ema_workbench = pytest.importorskip("ema_workbench", reason="the [ema] extra is not installed")

from ema_workbench import CategoricalParameter, IntegerParameter, RealParameter, perform_experiments  # noqa: E402

from simulation import MissionModel  # noqa: E402
from simulation.execution.ema import dotted, mission_model, parameter  # noqa: E402
from simulation.inputs.params import bounds, field_of  # noqa: E402
from simulation.inputs.scenario import load_scenario  # noqa: E402


def test_parameters_come_from_the_schema():
    ambition = parameter("portfolio.mission.ambition")
    assert isinstance(ambition, RealParameter)
    assert (ambition.lower_bound, ambition.upper_bound) == bounds(field_of("portfolio.mission.ambition"))
    assert ambition.name == "portfolio__mission__ambition" and dotted(ambition.name) == "portfolio.mission.ambition"
    assert isinstance(parameter("portfolio.count", (1, 4)), IntegerParameter)
    rule = parameter("lockin.rule")
    assert isinstance(rule, CategoricalParameter) and {c.value for c in rule.categories} == {"none", "review", "sunset"}
    with pytest.raises(ValueError, match="unknown outcome"):
        mission_model(["portfolio.count"], outcomes=["happiness"])


def test_perform_experiments_runs_the_model_with_seeded_replications():
    model = mission_model({"portfolio.mission.ambition": (0.2, 0.9), "portfolio.count": (1, 3), "lockin.rule": None},
                          outcomes=["mean_progress", "achieved_share"], steps=12, replications=2, seed=3)
    experiments, outcomes = perform_experiments(model, scenarios=4)
    experiments = experiments.rename(columns=dotted)
    assert len(experiments) == 4 and {"portfolio.mission.ambition", "portfolio.count", "lockin.rule"} <= set(experiments)
    assert outcomes["mean_progress"].shape == (4,) and np.isfinite(outcomes["mean_progress"]).all()
    first = experiments.iloc[0]
    params = {"portfolio.mission.ambition": first["portfolio.mission.ambition"],
              "portfolio.count": int(first["portfolio.count"]), "lockin.rule": first["lockin.rule"]}
    config = load_scenario("baseline", {"time.steps": 12})
    seeds = [r["rng"] for r in model.replications]
    again = [MissionModel(config, rng=s, **params).run().summary()["mean_progress"] for s in seeds]
    assert outcomes["mean_progress"][0] == pytest.approx(np.mean(again))  # the mean over replications
