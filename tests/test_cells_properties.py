"""The 1980 cells on cases worked out by hand, and properties: shift equivariance, silence
for a zero input, reinforcement that tends to one, the output dtype."""

import math

import numpy as np
import pytest
from cell_cases import DTYPES, assert_close, gaussian, random_layer

from neocognitron import cells

# ------------------------------------------------------------- hand-worked cases


def test_s_cell_by_hand():
    """One plane whose weights equal the pattern: a plus sign on 3x3, c uniform."""
    plus = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=np.float64)
    c = np.full((3, 3), 1 / 9)
    r, b = 4.0, 3.0
    # excitation sum a u = 5 (five ones), v_C = sqrt(5/9), 2r/(1+r) = 8/5
    e, v = 5.0, math.sqrt(5 / 9)
    expected = r * ((1 + e) / (1 + 8 / 5 * b * v) - 1)  # = 4 * (6 / (1 + 8 sqrt5 / 5) - 1)
    assert expected == pytest.approx(1.242797, abs=1e-6)
    got = cells.s_layer(plus[None], plus[None, None], [b], c, r, out_shape=(1, 1))
    assert got.shape == (1, 1, 1)
    assert got[0, 0, 0] == pytest.approx(expected, rel=1e-12)
    # no inhibition: u_S = r * (sum a u) = 20; strong inhibition silences the cell
    assert cells.s_layer(plus[None], plus[None, None], [0.0], c, r, (1, 1))[0, 0, 0] == 20.0
    assert cells.s_layer(plus[None], plus[None, None], [10.0], c, r, (1, 1))[0, 0, 0] == 0.0
    assert cells.v_c(plus[None], c, (1, 1))[0, 0] == pytest.approx(v, rel=1e-12)


def test_c_cell_by_hand():
    """Two planes, d uniform on 3x3: plane 0 all ones, plane 1 silent."""
    u = np.zeros((2, 3, 3))
    u[0] = 1.0
    d = np.full((3, 3), 1 / 9)
    # e0 = 1, e1 = 0, v_S = 1/2; x0 = 2 / 1.5 - 1 = 1/3; psi = (1/3) / (1/2 + 1/3) = 0.4
    got = cells.c_layer(u, d, 0.5, out_shape=(1, 1))
    np.testing.assert_allclose(got[:, 0, 0], [0.4, 0.0], rtol=1e-12, atol=0)
    # one plane alone: v_S equals its own excitation, so the C-cell is always silent
    # (up to rounding in (1 + e) / (1 + e) - 1)
    assert np.all(cells.c_layer(u[:1], d, 0.5) < 1e-12)
    # "same" grid, corner of plane 0: 4 of 9 taps inside, e = 4/9, v_S = 2/9
    x = (1 + 4 / 9) / (1 + 2 / 9) - 1
    assert cells.c_layer(u, d, 0.5)[0, 0, 0] == pytest.approx(x / (0.5 + x), rel=1e-12)


def test_psi_form_saturates_not_paper_misprint():
    """psi[x] = phi[x]/(alpha+phi[x]) is in [0, 1) and 0 for strong inhibition."""
    u = np.zeros((4, 3, 3))
    u[1:] = 50.0  # plane 0 silent, others strong: x0 = 1/(1+37.5) - 1 < -alpha
    d = np.full((3, 3), 1 / 9)
    got = cells.c_layer(u, d, 0.5, out_shape=(1, 1))
    assert got[0, 0, 0] == 0.0
    assert np.all((got >= 0) & (got < 1))


