"""One seed per run; every random draw descends from it through named streams.

A stream's seed depends only on the run seed and the stream's name, so adding
a stream never shifts the draws of another, and the same seed gives the same
run in any process, in any order, with any number of workers.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The SeedSequence of stream ``name`` of the run seeded with ``seed``."""
    return np.random.SeedSequence(entropy=seed, spawn_key=(zlib.crc32(name.encode()),))


def stream(seed: int, name: str) -> np.random.Generator:
    """A fresh Generator for stream ``name`` of run ``seed``."""
    return np.random.default_rng(stream_seed(seed, name))


def int_seed(seed: int, name: str) -> int:
    """A 32-bit integer seed for third-party code (networkx) from stream ``name``."""
    return int(stream_seed(seed, name).generate_state(1)[0])


def replicate_seeds(root: int, n: int) -> list[int]:
    """Seeds of replicates 0..n-1 under root seed ``root``: replicate k always gets the same seed."""
    return [int(np.random.SeedSequence(root, spawn_key=(k,)).generate_state(1, np.uint64)[0] >> np.uint64(1)) for k in range(n)]
