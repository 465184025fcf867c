"""Benchmark the default scenario: wall time per run and agent-steps per second.

Usage: python benchmarks/bench.py [--repeats 10] [--steps 120] [--ensemble R] [--set key=value ...]
Reports the best and median of several runs (after one warm-up), split into
model construction and stepping, with garbage collection off while timing.
With ``--ensemble R`` each timing is one ensemble of R replicates, reported per run.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

import yaml

from simulation import Config, MissionModel
from simulation.core.ensemble import Ensemble
from simulation.inputs.params import with_overrides


def time_once(config: Config, seed: int, ensemble: int) -> tuple[float, float]:
    """Seconds per run to build and to run: one model, or one ensemble of ``ensemble`` replicates."""
    gc.disable()
    try:
        start = time.perf_counter()
        model = MissionModel(config, seed=seed) if ensemble == 1 else \
            Ensemble(config, range(seed * ensemble, (seed + 1) * ensemble))
        built = time.perf_counter()
        model.run()
        done = time.perf_counter()
    finally:
        gc.enable()
    return (built - start) / ensemble, (done - built) / ensemble


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--ensemble", type=int, default=1, help="replicates advanced together (default 1)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    overrides = {k: yaml.safe_load(v) for k, v in (item.split("=", 1) for item in args.set)}
    if args.steps:
        overrides["time.steps"] = args.steps
    config = with_overrides(Config(), overrides)
    time_once(config, 0, args.ensemble)  # warm-up: imports, caches
    timings = [time_once(config, seed, args.ensemble) for seed in range(1, args.repeats + 1)]
    totals = [b + r for b, r in timings]
    agents = MissionModel(config, seed=0).agents
    steps = config.time.steps
    best = min(totals)
    print(f"scenario: {len(agents)} agents, {config.portfolio.count} missions, {steps} steps, {args.repeats} runs"
          + (f" of ensembles of {args.ensemble} (times per run)" if args.ensemble > 1 else ""))
    print(f"run time: best {best:.3f} s, median {statistics.median(totals):.3f} s "
          f"(build {min(b for b, _ in timings) * 1e3:.1f} ms, step {min(r for _, r in timings) / steps * 1e3:.2f} ms)")
    print(f"agent-steps per second: {len(agents) * steps / best:,.0f} (best), "
          f"{len(agents) * steps / statistics.median(totals):,.0f} (median)")


if __name__ == "__main__":
    main()
