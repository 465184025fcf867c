"""Caps on what one input may cost: every limit on files, designs and engines, written once.

These are not model parameters (those live in ``params.py``); they bound the
cost of reading and planning, so that a hostile or mistaken input fails fast
with one line instead of taking the machine's memory or time.
"""

from __future__ import annotations

import os

MAX_FILE_BYTES = 1 << 20
"""A scenario or experiment file larger than 1 MiB is refused before it is parsed."""

MAX_DEPTH = 32
"""Nesting of YAML collections (the deepest shipped file nests 5 levels)."""

MAX_ALIASES = 100
"""YAML aliases (``*name``) in one file."""

MAX_NODES = 250_000
"""Values in one file once aliases are expanded: about what fits in MAX_FILE_BYTES without aliases."""

MAX_EXTENDS = 16
"""Files in one ``extends`` chain."""

MAX_INDEX_DIGITS = 4
"""Digits of a list index in a dotted key (``portfolio.missions.3.name``)."""

MAX_PROBLEMS = 20
"""Problems listed for one input; the rest are counted in a last line."""

MAX_NAME_CHARS = 100
"""Characters of a scenario or experiment name, which is also a folder name."""

MAX_REPLICATES = 100_000
"""Replicates of one ``missions run``."""

LARGE_SWEEP_RUNS = 100_000
"""Design points x replicates above which ``missions sweep`` asks for ``--yes``."""

MAX_SWEEP_RUNS = 10_000_000
"""Design points x replicates that no sweep may exceed, even with ``--yes`` (its plan is held in memory)."""

WORKERS_PER_CPU = 4
"""Local worker processes allowed per CPU of this machine."""

DASK_CONNECT_S = 10.0
"""Seconds to wait for a Dask scheduler to answer."""

DASK_TIMEOUT_S = 120.0
"""Default seconds to wait for a Dask worker, or for the next run to finish, before giving up (``--timeout``)."""

ENSEMBLE_BYTES = 256 << 20
"""Memory one ensemble of replicates may take in a worker (state and recorded series); its size follows."""

MAX_ENSEMBLE = 64
"""Replicates advanced together at most: beyond about 32 the fixed cost per step is already shared."""

DEATHS_IN_A_ROW = 3
"""Runs in a row that kill their worker even when run alone before a sweep stops: the workers are at fault."""


def max_workers() -> int:
    """Local workers allowed here: WORKERS_PER_CPU per CPU this process may use."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return WORKERS_PER_CPU * max(cpus, 1)
