"""The cell layers on arrays already validated: what :mod:`neocognitron.cells` runs after
its checks, and what the learning loops call directly on data checked once, at the
estimator's boundary.

Every function here takes batches ``(N, K, H, W)`` (the contrast layer ``(N, 1, H, W)``)
whose arrays are C-contiguous, of one float dtype (float32 or float64), finite, and
non-negative where :mod:`neocognitron.cells` requires it; ``out_hw`` is a pair of
positive ints or None (the input's own grid). Nothing here converts or scans an array to
check it. What stays here costs no pass over the data: the shapes a kernel relies on (a
kernel reading past an array would crash, not raise) and the range checks of
:mod:`neocognitron.cells`, whose bounds come from each array's largest entry. Callers that
know those maxima (the validation computes them) pass them; otherwise one ``max`` per
array finds them (and a ``min`` for the weights that may be negative, ``a_g`` and the
blurring ``d``). A NaN or inf that reaches a range check fails it (``check_in_range``).
"""

import math
from contextlib import contextmanager

import numba
import numpy as np

from . import _kernels, _kernels_c
from ._grid import field_starts
from ._validation import check_field_fits, check_in_range, scaled_for_sums, square_shifts

# Below this many multiply-adds a kernel runs on one thread: waking a thread team costs
# more than the work itself (measured: an N=1 US2 layer takes 0.7 ms on one thread and
# 7-20 ms on two when the other core is busy), and learning presents one pattern at a time.
SERIAL_WORK = 2_000_000


@contextmanager
def _threads_for(work):
    """Run the enclosed kernels on one thread when ``work`` is small."""
    if work >= SERIAL_WORK:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def abs_max(x):
    """``max |x|`` as a Python float (0 for an empty array), as the validation finds it."""
    if x.size == 0:
        return 0.0
    return max(float(x.max()), -float(x.min()))


def largest(x):
    """:func:`abs_max` of a non-negative array: its largest entry, one pass."""
    return float(x.max()) if x.size else 0.0


def _grid(in_hw, kernel_hw, out_hw):
    """``(out_hw, y0, x0)``: the output grid and its receptive fields' starts."""
    out_hw = tuple(in_hw) if out_hw is None else tuple(out_hw)
    if out_hw[0] > in_hw[0] or out_hw[1] > in_hw[1]:
        raise ValueError(f"out_shape {out_hw} must not exceed the input grid {tuple(in_hw)}: "
                         "a layer's grid is as large as, or smaller than, the one below")
    y0 = field_starts(in_hw[0], out_hw[0], kernel_hw[0])
    x0 = field_starts(in_hw[1], out_hw[1], kernel_hw[1])
    return out_hw, y0, x0


def v_c(u_c, c, out_hw=None, u_max=None, c_max=None):
    """V_C-cells (:func:`neocognitron.cells.v_c`), without overflow: scaled by powers of
    two (exact) when the squares need it."""
    check_field_fits(u_c.shape[2:], c.shape, "c", "u_c")
    u_max = largest(u_c) if u_max is None else u_max
    c_max = largest(c) if c_max is None else c_max
    out_hw, y0, x0 = _grid(u_c.shape[2:], c.shape, out_hw)
    v = np.empty((u_c.shape[0],) + out_hw, dtype=u_c.dtype)
    shifts = square_shifts(u_max, u_c.shape[1] * c.size * c_max, u_c.dtype)
    if shifts is not None:
        u_c, c = np.ldexp(u_c, -shifts[0]), np.ldexp(c, -2 * shifts[1])
    with _threads_for(u_c.size * c.size):
        _kernels._v_c(u_c, c, y0, x0, v)
    if shifts is not None:
        with np.errstate(over="ignore"):  # refused just below
            np.ldexp(v, shifts[0] + shifts[1], out=v)
        if not np.isfinite(v.max()):
            raise ValueError(f"u_c and c out of range: v_C exceeds the largest {v.dtype.name} "
                             f"({np.finfo(v.dtype).max:.3g})")
    return v


