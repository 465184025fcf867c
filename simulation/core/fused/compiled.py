"""Whether the compiled passes run: numba's where it is installed, unless ``MISSIONS_KERNELS=numpy`` asks for the
numpy reference. Kept apart from the passes' callers so that ``rules.axes`` can ask too without an import cycle."""

from __future__ import annotations

import os
from functools import cache

KERNELS = os.environ.get("MISSIONS_KERNELS", "fused")
"""``fused`` (the default: compiled where numba is installed) or ``numpy`` (always the reference)."""


@cache
def kernels():
    """The module of compiled passes, or None where numba is missing or the reference is asked for. numba is
    imported here, on first use, so commands that never step a model do not pay for it."""
    if KERNELS == "numpy":
        return None
    try:
        from simulation.core.fused import kernels as passes
    except ImportError:  # numba is not installed
        return None
    return passes
