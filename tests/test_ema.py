"""The EMA Workbench adapter: a small perform_experiments run, with parameters read from the schema."""

import numpy as np
import pandas as pd
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
    assert outcomes["mean_progress"][0] == np.mean(again)  # the mean over replications, each as its run alone gives it


def test_replications_run_together_give_each_run_alone(monkeypatch):
    """Replications of one structure advance as one ensemble; each summary is the one its run alone gives, and a
    change of structure (here the mission count) starts another ensemble."""
    from simulation.execution import ema, runner

    sizes = []

    class Counted(runner.Ensemble):
        def __init__(self, configs, seeds, *args):
            sizes.append(len(seeds))
            super().__init__(configs, seeds, *args)

    monkeypatch.setattr(runner, "Ensemble", Counted)
    seeds = [11, 12, 13, 14, 15]
    experiments = [{"scenario": "baseline", "steps": 18, "rng": s, "portfolio__count": 2 if k < 3 else 3,
                    "portfolio__mission__ambition": np.float64(0.5 + 0.1 * k)} for k, s in enumerate(seeds)]
    results = ema.run_together(experiments)
    assert sizes == [3, 2]
    alone = [ema.run(**e) for e in experiments]
    together = [{key: result.row[key] for key in summary} for result, summary in zip(results, alone, strict=True)]
    assert pd.DataFrame(together).equals(pd.DataFrame(alone))
    assert len({s["mean_progress"] for s in together}) == len(seeds)  # each run its own seed and values


def test_mission_evaluator_gives_the_sequential_outcomes_across_experiments():
    """The evaluator runs many experiments' replications as one batch (ensembles across experiments, worker
    processes); its tables are the SequentialEvaluator's, value for value."""
    from simulation.execution.ema import MissionEvaluator

    model = mission_model({"portfolio.mission.ambition": (0.2, 0.9), "portfolio.count": (1, 2)},
                          outcomes=["mean_progress", "peak_burnt_out"], steps=12, replications=3, seed=5)
    sampling = {"uncertainty_sampling_kwargs": {"rng": 7}}
    experiments, outcomes = perform_experiments(model, scenarios=5, **sampling)
    for workers, batch in ((1, 4), (2, 4096)):
        with MissionEvaluator(model, workers=workers, batch_runs=batch) as evaluator:
            again, found = perform_experiments(model, scenarios=5, evaluator=evaluator, **sampling)
        columns = [p.name for p in model.uncertainties]  # (EMA numbers its scenarios on, run after run)
        pd.testing.assert_frame_equal(again[columns], experiments[columns])
        assert set(found) == set(outcomes)
        for name, values in outcomes.items():
            np.testing.assert_array_equal(found[name], values)
    assert len(set(outcomes["mean_progress"])) == 5  # each experiment its own values


def test_mission_evaluator_raises_on_a_failed_run_and_rejects_other_models(monkeypatch):
    from ema_workbench import ReplicatorModel
    from ema_workbench.util import EMAError

    from simulation.execution import ema

    with pytest.raises(TypeError, match="mission_model"):
        ema.MissionEvaluator(ReplicatorModel("other", function=ema.run))
    with pytest.raises(ValueError, match="batch_runs"):
        ema.MissionEvaluator(mission_model(["portfolio.count"]), batch_runs=0)
    from simulation.execution import runner

    def fails_if_ambitious(cls):
        class Failing(cls):
            def run(self):
                if max(c.portfolio.mission.ambition for c in self.configs) > 0.5:
                    raise RuntimeError("a run that fails")
                return super().run()
        return Failing

    monkeypatch.setattr(runner, "MissionModel", fails_if_ambitious(runner.MissionModel))
    monkeypatch.setattr(runner, "Ensemble", fails_if_ambitious(runner.Ensemble))
    model = mission_model({"portfolio.mission.ambition": (0.2, 0.9)}, steps=6, replications=2)
    with pytest.raises(EMAError, match=r"replication 0:(.|\n)*a run that fails"), ema.MissionEvaluator(model) as evaluator:
        perform_experiments(model, scenarios=4, evaluator=evaluator, uncertainty_sampling_kwargs={"rng": 1})
