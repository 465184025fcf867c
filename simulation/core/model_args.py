"""How :class:`~simulation.core.model.MissionModel` takes its arguments, the way Mesa models do.

``MissionModel(config=None, *, rng=None, seed=None, **params)``:

- ``rng`` (or ``seed``, its older Mesa name) follows Mesa: None draws fresh
  entropy; an int, a ``SeedSequence``, a list of ints or a ``Generator`` seeds
  the run. Whatever was given is reduced to one integer, ``model.seed``, from
  which every random stream descends, so ``MissionModel(config, rng=model.seed)``
  reproduces any run, including one seeded with fresh entropy.
- ``params`` override the config by dotted key (``**{"portfolio.mission.ambition": 0.9}``)
  or by a field name that occurs once in the schema (``ambition=0.9``,
  ``steps=60``), as ``mesa.batch_run`` and SolaraViz pass them. ``scenario`` may
  name a scenario file to start from, or be the Mesa ``Scenario`` that
  SolaraViz passes on Reset (its ``rng`` and parameters are used).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulation.inputs.params import Config, field_of, leaf_fields, with_overrides

if TYPE_CHECKING:
    from simulation.core.model import MissionModel

MAX_SEED = 2**63 - 1
"""Run seeds are whole numbers from 0 to this (the schema's bound on ``seed``)."""
SCENARIO_ATTRIBUTES = ("rng", "model", "_scenario_id")
"""Attributes of a Mesa ``Scenario`` that are not model parameters."""


def model_inputs(config: Config | None, rng: Any, seed: Any, params: Mapping[str, Any]) -> tuple[Config, int]:
    """The validated config and the integer run seed of a model built with these arguments."""
    if rng is not None and seed is not None:
        raise ValueError("give rng or seed, not both (seed is Mesa's older name for rng)")
    params = dict(params)
    scenario = params.pop("scenario", None)
    if isinstance(scenario, str | Path):
        if config is not None:
            raise ValueError("give config or scenario, not both")
        from simulation.inputs.scenario import load_scenario

        config = load_scenario(scenario)
    elif scenario is not None:  # a Mesa Scenario: its rng and parameters
        values = {k: v for k, v in vars(scenario).items() if k not in SCENARIO_ATTRIBUTES}
        params = {**values, **params}
        rng = getattr(scenario, "rng", None) if rng is None and seed is None else rng
    overrides = {dotted_key(name): value for name, value in params.items()}
    base = config or Config()
    return (with_overrides(base, overrides) if overrides else base), run_seed(seed if rng is None else rng)


def run_seed(rng: Any) -> int:
    """The integer seed of a run from anything Mesa accepts as ``rng``; None draws fresh entropy."""
    if isinstance(rng, bool):
        raise TypeError(f"rng: expected a seed or a numpy Generator (got {rng!r})")
    if rng is None:
        rng = np.random.SeedSequence()
    if isinstance(rng, int | np.integer):
        if not 0 <= int(rng) <= MAX_SEED:
            raise ValueError(f"rng: expected a whole number from 0 to 2**63 - 1 (got {rng})")
        return int(rng)
    if isinstance(rng, np.random.BitGenerator):
        rng = np.random.Generator(rng)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, MAX_SEED, endpoint=True))
    if isinstance(rng, Sequence) and not isinstance(rng, str):
        rng = np.random.SeedSequence(list(rng))
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0] >> np.uint64(1))
    raise TypeError(f"rng: expected a seed, a SeedSequence or a numpy Generator (got {type(rng).__name__})")


def dotted_key(name: str) -> str:
    """A parameter's dotted key from itself or from a field name that occurs once in the schema."""
    if "." in name:
        try:
            field_of(name)
        except KeyError as exc:
            raise TypeError(f"{name}: {exc.args[0]}") from None
        return name
    keys = flat_names().get(name, [])
    if len(keys) == 1:
        return keys[0]
    if keys:
        raise TypeError(f"{name}: ambiguous parameter name; use a dotted key: {', '.join(keys)}")
    raise TypeError(f"{name}: unknown parameter; use a dotted key of the schema (such as portfolio.mission.ambition) "
                    f"or a field name that occurs once in it")


@cache
def flat_names() -> dict[str, list[str]]:
    """Each leaf field name of the schema and the dotted keys it occurs under."""
    names: dict[str, list[str]] = {}
    for key, _, _ in leaf_fields(Config()):
        names.setdefault(key.rsplit(".", 1)[-1], []).append(key)
    return names


def finished(model: MissionModel) -> bool:
    """Whether the model has run all its months; then ``running`` is False and a step does nothing."""
    if model.month < model.config.time.steps:
        return False
    model.running = False
    return True
