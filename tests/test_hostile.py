"""Hostile and mistaken input: every file of ``tests/hostile/`` (and a few generated ones) through the real CLI.

Each case must exit 2 with exactly one line on stderr (``error: ...``), no
traceback, nothing written, in under 5 s and 500 MB. The cases run as one
batch through ``tests/cli_forks.py``: each is ``missions`` in its own process,
forked from one warm interpreter so that the corpus takes seconds, not a
minute of imports; the costliest few also run cold through the console script.
``exp-*`` files are experiments (``missions sweep``), the others scenarios
(``missions run``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = sorted((REPO / "tests" / "hostile").glob("*.yaml"))
MISSIONS = str(Path(sys.executable).with_name("missions"))
MAX_S, MAX_MB = 5.0, 500.0
SECRET = "root:x:0:0"  # the first line of /etc/passwd: no message may show it


def command(path: Path) -> list[str]:
    if path.name.startswith("exp-"):
        return ["sweep", path.name, "--out", "out", "-q"]
    return ["run", path.name, "--out", "out", "--no-plots", "-q"]


RUN = ["--out", "out", "--no-plots", "-q"]
ONE_FACTOR = {"exp.yaml": "factors:\n  portfolio.count: {levels: [1]}\n"}
GENERATED: dict[str, tuple[dict[str, str | bytes], list[str]]] = {
    # too big to keep as files, or needing several files or flags: name -> (files, argv)
    "file-over-1-MiB": ({"big.yaml": "# padding\n" * 120_000 + "time: {steps: 12}\n"}, ["run", "big.yaml", *RUN]),
    "list-50000-deep": ({"deep.yaml": "portfolio:\n  missions: " + "[" * 50_000 + "]" * 50_000},
                        ["run", "deep.yaml", *RUN]),
    "extends-chain-of-20": ({f"s{i}.yaml": f"extends: s{i + 1}\n" for i in range(20)} | {"s20.yaml": "{}\n"},
                            ["run", "s0.yaml", *RUN]),
    "extends-a-bad-parent": ({"child.yaml": "extends: parent\n", "parent.yaml": "time: {steps: [1\n"},
                             ["run", "child.yaml", *RUN]),
    "150000-levels": ({"exp.yaml": "factors:\n  portfolio.mission.ambition: {levels: ["
                       + ", ".join(["0.5"] * 150_000) + "]}\n"}, ["sweep", "exp.yaml", "--out", "out", "-q"]),
    "workers-1000": ({}, ["run", "baseline", "--workers", "1000", *RUN]),
    "replicates-million": ({}, ["run", "baseline", "--replicates", "1000000", *RUN]),
    "set-list-5000-deep": ({}, ["run", "baseline", "--set", "portfolio.missions=" + "[" * 5000 + "]" * 5000, *RUN]),
    "set-missing-mission": ({}, ["run", "baseline", "--set", "portfolio.missions.5.ambition=0.3", *RUN]),
    "set-count-text": ({}, ["run", "baseline", "--set", "portfolio.count='2'", *RUN]),
    "out-under-a-file": ({"file": "not a directory\n"}, ["run", "baseline", "--out", "file/run", "--no-plots", "-q"]),
    "scheduler-refused": (ONE_FACTOR, ["sweep", "exp.yaml", "--out", "out", "--scheduler", "tcp://127.0.0.1:9", "-q"]),
    "scheduler-not-an-address": (ONE_FACTOR, ["sweep", "exp.yaml", "--out", "out", "--scheduler", "nonsense", "-q"]),
    "timeout-negative": (ONE_FACTOR, ["sweep", "exp.yaml", "--out", "out", "--timeout", "-1", "-q"]),
    "status-not-a-sweep": ({}, ["status", "."]),
    "status-corrupt-experiment": ({"plan.parquet": b"PAR1", "experiment.json": "{not json"}, ["status", "."]),
    "resume-corrupt-plan": ({"plan.parquet": b"PAR1 truncated", "experiment.json": "{}"}, ["resume", "."]),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, dict]:
    """Every case, run once through the forked CLI: name -> exit code, output, time, memory and new files."""
    root = tmp_path_factory.mktemp("hostile")
    cases = {}
    for path in CORPUS:
        directory = root / path.stem
        directory.mkdir()
        shutil.copy(path, directory / path.name)
        cases[path.name] = (command(path), directory)
    for name, (files, argv) in GENERATED.items():
        directory = root / "generated" / name
        directory.mkdir(parents=True)
        for file, text in files.items():
            (directory / file).write_bytes(text if isinstance(text, bytes) else text.encode())
        cases[name] = (argv, directory)
    before = {name: sorted(p.relative_to(d) for p in d.rglob("*")) for name, (_, d) in cases.items()}
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    done = subprocess.run([sys.executable, str(REPO / "tests" / "cli_forks.py")], cwd=REPO, env=env,
                          input=json.dumps([{"argv": argv, "cwd": str(d)} for argv, d in cases.values()]),
                          capture_output=True, text=True, timeout=600, check=True)
    results = dict(zip(cases, json.loads(done.stdout), strict=True))
    for name, (_, directory) in cases.items():
        results[name]["written"] = sorted(set(directory.rglob("*")) - {directory / p for p in before[name]})
    return results


def assert_rejected(name: str, found: dict) -> None:
    err = found["stderr"]
    assert found["code"] == 2, f"{name}: exit {found['code']}\n{err}"
    assert err.count("\n") == 1 and err.startswith("error: "), f"{name}: expected one line\n{err}"
    assert "Traceback" not in err and SECRET not in err
    assert found["written"] == [], f"{name} wrote {found['written']}"
    assert found["wall_s"] < MAX_S and found["maxrss_mb"] < MAX_MB, (name, found["wall_s"], found["maxrss_mb"])


def test_the_corpus_is_large():
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_a_hostile_file_is_one_line_exit_2_and_nothing_written(outcomes, path):
    assert_rejected(path.name, outcomes[path.name])


@pytest.mark.parametrize("name", GENERATED)
def test_a_hostile_flag_or_generated_file_is_one_line_exit_2(outcomes, name):
    assert_rejected(name, outcomes[name])


def test_the_worst_case_is_reported(outcomes, capsys):
    worst_s = max(outcomes.items(), key=lambda item: item[1]["wall_s"])
    worst_mb = max(outcomes.items(), key=lambda item: item[1]["maxrss_mb"])
    with capsys.disabled():
        print(f"\nhostile corpus: {len(outcomes)} cases ({len(CORPUS)} files); slowest {worst_s[0]} "
              f"{worst_s[1]['wall_s']:.2f} s; most memory {worst_mb[0]} {worst_mb[1]['maxrss_mb']:.0f} MB")
    assert worst_s[1]["wall_s"] < MAX_S and worst_mb[1]["maxrss_mb"] < MAX_MB


LAUNCHER = """
import json, os, subprocess, sys
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
err = process.stderr.read()
_, status, usage = os.wait4(process.pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "stderr": err, "maxrss_mb": usage.ru_maxrss / 1024}))
"""
"""Starts a command and reports its exit code, stderr and peak memory. Linux folds the memory of the process that
execs into the child's peak, so a console script started straight from this (large) test process would be charged
this process's size; started from a small launcher, it is charged only its own."""


@pytest.mark.parametrize("name", ["alias-bomb.yaml", "exp-factorial-huge.yaml", "exp-lhs-million.yaml"])
def test_the_costliest_files_cold_through_the_console_script(tmp_path, name):
    """Cold, as a user starts it; memory from os.wait4 in a small launcher, the figure of this one process."""
    shutil.copy(REPO / "tests" / "hostile" / name, tmp_path / name)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", LAUNCHER, MISSIONS, *command(tmp_path / name)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=True)
    found = {**json.loads(done.stdout), "wall_s": time.perf_counter() - started,
             "written": sorted(set(tmp_path.rglob("*")) - {tmp_path / name})}
    assert_rejected(name, found)


def test_twenty_thousand_unknown_keys_are_counted_not_listed(tmp_path):
    (tmp_path / "keys.yaml").write_text("".join(f"key{i}: {i}\n" for i in range(20_000)), encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([MISSIONS, "run", "keys.yaml", "--out", "out", "-q"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and time.perf_counter() - started < MAX_S
    lines = done.stderr.splitlines()
    assert len(lines) == 21 and lines[-1] == "error: keys.yaml: and 19980 more problems"
    assert not (tmp_path / "out").exists()
