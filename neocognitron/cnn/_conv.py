"""Private numba kernels: 2-D convolution (cross-correlation), forward and backward.

Layout is NCHW, one dtype throughout (float32 for training, float64 for gradient checks).
The kernels assume valid, C-contiguous input; :mod:`neocognitron.cnn.layers` checks it.
Like all kernels of this subpackage they run serially and release the GIL; the cores are
used by :class:`neocognitron.cnn.network.DataParallel`, which runs the shards of a batch
on threads (see there for why not ``prange``).

Method ("direct loops on a wide row"). The padded input plane ``(Hp, Wp)`` is read as one
flat row. Output pixel ``(y, x)`` is computed at the *wide* index ``j = y * Wp + x``, so that
every tap ``(ky, kx)`` of the filter becomes one contiguous ``axpy`` over
``j = 0 .. L-1`` with ``L = (Ho - 1) * Wp + Wo``, reading the input at ``j + ky * Wp + kx``.
The ``Wp - Wo`` columns past the right edge of each wide row are junk and dropped when the
result is copied out. Five taps of a filter row are fused into one pass, so the
accumulator is loaded and stored once per five multiply-adds. Inputs are read through
slices (``xs = x[off:off + L]``), which lets LLVM drop numba's negative-index wraparound
check and vectorise the loop: per-tap indexing ``x[off + j]`` ran 10x slower.

Measured against im2col + BLAS (``benchmarks/bench_cnn.py --kernels``: im2col in numba,
then one OpenBLAS sgemm per batch or per image), the direct loops were as fast or faster on
the LeNet-5 shapes at batch 64 and 1000, so only they are kept here.

Backward: the input gradient scatters each output gradient back through the filter taps;
on the wide row this is again a contiguous five-tap pass (a gather from the output gradient
shifted by ``K - 1``), with no work spent on the zero border a "full" correlation of the
padded output gradient would add (2.5x fewer operations for LeNet's second layer). The
weight gradient is a sum of dot products over the wide row, formed image by image and
added in the order of the images.
"""

import numpy as np

from .._numba import njit


@njit(inline="always")
def _axpy5(acc, x, off, w0, w1, w2, w3, w4, n):
    """acc[j] += sum_t w_t * x[off + t + j] for t = 0..4, j < n."""
    xs = x[off : off + n + 4]
    for j in range(n):
        acc[j] += w0 * xs[j] + w1 * xs[j + 1] + w2 * xs[j + 2] + w3 * xs[j + 3] + w4 * xs[j + 4]


@njit(inline="always")
def _axpy1(acc, x, off, w0, n):
    """acc[j] += w0 * x[off + j] for j < n."""
    xs = x[off : off + n]
    for j in range(n):
        acc[j] += w0 * xs[j]


@njit(inline="always")
def _correlate_wide(xf, w, Wp, L, acc):
    """acc[co, j] += sum_{ci, ky, kx} w[co, ci, ky, kx] * xf[ci, j + ky * Wp + kx]."""
    Co, Ci, K, _ = w.shape
    for ci in range(Ci):
        x = xf[ci]
        for co in range(Co):
            a = acc[co]
            for ky in range(K):
                off = ky * Wp
                kx = 0
                while kx + 5 <= K:
                    _axpy5(
                        a,
                        x,
                        off + kx,
                        w[co, ci, ky, kx],
                        w[co, ci, ky, kx + 1],
                        w[co, ci, ky, kx + 2],
                        w[co, ci, ky, kx + 3],
                        w[co, ci, ky, kx + 4],
                        L,
                    )
                    kx += 5
                while kx < K:
                    _axpy1(a, x, off + kx, w[co, ci, ky, kx], L)
                    kx += 1


