"""One seed per run: same seed, same tables, in any process; different seeds differ."""

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from simulation import Config, MissionModel
from simulation.core.engine import DRAWN_AHEAD
from simulation.core.ensemble import Ensemble
from simulation.core.rng import replicate_seeds, stream
from simulation.inputs.params import with_overrides

CONFIG = with_overrides(Config(), {"time.steps": 60})


def tables(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    model = MissionModel(CONFIG, seed=seed).run()
    return model.mission_frame(), model.actor_frame()


def test_same_seed_gives_identical_step_tables():
    a_missions, a_actors = tables(11)
    b_missions, b_actors = tables(11)
    pd.testing.assert_frame_equal(a_missions, b_missions)
    pd.testing.assert_frame_equal(a_actors, b_actors)


def test_different_seeds_give_different_runs():
    a, _ = tables(11)
    b, _ = tables(12)
    assert not a["progress"].equals(b["progress"])


def test_results_do_not_depend_on_the_process_or_worker_count():
    seeds = replicate_seeds(5, 4)
    serial = [tables(s)[0] for s in seeds]
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = [frames[0] for frames in pool.map(tables, reversed(seeds))][::-1]
    for one, other in zip(serial, parallel, strict=True):
        pd.testing.assert_frame_equal(one, other)


def test_the_social_network_is_seeded_from_the_run_seed():
    a = MissionModel(CONFIG, seed=3).actors.adjacency
    b = MissionModel(CONFIG, seed=3).actors.adjacency
    c = MissionModel(CONFIG, seed=4).actors.adjacency
    assert (a != b).nnz == 0
    assert (a != c).nnz > 0


def test_named_streams_are_independent_and_stable():
    assert stream(1, "world").random() == stream(1, "world").random()
    assert stream(1, "world").random() != stream(1, "creep").random()
    assert replicate_seeds(9, 3) == replicate_seeds(9, 6)[:3]
    assert len(set(replicate_seeds(9, 100))) == 100


@pytest.mark.parametrize("method, args", [("random", ()), ("standard_normal", ()), ("normal", (0.0, 0.3))])
def test_draws_taken_months_ahead_are_the_monthly_draws(method, args):
    model, ensemble = MissionModel(CONFIG, seed=3), Ensemble(CONFIG, [3, 4])
    monthly = [stream(seed, "facets") for seed in (3, 4)]
    for _ in range(2 * DRAWN_AHEAD + 1):  # across two refills
        expected = [getattr(g, method)(*args, size=(2, 3)) for g in monthly]
        np.testing.assert_array_equal(model.draw("facets", method, *args, size=(2, 3)), expected[0])
        np.testing.assert_array_equal(ensemble.draw("facets", method, *args, size=(2, 3)), np.stack(expected))
    with pytest.raises(ValueError, match="stream 'facets' drawn as"):
        model.draw("facets", method, *args, size=4)


def test_agent_data_only_on_request_and_consistent_with_type_tables():
    plain = MissionModel(CONFIG, seed=2)
    assert plain.recorder.agent_rows is None
    model = MissionModel(CONFIG, seed=2, agent_data=True).run()
    agents = model.agent_frame()
    assert len(agents) == (CONFIG.time.steps + 1) * len(model.actors.kind)
    by_type = agents.groupby(["step", "actor_type"], observed=True)["fatigue"].mean().unstack()
    actor = model.actor_frame().pivot(index="step", columns="actor_type", values="fatigue")
    assert np.allclose(by_type["firm"], actor["firm"])
    pd.testing.assert_frame_equal(model.mission_frame(), plain.run().mission_frame())
