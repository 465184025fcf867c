"""The model for EMA Workbench: a ``ReplicatorModel`` whose uncertainties come from the parameter schema.

>>> from ema_workbench import perform_experiments
>>> from simulation.execution.ema import mission_model
>>> model = mission_model(["portfolio.mission.ambition", "portfolio.count"], steps=60)   # doctest: +SKIP
>>> experiments, outcomes = perform_experiments(model, scenarios=50)                     # doctest: +SKIP

Each uncertainty is a dotted key; EMA names it with ``__`` for each dot (EMA
wants Python identifiers: ``portfolio__mission__ambition`` in its experiments
table; ``dotted`` turns such a name back). Its kind and range are read from the schema
(a number its bounds, a whole number an ``IntegerParameter``, a switch a
``BooleanParameter``, a choice a ``CategoricalParameter``), or narrowed by the
caller. Replications carry seeds from ``replicate_seeds(seed, n)``, so
replication k has the same seed in every EMA scenario (common random numbers),
and each outcome is the mean over the replications unless asked otherwise.
Needs the ``[ema]`` extra (``pip install 'mission-ecosystems[ema]'``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

import numpy as np

with warnings.catch_warnings():  # EMA warns at import about optional engines (ipyparallel) it does not need
    warnings.simplefilter("ignore")
    from ema_workbench import (
        BooleanParameter,
        CategoricalParameter,
        Constant,
        IntegerParameter,
        RealParameter,
        ReplicatorModel,
        ScalarOutcome,
    )

from simulation.core.metrics import OUTCOMES
from simulation.core.model import MissionModel
from simulation.core.rng import replicate_seeds
from simulation.execution.experiment import numeric, whole
from simulation.inputs.params import bounds, field_of
from simulation.inputs.scenario import load_scenario

DEFAULT_OUTCOMES = ("mean_progress", "achieved_share", "peak_burnt_out")
SEPARATOR = "__"
"""Stands for each dot of a dotted key in EMA's names."""


def ema_name(key: str) -> str:
    return key.replace(".", SEPARATOR)


def dotted(name: str) -> str:
    return name.replace(SEPARATOR, ".")


def run(scenario: str = "baseline", steps: int | None = None, rng: int | None = None, **params: Any) -> dict:
    """One run of ``scenario`` with ``params`` by EMA name: the run summary (what EMA's outcomes read)."""
    config = load_scenario(scenario, {"time.steps": steps} if steps is not None else None)
    values = {dotted(name): value.item() if isinstance(value, np.generic) else value for name, value in params.items()}
    return MissionModel(config, rng=rng, **values).run().summary()  # numpy scalars as Python's: the schema is strict


def parameter(key: str, values: Sequence[Any] | None = None) -> Any:
    """The EMA parameter of dotted ``key``: its schema range, or ``values`` ((low, high), or the levels)."""
    info, name = field_of(key), ema_name(key)
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return CategoricalParameter(name, list(values) if values is not None else [c.value for c in annotation])
    if annotation is bool:
        return BooleanParameter(name)
    if not numeric(key):
        if values is None:
            raise ValueError(f"{key}: not a number, a switch or a choice; give its levels")
        return CategoricalParameter(name, list(values))
    low, high = values if values is not None else bounds(info)
    if low is None or high is None:
        raise ValueError(f"{key}: the schema gives no {'lower' if low is None else 'upper'} bound; give (low, high)")
    return IntegerParameter(name, int(low), int(high)) if whole(key) else RealParameter(name, float(low), float(high))


def mission_model(uncertainties: Iterable[str] | Mapping[str, Sequence[Any] | None],
                  outcomes: Iterable[str] = DEFAULT_OUTCOMES, *, scenario: str = "baseline", steps: int | None = None,
                  replications: int = 10, seed: int = 2026, reduce: Callable = np.mean,
                  name: str = "missions") -> ReplicatorModel:
    """A ready ``ReplicatorModel``: ``uncertainties`` (dotted keys, or keys mapped to a range or levels),
    run outcomes by name (see ``simulation.core.metrics.OUTCOMES``), each reduced over the replications."""
    keys = uncertainties if isinstance(uncertainties, Mapping) else dict.fromkeys(uncertainties)
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcome {unknown[0]!r}; expected some of: {', '.join(OUTCOMES)}")
    model = ReplicatorModel(name, function=run)
    model.uncertainties = [parameter(key, values) for key, values in keys.items()]
    model.constants = [Constant("scenario", scenario), *([Constant("steps", steps)] if steps is not None else [])]
    model.outcomes = [ScalarOutcome(outcome, function=reduce) for outcome in outcomes]
    model.replications = [{"rng": s} for s in replicate_seeds(seed, replications)]
    return model
