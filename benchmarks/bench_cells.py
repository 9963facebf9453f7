"""Time ``cells.s_layer`` and ``cells.c_layer`` against plain numpy and PyTorch, side by side.

The layer is the size of a digit network's second stage: a batch of 128 inputs, 24 -> 24
cell-planes, 5x5 receptive fields, 28x28 planes, "same" grid. Three versions of the same
layer run in one process and are timed interleaved (numba, numpy, torch, numba, ...), so
that a busy machine slows them alike; each figure is the median of ``--repeats`` runs
after a warm-up (numba compiles, or loads its cache, on the first call).

* numba: the public functions (argument validation included).
* numpy: vectorised ``sliding_window_view`` + ``tensordot`` in batch chunks (no Python
  loop over positions or taps).
* torch: ``torch.nn.functional.conv2d`` (grouped for the C-layer), when PyTorch is
  installed, in inference mode with ``torch.set_num_threads(--threads)``, elementwise
  steps in place. For the S-layer the table also gives torch's excitatory ``conv2d``
  alone ("conv"), a lower bound for any torch S-layer.

Two more rows time ``cells.c_layer_blur`` on the strided grids of the digit network
(``--strided``, on by default), numba against ``--baseline`` only: ``uc2_deep``, DEEP's
U_C2 (41 planes of 40x40 S-cells -> 20x20, an 8x8 ``d`` with a negative surround,
stride 2) and ``uc1_default``, the default network's U_C1 (8 planes, 36x36 -> 9x9, 9x9
``d``, stride 4, a grid whose step breaks in the middle). Their S-cells are sparse like the
network's (5 % nonzero, in clusters: a smoothed random field above its 95th percentile).

Numba also runs on ``--threads`` threads. The script checks that the three agree before it
prints the table; ratios (medians of the per-round ratios) > 1 mean numba is faster.
Install PyTorch for this with ``pip install torch`` (CPU wheel); it is not a dependency.

``--baseline DIR`` times the cells of another version of the package too, interleaved with
this one (a before/after comparison that a busy machine slows alike): ``DIR`` is the
``neocognitron`` folder of another checkout, e.g. made with
``git worktree add /tmp/base <commit>``; it is imported under another name from a copy,
and its kernels are compiled on the first call.

    python benchmarks/bench_cells.py [--threads 2] [--repeats 7] [--batch 128] [--quick]
                                     [--baseline DIR] [--no-strided]
"""

import argparse
import importlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # PyTorch is optional
    torch = None

import numba

from neocognitron import cells

ALPHA = 0.5
R = 1.5


# --------------------------------------------------------------------------- inputs


def make_layer(rng, N, Kp, K, H, W, h, w, dtype):
    u = rng.random((N, Kp, H, W))
    u[rng.random(u.shape) < 0.5] = 0.0
    a = rng.random((K, Kp, h, w)) * (4.0 / (Kp * h * w))
    b = rng.random(K) * 2.0
    yy = np.arange(h) - (h - 1) / 2
    xx = np.arange(w) - (w - 1) / 2
    g = np.exp(-(yy[:, None] ** 2 + xx[None, :] ** 2) / 4.5)
    c = g / (Kp * g.sum())
    d = g / g.sum()
    return [t.astype(dtype) for t in (u, a, b, c, d)]


# (name, planes, S-layer side, C-layer side, d side, stride): the digit network's strided
# C-layers (docs/design.md §3)
STRIDED = (("uc2_deep", 41, 40, 20, 8, 2), ("uc1_default", 8, 36, 9, 9, 4))


