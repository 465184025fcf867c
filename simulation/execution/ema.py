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
and each outcome is the mean over the replications unless asked otherwise. The
replications of one EMA experiment run together as ensembles, through the
runner ``missions run`` uses, each giving what ``run`` gives for it alone.
Needs the ``[ema]`` extra (``pip install 'mission-ecosystems[ema]'``).
"""

from __future__ import annotations

import contextlib
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
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
    from ema_workbench.em_framework.evaluators import BaseEvaluator
    from ema_workbench.em_framework.model import Replicator
    from ema_workbench.em_framework.points import ExperimentReplication, Sample
    from ema_workbench.em_framework.util import combine
    from ema_workbench.util import EMAError

from simulation.core.metrics import OUTCOMES
from simulation.core.model import MissionModel
from simulation.core.model_args import run_seed
from simulation.core.rng import replicate_seeds
from simulation.execution.experiment import numeric, whole
from simulation.execution.runner import RunResult, RunSpec, run_many
from simulation.execution.workers import process_pool
from simulation.inputs.params import Config, bounds, field_of, with_overrides
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
    return MissionModel(run_config(scenario, steps, **params), rng=rng).run().summary()


def run_config(scenario: str = "baseline", steps: int | None = None, **params: Any) -> Config:
    """The configuration of a run with EMA's arguments (``params`` by EMA name)."""
    config = load_scenario(scenario, {"time.steps": steps} if steps is not None else None)
    values = {dotted(name): value.item() if isinstance(value, np.generic) else value for name, value in params.items()}
    return with_overrides(config, values) if values else config  # numpy scalars as Python's: the schema is strict


def run_together(runs: Sequence[Mapping[str, Any]], workers: int = 1, executor: Executor | None = None) -> list[RunResult]:
    """Runs by EMA's arguments (``run``'s each; no ``rng``: fresh entropy) through the project's runner, in the
    order given: consecutive runs of one structure advance together as ensembles, in this process or on
    ``workers`` processes or an ``executor``. Each result's ``row`` holds the summary ``run`` gives for that run
    alone; a failed run is a result with its ``error``."""
    configs: dict[tuple, Config] = {}  # replications differ in their seed only, unless they set parameters too
    specs = [run_spec(run_args, k, configs) for k, run_args in enumerate(runs)]
    return sorted(run_many(specs, workers, progress=False, executor=executor), key=lambda r: r.replicate)


class EnsembleReplicatorModel(ReplicatorModel):
    """A ``ReplicatorModel`` whose replications of one experiment run together (``run_together``); what EMA
    records is what the plain ``ReplicatorModel(name, function=run)`` records. :class:`MissionEvaluator` runs
    the replications of many experiments together."""

    def replication_runs(self, scenario: Any, policy: Any, constants: Any) -> tuple[list[dict], dict]:
        """The runs (``run``'s arguments each) of one experiment's replications, and the experiment's values
        for EMA's constraints, after EMA's own transforms of the sampled values."""
        super(Replicator, self).run_model(scenario, policy, constants)
        constants = {c.name: c.value for c in self.constants}
        runs = []
        for k, replication in enumerate(self.replications):
            replication.id = k
            runs.append(dict(ExperimentReplication(scenario, self.policy, constants, replication)))
        return runs, combine(scenario, self.policy, constants)

    def record(self, results: Sequence[RunResult], experiment: dict, name: str) -> None:
        """Keep the results of experiment ``name``'s replications as EMA's outcomes (reduced by each outcome);
        a failed replication raises EMA's ``EMAError`` with its traceback."""
        failed = next((k for k, result in enumerate(results) if not result.ok), None)
        if failed is not None:
            raise EMAError(f"Exception in experiment {name}, replication {failed}:\n{results[failed].error}")
        outputs = defaultdict(list)
        for result in results:
            for variable in self.output_variables:
                outputs[variable].append(result.row[variable])
        self.outcomes_output = outputs
        self.constraints_output = (experiment, self.outcomes_output)

    def run_model(self, scenario: Any, policy: Any, constants: Any) -> None:
        runs, experiment = self.replication_runs(scenario, policy, constants)
        self.record(run_together(runs), experiment, scenario.name)


