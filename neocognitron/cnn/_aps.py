"""Private numba kernels: adaptive polyphase sampling and the circular max pooling before it.

Adaptive polyphase sampling (APS; A. Chaman, I. Dokmanic, "Truly shift-invariant
convolutional neural networks", CVPR 2021) downsamples by 2 without the fixed grid of a
stride. A plane of ``H x W`` has four polyphase components, numbered ``p = 2a + b`` for the
offsets ``(a, b)`` = (0, 0), (0, 1), (1, 0), (1, 1)::

    component p:  out[i, j] = x[(a + 2i) mod H, (b + 2j) mod W],  i < ceil(H/2), j < ceil(W/2)

and APS keeps, per sample, the component of largest l2 norm over all channels (the same
component for every channel of the sample). Ties go to the first in the order above, as
``argmax`` does in the reference code. Under a circular shift of the input by
``(dy, dx)`` with ``H`` and ``W`` even, component ``(a, b)`` of the shifted plane is
component ``((a - dy) mod 2, (b - dx) mod 2)`` of the original, itself circularly shifted:
the norms are permuted, the same content is chosen, and the output is a circular shift of
the unshifted output.

Odd sides. The indices wrap (``mod H``): a component reads row 0 again after row ``H - 1``,
which is what the reference code does by padding an odd plane circularly with its first
row/column. No choice among four offsets can be exact for an odd side: a shift by one maps
the starts {0, 1} to {-1, 0} = {H-1, 0}, and the component starting at ``H - 1`` is none of
the two. Exact invariance therefore needs even sides at every APS layer.

The norms are summed in float64 whatever the dtype (a float32 square is exact in float64),
so that the choice does not turn on the summation order, which a shift changes.

The max pooling before APS (in the reference, ``MaxPool2d(2, stride=1)`` after a circular
pad of one row and column at the bottom/right) is :func:`wrap_max_pool_forward`: windows of
``k x k`` at every pixel, reading past the bottom/right edge from the top/left, so that it
commutes with circular shifts exactly. Its backward pass is ``_pool.max_pool_backward``.
"""

import numpy as np

from .._numba import njit


@njit
def aps_size(n):
    """Side of a polyphase component of a side of ``n`` pixels: ceil(n / 2)."""
    return (n + 1) // 2


@njit(inline="always")
def _grid(a, n, i):
    """Index ``(a + 2i) mod n`` for ``i < ceil(n/2)``: past the side only when n is odd and
    a = 1, and then by one pixel (a conditional subtraction, not a division per pixel)."""
    k = a + 2 * i
    return k - n if k >= n else k


@njit
def aps_choose(x, phase):
    """phase[n] = the component ``2a + b`` of sample n with the largest l2 norm over all
    its channels (the first of them on ties)."""
    N, C, H, W = x.shape
    Ho, Wo = aps_size(H), aps_size(W)
    norms = np.empty(4, dtype=np.float64)
    for n in range(N):
        for p in range(4):
            a = p // 2
            b = p % 2
            t = 0.0
            for c in range(C):
                for i in range(Ho):
                    row = x[n, c, _grid(a, H, i)]
                    for j in range(Wo):
                        v = np.float64(row[_grid(b, W, j)])
                        t += v * v
            norms[p] = t
        best = 0
        for p in range(1, 4):
            if norms[p] > norms[best]:
                best = p
        phase[n] = best


@njit
def aps_forward(x, phase, out):
    """out[n, c] = component phase[n] of x[n, c]."""
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2], out.shape[3]
    for job in range(N * C):
        n = job // C
        c = job % C
        a = phase[n] // 2
        b = phase[n] % 2
        for i in range(Ho):
            src = x[n, c, _grid(a, H, i)]
            dst = out[n, c, i]
            for j in range(Wo):
                dst[j] = src[_grid(b, W, j)]


@njit
def aps_backward(dout, phase, dx):
    """dx = 0, then each output's gradient goes to the pixel it was read from; the pixels of
    the other components get none."""
    N, C, H, W = dx.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    for job in range(N * C):
        n = job // C
        c = job % C
        a = phase[n] // 2
        b = phase[n] % 2
        g = dx[n, c]
        g[:, :] = 0
        for i in range(Ho):
            dst = g[_grid(a, H, i)]
            src = dout[n, c, i]
            for j in range(Wo):
                dst[_grid(b, W, j)] += src[j]


@njit(inline="always")
def _wrap_max2_row(r0, r1, base0, base1, dst, ai, keep_arg):
    """One output row of the wrapping 2x2 max pooling over rows ``r0``, ``r1`` (flat offsets
    ``base0``, ``base1`` in the plane): columns x and x + 1, the last window wrapping to
    column 0; ``ai`` gets the flat index of the first maximum in the order r0[x], r0[x + 1],
    r1[x], r1[x + 1]."""
    W = r0.shape[0]
    for xx in range(W):
        x1 = xx + 1 if xx + 1 < W else 0
        best = r0[xx]
        bi = base0 + xx
        v = r0[x1]
        if v > best:
            best = v
            bi = base0 + x1
        v = r1[xx]
        if v > best:
            best = v
            bi = base1 + xx
        v = r1[x1]
        if v > best:
            best = v
            bi = base1 + x1
        dst[xx] = best
        if keep_arg:
            ai[xx] = bi


@njit
def wrap_max_pool_forward(x, k, out, arg, keep_arg):
    """out[n, c, y, x] = max of the ``k x k`` window at (y, x), rows and columns taken
    mod (H, W); when ``keep_arg``, arg = flat index ``y * W + x`` of the window's first
    maximum (row-major order within the window, before wrapping)."""
    N, C, H, W = x.shape
    for job in range(N * C):
        n = job // C
        c = job % C
        p = x[n, c]
        for y in range(H):
            if k == 2:  # the pooling of the APS blocks, without a division per pixel
                y1 = y + 1 if y + 1 < H else 0
                ai = arg[n, c, y] if keep_arg else arg[0, 0, 0]
                _wrap_max2_row(p[y], p[y1], y * W, y1 * W, out[n, c, y], ai, keep_arg)
                continue
            for xx in range(W):
                best = p[y, xx]
                bi = y * W + xx
                for dy in range(k):
                    yy = (y + dy) % H
                    row = p[yy]
                    for dx in range(k):
                        cx = (xx + dx) % W
                        v = row[cx]
                        if v > best:
                            best = v
                            bi = yy * W + cx
                out[n, c, y, xx] = best
                if keep_arg:
                    arg[n, c, y, xx] = bi
