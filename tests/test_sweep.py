"""Experiments and sweeps: design expansion, validation, streaming, resume, failures, engines, analysis."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from simulation.execution import sweep as sweeps
from simulation.execution.experiment import EXPERIMENT_DIR, design_points, load_experiment, plan
from simulation.frontends.cli import main
from simulation.inputs.scenario import ScenarioError

REPO = Path(__file__).resolve().parent.parent
MISSIONS = str(Path(sys.executable).with_name("missions"))


def write_experiment(tmp_path: Path, name: str = "tiny", **fields) -> Path:
    data = {"description": "a tiny test sweep", "scenario": "baseline", "replicates": 2, "seed": 7, "steps": 12,
            "factors": {"portfolio.count": {"levels": [1, 3]}, "portfolio.mission.ambition": {"levels": [0.3, 0.8]}},
            "outputs": ["mean_progress", "peak_burnt_out", "achieved_share"]}
    data.update(fields)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# ------------------------------------------------------------------ designs
@pytest.mark.parametrize(("design", "rows"), [
    ({"kind": "factorial"}, 2 * 2),
    ({"kind": "lhs", "samples": 10}, 10),
    ({"kind": "sobol", "samples": 8}, 8 * (2 + 2)),
    ({"kind": "morris", "samples": 5, "levels": 4}, 5 * (2 + 1)),
])
def test_design_expansion(tmp_path, design, rows):
    factors = ({"portfolio.count": {"levels": [1, 3]}, "portfolio.mission.ambition": {"levels": [0.3, 0.8]}}
               if design["kind"] == "factorial" else
               {"portfolio.count": {"range": [1, 6]}, "portfolio.mission.ambition": {"range": [0.2, 0.9]}})
    experiment, base, _ = load_experiment(write_experiment(tmp_path, design=design, factors=factors))
    points = design_points(experiment)
    assert len(points) == rows
    assert points["portfolio.count"].dtype.kind == "i"  # integer factors stay whole numbers
    assert points["portfolio.count"].between(1, 6).all() and points["portfolio.mission.ambition"].between(0.2, 0.9).all()
    runs = plan(experiment, base, points)
    assert len(runs) == rows * experiment.replicates and runs["run_id"].is_unique
    # common random numbers: replicate k has the same seed at every point
    assert (runs.groupby("replicate")["seed"].nunique() == 1).all()
    assert runs.groupby("point")["seed"].nunique().eq(experiment.replicates).all()
    assert design_points(experiment).equals(points)  # the design itself is seeded


def test_whole_numbers_are_sampled_with_equal_chances(tmp_path):
    experiment, _, _ = load_experiment(write_experiment(tmp_path, design={"kind": "lhs", "samples": 480},
                                                        factors={"portfolio.count": {"range": [1, 6]}}))
    counts = design_points(experiment)["portfolio.count"].value_counts().sort_index()
    assert counts.to_dict() == dict.fromkeys(range(1, 7), 80)  # rounding gave 48/96/96/96/96/48


@pytest.mark.parametrize("design", [{"kind": "lhs", "samples": 6}, {"kind": "sobol", "samples": 2},
                                    {"kind": "morris", "samples": 2, "levels": 4}], ids=lambda d: d["kind"])
def test_switches_and_choices_in_sampled_designs_run_to_the_end(tmp_path, design):
    factors = {"creep.enabled": {"levels": [True, False]}, "lockin.rule": {"levels": ["none", "review", "sunset"]},
               "portfolio.count": {"range": [1, 3]}}
    path = write_experiment(tmp_path, design=design, factors=factors, replicates=1, steps=6)
    experiment, _, _ = load_experiment(path)
    points = design_points(experiment)
    assert points["creep.enabled"].dtype == bool and set(points["lockin.rule"]) <= {"none", "review", "sunset"}
    result = sweeps.start(path, tmp_path / "out", progress=False)
    assert result.status()["failed"] == 0 and result.status()["done"] == len(points)
    runs = result.runs().set_index("point")
    assert (runs["lockin.rule"] == points["lockin.rule"]).all()


@pytest.mark.parametrize("path", sorted(EXPERIMENT_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_experiment_validates_and_runs(path, tmp_path):
    experiment, _, _ = load_experiment(path)
    points = design_points(experiment)
    assert len(points) >= 2 and set(points.columns) == set(experiment.factors)
    small = tmp_path / path.name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(replicates=1, steps=6)
    if data.get("design", {}).get("kind") in ("sobol", "morris", "lhs"):
        data["design"] = {**data["design"], "samples": 2}
    small.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = sweeps.start(small, tmp_path / "out", progress=False)
    assert result.status()["pending"] == 0 and result.status()["failed"] == 0


BAD = {
    "unknown factor key": ({"factors": {"portfolio.mision.ambition": {"levels": [0.1]}}},
                           "factors.portfolio.mision.ambition"),
    "level out of range": ({"factors": {"portfolio.mission.ambition": {"levels": [0.5, 1.5]}}},
                           "factors.portfolio.mission.ambition.levels.1"),
    "range outside bounds": ({"design": {"kind": "lhs"}, "factors": {"portfolio.count": {"range": [0, 4]}}},
                             "factors.portfolio.count.range"),
    "sobol not a power of 2": ({"design": {"kind": "sobol", "samples": 10},
                                "factors": {"portfolio.count": {"range": [1, 4]}}}, "design.samples"),
    "range of a switch": ({"design": {"kind": "lhs"}, "factors": {"creep.enabled": {"range": [0, 1]}}},
                          "factors.creep.enabled.range: creep.enabled is not a number; give levels"),
    "range of a choice": ({"design": {"kind": "sobol", "samples": 4}, "factors": {"lockin.rule": {"range": [0, 2]}}},
                          "factors.lockin.rule.range"),
    "whole-number range not whole": ({"design": {"kind": "lhs"}, "factors": {"portfolio.count": {"range": [1.5, 4]}}},
                                     "expected whole numbers"),
    "bad level in a sampled design": ({"design": {"kind": "lhs"}, "factors": {"lockin.rule": {"levels": ["never"]}}},
                                      "factors.lockin.rule.levels.0"),
    "unknown output": ({"outputs": ["happiness"]}, "outputs"),
    "unknown experiment key": ({"replicats": 3}, "replicats"),
    "wrong type": ({"replicates": "many"}, "replicates"),
    "bad fixed value": ({"fixed": {"lockin.rule": "sometimes"}}, "fixed.lockin.rule"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_experiment_files_exit_2_naming_file_and_key(tmp_path, capsys, case):
    fields, expected = BAD[case]
    path = write_experiment(tmp_path, **fields)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and expected in err
    assert not out.exists()


def test_malformed_and_missing_experiment_files(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("factors: [unclosed\n", encoding="utf-8")
    assert main(["sweep", str(broken), "-q"]) == 2
    assert "malformed YAML" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "nope.yaml"), "-q"]) == 2
    assert "not found" in capsys.readouterr().err
    with pytest.raises(ScenarioError):
        load_experiment("no-such-experiment")


# ------------------------------------------------------------------ running
def runs_table(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path / "runs.parquet")


def test_results_do_not_depend_on_the_worker_count(tmp_path):
    experiment = write_experiment(tmp_path)
    one = sweeps.start(experiment, tmp_path / "one", workers=1, progress=False)
    two = sweeps.start(experiment, tmp_path / "two", workers=2, progress=False)
    pd.testing.assert_frame_equal(runs_table(one.path), runs_table(two.path))
    pd.testing.assert_frame_equal(pd.read_parquet(one.path / "steps.parquet"),
                                  pd.read_parquet(two.path / "steps.parquet"))
    runs = runs_table(one.path)
    assert list(runs.columns[:4]) == ["run_id", "point", "replicate", "seed"]
    assert {"portfolio.count", "portfolio.mission.ambition", "mean_progress"} <= set(runs.columns)


def test_dask_local_cluster_gives_the_same_results(tmp_path):
    experiment = write_experiment(tmp_path)
    local = sweeps.start(experiment, tmp_path / "local", workers=1, progress=False)
    dask = sweeps.start(experiment, tmp_path / "dask", workers=2, dask_local=True, progress=False)
    pd.testing.assert_frame_equal(runs_table(local.path), runs_table(dask.path))


def test_a_run_that_raises_is_recorded_and_the_sweep_finishes(tmp_path, faults, missions):
    experiment = write_experiment(tmp_path, replicates=3)  # the middle run of each point's ensemble fails
    replicate_1 = {f"p{point:05d}-r0001": "raise" for point in range(4)}  # at every point
    done = missions("sweep", str(experiment), "--out", str(tmp_path / "out"), "-q", env=faults(replicate_1))
    assert done.returncode == 1, done.stderr
    result = sweeps.Sweep.open(tmp_path / "out")
    assert result.status() == {"total": 12, "done": 8, "failed": 4, "pending": 0}
    assert "4 failed" in done.stdout and "--retry-failed" in done.stdout
    record = (result.path / "failed" / "p00002-r0001.txt").read_text()
    assert record.startswith("attempts: 1\n") and "RuntimeError: injected failure" in record
    assert result.runs()["replicate"].isin([0, 2]).all()
    table = runs_table(result.path)  # failed runs keep a row, with the traceback and no outcomes
    failed = table[table["error"].notna()]
    assert len(failed) == 4 and failed["replicate"].eq(1).all() and failed["mean_progress"].isna().all()
    assert failed["error"].str.contains("injected failure").all() and (result.path / "parts").is_dir()
    again = sweeps.resume(result.path, retry_failed=True, progress=False)
    assert again.status() == {"total": 12, "done": 12, "failed": 0, "pending": 0}
    assert not list((result.path / "failed").iterdir())  # a retried run that succeeds leaves no failure record
    for table in ("runs", "steps"):  # the retried runs' parts fall in place: the tables are in run order
        ids = pd.read_parquet(result.path / f"{table}.parquet", columns=["run_id"])["run_id"]
        assert ids.is_monotonic_increasing and ids.nunique() == 12


def test_kill_and_resume_loses_and_duplicates_nothing(tmp_path):
    experiment = write_experiment(tmp_path, replicates=12, steps=60,
                                  factors={"portfolio.count": {"levels": [1, 2, 3]}})
    reference = sweeps.start(experiment, tmp_path / "reference", workers=2, progress=False)
    killed = tmp_path / "killed"
    process = subprocess.Popen([MISSIONS, "sweep", str(experiment), "--out", str(killed), "-w", "2", "-q",
                                "--ensemble", "2"], cwd=REPO, start_new_session=True)
    parts = killed / "parts" / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not parts.is_dir() or len(list(parts.glob("*.parquet"))) < 3):
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    interrupted = sweeps.Sweep.open(killed).status()
    assert 0 < interrupted["done"] < interrupted["total"], interrupted
    assert not (killed / "runs.parquet").exists()
    assert main(["resume", str(killed), "-w", "2", "-q"]) == 0
    assert main(["status", str(killed)]) == 0
    resumed = runs_table(killed)
    assert resumed["run_id"].is_unique and len(resumed) == 36
    pd.testing.assert_frame_equal(resumed, runs_table(reference.path))


def test_memory_of_a_sweep_is_not_held_in_results(tmp_path):
    """Results stream to disk: the engine's window bounds what is in flight."""
    from concurrent.futures import Executor, Future

    from simulation.execution.experiment import specs
    from simulation.execution.runner import lost_run, run_one
    from simulation.execution.workers import shared_engine, stream

    seen = []

    class Recording(Executor):  # runs each call as it is submitted, recording the order
        def submit(self, fn, /, *args, **kwargs):
            seen.append(args[0].run_id)
            future = Future()
            future.set_result(fn(*args, **kwargs))
            return future

    experiment, base, _ = load_experiment(write_experiment(tmp_path))
    points = design_points(experiment)
    runs = stream(shared_engine(Recording(), window=2), specs(experiment, base, points, plan(experiment, base, points)),
                  run_one, lost_run)
    first = next(runs)
    assert len(seen) <= 3 and first.run_id in seen


