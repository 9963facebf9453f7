"""Plain-numpy reference loops for the CNN kernels (oracles for tests/test_cnn_*.py).

Written for clarity, not speed: one explicit loop per index of the textbook definition,
so that they share no code and no trick (wide rows, fused taps) with the numba kernels.
"""

import numpy as np

DTYPES = [np.float32, np.float64]


def tol(dtype, scale=1.0):
    """Tolerances for sums of O(100) terms of size ``scale`` (test helper, not an oracle)."""
    return (
        dict(rtol=1e-5, atol=1e-5 * scale)
        if dtype == np.float32
        else dict(rtol=1e-12, atol=1e-12 * scale)
    )


def rand(rng, shape, dtype):
    """Standard normal test data of ``dtype`` (test helper, not an oracle)."""
    return rng.standard_normal(shape).astype(dtype)


def pad(x, p):
    """Zero-pad the last two axes by ``p``."""
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)])


def conv2d(x, w, b, padding=0):
    """out[n, co, y, x] = b[co] + sum_{ci, ky, kx} w[co, ci, ky, kx] xp[n, ci, y+ky, x+kx]."""
    xp = pad(x, padding)
    N, Ci, H, W = xp.shape
    Co, _, K, _ = w.shape
    out = np.zeros((N, Co, H - K + 1, W - K + 1), dtype=np.float64)
    for n in range(N):
        for co in range(Co):
            for y in range(H - K + 1):
                for x_ in range(W - K + 1):
                    t = float(b[co])
                    for ci in range(Ci):
                        for ky in range(K):
                            for kx in range(K):
                                t += float(w[co, ci, ky, kx]) * float(xp[n, ci, y + ky, x_ + kx])
                    out[n, co, y, x_] = t
    return out


def pool_size(n, k, s):
    """Windows start at 0, s, 2s, ... up to the first start that reaches n - k."""
    count, start = 1, 0
    while start < n - k:
        start += s
        count += 1
    return count


def pool2d(x, k, s, kind):
    """Max or mean over windows [i*s, i*s+k) x [j*s, j*s+k) clipped to the plane."""
    N, C, H, W = x.shape
    Ho, Wo = pool_size(H, k, s), pool_size(W, k, s)
    out = np.zeros((N, C, Ho, Wo), dtype=np.float64)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    win = x[n, c, i * s : min(i * s + k, H), j * s : min(j * s + k, W)]
                    out[n, c, i, j] = win.max() if kind == "max" else win.mean()
    return out


def reflect_index(i, n):
    """Reflection without repeating the edge pixel (numpy's "reflect"); size 1 maps to 0."""
    if n == 1:
        return 0
    period = 2 * (n - 1)
    i = abs(i) % period
    return i if i < n else period - i


def blur(x, f, s):
    """2-D separable blur by the 1-D filter f (outer product), reflect-padded, stride s."""
    N, C, H, W = x.shape
    m = len(f)
    lo = (m - 1) // 2
    Ho, Wo = (H - 1) // s + 1, (W - 1) // s + 1
    out = np.zeros((N, C, Ho, Wo), dtype=np.float64)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    t = 0.0
                    for a in range(m):
                        for b_ in range(m):
                            yy = reflect_index(i * s - lo + a, H)
                            xx = reflect_index(j * s - lo + b_, W)
                            t += f[a] * f[b_] * float(x[n, c, yy, xx])
                    out[n, c, i, j] = t
    return out


def wrap_pad(x, p):
    """Pad the last two axes by ``p`` circularly (numpy's ``mode="wrap"``, which wraps again
    when ``p`` exceeds the side)."""
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p, p), (p, p)], mode="wrap")


def wrap_fold(dxp, p, H, W):
    """Adjoint of :func:`wrap_pad`: each padded pixel's value added to the pixel it copies,
    found by padding a plane of pixel numbers."""
    index = wrap_pad(np.arange(H * W).reshape(H, W), p).ravel()
    N, C = dxp.shape[:2]
    out = np.zeros((N, C, H * W))
    for n in range(N):
        for c in range(C):
            np.add.at(out[n, c], index, dxp[n, c].ravel().astype(np.float64))
    return out.reshape(N, C, H, W)


