"""Layers of the CNN baseline: shapes, parameters, forward and backward passes.

A layer is built for one input shape (per sample: ``(C, H, W)`` or ``(F,)``), owns views
into the network's flat parameter and gradient vectors, and runs numba kernels from
``_conv``, ``_pool``, ``_aps`` and ``_dense``. ``forward(x, train=True)`` keeps what ``backward``
needs; ``backward(dout)`` writes the parameter gradients into the views and returns the
input gradient (``None`` when ``need_dx=False``, as for the first layer).
"""

import numpy as np

from . import _aps, _conv, _dense, _pool


class Layer:
    """Base class: a layer without parameters that maps its input shape to itself."""

    def build(self, in_shape):
        """Fix the per-sample input shape and return the output shape."""
        self.in_shape = tuple(in_shape)
        self.out_shape = self.in_shape
        return self.out_shape

    def param_shapes(self):
        """Shapes of the weights (decayed by L2) and of the biases (not decayed)."""
        return [], []

    def bind(self, weights, biases, weight_grads, bias_grads):
        """Attach views into the network's flat parameter and gradient vectors."""
        self.params = list(weights) + list(biases)
        self.grads = list(weight_grads) + list(bias_grads)

    def init_params(self, rng):
        """Draw the initial parameters from ``rng`` (a ``numpy.random.RandomState``)."""

    def __repr__(self):
        return f"{type(self).__name__}({self.in_shape} -> {self.out_shape})"


def _he_uniform(rng, shape, fan_in, dtype, gain=6.0):
    """Uniform on ``±sqrt(gain / fan_in)`` (He et al. 2015 for ReLU with gain 6)."""
    limit = np.sqrt(gain / fan_in)
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


class Conv2D(Layer):
    """Convolution (cross-correlation) with ``out_channels`` filters of ``k x k``.

    The input is padded by ``padding`` pixels on every side: with zeros, or with
    ``circular=True`` by wrapping around (the convolution then commutes with circular
    shifts of the input). ``relu=True`` applies a ReLU to the output inside the kernel
    (one pass over the output less than a separate :class:`ReLU` layer); the backward pass
    then masks the incoming gradient with ``output > 0`` first.
    """

    def __init__(self, out_channels, kernel_size, padding=0, relu=False, circular=False):
        self.out_channels = int(out_channels)
        self.kernel_size = int(kernel_size)
        self.padding = int(padding)
        self.relu = bool(relu)
        self.circular = bool(circular)

    def build(self, in_shape):
        self.in_shape = tuple(in_shape)
        C, H, W = self.in_shape
        k, p = self.kernel_size, self.padding
        if H + 2 * p < k or W + 2 * p < k:
            raise ValueError(
                f"a {k}x{k} convolution with padding {p} does not fit planes of {H}x{W}: "
                "the images are too small for this architecture (use larger images, "
                "padding='same', a smaller kernel_size or fewer conv_channels)"
            )
        self.out_shape = (self.out_channels, H + 2 * p - k + 1, W + 2 * p - k + 1)
        return self.out_shape

    def param_shapes(self):
        k = self.kernel_size
        return [(self.out_channels, self.in_shape[0], k, k)], [(self.out_channels,)]

    def init_params(self, rng):
        w, b = self.params
        w[...] = _he_uniform(rng, w.shape, w[0].size, w.dtype)
        b[...] = 0

    def forward(self, x, train=False):
        p = self.padding
        if p:
            n, c, h, w = x.shape
            xp = np.empty((n, c, h + 2 * p, w + 2 * p), dtype=x.dtype)
            (_conv.wrap_pad_planes if self.circular else _conv.pad_planes)(x, p, xp)
        else:
            xp = x
        out = np.empty((x.shape[0],) + self.out_shape, dtype=x.dtype)
        _conv.conv_forward(xp, self.params[0], self.params[1], self.relu, out)
        self._xp = xp if train else None
        self._y = out if train and self.relu else None
        return out

    def backward(self, dout, need_dx=True):
        w, _ = self.params
        gw, gb = self.grads
        xp = self._xp
        n = dout.shape[0]
        if self.relu:
            masked = np.empty_like(dout)
            _dense.relu_backward(self._y.reshape(-1), dout.reshape(-1), masked.reshape(-1))
            dout = masked
        _conv.conv_grad_weights(xp, dout, gw)
        _conv.bias_grad(dout, gb)
        if not need_dx:
            return None
        p = self.padding
        dxp = np.empty(xp.shape, dtype=dout.dtype)
        _conv.conv_grad_input(dout, w, dxp)
        if not p:
            return dxp
        dx = np.empty((n,) + self.in_shape, dtype=dout.dtype)
        (_conv.wrap_crop_planes if self.circular else _conv.crop_planes)(dxp, p, dx)
        return dx


