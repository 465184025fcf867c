"""The fast sums and maxima over the mission and actor axes give numpy's own results, bit for bit."""

import numpy as np
import pytest

from simulation.core.rules.axes import max_missions, sum_actors, sum_missions

SHAPES = [(7,), (40, 1), (40, 2), (40, 3), (5, 40, 3), (5, 40, 7), (5, 40, 8), (5, 40, 11), (2, 3, 40, 4), (3, 40, 1)]


def arrays(shape, rng):
    """A random array of ``shape`` with signed zeros, NaNs and values of very different sizes."""
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 9, shape)
    flat = x.reshape(-1)
    flat[rng.random(flat.size) < 0.05] = -0.0
    return x


@pytest.mark.parametrize("shape", SHAPES)
def test_sums_and_maxima_are_numpys_bit_for_bit(shape, kernel_path):  # the compiled actor sum and numpy's
    rng = np.random.default_rng(len(shape) * 100 + shape[-1])
    x = arrays(shape, rng)
    views = [x, x[..., ::-1], np.swapaxes(x, -1, -2) if x.ndim > 1 else x]
    if x.ndim > 1:
        views.append(x[..., 3:30, :])
    for v in views:
        for keepdims in (False, True):
            np.testing.assert_array_equal(sum_missions(v, keepdims), v.sum(axis=-1, keepdims=keepdims), strict=True)
            np.testing.assert_array_equal(max_missions(v, keepdims), v.max(axis=-1, keepdims=keepdims), strict=True)
        if v.ndim > 1:
            np.testing.assert_array_equal(sum_actors(v), v.sum(axis=-2), strict=True)
            assert np.array_equal(np.signbit(sum_actors(v)), np.signbit(v.sum(axis=-2)))
        # signed zeros too: numpy's sum of -0.0 values is +0.0
        assert np.array_equal(np.signbit(sum_missions(v)), np.signbit(v.sum(axis=-1)))


def test_nan_propagates_and_all_negative_zero_sums_to_positive_zero():
    x = np.full((4, 3), -0.0)
    assert not np.signbit(sum_missions(x)).any()
    x[1, 2] = np.nan
    assert np.isnan(max_missions(x)[1]) and np.isnan(sum_missions(x)[1])


def test_non_float_arrays_sum_as_numpy_does():
    live = np.array([[True, False, True], [False, False, False]])
    np.testing.assert_array_equal(sum_missions(live), live.sum(axis=-1), strict=True)
    counts = np.arange(24).reshape(2, 4, 3)
    np.testing.assert_array_equal(sum_actors(counts), counts.sum(axis=-2), strict=True)
