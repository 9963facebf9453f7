"""A sequential network over flat parameter vectors, its data-parallel form, and LeNet-5.

All weights of the network live in one contiguous vector ``theta`` (weights first, then
biases) and all gradients in ``grad``; the layers hold views. An optimizer step is then one
kernel call over the whole vector, and the L2 penalty applies to ``theta[:n_weights]``.

Parallelism. The kernels are serial; :class:`DataParallel` splits every batch into a fixed
number of shards (:data:`N_SHARDS`), runs the shards' forward and backward passes on as many
threads as there are cores to run them (numba kernels release the GIL; :func:`run_tasks`)
and adds the shards' gradients in shard order. This
replaced ``prange`` inside every kernel: a training step launches about 20 kernels, and
with numba's OpenMP layer an empty parallel region took a median 12 ms whenever the 2
cores were also busy with other processes (OpenMP threads spin-waiting for a descheduled
sibling; 17 us with ``OMP_WAIT_POLICY=passive``, 0.1 ms with the workqueue layer), which
made one epoch of MNIST take 4 minutes instead of 10 s. One hand-off per thread and batch
is cheap however busy the machine. As the number of shards is fixed, the numbers do not
depend on the number of threads.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numba
import numpy as np

from . import _dense
from .layers import AdaptivePolyphase, Blur, Conv2D, Dense, Flatten, GlobalAvgPool, Pool2D, ReLU

#: Shards of every batch. A constant, not the number of threads: each shard's gradient is
#: computed on its own and the shards' are added in shard order, so the numbers depend on
#: this and not on how many threads share the shards out. Up to 8 cores can take part;
#: a default batch of 32 gives shards of 4 images, and on 2 cores 8 shards train within
#: about 5-10 % of 2 (benchmarks/bench_cnn.py).
N_SHARDS = 8

# threads of the pool, besides the caller's, started only as they are first needed: a call
# of DataParallel has one task per shard, so it can keep N_SHARDS - 1 of them busy at most
_POOL_SIZE = N_SHARDS - 1
_executor = None
_executor_lock = threading.Lock()


def _reset_executor():
    global _executor
    _executor = None


if hasattr(os, "register_at_fork"):  # a forked child must not reuse the parent's threads
    os.register_at_fork(after_in_child=_reset_executor)


def available_threads():
    """Threads worth running: numba's setting (``NUMBA_NUM_THREADS``,
    ``numba.set_num_threads``), capped by the cores this process may run on (numba's
    default counts every core of the machine, also those outside a container's or
    ``taskset``'s affinity)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(numba.get_num_threads(), cores))


def run_tasks(tasks, n_threads=None):
    """Run the callables ``tasks`` on up to ``n_threads`` threads; return their results in
    order.

    The tasks are dealt out in contiguous groups, one per thread; this thread runs the
    first group and a pool the others. ``n_threads`` defaults to
    :func:`available_threads`; with 1 the tasks run one after the other here.
    """
    global _executor
    if n_threads is None:
        n_threads = available_threads()
    n_groups = min(int(n_threads), len(tasks), _POOL_SIZE + 1)
    if n_groups <= 1:
        return _run_all(tasks)
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(_POOL_SIZE, thread_name_prefix="neocognitron-cnn")
        pool = _executor
    cuts = [len(tasks) * g // n_groups for g in range(n_groups + 1)]
    groups = [tasks[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    futures = [pool.submit(_run_all, group) for group in groups[1:]]
    results = _run_all(groups[0])
    for f in futures:
        results += f.result()
    return results


def _run_all(tasks):
    return [task() for task in tasks]


class Network:
    """Layers applied in order to inputs of per-sample shape ``in_shape``.

    Parameters
    ----------
    layers : list of Layer
    in_shape : tuple of int
        Shape of one sample, ``(C, H, W)``.
    dtype : numpy dtype
        float32 (training) or float64 (gradient checks).
    """

    def __init__(self, layers, in_shape, dtype=np.float32, theta=None):
        self.layers = list(layers)
        self.in_shape = tuple(in_shape)
        self.dtype = np.dtype(dtype)
        shape = self.in_shape
        for layer in self.layers:
            shape = layer.build(shape)
        self.out_shape = shape
        w_shapes = [layer.param_shapes()[0] for layer in self.layers]
        b_shapes = [layer.param_shapes()[1] for layer in self.layers]
        self.n_weights = sum(int(np.prod(s)) for ss in w_shapes for s in ss)
        self.n_params = self.n_weights + sum(int(np.prod(s)) for ss in b_shapes for s in ss)
        if theta is None:
            theta = np.zeros(self.n_params, dtype=self.dtype)
        elif theta.shape != (self.n_params,) or theta.dtype != self.dtype:
            raise ValueError(f"theta must be ({self.n_params},) {self.dtype}")
        self.theta = theta
        self.grad = np.zeros(self.n_params, dtype=self.dtype)
        self._bind(w_shapes, b_shapes)

    def _bind(self, w_shapes, b_shapes):
        pos = [0, self.n_weights]  # next free position for weights, for biases

        def take(shape, which):
            size = int(np.prod(shape))
            lo = pos[which]
            pos[which] += size
            return self.theta[lo : lo + size].reshape(shape), self.grad[lo : lo + size].reshape(
                shape
            )

        for layer, ws, bs in zip(self.layers, w_shapes, b_shapes, strict=True):
            w = [take(s, 0) for s in ws]
            b = [take(s, 1) for s in bs]
            layer.bind([v[0] for v in w], [v[0] for v in b], [v[1] for v in w], [v[1] for v in b])

    def clone(self, theta=None):
        """A network with the same layers (new objects), sharing ``theta`` when given."""
        layers = [type(la)(**_spec(la)) for la in self.layers]
        return Network(layers, self.in_shape, self.dtype, theta=theta)

    def __getstate__(self):
        # Views do not survive pickling; rebuild them from theta on load.
        state = {k: v for k, v in self.__dict__.items() if k != "layers"}
        state["layer_specs"] = [(type(la), _spec(la)) for la in self.layers]
        return state

    def __setstate__(self, state):
        specs = state.pop("layer_specs")
        theta, grad = state["theta"], state["grad"]
        self.__init__([cls(**kw) for cls, kw in specs], state["in_shape"], state["dtype"])
        self.theta[...] = theta
        self.grad[...] = grad

    def init_params(self, rng):
        """Draw initial weights from ``rng`` (biases start at zero)."""
        for layer in self.layers:
            layer.init_params(rng)

    def forward(self, x, train=False, stop=None):
        """Run layers ``[0, stop)`` (all by default) on a batch ``x`` of shape (N,) + in_shape."""
        for layer in self.layers[:stop]:
            x = layer.forward(x, train)
        return x

    def backward(self, dout):
        """Back-propagate ``dout`` (gradient of the loss w.r.t. the output); fills ``grad``."""
        for i in range(len(self.layers) - 1, -1, -1):
            dout = self.layers[i].backward(dout, need_dx=i > 0)
        return self.grad

    def loss_grad(self, x, y):
        """Mean softmax cross-entropy of the batch against class indices ``y``; fills ``grad``."""
        z = self.forward(x, train=True)
        dz = np.empty_like(z)
        loss = _dense.softmax_cross_entropy(z, y, dz)
        self.backward(dz)
        return loss

    def _batched(self, x, batch_size, stop):
        if len(x) <= batch_size:
            return self.forward(x, stop=stop)
        outs = [
            self.forward(x[i : i + batch_size], stop=stop) for i in range(0, len(x), batch_size)
        ]
        return np.concatenate(outs)

    def logits(self, x, batch_size=1000):
        """Network output (before the softmax), computed batch by batch."""
        return self._batched(x, batch_size, None)

    def features(self, x, batch_size=1000):
        """Input to the last (classifying) layer: the penultimate features."""
        return self._batched(x, batch_size, len(self.layers) - 1)


class DataParallel:
    """A :class:`Network` replicated over ``n_shards`` fixed shards of each batch.

    The replicas share the parameter vector ``theta``; each has its own layer caches and
    gradient. ``loss_grad`` returns the batch's mean loss and leaves the gradient of that
    mean in ``grad``; the shards' gradients are weighted by their sizes and added in
    shard order.
    """

    def __init__(self, network, n_shards=N_SHARDS):
        self.n_shards = int(n_shards)
        self.replicas = [network] + [
            network.clone(theta=network.theta) for _ in range(self.n_shards - 1)
        ]
        self.theta = network.theta
        self.grad = np.zeros_like(network.grad)
        self.n_weights, self.n_params = network.n_weights, network.n_params
        self.layers, self.in_shape, self.dtype = network.layers, network.in_shape, network.dtype

    def __getstate__(self):
        return {"network": self.replicas[0], "n_shards": self.n_shards, "grad": self.grad}

    def __setstate__(self, state):
        self.__init__(state["network"], state["n_shards"])
        self.grad[...] = state["grad"]

    def init_params(self, rng):
        self.replicas[0].init_params(rng)

    def _cuts(self, n):
        cuts = [n * s // self.n_shards for s in range(self.n_shards + 1)]
        return [(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]

    def loss_grad(self, x, y):
        """Mean softmax cross-entropy over the batch; its gradient goes to ``grad``."""
        n = len(x)
        cuts = self._cuts(n)
        tasks = [
            partial(net.loss_grad, x[a:b], y[a:b])
            for net, (a, b) in zip(self.replicas, cuts, strict=False)
        ]
        losses = run_tasks(tasks)
        self.grad[...] = 0
        loss = 0.0
        for net, (a, b), part in zip(self.replicas, cuts, losses, strict=False):
            w = (b - a) / n
            self.grad += self.dtype.type(w) * net.grad
            loss += w * part
        return loss

    def _map(self, method, x, batch_size):
        outs = []
        for i in range(0, max(len(x), 1), batch_size):
            chunk = x[i : i + batch_size]
            cuts = self._cuts(len(chunk)) or [(0, 0)]
            tasks = [
                partial(getattr(net, method), chunk[a:b], batch_size)
                for net, (a, b) in zip(self.replicas, cuts, strict=False)
            ]
            outs += run_tasks(tasks)
        return np.concatenate(outs) if len(outs) > 1 else outs[0]

    def logits(self, x, batch_size=1000):
        """Network output (before the softmax), computed shard by shard."""
        return self._map("logits", x, batch_size)

    def features(self, x, batch_size=1000):
        """Penultimate features, computed shard by shard."""
        return self._map("features", x, batch_size)


#: Layer arguments added since models were first saved, with their defaults: a spec holds
#: them only away from the default, so a model without them saves byte for byte as before.
_ADDED_ARGS = {"circular": False}


def _spec(layer):
    """Constructor arguments of a layer (for pickling)."""
    keys = {
        Conv2D: ("out_channels", "kernel_size", "padding", "relu", "circular"),
        Pool2D: ("kind", "size", "stride", "circular"),
        Blur: ("stride", "filter_size"),
        Dense: ("units", "gain"),
        ReLU: ("inplace",),
    }.get(type(layer), ())
    return {k: getattr(layer, k) for k in keys
            if k not in _ADDED_ARGS or getattr(layer, k) != _ADDED_ARGS[k]}


def _pool_layers(pooling, antialias):
    """The downsampling of one conv block (see :func:`lenet_layers`)."""
    if pooling == "aps":
        return [Pool2D("max", 2, 1, circular=True), AdaptivePolyphase()]
    if antialias:
        return [Pool2D(pooling, 2, 1), Blur(2, 3)]
    return [Pool2D(pooling, 2, 2)]


def lenet_layers(
    n_classes,
    conv_channels=(6, 16),
    kernel_size=5,
    hidden_layer_sizes=(120, 84),
    pooling="max",
    antialias=False,
    global_pool=False,
    padding="lenet",
):
    """The layers of LeNet-5 (ReLU variant) and of the variants the shift study needs.

    Every conv block is ``Conv2D -> ReLU -> pool`` (the ReLU done inside the conv kernel).
    ``pooling`` is ``"max"`` or ``"avg"`` (2x2, stride 2); ``antialias=True`` replaces it
    with BlurPool (Zhang 2019): the same pooling at stride 1, then a [1, 2, 1] binomial
    blur at stride 2. ``pooling="aps"`` is the max pooling of Chaman & Dokmanic's APS
    networks: 2x2 max pooling at stride 1 that wraps around the edges, then adaptive
    polyphase sampling (:class:`~.layers.AdaptivePolyphase`); it takes no ``antialias``.
    ``padding="lenet"`` pads the first convolution to "same" (as LeNet-5 pads 28x28 digits
    to 32x32) and leaves the others "valid"; ``"same"`` pads all of them with zeros,
    ``"circular"`` all of them by wrapping around, ``"valid"`` none. Then come ``Flatten``
    (or ``GlobalAvgPool`` when ``global_pool``), the hidden dense layers with ReLU, and a
    dense layer of ``n_classes`` logits.

    With the defaults on 28x28 input: 6@28x28 -> 6@14x14 -> 16@10x10 -> 16@5x5 -> 400 ->
    120 -> 84 -> 10 (61,706 parameters).
    """
    if pooling == "aps" and antialias:
        raise ValueError("antialias=True does not combine with pooling='aps' (APS replaces "
                         "the blurred subsampling)")
    layers = []
    for i, channels in enumerate(conv_channels):
        same = padding in ("same", "circular") or (padding == "lenet" and i == 0)
        pad = (kernel_size - 1) // 2 if same else 0
        layers.append(Conv2D(channels, kernel_size, pad, relu=True,
                             circular=padding == "circular"))
        layers += _pool_layers(pooling, antialias)
    layers.append(GlobalAvgPool() if global_pool else Flatten())
    for units in hidden_layer_sizes:
        layers += [Dense(units), ReLU(inplace=True)]
    layers.append(Dense(n_classes, gain=3.0))
    return layers
