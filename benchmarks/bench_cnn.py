"""Speed of the numpy + numba LeNet-5 against the same network in PyTorch, side by side.

Training throughput: one epoch of mini-batch Adam with L2 penalty on the weights (the
estimator's defaults: batch 32, alpha 5e-4, shuffled) over N images,
``ConvNetClassifier(max_iter=1).fit`` against a PyTorch loop doing the same steps.
Inference throughput: class probabilities for N images in batches of 1000,
``predict_proba`` against ``softmax(model(x))`` under ``torch.no_grad()``.

The two are timed alternately (ours, torch, ours, torch, ...), so that both see the same
machine load, and the median and the best of the repeats are printed with their ratios
ours/torch, which are what to compare across machines. On a machine shared with other
busy processes PyTorch's OpenMP threads (spinning at every parallel region) slow down far
more than ours (see ``neocognitron/cnn/network.py``); the "best" line is then the fairer.
PyTorch runs with ``torch.set_num_threads(2)``, ours on
``neocognitron.cnn.network.available_threads()`` threads (numba's thread count, capped by
the cores the process may use), 2 on the reference machine. PyTorch is optional: without
it only our throughput is printed.

The same run also times the truly shift-invariant variant of issue 16,
``ConvNetClassifier(pooling="aps", padding="circular", global_pool=True)`` (adaptive
polyphase sampling after a wrapping 2x2 max pooling at stride 1; every convolution "same"
with circular padding), interleaved with our LeNet-5, and prints its throughput as a ratio
to LeNet-5's: what the exact invariance costs in this implementation.

``--threads 1 2 4 8`` times ours alone on each of those numbers of threads instead, with
the speed-up over the first: every batch is split into ``N_SHARDS`` (8) shards, so up to
8 threads can take part, and the numbers are the same on any of them.

``--kernels`` also times the convolution kernels against im2col + BLAS (implemented below
with numba and numpy's OpenBLAS), the measurement behind the choice of direct loops in
``neocognitron/cnn/_conv.py``.

    python benchmarks/bench_cnn.py [--n 6000] [--repeats 3] [--kernels] [--threads N ...]
"""

import argparse
import os
import time

import numpy as np

from neocognitron import ConvNetClassifier
from neocognitron._numba import njit
from neocognitron.cnn import _conv, network

BATCH = 32  # ConvNetClassifier's default
ALPHA = 5e-4
#: the circular-shift invariant CNN (Chaman & Dokmanic 2021) timed beside LeNet-5
APS = dict(pooling="aps", padding="circular", global_pool=True)


