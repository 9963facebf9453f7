"""Fixed synapses and initial values of the learned ones, Fukushima (1980).

The paper fixes only that the fixed weights ``c(nu)`` (onto V_C-cells) and ``d(nu)`` (onto
C-cells) decrease monotonically with the distance ``|nu|`` from the centre of the
receptive field, and that ``sum_k' sum_nu c(nu) = 1``. We use a geometric fall-off
``gamma ** |nu|`` (Euclidean ``|nu|`` from the field's centre) for both, which is the form
of Fukushima's later papers; ``c`` is normalised as the paper asks and ``d`` is scaled to a
peak value ``d_peak`` (the paper gives no scale; 1 makes a C-cell fed by one S-cell of
output 1 answer with ``psi[1 - 1/K]`` close to 2/3).

Initial excitatory weights are small and positive with a weak orientation bias that
differs from plane to plane, a deterministic function of ``nu`` and the plane indices as in
the paper, so that the planes do not start identical and competition can break the tie;
``jitter > 0`` multiplies them by ``1 + jitter * U(-1, 1)`` drawn from ``random_state``.
Initial inhibitory weights ``b`` are 0.
"""

import numpy as np

from .._random import check_random_state
from .._validation import check_scalar


def _offsets(shape):
    """Offsets ``(dy, dx)`` of every tap from the field's centre, as two float arrays."""
    h, w = shape
    dy = np.arange(h, dtype=np.float64) - (h - 1) / 2
    dx = np.arange(w, dtype=np.float64) - (w - 1) / 2
    return np.meshgrid(dy, dx, indexing="ij")


def falloff(shape, gamma):
    """``gamma ** |nu|`` on a field of ``shape``: 1 at the centre, decreasing outwards.

    Parameters
    ----------
    shape : (int, int)
    gamma : float in (0, 1]
    """
    gamma = check_scalar(gamma, "gamma", low=0)
    if gamma > 1:
        raise ValueError(f"gamma must be in (0, 1] so that the weights fall off, got {gamma}")
    dy, dx = _offsets(shape)
    return gamma ** np.hypot(dy, dx)


def inhibitory_c(shape, n_input_planes, gamma):
    """Weights ``c(nu)`` onto a V_C-cell, normalised so ``sum_k' sum_nu c(nu) = 1``."""
    c = falloff(shape, gamma)
    return c / (c.sum() * n_input_planes)


def c_cell_d(shape, gamma, d_peak=1.0):
    """Weights ``d(nu)`` onto a C-cell, ``d_peak * gamma ** |nu|``."""
    check_scalar(d_peak, "d_peak", low=0)
    return d_peak * falloff(shape, gamma)


def initial_a(n_planes, n_input_planes, shape, c, scale, bias, jitter=0.0, random_state=None):
    """Small positive initial excitatory weights with a per-plane orientation bias.

    ``a0(k', nu, k) = scale * c(nu) * K' * (1 + bias * cos 2(angle(nu) - phi_k))
    * (1 + bias * cos(2 pi (k' - k) / K'))``, with ``phi_k = pi k / K`` the preferred
    orientation of plane ``k``. The second factor gives each plane a different preferred
    set of input planes, so that planes of a deeper layer also start distinct.

    Parameters
    ----------
    n_planes, n_input_planes : int
        ``K`` and ``K'``.
    shape : (int, int)
        Receptive field.
    c : ndarray, shape ``shape``
        Fixed V_C weights; the initial ``a`` follows their fall-off.
    scale : float
        Overall size; small, so that untrained planes answer weakly.
    bias : float in [0, 1)
        Depth of the orientation bias.
    jitter : float in [0, 1)
        Relative random jitter; 0 gives the deterministic initial state.
    random_state : int, RandomState, Generator or None
        Draws the jitter; an int seeds ``numpy.random.RandomState``, None is fresh entropy
        (:func:`neocognitron._random.check_random_state`).

    Returns
    -------
    a : ndarray, shape (K, K', h, w)
    """
    K = check_scalar(n_planes, "n_planes", low=0, integer=True)
    Kp = check_scalar(n_input_planes, "n_input_planes", low=0, integer=True)
    for value, name in ((bias, "bias"), (jitter, "jitter")):
        v = check_scalar(value, name, low=0, low_inclusive=True)
        if v >= 1:
            raise ValueError(f"{name} must be in [0, 1) to keep weights positive, got {v}")
    scale = check_scalar(scale, "scale", low=0)
    dy, dx = _offsets(shape)
    angle = np.arctan2(dy, dx)
    phi = np.pi * np.arange(K) / K
    orient = 1 + bias * np.cos(2 * (angle[None] - phi[:, None, None]))  # (K, h, w)
    kk = np.arange(K)[:, None] - np.arange(Kp)[None, :]
    mix = 1 + bias * np.cos(2 * np.pi * kk / Kp) if Kp > 1 else np.ones((K, 1))  # (K, K')
    a = scale * Kp * c[None, None] * orient[:, None] * mix[:, :, None, None]
    if jitter > 0:
        rng = check_random_state(random_state, legacy=True)
        a = a * (1 + jitter * rng.uniform(-1, 1, size=a.shape))
    return a
