"""Fixed weights of the digit neocognitron (Fukushima 2003): U_G, U_S1, the C-layers.

* ``_contrast_kernel``: the centre-surround ``a_G`` of the contrast-extracting layer, a
  difference of Gaussians summing to zero.
* ``_edge_patterns``: what the edge-extracting S-cells of U_S1 are trained on. Fukushima
  trains U_S1 with a teacher, showing each plane straight edges of its orientation; the
  result of that training is the U_G response to an ideal edge, which we compute
  directly: one plane per direction, ``n_orientations`` directions over 360 degrees
  (an edge has a bright and a dark side, so 0 and 180 degrees differ).
* ``_gaussian``: the spatial weights ``c`` (onto V-cells) and ``d`` (onto C-cells).
* ``_theta_weights``: ``a = c * X``, ``b = sqrt(sum a^2 / c)`` for training patterns ``X``,
  the weights the S-cell learning rule converges to (see :func:`neocognitron.cells.
  s_layer_theta`).
"""

import numpy as np

from .. import _cells


def _gaussian(size, sigma, normalize=False):
    """``exp(-|nu|^2 / (2 sigma^2))`` on a ``size x size`` grid centred on the middle."""
    r = np.arange(size) - (size - 1) / 2
    g = np.exp(-(r[:, None] ** 2 + r[None] ** 2) / (2.0 * sigma * sigma))
    return g / g.sum() if normalize else g


def _contrast_kernel(size, sigma_centre, sigma_surround, gain):
    """``a_G``: ``gain * (G_centre - G_surround)``, each Gaussian summing to one."""
    return gain * (_gaussian(size, sigma_centre, True) - _gaussian(size, sigma_surround, True))


def _edge_patterns(n_orientations, size, a_g):
    """U_G responses to ideal step edges, one per direction: ``(n_orientations, 2, h, w)``.

    Edge ``k`` is bright on the side ``(cos t, sin t)`` with ``t = 2 pi k / n``
    (image axes: ``x`` to the right, ``y`` down), and passes through the centre.
    """
    half = size // 2 + a_g.shape[0]
    span = 2 * half + 1
    yy, xx = np.mgrid[:span, :span] - half
    X = np.empty((n_orientations, 2, size, size))
    for k in range(n_orientations):
        t = 2 * np.pi * k / n_orientations
        # half a pixel of anti-aliasing so that every direction has the same sharpness
        edge = np.clip(0.5 + xx * np.cos(t) + yy * np.sin(t), 0.0, 1.0)
        u_g = _cells.contrast_layer(edge[None, None], a_g)[0]
        s = half - size // 2
        X[k] = u_g[:, s : s + size, s : s + size]
    return X


def _theta_weights(X, c):
    """``a = c * X`` and ``b = sqrt(sum a^2 / c)`` for patterns ``X`` ``(K, K', h, w)``."""
    a = c[None, None] * X
    b = np.sqrt(np.einsum("kjhw,kjhw,hw->k", a, a, 1.0 / c))
    return a, b
