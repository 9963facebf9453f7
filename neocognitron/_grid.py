"""How a layer's grid of cells lies over the grid of the layer below.

Fukushima (1980) shrinks the layers (16 -> 10 -> 8 -> 6 -> 2 -> 1) but does not say how
the smaller grid sits on the larger one. We use one rule everywhere (docs/design.md §2):
the ``M`` cells of the smaller layer are spread evenly and centred over the ``N`` positions
below, cell ``i`` sitting at ``c_i = (i + 1/2) N / M - 1/2``, and its receptive field of
``h`` taps starts at ``c_i - (h - 1)/2`` rounded to the nearest position. Exact halves are
rounded away from the middle of the grid, so the mapping is mirror-symmetric. When
``M == N`` and ``h`` is odd this is plain "same" correlation (start ``i - h//2``).
Taps that fall outside the layer below read as 0.
"""

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=256)
def _field_starts(n_in, n_out, size):
    return _compute_starts(n_in, n_out, size)


def field_starts(n_in, n_out, size):
    """First input index of each output cell's receptive field along one axis.

    Parameters
    ----------
    n_in : int
        Number of positions in the layer below.
    n_out : int
        Number of cells in this layer.
    size : int
        Receptive-field size along the axis.

    Returns
    -------
    starts : ndarray of int64, shape (n_out,)
        May be negative or run past ``n_in``; those taps read zero.
    """
    # a copy, so that no caller can change the cached array (kernels take writable arrays)
    return _field_starts(int(n_in), int(n_out), int(size)).copy()


def _compute_starts(n_in, n_out, size):
    i = np.arange(n_out, dtype=np.int64)
    # start = ((2i+1) n_in - n_out size) / (2 n_out), kept in integers to round exactly.
    num = (2 * i + 1) * n_in - n_out * size
    den = 2 * n_out
    floor, rem = np.divmod(num, den)
    twice_rem = 2 * rem
    starts = floor + (twice_rem > den)
    # exact halves: left half of the grid rounds down, right half rounds up
    half = twice_rem == den
    right = 2 * i + 1 > n_out
    starts = starts + (half & right)
    return starts.astype(np.int64)


def column_starts(n, size):
    """Starts of the overlapping S-columns along one axis: every placement that fits.

    A column wider than the layer is clipped to the layer, so there is then one column.
    """
    size = min(size, n)
    return np.arange(n - size + 1, dtype=np.int64), size
