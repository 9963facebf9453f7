"""S-columns and their representatives: which S-cells learn (Fukushima 1980, section 3).

An *S-column* is the set of cells of every plane of an S-layer over a small area; columns
overlap (we place one at every position where it fits inside the layer; a column larger
than the layer is the whole layer). In every column the cell with the largest output is a
*candidate*. In every plane, the strongest candidate with a positive output is the plane's
*representative*. The 1980 network reinforces its representatives
(:mod:`neocognitron.fukushima1980.learning`); the digit network's intermediate layers use
them as the winners of their competition (:mod:`neocognitron.digits.competitive`), so the
rule lives here, shared by both models. See ``docs/design.md`` §2 ("S-columns").

These are plain numpy: one presentation touches at most ``K`` patches, so a kernel would
buy nothing.
"""

import numpy as np

from ._grid import column_starts
from ._validation import as_real_array, check_shape2


def candidates(u_s, column):
    """Boolean mask of the cells that are the largest of some S-column.

    Parameters
    ----------
    u_s : array-like, shape (K, H, W)
        Outputs of one S-layer for one input.
    column : (int, int)
        Column size in positions (every plane is included).

    Returns
    -------
    mask : ndarray of bool, shape (K, H, W)
        Ties inside a column go to the first cell in (plane, row, column) order.
    """
    return _candidates(as_real_array(u_s, "u_s", ndim=3), check_shape2(column, "column"))


def _candidates(u_s, column):
    """:func:`candidates` of a float array ``u_s`` and a pair of positive ints ``column``."""
    K, H, W = u_s.shape
    ys, ch = column_starts(H, column[0])
    xs, cw = column_starts(W, column[1])
    # every column at once: (n_y, n_x, K, ch, cw) views, argmax over each column's cells
    blocks = np.lib.stride_tricks.sliding_window_view(u_s, (ch, cw), axis=(1, 2))
    blocks = blocks.transpose(1, 2, 0, 3, 4).reshape(len(ys), len(xs), -1)
    k, i, j = np.unravel_index(np.argmax(blocks, axis=2), (K, ch, cw))
    mask = np.zeros(u_s.shape, dtype=bool)
    mask[k, ys[:, None] + i, xs[None, :] + j] = True
    return mask


def representatives(u_s, column):
    """The representative ``(k_hat, y_hat, x_hat)`` of every plane that has one.

    Parameters
    ----------
    u_s : array-like, shape (K, H, W)
    column : (int, int)

    Returns
    -------
    reps : list of (int, int, int)
        In increasing plane order; a plane appears at most once.
    """
    return _representatives(as_real_array(u_s, "u_s", ndim=3), check_shape2(column, "column"))


def _representatives(u_s, column):
    """:func:`representatives` of a float array ``u_s`` and a pair of positive ints
    ``column``: what the learning loops call, on cells they computed themselves."""
    mask = _candidates(u_s, column) & (u_s > 0)
    reps = []
    for k in range(u_s.shape[0]):
        if mask[k].any():
            masked = np.where(mask[k], u_s[k], -np.inf)
            y, x = np.unravel_index(np.argmax(masked), masked.shape)
            reps.append((k, int(y), int(x)))
    return reps


def input_patch(u_c, y0, x0, shape):
    """The ``(K', h, w)`` patch of ``u_c`` starting at ``(y0, x0)``, zero outside."""
    Kp, H, W = u_c.shape
    h, w = shape
    patch = np.zeros((Kp, h, w), dtype=u_c.dtype)
    ya, yb = max(y0, 0), min(y0 + h, H)
    xa, xb = max(x0, 0), min(x0 + w, W)
    if ya < yb and xa < xb:
        patch[:, ya - y0 : yb - y0, xa - x0 : xb - x0] = u_c[:, ya:yb, xa:xb]
    return patch
