"""How invariant to shift are the Neocognitron and convolutional networks? MNIST and the
five patterns of 1980.

Fukushima built the Neocognitron (1980) to recognise a pattern "unaffected by shift in
position"; convolutional networks inherited its layout but are, measured carefully, far
from shift-invariant: subsampling without low-pass filtering aliases (Zhang 2019), and
small shifts change a CNN's answer surprisingly often (Azulay & Weiss 2019). This study
puts the digit neocognitron (Fukushima 2003, ``NeocognitronClassifier``, no backprop) next
to LeNet-5 (``ConvNetClassifier``) and three remedies: BlurPool (``antialias=True``),
global average pooling (``global_pool=True``) and training on digits shifted at random by
up to 4 pixels (``augment_shift=4``). Every model is trained on unshifted digits unless
named otherwise (the augmented CNN), then tested on shifted copies of held-out digits.

Two canvases:

* **28×28**: the MNIST frame; digits shifted by ``(dy, dx)`` up to ±4 pixels, vacated
  pixels zero (``neocognitron.transforms.shift``). Ink pushed past the edge is lost, so
  large shifts test the model and the cropping together.
* **44×44**: every digit centred on a 44×44 canvas (8 empty pixels each side); models are
  trained on these centred digits and tested with shifts up to ±8 pixels, which keep the
  28×28 frame on the canvas (Azulay & Weiss embed their images the same way).

Measures, on every model, canvas and seed (``neocognitron.shift_study.measures``):
accuracy over the grid of shifts ``(dy, dx)`` and by shift distance ``max(|dy|, |dx|)``;
consistency (Zhang 2019); prediction change rate along a diagonal sweep (after Azulay &
Weiss 2019); representation similarity of a digit's features (``transform``: the CNN's
penultimate layer, the neocognitron's top C-cells) with those of its shifted copy; and, on
28×28, accuracy under elastic deformation (Simard et al. 2003, ``sigma`` = 4 pixels) and
salt-and-pepper noise at a few strengths, the same deformed and noisy digits
(``perturbed_copies``) for every model and seed. results.json states each one in words.

The 1980 network against a CNN (``neocognitron.shift_study.fukushima1980``):
``Neocognitron.fukushima1980(random_state=seed)`` self-organises without a teacher on the
patterns "0"-"4", each presented 20 times at a random shift of at most 2 pixels; a
LeNet-5 is trained with labels on exactly the same 100 presentations
(``Neocognitron.presentations``). Both are tested on every shift with ``|dy|, |dx| <= 3``:
the network keeps a pattern when the same UC3 cell wins as for the unshifted pattern, the
CNN when it gives the right (or the same) class.

Outputs (in ``--out``), each written under a temporary name and renamed when complete:

  results.json                  every number: per seed, model and canvas the accuracy grid,
                                accuracy by distance, consistency, change rates,
                                similarities, robustness, fit/evaluation times; means and
                                standard deviations over seeds; the 1980 comparison; the
                                settings, every model's parameters, the git commit (and
                                whether the tree was dirty), the definitions above
  results.md                    the table for the README (model × accuracy at shift 0, ±2,
                                ±4 on 28×28, ±8 on 44×44, consistency, change rate) and the
                                1980 comparison
  accuracy_vs_shift.png         accuracy against shift distance, both canvases, mean ± std
  accuracy_heatmaps.png         accuracy over the (dy, dx) grid, every model and canvas
  change_rate.png               prediction change rate per step of the diagonal sweep
  representation_similarity.png feature correlation against the diagonal shift
  robustness.png                accuracy against elastic deformation and noise strength
  fukushima1980_vs_cnn.png      the 1980 network and a CNN on the shifted 1980 patterns
  run.json                      provenance: command, seeds, git commit, versions, machine,
                                the time of every stage (``neocognitron.workflow.provenance``)

A run writes results.json, then draws the figures and results.md from that file alone;
``--replot DIR [--out OUT]`` draws them from the results.json in DIR into OUT (default DIR),
without data or training, as ``make figures`` does for the copy in ``docs/results/``.

Data: the first ``n_train`` MNIST training digits (the same for every model and seed) and
``n_test`` test digits drawn once with ``default_rng(2019)``; seeds change only the models
(initial weights, order of presentation, augmentation).

Settings (``--train-size``, ``--test-size``, ``--seeds``, ``--cnn-epochs`` override them):

  default   10,000 training and 2,000 test digits, seeds 0,1,2, NeocognitronClassifier
            defaults, ConvNetClassifier defaults (15 epochs), every shift on 28×28
            (9×9 grid), every second shift on 44×44 (9×9 grid), 2,000 consistency pairs.
            About 1 h 40 min (1.5-2 h) on 2 busy cores: an ESTIMATE scaled from --quick
            timings, not a measurement. Per seed: 2 neocognitron fits of 3-6 min, about
            14 min of neocognitron evaluation (204,000 predictions per canvas at 480-1000
            digits/s) and about 10 min for the 8 MNIST CNNs.
  --quick   2,000 training and 500 test digits, seed 0, NeocognitronClassifier with
            n_epochs=2 and n_unsupervised=500, CNNs 3 epochs, shifts every 2 pixels on
            28×28 and every 4 pixels on 44×44 (5×5 grids), 500 consistency pairs: 2 min
            50 s to 3 min 15 s on 2 busy cores (measured; load average 4-6).

Usage: python experiments/shift_invariance.py [--out results/shift_invariance] [--quick]
[--seeds 0,1,2] [--train-size N] [--test-size N] [--cnn-epochs N] [--models a,b,...]
[--data-home DIR] [--quiet] [--replot DIR]

References
----------
K. Fukushima, "Neocognitron: a self-organizing neural network model for a mechanism of
pattern recognition unaffected by shift in position", Biol. Cybern. 36, 193-202 (1980).
K. Fukushima, "Neocognitron for handwritten digit recognition", Neurocomputing 51, 161-180
(2003).
R. Zhang, "Making convolutional networks shift-invariant again", ICML 2019.
A. Azulay and Y. Weiss, "Why do deep convolutional networks generalize so poorly to small
image transformations?", JMLR 20(184), 1-25 (2019).
P. Y. Simard, D. Steinkraus and J. C. Platt, "Best practices for convolutional neural
networks applied to visual document analysis", ICDAR 2003.
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

from neocognitron import ConvNetClassifier, NeocognitronClassifier, cli  # noqa: E402
from neocognitron.datasets import fukushima1980_patterns, load_mnist  # noqa: E402
from neocognitron.plotting.shift_study import plot_shift_study  # noqa: E402
from neocognitron.shift_study import (  # noqa: E402
    canvas_grid,
    evaluate_shifts,
    pad_to_canvas,
    perturbed_copies,
    report,
    robustness,
    summarise,
)
from neocognitron.shift_study import fukushima1980 as study1980  # noqa: E402
from neocognitron.workflow import provenance  # noqa: E402
from neocognitron.workflow.outputs import Outputs, wrote  # noqa: E402

DEFAULT_OUT = "results/shift_invariance"

#: name -> (label, estimator class, parameters besides random_state and the size settings)
MODELS = {
    "neocognitron": ("Neocognitron (Fukushima 2003)", "NeocognitronClassifier", {}),
    "lenet5": ("LeNet-5 CNN", "ConvNetClassifier", {}),
    "blurpool": ("CNN + BlurPool", "ConvNetClassifier", {"antialias": True}),
    "global_pool": ("CNN + global avg. pool", "ConvNetClassifier", {"global_pool": True}),
    "augment_shift_4": ("CNN + shift aug. ±4", "ConvNetClassifier", {"augment_shift": 4}),
}

#: canvas name -> (side, largest shift)
CANVASES = {"28": (28, 4), "44": (44, 8)}

SETTINGS = {
    "full": {
        "n_train": 10000, "n_test": 2000, "seeds": [0, 1, 2],
        "neocognitron": {}, "cnn": {},
        "grid_step": {"28": 1, "44": 2}, "n_pairs": 2000,
        "elastic_alpha": [0.0, 17.0, 34.0, 51.0], "noise_p": [0.0, 0.02, 0.05, 0.1],
    },
    "quick": {
        "n_train": 2000, "n_test": 500, "seeds": [0],
        "neocognitron": {"n_epochs": 2, "n_unsupervised": 500}, "cnn": {"max_iter": 3},
        "grid_step": {"28": 2, "44": 4}, "n_pairs": 500,
        "elastic_alpha": [0.0, 17.0, 34.0, 51.0], "noise_p": [0.0, 0.02, 0.05, 0.1],
    },
    # used by the test only: everything exercised, nothing meaningful
    "smoke": {
        "n_train": 300, "n_test": 100, "seeds": [0],
        "neocognitron": {"n_epochs": 1, "n_unsupervised": 150}, "cnn": {"max_iter": 1},
        "grid_step": {"28": 2, "44": 8}, "n_pairs": 100,
        "elastic_alpha": [0.0, 34.0], "noise_p": [0.0, 0.05],
    },
}

ELASTIC_SIGMA = 4.0  # pixels (Simard et al. 2003: alpha = 34, sigma = 4 on MNIST)
NOISE_HIGH = 255  # the "salt" of the salt-and-pepper noise: white on 0-255 digits
TEST_SEED = 2019  # the test subset
CONSISTENCY_SEED = 2019  # the same random shift pairs for every model and seed
#: the CNN trained on the 1980 patterns (100 presentations): small batches, more epochs
CNN_1980 = {"max_iter": 30, "batch_size": 10}
SHIFT_1980 = 3  # patterns have 3 empty pixels on every side


def draw(results, arrays):
    """Every figure, from the content of results.json; trains nothing."""
    return plot_shift_study(results)


#: results.json, and the figures and results.md drawn from it
OUTPUTS = Outputs(draw, markdown=report.results_markdown, arrays=False)


# ---------------------------------------------------------------------------- helpers
def make_model(name, seed, settings):
    _, kind, params = MODELS[name]
    if kind == "NeocognitronClassifier":
        return NeocognitronClassifier(random_state=seed, **settings["neocognitron"], **params)
    return ConvNetClassifier(random_state=seed, **settings["cnn"], **params)


# ---------------------------------------------------------------------------- main
def parse_args(argv=None):
    """The parser, the arguments, and the settings they select."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=None,
                    help=f"output folder (default {DEFAULT_OUT}; with --replot: DIR)")
    ap.add_argument("--quick", action="store_true",
                    help="2,000 training / 500 test digits, one seed, coarse shift grids, "
                         "short training (about 3 minutes)")
    ap.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # tests only
    ap.add_argument("--seeds", "--seed", type=cli.seed_list, default=None,
                    help="comma-separated model seeds (default 0,1,2; --quick: 0)")
    ap.add_argument("--train-size", type=cli.positive_int, default=None,
                    help="first N training digits (default 10000; --quick: 2000)")
    ap.add_argument("--test-size", type=cli.positive_int, default=None,
                    help="test digits, drawn once with default_rng(2019) (default 2000; "
                         "--quick: 500)")
    ap.add_argument("--cnn-epochs", type=cli.positive_int, default=None,
                    help="max_iter of the MNIST CNNs (default 15; --quick: 3)")
    ap.add_argument("--models", default=",".join(MODELS),
                    help=f"comma-separated subset of {','.join(MODELS)}")
    ap.add_argument("--data-home", default=None, help="MNIST directory (default: see load_mnist)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    OUTPUTS.add_replot_option(ap, draws="the figures and results.md")
    args = ap.parse_args(argv)

    args.mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    settings = {k: (dict(v) if isinstance(v, dict) else v)
                for k, v in SETTINGS[args.mode].items()}
    for key, value in (("seeds", args.seeds), ("n_train", args.train_size),
                       ("n_test", args.test_size)):
        if value is not None:
            settings[key] = value
    if args.cnn_epochs is not None:
        settings["cnn"]["max_iter"] = args.cnn_epochs
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = sorted(set(names) - set(MODELS))
    if unknown or not names:
        ap.error(f"--models: unknown {unknown}; choose from {list(MODELS)}")
    args.names = [n for n in MODELS if n in names]
    return ap, args, settings


def load_data(ap, data_home, n_train, n_test):
    """The first ``n_train`` training digits and ``n_test`` test digits drawn with
    ``default_rng(TEST_SEED)`` (float32), and the indices of those test digits."""
    X_all, y_all = load_mnist("train", data_home=data_home)
    Xt_all, yt_all = load_mnist("test", data_home=data_home)
    if not 10 <= n_train <= len(X_all):
        ap.error(f"--train-size must lie in [10, {len(X_all)}], got {n_train}")
    if not 1 <= n_test <= len(Xt_all):
        ap.error(f"--test-size must lie in [1, {len(Xt_all)}], got {n_test}")
    test_idx = np.sort(np.random.default_rng(TEST_SEED).choice(len(Xt_all), n_test, replace=False))
    return (X_all[:n_train].astype(np.float32), y_all[:n_train],
            Xt_all[test_idx].astype(np.float32), yt_all[test_idx], test_idx)


def fit_and_measure(run, name, seed, settings, canvas, data, variants):
    """Fit one model on one canvas (stage ``fit ...``); every measure of it (stage
    ``evaluate ...``) and its parameters. ``data``: ``(X, y, Xt, yt)`` on the canvas."""
    X, y, Xt, yt = data
    model = make_model(name, seed, settings)
    what = f"{name} {canvas}x{canvas} seed {seed}"
    with run.stage(f"fit {what}") as fit:
        model.fit(X, y)
    with run.stage(f"evaluate {what}") as evaluation:
        r = evaluate_shifts(model, Xt, yt, CANVASES[canvas][1],
                            settings["grid_step"][canvas], settings["n_pairs"],
                            random_state=CONSISTENCY_SEED)
        if canvas == "28":
            r["robustness"] = robustness(model, variants, yt)
    r["seed"] = seed
    r["fit_seconds"] = round(fit["seconds"], 2)
    r["eval_seconds"] = round(evaluation["seconds"], 2)
    if isinstance(model, NeocognitronClassifier):
        r["n_planes"] = list(model.n_planes_)
    else:
        r["n_epochs"] = model.n_iter_
    params = {k: v for k, v in model.get_params().items()
              if k not in ("random_state", "verbose")}
    return r, params


def run_models(run, args, settings, data, variants, patterns):
    """Every model on every canvas and seed, and the 1980 comparison per seed: the runs
    (canvas -> model -> one result per seed), every model's parameters, the 1980 runs."""
    X, y, Xt, yt = data
    names, seeds = args.names, settings["seeds"]
    runs = {canvas: {n: [] for n in names} for canvas in CANVASES}
    params = {}
    runs_1980 = []
    bar = tqdm(total=len(seeds) * (len(CANVASES) * len(names) + 1), desc="shift study",
               disable=args.quiet, unit="model")
    for seed in seeds:
        for canvas, (side, _) in CANVASES.items():
            on_canvas = (pad_to_canvas(X, side), y, pad_to_canvas(Xt, side), yt)
            for name in names:
                bar.set_postfix(seed=seed, canvas=f"{side}x{side}", model=name)
                r, p = fit_and_measure(run, name, seed, settings, canvas, on_canvas, variants)
                runs[canvas][name].append(r)
                params.setdefault(name, p)
                bar.update()
        bar.set_postfix(seed=seed, model="1980 patterns")
        with run.stage(f"1980 comparison seed {seed}"):
            runs_1980.append(study1980.compare_with_cnn(patterns, seed, CNN_1980, SHIFT_1980))
        bar.update()
    bar.close()
    return runs, params, runs_1980


def describe(run, args, settings, canvases, test_idx, measured, pattern_names):
    """The content of results.json, but for the wall time; ``measured`` is what
    :func:`run_models` returned."""
    runs, params, runs_1980 = measured
    names, seeds = args.names, settings["seeds"]
    n_train, n_test = settings["n_train"], settings["n_test"]
    summary = summarise(runs)
    s1980 = {"runs": runs_1980, "summary": study1980.summarise_runs(runs_1980)}
    labels = {n: MODELS[n][0] for n in names}
    return {
        "study": report.STUDY,
        "references": list(report.REFERENCES),
        "mode": args.mode,
        "quick": args.mode != "full",
        "settings": settings,
        "seeds": seeds,
        "git": run.record["git"],  # run.json is the full record of provenance
        "data": {
            "n_train": n_train, "n_test": n_test,
            "train_subset": f"first {n_train} of the MNIST training set",
            "test_subset": f"{n_test} of the 10,000 test digits drawn with "
                           f"default_rng({TEST_SEED})",
            "test_indices_first": test_idx[:20].tolist(),
            "pixels": "0-255 as float32",
        },
        "definitions": report.definitions(CONSISTENCY_SEED, ELASTIC_SIGMA, NOISE_HIGH,
                                          SHIFT_1980),
        "models": {n: {"label": MODELS[n][0], "estimator": MODELS[n][1],
                       "params": params[n]} for n in names},
        "canvases": canvases,
        "robustness_strengths": {"elastic_alpha": settings["elastic_alpha"],
                                 "elastic_sigma": ELASTIC_SIGMA,
                                 "noise_p": settings["noise_p"], "noise_high": NOISE_HIGH},
        "runs": runs,
        "summary": summary,
        "fukushima1980": {
            "patterns": list(pattern_names), "max_test_shift": SHIFT_1980,
            "cnn_params": dict(CNN_1980),
            "presentations": "the 100 shifted patterns Neocognitron.fit(random_state="
                             "seed) learns from (20 per pattern, random shifts up to 2 "
                             "px keeping the ink), replayed in the same order for the "
                             "CNN (Neocognitron.presentations)",
            **s1980,
        },
        "table_markdown": report.markdown_table(summary, canvases, labels, len(seeds)),
        "table_1980_markdown": report.fukushima1980_table(s1980["summary"], len(seeds)),
        **run.summary(),
    }


def run_study(ap, args, settings, argv, out):
    """Load the data, fit and measure every model, save and draw; results.json's content,
    the paths written and the run's wall time."""
    t_start = time.perf_counter()
    run = provenance.Run(out, argv=argv, script=__file__, parser=ap, seeds={
        "models": settings["seeds"], "test_subset": TEST_SEED,
        "consistency": CONSISTENCY_SEED, "perturbations": TEST_SEED})
    with run:
        with run.stage("load data"):
            X, y, Xt, yt, test_idx = load_data(ap, args.data_home, settings["n_train"],
                                               settings["n_test"])
            variants = perturbed_copies(Xt, settings["elastic_alpha"], settings["noise_p"],
                                        ELASTIC_SIGMA, NOISE_HIGH, seed=TEST_SEED)
            patterns, pattern_names = fukushima1980_patterns(return_names=True)
        canvases = {c: canvas_grid(side, max_shift, settings["grid_step"][c])
                    for c, (side, max_shift) in CANVASES.items()}
        measured = run_models(run, args, settings, (X, y, Xt, yt), variants, patterns)
        results = describe(run, args, settings, canvases, test_idx, measured, pattern_names)
        results["wall_time_s"] = round(time.perf_counter() - t_start, 2)
        written = OUTPUTS.save(run, out, results)
    return results, written + [run.path], run.record["wall_seconds"]


def main(argv=None):
    """Run the study; returns the content of results.json (with ``--replot``: the paths of
    the files redrawn)."""
    ap, args, settings = parse_args(argv)
    if args.replot is not None:
        return OUTPUTS.replot(ap, args.replot, args.out)
    out = Path(args.out or DEFAULT_OUT)
    results, written, seconds = run_study(ap, args, settings, argv, out)
    print(results["table_markdown"], results["table_1980_markdown"], sep="\n\n")
    print(wrote(out, written, seconds))
    return results


if __name__ == "__main__":
    main()
