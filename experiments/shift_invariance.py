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

Measures (``neocognitron.metrics``), on every model, canvas and seed:

* accuracy over the grid of shifts ``(dy, dx)`` (``accuracy_by_shift``) and, from it, the
  accuracy at each shift distance ``d``: the mean over the grid shifts with
  ``max(|dy|, |dx|) = d`` (the ring at Chebyshev distance ``d``);
* consistency (Zhang 2019): how often two random shifts of the same digit, each uniform on
  ``[-s, s]^2``, get the same predicted class (``s`` = the canvas's largest shift);
* prediction change rate along a diagonal sweep (after Azulay & Weiss 2019): digits shifted
  by ``dy = dx = t`` for ``t = 0 ... s``; the fraction of digits whose class changes between
  ``t`` and ``t + 1``, per step and overall;
* representation similarity: the mean Pearson correlation between a digit's features and
  those of its copy shifted by ``dy = dx = t`` (CNN: the penultimate layer,
  ``transform``; neocognitron: its top C-cells, one per class, ``transform``);
* robustness on the 28×28 canvas: accuracy under elastic deformation
  (``transforms.elastic``, Simard et al. 2003, ``sigma`` = 4 pixels) and salt-and-pepper
  noise (``transforms.salt_and_pepper``) at a few strengths; the same deformed and noisy
  digits for every model and seed.

The 1980 network against a CNN: ``Neocognitron.fukushima1980(random_state=seed)``
self-organises without a teacher on the patterns "0"-"4" (16×16), each presented 20 times
at a random shift of at most 2 pixels. A LeNet-5 (``ConvNetClassifier``, 16×16 input) is
trained with labels on exactly the same 100 presentations: the same shifted images in the
same order, drawn as ``Neocognitron.fit`` draws them. Both are tested on every shift of the
five patterns with ``|dy|, |dx| <= 3`` (every such shift keeps the ink on the input). The
1980 network has no classes; its measure is the one of the paper: the fraction of shifted
patterns whose winning UC3 cell (``Neocognitron.winners``, the most active top C-cell) is
the same cell as the unshifted pattern's (a pattern whose unshifted input leaves every UC3
cell silent counts as never kept). The CNN's measures: the fraction classified correctly,
and the fraction given the same class as the unshifted pattern.

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

Data: the first ``n_train`` MNIST training digits (the same for every model and seed) and
``n_test`` test digits drawn once with ``default_rng(2019)``; seeds change only the models
(initial weights, order of presentation, augmentation).

Settings (``--train-size``, ``--test-size``, ``--seeds``, ``--cnn-epochs`` override them):

  default   10,000 training and 2,000 test digits, seeds 0,1,2, NeocognitronClassifier
            defaults, ConvNetClassifier defaults (15 epochs), every shift on 28×28
            (9×9 grid), every second shift on 44×44 (9×9 grid), 2,000 consistency pairs.
            Expected run time on 2 busy cores: about 1 h 40 min (1.5-2 h). This is an
            ESTIMATE scaled from --quick timings, not a measurement: per seed, 2
            neocognitron fits of 3-6 min each (fits took 19-38 s in --quick depending on
            the load; 2,000 -> 4,000 digits at the default settings cost 2.15x), about
            14 min of neocognitron evaluation (204,000 predictions per canvas at the 480-1000
            digits/s of --quick, somewhat slower with the larger top layer) and about 10 min
            for the 8 MNIST CNNs (fits 25x the --quick epochs x digits); times 3 seeds.
  --quick   2,000 training and 500 test digits, seed 0, NeocognitronClassifier with
            n_epochs=2 and n_unsupervised=500, CNNs 3 epochs, shifts every 2 pixels on
            28×28 and every 4 pixels on 44×44 (5×5 grids), 500 consistency pairs: 2 min
            50 s to 3 min 15 s on 2 busy cores (measured; load average 4-6).

Usage: python experiments/shift_invariance.py [--out results/shift_invariance] [--quick]
[--seeds 0,1,2] [--train-size N] [--test-size N] [--cnn-epochs N] [--models a,b,...]
[--data-home DIR] [--quiet]

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
import os
import platform
import subprocess
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402
from tqdm.auto import tqdm  # noqa: E402

