"""Analysis functions return DataFrames: factor rankings for every design, PRIM boxes that name only
the factors they restrict."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulation.analysis.sweeps import prim, prim_table, rankings
from simulation.execution.experiment import Experiment


@pytest.fixture(scope="module")
def cases() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    return pd.DataFrame({"a": rng.uniform(0, 1, 2000), "b": rng.uniform(0, 1, 2000), "c": rng.uniform(0, 1, 2000)})


def test_prim_lists_only_the_factors_it_restricts(cases):
    flagged = ((cases["a"] < 0.3) & (cases["b"] > 0.5)).to_numpy()
    box = prim(cases, flagged)
    assert box.density > 0.9 and box.coverage >= 0.5
    assert box.limits["a"][1] < 0.35 and box.limits["b"][0] > 0.45
    assert box.limits["c"] == (cases["c"].min(), cases["c"].max())  # never peeled, so not restricted
    table = prim_table(cases.assign(y=flagged.astype(float)), ["a", "b", "c"], [("y", ">", 0.5)])
    assert table.set_index("factor")["restricted"].to_dict() == {"a": True, "b": True, "c": False}


@pytest.mark.parametrize("design", ["factorial", "lhs"])
def test_every_design_gets_a_factor_ranking(design):
    factors = ({"portfolio.count": {"levels": [1, 2, 4, 6]}, "lockin.rule": {"levels": ["none", "review", "sunset"]}}
               if design == "factorial" else
               {"portfolio.count": {"range": [1, 6]}, "lockin.rule": {"levels": ["none", "review", "sunset"]}})
    experiment = Experiment.model_validate({"design": {"kind": design, "samples": 60}, "factors": factors})
    rng = np.random.default_rng(1)
    runs = pd.DataFrame({"portfolio.count": rng.choice([1, 2, 4, 6], 240),
                         "lockin.rule": rng.choice(["none", "review", "sunset"], 240)})
    runs["mean_progress"] = 1 / runs["portfolio.count"] + rng.normal(0, 0.02, 240)  # count matters, the rule not
    table = rankings(SimpleNamespace(experiment=experiment), runs, ["mean_progress"])
    ranked = table[table["index"] == "pawn_median"].set_index("factor")
    assert ranked.loc["portfolio.count", "rank"] == 1 and ranked.loc["lockin.rule", "rank"] == 2
    assert ranked.loc["portfolio.count", "value"] > 3 * ranked.loc["lockin.rule", "value"]
    assert set(table["index"]) == {"pawn_median", "pawn_maximum"} and table["value"].between(0, 1).all()


def test_run_experiment_from_a_dict_returns_its_tables_and_analysis(tmp_path):
    from simulation import run_experiment
    from simulation.analysis.sweeps import summarise
    from simulation.inputs.scenario import ScenarioError

    study = {"scenario": "baseline", "replicates": 2, "seed": 3, "steps": 12, "design": {"kind": "lhs", "samples": 10},
             "factors": {"portfolio.count": {"range": [1, 4]}, "lockin.rule": {"levels": ["none", "sunset"]}},
             "outputs": ["mean_progress", "achieved_share"]}
    sweep = run_experiment(study, tmp_path / "study")
    assert len(sweep.runs()) == 20 and len(sweep.missions()) == sweep.runs()["missions"].sum()
    assert (sweep.path / "experiment.yaml").is_file() and sweep.experiment.name == "experiment"
    result = summarise(sweep)
    assert set(result.rankings["factor"]) == {"portfolio.count", "lockin.rule"}
    assert len(result.point_means) == 10 and isinstance(result.prim, pd.DataFrame)
    with pytest.raises(ScenarioError, match=r"experiment: factors\.portfolio\.count\.range"):
        run_experiment({**study, "factors": {"portfolio.count": {"range": [0, 4]}}}, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()
