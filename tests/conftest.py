"""Shared fixtures: the ``missions`` console script in a subprocess, injected faults for it, and both kernel paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MISSIONS = str(Path(sys.executable).with_name("missions"))

SITECUSTOMIZE = '''
"""Test-only faults: loaded through PYTHONPATH by a test's subprocesses and their workers, never by users.

MISSIONS_TEST_FAULTS maps run ids to what the run does instead of running:
kill (SIGKILL its own process), exit (os._exit(3)) or raise (its model raises).
"""
import json
import os

FAULTS = json.loads(os.environ.get("MISSIONS_TEST_FAULTS", "{}"))
if FAULTS:
    import functools
    import signal

    import simulation.execution.runner as runner

    real_run_one, real_model = runner.run_one, runner.MissionModel

    def broken_model(*args, **kwargs):
        raise RuntimeError("injected failure")

    @functools.wraps(real_run_one)
    def run_one(spec):
        how = FAULTS.get(spec.run_id)
        if how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if how == "exit":
            os._exit(3)
        runner.MissionModel = broken_model if how == "raise" else real_model
        try:
            return real_run_one(spec)
        finally:
            runner.MissionModel = real_model

    runner.run_one = run_one
    real_run_ensemble = runner.run_ensemble

    @functools.wraps(real_run_ensemble)
    def run_ensemble(specs):  # a group holding a faulty run runs run by run, so the fault strikes as above
        if any(spec.run_id in FAULTS for spec in specs):
            return [runner.run_one(spec) for spec in specs]
        return real_run_ensemble(specs)

    runner.run_ensemble = run_ensemble
'''


@pytest.fixture
def faults(tmp_path_factory):
    """``faults({"run id": "kill" | "exit" | "raise"})``: an environment for a subprocess in which those runs fail."""
    hook = tmp_path_factory.mktemp("faults")
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")

    def environment(by_run: dict[str, str]) -> dict[str, str]:
        path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH", "")) if p)
        return {**os.environ, "PYTHONPATH": path, "MISSIONS_TEST_FAULTS": json.dumps(by_run)}

    return environment


@pytest.fixture
def missions():
    """``missions(*args, env=None, cwd=REPO)``: the console script in a subprocess, its output captured as text."""
    def run(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO,
            timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([MISSIONS, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)

    return run


@pytest.fixture(params=["compiled", "numpy"])
def kernel_path(request, monkeypatch):
    """A test twice: with the compiled passes (numba is a dependency, so they must be there) and with the numpy
    reference, as without numba."""
    from simulation.core.fused import compiled

    if request.param == "numpy":
        monkeypatch.setattr(compiled, "kernels", lambda: None)
    else:
        assert compiled.kernels() is not None
    return request.param
