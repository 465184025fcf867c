"""The ``missions`` command end to end: list, show, run, ui, and exit code 2 for every kind of bad input."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

import simulation
from simulation.analysis.plots import KEY_METRICS
from simulation.frontends.cli import main
from simulation.inputs.params import Config
from simulation.inputs.scenario import load_scenario, scenario_files


def test_list_shows_every_scenario_with_its_description(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for path in scenario_files():
        assert re.search(rf"^{re.escape(path.stem)}\s+\S", out, re.MULTILINE)
    assert "Apollo" in out


def test_show_prints_the_resolved_parameters(capsys):
    assert main(["show", "moonshot", "--set", "seed=7"]) == 0
    shown = yaml.safe_load(capsys.readouterr().out)
    assert Config.model_validate(shown) == load_scenario("moonshot", {"seed": 7})
    assert main(["show", "moonshot", "--changed"]) == 0
    changed = yaml.safe_load(capsys.readouterr().out)
    assert changed["portfolio.count"] == 1 and changed["time.steps"] == 139


def test_run_writes_tables_manifest_plots_and_prints_a_summary(tmp_path, capsys):
    out = tmp_path / "tmp"
    assert main(["run", "baseline", "--replicates", "2", "--steps", "12", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert {p.name for p in out.iterdir()} == {"steps.parquet", "actors.parquet", "missions.parquet",
                                               "runs.parquet", "manifest.json", "plots"}
    assert len(list((out / "plots").glob("*.png"))) == len(KEY_METRICS) + 2  # the key metrics, actors, facets
    assert "baseline: 2 replicates x 12 months, root seed 42" in printed.out
    assert "Mission 1" in printed.out and f"results: {out}" in printed.out
    assert "baseline: 2 runs in" in printed.err  # the progress line
    manifest = (out / "manifest.json").read_text()
    assert '"--replicates",\n    "2"' in manifest


def test_run_defaults_to_a_timestamped_directory_under_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "ato-fix-it-squads", "--steps", "3", "--no-plots", "--quiet"]) == 0
    (run_dir,) = (tmp_path / "results" / "ato-fix-it-squads").iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", run_dir.name)
    assert (run_dir / "manifest.json").exists() and not (run_dir / "plots").exists()
    assert capsys.readouterr().out == f"results: {run_dir.relative_to(tmp_path)}\n"


# ------------------------------------------------------------------ bad input -> exit 2
CASES = {
    "unknown key": ({"bad.yaml": "portfolio:\n  mision: {ambition: 0.9}\n"}, ["bad.yaml"],
                    r"bad\.yaml: portfolio\.mision: unknown key 'mision'; did you mean 'mission'"),
    "wrong type": ({"bad.yaml": "portfolio:\n  mission: {ambition: high}\n"}, ["bad.yaml"],
                   r"bad\.yaml: portfolio\.mission\.ambition: expected a number \(got 'high'\)"),
    "out of range": ({"bad.yaml": "time:\n  steps: 0\n"}, ["bad.yaml"],
                     r"bad\.yaml: time\.steps: expected a number >= 1 \(got 0\)"),
    "missing file": ({}, ["missing.yaml"], r"missing\.yaml: file not found"),
    "malformed YAML": ({"bad.yaml": "portfolio:\n  count: [1\n"}, ["bad.yaml"],
                       r"bad\.yaml: malformed YAML at line 3, column 1"),
    "extends itself": ({"bad.yaml": "extends: bad\n"}, ["bad.yaml"],
                       r"bad\.yaml: extends: cycle bad\.yaml -> bad\.yaml"),
    "extends cycle": ({"a.yaml": "extends: b\n", "b.yaml": "extends: a\n"}, ["a.yaml"],
                      r"a\.yaml: extends: cycle a\.yaml -> b\.yaml -> a\.yaml"),
    "unknown scenario": ({}, ["mooonshot"], r"mooonshot: unknown scenario; available: .*moonshot"),
    "bad --set key": ({}, ["baseline", "--set", "portfolio.mision.ambition=0.9"],
                      r"--set: portfolio\.mision: unknown key 'mision'; did you mean 'mission'"),
    "bad --set value": ({}, ["baseline", "--set", "portfolio.mission.ambition=2"],
                        r"--set: portfolio\.mission\.ambition: expected a number <= 1\.0 \(got 2\)"),
    "bad --set choice": ({}, ["baseline", "--set", "lockin.rule=often"],
                         r"--set: lockin\.rule: expected one of 'none', 'review' or 'sunset' \(got 'often'\)"),
    "--set without =": ({}, ["baseline", "--set", "lockin.rule"], r"argument --set: expected KEY=VALUE"),
    "--set not YAML": ({}, ["baseline", "--set", "portfolio.missions=[1,"],
                       r"argument --set: portfolio\.missions: value '\[1,' is not valid YAML"),
    "--steps out of range": ({}, ["baseline", "--steps", "5000"],
                             r"--steps: time\.steps: expected a number <= 2400 \(got 5000\)"),
    "--replicates zero": ({}, ["baseline", "--replicates", "0"],
                          r"argument -n/--replicates: expected a whole number >= 1 \(got 0\)"),
}


@pytest.mark.parametrize("files, args, message", CASES.values(), ids=CASES.keys())
def test_bad_input_exits_2_with_one_clear_message_and_writes_nothing(tmp_path, monkeypatch, capsys, files, args,
                                                                     message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    assert main(["run", *args, "--out", "out"]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert sorted(tmp_path.iterdir()) == before  # no output directory, partial or final, and no results/


def test_show_rejects_bad_input_too(capsys):
    assert main(["show", "baseline", "--set", "time.step=3"]) == 2
    assert "--set: time.step: unknown key 'step'; did you mean 'steps'?" in capsys.readouterr().err


def test_out_that_holds_results_is_refused(tmp_path, capsys):
    (tmp_path / "old.txt").write_text("keep me")
    assert main(["run", "baseline", "--steps", "3", "--out", str(tmp_path)]) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["old.txt"]


def test_usage_errors_and_help_return_codes(capsys):
    assert main([]) == 2
    assert main(["--help"]) == 0
    assert "run" in capsys.readouterr().out


def test_ui_imports_the_ui_lazily_and_serves(monkeypatch):
    calls = []
    fake = types.ModuleType("simulation.frontends.ui")
    fake.serve = lambda host, port: calls.append((host, port))
    fake.warn_if_exposed = lambda host, port: None
    monkeypatch.setitem(sys.modules, "simulation.frontends.ui", fake)
    monkeypatch.setattr(simulation.frontends, "ui", fake, raising=False)
    assert main(["ui", "--port", "9001"]) == 0
    assert calls == [("127.0.0.1", 9001)]


def test_console_script_runs():
    script = shutil.which("missions", path=Path(sys.executable).parent)
    if script is None:
        pytest.skip("the missions console script is not installed next to this interpreter")
    done = subprocess.run([script, "show", "baseline", "--changed"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# baseline: ") and done.stdout.rstrip().endswith("{}")


@pytest.mark.parametrize(("error", "code", "line"), [
    (OSError(28, "No space left on device", "results/x/steps.parquet"), 2,
     "error: results/x/steps.parquet: No space left on device"),
    (RecursionError(), 2, "error: the input is nested too deeply to process"),
    (MemoryError(), 2, "error: out of memory: the input asks for more than this machine has"),
])
def test_the_error_boundary_turns_expected_failures_into_one_line(monkeypatch, capsys, error, code, line):
    import simulation.inputs.scenario

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(simulation.inputs.scenario, "resolve", fail)
    assert main(["show", "baseline"]) == code
    assert capsys.readouterr().err == line + "\n"


def test_a_full_disk_while_writing_leaves_no_partial_directory(tmp_path, monkeypatch, capsys):
    from simulation.execution import results as store

    def full(frame, path):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(store, "write_table", full)
    assert main(["run", "baseline", "--steps", "3", "--no-plots", "-q", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and err.rstrip().endswith("No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_are_one_line(capsys):
    assert main(["run", "baseline", "--workers", "0"]) == 2
    assert capsys.readouterr().err == ("error: argument -w/--workers: expected a whole number >= 1 (got 0) "
                                       "(see 'missions run --help')\n")


@pytest.mark.parametrize("command", [["run", "baseline"], ["sweep", "ambition"]])
def test_the_ensemble_size_is_checked_on_every_command(capsys, command):
    assert main([*command, "--ensemble", "65"]) == 2
    assert capsys.readouterr().err == (f"error: argument --ensemble: expected a whole number from 1 to 64 (got 65) "
                                       f"(see 'missions {command[0]} --help')\n")
