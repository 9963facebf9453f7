"""The three kinds of cell of Fukushima (1980), as validated functions over a batch.

Inputs are ``(N, K', H, W)`` (a batch) or ``(K', H, W)`` (one input); the result has the
same leading form. ``out_shape=(H', W')`` puts the output cells on a smaller (or equal)
grid laid over the input by the centred rule of :mod:`neocognitron._grid`; the default is
the input's own grid ("same"). Every argument is checked and converted once (to float32
when all arrays are float32, else float64) before a numba kernel runs; what follows the
checks is in :mod:`neocognitron._cells`, which the learning loops call directly on data
checked once, at the estimator's boundary.

Numerical range. The V_C-cells square their inputs, which would overflow for inputs above
about 1e154 (float64; 1e19 for float32) and underflow below about 1e-154 (1e-19): when the
largest input lies outside ``[2**-(e/4), 2**(e/4)]`` (``e`` the dtype's largest binary
exponent: about ``[1e-77, 1e77]`` for float64, ``[2e-10, 4e9]`` for float32), ``v_C`` is
computed as ``m * sqrt(sum c (u/m)**2)`` with ``m`` a power of two near the largest
input, exact but for rounding. The contrast and blurring layers scale their input the same
way, so every input the dtype holds gives the correct answer. Layers whose sums cannot be
rescaled (the S-cells' ``1 + sum a u_C`` against ``1 + b v_C``, the C-cells' ``v_S``) refuse,
with a ``ValueError`` naming the arguments, any input whose sums could pass half the
dtype's largest number (about 9e307 for float64, 1.7e38 for float32); each function's
docstring gives the bound it checks.

References: K. Fukushima, "Neocognitron: a self-organizing neural network model for a
mechanism of pattern recognition unaffected by shift in position", Biol. Cybern. 36,
193-202 (1980), equations (1)-(5).
"""


from . import _cells
from ._validation import (
    as_batch,
    as_real_array,
    check_scalar,
    check_shape2,
    same_float_dtype,
)

__all__ = [
    "s_layer", "s_layer_and_v", "v_c", "c_layer",
    "contrast_layer", "s_layer_theta", "c_layer_blur",
]


def _out_hw(out_shape):
    return None if out_shape is None else check_shape2(out_shape, "out_shape")


def _unbatch(out, single):
    return out[0] if single else out


def v_c(u_c, c, out_shape=None):
    """V_C-cells, eq. (2): the root-mean-square of the input around each position.

    ``v_C(n) = sqrt( sum_k' sum_nu c(nu) u_C(k', n+nu)^2 )``

    The same ``c`` is used for every input plane ``k'``; Fukushima normalises it so that
    ``sum_k' sum_nu c(nu) = 1``, i.e. ``c.sum() == 1 / K'``
    (see :func:`neocognitron.fukushima1980.weights.inhibitory_c`). This function applies
    ``c`` as given.

    Any finite input gives the correct ``v_C``: the squares are taken of the input scaled
    by a power of two when they would overflow or underflow (see the module docstring).
    Inputs more than about 1e154 (float64; 1e19 for float32) below the largest one, or
    below about 1e-154 (1e-19) in absolute value, add nothing to the sum. A ``v_C`` beyond
    the dtype's largest number raises ``ValueError``.

    Parameters
    ----------
    u_c : array-like, shape (N, K', H, W) or (K', H, W)
        Non-negative outputs of the preceding C-layer (or the input layer U0).
    c : array-like, shape (h, w)
        Non-negative fixed weights onto the V_C-cell.
    out_shape : (int, int), optional
        Grid of the S-layer the V_C-cells serve; default ``(H, W)``.

    Returns
    -------
    v : ndarray, shape (N, H', W') or (H', W')
    """
    u_c, single, u_max = as_batch(u_c, "u_c", return_abs_max=True)
    c, c_max = as_real_array(c, "c", ndim=2, nonnegative=True, return_abs_max=True)
    u_c, c = same_float_dtype(u_c, c)
    return _unbatch(_cells.v_c(u_c, c, _out_hw(out_shape), u_max, c_max), single)


