"""Private numba kernels: max and average pooling, the BlurPool blur, global average pooling.

Layout NCHW; the kernels loop over the planes ``(n, c)`` and run serially (see
:mod:`neocognitron.cnn._conv`).

Pooling windows of size ``k`` start at ``0, s, 2s, ...``; the last window is clipped at the
border ("ceil mode", windows start inside the plane), so a plane of any size >= 1 gives
``pool_size(H, k, s)`` outputs. A clipped average window is divided by the number of
pixels it covers.

Blur (Zhang, "Making convolutional networks shift-invariant again", ICML 2019): a
separable binomial filter ``f`` (``[1, 2, 1] / 4`` by default), reflect-padded by
``(len(f) - 1) // 2`` on the top/left and ``len(f) // 2`` on the bottom/right as in the
reference implementation (``nn.ReflectionPad2d``), then sampled at stride ``s``. Reflection
does not repeat the edge pixel (numpy's ``np.pad(mode="reflect")``, scipy.ndimage's
``mode="mirror"``). The reference refuses a pad as wide as the plane; here the reflection
repeats as numpy's does, so the padded plane is periodic with period ``2 (n - 1)``
(``a b c`` pads to ``... c b a b c b a ...``) whatever the pad; a plane of one pixel
repeats that pixel.
"""

import numpy as np

from .._numba import njit


@njit
def pool_size(n, k, s):
    """Number of windows of size ``k`` at stride ``s`` starting inside ``n`` pixels."""
    if n <= k:
        return 1
    return (n - k + s - 1) // s + 1


@njit
def blur_size(n, m, s):
    """Output size of the blur: ``n`` reflect-padded to ``n + m - 1``, filter ``m``, stride s."""
    return (n - 1) // s + 1


@njit(inline="always")
def _reflect(i, n):
    """Index of the pixel that the reflect-padded plane of ``n`` pixels holds at ``i``."""
    if 0 <= i < n:
        return i
    if n == 1:
        return 0
    # one reflection is not enough when the pad reaches past the plane (n <= pad)
    period = 2 * (n - 1)
    i = abs(i) % period
    return i if i < n else period - i


@njit(inline="always")
def _max_window(p, y0, y1, x0, x1, W):
    """Maximum of p[y0:y1, x0:x1] and the flat index of its first occurrence."""
    best = p[y0, x0]
    bi = y0 * W + x0
    for y in range(y0, y1):
        for xx in range(x0, x1):
            v = p[y, xx]
            if v > best:
                best = v
                bi = y * W + xx
    return best, bi


@njit
def max_pool_forward(x, k, s, out, arg, keep_arg):
    """out = max over each window; when ``keep_arg``, arg = flat index ``y * W + x`` of the
    first maximum (row-major order within the window)."""
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2], out.shape[3]
    for job in range(N * C):
        n = job // C
        c = job % C
        p = x[n, c]
        for i in range(Ho):
            y0 = i * s
            y1 = min(y0 + k, H)
            dst = out[n, c, i]
            if k == 2 and y1 == y0 + 2:  # the common 2x2 case, unrolled
                r0 = p[y0]
                r1 = p[y0 + 1]
                if not keep_arg:
                    for j in range(Wo):
                        x0 = j * s
                        x1 = min(x0 + 1, W - 1)
                        dst[j] = max(max(r0[x0], r0[x1]), max(r1[x0], r1[x1]))
                    continue
                ai = arg[n, c, i]
                for j in range(Wo):
                    x0 = j * s
                    x1 = min(x0 + 1, W - 1)
                    best = r0[x0]
                    bi = y0 * W + x0
                    v = r0[x1]
                    if v > best:
                        best = v
                        bi = y0 * W + x1
                    v = r1[x0]
                    if v > best:
                        best = v
                        bi = (y0 + 1) * W + x0
                    v = r1[x1]
                    if v > best:
                        best = v
                        bi = (y0 + 1) * W + x1
                    dst[j] = best
                    ai[j] = bi
                continue
            for j in range(Wo):
                x0 = j * s
                best, bi = _max_window(p, y0, y1, x0, min(x0 + k, W), W)
                dst[j] = best
                if keep_arg:
                    arg[n, c, i, j] = bi


