"""MNIST with the CNN baseline: LeNet-5 (ReLU) and the variants the shift study uses.

Trains ``ConvNetClassifier(random_state=seed)`` (LeNet-5) and the variants average pooling,
BlurPool (``antialias=True``), global average pooling and random-shift augmentation on the
60,000 training digits, tests them on the 10,000 test digits, and writes to ``--out``:

- ``results.json``: test accuracy, fit time, epochs and loss curve of every model;
- ``loss_curve.png``: training loss per epoch of every model;
- ``confusion_matrix.png``: the default model's confusion matrix on the test set;
- ``filters.png``: the default model's six first-layer 5x5 filters.

Every file is written under a temporary name and renamed when complete. ``--quick`` uses
6,000 training and 2,000 test digits and 3 epochs (a smoke test, about a minute).
Uses the public API only.

    python experiments/mnist_cnn.py --out results/mnist_cnn [--quick] [--seed 0]
"""

import argparse
import json
import os
import platform
import secrets
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import colors, ticker  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402

import neocognitron  # noqa: E402
from neocognitron import ConvNetClassifier  # noqa: E402
from neocognitron.datasets import load_mnist  # noqa: E402

VARIANTS = {
    "lenet5": {},
    "avg_pool": {"pooling": "avg"},
    "blurpool": {"antialias": True},
    "global_pool": {"global_pool": True},
    "augment_shift_2": {"augment_shift": 2},
}


def _atomic(path, write):
    """Call ``write(tmp_path)``, then rename the temporary file to ``path``."""
    path = Path(path)
    # not mkstemp: its files are private (0600); this one gets the umask's permissions
    tmp = path.parent / f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}{path.suffix}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _save_figure(fig, path):
    _atomic(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)


def plot_loss_curves(results, path):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, r in results.items():
        epochs = np.arange(1, len(r["loss_curve"]) + 1)
        ax.semilogy(
            epochs,
            r["loss_curve"],
            marker="o",
            ms=3,
            label=f"{name} ({100 * r['test_accuracy']:.2f}%)",
        )
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean training loss (cross-entropy + L2, log scale)")
    ax.set_title("ConvNetClassifier on MNIST: training loss per epoch\n(legend: test accuracy)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="model")
    fig.tight_layout()
    _save_figure(fig, path)


def plot_confusion(cm, accuracy, path):
    n = int(cm.sum())
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    shown = np.where(cm > 0, cm, np.nan)
    im = ax.imshow(shown, cmap="viridis", norm=colors.LogNorm(vmin=1, vmax=cm.max()))
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if cm[i, j]:
                color = "black" if cm[i, j] > 0.1 * cm.max() else "white"
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7, color=color)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(
        f"LeNet-5 confusion matrix on {n:,} MNIST test digits\n(accuracy {100 * accuracy:.2f}%)"
    )
    fig.colorbar(im, ax=ax, label="number of test digits (log scale)")
    fig.tight_layout()
    _save_figure(fig, path)


def plot_filters(filters, path):
    filters = np.asarray(filters)[:, 0]  # (6, 5, 5)
    vmax = np.abs(filters).max()
    fig, axes = plt.subplots(1, len(filters), figsize=(2 * len(filters) + 1.5, 2.8))
    for k, (ax, f) in enumerate(zip(axes, filters, strict=True)):
        im = ax.imshow(f, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_title(f"filter {k}")
        ax.set_xlabel("x (pixel)")
        ax.set_xticks(range(f.shape[1]))
        ax.set_yticks(range(f.shape[0]))
    axes[0].set_ylabel("y (pixel)")
    fig.suptitle("LeNet-5 first-layer filters (5x5, weights on standardised pixels)")
    fig.subplots_adjust(left=0.05, right=0.88, bottom=0.2, top=0.78, wspace=0.35)
    fig.colorbar(im, cax=fig.add_axes([0.9, 0.2, 0.015, 0.58]), label="weight")
    _save_figure(fig, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/mnist_cnn", help="output directory")
    parser.add_argument("--quick", action="store_true", help="small subset, 3 epochs")
    parser.add_argument("--seed", type=int, default=0, help="random_state of every model")
    parser.add_argument(
        "--data-home", default=None, help="MNIST directory (default: see load_mnist)"
    )
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    X, y = load_mnist("train", data_home=args.data_home)
    Xt, yt = load_mnist("test", data_home=args.data_home)
    extra = {}
    if args.quick:
        X, y, Xt, yt = X[:6000], y[:6000], Xt[:2000], yt[:2000]
        extra = {"max_iter": 3}

    results, models = {}, {}
    for name in args.variants:
        params = dict(VARIANTS[name], random_state=args.seed, **extra)
        clf = ConvNetClassifier(**params)
        t0 = time.perf_counter()
        clf.fit(X, y)
        fit_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        pred = clf.predict(Xt)
        predict_time = time.perf_counter() - t0
        acc = float(np.mean(pred == yt))
        results[name] = {
            "params": params,
            "test_accuracy": acc,
            "test_errors": int(np.sum(pred != yt)),
            "fit_seconds": round(fit_time, 2),
            "predict_seconds": round(predict_time, 3),
            "epochs": clf.n_iter_,
            "loss_curve": [float(v) for v in clf.loss_curve_],
        }
        models[name] = (clf, pred)
        print(
            f"{name:16s} test accuracy {100 * acc:.2f}%  fit {fit_time:7.1f} s  "
            f"({clf.n_iter_} epochs)",
            flush=True,
        )

    summary = {
        "n_train": int(len(y)),
        "n_test": int(len(yt)),
        "seed": args.seed,
        "quick": args.quick,
        "neocognitron_version": neocognitron.__version__,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "models": results,
    }
    paths = [
        _atomic(
            out / "results.json", lambda tmp: Path(tmp).write_text(json.dumps(summary, indent=2))
        )
    ]
    plot_loss_curves(results, out / "loss_curve.png")
    paths.append(out / "loss_curve.png")
    main_name = "lenet5" if "lenet5" in models else args.variants[0]
    clf, pred = models[main_name]
    plot_confusion(
        confusion_matrix(yt, pred, labels=range(10)),
        results[main_name]["test_accuracy"],
        out / "confusion_matrix.png",
    )
    plot_filters(clf.coefs_[0], out / "filters.png")
    paths += [out / "confusion_matrix.png", out / "filters.png"]
    print("wrote:")
    for p in paths:
        print(f"  {p.resolve()}")
    return summary


if __name__ == "__main__":
    main()
