"""MNIST with the digit neocognitron, trained without backpropagation.

Fukushima, "Neocognitron for handwritten digit recognition", Neurocomputing 51, 161-180
(2003); the interpolating-vector readout after Fukushima, "Interpolating vectors for
robust pattern recognition", Neural Networks 20, 904-916 (2007).

Trains ``NeocognitronClassifier`` (default parameters, ``random_state=--seed``) on the
*first* ``--train-size`` MNIST training digits (the order of the file, no shuffling; the
learning curve's subsets are nested: the first N for each N) and tests it on the 10,000
test digits, or, with ``--test-size`` below 10,000, on a random subset of them drawn with
``--seed`` (not the first ones: the first half of the MNIST test set is the easier one).
The same fit is read out twice: winner-take-all and interpolating vectors, switched with
``set_params(readout=...)`` (no refit). Writes to ``--out``:

  results.json          every number: test errors of both readouts, fit and predict times,
                        planes per layer, top planes added per epoch, learning curve,
                        confusion matrices, the parameters and the data sizes
  learning_curve.png    test error against training-set size (log axes), with Fukushima's
                        ETL1 result (another database) and LeNet-5 on MNIST as references
  confusion_matrix.png  counts, winner-take-all readout
  features.png          what each layer learned: U_S1 edges, the learned U_S2 patterns (if
                        the network has a learned stage; the defaults have none), top
                        prototypes
  layer_responses.png   every layer's response to one test digit (cf. Fig. 7 of 1980)
  misclassified.png     up to 50 misclassified test digits, titled true->predicted
  figures.npz           the arrays those figures need that are not in results.json: the
                        U_S1 (and U_S2) patterns, the top prototypes shown (3 per class) and
                        every top plane's class, every layer's response to the digit shown,
                        the misclassified digits shown
  run.json              provenance: command, seeds, git commit, versions, machine, the time
                        of every stage (``neocognitron.workflow.provenance``)
  model.npz             the network of the main fit (``neocognitron.workflow.io.load``
                        reads it back; about 20 MB after 60,000 digits; not needed by ``--replot``)

Every file is written under a temporary name and renamed when complete. BLAS and numba
threads are left as the environment sets them (run.json records the variables).

``--replot DIR [--out OUT]`` redraws every figure from the results.json and figures.npz a
run wrote in DIR, into OUT (default DIR), without data or training: ``make figures`` does
this for the copies in ``docs/results/``.

Usage: python experiments/mnist_neocognitron.py [--out results/mnist_neocognitron]
[--quick] [--train-size 60000] [--test-size 10000] [--learning-curve 300,1000,...]
[--seed 0] [--data-home DIR] [--quiet]. ``--quick``: 1,000 training and 500 test digits,
learning curve at 300 and 1,000 (a smoke test, well under 90 s).
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

from neocognitron import NeocognitronClassifier, cli  # noqa: E402
from neocognitron.datasets import load_mnist  # noqa: E402
from neocognitron.digits.readouts import READOUTS, time_readouts  # noqa: E402
from neocognitron.plotting import (  # noqa: E402
    plot_confusion,
    plot_digit_features,
    plot_layer_responses,
    plot_learning_curve,
    plot_misclassified,
)
from neocognitron.plotting.digits import ETL1_REFERENCE, LENET5_REFERENCE  # noqa: E402
from neocognitron.workflow import io, provenance  # noqa: E402
from neocognitron.workflow.outputs import Outputs, wrote  # noqa: E402

DEFAULT_OUT = "results/mnist_neocognitron"
TOP_PER_CLASS = 3   # top prototypes shown per class in features.png
MAX_MISCLASSIFIED = 50  # digits shown in misclassified.png
DEFAULT_CURVE = "300,1000,3000,10000,60000"


def fit_timed(params, X, y):
    clf = NeocognitronClassifier(**params)
    t0 = time.perf_counter()
    clf.fit(X, y)
    return clf, time.perf_counter() - t0


def _public(ev):
    """``evaluate``'s result without the predictions."""
    return {r: {k: v for k, v in d.items() if k != "pred"} for r, d in ev.items()}


def top_shown(top_X, top_labels, n_classes, per_class=TOP_PER_CLASS):
    """Indices of the top planes ``plot_digit_features`` shows: the ``per_class`` of largest
    norm (the most reinforced) in every class, by class."""
    norms = np.linalg.norm(np.asarray(top_X, dtype=float), axis=1)
    shown = []
    for c in range(n_classes):
        members = np.flatnonzero(top_labels == c)
        shown += members[np.argsort(-norms[members])][:per_class].tolist()
    return np.array(shown, dtype=np.int64)


