"""Robustness cases: each pattern on other shipped scenarios, on longer runs and across a Latin hypercube.

The hypercube spans every numeric parameter of the schema within
``spread`` (30%) of its default, clipped to the schema's bounds, integers
rounded. It leaves out:

- keys that set the design rather than the conditions: the seed, the
  calendar (``time.*``), and the counts of agents and missions (ministries,
  firms, citizens, funders of each kind, missions, ministries per mission).
  These fix what a pattern compares (P2's "fixed capacity", P10's share of
  ministries a portfolio can reach), so varying them changes the question
  rather than testing the answer;
- parameters whose default is 0 (30% of 0 is 0);
- per pattern, the focal keys: every factor and fixed value of its experiments.

One hypercube, seeded once, serves every pattern (each drops its own focal
keys), so the LHS cases are the same conditions for all ten; each parameter's
column comes from its own stream, so adding a parameter moves no other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import qmc

from simulation.analysis.patterns.execute import Variant
from simulation.analysis.patterns.spec import Pattern
from simulation.core.rng import stream
from simulation.inputs.params import Config, bounds, leaf_fields

DESIGN_KEYS: tuple[str, ...] = (
    "seed", "population.ministries", "population.firms", "population.citizens", "portfolio.ministries_per_mission",
)
"""Design keys left out of the hypercube, besides ``time.*`` and every ``*.count``."""


@dataclass(frozen=True)
class Design:
    """The robustness design: how many cases of each kind."""

    lhs_points: int = 20
    spread: float = 0.3  # each parameter within +-30% of its default
    long_steps: int = 240  # months of the long-run case
    seed: int = 2026  # root seed of the hypercube


FULL = Design()


def is_design_key(key: str) -> bool:
    return key in DESIGN_KEYS or key.startswith("time.") or key.endswith(".count")


def _numeric(config: Config | None = None):
    """(key, field, default) of every numeric parameter that is not a design key."""
    for key, info, value in leaf_fields(config or Config()):
        if not isinstance(value, bool) and isinstance(value, int | float) and not is_design_key(key):
            yield key, info, value


def zero_defaults() -> list[str]:
    """Numeric parameters the hypercube cannot vary: their default is 0."""
    return [key for key, _, value in _numeric() if value == 0]


def parameters(config: Config | None = None) -> pd.DataFrame:
    """The hypercube's parameters: key, default, lower and upper bound, whether integer."""
    rows = []
    for key, info, value in _numeric(config):
        if value == 0:
            continue
        lo, hi = bounds(info)
        rows.append({"key": key, "default": float(value), "low": -np.inf if lo is None else lo,
                     "high": np.inf if hi is None else hi, "integer": info.annotation is int})
    return pd.DataFrame(rows)


def hypercube(design: Design = FULL) -> pd.DataFrame:
    """``design.lhs_points`` rows, one column per parameter: each within the spread of its default.

    Each column is its own one-dimensional Latin hypercube (a random permutation of the strata, jittered) from a
    stream named by its key, which is what a joint Latin hypercube without optimisation is; so a parameter added
    to the schema adds a column and moves no other, and the robustness cases stay comparable across versions."""
    params = parameters()
    unit = np.column_stack([qmc.LatinHypercube(d=1, rng=stream(design.seed, f"lhs:{key}")).random(design.lhs_points)[:, 0]
                            for key in params["key"]])
    values = params["default"].to_numpy() * (1.0 - design.spread + 2.0 * design.spread * unit)
    integer = params["integer"].to_numpy()
    values[:, integer] = np.rint(values[:, integer])
    values = np.clip(values, params["low"].to_numpy(), params["high"].to_numpy())
    frame = pd.DataFrame(values, columns=params["key"])
    for key in params.loc[params["integer"], "key"]:
        frame[key] = frame[key].astype(int)
    return frame


def focal(pattern: Pattern) -> set[str]:
    """Keys the pattern's experiments vary or fix."""
    return {key for experiment, _, _ in pattern.experiments.values() for key in (*experiment.factors, *experiment.fixed)}


def lhs_variants(pattern: Pattern, design: Design = FULL, points: int | None = None) -> list[Variant]:
    """The first ``points`` hypercube cases (all by default), each without the pattern's focal keys."""
    cube = hypercube(design)
    keep = [k for k in cube.columns if k not in focal(pattern)]
    rows = cube[keep].head(points if points is not None else len(cube)).to_dict("records")  # native ints and floats
    return [Variant(f"LHS {i + 1}", fixed=row) for i, row in enumerate(rows)]


def cases(pattern: Pattern, design: Design = FULL, *, scenarios: int | None = None, lhs: int | None = None,
          long: bool = True) -> list[tuple[str, Variant]]:
    """(family, variant) of every robustness case: the host scenarios (the first ``scenarios`` of them, or all),
    the long run, and the hypercube (the first ``lhs`` points, or all)."""
    hosts = pattern.spec.robustness.scenarios[:scenarios]
    out = [("scenarios", Variant(f"scenario {s}", scenario=s)) for s in hosts]
    if long:
        out.append((f"{design.long_steps} months", Variant(f"{design.long_steps} months", steps=design.long_steps)))
    return out + [("LHS", v) for v in lhs_variants(pattern, design, lhs)]
