"""Private numba kernels that assemble a mini-batch: gather rows, random shifts (augmentation).

The shifts are drawn by the caller from its ``RandomState``; the kernels only apply them,
so a batch is a deterministic function of the seed.
"""

from .._numba import njit


@njit
def gather(x, idx, out):
    """out[i] = x[idx[i]] for the flat rows of ``x`` (N, F) and ``out`` (len(idx), F)."""
    F = x.shape[1]
    for i in range(idx.shape[0]):
        src = x[idx[i]]
        dst = out[i]
        for k in range(F):
            dst[k] = src[k]


@njit
def gather_shifted(x, idx, dy, dx, fill, out):
    """out[i] = image x[idx[i]] translated by (dy[i], dx[i]) pixels, vacated pixels = fill.

    ``x`` is (N, H, W) and ``out`` (len(idx), H, W); a positive ``dy`` moves the content
    down, a positive ``dx`` moves it right.
    """
    H, W = x.shape[1], x.shape[2]
    for i in range(idx.shape[0]):
        src = x[idx[i]]
        dst = out[i]
        sy = dy[i]
        sx = dx[i]
        for y in range(H):
            yy = y - sy
            row = dst[y]
            if yy < 0 or yy >= H:
                row[:] = fill
                continue
            s = src[yy]
            for xx in range(W):
                x0 = xx - sx
                row[xx] = s[x0] if 0 <= x0 < W else fill