def lenet_torch(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def time_ours_train(X, y, **params):
    clf = ConvNetClassifier(max_iter=1, batch_size=BATCH, random_state=0, **params)
    t = time.perf_counter()
    clf.fit(X, y)
    return time.perf_counter() - t, clf


def time_ours_infer(clf, X):
    t = time.perf_counter()
    clf.predict_proba(X)
    return time.perf_counter() - t


def time_torch_train(torch, X, y):
    torch.manual_seed(0)
    model = lenet_torch(torch)
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    biases = [p for name, p in model.named_parameters() if name.endswith("bias")]
    opt = torch.optim.Adam(
        [{"params": weights, "weight_decay": ALPHA}, {"params": biases, "weight_decay": 0.0}],
        lr=1e-3,
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    t = time.perf_counter()
    # the same preprocessing work as ours: standardise, shuffle, mini-batches
    xs = torch.from_numpy(((X - X.mean()) / X.std()).astype(np.float32)[:, None])
    ys = torch.from_numpy(y)
    order = torch.randperm(len(ys))
    for i in range(0, len(ys), BATCH):
        idx = order[i : i + BATCH]
        opt.zero_grad()
        loss = loss_fn(model(xs[idx]), ys[idx])
        loss.backward()
        opt.step()
    return time.perf_counter() - t, model


def time_torch_infer(torch, model, X):
    model.eval()
    t = time.perf_counter()
    with torch.no_grad():
        xs = torch.from_numpy(((X - 33.3) / 78.6).astype(np.float32)[:, None])
        for i in range(0, len(xs), 1000):
            torch.softmax(model(xs[i : i + 1000]), dim=1)
    return time.perf_counter() - t


# ------------------------------------------------------------ im2col + BLAS, for --kernels
@njit
def _im2col(xp, K, cols):
    """cols[n, ci*K*K + ky*K + kx, y*Wo + x] = xp[n, ci, y + ky, x + kx]."""
    N, Ci, Hp, Wp = xp.shape
    Ho, Wo = Hp - K + 1, Wp - K + 1
    for n in range(N):
        c = 0
        for ci in range(Ci):
            for ky in range(K):
                for kx in range(K):
                    for yy in range(Ho):
                        src = xp[n, ci, yy + ky, kx : kx + Wo]
                        dst = cols[n, c, yy * Wo : yy * Wo + Wo]
                        for xx in range(Wo):
                            dst[xx] = src[xx]
                    c += 1


def conv_im2col(xp, w, b):
    N, Ci, Hp, Wp = xp.shape
    Co, _, K, _ = w.shape
    Ho, Wo = Hp - K + 1, Wp - K + 1
    cols = np.empty((N, Ci * K * K, Ho * Wo), xp.dtype)
    _im2col(xp, K, cols)
    out = np.matmul(w.reshape(Co, -1), cols)  # one sgemm per image (batched)
    out += b[:, None]
    return out.reshape(N, Co, Ho, Wo)


def conv_im2col_batch(xp, w, b):
    N, Ci, Hp, Wp = xp.shape
    Co, _, K, _ = w.shape
    Ho, Wo = Hp - K + 1, Wp - K + 1
    cols = np.empty((N, Ci * K * K, Ho * Wo), xp.dtype)
    _im2col(xp, K, cols)
    flat = cols.transpose(1, 0, 2).reshape(Ci * K * K, N * Ho * Wo)
    out = w.reshape(Co, -1) @ flat  # one sgemm for the whole batch
    out += b[:, None]
    return np.ascontiguousarray(out.reshape(Co, N, Ho, Wo).transpose(1, 0, 2, 3))


def conv_direct(xp, w, b):
    K = w.shape[2]
    out = np.empty((xp.shape[0], w.shape[0], xp.shape[2] - K + 1, xp.shape[3] - K + 1), xp.dtype)
    _conv.conv_forward(xp, w, b, False, out)
    return out


def bench_kernels(repeats):
    rng = np.random.default_rng(0)
    print("\nconvolution forward, float32, one thread (ms per call, best of repeats)")
    print(f"{'layer':>22s} {'batch':>6s} {'direct':>9s} {'im2col/img':>11s} {'im2col/batch':>13s}")
    for name, (Ci, Co, H, pad) in {
        "conv1 1->6 28x28 p2": (1, 6, 28, 2),
        "conv2 6->16 14x14": (6, 16, 14, 0),
    }.items():
        for N in (64, 1000):
            xp = rng.standard_normal((N, Ci, H + 2 * pad, H + 2 * pad)).astype(np.float32)
            w = rng.standard_normal((Co, Ci, 5, 5)).astype(np.float32)
            b = rng.standard_normal(Co).astype(np.float32)
            ref = conv_direct(xp, w, b)
            row = []
            for f in (conv_direct, conv_im2col, conv_im2col_batch):
                np.testing.assert_allclose(f(xp, w, b), ref, rtol=1e-4, atol=1e-3)
                best = np.inf
                for _ in range(max(repeats, 5)):
                    t = time.perf_counter()
                    f(xp, w, b)
                    best = min(best, time.perf_counter() - t)
                row.append(best * 1e3)
            print(f"{name:>22s} {N:6d} {row[0]:9.3f} {row[1]:11.3f} {row[2]:13.3f}")


def images(n):
    rng = np.random.default_rng(0)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n).astype(np.int64))