# ------------------------------------------------------------------ analysis and comparison
def test_analyze_writes_a_report_with_figures_and_prim(tmp_path, capsys):
    experiment = write_experiment(tmp_path, replicates=3, steps=24)
    result = sweeps.start(experiment, tmp_path / "out", workers=2, progress=False)
    assert main(["analyze", str(result.path), "--prim", "mean_progress<0.2"]) == 0
    report = (result.path / "analysis" / "report.md").read_text()
    assert "Scenario discovery" in report and "mean_progress < 0.2" in report
    for output in ("mean_progress", "peak_burnt_out", "achieved_share"):
        assert (result.path / "analysis" / f"outcome-{output}.png").stat().st_size > 5000
    assert main(["analyze", str(result.path), "--prim", "progress is low"]) == 2


def test_sobol_indices_with_confidence_intervals_and_a_noise_warning(tmp_path):
    experiment = write_experiment(tmp_path, replicates=2, steps=24, design={"kind": "sobol", "samples": 8},
                                  factors={"portfolio.count": {"range": [1, 8]},
                                           "creep.rate": {"range": [0.0, 0.1]}})
    result = sweeps.start(experiment, tmp_path / "out", workers=2, progress=False)
    from simulation.analysis.sweeps import analyze, sensitivity

    found = sensitivity(result, result.runs(), ["peak_burnt_out"])
    table = found.table.set_index(["factor", "index"])["value"]
    assert table[("portfolio.count", "ST")] > table[("creep.rate", "ST")]
    assert found.table["conf"].notna().any()
    assert any("replicate" in w for w in found.warnings)  # 2 replicates are too few
    assert "Sensitivity" in analyze(result.path).read_text()


def test_compare_gives_paired_differences_with_bootstrap_intervals(tmp_path):
    a = sweeps.start(write_experiment(tmp_path, name="a"), tmp_path / "a", workers=2, progress=False)
    b = sweeps.start(write_experiment(tmp_path, name="b", fixed={"resistance.vested_interest": 1.0}),
                     tmp_path / "b", workers=2, progress=False)
    from simulation.analysis.compare import differences

    overall, per_point, notes = differences(a, b, resamples=500)
    row = overall.set_index("output").loc["mean_progress"]
    assert row["pairs"] == 8 and not notes
    assert row["ci_low"] <= row["difference"] <= row["ci_high"]
    assert row["difference"] < 0  # stronger vested interests slow missions
    assert len(per_point) == 4 * 3
    assert main(["compare", str(a.path), str(b.path)]) == 0
    assert (b.path / f"compare-vs-{a.path.name}" / "differences.png").exists()
    assert np.isclose(overall["mean_b"] - overall["mean_a"], overall["difference"]).all()
