"""Speed of ``NeocognitronClassifier`` (defaults) against the same network in scipy.

The classifier is fitted on ``--n-train`` MNIST digits; then ``predict`` on ``--n``
test digits is timed against a reference written here with ``scipy.ndimage.correlate``
(one call per image and plane pair, "same" grids, then sampled at the C-cells' centres)
and the same numpy matrix product for the top stage. The two must give the same
predictions (checked), so the ratio reference/ours is the speed-up of the numba kernels
on the whole recognition path. Timings alternate (ours, reference, ...) and the best and
the median of the repeats are printed. Fit time (whole training, with its phases) is
printed too; it is the quantity the issue bounds (20 minutes for 60,000 digits).

    python benchmarks/bench_neocognitron.py [--n-train 60000] [--n 2000] [--repeats 3]

MNIST is read through ``neocognitron.datasets.load_mnist`` (``$NEOCOGNITRON_DATA``).
"""

import argparse
import time

import numpy as np
from scipy import ndimage

from neocognitron import NeocognitronClassifier
from neocognitron._grid import field_starts
from neocognitron.datasets import load_mnist
from neocognitron.digits.cascade import to_canvas
from neocognitron.digits.layers import _theta_weights
from neocognitron.digits.top import _top_scores, _windows


def _corr(x, w):
    return ndimage.correlate(x, w, mode="constant", cval=0.0)


def reference_predict(clf, images):
    """The classifier's recognition path, written with scipy, one image at a time."""
    out = []
    b_top = np.linalg.norm(clf.top_X_, axis=1)
    for img in to_canvas(images, clf.canvas_shape_, dtype=np.float64):
        e = _corr(img, clf.a_g_)
        u = np.stack([np.maximum(e, 0), np.maximum(-e, 0)])
        for st in clf.stages_:
            a, b = _theta_weights(st.X, st.c)
            v = np.sqrt(sum(_corr(p * p, st.c) for p in u))
            u_s = np.empty((len(a),) + u.shape[1:])
            for k in range(len(a)):
                ex = sum(_corr(u[j], a[k, j]) for j in range(u.shape[0]))
                u_s[k] = st.theta / (1 - st.theta) * np.maximum(
                    (1 + ex) / (1 + st.theta * b[k] * v) - 1, 0)
            H, W = u_s.shape[1:]
            Ho, Wo = -(-H // st.stride), -(-W // st.stride)
            h = st.d.shape[0]
            ys = field_starts(H, Ho, h) + h // 2
            xs = field_starts(W, Wo, h) + h // 2
            e = np.stack([_corr(p, st.d) for p in u_s])[:, ys][:, :, xs]
            e = np.maximum(e, 0)
            u = e / (1 + e)
        Wb = _windows(u[None] ** clf.top_exponent, clf.top_field_)[0]
        norms = np.linalg.norm(Wb, axis=1)
        s = _top_scores(Wb @ clf.top_X_.T, norms, b_top, clf.top_threshold).max(axis=0)
        out.append(clf.top_labels_[np.argmax(s)])
    return clf.classes_[np.array(out)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n-train", type=int, default=60000)
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--data-home", default=None)
    args = p.parse_args(argv)
    Xtr, ytr = load_mnist("train", data_home=args.data_home)
    Xte, yte = load_mnist("test", data_home=args.data_home)
    clf = NeocognitronClassifier(random_state=0)
    t = time.perf_counter()
    clf.fit(Xtr[: args.n_train], ytr[: args.n_train])
    fit = time.perf_counter() - t
    print(f"fit on {args.n_train} digits: {fit:.1f} s; planes per layer {clf.n_planes_}")
    X = Xte[: args.n]
    clf.predict(X[:10])  # compile outside the timing
    ours, ref = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        pred = clf.predict(X)
        ours.append(time.perf_counter() - t)
        n_ref = max(args.n // 10, 1)  # the reference is slow: time a tenth, scale up
        t = time.perf_counter()
        pred_ref = reference_predict(clf, X[:n_ref])
        ref.append((time.perf_counter() - t) * args.n / n_ref)
    if not np.array_equal(pred[:n_ref], pred_ref):
        agree = np.mean(pred[:n_ref] == pred_ref)
        print(f"WARNING: predictions agree on only {agree:.1%} of {n_ref} digits")
    for name, f in (("best", np.min), ("median", np.median)):
        o, r = f(ours), f(ref)
        print(f"{name:>6}: ours {args.n / o:8.0f} digits/s   scipy reference "
              f"{args.n / r:8.0f} digits/s   ratio {r / o:5.1f}x")
    print(f"test error on the {args.n} timed digits: {np.mean(pred != yte[:args.n]):.4f}")


if __name__ == "__main__":
    main()
