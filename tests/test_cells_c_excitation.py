"""The C-cells' excitation kernel (``neocognitron._kernels_c``) against plain loops
(``tests/naive.py``) on strided, broken and irregular grids, by each of its three paths
(scatter over the nonzero S-cells, polyphase flat path, general path), a case worked by
hand, and the same bits whatever the number of threads."""

import naive
import numba
import numpy as np
import pytest
from cell_cases import DTYPES, assert_close

from neocognitron import _kernels_c
from neocognitron._grid import field_starts

# density: -1 the kernel's own choice per plane, 0 never scatter (but all-zero planes),
# 1 always scatter
PATHS = {"chosen": -1.0, "dense": 0.0, "scatter": 1.0}

# (H, W, Ho, Wo, h, w, step along y, step along x; 0: not one step)
GRIDS = {
    "digits U_C2 40->20 8x8": (40, 40, 20, 20, 8, 8, 2, 2),
    "digits U_C3 20->10 8x8": (20, 20, 10, 10, 8, 8, 2, 2),
    "default U_C1 36->9 9x9 (break)": (36, 36, 9, 9, 9, 9, 0, 0),
    "stride 4 even 36->9 12x12": (36, 36, 9, 9, 12, 12, 4, 4),
    "stride 4 even 36->9 4x4": (36, 36, 9, 9, 4, 4, 4, 4),
    "stride 3 odd 30->10 5x5": (30, 30, 10, 10, 5, 5, 3, 3),
    "stride 3 x 2 rectangular 27x20->9x10 7x8": (27, 20, 9, 10, 7, 8, 3, 2),
    "stride 3 even field 30->10 6x6 (break)": (30, 30, 10, 10, 6, 6, 0, 0),
    "off both edges 16->4 12x12": (16, 16, 4, 4, 12, 12, 4, 4),
    "off both edges 16->4 11x11 (break)": (16, 16, 4, 4, 11, 11, 0, 0),
    "field over everything 12->6 12x12": (12, 12, 6, 6, 12, 12, 2, 2),
    "irregular 13x17->7x5 4x7": (13, 17, 7, 5, 4, 7, 0, 0),
    "same grid, even field 7x7 4x4 (break)": (7, 7, 7, 7, 4, 4, 0, 0),
    "same grid 9x9 5x5": (9, 9, 9, 9, 5, 5, 1, 1),
}


def planes(rng, N, K, H, W, dtype, densities):
    """Non-negative S-planes, plane ``k`` with about ``densities[k % len]`` nonzero."""
    u = rng.random((N, K, H, W))
    dens = np.resize(np.asarray(densities, dtype=float), K)[None, :, None, None]
    u[rng.random(u.shape) >= dens] = 0.0
    return u.astype(dtype)


def blur(rng, h, w, dtype):
    """A ``d`` with a negative surround and a few zero taps (any sign is allowed)."""
    d = rng.random((h, w)) - 0.3
    d[rng.random((h, w)) < 0.1] = 0.0
    return d.astype(dtype)


def oracle(u, d, y0, x0):
    return [[naive.correlate(u[n, k], d, y0, x0) for k in range(u.shape[1])]
            for n in range(u.shape[0])]


def excitation(u, d, y0, x0, density):
    out = np.full(u.shape[:2] + (len(y0), len(x0)), np.nan, dtype=u.dtype)
    _kernels_c._c_excitation(u, d, y0, x0, out, density)
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("grid", GRIDS)
def test_every_path_matches_plain_loops(dtype, path, grid):
    H, W, Ho, Wo, h, w, sy, sx = GRIDS[grid]
    y0, x0 = field_starts(H, Ho, h), field_starts(W, Wo, w)
    assert (_kernels_c._grid_step(y0), _kernels_c._grid_step(x0)) == (sy, sx)
    rng = np.random.default_rng(H * 1000 + W * 10 + h)
    # sparse like S-cells (4 %), middling, dense, and silent planes in one batch
    u = planes(rng, 2, 4, H, W, dtype, [0.04, 0.3, 1.0, 0.0])
    d = blur(rng, h, w, dtype)
    got = excitation(u, d, y0, x0, PATHS[path])
    assert got.dtype == dtype
    assert_close(got, oracle(u, d, y0, x0))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("density", [0.05, 1.0], ids=["sparse", "dense"])
