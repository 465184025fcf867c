"""Mesa's conventions: rng/seed semantics, keyword parameters, batch_run, stepping past the end."""

import mesa
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from simulation import Config, MissionModel
from simulation.core.metrics import MODEL_REPORTERS, OUTCOMES
from simulation.core.model_args import flat_names
from simulation.inputs.params import get_dotted

SHORT = {"steps": 6}


def progress(model: MissionModel) -> np.ndarray:
    return model.recorder.mission_series("progress")


def test_rng_none_draws_fresh_entropy_and_records_it():
    a, b = MissionModel(**SHORT).run(), MissionModel(**SHORT).run()
    assert a.seed != b.seed and not np.array_equal(progress(a), progress(b))
    again = MissionModel(a.config, rng=a.seed).run()  # the recorded seed replays the run
    np.testing.assert_array_equal(progress(again), progress(a))


@pytest.mark.parametrize("rng", [7, np.int64(7), [7], np.random.SeedSequence(7), np.random.default_rng(7)],
                         ids=["int", "numpy int", "list", "SeedSequence", "Generator"])
def test_rng_accepts_what_mesa_accepts_and_is_reproducible(rng):
    model = MissionModel(rng=rng, **SHORT)
    replay = MissionModel(rng=model.seed, **SHORT)
    np.testing.assert_array_equal(model.run().recorder.missions, replay.run().recorder.missions)
    assert MissionModel(seed=7, **SHORT).seed == MissionModel(rng=7, **SHORT).seed == 7


def test_bad_rng_arguments():
    with pytest.raises(ValueError, match="not both"):
        MissionModel(rng=1, seed=1)
    with pytest.raises(ValueError, match="2\\*\\*63"):
        MissionModel(rng=-1)
    with pytest.raises(TypeError, match="rng"):
        MissionModel(rng="forty-two")


def test_parameters_by_unique_field_name_or_dotted_key():
    flat = MissionModel(rng=1, ambition=0.9, steps=24, vested_interest=0.7)
    dotted = MissionModel(rng=1, **{"portfolio.mission.ambition": 0.9, "time.steps": 24,
                                    "resistance.vested_interest": 0.7})
    assert flat.config == dotted.config
    assert get_dotted(flat.config, "portfolio.mission.ambition") == 0.9 and flat.config.time.steps == 24
    base = Config().model_copy(update={"name": "mine"})
    assert MissionModel(base, rng=1, steps=3).config.name == "mine"  # kwargs override a given config
    assert MissionModel(scenario="moonshot", rng=1).config.name == "moonshot"


def test_bad_parameters_say_what_to_use():
    with pytest.raises(TypeError, match=r"ambiguous parameter name; use a dotted key: ambition\.enabled, "):
        MissionModel(enabled=False)
    assert len(flat_names()["enabled"]) == 14  # one switch per mechanism: needs its dotted key
    with pytest.raises(TypeError, match="unknown parameter"):
        MissionModel(ambitoin=0.5)
    with pytest.raises(ValidationError):
        MissionModel(ambition=1.5)


def test_stepping_past_the_end_stops_and_changes_nothing():
    model = MissionModel(rng=3, steps=4)
    while model.running:
        model.step()
    assert model.month == 4
    before = model.recorder.missions.copy()
    for _ in range(3):
        model.step()  # a SolaraViz playing on, or a loop that ignores `running`
    assert model.month == 4 and not model.running
    np.testing.assert_array_equal(model.recorder.missions, before)
    assert len(model.datacollector.get_model_vars_dataframe()) == 5


def test_datacollector_names_are_the_parquet_names():
    model = MissionModel(rng=1, steps=3).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(MODEL_REPORTERS)
    parquet_columns = {*model.mission_frame().columns, *model.actor_frame().columns, *OUTCOMES}
    assert set(frame.columns) <= parquet_columns
    assert frame["mean_progress"].iloc[-1] == pytest.approx(model.summary()["mean_progress"])


@pytest.mark.filterwarnings("ignore:The `iterations` keyword argument is deprecated:DeprecationWarning")
def test_batch_run_with_iterations_gives_replicates_that_differ():
    rows = mesa.batch_run(MissionModel, parameters={"ambition": [0.3, 0.8], "steps": 12}, iterations=3,
                          display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 6 and set(frame["ambition"]) == {0.3, 0.8}
    for _, replicates in frame.groupby("ambition"):
        assert replicates["mean_progress"].nunique() == 3  # three different runs, not one run three times


def test_batch_run_with_rng_is_seeded_and_reproducible():
    def run() -> pd.DataFrame:
        rows = mesa.batch_run(MissionModel, parameters={"portfolio.count": [1, 2], "steps": 12}, rng=[1, 2, 3],
                              display_progress=False)
        return pd.DataFrame(rows)

    first = run()
    assert len(first) == 6 and first.groupby("portfolio.count")["mean_progress"].nunique().eq(3).all()
    pd.testing.assert_frame_equal(first, run())
    one = MissionModel(rng=2, steps=12, **{"portfolio.count": 2}).run()
    match = first[(first["seed"] == 2) & (first["portfolio.count"] == 2)]
    assert match["mean_progress"].item() == pytest.approx(one.summary()["mean_progress"])
