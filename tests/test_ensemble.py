"""An ensemble of R replicates is the same engine as a run alone: every replicate's results, bit for bit."""

import numpy as np
import pandas as pd
import pytest

from simulation import MissionModel
from simulation.core.ensemble import Ensemble
from simulation.inputs.params import with_overrides
from simulation.inputs.scenario import load_scenario

SEEDS = [3, 2**40 + 7, 11, 0]
CASES = {  # scenarios, and switches that make every random stream and branch of the schedule draw
    "baseline": {},
    "moonshot": {},
    "energiewende": {},
    "iceland-youth": {},
    "ddc-portfolio": {"cycles.enabled": True, "facets.enabled": True, "creep.enabled": True,
                      "lockin.problem_hazard": 0.02},
    "baseline-attention-off": {"attention.enabled": False, "commitment.enabled": False, "momentum.enabled": False},
}


def config(case: str, steps: int = 48):
    name = "baseline" if case.startswith("baseline") else case
    return with_overrides(load_scenario(name), {"time.steps": steps, **CASES[case]})


def same_run(alone, replicate) -> None:
    pd.testing.assert_frame_equal(alone.mission_frame(), replicate.mission_frame(), check_exact=True)
    pd.testing.assert_frame_equal(alone.actor_frame(), replicate.actor_frame(), check_exact=True)
    pd.testing.assert_frame_equal(pd.DataFrame(alone.mission_summary()), pd.DataFrame(replicate.mission_summary()),
                                  check_exact=True)
    assert pd.Series(alone.summary()).equals(pd.Series(replicate.summary()))


@pytest.mark.parametrize("case", list(CASES))
def test_each_replicate_is_the_run_alone_bit_for_bit(case):
    cfg = config(case)
    ensemble = Ensemble(cfg, SEEDS).run()
    for k, seed in enumerate(SEEDS):
        same_run(MissionModel(cfg, seed=seed).run(), ensemble.replicate(k))


def test_a_full_length_ensemble_matches_and_agent_rows_too():
    cfg = load_scenario("baseline")
    ensemble = Ensemble(cfg, SEEDS[:2], agent_data=True).run()
    for k, seed in enumerate(SEEDS[:2]):
        alone = MissionModel(cfg, seed=seed, agent_data=True).run()
        same_run(alone, ensemble.replicate(k))
        pd.testing.assert_frame_equal(alone.agent_frame(), ensemble.replicate(k).agent_frame(), check_exact=True)


def test_a_replicate_does_not_depend_on_its_neighbours_or_position():
    cfg = config("baseline", steps=24)
    together = Ensemble(cfg, [5, 6, 7]).run()
    alone = Ensemble(cfg, [6]).run()
    same_run(alone.replicate(0), together.replicate(1))
    assert not together.replicate(0).mission_frame().equals(together.replicate(1).mission_frame())


def test_the_state_carries_a_leading_replicate_axis():
    cfg = config("baseline", steps=2)
    ensemble = Ensemble(cfg, SEEDS)
    n_actors, n_missions = ensemble.actors.kind.size, ensemble.missions.count
    assert ensemble.actors.engagement.shape == (len(SEEDS), n_actors, n_missions)
    assert ensemble.missions.share.shape == (len(SEEDS), n_missions)
    assert ensemble.actors.adjacency.shape[0] == len(SEEDS) * ensemble.actors.citizens.stop \
        - len(SEEDS) * ensemble.actors.citizens.start
    assert [r.seed for r in ensemble] == SEEDS
    assert np.shares_memory(ensemble.replicate(1).missions.work_done, ensemble.missions.work_done)


@pytest.mark.parametrize("seeds", [[], 3])
def test_an_ensemble_needs_seeds(seeds):
    with pytest.raises(ValueError, match="sequence of seeds"):
        Ensemble(config("baseline", steps=2), seeds)


VARIED = {"commitment.trust": (0.3, 0.9), "production.adaptation": (0.05, 0.3), "choice.overtime": (1.1, 2.5),
          "funding.reallocation": (0.05, 0.4), "network.influence": (0.1, 0.6), "ambition.ripple": (0.0, 0.8)}


@pytest.mark.parametrize("case", ["baseline", "ddc-portfolio"])
def test_replicates_with_their_own_real_parameters_are_each_their_run_alone(case):
    """Sweep points that differ in real-valued parameters only share one ensemble (issue #15)."""
    configs = [with_overrides(config(case, steps=36), {k: lo + (hi - lo) * k_ / 3 for k, (lo, hi) in VARIED.items()})
               for k_ in range(4)]
    ensemble = Ensemble(configs, SEEDS).run()
    assert isinstance(ensemble.p.commitment.trust, np.ndarray)  # the varying leaves are per-replicate columns
    for k, (cfg, seed) in enumerate(zip(configs, SEEDS, strict=True)):
        same_run(MissionModel(cfg, seed=seed).run(), ensemble.replicate(k))
    first = Ensemble([configs[0]] * 4, SEEDS).run()  # control: the parameters, not the seeds, make replicate 3
    assert not pd.Series(first.replicate(3).summary()).equals(pd.Series(ensemble.replicate(3).summary()))


def test_replicates_that_differ_in_structure_cannot_share_an_ensemble():
    with pytest.raises(ValueError, match="but real-valued parameters"):
        Ensemble([config("baseline"), config("moonshot")], SEEDS[:2])
