"""The fused passes give the numpy reference's results, bit for bit, on random states and on whole runs."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from simulation.core import fused
from simulation.core.ensemble import Ensemble
from simulation.core.fused import compiled
from simulation.core.rules import choice, opinion, work
from simulation.core.small_world import watts_strogatz
from simulation.inputs.params import with_overrides
from simulation.inputs.scenario import load_scenario


def test_the_fused_path_is_taken_where_numba_is_installed():
    assert compiled.kernels() is not None  # numba is a dependency: without this the comparisons below prove nothing


def random_month(shape, rng, lead_on, side_on):
    """Random inputs of the month of work for arrays ``shape`` (..., A, M): some actors with no open mission,
    some burnt out or near their threshold, utilities of very different sizes."""
    per_mission, per_actor = shape[:-2] + shape[-1:], shape[:-1]
    drivers = choice.Drivers(
        mission=rng.normal(size=per_mission) * 10.0 ** rng.integers(-3, 3, per_mission),
        actor=rng.normal(size=per_actor), grant_pull=rng.gamma(2.0, 1.0, shape[-2]),  # shared: one per actor
        funding=rng.random(per_mission),
        push=rng.random(per_mission) if lead_on else None, trusted=rng.random(per_actor) if lead_on else None,
        erosion=0.7, affected=(rng.random(shape) < 0.3) * 1.0 if side_on else None,
        side_effects=rng.random(per_mission) if side_on else None)
    exposed = rng.random(shape) < 0.7
    exposed[..., :3, :] = False
    live = rng.random(per_mission) < 0.8
    fatigue = rng.random(per_actor)
    effort = work.Effort(rng.random(shape) * exposed, rng.random(per_actor), fatigue, rng.random(per_actor) < 0.2)
    capacity = rng.uniform(0.5, 1.5, per_actor)
    threshold = np.clip(fatigue + rng.normal(0, 0.02, per_actor), 0.05, 1.0)
    setting = work.Setting(True, 3.0, choice.bau_bias(0.2, 1.25), rng.random(), 1.25, 0.3, 0.2, 0.1, 0.1, 0.05, 0.6)
    return drivers, exposed, live, effort, capacity, threshold, rng.random(per_mission), rng.random(per_mission), setting


@pytest.mark.parametrize("shape", [(40, 2), (40, 3), (5, 40, 3), (2, 3, 40, 4), (4, 40, 7)])
@pytest.mark.parametrize("lead_on, side_on", [(True, True), (False, False), (True, False)])
def test_a_month_is_the_references_bit_for_bit(shape, lead_on, side_on):
    rng = np.random.default_rng(sum(shape) + 10 * lead_on + side_on)
    args = random_month(shape, rng, lead_on, side_on)
    got, want = fused.month_of_work(*args), work.month_of_work(*args)
    for name, g, w in zip(work.Effort._fields, got, want, strict=True):
        assert g.shape == w.shape and g.dtype == w.dtype, name
        np.testing.assert_array_equal(g, w, err_msg=name, strict=True)
    assert 0 < want.burnt_out.mean() < 1 and (want.engagement > 0).any()  # both branches of burn-out were taken


CASES = [  # scenarios, and switches that take every branch of the drivers
    ("baseline", {}),
    ("energiewende", {}),
    ("iceland-youth", {}),
    ("ddc-portfolio", {"cycles.enabled": True, "facets.enabled": True, "creep.enabled": True}),
    ("moonshot", {"commitment.enabled": False, "ramifications.enabled": False}),
    ("baseline", {"new_voices.enabled": True, "attention.crowding": 0.9, "portfolio.count": 6}),
]


def tables(config, seeds):
    return [(r.mission_frame(), r.actor_frame()) for r in Ensemble(config, seeds).run()]


@pytest.mark.parametrize("case, switches", CASES)
def test_whole_runs_are_the_references_bit_for_bit(case, switches, monkeypatch):
    config = with_overrides(load_scenario(case), {"time.steps": 60, **switches})
    fast = tables(config, [4, 2**33 + 1])
    monkeypatch.setattr(compiled, "kernels", lambda: None)  # as without numba
    slow = tables(config, [4, 2**33 + 1])
    for (fm, fa), (sm, sa) in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(fm, sm, check_exact=True)
        pd.testing.assert_frame_equal(fa, sa, check_exact=True)
    assert fa["burnt_out"].max() > 0 or case == "moonshot"  # the runs take burn-out's branch


@pytest.mark.parametrize("lead", [(), (4,), (2, 3)])
def test_citizens_and_disillusion_are_the_references_bit_for_bit(lead):
    rng = np.random.default_rng(len(lead))
    citizens, missions, reps = 60, 3, int(np.prod(lead, dtype=int))
    blocks = [watts_strogatz(citizens, 6, 0.3, seed) for seed in range(reps)]
    adjacency = sp.block_diag(blocks, format="csr")
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).reshape(*lead, citizens), 1.0)
    per_mission, per_citizen, pair = (*lead, missions), (*lead, citizens), (*lead, citizens, missions)
    args = (rng.random(per_mission), rng.random(per_citizen), (rng.random(pair) < 0.3) * 1.0, rng.random(per_mission),
            0.8, rng.random(pair), adjacency, degree, 0.3)
    np.testing.assert_array_equal(fused.citizens_month(*args), opinion.citizens_month(*args), strict=True)
    args = (rng.random(per_citizen) ** 3, (rng.random(pair) < 0.5) * 1.0, rng.random(per_mission), 0.4, 0.05)
    np.testing.assert_array_equal(fused.update_disillusion(*args), opinion.update_disillusion(*args), strict=True)