import neocognitron  # noqa: E402
from neocognitron import (  # noqa: E402
    ConvNetClassifier,
    Neocognitron,
    NeocognitronClassifier,
    transforms,
)
from neocognitron.config import fukushima1980  # noqa: E402
from neocognitron.datasets import fukushima1980_patterns, load_mnist  # noqa: E402
from neocognitron.metrics import (  # noqa: E402
    accuracy_by_shift,
    consistency,
    prediction_change_rate,
    representation_similarity,
)
from neocognitron.plotting.shift import (  # noqa: E402
    plot_accuracy_vs_shift,
    plot_change_rate,
    plot_representation_similarity,
    plot_robustness,
    plot_shift_heatmap,
    plot_shift_heatmaps,
)
from neocognitron.results import _atomic, save_figure, write_json  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

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
TEST_SEED = 2019  # the test subset
CONSISTENCY_SEED = 2019  # the same random shift pairs for every model and seed
#: the CNN trained on the 1980 patterns (100 presentations): small batches, more epochs
CNN_1980 = {"max_iter": 30, "batch_size": 10}
SHIFT_1980 = 3  # patterns have 3 empty pixels on every side

DEFINITIONS = {
    "accuracy_grid": "accuracy_by_shift: fraction of test digits classified correctly when "
                     "every digit is shifted by (dy, dx) (zero fill); grid[i][j] at "
                     "dy = offsets[i], dx = offsets[j]",
    "accuracy_by_distance": "mean of the grid accuracies over the shifts with "
                            "max(|dy|, |dx|) = d (the ring at Chebyshev distance d); "
                            "'acc at ±d' in results.md is this value",
    "consistency": "Zhang (2019): fraction of n_pairs random draws (a test digit and two "
                   "shifts, each uniform on [-s, s]^2, s = the canvas's max shift) whose "
                   "two shifted copies get the same predicted class; the same draws for "
                   f"every model (random_state={CONSISTENCY_SEED})",
    "change_rate": "after Azulay & Weiss (2019): digits shifted by dy = dx = t, "
                   "t = 0..s; per_step[t] = fraction of digits whose predicted class "
                   "differs between t and t + 1; rate = mean over the s steps",
    "similarity": "mean over test digits of the Pearson correlation between "
                  "model.transform(x) and model.transform(shift(x, t, t)); CNN: penultimate "
                  "layer (84 features), neocognitron: top C-cells (one per class)",
    "robustness": "accuracy on the 28x28 canvas after transforms.elastic(alpha, sigma=4) "
                  "or transforms.salt_and_pepper(p, high=255), no shift; the same "
                  "transformed digits for every model and seed",
    "fukushima1980": "1980 network: fraction of shifted patterns (every (dy, dx) with "
                     "|dy|, |dx| <= 3) whose winning UC3 cell (most active top C-cell) is "
                     "the cell of the unshifted pattern ('same_cell'; an unshifted pattern "
                     "that leaves UC3 silent never counts as kept); 'class_accuracy' maps "
                     "each UC3 cell won by exactly one unshifted pattern to that pattern "
                     "and counts a shifted pattern as right when its winner maps to its "
                     "own pattern (equal to same_cell when the five cells are distinct). "
                     "CNN: 'accuracy' = correct class, 'same_prediction' = same class as "
                     "for the unshifted pattern",
}


# ---------------------------------------------------------------------------- helpers
def _int_list(text):
    try:
        values = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}") \
            from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"need non-negative integers: {text!r}")
    return values


def git_info(root=ROOT):
    """Commit of ``root`` and whether its tree differs from it (None when git is absent)."""
    def run(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=True, timeout=30).stdout
    try:
        commit = run("rev-parse", "HEAD").strip()
        status = run("status", "--porcelain").splitlines()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None, "changed_files": []}
    return {"commit": commit, "dirty": bool(status),
            "changed_files": [line[3:] for line in status][:100]}


def on_canvas(X, side):
    """Centre 28x28 digits on a ``side`` x ``side`` canvas (zero border)."""
    pad = (side - X.shape[1]) // 2
    return np.pad(X, ((0, 0), (pad, side - X.shape[1] - pad), (pad, side - X.shape[2] - pad)))