@njit
def max_pool_backward(dout, arg, dx):
    """dx = 0, then dx[arg] += dout (windows may overlap when the stride is below k)."""
    N, C, H, W = dx.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    for job in range(N * C):
        n = job // C
        c = job % C
        g = dx[n, c].reshape(H * W)
        g[:] = 0
        for i in range(Ho):
            for j in range(Wo):
                g[arg[n, c, i, j]] += dout[n, c, i, j]


@njit
def avg_pool_forward(x, k, s, out):
    """out = mean over each (clipped) window."""
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2], out.shape[3]
    for job in range(N * C):
        n = job // C
        c = job % C
        p = x[n, c]
        for i in range(Ho):
            y0 = i * s
            y1 = min(y0 + k, H)
            for j in range(Wo):
                x0 = j * s
                x1 = min(x0 + k, W)
                t = p[y0, x0] * 0
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        t += p[y, xx]
                out[n, c, i, j] = t / ((y1 - y0) * (x1 - x0))


@njit
def avg_pool_backward(dout, k, s, dx):
    """dx = sum over the windows covering each pixel of dout / window area."""
    N, C, H, W = dx.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    for job in range(N * C):
        n = job // C
        c = job % C
        g = dx[n, c]
        g[:, :] = 0
        for i in range(Ho):
            y0 = i * s
            y1 = min(y0 + k, H)
            for j in range(Wo):
                x0 = j * s
                x1 = min(x0 + k, W)
                v = dout[n, c, i, j] / ((y1 - y0) * (x1 - x0))
                for y in range(y0, y1):
                    for xx in range(x0, x1):
                        g[y, xx] += v


@njit
def blur_forward(x, f, s, out):
    """Separable blur with reflect padding, sampled at stride ``s`` (Zhang 2019)."""
    N, C, H, W = x.shape
    Ho, Wo = out.shape[2], out.shape[3]
    m = f.shape[0]
    lo = (m - 1) // 2
    for job in range(N * C):
        n = job // C
        c = job % C
        p = x[n, c]
        tmp = np.zeros((Ho, W), dtype=out.dtype)  # vertical pass
        for i in range(Ho):
            for a in range(m):
                row = p[_reflect(i * s - lo + a, H)]
                fa = f[a]
                dst = tmp[i]
                for xx in range(W):
                    dst[xx] += fa * row[xx]
        for i in range(Ho):  # horizontal pass
            src = tmp[i]
            for j in range(Wo):
                t = src[0] * 0
                for b in range(m):
                    t += f[b] * src[_reflect(j * s - lo + b, W)]
                out[n, c, i, j] = t


@njit
def blur_backward(dout, f, s, dx):
    """The adjoint of :func:`blur_forward`: scatter each output's gradient to its taps."""
    N, C, H, W = dx.shape
    Ho, Wo = dout.shape[2], dout.shape[3]
    m = f.shape[0]
    lo = (m - 1) // 2
    for job in range(N * C):
        n = job // C
        c = job % C
        tmp = np.zeros((Ho, W), dtype=dx.dtype)
        for i in range(Ho):
            dst = tmp[i]
            for j in range(Wo):
                g = dout[n, c, i, j]
                for b in range(m):
                    dst[_reflect(j * s - lo + b, W)] += f[b] * g
        g2 = dx[n, c]
        g2[:, :] = 0
        for i in range(Ho):
            src = tmp[i]
            for a in range(m):
                dst = g2[_reflect(i * s - lo + a, H)]
                fa = f[a]
                for xx in range(W):
                    dst[xx] += fa * src[xx]


@njit
def global_avg_forward(x, out):
    """out[n, c] = mean of plane x[n, c]."""
    N, C, H, W = x.shape
    for job in range(N * C):
        n = job // C
        c = job % C
        p = x[n, c]
        t = p[0, 0] * 0
        for y in range(H):
            for xx in range(W):
                t += p[y, xx]
        out[n, c] = t / (H * W)


@njit
def global_avg_backward(dout, dx):
    """dx[n, c, :, :] = dout[n, c] / (H W)."""
    N, C, H, W = dx.shape
    for job in range(N * C):
        n = job // C
        c = job % C
        dx[n, c, :, :] = dout[n, c] / (H * W)
