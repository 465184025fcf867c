"""The built wheel runs on its own: it carries the scenarios and experiments, found from any directory.

The wheel goes into a fresh venv with ``--no-deps``; that venv then sees this venv's packages through a
``.pth`` line added after the install, as one more entry at the end of ``sys.path`` (it does not load the
editable install, whose own ``.pth`` is only read in this venv). What is tested is the wheel's content and
entry point, not pip's resolver, and it takes seconds rather than a download of every dependency.
"""

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from simulation import __version__

REPO = Path(__file__).resolve().parent.parent


def run(*command: str | Path, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MISSIONS_PATH", "PYTHONPATH")}
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the built wheel installed; returns its bin directory."""
    root = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", root / "dist", REPO)
    (wheel,) = (root / "dist").glob("mission_ecosystems-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder in ("scenarios", "experiments", "experiments/patterns"):
        shipped = {f"simulation/{folder}/{p.name}" for p in (REPO / folder).glob("*.yaml")}
        assert shipped and shipped <= names, f"{folder} missing from the wheel"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    where = run(python, "-c", "import simulation; print(simulation.__file__)", cwd=root)
    assert Path(where.strip()).is_relative_to(site), where  # the wheel's copy, not this checkout
    return venv / "bin"


def test_the_installed_metadata_says_licence_version_urls_and_extras(installed):
    python = installed / "python"
    meta = run(python, "-c", "from importlib.metadata import metadata; print(metadata('mission-ecosystems'))", cwd=installed)
    assert "License-Expression: MIT" in meta and f"Version: {__version__}" in meta
    assert "Classifier: Programming Language :: Python :: 3.12" in meta and "Project-URL: Repository" in meta
    extras = {line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Provides-Extra: ")}
    assert {"ui", "dask", "calibrate", "ema", "test"} <= extras
    citation = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f"\nversion: {__version__}\n" in citation and "license: MIT" in citation


def test_missions_list_finds_every_shipped_scenario_from_an_empty_directory(installed, tmp_path):
    listed = run(installed / "missions", "list", cwd=tmp_path)
    names = [line.split()[0] for line in listed.splitlines()]
    assert names == sorted(p.stem for p in (REPO / "scenarios").glob("*.yaml"))
    assert "INVALID" not in listed
    assert run(installed / "missions", "--version", cwd=tmp_path).strip() == f"missions {__version__}"


def test_missions_run_baseline_from_an_empty_directory(installed, tmp_path):
    out = run(installed / "missions", "run", "baseline", "--quiet", cwd=tmp_path)
    results = tmp_path / out.strip().removeprefix("results: ")
    assert results.is_relative_to(tmp_path / "results" / "baseline")
    assert {"runs.parquet", "steps.parquet", "manifest.json"} <= {p.name for p in results.iterdir()}
    assert (results / "plots" / "progress.png").stat().st_size > 5000


def test_a_users_own_scenario_folder_is_searched_first(installed, tmp_path):
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "baseline.yaml").write_text("description: my own baseline\n", encoding="utf-8")
    (tmp_path / "scenarios" / "mine.yaml").write_text("description: mine\nextends: moonshot\n", encoding="utf-8")
    listed = dict(line.split(maxsplit=1) for line in run(installed / "missions", "list", cwd=tmp_path).splitlines())
    assert listed["baseline"] == "my own baseline" and listed["mine"] == "mine" and "moonshot" in listed
    shown = run(installed / "missions", "show", "mine", "--changed", cwd=tmp_path)
    assert "portfolio.count: 1" in shown  # the shipped parent, found from the user's file
