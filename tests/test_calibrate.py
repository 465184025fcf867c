"""Calibration (ABC-SMC): on a small synthetic case with a known truth the posterior covers it; same seed, same fit."""

from __future__ import annotations

import numpy as np
import pytest

pyabc = pytest.importorskip("pyabc")

from simulation.analysis.calibrate import CaseModel, calibrate, calibrated_file, distance, target  # noqa: E402
from simulation.core.rng import replicate_seeds  # noqa: E402
from simulation.inputs.evidence import Observation  # noqa: E402
from simulation.inputs.scenario import resolve  # noqa: E402

TRUTH = 1.0  # production.productivity
MOON = "Land a man on the Moon and return him safely"
SMALL = """extends: moonshot
time: {steps: 24}  # assumption
population: {ministries: 6, firms: 12, citizens: 40}  # assumption
portfolio:
  ministries_per_mission: 3  # assumption
  mission: {goal_size: 40, horizon: 24}  # assumption
"""


def synthetic(tmp_path):
    """A case file whose observations are the model's own medians at the true productivity."""
    base = tmp_path / "small.yaml"
    base.write_text(SMALL + "observed: []\n", encoding="utf-8")
    config = resolve(base).config
    probe = tuple(Observation(month=m, mission=MOON, quantity="progress", value=0.5, source="synthetic")
                  for m in (8, 16))
    truth = CaseModel(config, probe, tuple(replicate_seeds(99, 9)))({"production.productivity": TRUTH})
    lines = [f"  - {{month: {o.month}, mission: {MOON}, quantity: progress, value: {np.median(truth[f'o{j}']):.3f}, "
             f"uncertainty: 0.03, source: the model at productivity {TRUTH}}}" for j, o in enumerate(probe)]
    path = tmp_path / "synthetic.yaml"
    path.write_text(SMALL + "observed:\n" + "\n".join(lines) + "\nassumptions:\n"
                    "  production.productivity: {low: 0.3, high: 3.0}  # assumption\n", encoding="utf-8")
    return path


def test_the_distance_uses_every_replicate():
    x0 = target((Observation(month=1, mission="A", quantity="progress", value=0.5, uncertainty=0.1, source="s"),))
    assert distance({"o0": np.array([0.45, 0.55])}, x0) == 0.0  # every replicate in range
    assert distance({"o0": np.array([0.5, 0.8])}, x0) == pytest.approx(0.5 * 0.2 / 0.2)  # one 0.2 out, range 0.2
    assert distance({"o0": np.array([0.5, 0.8])}, x0) > distance({"o0": np.array([0.6, 0.6])}, x0)


@pytest.mark.slow  # about 20 s on two idle cores
def test_calibration_recovers_a_known_truth_and_resumes(tmp_path):
    path = synthetic(tmp_path)
    fit = calibrate(path, tmp_path / "a", population=16, generations=3, replicates=3, seed=5, workers=2)
    (row,) = fit.posterior.itertuples()
    assert row.q05 <= TRUTH <= row.q95, fit.posterior
    assert row.q95 - row.q05 < 0.5 * (3.0 - 0.3), fit.posterior  # the observations narrowed the prior
    resumed = calibrate(path, tmp_path / "a", population=16, generations=3, replicates=3, seed=5, workers=2)
    assert resumed.best == fit.best and resumed.runs == fit.runs  # read back from its database: nothing rerun
    written = calibrated_file(fit, tmp_path, ["missions", "calibrate", str(path)])
    config = resolve(written).config
    assert config.production.productivity == pytest.approx(fit.best["production.productivity"], rel=1e-3)
    assert resolve(written).evidence.observed.root == resolve(path).evidence.observed.root  # inherited


def test_the_same_seed_gives_the_same_fit_for_any_worker_count(tmp_path):
    path = synthetic(tmp_path)
    one, two = (calibrate(path, tmp_path / f"w{w}", population=8, generations=1, replicates=2, seed=3, workers=w)
                for w in (1, 2))
    assert one.best == two.best and one.particles.equals(two.particles)