class Pool2D(Layer):
    """Max or average pooling over ``size x size`` windows at ``stride`` (clipped at the border).

    ``circular=True`` (max pooling at stride 1 only): a window at every pixel, wrapping
    around the bottom/right edge, so the output has the input's size and commutes with
    circular shifts (the pooling before :class:`AdaptivePolyphase`).
    """

    def __init__(self, kind="max", size=2, stride=2, circular=False):
        if kind not in ("max", "avg"):
            raise ValueError(f"pooling must be 'max' or 'avg', got {kind!r}")
        if circular and (kind, int(stride)) != ("max", 1):
            raise ValueError(f"circular pooling is max pooling at stride 1, got {kind!r} "
                             f"at stride {stride}")
        self.kind = kind
        self.size = int(size)
        self.stride = int(stride)
        self.circular = bool(circular)

    def build(self, in_shape):
        self.in_shape = tuple(in_shape)
        C, H, W = self.in_shape
        k, s = self.size, self.stride
        if self.circular:
            self.out_shape = self.in_shape
        else:
            self.out_shape = (C, _pool.pool_size(H, k, s), _pool.pool_size(W, k, s))
        return self.out_shape

    def forward(self, x, train=False):
        out = np.empty((x.shape[0],) + self.out_shape, dtype=x.dtype)
        if self.kind == "max":
            arg = np.empty(out.shape if train else (1, 1, 1, 1), dtype=np.int32)
            if self.circular:
                _aps.wrap_max_pool_forward(x, self.size, out, arg, train)
            else:
                _pool.max_pool_forward(x, self.size, self.stride, out, arg, train)
            self._arg = arg if train else None
        else:
            _pool.avg_pool_forward(x, self.size, self.stride, out)
        return out

    def backward(self, dout, need_dx=True):
        dx = np.empty((dout.shape[0],) + self.in_shape, dtype=dout.dtype)
        if self.kind == "max":
            _pool.max_pool_backward(dout, self._arg, dx)
        else:
            _pool.avg_pool_backward(dout, self.size, self.stride, dx)
        return dx


def binomial_filter(m):
    """Normalised binomial coefficients of length ``m``: [1, 2, 1] / 4 for ``m = 3``."""
    f = np.array([1.0])
    for _ in range(m - 1):
        f = np.convolve(f, [1.0, 1.0])
    return f / f.sum()


class Blur(Layer):
    """Binomial blur then subsampling at ``stride`` (the second half of Zhang's BlurPool)."""

    def __init__(self, stride=2, filter_size=3):
        self.stride = int(stride)
        self.filter_size = int(filter_size)

    def build(self, in_shape):
        self.in_shape = tuple(in_shape)
        C, H, W = self.in_shape
        m, s = self.filter_size, self.stride
        self.out_shape = (C, _pool.blur_size(H, m, s), _pool.blur_size(W, m, s))
        return self.out_shape

    def _filter(self, dtype):
        return binomial_filter(self.filter_size).astype(dtype)

    def forward(self, x, train=False):
        out = np.empty((x.shape[0],) + self.out_shape, dtype=x.dtype)
        _pool.blur_forward(x, self._filter(x.dtype), self.stride, out)
        return out

    def backward(self, dout, need_dx=True):
        dx = np.empty((dout.shape[0],) + self.in_shape, dtype=dout.dtype)
        _pool.blur_backward(dout, self._filter(dout.dtype), self.stride, dx)
        return dx