def s_layer(u_c, a, b, c, r, out_shape=None):
    """S-cells, eq. (1): feature extraction with shunting inhibition.

    ``u_S(k, n) = r * phi[ (1 + sum_k' sum_nu a(k', nu, k) u_C(k', n+nu))
    / (1 + 2r/(1+r) * b(k) * v_C(n)) - 1 ]``, with ``phi[x] = max(x, 0)`` and ``v_C`` from
    :func:`v_c`. A large selectivity ``r`` makes the cell answer only to inputs close to its
    weight pattern; ``a`` and ``b`` are shared by every cell of a plane.

    Parameters
    ----------
    u_c : array-like, shape (N, K', H, W) or (K', H, W)
        Non-negative input C-cells (for the first layer the input image U0, K' = 1).
    a : array-like, shape (K, K', h, w)
        Non-negative excitatory weights, ``a[k, k', dy, dx]`` = ``a(k', nu, k)``.
    b : array-like, shape (K,)
        Non-negative inhibitory weight of each plane.
    c : array-like, shape (h, w)
        Weights onto the V_C-cell (see :func:`v_c`).
    r : float
        Selectivity, at least the dtype's smallest normal number (``finfo.tiny``).
    out_shape : (int, int), optional
        Grid of the S-layer; default ``(H, W)``.

    Returns
    -------
    u_s : ndarray, shape (N, K, H', W') or (K, H', W')

    Raises
    ------
    ValueError
        Besides malformed arguments: when one of the bounds of the kernel's sums passes
        half the dtype's largest number (about 9e307 for float64, 1.7e38 for float32):
        with ``u = max(u_c)``, the excitation ``E = u max(a) K' h w``, the inhibition
        ``2 max(b) u sqrt(K' h w max(c))`` and the output ``r (1 + E)``. ``v_C`` itself
        is computed without overflow for any input (:func:`v_c`).
    """
    return s_layer_and_v(u_c, a, b, c, r, out_shape)[0]


def s_layer_and_v(u_c, a, b, c, r, out_shape=None):
    """:func:`s_layer` and the V_C-cells it computed on the way, ``(u_s, v)``.

    Learning needs both (``delta b = q/2 * v_C``); this spares computing ``v_C`` twice.
    """
    return _s_cells(u_c, a, b, c, r, out_shape)


def _s_cells(u_c, a, b, c, r, out_shape, theta=None):
    """:func:`s_layer_and_v`; ``theta`` is the threshold ``r`` came from, named if too small."""
    u_c, single, u_max = as_batch(u_c, "u_c", return_abs_max=True)
    a, a_max = as_real_array(a, "a", ndim=4, nonnegative=True, return_abs_max=True)
    b, b_max = as_real_array(b, "b", ndim=1, nonnegative=True, return_abs_max=True)
    c, c_max = as_real_array(c, "c", ndim=2, nonnegative=True, return_abs_max=True)
    u_c, a, b, c = same_float_dtype(u_c, a, b, c)
    r = check_scalar(r, "r", low=0)
    u_s, v = _cells.s_layer_and_v(u_c, a, b, c, r, _out_hw(out_shape),
                                  (u_max, a_max, b_max, c_max), theta)
    return _unbatch(u_s, single), _unbatch(v, single)


def c_layer(u_s, d, alpha, out_shape=None):
    """C-cells, eqs. (3)-(5): blurring over position, with V_S inhibition.

    ``u_C(k, n) = psi[ (1 + sum_nu d(nu) u_S(k, n+nu)) / (1 + v_S(n)) - 1 ]`` with
    ``v_S(n) = (1/K) sum_k sum_nu d(nu) u_S(k, n+nu)`` and
    ``psi[x] = phi[x] / (alpha + phi[x])``.

    The paper prints ``psi[x] = phi[x / (alpha + x)]``, which for ``x < -alpha`` turns
    positive again (both numerator and denominator negative); a C-cell must be silent
    for inhibitory input, so we use the saturating form above, equal to the paper's for
    every ``x >= 0`` (the only case the paper discusses).

    Parameters
    ----------
    u_s : array-like, shape (N, K, H, W) or (K, H, W)
        Non-negative S-cell outputs; C-plane ``k`` reads S-plane ``k`` only.
    d : array-like, shape (h, w)
        Non-negative fixed weights onto the C-cells.
    alpha : float
        Saturation constant, ``0 < alpha <= finfo.max / 2`` of the dtype.
    out_shape : (int, int), optional
        Grid of the C-layer; default ``(H, W)``.

    Returns
    -------
    u_c : ndarray, shape (N, K, H', W') or (K, H', W'), values in ``[0, 1)``

    Raises
    ------
    ValueError
        Besides malformed arguments: when ``K max(u_s) max(d) h w`` (a bound of the sum
        that gives ``v_S``) passes half the dtype's largest number (about 9e307 for
        float64, 1.7e38 for float32).
    """
    u_s, single, u_max = as_batch(u_s, "u_s", return_abs_max=True)
    d, d_max = as_real_array(d, "d", ndim=2, nonnegative=True, return_abs_max=True)
    u_s, d = same_float_dtype(u_s, d)
    alpha = check_scalar(alpha, "alpha", low=0)
    u_c = _cells.c_layer(u_s, d, alpha, _out_hw(out_shape), u_max, d_max)
    return _unbatch(u_c, single)


# ----------------------------------------------------------- the later digit networks
# Fukushima, "Neocognitron for handwritten digit recognition", Neurocomputing 51,
# 161-180 (2003): a contrast-extracting layer U_G, S-cells written with a threshold theta,
# and C-cells that blur (their d may have an inhibitory surround) and saturate.