def make_model(name, seed, settings):
    _, kind, params = MODELS[name]
    if kind == "NeocognitronClassifier":
        return NeocognitronClassifier(random_state=seed, **settings["neocognitron"], **params)
    return ConvNetClassifier(random_state=seed, **settings["cnn"], **params)


def offsets_of(max_shift, step):
    if max_shift % step:
        raise ValueError(f"grid step {step} does not divide the largest shift {max_shift}")
    return list(range(-max_shift, max_shift + 1, step))


def by_distance(pairs, values):
    """Mean of ``values`` over each ring ``max(|dy|, |dx|) = d``; returns (d list, means)."""
    d = np.array([max(abs(dy), abs(dx)) for dy, dx in pairs])
    values = np.asarray(values, dtype=float)
    dists = sorted(set(d.tolist()))
    return dists, [float(values[d == k].mean()) for k in dists]


def evaluate(model, X, y, max_shift, step, n_pairs):
    """Every shift measure of one fitted model on one canvas."""
    t0 = time.perf_counter()
    offsets = offsets_of(max_shift, step)
    pairs = [(dy, dx) for dy in offsets for dx in offsets]
    acc = accuracy_by_shift(model, X, y, pairs)["accuracy"]
    dists, acc_d = by_distance(pairs, acc)
    cons = consistency(model, X, max_shift, n_pairs=n_pairs, random_state=CONSISTENCY_SEED)
    pcr = prediction_change_rate(model, X, max_shift)
    diag = list(range(max_shift + 1))
    sim = representation_similarity(model, X, [(t, t) for t in diag])["similarity"]
    return {
        "offsets": offsets,
        "accuracy_grid": acc.reshape(len(offsets), len(offsets)),
        "distances": dists,
        "accuracy_by_distance": acc_d,
        "accuracy_unshifted": float(acc[pairs.index((0, 0))]),
        "consistency": cons,
        "change_rate": pcr["rate"],
        "change_rate_per_step": pcr["per_step"],
        "similarity_shifts": diag,
        "similarity": sim,
        "eval_seconds": round(time.perf_counter() - t0, 2),
    }


def robustness(model, variants, y):
    """Accuracy on each precomputed set of deformed or noisy test digits."""
    return {kind: [float(np.mean(model.predict(X) == y)) for X in sets]
            for kind, sets in variants.items()}


def _stats(values):
    arr = np.asarray(values, dtype=float)
    return {"mean": arr.mean(axis=0), "std": arr.std(axis=0)}


def summarise(runs):
    """Mean and standard deviation over seeds of every measure of every model."""
    keys = ("accuracy_grid", "accuracy_by_distance", "accuracy_unshifted", "consistency",
            "change_rate", "change_rate_per_step", "similarity", "fit_seconds",
            "eval_seconds")
    out = {}
    for canvas, models in runs.items():
        out[canvas] = {}
        for name, seeds in models.items():
            s = {k: _stats([r[k] for r in seeds]) for k in keys}
            if "robustness" in seeds[0]:
                s["robustness"] = {kind: _stats([r["robustness"][kind] for r in seeds])
                                   for kind in seeds[0]["robustness"]}
            out[canvas][name] = s
    return out


# ---------------------------------------------------------------------------- 1980
class _Winners:
    """A 1980 network as a "classifier" whose classes are its UC3 cells."""

    def __init__(self, net):
        self.net = net

    def predict(self, X):
        return self.net.winners(X)


class _WinnerClass:
    """Maps the UC3 winner to the pattern whose unshifted input alone won that cell."""

    def __init__(self, net, winners):
        self.net = net
        cells, counts = np.unique(winners[winners >= 0], return_counts=True)
        self.cell_to_class = {int(c): int(np.flatnonzero(winners == c)[0])
                              for c, k in zip(cells, counts, strict=True) if k == 1}

    def predict(self, X):
        return np.array([self.cell_to_class.get(int(w), -1) for w in self.net.winners(X)])