class MissionEvaluator(BaseEvaluator):
    """An EMA evaluator that runs the replications of many experiments through the project's runner, as a
    sweep does: ensembles across experiments of one structure, on ``workers`` local processes or an
    ``executor`` (a Dask client's, say), a run that kills its process a failed run. Outcomes are those
    the ``SequentialEvaluator`` gives. Experiments go in batches of about ``batch_runs`` runs, so memory
    stays flat however many there are.

    >>> with MissionEvaluator(model, workers=2) as evaluator:                       # doctest: +SKIP
    ...     experiments, outcomes = perform_experiments(model, scenarios=1000, evaluator=evaluator)
    """

    def __init__(self, msis: Any, workers: int = 1, executor: Executor | None = None, batch_runs: int = 4096) -> None:
        super().__init__(msis)
        wrong = [m.name for m in self._msis if not isinstance(m, EnsembleReplicatorModel)]
        if wrong:
            raise TypeError(f"MissionEvaluator runs models from mission_model(); {wrong[0]!r} is not one")
        if isinstance(batch_runs, bool) or not isinstance(batch_runs, int) or batch_runs < 1:
            raise ValueError(f"batch_runs: expected a whole number of at least 1 (got {batch_runs!r})")
        self.workers, self.executor, self.batch_runs = workers, executor, batch_runs
        self._pools = contextlib.ExitStack()
        self._pool: Executor | None = executor

    def initialize(self) -> None:
        if self._pool is None and self.workers > 1:
            self._pool = self._pools.enter_context(process_pool(self.workers))

    def finalize(self) -> None:
        self._pools.close()
        self._pool = self.executor

    def evaluate_experiments(self, experiments: Iterable[Any], callback: Callable, **kwargs: Any) -> None:
        models = {m.name: m for m in self._msis}
        batch: list[tuple[Any, list[dict], dict]] = []
        planned = 0
        for experiment in experiments:
            model = models[experiment.model_name]
            runs, values = model.replication_runs(experiment.scenario.copy(), experiment.policy.copy(),
                                                  Sample(**{c.name: c.value for c in model.constants}))
            batch.append((experiment, runs, values))
            planned += len(runs)
            if planned >= self.batch_runs:
                self._evaluate(batch, models, callback)
                batch, planned = [], 0
        if batch:
            self._evaluate(batch, models, callback)

    def _evaluate(self, batch: list[tuple[Any, list[dict], dict]], models: dict, callback: Callable) -> None:
        done = iter(run_together([run_args for _, runs, _ in batch for run_args in runs], self.workers, self._pool))
        for experiment, runs, values in batch:
            model = models[experiment.model_name]
            model.record([next(done) for _ in runs], values, experiment.name)
            callback(experiment, model.outcomes_output)
            model.reset_model()


def run_spec(run_args: Mapping[str, Any], order: int, configs: dict[tuple, Config]) -> RunSpec:
    """The runner's spec of one run by EMA's arguments (``run``'s, with ``rng``), number ``order`` of its
    batch; ``configs`` keeps the configurations built so far, shared by the runs that have the same values."""
    args = {name: value for name, value in run_args.items() if name != "rng"}
    key = tuple(sorted((name, repr(value)) for name, value in args.items()))
    if key not in configs:
        configs[key] = run_config(**args)
    config = configs[key]
    return RunSpec(str(order), config.name, order, run_seed(run_args.get("rng")), config, order=order)


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
    model = EnsembleReplicatorModel(name, function=run)
    model.uncertainties = [parameter(key, values) for key, values in keys.items()]
    model.constants = [Constant("scenario", scenario), *([Constant("steps", steps)] if steps is not None else [])]
    model.outcomes = [ScalarOutcome(outcome, function=reduce) for outcome in outcomes]
    model.replications = [{"rng": s} for s in replicate_seeds(seed, replications)]
    return model