def figure_arrays(clf, layers, top, digit_true, digit_pred, misclassified):
    """What figures.npz holds: the arrays the figures need that results.json has not.

    Of the top prototypes (thousands after a full fit) only the ones shown are kept, with
    the class of every top plane, so that the figure's titles (plane numbers, planes per
    class) come out as from the whole top layer."""
    idx = top_shown(clf.top_X_, clf.top_labels_, len(clf.classes_))
    # with no learned intermediate layer the top reads U_C1 and there is no U_S2 to show
    learned = {"s2_patterns": clf.stages_[1].X} if len(clf.stages_) > 1 else {}
    return {
        "s1_patterns": clf.stages_[0].X,
        **learned,
        "top_labels": clf.top_labels_,
        "top_shape": (clf.stages_[-1].X.shape[0],) + tuple(clf.top_field_),
        "top_shown_index": idx,
        "top_shown_patterns": clf.top_X_[idx],
        "layers": list(layers),
        **{f"layer_{name}": v for name, v in layers.items()},
        "layer_top": top,
        "layer_digit": [digit_true, digit_pred],
        "misclassified_images": misclassified[:MAX_MISCLASSIFIED],
    }


def draw(results, arrays):
    """Every figure, from the content of results.json and figures.npz; trains nothing."""
    classes = results["confusion_matrix"]["labels"]
    n_train, n_test = results["data"]["n_train"], results["data"]["n_test"]
    curve = results["learning_curve"]
    figs = {}

    fig, ax = plt.subplots(figsize=(8, 5.2))
    plot_learning_curve(curve["sizes"], {
        "neocognitron, winner-take-all": curve["wta_error"],
        "neocognitron, interpolating vectors": curve["interpolating_error"],
    }, ax=ax, title=f"Digit neocognitron on MNIST ({n_test:,} test digits): "
                    "test error against training-set size",
       xlabel="training digits (the first N of the MNIST training set, log scale)")
    figs["learning_curve.png"] = fig

    fig, ax = plt.subplots(figsize=(7, 6))
    plot_confusion(np.asarray(results["confusion_matrix"]["wta"]), ax=ax, labels=classes,
                   title=f"Neocognitron (winner-take-all), {n_train:,} training digits:\n"
                         f"confusion on {n_test:,} test digits "
                         f"(error {100 * results['test']['wta']['error']:.2f} %)")
    figs["confusion_matrix.png"] = fig

    # the whole top layer, zero but for the planes shown (the others are not drawn)
    labels, shape = arrays["top_labels"], tuple(int(v) for v in arrays["top_shape"])
    shown_X = arrays["top_shown_patterns"]
    top_X = np.zeros((len(labels), shown_X.shape[1]), dtype=shown_X.dtype)
    top_X[arrays["top_shown_index"]] = shown_X
    s2 = arrays["s2_patterns"] if "s2_patterns" in arrays else None
    figs["features.png"] = plot_digit_features(
        arrays["s1_patterns"], s2, top_X, labels, shape,
        classes=classes, per_class=TOP_PER_CLASS, strides=results["params"]["strides"])

    layers = {name: arrays[f"layer_{name}"] for name in arrays["layers"]}
    true, pred = (int(v) for v in arrays["layer_digit"])
    n_top = sum(name.startswith("UC") for name in layers) + 1
    layers_title = (f"Response of every layer to test digit #{results['layer_responses_digit']}"
                    f" (true {true}, predicted {pred}); top layer U_C{n_top}: "
                    "bars\n(darkness = output, scaled to each layer's maximum; numbers = "
                    "cell-plane)")
    figs["layer_responses.png"] = plot_layer_responses(layers, top=arrays["layer_top"],
                                                       classes=classes, title=layers_title)

    wrong = results["misclassified_wta"]
    shown = len(arrays["misclassified_images"])
    figs["misclassified.png"] = plot_misclassified(
        arrays["misclassified_images"], wrong["true"][:shown], wrong["pred"][:shown],
        max_n=MAX_MISCLASSIFIED,
        title=f"Misclassified test digits, winner-take-all readout: first "
              f"{min(MAX_MISCLASSIFIED, len(wrong['true']))} of {len(wrong['true'])} "
              "(titled true→predicted)")
    return figs


#: results.json, figures.npz and the figures drawn from them (model.npz is saved beside)
OUTPUTS = Outputs(draw)