def presentations(patterns, net, seed):
    """The shifted patterns ``net.fit(patterns)`` learns from, in order, and their classes.

    Replays the draws of ``Neocognitron.fit``: ``check_random_state(seed)``, patterns
    cycled ``repeats`` times, each through ``random_shift(p, max_shift, rng)``; the initial
    weights draw nothing from the stream when ``init_jitter == 0``.
    """
    cfg = net.config if net.config is not None else fukushima1980()
    if cfg.init_jitter > 0:
        raise ValueError("with init_jitter > 0 the initial weights consume random draws first; "
                         "the presentations cannot be replayed")
    rng = check_random_state(seed)
    order = np.tile(np.arange(len(patterns)), cfg.repeats)
    X = np.stack([transforms.random_shift(patterns[p], cfg.max_shift, random_state=rng)[0]
                  for p in order])
    return X, order


def study_1980(seed):
    patterns, names = fukushima1980_patterns(return_names=True)
    t0 = time.perf_counter()
    net = Neocognitron.fukushima1980(random_state=seed).fit(patterns)
    fit_net = time.perf_counter() - t0
    Xp, yp = presentations(patterns, net, seed)
    t0 = time.perf_counter()
    cnn = ConvNetClassifier(random_state=seed, **CNN_1980).fit(Xp, yp)
    fit_cnn = time.perf_counter() - t0
    classes = np.arange(len(patterns))
    w0 = net.winners(patterns)
    kept = np.where(w0 >= 0, w0, -2)  # a silent unshifted pattern is never "kept"
    measures = {
        "neocognitron1980": {
            "same_cell": accuracy_by_shift(_Winners(net), patterns, kept, SHIFT_1980),
            "class_accuracy": accuracy_by_shift(_WinnerClass(net, w0), patterns, classes,
                                                SHIFT_1980),
        },
        "cnn": {
            "accuracy": accuracy_by_shift(cnn, patterns, classes, SHIFT_1980),
            "same_prediction": accuracy_by_shift(cnn, patterns, cnn.predict(patterns),
                                                 SHIFT_1980),
        },
    }
    out = {"seed": seed, "winners": w0.tolist(),
           "distinct": bool(len(set(w0.tolist())) == len(w0) and (w0 >= 0).all()),
           "cnn_train_accuracy": float(np.mean(cnn.predict(Xp) == yp)),
           "presentation_shifts_seen": int(len(Xp)),
           "fit_seconds": {"neocognitron1980": round(fit_net, 2), "cnn": round(fit_cnn, 2)}}
    for model, ms in measures.items():
        out[model] = {}
        for key, r in ms.items():
            dists, acc_d = by_distance(r["shifts"], r["accuracy"])
            out[model][key] = {"grid": r["grid"], "mean": float(np.mean(r["accuracy"])),
                               "distances": dists, "by_distance": acc_d}
    return out, list(names)


def summarise_1980(runs):
    out = {}
    for model, keys in (("neocognitron1980", ("same_cell", "class_accuracy")),
                        ("cnn", ("accuracy", "same_prediction"))):
        out[model] = {k: {"by_distance": _stats([r[model][k]["by_distance"] for r in runs]),
                          "grid": _stats([r[model][k]["grid"] for r in runs]),
                          "mean": _stats([r[model][k]["mean"] for r in runs])}
                      for k in keys}
    out["distances"] = runs[0]["cnn"]["accuracy"]["distances"]
    out["n_distinct"] = int(sum(r["distinct"] for r in runs))
    return out


# ---------------------------------------------------------------------------- table
def _cell(stats, i=None, percent=True, n_seeds=1):
    m, s = stats["mean"], stats["std"]
    if i is not None:
        m, s = m[i], s[i]
    scale = 100 if percent else 1
    digits = 1 if percent else 3
    text = f"{scale * m:.{digits}f}"
    return text + (f" ± {scale * s:.{digits}f}" if n_seeds > 1 else "")


