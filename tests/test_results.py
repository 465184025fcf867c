"""The results store: what a run directory holds, its provenance, and that it is never half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from simulation.analysis import api
from simulation.analysis.plots import KEY_METRICS
from simulation.core.metrics import ACTOR_METRICS, MISSION_METRICS
from simulation.core.rng import replicate_seeds
from simulation.execution import results as store
from simulation.inputs.params import Config
from simulation.inputs.scenario import SCENARIO_DIR

PNG = b"\x89PNG\r\n\x1a\n"
PLOTS = (*KEY_METRICS, "actors", "facets")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> api.Results:
    out = tmp_path_factory.mktemp("store") / "run"
    return api.run_scenario("moonshot", replicates=3, steps=18, seed=3, out=out,
                            overrides={"portfolio.mission.monitoring": 0.5})


# ------------------------------------------------------------------ contents
def test_run_directory_holds_tables_manifest_and_plots(written):
    names = sorted(p.relative_to(written.path).as_posix() for p in written.path.rglob("*") if p.is_file())
    assert names == sorted(["actors.parquet", "manifest.json", "missions.parquet", "runs.parquet", "steps.parquet",
                            *(f"plots/{name}.png" for name in PLOTS)])


def test_manifest_has_every_provenance_field(written):
    m = store.read_manifest(written.path)
    assert Config.model_validate(m["config"]) == written.config
    assert m["scenario"] == "moonshot" and m["description"] == written.config.description
    assert m["inputs"] == [{"path": "scenarios/moonshot.yaml",
                            "sha256": store.sha256(SCENARIO_DIR / "moonshot.yaml")}]
    assert m["overrides"] == {"portfolio.mission.monitoring": 0.5, "time.steps": 18}
    assert m["changed_parameters"]["portfolio.mission.monitoring"] == 0.5
    assert m["root_seed"] == 3 and m["replicates"] == 3 and m["seeds"] == replicate_seeds(3, 3)
    assert m["run_ids"] == ["moonshot-0000", "moonshot-0001", "moonshot-0002"]
    assert set(m["versions"]) >= {"python", "simulation", "mesa", "numpy", "pandas", "pydantic", "pyarrow"}
    assert all(m["versions"][k] for k in ("python", "mesa", "numpy", "pandas", "pydantic", "pyarrow"))
    assert m["platform"] and isinstance(m["argv"], list)
    assert set(m["git"]) == {"commit", "dirty"}
    started, finished = (datetime.fromisoformat(m[k]) for k in ("started_utc", "finished_utc"))
    assert m["started_utc"].endswith("Z") and started <= finished
    assert m["timings"]["wall_s"] > 0 and m["timings"]["run_mean_s"] > 0
    assert m["workers"] == 1 and m["failures"] == []
    for name, info in m["files"].items():
        assert store.sha256(written.path / name) == info["sha256"]


def test_tables_round_trip_and_carry_run_ids(written):
    tables = store.read_tables(written.path)
    for name in ("steps", "actors", "missions", "runs"):
        pd.testing.assert_frame_equal(tables[name], getattr(written, name), check_exact=True)
        assert list(tables[name].columns[:4]) == ["run_id", "point", "replicate", "seed"]
        assert set(tables[name]["seed"]) == set(replicate_seeds(3, 3))
    steps, actors, runs = tables["steps"], tables["actors"], tables["runs"]
    assert set(steps.columns) >= {"step", "mission", "mission_name", *(m.name for m in MISSION_METRICS)}
    assert len(steps) == 3 * 19 * 1  # runs x (steps + the initial record) x missions
    assert set(actors.columns) >= {"step", "actor_type", *ACTOR_METRICS}
    assert runs["portfolio.mission.monitoring"].eq(0.5).all() and runs["time.steps"].eq(18).all()
    assert {"scenario", "mean_progress", "peak_burnt_out", "error"} <= set(runs.columns)
    assert runs["error"].isna().all()


def test_manifest_reproduces_the_tables(written):
    m = store.read_manifest(written.path)
    again = api.run_scenario(Config.model_validate(m["config"]), replicates=m["replicates"], seed=m["root_seed"])
    for name in ("steps", "actors", "missions"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(written, name), check_exact=True)
    pd.testing.assert_frame_equal(again.runs, written.runs, check_exact=True)


def test_plots_are_readable_pngs(written):
    from matplotlib.image import imread

    for name in PLOTS:
        path = written.path / "plots" / f"{name}.png"
        assert path.read_bytes()[:8] == PNG
        assert path.stat().st_size > 15_000, f"{name}.png looks empty"
        pixels = imread(path)
        assert pixels.shape[1] >= 600 and pixels.std() > 0.05


def test_summary_table(written):
    table = written.summary()
    assert list(table.index) == ["Land a man on the Moon and return him safely"]
    assert {"achieved", "months to goal", "progress", "spend (MU)"} <= set(table.columns)
    text = store.format_summary(written.runs, written.missions)
    assert "Land a man on the Moon" in text and "mean progress" in text


# ------------------------------------------------------------------ atomicity
def test_atomic_write_leaves_nothing_when_the_writer_fails(tmp_path):
    target = tmp_path / "table.parquet"

    def half_then_fail(tmp: Path) -> None:
        tmp.write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        store.atomic_write(target, half_then_fail)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_batch_leaves_no_directory(tmp_path, monkeypatch):
    import simulation.analysis.plots

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(simulation.analysis.plots, "write_plots", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        api.run_scenario("baseline", steps=6, out=tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_results_are_write_once(tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "steps.parquet").write_bytes(b"old")
    with pytest.raises(store.OutputError, match="already exists and is not empty"):
        api.run_scenario("baseline", steps=6, out=full)
    assert [p.name for p in full.iterdir()] == ["steps.parquet"]
    empty = tmp_path / "empty"
    empty.mkdir()
    api.run_scenario("baseline", steps=6, out=empty, plots=False)
    assert (empty / "manifest.json").exists() and not store.staging_dir(empty).exists()
    store.staging_dir(tmp_path / "busy").mkdir()
    with pytest.raises(store.OutputError, match=r"busy\.partial: exists"):
        store.check_output(tmp_path / "busy")


def test_default_run_dir_is_timestamped_and_unique(tmp_path):
    a, b = (store.default_run_dir("moonshot", tmp_path) for _ in range(2))
    assert a.parent == b.parent == tmp_path / "moonshot" and a != b
    assert a.name[:8].isdigit() and a.name[8] == "T" and a.name[15:17] == "Z-"


def test_git_state_tolerates_no_repository_and_no_git(tmp_path, monkeypatch):
    assert store.git_state(tmp_path) == {"commit": None, "dirty": None}
    monkeypatch.setenv("PATH", str(tmp_path))
    assert store.git_state(store.REPO) == {"commit": None, "dirty": None}


def _start(out: Path, *args: str) -> subprocess.Popen:
    code = "import sys; from simulation.frontends.cli import main; sys.exit(main())"
    return subprocess.Popen([sys.executable, "-c", code, "run", "baseline", "--out", str(out), "--quiet", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=out.parent)


def _kill_when(proc: subprocess.Popen, ready, delay: float = 0.0, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, f"run ended before it could be killed: {proc.stderr.read().decode()}"
        assert time.monotonic() < deadline, "run never reached the point to kill it"
        time.sleep(0.005)
    time.sleep(delay)
    assert proc.poll() is None, "run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def _assert_nothing_looks_complete(root: Path, out: Path) -> None:
    assert not out.exists()
    stage = store.staging_dir(out)
    for path in root.rglob("*"):
        if path.is_file():
            assert stage in path.parents, f"{path} was left outside the partial directory"
    assert not (stage / "manifest.json").exists()


@pytest.mark.parametrize("phase", ["running", "writing"])
def test_a_killed_run_leaves_nothing_that_looks_complete(tmp_path, phase):
    out = tmp_path / "run"
    stage = store.staging_dir(out)
    if phase == "running":  # long enough to be killed among its runs
        proc = _start(out, "--replicates", "2000")
        _kill_when(proc, stage.exists, delay=0.3)
    else:  # killed as soon as the first file is being written
        proc = _start(out, "--replicates", "24", "--steps", "48")
        _kill_when(proc, lambda: stage.exists() and any(stage.iterdir()))
    _assert_nothing_looks_complete(tmp_path, out)


def test_concat_parquet_appends_parts_in_order_and_unifies_their_schemas(tmp_path):
    parts = [pd.DataFrame({"run_id": ["a"], "leaves_at": [None], "x": [1.5]}),
             pd.DataFrame({"run_id": ["b", "b"], "leaves_at": [24, 36], "x": [2.5, 3.5]})]
    files = [store.write_table(frame, tmp_path / f"{k}.parquet") for k, frame in enumerate(parts)]
    whole = pd.read_parquet(store.concat_parquet(files, tmp_path / "whole.parquet"))
    assert whole["run_id"].tolist() == ["a", "b", "b"] and whole["x"].tolist() == [1.5, 2.5, 3.5]
    assert whole["leaves_at"].isna().tolist() == [True, False, False] and whole["leaves_at"].iloc[2] == 36
    assert pd.read_parquet(store.concat_parquet([], tmp_path / "empty.parquet")).empty


def test_tables_keep_dictionaries_for_text_and_categories_only(tmp_path):
    frame = pd.DataFrame({"run_id": ["a-0000", "a-0001"] * 50, "status": pd.Categorical(["active", "achieved"] * 50),
                          "progress": [k / 7 for k in range(100)], "step": list(range(100))})
    part, gathered = tmp_path / "part.parquet", tmp_path / "all.parquet"
    store.write_table(frame, part)
    store.concat_parquet([part, part], gathered)
    for path in (part, gathered):
        group = pq.ParquetFile(path).metadata.row_group(0)
        dictionary = {group.column(k).path_in_schema: group.column(k).has_dictionary_page for k in range(group.num_columns)}
        assert dictionary == {"run_id": True, "status": True, "progress": False, "step": False}
    pd.testing.assert_frame_equal(pd.read_parquet(part), frame, check_exact=True)
