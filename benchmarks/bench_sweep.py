"""Benchmark a sweep: N runs of the default scenario on local workers; runs per minute and peak memory.

Usage: python benchmarks/bench_sweep.py [--runs 1000] [--workers 2] [--steps 120]
Writes a throw-away sweep under a temporary directory and removes it afterwards.
Peak memory is the maximum resident set size of this process and of its workers.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import yaml

from simulation.execution import sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        experiment = Path(tmp) / "bench.yaml"
        experiment.write_text(yaml.safe_dump({
            "description": "benchmark: replicates of the default scenario", "scenario": "baseline",
            "replicates": args.runs // 2, "seed": 1, "steps": args.steps,
            "factors": {"portfolio.mission.ambition": {"levels": [0.5, 0.6]}},
        }))
        start = time.perf_counter()
        result = sweep.start(experiment, Path(tmp) / "out", workers=args.workers, progress=False)
        wall = time.perf_counter() - start
        status = result.status()
        size = sum(f.stat().st_size for f in (Path(tmp) / "out").rglob("*") if f.is_file())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"sweep: {status['done']} runs done ({status['failed']} failed), {args.steps} steps each, "
          f"{args.workers} local workers")
    print(f"wall time {wall:.1f} s -> {60 * status['done'] / wall:,.0f} runs per minute")
    print(f"peak memory: main process {own:.0f} MB, largest worker {workers:.0f} MB; on disk {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
