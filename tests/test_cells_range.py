"""The cell layers at the edges of the floating-point range: correct answers or a ValueError.

Inputs are scaled by exact powers of two, so the oracles can be written from the equations
(tests/naive.py on the unscaled input, in float64) with the scale put back by hand:
``v_C`` and every sum of products are homogeneous in the input. Before the range handling,
``v_C`` overflowed to inf above about 1e154 (float64; 1e19 for float32) and every S-cell
went silent; contrast and blurring layers returned NaN near the dtype's largest number.
"""

import naive
import numpy as np
import pytest

from neocognitron import cells

R = 2.5
RTOL = {np.float64: 1e-12, np.float32: 2e-5}


def assert_close(got, ref, dtype, atol=0.0):
    assert got.dtype == dtype
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, ref, rtol=RTOL[dtype], atol=atol)


def layer(dtype, seed=0, Kp=2, K=3, H=7, W=6, h=3, w=3):
    rng = np.random.default_rng(seed)
    u = rng.random((2, Kp, H, W))
    u[rng.random(u.shape) < 0.3] = 0.0
    a = rng.random((K, Kp, h, w)) / (Kp * h * w) * 3
    b = rng.random(K) * 0.2  # weak inhibition: most cells answer, at any input scale
    c = rng.random((h, w))
    c /= Kp * c.sum()
    return [x.astype(dtype) for x in (u, a, b, c)]


def s_oracle(u, a, b, c, r, shift):
    """Eq. (1) for the input ``u * 2**shift``, from float64 sums over the unscaled input."""
    u, a, b = (np.asarray(x, dtype=np.float64) for x in (u, a, b))
    v = naive.v_c(u, c)  # (N, H, W)
    K, Kp = a.shape[:2]
    out = np.zeros((u.shape[0], K) + v.shape[1:])
    y0, x0 = naive._grid(u.shape[2:], a.shape[2:], None)
    for n in range(u.shape[0]):
        for k in range(K):
            e = sum(naive.correlate(u[n, kp], a[k, kp], y0, x0) for kp in range(Kp))
            # (1 + s e) / (1 + s theta b v), numerator and denominator divided by s
            s_inv = np.ldexp(1.0, -shift)
            x = (s_inv + e) / (s_inv + 2 * r / (1 + r) * b[k] * v[n]) - 1
            out[n, k] = r * np.maximum(x, 0)
    return out


# shifts that overflow (or underflow) the plain squares: float64 squares pass 2**1024
# above 2**512, float32 squares pass 2**128 above 2**64; and below 2**-537 / 2**-75
# the squares vanish
SHIFTS = [(np.float64, 600), (np.float64, 1000), (np.float64, -600),
          (np.float32, 70), (np.float32, 120), (np.float32, -80)]


@pytest.mark.parametrize("dtype, shift", SHIFTS)
def test_v_c_correct_far_from_one(dtype, shift):
    u, _, _, c = layer(dtype)
    got = cells.v_c(np.ldexp(u, shift), c)
    assert_close(got, np.ldexp(naive.v_c(u, c), shift), dtype)


@pytest.mark.parametrize("dtype, shift", [s for s in SHIFTS if s[1] > 0])
def test_s_layer_correct_for_huge_inputs(dtype, shift):
    u, a, b, c = layer(dtype)
    got = cells.s_layer(np.ldexp(u, shift), a, b, c, R)
    ref = s_oracle(u, a, b, c, R, shift)
    assert ref.max() > 1  # the cells answer (before the fix every one was silent)
    assert_close(got, ref, dtype)


