"""Parameter values that differ between the replicates of one ensemble.

An ensemble advances replicates of one *structure* together: the same counts, switches, choices and timings,
so that their arrays stack. Its replicates may still differ in any real-valued parameter (a sweep's design
points, a calibration's particles): each replicate is built from its own configuration, and while it runs
such a parameter is one value per replicate, shaped ``(R, 1)`` so that it broadcasts against per-mission
``(R, M)`` and per-actor ``(R, A)`` arrays; a rule that meets it with an ``(R, A, M)`` array shapes it with
:func:`simulation.core.rules.axes.per_pair`. Arithmetic is element by element, so each replicate computes
exactly what it computes alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
from pydantic import BaseModel

from simulation.inputs.params import Config

FIXED_REALS = frozenset({("portfolio", "overlap"), ("population", "challenger_share")})
"""Real-valued keys that set a structure every replicate shares: which ministries each mission draws on,
how many firms are challengers."""


def structure(config: Config) -> tuple:
    """What replicates advanced together must share: every value but the real-valued ones (whose places
    are kept, so that a value given and one left unset differ)."""
    return _structure(config, ())


def _structure(node: Any, path: tuple[str, ...]) -> Any:
    if isinstance(node, BaseModel):
        return tuple((name, _structure(getattr(node, name), (*path, name))) for name in type(node).model_fields)
    if isinstance(node, list | tuple):
        return tuple(_structure(item, path) for item in node)
    if type(node) is float and path not in FIXED_REALS:
        return float
    return node


def parameters(configs: Sequence[Config]) -> Config | SimpleNamespace:
    """The parameters the replicates of ``configs`` run on: the configuration itself where they all share it,
    else its sections with each real value that differs as one value per replicate, ``(R, 1)``."""
    first = configs[0]
    if all(c is first or c == first for c in configs[1:]):
        return first
    if any(structure(c) != structure(first) for c in configs[1:]):
        raise ValueError("replicates advanced together must share every value but real-valued parameters")
    return _view(configs)


def _view(nodes: Sequence[Any]) -> Any:
    first = nodes[0]
    if isinstance(first, BaseModel):
        return SimpleNamespace(**{name: _view([getattr(n, name) for n in nodes]) for name in type(first).model_fields})
    if type(first) is float and any(n != first for n in nodes[1:]):
        return np.array(nodes, dtype=float)[:, None]
    return first  # shared (a list of mission overrides that differs matters only when each replicate is built)