def s_layer_and_v(u_c, a, b, c, r, out_hw=None, maxima=None, theta=None):
    """S-cells and their V_C-cells, ``(u_s, v)`` (:func:`neocognitron.cells.s_layer_and_v`).

    ``maxima`` are ``max |x|`` of ``u_c, a, b, c`` when known; ``theta`` the threshold
    ``r`` came from, named in the error if ``r`` is too small for the dtype.
    """
    dtype = u_c.dtype
    K, Kp = a.shape[:2]
    if Kp != u_c.shape[1]:
        raise ValueError(f"a has {Kp} input planes (a.shape[1]) but u_c has {u_c.shape[1]}")
    if b.shape[0] != K:
        raise ValueError(f"b must have one entry per plane of a ({K}), got {b.shape[0]}")
    if a.shape[2:] != c.shape:
        raise ValueError(f"a's receptive field {a.shape[2:]} differs from c's {c.shape}")
    check_field_fits(u_c.shape[2:], a.shape[2:], "a", "u_c")
    if r < np.finfo(dtype).tiny:
        # r = theta / (1 - theta) is theta to within the rounding, this small
        name, value = ("r", r) if theta is None else ("theta", theta)
        raise ValueError(f"{name} must be at least {np.finfo(dtype).tiny:.3g} for "
                         f"{dtype.name} input (smaller rounds to zero there), got {value}")
    u_max, a_max, b_max, c_max = maxima or (largest(x) for x in (u_c, a, b, c))
    excitation = u_max * a_max * a[0].size
    check_in_range(excitation, dtype, "the excitation sum a * u_c", "u_c and a")
    check_in_range(2 * b_max * u_max * math.sqrt(Kp * c.size * c_max), dtype,
                   "the inhibition 2r/(1+r) b v_C", "u_c, b and c")
    check_in_range(r * (1 + excitation), dtype, "the output r * (1 + sum a * u_c)",
                   "r, u_c and a")
    v = v_c(u_c, c, out_hw, u_max, c_max)
    out_hw, y0, x0 = _grid(u_c.shape[2:], a.shape[2:], out_hw)
    u_s = np.empty((u_c.shape[0], K) + out_hw, dtype=dtype)
    with _threads_for(u_s.size * Kp * c.size):
        _kernels._s_layer(u_c, a, b, v, dtype.type(r), y0, x0, u_s)
    return u_s, v


def s_layer_theta(u_c, a, b, c, theta, out_hw=None):
    """S-cells with a threshold (:func:`neocognitron.cells.s_layer_theta`)."""
    # the kernel's denominator is 1 + 2r/(1+r) b v = 1 + 2 theta b v
    return s_layer_and_v(u_c, a, b / 2, c, theta / (1 - theta), out_hw, theta=theta)[0]


def c_layer(u_s, d, alpha, out_hw=None, u_max=None, d_max=None):
    """C-cells with V_S inhibition (:func:`neocognitron.cells.c_layer`)."""
    dtype = u_s.dtype
    check_field_fits(u_s.shape[2:], d.shape, "d", "u_s")
    check_in_range(alpha, dtype, "alpha", "alpha")
    u_max = largest(u_s) if u_max is None else u_max
    d_max = largest(d) if d_max is None else d_max
    check_in_range(u_s.shape[1] * u_max * d_max * d.size, dtype,
                   "the sum over planes of d * u_s (K v_S)", "u_s and d")
    out_hw, y0, x0 = _grid(u_s.shape[2:], d.shape, out_hw)
    e = np.empty(u_s.shape[:2] + out_hw, dtype=dtype)
    u_c = np.empty_like(e)
    with _threads_for(e.size * d.size):
        _kernels_c._c_excitation(u_s, d, y0, x0, e)
        _kernels._c_layer_finish(e, dtype.type(alpha), u_c)
    return u_c


def contrast_layer(u0, a_g, out_hw=None, u_max=None, a_max=None):
    """On- and off-centre cells of ``u0`` ``(N, 1, H, W)``
    (:func:`neocognitron.cells.contrast_layer`)."""
    check_field_fits(u0.shape[2:], a_g.shape, "a_g", "u0")
    u_max = largest(u0) if u_max is None else u_max
    a_max = abs_max(a_g) if a_max is None else a_max
    out_hw, y0, x0 = _grid(u0.shape[2:], a_g.shape, out_hw)
    e = np.empty((u0.shape[0], 1) + out_hw, dtype=u0.dtype)
    w = np.ascontiguousarray(a_g[None, None])
    u0, shift = scaled_for_sums(u0, u_max, a_max * a_g.size, u0.dtype, "u0 and a_g")
    with _threads_for(e.size * a_g.size):
        _kernels._correlate(np.ascontiguousarray(u0), w, y0, x0, e)
    if shift:  # the layer is linear before phi: scale back
        with np.errstate(over="ignore"):  # refused just below
            np.ldexp(e, shift, out=e)
        if not np.isfinite(np.abs(e).max()):
            raise ValueError(f"u0 and a_g out of range: a contrast response exceeds the "
                             f"largest {e.dtype.name} ({np.finfo(e.dtype).max:.3g})")
    return np.concatenate([np.maximum(e, 0), np.maximum(-e, 0)], axis=1)


def c_layer_blur(u_s, d, out_hw=None, u_max=None, d_max=None):
    """C-cells without V_S inhibition (:func:`neocognitron.cells.c_layer_blur`)."""
    check_field_fits(u_s.shape[2:], d.shape, "d", "u_s")
    u_max = largest(u_s) if u_max is None else u_max
    d_max = abs_max(d) if d_max is None else d_max
    out_hw, y0, x0 = _grid(u_s.shape[2:], d.shape, out_hw)
    e = np.empty(u_s.shape[:2] + out_hw, dtype=u_s.dtype)
    u_s, shift = scaled_for_sums(u_s, u_max, d_max * d.size, u_s.dtype, "u_s and d")
    with _threads_for(e.size * d.size):
        _kernels_c._c_excitation(u_s, d, y0, x0, e)
    np.maximum(e, 0, out=e)
    # psi[x] = x / (1 + x) = x' / (2**-shift + x') for x = x' * 2**shift
    return e / (np.ldexp(e.dtype.type(1), -shift) + e)