@pytest.mark.parametrize("dtype, shift", [s for s in SHIFTS if s[1] < 0])
def test_s_layer_tiny_inputs_with_large_weights(dtype, shift):
    """``a u`` and ``b v_C`` are bilinear: inputs scaled by 2**shift and weights by
    2**-shift give the S-cells of the unscaled layer, unless v_C underflows."""
    u, a, b, c = layer(dtype)
    got = cells.s_layer(np.ldexp(u, shift), np.ldexp(a, -shift), np.ldexp(b, -shift), c, R)
    ref = naive.s_layer(u, a, b, c, R)
    assert ref.max() > 0
    assert_close(got, ref, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_contrast_and_blur_correct_near_the_largest_number(dtype):
    """Inputs near 0.75 * 2**(e-1) (``e`` the dtype's largest binary exponent) and a centre
    tap of 4: the centre's product overflows, the true contrast (at most 2.5 times the
    input, at a corner) does not."""
    shift = np.finfo(dtype).maxexp - 1
    rng = np.random.default_rng(1)
    u0 = (0.75 + rng.random((2, 9, 8)) / 100).astype(dtype)
    a_g = np.full((3, 3), -0.5)
    a_g[1, 1] = 4.0  # centre-surround summing to zero
    a_g = a_g.astype(dtype)
    got = cells.contrast_layer(np.ldexp(u0, shift), a_g)
    # the centre and surround cancel: rounding is relative to the terms, not the result
    atol = np.ldexp(16 * float(np.finfo(dtype).eps) * float(np.abs(a_g).sum()), shift)
    assert_close(got, np.ldexp(naive.contrast_layer(u0, a_g), shift), dtype, atol=atol)

    u_s = rng.random((2, 3, 9, 8)).astype(dtype)
    d = np.full((3, 3), 0.5, dtype=dtype)
    d[0, 0] = -0.5  # an inhibitory tap
    y0, x0 = naive._grid(u_s.shape[2:], d.shape, None)
    e = np.stack([[naive.correlate(p, d, y0, x0) for p in img] for img in u_s])
    e = np.maximum(e, 0)
    ref = e / (np.ldexp(1.0, -shift) + e)  # psi[s e] = s e / (1 + s e), here within 1e-38 of 1
    got = cells.c_layer_blur(np.ldexp(u_s, shift), d)
    assert_close(got, ref, dtype)


def _big(dtype):
    return np.finfo(dtype).max / 4


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case, match", [
    ("excitation", "u_c and a out of range"),
    ("inhibition", "u_c, b and c out of range"),
    ("output", "r, u_c and a out of range"),
    ("tiny r", "r must be at least"),
])
def test_s_layer_refuses_sums_beyond_the_dtype(dtype, case, match):
    u, a, b, c = layer(dtype)
    r = R
    if case == "excitation":
        u = u * dtype(_big(dtype))  # a sums to 3 per plane: sum a u may pass max / 2
        b = np.zeros_like(b)
    elif case == "inhibition":
        b = np.full_like(b, 2 * _big(dtype))
    elif case == "output":
        r = float(_big(dtype))
    else:
        r = float(np.finfo(dtype).tiny) / 4
    with pytest.raises(ValueError, match=match):
        cells.s_layer(u, a, b, c, r)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_c_layer_refuses_sums_beyond_the_dtype(dtype):
    u_s = np.ones((4, 6, 6), dtype=dtype) * dtype(_big(dtype))
    d = np.full((3, 3), 1 / 9, dtype=dtype)
    with pytest.raises(ValueError, match="u_s and d out of range"):
        cells.c_layer(u_s, d, 0.5)
    with pytest.raises(ValueError, match="alpha out of range"):
        cells.c_layer(u_s / dtype(_big(dtype)), d, float(np.finfo(dtype).max))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_v_c_refuses_a_result_beyond_the_dtype(dtype):
    u = np.full((1, 5, 5), 2 * _big(dtype), dtype=dtype)
    c = np.ones((3, 3), dtype=dtype)  # v_C = 1.5 max in the middle, finite squares nowhere
    with pytest.raises(ValueError, match="u_c and c out of range"):
        cells.v_c(u, c)



@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tiny_theta_is_refused_by_name(dtype):
    u, a, b, c = layer(dtype)
    with pytest.raises(ValueError, match=f"theta must be at least .* for {dtype.__name__}"):
        cells.s_layer_theta(u, a, b, c, float(np.finfo(dtype).tiny) / 4)


def test_theta_below_float32_range_is_fine_in_float64():
    # the bound is the computing dtype's: float64 was refused below float32's tiny (1.2e-38)
    u, a, b, c = layer(np.float64)
    theta = 1e-100
    got = cells.s_layer_theta(u, a, b, c, theta)
    # eq. 3 is eq. 1 with r = theta / (1 - theta), whose 2r/(1+r) = 2 theta: b halved
    r = theta / (1 - theta)
    ref = s_oracle(u, a, b / 2, c, r, 0)
    assert ref.max() > 0
    assert_close(got, ref, np.float64)