# ------------------------------------------------------------------- properties


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, -2])
def test_shift_equivariance_us1(dtype, axis):
    """Shifting U0 by one pixel shifts US1's response by one pixel, away from the borders."""
    rng = np.random.default_rng(3)
    K, h = 6, 5
    x = rng.random((2, 1, 16, 16)).astype(dtype)
    a = (rng.random((K, 1, h, h)) * 0.2).astype(dtype)
    b = (rng.random(K) * 2).astype(dtype)
    c = gaussian(h, h).astype(dtype)
    shifted = np.zeros_like(x)
    if axis == -1:
        shifted[..., 1:] = x[..., :-1]
    else:
        shifted[..., 1:, :] = x[..., :-1, :]
    y = cells.s_layer(x, a, b, c, 4.0)
    ys = cells.s_layer(shifted, a, b, c, 4.0)
    # output j of x reads x[j-2 .. j+2]; output j+1 of the shifted image reads the same
    # pixels when all of them are inside both images: 2 <= j <= 12
    m = h // 2
    inner = slice(m, 16 - m - 1)
    inner_s = slice(m + 1, 16 - m)
    if axis == -1:
        got, ref = ys[..., inner_s], y[..., inner]
    else:
        got, ref = ys[..., inner_s, :], y[..., inner, :]
    assert np.count_nonzero(ref) > 0
    assert_close(got, ref, floor=4.0)
    # a pattern well inside the image shifts exactly everywhere
    z = np.zeros((1, 16, 16), dtype=dtype)
    z[0, 5:10, 6:9] = 1
    z[0, 7, 4:11] = 1
    zs = np.roll(z, 1, axis=axis)
    assert_close(np.roll(cells.s_layer(z, a, b, c, 4.0), 1, axis=axis),
                 cells.s_layer(zs, a, b, c, 4.0), floor=4.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("out_shape", [None, (10, 10), (3, 5)])
def test_zero_input_gives_zero(dtype, out_shape):
    rng = np.random.default_rng(0)
    _, a, b, c = random_layer(rng, 1, 3, 4, 12, 12, 5, 5, dtype)
    z = np.zeros((2, 3, 12, 12), dtype=dtype)
    out = cells.s_layer(z, a, b, c, 1.5, out_shape=out_shape)
    assert out.dtype == dtype and not np.any(out)
    assert not np.any(cells.v_c(z, c, out_shape=out_shape))
    assert not np.any(cells.c_layer(z, c, 0.5, out_shape=out_shape))


@pytest.mark.parametrize("r", [4.0, 1.5])
@pytest.mark.parametrize("Kp", [1, 3])
def test_reinforcement_with_growing_q_tends_to_one(r, Kp):
    """With a = q c u(n^+nu) and b = (q/2) v_C(n^) the S-output at n^ tends to 1.

    Then sum a u = q v^2 and 2r/(1+r) b v = r/(1+r) q v^2, so
    u_S = r [(1 + q v^2) / (1 + r/(1+r) q v^2) - 1], increasing in q towards
    r [(1+r)/r - 1] = 1.
    """
    rng = np.random.default_rng(int(r * 10) + Kp)
    u = (rng.random((Kp, 16, 16)) < 0.4).astype(np.float64)
    c = gaussian(5, 5, total=1.0 / Kp)
    ny, nx = 8, 7
    v = cells.v_c(u, c)[ny, nx]
    patch = u[:, ny - 2:ny + 3, nx - 2:nx + 3]
    values = []
    for q in [0.5, 1, 2, 4, 8, 16, 64, 256, 1e3, 1e4, 1e5]:
        a = (q * c[None] * patch)[None]
        b = np.array([q / 2 * v])
        got = cells.s_layer(u, a, b, c, r)[0, ny, nx]
        theory = r * ((1 + q * v**2) / (1 + r / (1 + r) * q * v**2) - 1)
        assert got == pytest.approx(theory, rel=1e-9)
        values.append(got)
    assert np.all(np.diff(values) > 0)
    assert values[-1] < 1 and values[-1] > 0.999
    assert values[0] < 0.8


@pytest.mark.parametrize(
    "u_dtype, w_dtype, want",
    [(np.float32, np.float32, np.float32), (np.float64, np.float64, np.float64),
     (np.float32, np.float64, np.float64), (np.float64, np.float32, np.float64),
     (np.uint8, np.float32, np.float32), (np.bool_, np.float32, np.float32),
     (np.int64, np.float32, np.float64), (np.bool_, np.float64, np.float64)],
)
def test_output_dtype_follows_input(u_dtype, w_dtype, want):
    rng = np.random.default_rng(0)
    u, a, b, c = random_layer(rng, 2, 2, 3, 8, 8, 3, 3, np.float64)
    u = u.astype(u_dtype) if np.issubdtype(u_dtype, np.floating) else (u > 0.5).astype(u_dtype)
    a, b, c = (t.astype(w_dtype) for t in (a, b, c))
    assert cells.s_layer(u, a, b, c, 1.5).dtype == want
    assert cells.s_layer(u[0], a, b, c, 1.5).dtype == want
    assert cells.v_c(u, c).dtype == want
    assert cells.c_layer(u, c, 0.5).dtype == want
    assert cells.c_layer(u, c, 0.5, out_shape=(3, 3)).dtype == want