class AdaptivePolyphase(Layer):
    """Adaptive polyphase sampling (Chaman & Dokmanic, CVPR 2021): downsampling by 2 that
    keeps, per sample, the polyphase component of largest l2 norm over all channels
    (``_aps``; ties to the first of the offsets (0, 0), (0, 1), (1, 0), (1, 1)). Odd sides
    wrap around: ``(C, H, W) -> (C, ceil(H/2), ceil(W/2))``. The gradient flows to the
    chosen component only."""

    def build(self, in_shape):
        self.in_shape = tuple(in_shape)
        C, H, W = self.in_shape
        self.out_shape = (C, _aps.aps_size(H), _aps.aps_size(W))
        return self.out_shape

    def forward(self, x, train=False):
        phase = np.empty(x.shape[0], dtype=np.int64)
        _aps.aps_choose(x, phase)
        out = np.empty((x.shape[0],) + self.out_shape, dtype=x.dtype)
        _aps.aps_forward(x, phase, out)
        self._phase = phase if train else None
        return out

    def backward(self, dout, need_dx=True):
        dx = np.empty((dout.shape[0],) + self.in_shape, dtype=dout.dtype)
        _aps.aps_backward(dout, self._phase, dx)
        return dx


class GlobalAvgPool(Layer):
    """Mean of every plane: (C, H, W) -> (C,)."""

    def build(self, in_shape):
        self.in_shape = tuple(in_shape)
        self.out_shape = (self.in_shape[0],)
        return self.out_shape

    def forward(self, x, train=False):
        out = np.empty((x.shape[0], x.shape[1]), dtype=x.dtype)
        _pool.global_avg_forward(x, out)
        return out

    def backward(self, dout, need_dx=True):
        dx = np.empty((dout.shape[0],) + self.in_shape, dtype=dout.dtype)
        _pool.global_avg_backward(dout, dx)
        return dx


class Flatten(Layer):
    """(C, H, W) -> (C * H * W,), a view."""

    def build(self, in_shape):
        self.in_shape = tuple(in_shape)
        self.out_shape = (int(np.prod(self.in_shape)),)
        return self.out_shape

    def forward(self, x, train=False):
        return x.reshape(x.shape[0], -1)

    def backward(self, dout, need_dx=True):
        return dout.reshape((dout.shape[0],) + self.in_shape)


class Dense(Layer):
    """Fully connected layer: ``y = x @ W.T + b`` with ``W`` of shape (units, F)."""

    def __init__(self, units, gain=6.0):
        self.units = int(units)
        self.gain = float(gain)

    def build(self, in_shape):
        self.in_shape = tuple(in_shape)
        if len(self.in_shape) != 1:
            raise ValueError(f"Dense needs flat input, got per-sample shape {self.in_shape}")
        self.out_shape = (self.units,)
        return self.out_shape

    def param_shapes(self):
        return [(self.units, self.in_shape[0])], [(self.units,)]

    def init_params(self, rng):
        w, b = self.params
        w[...] = _he_uniform(rng, w.shape, w.shape[1], w.dtype, self.gain)
        b[...] = 0

    def forward(self, x, train=False):
        out = np.empty((x.shape[0], self.units), dtype=x.dtype)
        _dense.dense_forward(x, self.params[0], self.params[1], out)
        self._x = x if train else None
        return out

    def backward(self, dout, need_dx=True):
        w, _ = self.params
        _dense.dense_backward_params(self._x, dout, self.grads[0], self.grads[1])
        if not need_dx:
            return None
        dx = np.empty((dout.shape[0], w.shape[1]), dtype=dout.dtype)
        _dense.dense_backward_input(dout, w, dx)
        return dx


class ReLU(Layer):
    """Rectified linear unit, elementwise.

    ``inplace=True`` overwrites the input instead of allocating: safe after a layer that
    returns a fresh array no other layer keeps (as in :func:`~.network.lenet_layers`),
    since no backward pass here reads its layer's output (convolutions and dense layers
    read their input, max pooling its argmax).
    """

    def __init__(self, inplace=False):
        self.inplace = bool(inplace)

    def forward(self, x, train=False):
        if self.inplace:
            out = x
            _dense.relu_inplace(x.reshape(-1))
        else:
            out = np.empty_like(x)
            _dense.relu_forward(x.reshape(-1), out.reshape(-1))
        self._y = out if train else None
        return out

    def backward(self, dout, need_dx=True):
        dx = np.empty_like(dout)
        _dense.relu_backward(self._y.reshape(-1), dout.reshape(-1), dx.reshape(-1))
        return dx
