"""Private numba kernels: dense (fully connected) layer, ReLU, softmax cross-entropy.

Each row of a batch is computed on its own, in a fixed order, so a sample's output does
not depend on which other samples share its batch (scikit-learn checks this bit for bit).
That is why the dense layer is written out here instead of calling BLAS, whose blocking
can change the summation order with the batch size. The weight gradient is summed over
the batch in the order of the rows.
"""

import numpy as np

from .._numba import njit


@njit
def dense_forward(x, w, b, out):
    """out[i, o] = b[o] + sum_k x[i, k] * w[o, k];  x (N, F), w (O, F), out (N, O)."""
    N, F = x.shape
    O = w.shape[0]
    for i in range(N):
        xi = x[i]
        dst = out[i]
        o = 0
        while o + 4 <= O:  # four dot products share each load of xi
            w0 = w[o]
            w1 = w[o + 1]
            w2 = w[o + 2]
            w3 = w[o + 3]
            s0 = xi[0] * 0
            s1 = s0
            s2 = s0
            s3 = s0
            for k in range(F):
                v = xi[k]
                s0 += v * w0[k]
                s1 += v * w1[k]
                s2 += v * w2[k]
                s3 += v * w3[k]
            dst[o] = s0 + b[o]
            dst[o + 1] = s1 + b[o + 1]
            dst[o + 2] = s2 + b[o + 2]
            dst[o + 3] = s3 + b[o + 3]
            o += 4
        while o < O:
            wo = w[o]
            s = xi[0] * 0
            for k in range(F):
                s += xi[k] * wo[k]
            dst[o] = s + b[o]
            o += 1


@njit
def dense_backward_input(dout, w, dx):
    """dx[i, k] = sum_o dout[i, o] * w[o, k]."""
    N, O = dout.shape
    F = w.shape[1]
    for i in range(N):
        g = dx[i]
        g[:] = 0
        for o in range(O):
            d = dout[i, o]
            wo = w[o]
            for k in range(F):
                g[k] += d * wo[k]


@njit
def dense_backward_params(x, dout, dw, db):
    """dw[o, k] = sum_i dout[i, o] x[i, k];  db[o] = sum_i dout[i, o]  (rows in order)."""
    N, F = x.shape
    O = dout.shape[1]
    for o in range(O):
        g = dw[o]
        g[:] = 0
        t = dout[0, o] * 0
        for i in range(N):
            d = dout[i, o]
            t += d
            xi = x[i]
            for k in range(F):
                g[k] += d * xi[k]
        db[o] = t


@njit
def relu_forward(x, out):
    """out = max(x, 0), elementwise over flat arrays."""
    for i in range(x.shape[0]):
        v = x[i]
        out[i] = v if v > 0 else v * 0


@njit
def relu_inplace(x):
    """x = max(x, 0), elementwise over a flat array."""
    for i in range(x.shape[0]):
        v = x[i]
        x[i] = v if v > 0 else v * 0


@njit
def relu_backward(y, dout, dx):
    """dx = dout where the ReLU's output y > 0, else 0 (flat arrays)."""
    for i in range(y.shape[0]):
        dx[i] = dout[i] if y[i] > 0 else dout[i] * 0


@njit
def softmax(z, out):
    """Row-wise softmax, shifted by the row maximum."""
    N, C = z.shape
    for i in range(N):
        m = z[i, 0]
        for c in range(1, C):
            m = max(m, z[i, c])
        t = z[i, 0] * 0
        for c in range(C):
            e = np.exp(z[i, c] - m)
            out[i, c] = e
            t += e
        for c in range(C):
            out[i, c] /= t


@njit
def softmax_cross_entropy(z, y, dz):
    """Mean cross-entropy of logits ``z`` (N, C) against class indices ``y``; dz = d loss/dz.

    ``loss = -(1/N) sum_i log softmax(z_i)[y_i]`` computed as ``logsumexp(z_i) - z_i[y_i]``;
    ``dz = (softmax(z) - onehot(y)) / N``. The loss is accumulated in float64.
    """
    N, C = z.shape
    loss = 0.0
    for i in range(N):
        m = z[i, 0]
        for c in range(1, C):
            m = max(m, z[i, c])
        t = 0.0
        for c in range(C):
            e = np.exp(z[i, c] - m)
            dz[i, c] = e
            t += e
        loss += np.log(t) + m - z[i, y[i]]
        for c in range(C):
            dz[i, c] = dz[i, c] / t / N
        dz[i, y[i]] -= 1.0 / N
    return loss / N