@njit
def conv_forward(xp, w, b, relu, out):
    """out[n, co] = b[co] + sum_ci corr(xp[n, ci], w[co, ci])  ("valid" on the padded input),
    rectified (``max(., 0)``) when ``relu``, which saves a pass over the output.

    Parameters: ``xp`` (N, Ci, Hp, Wp) padded input; ``w`` (Co, Ci, K, K); ``b`` (Co,);
    ``relu`` bool; ``out`` (N, Co, Hp - K + 1, Wp - K + 1), overwritten.
    """
    N, Ci, Hp, Wp = xp.shape
    Co = w.shape[0]
    Ho, Wo = out.shape[2], out.shape[3]
    L = (Ho - 1) * Wp + Wo
    for n in range(N):
        acc = np.empty((Co, L), dtype=out.dtype)
        for co in range(Co):
            acc[co, :] = b[co]
        _correlate_wide(xp[n].reshape((Ci, Hp * Wp)), w, Wp, L, acc)
        for co in range(Co):
            for y in range(Ho):
                row = acc[co, y * Wp : y * Wp + Wo]
                dst = out[n, co, y]
                if relu:
                    for x in range(Wo):
                        v = row[x]
                        dst[x] = v if v > 0 else v * 0
                else:
                    for x in range(Wo):
                        dst[x] = row[x]


@njit
def pad_planes(x, p, out):
    """out = x with ``p`` zeros around every plane; out has shape (N, C, H + 2p, W + 2p)."""
    N, C, H, W = x.shape
    for job in range(N * C):
        n = job // C
        c = job % C
        dst = out[n, c]
        dst[:, :] = 0
        for y in range(H):
            src = x[n, c, y]
            row = dst[y + p, p : p + W]
            for i in range(W):
                row[i] = src[i]


@njit
def crop_planes(x, p, out):
    """out = x without a border of ``p`` pixels: the adjoint of :func:`pad_planes`."""
    N, C, H, W = out.shape
    for job in range(N * C):
        n = job // C
        c = job % C
        for y in range(H):
            src = x[n, c, y + p, p : p + W]
            dst = out[n, c, y]
            for i in range(W):
                dst[i] = src[i]


@njit
def wrap_pad_planes(x, p, out):
    """out = x padded by ``p`` pixels on every side circularly (wrap-around):
    ``out[y, x] = x[(y - p) mod H, (x - p) mod W]``; a pad wider than the plane wraps again."""
    N, C, H, W = x.shape
    Hp, Wp = out.shape[2], out.shape[3]
    x0 = (-p) % W  # the source column of padded column 0, then counted up with wrapping
    for job in range(N * C):
        n = job // C
        c = job % C
        src = x[n, c]
        for y in range(Hp):
            row = src[(y - p) % H]
            dst = out[n, c, y]
            j = x0
            for i in range(Wp):
                dst[i] = row[j]
                j = j + 1 if j + 1 < W else 0


@njit
def wrap_crop_planes(xp, p, out):
    """The adjoint of :func:`wrap_pad_planes`: every pixel of ``out`` is the sum of the
    padded pixels that copy it (itself and its wrapped copies in the border)."""
    N, C, H, W = out.shape
    Hp, Wp = xp.shape[2], xp.shape[3]
    x0 = (-p) % W
    for job in range(N * C):
        n = job // C
        c = job % C
        dst = out[n, c]
        dst[:, :] = 0
        for y in range(Hp):
            row = dst[(y - p) % H]
            src = xp[n, c, y]
            j = x0
            for i in range(Wp):
                row[j] += src[i]
                j = j + 1 if j + 1 < W else 0


