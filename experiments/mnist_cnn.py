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
import numpy as np  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402

from neocognitron import ConvNetClassifier, cli  # noqa: E402
from neocognitron.datasets import load_mnist  # noqa: E402
from neocognitron.plotting import (  # noqa: E402
    plot_cnn_confusion,
    plot_conv_filters,
    plot_loss_curves,
)
from neocognitron.workflow import provenance  # noqa: E402
from neocognitron.workflow.outputs import Outputs  # noqa: E402

DEFAULT_OUT = "results/mnist_cnn"
VARIANTS = {
    "lenet5": {},
    "avg_pool": {"pooling": "avg"},
    "blurpool": {"antialias": True},
    "global_pool": {"global_pool": True},
    "augment_shift_2": {"augment_shift": 2},
}


#: how a model is named in titles (the confusion matrix is of the first model run, which
#: ``--variants`` may make another than LeNet-5)
DISPLAY = {"lenet5": "LeNet-5"}


def draw(summary, arrays):
    """Every figure, from the content of results.json and figures.npz; trains nothing."""
    cm = summary["confusion_matrix"]
    name = cm["model"]
    accuracy = summary["models"][name]["test_accuracy"]
    return {
        "loss_curve.png": plot_loss_curves(summary["models"]).figure,
        "confusion_matrix.png": plot_cnn_confusion(np.asarray(cm["counts"]), accuracy,
                                                   name=DISPLAY.get(name, name)).figure,
        "filters.png": plot_conv_filters(arrays["filters"]),
    }


#: results.json, figures.npz (the first-layer filters) and the figures drawn from them
OUTPUTS = Outputs(draw, dpi=120)


def parse_args(argv):
    """The parser and the arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None,
                        help=f"output directory (default {DEFAULT_OUT}; with --replot: DIR)")
    parser.add_argument("--quick", action="store_true", help="small subset, 3 epochs")
    parser.add_argument("--seed", type=cli.seed, default=0, help="random_state of every model")
    parser.add_argument(
        "--data-home", default=None, help="MNIST directory (default: see load_mnist)"
    )
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    OUTPUTS.add_replot_option(parser)
    args = parser.parse_args(argv)
    if args.replot is None and not args.variants:
        parser.error("--variants: name at least one model")
    return parser, args


def fit_and_test(run, name, params, X, y, Xt, yt):
    """Fit one model (stage ``fit <name>``) and test it (``evaluate <name>``); its entry of
    results.json, the model and its predictions."""
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
    print(f"{name:16s} test accuracy {100 * acc:.2f}%  fit {fit_time:7.1f} s  "
          f"({clf.n_iter_} epochs)", flush=True)
    return {
        "params": params,
        "test_accuracy": acc,
        "test_errors": int(np.sum(pred != yt)),
        "fit_seconds": round(fit_time, 2),
        "predict_seconds": round(predict_time, 3),
        "epochs": clf.n_iter_,
        "loss_curve": [float(v) for v in clf.loss_curve_],
    }, clf, pred


def summarise(run, args, results, yt, n_train, main_name, pred):
    """The content of results.json."""
    return {
        "n_train": n_train,
        "n_test": int(len(yt)),
        "seed": args.seed,
        "quick": args.quick,
        **run.summary(),
        "models": results,
        "confusion_matrix": {
            "model": main_name, "labels": list(range(10)), "rows": "true",
            "columns": "predicted",
            "counts": confusion_matrix(yt, pred, labels=range(10)).tolist(),
        },
    }


def run_experiment(parser, args, argv, out):
    """Train and test every model, save and draw; results.json's content and the paths
    written."""
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
            results[name], clf, pred = fit_and_test(run, name, params, X, y, Xt, yt)
            models[name] = (clf, pred)
        main_name = "lenet5" if "lenet5" in models else args.variants[0]
        clf, pred = models[main_name]
        summary = summarise(run, args, results, yt, int(len(y)), main_name, pred)
        paths = OUTPUTS.save(run, out, summary, {"filters": clf.coefs_[0]})
    return summary, paths + [run.path]


def main(argv=None):
    """Run the experiment; returns the content of results.json (with ``--replot``: the
    paths of the figures redrawn)."""
    parser, args = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(parser, args.replot, args.out)
    summary, paths = run_experiment(parser, args, argv, Path(args.out or DEFAULT_OUT))
    print("wrote:")
    for p in paths:
        print(f"  {p.resolve()}")
    return summary


if __name__ == "__main__":
    main()