def _smooth(x, width=5):
    """Box blur of ``width`` taps along the last two axes ("same" size)."""
    for axis in (-1, -2):
        pad = [(0, 0)] * x.ndim
        pad[axis] = (width // 2, width - 1 - width // 2)
        c = np.cumsum(np.pad(x, pad), axis=axis)
        c = np.concatenate([np.zeros_like(np.take(c, [0], axis=axis)), c], axis=axis)
        n = x.shape[axis]
        x = np.take(c, np.arange(width, width + n), axis=axis) - np.take(c, np.arange(n),
                                                                         axis=axis)
    return x


def make_sparse_c_input(rng, N, K, S, h, dtype, density=0.05):
    """S-cells like the digit network's: ``density`` nonzero, in clusters; and a ``d`` of
    ``h x h`` taps with a negative surround (as ``c_layer_blur`` takes it)."""
    g = _smooth(_smooth(rng.random((N, K, S, S))))
    u = np.maximum(g - np.quantile(g, 1 - density), 0)
    yy = np.arange(h) - (h - 1) / 2
    r2 = yy[:, None] ** 2 + yy[None, :] ** 2
    d = np.exp(-r2 / 4.5) - 0.5 * np.exp(-r2 / 18)
    return (u / u.max()).astype(dtype), (d / np.abs(d).sum()).astype(dtype)


# ---------------------------------------------------------------------- numpy version


def _windows(x, h, w):
    """(N, K, H, W) -> zero-padded "same" windows (N, K, H, W, h, w) (a view)."""
    ph, pw = h // 2, w // 2
    xp = np.pad(x, ((0, 0), (0, 0), (ph, h - 1 - ph), (pw, w - 1 - pw)))
    return sliding_window_view(xp, (h, w), axis=(2, 3))


def numpy_s_layer(u, a, b, c, r, chunk=16):
    N, Kp, H, W = u.shape
    K, _, h, w = a.shape
    out = np.empty((N, K, H, W), dtype=u.dtype)
    theta = u.dtype.type(2 * r / (1 + r))
    for s in range(0, N, chunk):
        x = u[s:s + chunk]
        e = np.tensordot(_windows(x, h, w), a, axes=([1, 4, 5], [1, 2, 3]))  # (n, H, W, K)
        sq = (x * x).sum(axis=1, keepdims=True)
        v = np.sqrt(np.tensordot(_windows(sq, h, w), c, axes=([4, 5], [0, 1])))  # (n,1,H,W)
        e = e.transpose(0, 3, 1, 2)
        ratio = (1 + e) / (1 + theta * b[None, :, None, None] * v) - 1
        out[s:s + chunk] = u.dtype.type(r) * np.maximum(ratio, 0)
    return out


def numpy_c_layer(u, d, alpha, chunk=16):
    N, K, H, W = u.shape
    h, w = d.shape
    out = np.empty_like(u)
    for s in range(0, N, chunk):
        e = np.tensordot(_windows(u[s:s + chunk], h, w), d, axes=([4, 5], [0, 1]))
        vs = e.mean(axis=1, keepdims=True)
        x = np.maximum((1 + e) / (1 + vs) - 1, 0)
        out[s:s + chunk] = x / (alpha + x)
    return out


# ---------------------------------------------------------------------- torch version


def torch_s_layer(u, a, b, c, r):
    """The S-layer with conv2d; elementwise steps in place to spare temporaries."""
    h, w = a.shape[2:]
    pad = (h // 2, w // 2)
    with torch.inference_mode():
        u, a, b, c = (torch.from_numpy(t) for t in (u, a, b, c))
        e = F.conv2d(u, a, padding=pad)
        v = F.conv2d((u * u).sum(1, keepdim=True), c[None, None], padding=pad).sqrt_()
        den = ((2 * r / (1 + r)) * b)[None, :, None, None] * v
        e.add_(1).div_(den.add_(1)).sub_(1).relu_().mul_(r)
        return e.numpy()


def torch_conv_only(u, a):
    """Only the excitatory conv2d of the S-layer: a lower bound for any torch S-layer."""
    h, w = a.shape[2:]
    with torch.inference_mode():
        return F.conv2d(torch.from_numpy(u), torch.from_numpy(a), padding=(h // 2, w // 2))


def torch_c_layer(u, d, alpha):
    K = u.shape[1]
    h, w = d.shape
    with torch.inference_mode():
        u, d = torch.from_numpy(u), torch.from_numpy(d)
        e = F.conv2d(u, d.expand(K, 1, h, w), padding=(h // 2, w // 2), groups=K)
        den = e.mean(1, keepdim=True).add_(1)
        x = e.add_(1).div_(den).sub_(1).relu_()
        return x.div_(x + alpha).numpy()


def import_baseline(folder):
    """``cells`` of the package in ``folder``, imported as ``neocognitron_baseline``.

    The package imports itself relatively, so a copy under another name imports beside
    this one; the copy lives in a temporary folder (its numba cache too).
    """
    tmp = Path(tempfile.mkdtemp(prefix="bench_baseline_"))
    shutil.copytree(folder, tmp / "neocognitron_baseline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(tmp))
    return importlib.import_module("neocognitron_baseline.cells")


# ---------------------------------------------------------------------------- timing


def rel_err(got, ref):
    ref = ref.astype(np.float64)
    return float(np.abs(got.astype(np.float64) - ref).max() / max(np.abs(ref).max(), 1.0))


def time_interleaved(fns, repeats):
    """Wall times of each function, the functions run in turn ``repeats`` times.

    The order is reversed every other round: on a busy machine the function run first in
    a round, after the previous round's last, was measured up to 3x slower.
    """
    times = {name: [] for name in fns}
    for r in range(repeats):
        for name, fn in list(fns.items())[::1 if r % 2 == 0 else -1]:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def median_ratio(times, name, ref="numba"):
    """Median over repeats of ``time[name] / time[ref]`` (same round, so same machine load)."""
    return statistics.median(t / r for t, r in zip(times[name], times[ref], strict=True))


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--planes", type=int, default=24)
    p.add_argument("--size", type=int, default=28)
    p.add_argument("--field", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--dtypes", default="float32,float64")
    p.add_argument("--no-numpy", action="store_true", help="skip the (slow) numpy reference")
    p.add_argument("--no-strided", action="store_true",
                   help="skip the digit network's strided C-layers")
    p.add_argument("--quick", action="store_true", help="batch 16, 3 repeats")
    p.add_argument("--baseline", type=Path, default=None,
                   help="neocognitron/ folder of another version, timed interleaved")
    args = p.parse_args(argv)
    if args.quick:
        args.batch, args.repeats = 16, 3
    return args


def print_setup(args, threads):
    """The layer, the versions of the libraries, their threads and the machine's load."""
    N, K, S, f = args.batch, args.planes, args.size, args.field
    print(f"layer: batch {N}, {K} -> {K} planes, {f}x{f} fields, {S}x{S}, 'same' grid")
    print(f"numba {numba.__version__} on {threads} threads "
          f"(NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}), numpy {np.__version__}, "
          + (f"torch {torch.__version__} on {torch.get_num_threads()} threads"
             if torch is not None else "torch not installed")
          + f"; cpus {os.cpu_count()}, load {os.getloadavg()[0]:.2f}")
    print(f"median of {args.repeats} interleaved repeats after a warm-up\n")


def layer_versions(u, a, b, c, d, us, base):
    """``{layer: {version: function}}``: each version of the S- and C-layer on these
    arguments (the C-layer reads ``us``), the baseline package's too when ``base`` is given."""
    layers = {
        "s_layer": dict(
            numba=lambda u=u, a=a, b=b, c=c: cells.s_layer(u, a, b, c, R),
            numpy=lambda u=u, a=a, b=b, c=c: numpy_s_layer(u, a, b, c, R),
            torch=lambda u=u, a=a, b=b, c=c: torch_s_layer(u, a, b, c, R),
            conv=lambda u=u, a=a: torch_conv_only(u, a),
        ),
        "c_layer": dict(
            numba=lambda us=us, d=d: cells.c_layer(us, d, ALPHA),
            numpy=lambda us=us, d=d: numpy_c_layer(us, d, ALPHA),
            torch=lambda us=us, d=d: torch_c_layer(us, d, ALPHA),
        ),
    }
    if base is not None:
        layers["s_layer"]["base"] = lambda u=u, a=a, b=b, c=c: base.s_layer(u, a, b, c, R)
        layers["c_layer"]["base"] = lambda us=us, d=d: base.c_layer(us, d, ALPHA)
    return layers


def differences(layer, dtype, outs):
    """``{version: relative difference to numba}`` of ``outs``, the output of each version;
    exits when a version disagrees with numba beyond the dtype's tolerance."""
    tol = 1e-4 if dtype == np.float32 else 1e-9
    ref = outs["numba"]
    assert ref.dtype == dtype
    errs = {}
    for name in ("numpy", "torch", "base"):
        if name in outs:
            assert outs[name].dtype == dtype, (name, outs[name].dtype)
            errs[name] = rel_err(outs[name], ref)
            if errs[name] > tol:
                sys.exit(f"{layer} {dtype}: {name} disagrees with numba "
                         f"(rel. error {errs[name]:.2e})")
    return errs


def time_layers(args, base):
    """``(layer, dtype name, times by version, differences to numba)`` for each dtype and
    layer: the versions are checked against numba (the first call is the warm-up), then
    timed interleaved."""
    N, K, S, f = args.batch, args.planes, args.size, args.field
    rows = []
    rng = np.random.default_rng(0)
    for dtype_name in args.dtypes.split(","):
        dtype = np.dtype(dtype_name)
        u, a, b, c, d = make_layer(rng, N, K, K, S, S, f, f, dtype)
        us = cells.s_layer(u, a, b, c, R)
        for layer, fns in layer_versions(u, a, b, c, d, us, base).items():
            if torch is None:
                fns.pop("torch")
                fns.pop("conv", None)
            if args.no_numpy:
                fns.pop("numpy")
            outs = {name: fn() for name, fn in fns.items()}  # warm-up and agreement check
            errs = differences(layer, dtype, outs)
            times = time_interleaved(fns, args.repeats)
            rows.append((layer, dtype_name, times, errs))
        if not args.no_strided:
            rows += time_strided(args, base, rng, dtype)
    return rows


def time_strided(args, base, rng, dtype):
    """Rows of :data:`STRIDED`: ``c_layer_blur`` of numba against the baseline's."""
    rows = []
    for name, K, S, So, h, _ in STRIDED:
        us, d = make_sparse_c_input(rng, args.batch, K, S, h, dtype)
        fns = {"numba": lambda us=us, d=d, So=So: cells.c_layer_blur(us, d, (So, So))}
        if base is not None:
            fns["base"] = lambda us=us, d=d, So=So: base.c_layer_blur(us, d, (So, So))
        errs = differences(name, dtype, {k: fn() for k, fn in fns.items()})
        rows.append((name, dtype.name, time_interleaved(fns, args.repeats), errs))
    return rows


def _ms(times, name):
    if name not in times:
        return f"{'-':>9}"
    return f"{1e3 * statistics.median(times[name]):9.1f}"


def _ratio(times, name):
    return f"{median_ratio(times, name):8.2f}" if name in times else f"{'-':>8}"


def print_table(rows):
    """The table of median times and ratios, a row per layer and dtype, and its legend."""
    head = (f"{'layer':11} {'dtype':8} {'numba ms':>9} {'numpy ms':>9} {'torch ms':>9} "
            f"{'numpy/nb':>8} {'torch/nb':>8} {'conv ms':>8} {'conv/nb':>8} {'base ms':>9} "
            f"{'base/nb':>8}  max rel. diff")
    print(head)
    print("-" * len(head))
    for layer, dtype_name, times, errs in rows:
        diff = ", ".join(f"{k} {v:.1e}" for k, v in errs.items())
        conv = times.get("conv")
        conv_ms = f"{1e3 * statistics.median(conv):8.1f}" if conv else f"{'-':>8}"
        print(f"{layer:11} {dtype_name:8} {_ms(times, 'numba')} {_ms(times, 'numpy')} "
              f"{_ms(times, 'torch')} {_ratio(times, 'numpy')} {_ratio(times, 'torch')} "
              f"{conv_ms} {_ratio(times, 'conv')} {_ms(times, 'base')} {_ratio(times, 'base')}"
              f"  {diff}")
    print("\nratios are medians of per-round ratios (> 1: numba faster); 'conv' is torch's "
          "conv2d alone,\nwithout the V_C-cells and the shunting inhibition, a lower bound "
          "for any torch S-layer; 'base' is --baseline's version of the package")


def main(argv=None):
    args = parse_args(argv)
    base = import_baseline(args.baseline) if args.baseline else None
    threads = min(args.threads, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    print_setup(args, threads)
    print_table(time_layers(args, base))


if __name__ == "__main__":
    main()