def wrap_max_pool(x, k):
    """Max over the k x k window at every pixel of the plane padded circularly by k - 1
    rows and columns at the bottom/right; also the flat index (in the unpadded plane) of the
    window's first maximum in row-major order."""
    N, C, H, W = x.shape
    xp = np.pad(x, [(0, 0), (0, 0), (0, k - 1), (0, k - 1)], mode="wrap")
    out = np.zeros((N, C, H, W))
    arg = np.zeros((N, C, H, W), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for y in range(H):
                for x_ in range(W):
                    win = xp[n, c, y : y + k, x_ : x_ + k]
                    dy, dx = np.unravel_index(np.argmax(win), win.shape)
                    out[n, c, y, x_] = win[dy, dx]
                    arg[n, c, y, x_] = ((y + dy) % H) * W + (x_ + dx) % W
    return out, arg


def polyphase_components(planes):
    """The four stride-2 grids (a, b) = (0, 0), (0, 1), (1, 0), (1, 1) of ``(C, H, W)``
    planes, an odd side first padded circularly by one row/column at the bottom/right."""
    H, W = planes.shape[1:]
    xp = np.pad(planes, [(0, 0), (0, H % 2), (0, W % 2)], mode="wrap")
    return [xp[:, a::2, b::2] for a in (0, 1) for b in (0, 1)]


def aps(x):
    """Adaptive polyphase sampling: per sample the component with the largest l2 norm over
    all channels (np.argmax: the first on ties). Returns (output, chosen components)."""
    outs, phases = [], []
    for planes in x:
        comps = polyphase_components(planes.astype(np.float64))
        phases.append(int(np.argmax([np.linalg.norm(c.ravel()) for c in comps])))
        outs.append(comps[phases[-1]])
    return np.stack(outs), np.array(phases)


def aps_grad(x, phases, dout):
    """Gradient of sum(dout * aps(x)) w.r.t. x: dout put back on the chosen grid of the
    padded plane, the padding row/column then added to the row/column it copies."""
    N, C, H, W = x.shape
    dx = np.zeros((N, C, H, W))
    for n in range(N):
        a, b = divmod(int(phases[n]), 2)
        g = np.zeros((C, H + H % 2, W + W % 2))
        g[:, a::2, b::2] = dout[n]
        if H % 2:
            g[:, 0] += g[:, H]
        if W % 2:
            g[:, :, 0] += g[:, :, W]
        dx[n] = g[:, :H, :W]
    return dx


def global_avg(x):
    N, C = x.shape[:2]
    out = np.zeros((N, C))
    for n in range(N):
        for c in range(C):
            out[n, c] = np.mean(x[n, c], dtype=np.float64)
    return out


def dense(x, w, b):
    N, F = x.shape
    O = w.shape[0]
    out = np.zeros((N, O))
    for i in range(N):
        for o in range(O):
            out[i, o] = b[o] + sum(float(x[i, k]) * float(w[o, k]) for k in range(F))
    return out


def relu(x):
    return np.where(x > 0, x, 0.0)


def softmax_cross_entropy(z, y):
    """Mean over rows of -log(softmax(z_i)[y_i]), with math.exp on each entry."""
    total = 0.0
    for i in range(z.shape[0]):
        m = max(z[i])
        s = sum(np.exp(float(v) - m) for v in z[i])
        total += -(float(z[i, y[i]]) - m - np.log(s))
    return total / z.shape[0]


def shift(img, dy, dx, fill):
    """Translate a 2-D image by (dy, dx) pixels (down, right); vacated pixels = fill."""
    H, W = img.shape
    out = np.full((H, W), fill, dtype=np.float64)
    for y in range(H):
        for x in range(W):
            sy, sx = y - dy, x - dx
            if 0 <= sy < H and 0 <= sx < W:
                out[y, x] = img[sy, sx]
    return out


def conv2d_grad(x, w, dout, padding=0):
    """Gradients of sum(dout * conv2d(x, w, b, padding)) w.r.t. x, w and b, by scattering."""
    xp = pad(x, padding).astype(np.float64)
    N, Ci, H, W = xp.shape
    Co, _, K, _ = w.shape
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    db = np.zeros(Co)
    for n in range(N):
        for co in range(Co):
            for y in range(H - K + 1):
                for x_ in range(W - K + 1):
                    g = float(dout[n, co, y, x_])
                    db[co] += g
                    for ci in range(Ci):
                        for ky in range(K):
                            for kx in range(K):
                                dw[co, ci, ky, kx] += g * xp[n, ci, y + ky, x_ + kx]
                                dxp[n, ci, y + ky, x_ + kx] += g * float(w[co, ci, ky, kx])
    dx = dxp[:, :, padding : H - padding, padding : W - padding]
    return dx, dw, db


def adam(theta, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8, alpha=0.0, n_weights=0):
    """Textbook Adam (Kingma & Ba, Algorithm 1) over a list of gradients, in float64."""
    theta = theta.astype(np.float64).copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = g.astype(np.float64).copy()
        g[:n_weights] += alpha * theta[:n_weights]
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def sgd_nesterov(theta, grads, lr, momentum):
    """SGD with Nesterov momentum in the form of Sutskever et al. (2013), float64."""
    theta = theta.astype(np.float64).copy()
    vel = np.zeros_like(theta)
    for g in grads:
        vel = momentum * vel - lr * g
        theta += momentum * vel - lr * g
    return theta