def markdown_table(summary, canvases, names, n_seeds):
    """The README table: model × accuracy at 0, ±2, ±4 (28×28), ±8 (44×44), consistency
    and change rate (44×44), in percent."""
    d28 = canvases["28"]["distances"]
    d44 = canvases["44"]["distances"]
    s44 = canvases["44"]["max_shift"]
    head = ["model", "acc. at 0 (28×28)", "acc. at ±2 (28×28)", "acc. at ±4 (28×28)",
            f"acc. at ±{s44} (44×44)", f"consistency (44×44, ±{s44})",
            f"change rate (44×44, diagonal 0–{s44})"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        a, b = summary["28"][name], summary["44"][name]
        rows.append("| " + " | ".join([
            MODELS[name][0],
            _cell(a["accuracy_by_distance"], d28.index(0), n_seeds=n_seeds),
            _cell(a["accuracy_by_distance"], d28.index(2), n_seeds=n_seeds),
            _cell(a["accuracy_by_distance"], d28.index(4), n_seeds=n_seeds),
            _cell(b["accuracy_by_distance"], d44.index(s44), n_seeds=n_seeds),
            _cell(b["consistency"], n_seeds=n_seeds),
            _cell(b["change_rate"], n_seeds=n_seeds),
        ]) + " |")
    return "\n".join(rows)


def markdown_1980(s, n_seeds):
    dists = s["distances"]
    head = ["model (measure)"] + [f"shift {d}" for d in dists] + ["all 49 shifts"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, model, key in (
        ("Neocognitron 1980 (same UC3 cell as unshifted)", "neocognitron1980", "same_cell"),
        ("LeNet-5 CNN (correct class)", "cnn", "accuracy"),
        ("LeNet-5 CNN (same class as unshifted)", "cnn", "same_prediction"),
    ):
        r = s[model][key]
        rows.append("| " + " | ".join(
            [label] + [_cell(r["by_distance"], i, n_seeds=n_seeds) for i in range(len(dists))]
            + [_cell(r["mean"], n_seeds=n_seeds)]) + " |")
    return "\n".join(rows)


# ---------------------------------------------------------------------------- figures
def _legend_below(fig, ax, ncol=3):
    """One legend for the whole figure, under its panels (so it hides no data)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.01), ncol=ncol,
               fontsize=9, frameon=False)


def make_figures(summary, runs, canvases, names, s1980, settings, n_test, n_seeds):
    labels = {n: MODELS[n][0] for n in names}
    figs = {}
    seeds_note = f"{n_seeds} seed" + ("s, mean ± std" if n_seeds > 1 else "")
    titles = {"28": "28×28 canvas: zero-filled shifts (ink may leave the frame)",
              "44": "digits centred on a 44×44 canvas (ink stays in frame)"}

    def per_seed(canvas, key):
        return {labels[n]: [r[key] for r in runs[canvas][n]] for n in names}

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, canvas in zip(axes, ("28", "44"), strict=True):
        plot_accuracy_vs_shift(canvases[canvas]["distances"],
                               per_seed(canvas, "accuracy_by_distance"), ax=ax,
                               title=titles[canvas], chance=0.1, legend=False,
                               xlabel="shift (pixels), max(|dy|, |dx|)")
    fig.suptitle(f"MNIST accuracy against shift distance ({n_test:,} test digits, "
                 f"{seeds_note}); mean over the shifts at each distance")
    fig.tight_layout()
    _legend_below(fig, axes[0])
    figs["accuracy_vs_shift.png"] = fig

    fig = plt.figure(figsize=(3.4 * len(names) + 1.4, 7.6))
    for sub, canvas in zip(fig.subfigures(2, 1, hspace=0.08), ("28", "44"), strict=True):
        grids = {labels[n]: summary[canvas][n]["accuracy_grid"]["mean"] for n in names}
        plot_shift_heatmaps(grids, canvases[canvas]["offsets"], fig=sub,
                            title=titles[canvas] + " — accuracy (%) at each shift (dy, dx)"
                            + ("" if n_seeds == 1 else f", mean of {n_seeds} seeds"))
    figs["accuracy_heatmaps.png"] = fig

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, canvas in zip(axes, ("28", "44"), strict=True):
        plot_change_rate(canvases[canvas]["max_shift"], per_seed(canvas, "change_rate_per_step"),
                         ax=ax, title=titles[canvas], legend=False)
    fig.suptitle("Prediction change rate along a diagonal sweep (after Azulay & Weiss 2019): "
                 f"digits whose class changes between shifts t and t + 1 ({seeds_note})")
    fig.tight_layout()
    _legend_below(fig, axes[0])
    figs["change_rate.png"] = fig

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, canvas in zip(axes, ("28", "44"), strict=True):
        plot_representation_similarity(canvases[canvas]["similarity_shifts"],
                                       per_seed(canvas, "similarity"), ax=ax,
                                       title=titles[canvas], legend=False)
    fig.suptitle("Representation similarity: correlation of each digit's features with those "
                 "of its shifted copy\n(CNN: penultimate layer; neocognitron: top C-cells) "
                 f"({seeds_note})")
    fig.tight_layout()
    _legend_below(fig, axes[0])
    figs["representation_similarity.png"] = fig

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    rob = {kind: {labels[n]: [r["robustness"][kind] for r in runs["28"][n]] for n in names}
           for kind in ("elastic", "noise")}
    plot_robustness(settings["elastic_alpha"], rob["elastic"], ax=axes[0], chance=0.1,
                    legend=False,
                    xlabel=f"elastic deformation strength α (σ = {ELASTIC_SIGMA:g} pixels)",
                    title="elastic deformation (Simard et al. 2003; α = 34 is their setting)")
    plot_robustness(settings["noise_p"], rob["noise"], ax=axes[1], chance=0.1, legend=False,
                    xlabel="fraction of pixels flipped (salt and pepper)",
                    title="salt-and-pepper noise")
    fig.suptitle(f"Robustness to deformation and noise, 28×28 canvas, no shift "
                 f"({n_test:,} test digits, {seeds_note})")
    fig.tight_layout()
    _legend_below(fig, axes[0])
    figs["robustness.png"] = fig

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6),
                             gridspec_kw={"width_ratios": [1.4, 1, 1]})
    curves = {
        "Neocognitron 1980: same UC3 cell as for the unshifted pattern":
            [r["neocognitron1980"]["same_cell"]["by_distance"] for r in s1980["runs"]],
        "LeNet-5 CNN: same class as for the unshifted pattern":
            [r["cnn"]["same_prediction"]["by_distance"] for r in s1980["runs"]],
    }
    plot_accuracy_vs_shift(s1980["summary"]["distances"], curves, ax=axes[0],
                           ylabel="shifted patterns keeping their answer (%)", legend=False,
                           xlabel="shift (pixels), max(|dy|, |dx|); training: up to 2",
                           title='patterns "0"-"4", 100 presentations shifted ≤ 2 px')
    offs = list(range(-SHIFT_1980, SHIFT_1980 + 1))
    plot_shift_heatmap(s1980["summary"]["neocognitron1980"]["same_cell"]["grid"]["mean"],
                       offs, ax=axes[1], title="Neocognitron 1980: same UC3 cell (%)",
                       label="patterns keeping their UC3 cell (%)")
    plot_shift_heatmap(s1980["summary"]["cnn"]["same_prediction"]["grid"]["mean"], offs,
                       ax=axes[2], title="LeNet-5 CNN: same class (%)",
                       label="patterns keeping their class (%)")
    fig.suptitle("The 1980 network (unsupervised) against a CNN (supervised) trained on the "
                 f"same shifted presentations ({seeds_note})")
    fig.tight_layout()
    _legend_below(fig, axes[0], ncol=3)
    figs["fukushima1980_vs_cnn.png"] = fig
    return figs


# ---------------------------------------------------------------------------- main
def main(argv=None):
    """Run the study; returns the content of results.json."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="results/shift_invariance", help="output folder")
    ap.add_argument("--quick", action="store_true",
                    help="2,000 training / 500 test digits, one seed, coarse shift grids, "
                         "short training (about 3 minutes)")
    ap.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # tests only
    ap.add_argument("--seeds", type=_int_list, default=None,
                    help="comma-separated model seeds (default 0,1,2; --quick: 0)")
    ap.add_argument("--train-size", type=int, default=None,
                    help="first N training digits (default 10000; --quick: 2000)")
    ap.add_argument("--test-size", type=int, default=None,
                    help="test digits, drawn once with default_rng(2019) (default 2000; "
                         "--quick: 500)")
    ap.add_argument("--cnn-epochs", type=int, default=None,
                    help="max_iter of the MNIST CNNs (default 15; --quick: 3)")
    ap.add_argument("--models", default=",".join(MODELS),
                    help=f"comma-separated subset of {','.join(MODELS)}")
    ap.add_argument("--data-home", default=None, help="MNIST directory (default: see load_mnist)")
    ap.add_argument("--quiet", action="store_true", help="no progress bars")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    settings = {k: (dict(v) if isinstance(v, dict) else v) for k, v in SETTINGS[mode].items()}
    if args.seeds is not None:
        settings["seeds"] = args.seeds
    if args.train_size is not None:
        settings["n_train"] = args.train_size
    if args.test_size is not None:
        settings["n_test"] = args.test_size
    if args.cnn_epochs is not None:
        settings["cnn"]["max_iter"] = args.cnn_epochs
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = sorted(set(names) - set(MODELS))
    if unknown or not names:
        ap.error(f"--models: unknown {unknown}; choose from {list(MODELS)}")
    names = [n for n in MODELS if n in names]
    seeds = settings["seeds"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    X_all, y_all = load_mnist("train", data_home=args.data_home)
    Xt_all, yt_all = load_mnist("test", data_home=args.data_home)
    n_train, n_test = settings["n_train"], settings["n_test"]
    if not 10 <= n_train <= len(X_all):
        ap.error(f"--train-size must lie in [10, {len(X_all)}], got {n_train}")
    if not 1 <= n_test <= len(Xt_all):
        ap.error(f"--test-size must lie in [1, {len(Xt_all)}], got {n_test}")
    X, y = X_all[:n_train].astype(np.float32), y_all[:n_train]
    test_idx = np.sort(np.random.default_rng(TEST_SEED).choice(len(Xt_all), n_test,
                                                                replace=False))
    Xt, yt = Xt_all[test_idx].astype(np.float32), yt_all[test_idx]
    del X_all, Xt_all

    canvases = {}
    for canvas, (side, max_shift) in CANVASES.items():
        offsets = offsets_of(max_shift, settings["grid_step"][canvas])
        canvases[canvas] = {
            "side": side, "max_shift": max_shift, "grid_step": settings["grid_step"][canvas],
            "offsets": offsets,
            "distances": sorted({max(abs(a), abs(b)) for a in offsets for b in offsets}),
            "similarity_shifts": list(range(max_shift + 1)),
        }
    def rng(*key):
        return np.random.default_rng([TEST_SEED, *key])

    variants = {
        "elastic": [transforms.elastic(Xt, a, ELASTIC_SIGMA, random_state=rng(1, i))
                    for i, a in enumerate(settings["elastic_alpha"])],
        "noise": [transforms.salt_and_pepper(Xt, p, random_state=rng(2, i), high=255)
                  for i, p in enumerate(settings["noise_p"])],
    }

    runs = {canvas: {n: [] for n in names} for canvas in CANVASES}
    params = {}
    runs_1980 = []
    bar = tqdm(total=len(seeds) * (len(CANVASES) * len(names) + 1), desc="shift study",
               disable=args.quiet, unit="model")
    for seed in seeds:
        for canvas, (side, max_shift) in CANVASES.items():
            Xc, Xtc = on_canvas(X, side), on_canvas(Xt, side)
            for name in names:
                bar.set_postfix(seed=seed, canvas=f"{side}x{side}", model=name)
                model = make_model(name, seed, settings)
                t0 = time.perf_counter()
                model.fit(Xc, y)
                fit_seconds = time.perf_counter() - t0
                r = evaluate(model, Xtc, yt, max_shift, settings["grid_step"][canvas],
                             settings["n_pairs"])
                r["seed"] = seed
                r["fit_seconds"] = round(fit_seconds, 2)
                if canvas == "28":
                    t0 = time.perf_counter()
                    r["robustness"] = robustness(model, variants, yt)
                    r["eval_seconds"] = round(r["eval_seconds"] + time.perf_counter() - t0, 2)
                if isinstance(model, NeocognitronClassifier):
                    r["n_planes"] = list(model.n_planes_)
                else:
                    r["n_epochs"] = model.n_iter_
                runs[canvas][name].append(r)
                params.setdefault(name, {k: v for k, v in model.get_params().items()
                                         if k not in ("random_state", "verbose")})
                bar.update()
        bar.set_postfix(seed=seed, model="1980 patterns")
        r1980, pattern_names = study_1980(seed)
        runs_1980.append(r1980)
        bar.update()
    bar.close()

    summary = summarise(runs)
    s1980 = {"runs": runs_1980, "summary": summarise_1980(runs_1980)}
    figs = make_figures(summary, runs, canvases, names, s1980, settings, n_test, len(seeds))
    written = [save_figure(f, out / name) for name, f in figs.items()]

    table = markdown_table(summary, canvases, names, len(seeds))
    table_1980 = markdown_1980(s1980["summary"], len(seeds))
    git = git_info()
    seeds_text = ",".join(map(str, seeds))
    commit = (git["commit"] or "unknown")[:10] + (" (dirty tree)" if git["dirty"] else "")
    md = "\n".join([
        f"Shift invariance on MNIST: {n_train:,} training digits (the first of the training "
        f"set), {n_test:,} test digits, seeds {seeds_text}"
        + (" (mean ± std over seeds)" if len(seeds) > 1 else "")
        + f", settings `{mode}`, commit {commit}. Accuracies in %.",
        "",
        table,
        "",
        "acc. at ±d: mean accuracy over the shifts (dy, dx) with max(|dy|, |dx|) = d "
        "(zero-filled, so on 28×28 ink may leave the frame); on 44×44 the digits are "
        "centred on a larger canvas and the models trained there. Consistency: same class "
        f"for two random shifts of a digit (Zhang 2019, {settings['n_pairs']:,} pairs). "
        "Change rate: digits whose class changes from one diagonal shift to the next "
        "(after Azulay & Weiss 2019), mean over the steps.",
        "",
        'The 1980 network and a CNN trained on the same 100 shifted presentations of '
        '"0"–"4" (16×16), tested on every shift with |dy|, |dx| ≤ 3 (%):',
        "",
        table_1980,
        "",
    ])
    written.append(out / "results.md")
    _atomic(out / "results.md", lambda fh: fh.write(md.encode()))  # no public text writer

    results = {
        "study": "shift invariance of the digit neocognitron and CNNs on MNIST; the 1980 "
                 "network against a CNN on the 1980 patterns",
        "references": [
            "Fukushima (1980) Biol. Cybern. 36:193-202",
            "Fukushima (2003) Neurocomputing 51:161-180",
            "Zhang (2019) Making convolutional networks shift-invariant again, ICML",
            "Azulay & Weiss (2019) Why do deep convolutional networks generalize so poorly "
            "to small image transformations?, JMLR 20(184)",
            "Simard, Steinkraus & Platt (2003) ICDAR (elastic deformation)",
        ],
        "mode": mode,
        "quick": mode != "full",
        "settings": settings,
        "seeds": seeds,
        "git": git,
        "data": {
            "n_train": n_train, "n_test": n_test,
            "train_subset": f"first {n_train} of the MNIST training set",
            "test_subset": f"{n_test} of the 10,000 test digits drawn with "
                           f"default_rng({TEST_SEED})",
            "test_indices_first": test_idx[:20].tolist(),
            "pixels": "0-255 as float32",
        },
        "definitions": DEFINITIONS,
        "models": {n: {"label": MODELS[n][0], "estimator": MODELS[n][1], "params": params[n]}
                   for n in names},
        "canvases": canvases,
        "robustness_strengths": {"elastic_alpha": settings["elastic_alpha"],
                                 "elastic_sigma": ELASTIC_SIGMA,
                                 "noise_p": settings["noise_p"], "noise_high": 255},
        "runs": runs,
        "summary": summary,
        "fukushima1980": {
            "patterns": pattern_names, "max_test_shift": SHIFT_1980,
            "cnn_params": dict(CNN_1980),
            "presentations": "the 100 shifted patterns Neocognitron.fit(random_state=seed) "
                             "learns from (20 per pattern, random shifts up to 2 px keeping "
                             "the ink), replayed in the same order for the CNN",
            **s1980,
        },
        "table_markdown": table,
        "table_1980_markdown": table_1980,
        "neocognitron_version": neocognitron.__version__,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    results["wall_time_s"] = round(time.perf_counter() - t_start, 2)
    written.append(write_json(results, out / "results.json"))
    print(table)
    print()
    print(table_1980)
    print(f"wrote {len(written)} files to {out.resolve()}/: "
          + ", ".join(p.name for p in written) + f" in {results['wall_time_s']} s")
    return results


if __name__ == "__main__":
    main()
