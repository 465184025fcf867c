"""The citizens' network is networkx's Watts-Strogatz graph, edge for edge, built straight into a matrix."""

import networkx as nx
import numpy as np
import pytest

from simulation.core.small_world import watts_strogatz

pytestmark = pytest.mark.usefixtures("kernel_path")  # every test with the compiled builder and the Python one


@pytest.mark.parametrize("n,k", [(2, 2), (5, 4), (6, 3), (10, 0), (30, 8), (793, 8), (120, 119), (40, 40)])
@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 1.0])
def test_the_graph_is_networkx_watts_strogatz_edge_for_edge(n, k, p):
    for seed in range(4):
        reference = nx.to_scipy_sparse_array(nx.watts_strogatz_graph(n, k, p, seed=seed), format="csr", dtype=float)
        built = watts_strogatz(n, k, p, seed)
        assert built.shape == reference.shape and built.has_sorted_indices
        for part in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(built, part), getattr(reference, part))


def test_rewiring_moves_edges_and_keeps_the_graph_simple():
    ring, rewired = watts_strogatz(200, 6, 0.0, 1), watts_strogatz(200, 6, 0.3, 1)
    assert (ring != rewired).nnz > 0 and rewired.sum() == ring.sum() == 200 * 6  # as many edges, some moved
    assert (rewired != rewired.T).nnz == 0 and rewired.diagonal().sum() == 0 and rewired.max() == 1.0


def test_more_neighbours_than_nodes_is_refused():
    with pytest.raises(ValueError, match="k <= n"):
        watts_strogatz(4, 5, 0.1, 0)