def parse_args(argv):
    """The parser and the arguments, with the sizes they select (``n_train``, ``n_test``,
    ``curve``)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None,
                    help=f"output folder (default {DEFAULT_OUT}; with --replot: DIR)")
    ap.add_argument("--quick", action="store_true",
                    help="1,000 training / 500 test digits, learning curve 300,1000")
    ap.add_argument("--train-size", type=cli.positive_int, default=None,
                    help="first N training digits (default 60000; --quick: 1000)")
    ap.add_argument("--test-size", type=cli.positive_int, default=None,
                    help="test digits, a seeded random subset if < 10000 (default 10000; "
                         "--quick: 500)")
    ap.add_argument("--learning-curve", type=cli.positive_int_list, default=None,
                    metavar="SIZES",
                    help=f"training-set sizes, comma-separated (default {DEFAULT_CURVE}; "
                         "--quick: 300,1000); sizes above --train-size are dropped")
    ap.add_argument("--seed", type=cli.seed, default=0,
                    help="random_state of every fit and of the test subset")
    ap.add_argument("--data-home", default=None, help="MNIST directory (default: see load_mnist)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap)
    args = ap.parse_args(argv)
    args.n_train = args.train_size or (1000 if args.quick else 60000)
    args.n_test = args.test_size or (500 if args.quick else 10000)
    args.curve = args.learning_curve or cli.positive_int_list("300,1000" if args.quick
                                                               else DEFAULT_CURVE)
    return ap, args


def load_data(run, ap, args):
    """Stage ``load data``: the first ``n_train`` training digits, the test digits (all, or
    ``n_test`` drawn with ``default_rng([seed, 2003])``), their indices and how they were
    chosen."""
    with run.stage("load data"):
        X, y = load_mnist("train", data_home=args.data_home)
        Xt_all, yt_all = load_mnist("test", data_home=args.data_home)
    n_train, n_test = args.n_train, args.n_test
    if not 1 <= n_train <= len(X):
        ap.error(f"--train-size must lie in [1, {len(X)}], got {n_train}")
    if not 1 <= n_test <= len(Xt_all):
        ap.error(f"--test-size must lie in [1, {len(Xt_all)}], got {n_test}")
    if n_test < len(Xt_all):
        test_idx = np.sort(np.random.default_rng([args.seed, 2003]).choice(
            len(Xt_all), n_test, replace=False))
        test_subset = f"random subset of {n_test} drawn with default_rng([seed, 2003])"
    else:
        test_idx = np.arange(len(Xt_all))
        test_subset = "all"
    return X[:n_train], y[:n_train], Xt_all[test_idx], yt_all[test_idx], test_idx, test_subset


def main_fit(run, args, X, y, Xt, yt):
    """Stages ``fit`` and ``evaluate``: the main fit, its seconds and both readouts'
    test results."""
    params = {"random_state": args.seed, "verbose": not args.quiet}
    if not args.quiet:
        print(f"fitting on the first {args.n_train:,} training digits ...", flush=True)
    with run.stage("fit"):
        clf, fit_seconds = fit_timed(params, X, y)
    with run.stage("evaluate"):
        ev = time_readouts(clf, Xt, yt)
    for r in READOUTS:
        print(f"{r:14s} test error {100 * ev[r]['error']:.2f}% "
              f"({ev[r]['errors']}/{args.n_test})  predict {ev[r]['predict_seconds']:.1f} s "
              f"({ev[r]['digits_per_second']:.0f} digits/s)", flush=True)
    print(f"fit {fit_seconds:.1f} s; planes per S-layer {clf.n_planes_}; top planes "
          f"added per epoch {clf.planes_added_}", flush=True)
    return clf, fit_seconds, ev


def learning_curve(run, args, fit, X, y, Xt, yt):
    """One fit per size of ``args.curve`` (stage ``learning curve <size>``; ``fit``, the
    main fit's ``(clf, seconds, results)``, for ``n_train``): results.json's
    ``learning_curve``."""
    dropped = [s for s in args.curve if s > args.n_train]
    curve = sorted({s for s in args.curve if s <= args.n_train} | {args.n_train})
    params = {"random_state": args.seed, "verbose": False}
    points = []
    for size in tqdm(curve, desc="learning curve", disable=args.quiet):
        if size == args.n_train:
            c, secs, e = fit
        else:
            with run.stage(f"learning curve {size}"):
                c, secs = fit_timed(params, X[:size], y[:size])
                e = time_readouts(c, Xt, yt)
        points.append({"n_train": size, "fit_seconds": round(secs, 2),
                       "n_planes": list(c.n_planes_), "planes_added": list(c.planes_added_),
                       **{f"{r}_error": e[r]["error"] for r in READOUTS}})
    return {
        "sizes": curve,
        "dropped_sizes": dropped,
        "subsets": "first N training digits (nested)",
        **{f"{r}_error": [p[f"{r}_error"] for p in points] for r in READOUTS},
        "points": points,
    }


def responses(run, clf, ev, Xt, yt, test_idx):
    """Stage ``responses``: the confusion matrices, the misclassified digits and every
    layer's response to test digit 0, as results.json keeps them and figures.npz."""
    with run.stage("responses"):
        classes = clf.classes_
        pred = ev["wta"]["pred"]
        cm = {r: confusion_matrix(yt, ev[r]["pred"], labels=classes) for r in READOUTS}
        wrong = np.flatnonzero(pred != yt)
        shown = 0
        layers = clf.forward(Xt[shown : shown + 1])
        top = clf.transform(Xt[shown : shown + 1])[0]
        arrays = figure_arrays(clf, layers, top, yt[shown], pred[shown], Xt[wrong])
    return {
        "confusion_matrix": {"labels": classes.tolist(), "rows": "true",
                             "columns": "predicted", **{r: cm[r].tolist() for r in READOUTS}},
        "misclassified_wta": {"test_indices": test_idx[wrong].tolist(),
                              "true": yt[wrong].tolist(), "pred": pred[wrong].tolist()},
        "layer_responses_digit": int(test_idx[shown]),
    }, arrays


def describe(run, args, data, fit, curve, shown):
    """The content of results.json, but for the wall time. ``data``: ``(test_idx,
    test_subset)``; ``fit``: ``(clf, seconds, results)`` of the main fit; ``curve``: the
    learning curve; ``shown``: the entries :func:`responses` made."""
    (test_idx, test_subset), (clf, fit_seconds, ev) = data, fit
    return {
        "paper": "Fukushima (2003) Neurocomputing 51:161-180; interpolating vectors: "
                 "Fukushima (2007) Neural Networks 20",
        "seed": args.seed,
        "quick": args.quick,
        "data": {
            "n_train": args.n_train, "n_test": args.n_test,
            "train_subset": f"first {args.n_train} of the MNIST training set",
            "test_subset": test_subset,
            "test_indices_first": test_idx[:20].tolist(),
        },
        "params": clf.get_params(),
        "fit_seconds": round(fit_seconds, 2),
        "test": _public(ev),
        "n_planes": list(clf.n_planes_),
        "n_planes_layers": [f"U_S{i + 1}" for i in range(len(clf.n_planes_))],
        "planes_added_per_epoch": list(clf.planes_added_),
        "n_iter": clf.n_iter_,
        "canvas_shape": list(clf.canvas_shape_),
        "top_field": list(clf.top_field_),
        "learning_curve": curve,
        **shown,
        "references": {"etl1_fukushima2003": ETL1_REFERENCE, "lenet5": LENET5_REFERENCE},
        **run.summary(),
    }


def run_experiment(ap, args, argv, out):
    """Fit, measure, save and draw; results.json's content, the paths written and the
    run's wall time."""
    t_start = time.perf_counter()
    run = provenance.Run(out, argv=argv, script=__file__, parser=ap,
                         seeds={"fits": args.seed, "test_subset": [args.seed, 2003]})
    with run:
        X, y, Xt, yt, test_idx, test_subset = load_data(run, ap, args)
        fit = main_fit(run, args, X, y, Xt, yt)
        curve = learning_curve(run, args, fit, X, y, Xt, yt)
        shown, arrays = responses(run, fit[0], fit[2], Xt, yt, test_idx)
        results = describe(run, args, (test_idx, test_subset), fit, curve, shown)
        results["wall_time_s"] = round(time.perf_counter() - t_start, 2)
        written = OUTPUTS.save(run, out, results, arrays,
                               extra=[lambda folder: io.save(fit[0], folder / "model.npz")])
    return results, written + [run.path], run.record["wall_seconds"]


def main(argv=None):
    """Run the experiment; returns the content of results.json (with ``--replot``: the
    paths of the figures redrawn)."""
    ap, args = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(ap, args.replot, args.out)
    out = Path(args.out or DEFAULT_OUT)
    results, written, seconds = run_experiment(ap, args, argv, out)
    print(wrote(out, written, seconds))
    return results


if __name__ == "__main__":
    main()