@pytest.mark.parametrize("grid", ["stride 3 odd 30->10 5x5", "default U_C1 36->9 9x9 (break)"])
def test_one_plane_and_a_large_batch(dtype, density, grid):
    H, W, Ho, Wo, h, w = GRIDS[grid][:6]
    y0, x0 = field_starts(H, Ho, h), field_starts(W, Wo, w)
    rng = np.random.default_rng(7)
    u = planes(rng, 48, 3, H, W, dtype, [density])
    d = blur(rng, h, w, dtype)
    ref = np.asarray(oracle(u, d, y0, x0))
    for path, density_arg in PATHS.items():
        assert_close(excitation(u, d, y0, x0, density_arg), ref), path
        assert_close(excitation(u[5:6], d, y0, x0, density_arg), ref[5:6]), path


# ----------------------------------------------------------------------- by hand

# A 4x4 plane under a 3x3 field on the starts -1, 1, 3 (step 2): the fields run off both
# edges and overlap by one cell. Each nonzero cell adds d[dy, dx] * value to the C-cells
# whose field holds it, e.g. x[1, 1] = 3 sits at (2, 2) of field (0, 0), (2, 0) of field
# (0, 1), (0, 2) of field (1, 0) and (0, 0) of field (1, 1): 27, 21, 9 and 3.
HAND_X = np.array([[1, 0, 0, 2], [0, 3, 0, 0], [0, 0, 0, 0], [4, 0, 0, 5]], dtype=np.float64)
HAND_D = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.float64)
HAND_STARTS = np.array([-1, 1, 3], dtype=np.int64)
HAND_E = [[5 + 27, 12 + 21, 8], [9 + 32, 3 + 45, 35], [8, 15, 5]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("path", PATHS)
def test_hand_worked_stride_two(dtype, path):
    u = HAND_X.astype(dtype)[None, None]
    s = HAND_STARTS
    got = excitation(u, HAND_D.astype(dtype), s, s, PATHS[path])
    np.testing.assert_array_equal(got[0, 0], HAND_E)
    np.testing.assert_array_equal(naive.correlate(HAND_X, HAND_D, s, s), HAND_E)


# ---------------------------------------------------------------------- helpers


def test_grid_step_and_covering():
    cases = [np.arange(-2, 14), np.arange(3, 4), np.array([0, 2, 4]), np.array([-3, 1, 5, 10]),
             field_starts(16, 10, 5), field_starts(36, 9, 9), field_starts(40, 20, 8),
             np.array([2, 2, 3])]
    for s in cases:
        s = np.asarray(s, dtype=np.int64)
        steps = set(np.diff(s).tolist())
        want = 1 if len(s) < 2 else (steps.pop() if len(steps) == 1 and min(steps) > 0 else 0)
        assert _kernels_c._grid_step(s) == want, s
        for size in (1, 3, 6):
            n = 12
            cover = _kernels_c._covering(s, size, n)
            for t in range(n):
                holds = [j for j in range(len(s)) if s[j] <= t < s[j] + size]
                assert list(range(cover[0, t], cover[1, t])) == holds, (s, size, t)


# ---------------------------------------------------------------------- threads


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 threads")
@pytest.mark.parametrize("dtype", DTYPES)
def test_same_bits_on_one_and_two_threads(dtype):
    # planes of every density, so that both the scatter and the flat paths run in one batch
    rng = np.random.default_rng(3)
    cases = [GRIDS["digits U_C2 40->20 8x8"], GRIDS["default U_C1 36->9 9x9 (break)"],
             GRIDS["same grid 9x9 5x5"]]
    for H, W, Ho, Wo, h, w, _, _ in cases:
        u = planes(rng, 16, 5, H, W, dtype, [0.02, 0.05, 0.1, 0.4, 1.0])
        d = blur(rng, h, w, dtype)
        y0, x0 = field_starts(H, Ho, h), field_starts(W, Wo, w)
        before = numba.get_num_threads()
        try:
            outs = []
            for threads in (1, 2):
                numba.set_num_threads(threads)
                outs.append(excitation(u, d, y0, x0, -1.0))
        finally:
            numba.set_num_threads(before)
        np.testing.assert_array_equal(outs[0], outs[1])
