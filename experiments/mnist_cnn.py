"""MNIST with the CNN baseline: LeNet-5 (ReLU) and the variants the shift study uses.

Trains ``ConvNetClassifier(random_state=seed)`` (LeNet-5) and the variants average pooling,
BlurPool (``antialias=True``), global average pooling and random-shift augmentation on the
60,000 training digits, tests them on the 10,000 test digits, and writes to ``--out``:

- ``results.json``: test accuracy, fit time, epochs and loss curve of every model;
- ``loss_curve.png``: training loss per epoch of every model;
- ``confusion_matrix.png``: the default model's confusion matrix on the test set;
- ``filters.png``: the default model's six first-layer 5x5 filters;
- ``figures.npz``: those filters (the one array a figure needs that is not in results.json);
- ``run.json``: provenance: command, seed, git commit, versions, machine, the time of every
  stage (``neocognitron.workflow.provenance``).

Every file is written under a temporary name and renamed when complete. ``--quick`` uses
6,000 training and 2,000 test digits and 3 epochs (a smoke test, about a minute).
Uses the public API only.

    python experiments/mnist_cnn.py --out results/mnist_cnn [--quick] [--seed 0]
    python experiments/mnist_cnn.py --replot DIR [--out OUT]   # redraw, no training

``--replot`` redraws every figure from the results.json and figures.npz a run wrote in DIR,
into OUT (default DIR), without data or training: ``make figures`` does this for the
copies in ``docs/results/``.
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import colors, ticker  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402

import neocognitron  # noqa: E402
from neocognitron import ConvNetClassifier, cli  # noqa: E402
from neocognitron.datasets import load_mnist  # noqa: E402
from neocognitron.workflow import provenance
from neocognitron.workflow.results import save_figure, write_json  # noqa: E402

DEFAULT_OUT = "results/mnist_cnn"
VARIANTS = {
    "lenet5": {},
    "avg_pool": {"pooling": "avg"},
    "blurpool": {"antialias": True},
    "global_pool": {"global_pool": True},
    "augment_shift_2": {"augment_shift": 2},
}


def plot_loss_curves(results):
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
    return fig


def plot_confusion(cm, accuracy):
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
    return fig


def plot_filters(filters):
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
    return fig


def make_figures(summary, arrays):
    """Every figure, from the content of results.json and figures.npz; trains nothing."""
    cm = summary["confusion_matrix"]
    return {
        "loss_curve.png": plot_loss_curves(summary["models"]),
        "confusion_matrix.png": plot_confusion(
            np.asarray(cm["counts"]), summary["models"][cm["model"]]["test_accuracy"]),
        "filters.png": plot_filters(arrays["filters"]),
    }


def save_figures(figs, out):
    return [save_figure(f, Path(out) / name, dpi=120) for name, f in figs.items()]


def replot(folder, out=None):
    """Redraw every figure from what a run saved in ``folder``, into ``out`` (default
    ``folder``); returns the paths written. No data, no training."""
    summary, arrays = provenance.load_outputs(folder)
    return save_figures(make_figures(summary, arrays), out if out is not None else folder)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None,
                        help=f"output directory (default {DEFAULT_OUT}; with --replot: DIR)")
    parser.add_argument("--quick", action="store_true", help="small subset, 3 epochs")
    parser.add_argument("--seed", type=cli.seed, default=0, help="random_state of every model")
    parser.add_argument(
        "--data-home", default=None, help="MNIST directory (default: see load_mnist)"
    )
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    provenance.add_replot_option(parser)
    args = parser.parse_args(argv)
    if args.replot is not None:
        return provenance.run_replot(parser, replot, args.replot, args.out)
    if not args.variants:
        parser.error("--variants: name at least one model")
    out = Path(args.out or DEFAULT_OUT)

    with provenance.Run(out, argv=argv, seeds={"models": args.seed},
                        script=__file__, parser=parser) as run:
        with run.stage("load data"):
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
            with run.stage(f"fit {name}"):
                t0 = time.perf_counter()
                clf.fit(X, y)
                fit_time = time.perf_counter() - t0
            with run.stage(f"evaluate {name}"):
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

        main_name = "lenet5" if "lenet5" in models else args.variants[0]
        clf, pred = models[main_name]
        summary = {
            "n_train": int(len(y)),
            "n_test": int(len(yt)),
            "seed": args.seed,
            "quick": args.quick,
            # kept for readers of older results; run.json is the record of provenance
            "neocognitron_version": neocognitron.__version__,
            "machine": {"cpus": run.record["machine"]["cpu_count"],
                        "python": run.record["versions"]["python"]},
            "models": results,
            "confusion_matrix": {
                "model": main_name, "labels": list(range(10)), "rows": "true",
                "columns": "predicted",
                "counts": confusion_matrix(yt, pred, labels=range(10)).tolist(),
            },
        }
        with run.stage("save results"):
            paths = [write_json(summary, out / "results.json"),
                     provenance.save_arrays(out / "figures.npz", filters=clf.coefs_[0])]
        with run.stage("figures"):
            # drawn from the files just written, exactly as --replot draws them
            paths += save_figures(make_figures(*provenance.load_outputs(out)), out)
    paths.append(run.path)
    print("wrote:")
    for p in paths:
        print(f"  {p.resolve()}")
    return summary


if __name__ == "__main__":
    main()