def bench_threads(n, repeats, counts):
    """Our throughput on each number of threads in ``counts``, interleaved, with the
    speed-up of the medians over the first count."""
    import numba

    X, y = images(n)
    time_ours_infer(time_ours_train(X[:256], y[:256])[1], X[:256])  # compile
    cores = network.available_threads()
    times = {c: ([], []) for c in counts}
    for _ in range(repeats):
        for c in counts:
            numba.set_num_threads(min(c, numba.config.NUMBA_NUM_THREADS))
            t, clf = time_ours_train(X, y)
            times[c][0].append(t)
            times[c][1].append(time_ours_infer(clf, X))
    print(f"LeNet-5, {n} images, batch {BATCH}, {network.N_SHARDS} shards; threads the "
          f"process may use: {cores}; load average {os.getloadavg()[0]:.2f}")
    print(f"{'threads':>7s} {'train img/s':>12s} {'best':>7s} {'x':>5s} "
          f"{'infer img/s':>12s} {'best':>7s} {'x':>5s}")
    base = [np.median(v) for v in times[counts[0]]]
    for c in counts:
        used = min(c, cores, numba.config.NUMBA_NUM_THREADS)
        row = []
        for v, b in zip(times[c], base, strict=True):
            row += [n / np.median(v), n / np.min(v), b / np.median(v)]
        print(f"{used:7d} {row[0]:12.0f} {row[1]:7.0f} {row[2]:5.2f} "
              f"{row[3]:12.0f} {row[4]:7.0f} {row[5]:5.2f}")


def print_aps(n, times):
    """Throughput of the APS + circular + global-pool CNN beside LeNet-5, and the ratio."""
    print(f"\n{', '.join(f'{k}={v!r}' for k, v in APS.items())} against LeNet-5 (ours):")
    print(f"{'':6s} {'':7s} {'LeNet-5':>13s} {'APS':>14s} {'APS/LeNet':>11s}")
    for what in ("train", "infer"):
        for stat, pick in (("median", np.median), ("best", np.min)):
            lenet, aps = (n / pick(times[f"{who}_{what}"]) for who in ("ours", "aps"))
            print(f"{what:6s} {stat:7s} {lenet:13.0f} {aps:14.0f} {aps / lenet:11.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=6000, help="images per timing")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kernels", action="store_true", help="also time conv kernels vs im2col")
    parser.add_argument("--threads", type=int, nargs="+", metavar="N",
                        help="time ours alone on each of these numbers of threads")
    args = parser.parse_args()
    if args.threads:
        return bench_threads(args.n, args.repeats, args.threads)

    try:
        import torch

        torch.set_num_threads(2)
    except ImportError:
        torch = None
    import numba

    X, y = images(args.n)
    torch_info = f"{torch.__version__} (2 threads)" if torch else "not installed"
    print(
        f"LeNet-5, {args.n} images of 28x28, batch {BATCH}; {network.N_SHARDS} shards on "
        f"{network.available_threads()} threads (numba {numba.get_num_threads()}), torch "
        f"{torch_info}; load average {os.getloadavg()[0]:.2f}"
    )

    # warm-up: compile the kernels, let PyTorch allocate
    for params in ({}, APS):
        _, clf = time_ours_train(X[:256], y[:256], **params)
        time_ours_infer(clf, X[:256])
    if torch is not None:
        _, model = time_torch_train(torch, X[:256], y[:256])
        time_torch_infer(torch, model, X[:256])

    times = {f"{who}_{what}": [] for who in ("ours", "torch", "aps")
             for what in ("train", "infer")}
    for _ in range(args.repeats):
        for who, params in (("ours", {}), ("aps", APS)):
            t, clf = time_ours_train(X, y, **params)
            times[f"{who}_train"].append(t)
            times[f"{who}_infer"].append(time_ours_infer(clf, X))
        if torch is not None:
            t, model = time_torch_train(torch, X, y)
            times["torch_train"].append(t)
            times["torch_infer"].append(time_torch_infer(torch, model, X))

    print(f"\n{'':6s} {'':7s} {'ours (img/s)':>13s} {'torch (img/s)':>14s} {'ours/torch':>11s}")
    for what in ("train", "infer"):
        for stat, pick in (("median", np.median), ("best", np.min)):
            ours = args.n / pick(times[f"ours_{what}"])
            if torch is None:
                print(f"{what:6s} {stat:7s} {ours:13.0f}")
                continue
            theirs = args.n / pick(times[f"torch_{what}"])
            print(f"{what:6s} {stat:7s} {ours:13.0f} {theirs:14.0f} {ours / theirs:11.2f}")
    print_aps(args.n, times)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    if args.kernels:
        bench_kernels(args.repeats)


if __name__ == "__main__":
    main()