@njit
def conv_grad_input(dout, w, dxp):
    """dxp[n, ci, y + ky, x + kx] += sum_co w[co, ci, ky, kx] * dout[n, co, y, x].

    The adjoint of :func:`conv_forward` with respect to the padded input, written as a
    gather on the wide row: with ``d`` the wide output gradient (zeros in the junk columns)
    preceded by ``K - 1`` zeros, row ``ky`` of the filter adds
    ``sum_kx w[.., ky, kx] * d[t + K - 1 - kx]`` to ``dxp[.., t + ky * Wp]``, five taps per
    pass as in the forward kernel.
    """
    N, Ci, Hp, Wp = dxp.shape
    Co, Ho, Wo = dout.shape[1], dout.shape[2], dout.shape[3]
    K = w.shape[2]
    L = (Ho - 1) * Wp + Wo
    M = L + K - 1  # targets t of one filter row
    for n in range(N):
        g = dxp[n].reshape((Ci, Hp * Wp))
        g[:, :] = 0
        d = np.zeros(L + 2 * (K - 1), dtype=dout.dtype)
        for co in range(Co):
            for y in range(Ho):
                src = dout[n, co, y]
                dst = d[K - 1 + y * Wp : K - 1 + y * Wp + Wo]
                for x in range(Wo):
                    dst[x] = src[x]
            for ci in range(Ci):
                for ky in range(K):
                    acc = g[ci, ky * Wp : ky * Wp + M]
                    kx = 0
                    while kx + 5 <= K:
                        _axpy5(
                            acc,
                            d,
                            K - 5 - kx,
                            w[co, ci, ky, kx + 4],
                            w[co, ci, ky, kx + 3],
                            w[co, ci, ky, kx + 2],
                            w[co, ci, ky, kx + 1],
                            w[co, ci, ky, kx],
                            M,
                        )
                        kx += 5
                    while kx < K:
                        _axpy1(acc, d, K - 1 - kx, w[co, ci, ky, kx], M)
                        kx += 1


@njit(inline="always")
def _dot5(d, x, off, n):
    """(sum_j d[j] x[off + t + j]) for t = 0..4."""
    xs = x[off : off + n + 4]
    s0 = d[0] * 0
    s1 = s0
    s2 = s0
    s3 = s0
    s4 = s0
    for j in range(n):
        dj = d[j]
        s0 += dj * xs[j]
        s1 += dj * xs[j + 1]
        s2 += dj * xs[j + 2]
        s3 += dj * xs[j + 3]
        s4 += dj * xs[j + 4]
    return s0, s1, s2, s3, s4


@njit(inline="always")
def _dot1(d, x, off, n):
    xs = x[off : off + n]
    s = d[0] * 0
    for j in range(n):
        s += d[j] * xs[j]
    return s


@njit
def conv_grad_weights(xp, dout, gw):
    """gw[co, ci, ky, kx] = sum_{n, y, x} dout[n, co, y, x] * xp[n, ci, y + ky, x + kx].

    Each image's contribution is formed whole, then added in the order n = 0, 1, ...
    """
    N, Ci, Hp, Wp = xp.shape
    Co, Ho, Wo = dout.shape[1], dout.shape[2], dout.shape[3]
    K = gw.shape[3]
    L = (Ho - 1) * Wp + Wo
    gw[...] = 0
    part = np.empty_like(gw)
    dw = np.zeros((Co, L), dtype=dout.dtype)  # output gradient on the wide row
    for n in range(N):
        for co in range(Co):
            for y in range(Ho):
                src = dout[n, co, y]
                dst = dw[co, y * Wp : y * Wp + Wo]
                for x in range(Wo):
                    dst[x] = src[x]
        xf = xp[n].reshape((Ci, Hp * Wp))
        for co in range(Co):
            d = dw[co]
            for ci in range(Ci):
                x = xf[ci]
                for ky in range(K):
                    off = ky * Wp
                    kx = 0
                    while kx + 5 <= K:
                        s0, s1, s2, s3, s4 = _dot5(d, x, off + kx, L)
                        part[co, ci, ky, kx] = s0
                        part[co, ci, ky, kx + 1] = s1
                        part[co, ci, ky, kx + 2] = s2
                        part[co, ci, ky, kx + 3] = s3
                        part[co, ci, ky, kx + 4] = s4
                        kx += 5
                    while kx < K:
                        part[co, ci, ky, kx] = _dot1(d, x, off + kx, L)
                        kx += 1
        gw += part


@njit
def bias_grad(dout, out):
    """out[c] = sum over n, y, x of dout[n, c, y, x] (summed per plane, then over n)."""
    N, C, H, W = dout.shape
    for c in range(C):
        s = dout[0, 0, 0, 0] * 0
        for n in range(N):
            plane = dout[n, c]
            t = s * 0
            for y in range(H):
                for x in range(W):
                    t += plane[y, x]
            s += t
        out[c] = s
