"""Benchmark runs per minute and peak memory: `missions run` and a sweep of the default scenario, in one table.

Usage: python benchmarks/bench_sweep.py [--runs 1000] [--workers 2] [--steps 120] [--only run|sweep]
Each measurement runs in a fresh Python process, so its peak memory is its own, and writes under a
temporary directory removed afterwards. `run` is `missions run --replicates N --no-plots` (the default
scenario, runs in worker processes, tables written to Parquet); `sweep` is a sweep of N default runs
(two design points, N/2 replicates each) streamed to disk and gathered. Peak memory is the largest
resident set of the measuring process and of its largest worker. To compare two versions of the code,
run this alternately under each (A, B, A, B, same load) and quote the ratio of the paired figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

KINDS = ("run", "sweep")


def measure(kind: str, runs: int, workers: int, steps: int) -> dict:
    """Time one `kind` of N runs in this process; wall time, runs per minute and peak memory."""
    from simulation.execution import sweep
    from simulation.frontends import cli

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        start = time.perf_counter()
        if kind == "run":
            code = cli.main(["run", "baseline", "--replicates", str(runs), "--steps", str(steps), "--workers",
                             str(workers), "--no-plots", "--quiet", "--out", str(out)])
            done = runs if code == 0 else 0
        else:
            experiment = Path(tmp) / "bench.yaml"
            experiment.write_text(yaml.safe_dump({
                "description": "benchmark: replicates of the default scenario", "scenario": "baseline",
                "replicates": runs // 2, "seed": 1, "steps": steps,
                "factors": {"portfolio.mission.ambition": {"levels": [0.5, 0.6]}},
            }))
            done = sweep.start(experiment, out, workers=workers, progress=False).status()["done"]
        wall = time.perf_counter() - start
    return {"kind": kind, "runs": done, "workers": workers, "steps": steps, "wall_s": wall,
            "runs_per_min": 60 * done / wall,
            "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--only", choices=KINDS, action="append", help="measure only this (repeatable)")
    parser.add_argument("--measure", choices=KINDS, help=argparse.SUPPRESS)  # one measurement, in a fresh process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs, args.workers, args.steps)))
        return
    common = ["--runs", str(args.runs), "--workers", str(args.workers), "--steps", str(args.steps)]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'what':<14}{'runs':>6}{'workers':>8}{'wall s':>8}{'runs/min':>10}{'main MB':>9}{'worker MB':>10}")
    root = str(Path(__file__).resolve().parents[1])  # measure the code beside this script, not another install
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    for kind in args.only or KINDS:
        found = subprocess.run([sys.executable, __file__, "--measure", kind, *common], check=True,
                               capture_output=True, text=True, env=env)
        r = json.loads(found.stdout.strip().splitlines()[-1])
        label = "missions run" if kind == "run" else "sweep"
        print(f"{label:<14}{r['runs']:>6}{r['workers']:>8}{r['wall_s']:>8.1f}{r['runs_per_min']:>10,.0f}"
              f"{r['main_mb']:>9.0f}{r['worker_mb']:>10.0f}")


if __name__ == "__main__":
    main()
