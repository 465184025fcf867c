"""Calibration (ABC-SMC): on a small synthetic case with a known truth the posterior covers it; same seed, same fit;
held-out observations stay out of the distance, and a bad hold-out is an input error before anything runs."""

from __future__ import annotations

import re

import numpy as np
import pytest

pyabc = pytest.importorskip("pyabc")

from simulation.analysis.calibrate import CaseModel, calibrate, calibrated_file, distance, target  # noqa: E402
from simulation.core.rng import replicate_seeds  # noqa: E402
from simulation.frontends.cli import main  # noqa: E402
from simulation.inputs.evidence import HoldOut, Observation  # noqa: E402
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


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The synthetic case, written once for the module (its truth costs nine runs)."""
    return synthetic(tmp_path_factory.mktemp("synthetic"))


def test_the_distance_uses_every_replicate():
    x0 = target((Observation(month=1, mission="A", quantity="progress", value=0.5, uncertainty=0.1, source="s"),))
    assert distance({"o0": np.array([0.45, 0.55])}, x0) == 0.0  # every replicate in range
    assert distance({"o0": np.array([0.5, 0.8])}, x0) == pytest.approx(0.5 * 0.2 / 0.2)  # one 0.2 out, range 0.2
    assert distance({"o0": np.array([0.5, 0.8])}, x0) > distance({"o0": np.array([0.6, 0.6])}, x0)


@pytest.mark.slow  # about 20 s on two idle cores
def test_calibration_recovers_a_known_truth_and_resumes(tmp_path, case):
    path = case
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


def test_the_same_seed_gives_the_same_fit_for_any_worker_count(tmp_path, case):
    path = case
    one, two = (calibrate(path, tmp_path / f"w{w}", population=8, generations=1, replicates=2, seed=3, workers=w)
                for w in (1, 2))
    assert one.best == two.best and one.particles.equals(two.particles)


def test_the_command_writes_the_calibrated_file_and_a_report_with_bands(tmp_path, case, capsys):
    banded = tmp_path / "banded.yaml"  # the first observation says how wide a band its real spread justifies
    banded.write_text(case.read_text(encoding="utf-8").replace(
        "source: the model at", "justified_band: {width: 0.5, reason: assumption}, source: the model at", 1),
        encoding="utf-8")
    out = tmp_path / "out"
    argv = ["calibrate", str(banded), "--population", "4", "--generations", "1", "-n", "1", "-w", "1", "--out",
            str(out), "-q"]
    assert main(argv) == 0
    assert {p.name for p in out.iterdir()} >= {"posterior.csv", "particles.csv", "banded-calibrated.yaml", "fit.png",
                                               "report.md"}
    report = (out / "report.md").read_text(encoding="utf-8")
    assert re.search(r"As written: [0-2] of 2\. Calibrated: [0-2] of 2 fitted\.", report)
    assert "No wider than the real spread justifies (calibrated): " in report and " of 1 bands." in report
    assert "| widest 90% band justified |" in report and "| 0.50: assumption |" in report
    assert "report:" in capsys.readouterr().out
    assert resolve(out / "banded-calibrated.yaml").evidence.calibration.runs > 0


def with_impossible(path, folder):
    """The synthetic case and a third observation no run comes near: progress 1 at month 4."""
    out = folder / "impossible.yaml"
    out.write_text(path.read_text(encoding="utf-8").replace("\nassumptions:", (
        f"\n  - {{month: 4, mission: {MOON}, quantity: progress, value: 1.0, source: out of reach, id: impossible}}"
        "\nassumptions:")), encoding="utf-8")
    return out


def test_held_out_observations_stay_out_of_the_distance(tmp_path, case):
    path = case
    extra = with_impossible(path, tmp_path)
    small = {"population": 4, "generations": 1, "replicates": 1, "seed": 7, "workers": 1}
    plain = calibrate(path, tmp_path / "plain", **small)
    held = calibrate(extra, tmp_path / "held", hold_out=(HoldOut(id="impossible"),), **small)
    assert held.particles.equals(plain.particles)  # the same fit as without the observation (in it: ~6 more)
    written = resolve(calibrated_file(held, tmp_path, ["missions", "calibrate", str(extra)]))
    assert written.evidence.held_out == [False, False, True]  # the calibrated file says what was held out
    assert written.evidence.calibration.runs == held.runs and written.evidence.calibration.workers == 1


BAD_HOLD_OUTS = {
    "selects none": (["--hold-out", "month=5"], "--hold-out: expected a selector matching one of the 3 observations "
                                                "of {path} (got month=5)"),
    "selects all": (["--hold-out", "quantity=progress"], "--hold-out: expected observations left to fit; the "
                                                         "selectors hold out all 3 observations of {path}"),
    "unknown key": (["--hold-out", "id=impossible", "--hold-out", "step=4"], "--hold-out: step: unknown key 'step'"),
}


@pytest.mark.parametrize(("flags", "message"), BAD_HOLD_OUTS.values(), ids=BAD_HOLD_OUTS.keys())
def test_a_bad_hold_out_exits_2_naming_flag_and_file_and_writes_nothing(tmp_path, capsys, case, flags, message):
    path = with_impossible(case, tmp_path)
    assert main(["calibrate", str(path), *flags, "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: " + message.format(path=path)), err
    assert not (tmp_path / "out").exists()