def contrast_layer(u0, a_g, out_shape=None):
    """Contrast-extracting layer U_G: on- and off-centre cells.

    ``u_G(n, 1) = phi[ sum_nu a_G(nu) u_0(n+nu)]`` (on-centre) and
    ``u_G(n, 2) = phi[-sum_nu a_G(nu) u_0(n+nu)]`` (off-centre), with ``a_G`` a
    centre-surround kernel summing to zero, so that a uniform input gives no response.

    Parameters
    ----------
    u0 : array-like, shape (N, H, W) or (H, W)
        Input images (non-negative).
    a_g : array-like, shape (h, w)
        The kernel; any sign.
    out_shape : (int, int), optional

    Returns
    -------
    u_g : ndarray, shape (N, 2, H', W') or (2, H', W')

    Raises
    ------
    ValueError
        Besides malformed arguments: when ``max|a_g| h w`` or a response passes the
        dtype's range. Inputs whose sums could overflow are scaled by a power of two
        first, so any response the dtype can hold comes out right.
    """
    u0, u_max = as_real_array(u0, "u0", nonnegative=True, return_abs_max=True)
    if u0.ndim not in (2, 3):
        raise ValueError(f"u0 must be (N, H, W) or (H, W), got shape {u0.shape}")
    single = u0.ndim == 2
    u0 = u0[None, None] if single else u0[:, None]
    a_g, a_max = as_real_array(a_g, "a_g", ndim=2, return_abs_max=True)
    u0, a_g = same_float_dtype(u0, a_g)
    u_g = _cells.contrast_layer(u0, a_g, _out_hw(out_shape), u_max, a_max)
    return _unbatch(u_g, single)


def s_layer_theta(u_c, a, b, c, theta, out_shape=None):
    """S-cells with a threshold ``theta`` (Fukushima 2003, eq. 3).

    ``u_S(k, n) = theta/(1-theta) * phi[(1 + sum a u_C) / (1 + theta b(k) v_C(n)) - 1]``

    This is the 1980 cell (:func:`s_layer`) reparameterised: ``theta = r/(1+r)``.
    With ``a = c * X`` and ``b = sqrt(sum a^2 / c)`` (the weights learning gives) and
    large inputs, ``u_S`` approaches ``(s - theta)/(1 - theta)`` times a factor near one,
    where ``s`` is the ``c``-weighted cosine between the input patch and ``X``: the cell
    answers when the patch is closer to ``X`` than ``theta``.

    Parameters
    ----------
    u_c, a, b, c, out_shape
        As for :func:`s_layer`.
    theta : float
        Threshold, ``0 < theta < 1``; at least the computing dtype's smallest normal number
        (``finfo.tiny``: 1.2e-38 for float32, 2.2e-308 for float64), which
        ``r = theta / (1 - theta)`` must reach.

    Returns
    -------
    u_s : ndarray, shape (N, K, H', W') or (K, H', W')
    """
    theta = check_scalar(theta, "theta", low=0)
    if theta >= 1:
        raise ValueError(f"theta must be < 1, got {theta}")
    b = as_real_array(b, "b", ndim=1, nonnegative=True)
    # the kernel's denominator is 1 + 2r/(1+r) b v = 1 + 2 theta b v; the smallest theta is
    # checked there, against the dtype the inputs are computed in
    return _s_cells(u_c, a, b / 2, c, theta / (1 - theta), out_shape, theta=theta)[0]


def c_layer_blur(u_s, d, out_shape=None):
    """C-cells of the later networks: ``u_C(k, n) = psi[ sum_nu d(nu) u_S(k, n+nu) ]``.

    ``psi[x] = phi[x] / (1 + phi[x])``. There is no V_S inhibition; ``d`` may have a
    negative (inhibitory) surround (Fukushima 2003, eq. 5).

    Parameters
    ----------
    u_s : array-like, shape (N, K, H, W) or (K, H, W)
    d : array-like, shape (h, w)
    out_shape : (int, int), optional

    Returns
    -------
    u_c : ndarray, shape (N, K, H', W') or (K, H', W'), values in ``[0, 1]``

    Raises
    ------
    ValueError
        Besides malformed arguments: when ``max|d| h w`` passes half the dtype's largest
        number. Inputs whose sums could overflow are scaled by ``2**-s`` first and
        ``psi`` is taken as ``x' / (2**-s + x')`` of the scaled sum ``x'``, the same value.
    """
    u_s, single, u_max = as_batch(u_s, "u_s", return_abs_max=True)
    d, d_max = as_real_array(d, "d", ndim=2, return_abs_max=True)
    u_s, d = same_float_dtype(u_s, d)
    return _unbatch(_cells.c_layer_blur(u_s, d, _out_hw(out_shape), u_max, d_max), single)
