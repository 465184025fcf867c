"""Mission ecosystems: an agent-based model of mission-oriented innovation on Mesa.

The names below are imported on first use, so that ``missions list`` or a bad
input file does not pay for importing the model, pandas and Mesa.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"run_scenario": "simulation.analysis.api", "run_experiment": "simulation.analysis.api",
         "MissionModel": "simulation.core.model", "Config": "simulation.inputs.params", "MECHANISMS": "simulation.inputs.params"}

__all__ = ["MECHANISMS", "Config", "MissionModel"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
