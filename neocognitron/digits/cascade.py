"""The forward pass of the digit neocognitron, from the canvas to the top C-layer input.

``U_0 -> U_G -> U_S1 -> U_C1 -> [U_S(l) -> U_C(l)] ...``: the contrast-extracting layer,
the edge-extracting S-cells and their blurring C-layer, then the learned intermediate
stages. Every S-layer keeps the grid of the C-layer below ("same"); every C-layer blurs
with a Gaussian ``d`` and thins out by its stride (``ceil(H / stride)`` cells per side,
laid over the S-layer by the centred rule of :mod:`neocognitron._grid`).
"""

from dataclasses import dataclass

import numpy as np

from ..cells import c_layer_blur, contrast_layer, s_layer_theta
from .layers import gaussian, theta_weights

__all__ = ["CascadeStage", "blur_weights", "forward", "to_canvas"]


@dataclass
class CascadeStage:
    """One S-layer and the C-layer on top of it.

    ``X`` are the S-planes' patterns (``a = c * X``, ``b = |X|_c``), ``c`` the weights onto
    the V_C-cells, ``theta`` the recognition threshold, ``d`` the C-cells' blur and
    ``stride`` their thinning-out.
    """

    X: np.ndarray
    c: np.ndarray
    theta: float
    d: np.ndarray
    stride: int

    def weights(self, dtype):
        a, b = theta_weights(self.X, self.c)
        return a.astype(dtype), b.astype(dtype), self.c.astype(dtype)


def blur_weights(sigma):
    """The C-cells' ``d``: a Gaussian of width ``sigma`` on ``2 round(1.5 sigma) + 1`` taps,
    summing to one."""
    size = 2 * int(round(1.5 * sigma)) + 1
    return gaussian(size, sigma, normalize=True)


def to_canvas(images, canvas_shape, dtype=np.float32):
    """Scale each image to [0, 1] by its own minimum and maximum and centre it on a canvas.

    The canvas is zero (the darkest value) around the image; an image with one value
    everywhere becomes all zero.
    """
    N, H, W = images.shape
    lo = images.min(axis=(1, 2), keepdims=True)
    span = images.max(axis=(1, 2), keepdims=True) - lo
    scaled = np.where(span > 0, (images - lo) / np.where(span > 0, span, 1), 0)
    out = np.zeros((N,) + tuple(canvas_shape), dtype=dtype)
    y, x = (canvas_shape[0] - H) // 2, (canvas_shape[1] - W) // 2
    out[:, y : y + H, x : x + W] = scaled
    return out


def c_grid(hw, stride):
    return (-(-hw[0] // stride), -(-hw[1] // stride))


def forward(u0, a_g, stages, upto=None, keep=False):
    """Run the cascade on a batch of canvases ``u0`` ``(N, H, W)``.

    Parameters
    ----------
    u0 : ndarray, shape (N, H, W)
    a_g : ndarray, shape (h, w)
        Contrast kernel.
    stages : list of CascadeStage
    upto : int, optional
        Run only the first ``upto`` stages (default all).
    keep : bool
        Return every layer (``{"U0", "UG", "US1", "UC1", ...}``) instead of the last C-layer.
    """
    dtype = u0.dtype
    layers = {"U0": u0}
    u = contrast_layer(u0, a_g.astype(dtype))
    layers["UG"] = u
    for i, st in enumerate(stages[:upto]):
        a, b, c = st.weights(dtype)
        u_s = s_layer_theta(u, a, b, c, st.theta)
        u = c_layer_blur(u_s, st.d.astype(dtype), c_grid(u_s.shape[2:], st.stride))
        if keep:
            layers[f"US{i + 1}"], layers[f"UC{i + 1}"] = u_s, u
    return layers if keep else u
