"""Runs that kill their worker, signals, orphans and the sweep lock, through the real CLI in subprocesses.

A run is made to die by the ``faults`` fixture (tests/conftest.py): a
sitecustomize module on the subprocess's PYTHONPATH, read only by the test's
processes and their workers, makes the named runs SIGKILL themselves,
os._exit or raise. Nothing in the package can reach it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import Executor, Future
from importlib import metadata
from pathlib import Path

import pandas as pd
import psutil
import pyarrow.parquet as pq
import pytest
import yaml

from simulation.execution import locking
from simulation.execution import sweep as sweeps
from simulation.execution.dask_engine import check_versions
from simulation.execution.errors import EngineError
from simulation.execution.workers import Engine, stream
from simulation.frontends.cli import main

REPO = Path(__file__).resolve().parent.parent
MISSIONS = str(Path(sys.executable).with_name("missions"))


def write_experiment(tmp_path: Path, name: str = "tiny", **fields) -> Path:
    data = {"scenario": "baseline", "replicates": 3, "seed": 7, "steps": 12,
            "factors": {"portfolio.count": {"levels": [1, 2]}}, "outputs": ["mean_progress"]}
    data.update(fields)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def saved_runs(sweep_dir: Path) -> int:
    """Runs a sweep has saved so far: the rows of its runs parts (each written whole, atomically)."""
    return sum(pq.read_metadata(f).num_rows for f in (sweep_dir / "parts" / "runs").glob("*.parquet"))


def failed_record(sweep_dir: Path, run_id: str) -> str:
    return (sweep_dir / "failed" / f"{run_id}.txt").read_text(encoding="utf-8")


# ------------------------------------------------------------------ a run that kills its worker
@pytest.mark.parametrize(("workers", "how"), [("2", "kill"), ("1", "exit")])
def test_a_run_that_kills_its_worker_is_recorded_and_the_sweep_goes_on(tmp_path, faults, missions, workers, how):
    out = tmp_path / "out"
    done = missions("sweep", str(write_experiment(tmp_path)), "--out", str(out), "-w", workers, "-q",
                    env=faults({"p00001-r0001": how}))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    sweep = sweeps.Sweep.open(out)
    assert sweep.status() == {"total": 6, "done": 5, "failed": 1, "pending": 0}
    record = failed_record(out, "p00001-r0001")
    assert record.startswith("attempts: 2\n") and "WorkerDied" in record
    runs = pd.read_parquet(out / "runs.parquet")  # the failed run keeps its row, with why in error
    assert sweep.gather_finished() and len(runs) == 6 and runs["error"].isna().sum() == 5
    if workers == "1":
        return
    # --retry-failed tries it again (still poisoned: two more attempts), then, healed, runs it
    again = missions("resume", str(out), "--retry-failed", "-q", env=faults({"p00001-r0001": how}))
    assert again.returncode == 1 and failed_record(out, "p00001-r0001").startswith("attempts: 4\n")
    assert missions("resume", str(out), "--retry-failed", "-q").returncode == 0
    assert sweeps.Sweep.open(out).status()["done"] == 6 and not (out / "failed" / "p00001-r0001.txt").exists()


def test_missions_run_survives_a_replicate_that_kills_its_process(tmp_path, faults, missions):
    out = tmp_path / "run"
    done = missions("run", "baseline", "-n", "3", "--steps", "6", "--no-plots", "-q", "--out", str(out),
                    env=faults({"baseline-0001": "kill"}))
    assert done.returncode == 1, done.stderr
    assert "1 run(s) failed" in done.stderr and "WorkerDied" in done.stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["error"].notna().tolist() == [False, True, False]
    assert pd.read_parquet(out / "steps.parquet")["run_id"].unique().tolist() == ["baseline-0000", "baseline-0002"]


def test_workers_that_keep_dying_stop_the_sweep_with_what_was_saved(tmp_path, faults, missions):
    out = tmp_path / "out"
    poison = {f"p0000{p}-r000{r}": "kill" for p in range(2) for r in range(3)}
    done = missions("sweep", str(write_experiment(tmp_path)), "--out", str(out), "-w", "2", "-q", env=faults(poison))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "runs in a row killed their worker" in done.stderr
    assert "runs are saved in" in done.stderr and f"missions resume {out}" in done.stderr


@pytest.mark.slow  # Dask restarts a worker for each of the poisoned run's 8 attempts: about 30 s
def test_a_dask_worker_that_dies_is_recorded_as_killed(tmp_path, faults, missions):
    out = tmp_path / "out"
    experiment = write_experiment(tmp_path, replicates=2, factors={"portfolio.count": {"levels": [1]}})
    done = missions("sweep", str(experiment), "--out", str(out), "--dask-local", "-w", "2", "-q",
                    env=faults({"p00000-r0001": "kill"}), timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]
    assert sweeps.Sweep.open(out).status() == {"total": 2, "done": 1, "failed": 1, "pending": 0}
    record = failed_record(out, "p00000-r0001")
    assert record.startswith("attempts: 8\n") and "KilledWorker" in record  # 4 among others, 4 alone


# ------------------------------------------------------------------ signals and orphans
def _start_sweep(tmp_path: Path, out: Path) -> tuple[subprocess.Popen, list[psutil.Process]]:
    """A 2-worker sweep long enough to interrupt; returns it once 3 runs are saved, with its descendants."""
    experiment = write_experiment(tmp_path, replicates=40, steps=36)
    process = subprocess.Popen([MISSIONS, "sweep", str(experiment), "--out", str(out), "-w", "2", "-q",
                                "--ensemble", "2"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while saved_runs(out) < 3:
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    return process, psutil.Process(process.pid).children(recursive=True)


def _all_gone(processes: list[psutil.Process], within: float = 10) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=within)
    return not alive


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_stop_a_sweep_saying_what_was_saved(tmp_path, missions, sent, code):
    out = tmp_path / "out"
    process, children = _start_sweep(tmp_path, out)
    assert len(children) >= 3  # the forkserver and two workers, at least
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    status = sweeps.Sweep.open(out).status()
    saved = status["done"] + status["failed"]
    assert f"interrupted; {saved} of 80 runs are saved in {out}" in stderr and "Traceback" not in stderr
    assert 3 <= saved < 80 and _all_gone(children)
    assert json.loads((out / "manifest.json").read_text())["state"] == "running"
    if sent == signal.SIGTERM:
        assert missions("resume", str(out), "-w", "2", "-q").returncode == 0
        assert sweeps.Sweep.open(out).gather_finished()


def test_workers_exit_when_the_sweep_is_killed(tmp_path):
    process, children = _start_sweep(tmp_path, tmp_path / "out")
    process.kill()
    process.communicate(timeout=10)
    assert _all_gone(children), [p.cmdline()[:3] for p in children if p.is_running()]


def test_sigterm_on_missions_run_leaves_nothing(tmp_path):
    out = tmp_path / "run"
    process = subprocess.Popen([MISSIONS, "run", "baseline", "-n", "500", "-w", "2", "-q", "--out", str(out)],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "run.partial").exists() or len(psutil.Process(process.pid).children(recursive=True)) < 3:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    children = psutil.Process(process.pid).children(recursive=True)
    process.terminate()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143 and stderr.strip() == "interrupted; nothing was written"
    assert list(tmp_path.iterdir()) == [] and _all_gone(children)


# ------------------------------------------------------------------ the lock, staging, status
@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("finished")
    return sweeps.start(write_experiment(tmp), tmp / "out", progress=False).path


def test_a_locked_sweep_directory_refuses_a_second_resume(finished, capsys):
    with locking.locked(finished):
        assert main(["resume", str(finished), "-q"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"another sweep or resume is running in it (pid {os.getpid()} on " in err
        assert main(["status", str(finished)]) == 0
        assert f"running in it now (pid {os.getpid()}" in capsys.readouterr().out
    assert locking.holder(finished) is None and main(["resume", str(finished), "-q"]) == 0


def test_two_sweeps_into_one_directory_one_wins_and_the_other_writes_nothing(tmp_path):
    out = tmp_path / "shared"
    a, b = write_experiment(tmp_path, "a"), write_experiment(tmp_path, "b", seed=8)
    started = [subprocess.Popen([MISSIONS, "sweep", str(path), "--out", str(out), "-q"], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in (a, b)]
    errors = [p.communicate(timeout=120)[1] for p in started]
    outcomes = sorted((p.returncode, err) for p, err in zip(started, errors, strict=True))
    assert [code for code, _ in outcomes] == [0, 2], outcomes
    assert "already exists and is not empty" in outcomes[1][1] or "started there meanwhile" in outcomes[1][1]
    winner = json.loads((out / "manifest.json").read_text())["experiment"]
    seed = {"a": 7, "b": 8}[winner]
    assert set(pd.read_parquet(out / "runs.parquet")["seed"]) <= set(sweeps.Sweep.open(out).plan["seed"])
    assert json.loads((out / "experiment.json").read_text())["seed"] == seed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml", "b.yaml", "shared"]  # no staging left


def test_a_sweep_killed_while_laid_out_is_no_dead_end(tmp_path, capsys):
    out = tmp_path / "out"
    stale = tmp_path / "out.partial-0a1b2c"  # what a kill during the layout leaves
    stale.mkdir()
    (stale / "experiment.yaml").write_text("scenario: baseline\n")
    assert main(["resume", str(stale), "-q"]) == 2
    assert "killed while it was being laid out: delete it" in capsys.readouterr().err
    assert main(["sweep", str(write_experiment(tmp_path)), "--out", str(out), "-q"]) == 0


def test_status_says_when_the_final_gather_did_not_finish(tmp_path, capsys):
    finished = sweeps.start(write_experiment(tmp_path), tmp_path / "out", progress=False, keep_parts=True).path
    manifest = json.loads((finished / "manifest.json").read_text())
    (finished / "manifest.json").write_text(json.dumps({**manifest, "state": "running"}))
    (finished / "runs.parquet").unlink()
    assert main(["status", str(finished)]) == 0
    assert "the final gather of the tables did not finish" in capsys.readouterr().out
    assert main(["resume", str(finished), "-q"]) == 0 and (finished / "runs.parquet").exists()
    assert main(["status", str(finished)]) == 0
    assert "gather" not in capsys.readouterr().out


# ------------------------------------------------------------------ Dask: versions, stalls, a real remote cluster
class FakeClient:
    def __init__(self, found):
        self.found = found

    def run(self, function, *args, on_error):
        assert function is metadata.version and args == ("mission-ecosystems",) and on_error == "return"
        return self.found


def test_workers_need_this_package_at_this_version():
    here = metadata.version("mission-ecosystems")
    check_versions(FakeClient({"tcp://10.0.0.1:1": here, "tcp://10.0.0.2:1": here}), "tcp://s:8786")
    with pytest.raises(EngineError, match=r"worker tcp://10\.0\.0\.2:1 has mission-ecosystems 0\.0\.1, this is") as caught:
        check_versions(FakeClient({"tcp://10.0.0.1:1": here, "tcp://10.0.0.2:1": "0.0.1"}), "tcp://s:8786")
    assert caught.value.exit_code == 2
    with pytest.raises(EngineError, match="does not have mission-ecosystems installed"):
        check_versions(FakeClient({"tcp://10.0.0.1:1": metadata.PackageNotFoundError("x")}), "tcp://s:8786")


def test_no_progress_ends_the_stream_with_the_engines_words():
    class Never(Executor):  # a cluster whose workers never finish anything
        def submit(self, fn, /, *args, **kwargs):
            return Future()

    stuck = Engine(lambda: contextlib.nullcontext(Never()), window=2, stall_s=0.2, stalled=lambda: "nothing moves")
    started = time.monotonic()
    with pytest.raises(EngineError, match="nothing moves"):
        list(stream(stuck, range(5), str, lambda task, attempts, why: None))
    assert time.monotonic() - started < 5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int, process: subprocess.Popen, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while True:
        assert process.poll() is None and time.monotonic() < deadline, "the Dask process did not start"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)


@pytest.mark.slow  # starts a real scheduler and worker: about 40 s
def test_a_remote_dask_cluster_from_no_workers_to_a_lost_scheduler(tmp_path, finished, missions):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        _listening(port, scheduler)
        started = time.monotonic()
        lonely = missions("resume", str(finished), "--scheduler", address, "--timeout", "2", "-q")
        assert lonely.returncode == 2 and lonely.stderr.count("\n") == 1, lonely.stderr
        assert f"the scheduler has had no worker for 2 s; start workers with `dask worker {address}`" in lonely.stderr
        assert time.monotonic() - started < 30
        worker = subprocess.Popen([dask, "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        remote = missions("sweep", str(write_experiment(tmp_path)), "--out", str(tmp_path / "remote"),
                          "--scheduler", address, "--timeout", "60", "-q")
        assert remote.returncode == 0, remote.stderr[-2000:]
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "remote" / "runs.parquet"),
                                      pd.read_parquet(finished / "runs.parquet"))
        out = tmp_path / "lost"
        long = subprocess.Popen([MISSIONS, "sweep", str(write_experiment(tmp_path, "long", replicates=200, steps=60)),
                                 "--out", str(out), "--scheduler", address, "-q"], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while saved_runs(out) < 3:
            assert long.poll() is None and time.monotonic() < deadline, long.communicate()
            time.sleep(0.1)
        scheduler.kill()
        _, stderr = long.communicate(timeout=120)
        assert long.returncode == 1 and "Traceback" not in stderr, stderr[-2000:]
        assert stderr.strip().splitlines()[-1].startswith("error: ") and "runs are saved in" in stderr
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.kill()
                process.wait()


def test_the_console_script_exits_even_when_a_pool_thread_is_stuck():
    """A pool's manager thread left waiting on a worker stopped mid-message would hold a normal exit forever."""
    stuck = ("import sys, threading; from simulation.frontends import cli; "
             "threading.Thread(target=threading.Event().wait, name='stuck').start(); "
             "sys.argv = ['missions', 'list']; cli.console()")
    done = subprocess.run([sys.executable, "-c", stuck], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "baseline" in done.stdout  # its output was flushed before it left
