"""Benchmark runs per minute and peak memory: `missions run` and a sweep of the default scenario, in one table.

Usage: python benchmarks/bench_sweep.py [--runs 1000] [--workers 2] [--steps 120] [--only run|sweep|design]
                                        [--ensembles 1,8,32,auto] [--pairs 2]
Each measurement runs in a fresh Python process, so its peak memory is its own, and writes under a
temporary directory removed afterwards. `run` is `missions run --replicates N --no-plots` (the default
scenario, runs in worker processes, tables written to Parquet); `sweep` is a sweep of N default runs
(two design points, N/2 replicates each) streamed to disk and gathered; `design` is the same sweep over N/10
design points of 10 replicates each, differing in ambition (as a Sobol design's points differ in their
real-valued factors; each point alone is an ensemble of at most 10). Each is measured at every
ensemble size (`--ensemble`: replicates a worker advances together; 1 is the one-at-a-time engine,
auto the default choice), the sizes taking turns `--pairs` times under the same load, and the last
column is the median of the paired ratios of runs per minute against ensemble size 1. Peak memory is
the largest resident set of the measuring process and of its largest worker. To compare two versions
of the code, run this alternately under each (A, B, A, B, same load) and quote the paired ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

KINDS = ("run", "sweep", "design")


def measure(kind: str, runs: int, workers: int, steps: int, ensemble: int | None) -> dict:
    """Time one `kind` of N runs in this process; wall time, runs per minute and peak memory."""
    from simulation.execution import sweep
    from simulation.frontends import cli

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        start = time.perf_counter()
        if kind == "run":
            size = [] if ensemble is None else ["--ensemble", str(ensemble)]
            code = cli.main(["run", "baseline", "--replicates", str(runs), "--steps", str(steps), "--workers",
                             str(workers), "--no-plots", "--quiet", "--out", str(out), *size])
            done = runs if code == 0 else 0
        else:
            points = 2 if kind == "sweep" else max(1, runs // 10)
            levels = [round(0.3 + 0.5 * k / max(1, points - 1), 6) for k in range(points)]
            experiment = Path(tmp) / "bench.yaml"
            experiment.write_text(yaml.safe_dump({
                "description": "benchmark: replicates of the default scenario", "scenario": "baseline",
                "replicates": runs // points, "seed": 1, "steps": steps,
                "factors": {"portfolio.mission.ambition": {"levels": levels}},
            }))
            done = sweep.start(experiment, out, workers=workers, progress=False, ensemble=ensemble).status()["done"]
        wall = time.perf_counter() - start
    return {"kind": kind, "runs": done, "workers": workers, "steps": steps, "ensemble": ensemble or "auto",
            "wall_s": wall,
            "runs_per_min": 60 * done / wall,
            "main_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--only", choices=KINDS, action="append", help="measure only this (repeatable)")
    parser.add_argument("--ensembles", default="1,auto", help="ensemble sizes to measure, comma-separated")
    parser.add_argument("--pairs", type=int, default=1, help="times each size is measured, taking turns")
    parser.add_argument("--measure", choices=KINDS, help=argparse.SUPPRESS)  # one measurement, in a fresh process
    parser.add_argument("--ensemble", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs, args.workers, args.steps, args.ensemble)))
        return
    sizes = [None if size == "auto" else int(size) for size in args.ensembles.split(",")]
    common = ["--runs", str(args.runs), "--workers", str(args.workers), "--steps", str(args.steps)]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'what':<14}{'ensemble':>9}{'runs':>6}{'workers':>8}{'wall s':>8}{'runs/min':>10}{'main MB':>9}"
          f"{'worker MB':>10}{'x size 1':>9}")
    root = str(Path(__file__).resolve().parents[1])  # measure the code beside this script, not another install
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])}
    for kind in args.only or KINDS:
        found: dict[int | None, list[dict]] = {size: [] for size in sizes}
        for _ in range(args.pairs):
            for size in sizes:
                extra = [] if size is None else ["--ensemble", str(size)]
                done = subprocess.run([sys.executable, __file__, "--measure", kind, *common, *extra], check=True,
                                      capture_output=True, text=True, env=env)
                found[size].append(json.loads(done.stdout.strip().splitlines()[-1]))
        label = {"run": "missions run", "sweep": "sweep", "design": "sweep, 10/pt"}[kind]
        for size, results in found.items():
            rate = statistics.median(r["runs_per_min"] for r in results)
            ratio = statistics.median(r["runs_per_min"] / one["runs_per_min"]
                                      for r, one in zip(results, found.get(1, results), strict=True))
            r = results[-1]
            print(f"{label:<14}{size or 'auto':>9}{r['runs']:>6}{r['workers']:>8}"
                  f"{statistics.median(x['wall_s'] for x in results):>8.1f}{rate:>10,.0f}"
                  f"{max(x['main_mb'] for x in results):>9.0f}{max(x['worker_mb'] for x in results):>10.0f}"
                  f"{ratio:>9.2f}")


if __name__ == "__main__":
    main()
