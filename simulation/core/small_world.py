"""The citizens' small-world network, built straight into the sparse adjacency matrix the model uses.

Edge for edge the graph of ``networkx.watts_strogatz_graph(n, k, p, seed)``: the same ring, the same
``random.Random(seed)`` draws in the same order, the same rewiring rule. networkx builds a graph object
and then converts it; building a run's network that way was about 12% of an ensemble run's time, and
the model needs only the matrix. The tests hold the two equal over many seeds and sizes. Below is the
readable reference; for networks up to COMPILED_UP_TO citizens a compiled loop (``fused.kernels``) does
the same from the same stream, read as 32-bit words, about six times faster.
"""

from __future__ import annotations

import random

import numpy as np
import scipy.sparse as sp

from simulation.core.fused import compiled

COMPILED_UP_TO = 4096
"""Up to this many citizens the compiled builder runs, over a dense n x n matrix (16 MB at the most)."""


def watts_strogatz(n: int, k: int, p: float, seed: int) -> sp.csr_array:
    """Symmetric 0/1 adjacency (float, sorted indices) of a Watts-Strogatz graph on nodes 0..n-1: each node
    joined to its ``k // 2`` nearest neighbours on each side of a ring, then each of those edges, node by node
    and nearest first, moved with probability ``p`` to a node drawn uniformly, never a self-loop or a
    second edge between the same pair."""
    if k > n:
        raise ValueError(f"a small world needs k <= n (got k={k}, n={n})")
    if k == n:  # networkx returns the complete graph here
        full = np.ones((n, n)) - np.eye(n)
        return sp.csr_array(full)
    passes = compiled.kernels() if n <= COMPILED_UP_TO else None
    if passes is not None:
        return _compiled(passes, n, k, p, seed)
    draw = random.Random(seed)
    nodes = list(range(n))
    half = range(1, k // 2 + 1)
    linked = [set() for _ in nodes]
    for j in half:
        for u in nodes:
            v = (u + j) % n
            linked[u].add(v)
            linked[v].add(u)
    for j in half:
        for u in nodes:
            if draw.random() < p:
                w = draw.choice(nodes)
                mine = linked[u]
                while w == u or w in mine:
                    w = draw.choice(nodes)
                    if len(mine) >= n - 1:
                        break  # u is joined to everyone: skip this rewiring
                else:
                    v = (u + j) % n
                    mine.discard(v)
                    linked[v].discard(u)
                    mine.add(w)
                    linked[w].add(u)
    counts = np.fromiter((len(s) for s in linked), dtype=np.int64, count=n)
    indptr = np.concatenate(([0], np.cumsum(counts)))
    indices = np.fromiter((w for s in linked for w in sorted(s)), dtype=np.int32, count=int(indptr[-1]))
    return sp.csr_array((np.ones(indices.size), indices, indptr), shape=(n, n))


def _compiled(passes, n: int, k: int, p: float, seed: int) -> sp.csr_array:
    """The same graph from the compiled builder: ``random.Random(seed)``'s stream as 32-bit words (getrandbits
    of 32 x N bits gives the next N words, least significant first), drawn as ``random()`` and ``choice``
    draw them; more words when a rare run of rejections uses them up."""
    words = int(n * (k // 2) * (2 + 3 * p)) + 64  # two a link, and about 1.3 a rewiring
    while True:
        stream = random.Random(seed).getrandbits(32 * words).to_bytes(4 * words, "little")
        indptr, indices = passes.watts_strogatz(n, k, float(p), np.frombuffer(stream, dtype="<u4"))
        if indptr.size:
            return sp.csr_array((np.ones(indices.size), indices, indptr), shape=(n, n))
        words *= 2
