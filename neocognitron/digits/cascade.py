"""The forward pass of the digit neocognitron, from the canvas to the top C-layer input.

``U_0 -> U_G -> U_S1 -> U_C1 -> [U_S(l) -> U_C(l)] ...``: the contrast-extracting layer,
the edge-extracting S-cells and their blurring C-layer, then the learned intermediate
stages. Every S-layer keeps the grid of the C-layer below ("same"); every C-layer blurs
with a Gaussian ``d``, or a centre less an inhibitory surround (:func:`_blur_weights`), and
thins out by its stride (``ceil(H / stride)`` cells per side, laid over the S-layer by the
centred rule of :mod:`neocognitron._grid`; an even ``d`` staggers the C-cells midway
between S-cells).
"""

from dataclasses import dataclass

import numpy as np

from .. import _cells
from .._validation import as_real_array, check_scalar, check_shape2
from .layers import _gaussian, _theta_weights

__all__ = ["CascadeStage", "to_canvas"]


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

    def cell_parameters(self, dtype):
        """The cells' ``a, b, c, d`` in ``dtype`` and ``theta``, checked first: a fitted
        stage may have been loaded or changed since ``fit`` made it, and the cells of
        :func:`_forward` do not check them."""
        X = as_real_array(self.X, "X", ndim=4, nonnegative=True)
        c = as_real_array(self.c, "c", ndim=2, nonnegative=True)
        d = as_real_array(self.d, "d", ndim=2)
        theta = check_scalar(self.theta, "theta", low=0)
        if theta >= 1:
            raise ValueError(f"theta must be < 1, got {theta}")
        a, b = _theta_weights(X, c)
        return a.astype(dtype), b.astype(dtype), c.astype(dtype), d.astype(dtype), theta


#: Width of the C-cells' inhibitory surround, in units of the centre's ``sigma``: our
#: choice, the papers' value is not known (docs/design.md §3).
SURROUND_WIDTH = 2.0


def _blur_weights(sigma, surround=0.0, stagger=False):
    """The C-cells' ``d``.

    ``d = G(sigma) - surround * G(SURROUND_WIDTH * sigma)``, each Gaussian summing to one
    over the taps (so ``sum d = 1 - surround``): with ``surround = 0`` a plain Gaussian
    blur, with ``surround > 0`` a positive centre and a negative (inhibitory) surround.
    The taps reach ``r = 1.5 sigma`` from the centre, ``r = 1.5 SURROUND_WIDTH sigma``
    with a surround: ``2 round(r) + 1`` taps (an odd kernel, centred on an S-cell), or
    with ``stagger`` ``2 round(r + 1/2)`` (an even kernel, centred midway between two
    S-cells, outermost taps at about ``r``).
    """
    reach = 1.5 * sigma * (SURROUND_WIDTH if surround else 1.0)
    size = 2 * int(round(reach + 0.5)) if stagger else 2 * int(round(reach)) + 1
    d = _gaussian(size, sigma, normalize=True)
    if surround:
        d = d - surround * _gaussian(size, SURROUND_WIDTH * sigma, normalize=True)
    return d


def to_canvas(images, canvas_shape, dtype=np.float32):
    """Scale each image to [0, 1] by its own minimum and maximum and centre it on a canvas.

    The canvas is zero (the darkest value) around the image; an image with one value
    everywhere becomes all zero.

    Parameters
    ----------
    images : array-like, shape (N, H, W)
        Finite real images; integers are scaled in float64, floats in their own dtype.
    canvas_shape : (int, int)
        At least ``(H, W)``.
    dtype : {numpy.float32, numpy.float64}, default=numpy.float32
        The canvases' dtype.

    Returns
    -------
    canvases : ndarray, shape (N,) + canvas_shape
    """
    arr = np.asarray(images)
    images = as_real_array(arr, "images", ndim=3,
                           dtype=arr.dtype if arr.dtype.kind == "f" else np.float64)
    canvas_shape = check_shape2(canvas_shape, "canvas_shape")
    if canvas_shape[0] < images.shape[1] or canvas_shape[1] < images.shape[2]:
        raise ValueError(f"canvas_shape {canvas_shape} is smaller than the images "
                         f"{images.shape[1:]}")
    if np.dtype(dtype) not in (np.float32, np.float64):
        raise TypeError(f"dtype must be float32 or float64, got {np.dtype(dtype).name}")
    return _to_canvas(images, canvas_shape, dtype)


def _to_canvas(images, canvas_shape, dtype=np.float32):
    """:func:`to_canvas` of checked arguments: the estimator's images, checked in ``fit``
    or ``predict``."""
    N, H, W = images.shape
    lo = images.min(axis=(1, 2), keepdims=True)
    span = images.max(axis=(1, 2), keepdims=True) - lo
    scaled = np.where(span > 0, (images - lo) / np.where(span > 0, span, 1), 0)
    out = np.zeros((N,) + tuple(canvas_shape), dtype=dtype)
    y, x = (canvas_shape[0] - H) // 2, (canvas_shape[1] - W) // 2
    out[:, y : y + H, x : x + W] = scaled
    return out


def _c_grid(hw, stride):
    return (-(-hw[0] // stride), -(-hw[1] // stride))


def _forward(u0, a_g, stages, upto=None, keep=False):
    """Run the cascade on a batch of canvases ``u0`` ``(N, H, W)``.

    ``u0`` is not checked again: it comes from :func:`_to_canvas` of checked images
    (C-contiguous, finite, in ``[0, 1]``). The weights are, once per call
    (:meth:`CascadeStage.cell_parameters`): they are small, and a fitted model's may have
    changed.

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
    a_g = as_real_array(a_g, "a_g", ndim=2, dtype=np.float64)
    u = _cells.contrast_layer(u0[:, None], a_g.astype(dtype))
    layers["UG"] = u
    for i, st in enumerate(stages[:upto]):
        a, b, c, d, theta = st.cell_parameters(dtype)
        u_s = _cells.s_layer_theta(u, a, b, c, theta)
        u = _cells.c_layer_blur(u_s, d, _c_grid(u_s.shape[2:], st.stride))
        if keep:
            layers[f"US{i + 1}"], layers[f"UC{i + 1}"] = u_s, u
    return layers if keep else u
