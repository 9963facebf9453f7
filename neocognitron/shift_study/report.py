"""The shift-invariance study in words: what each number of ``results.json`` means, the
markdown tables, and ``results.md``.

Every function reads results (the summaries of :mod:`~neocognitron.shift_study.measures`
and :mod:`~neocognitron.shift_study.fukushima1980`, or the whole ``results.json``) and
returns text; nothing here computes a measure.
"""

__all__ = ["STUDY", "REFERENCES", "format_stat", "definitions", "markdown_table",
           "differences_table", "fukushima1980_table", "results_markdown"]

#: what the study is, in one sentence (``results.json``'s ``study``)
STUDY = ("shift invariance of the digit neocognitron and CNNs on MNIST; the 1980 network "
         "against a CNN on the 1980 patterns")
#: the papers the study follows (``results.json``'s ``references``)
REFERENCES = [
    "Fukushima (1980) Biol. Cybern. 36:193-202",
    "Fukushima (2003) Neurocomputing 51:161-180",
    "Zhang (2019) Making convolutional networks shift-invariant again, ICML",
    "Azulay & Weiss (2019) Why do deep convolutional networks generalize so poorly "
    "to small image transformations?, JMLR 20(184)",
    "Simard, Steinkraus & Platt (2003) ICDAR (elastic deformation)",
    "Chaman & Dokmanic (2021) Truly shift-invariant convolutional neural networks, CVPR",
]


def format_stat(stats, i=None, percent=True, n_seeds=1):
    """A table cell: ``"mean"`` (``"mean ± std"`` over several seeds) of
    :func:`~neocognitron.shift_study.measures.mean_std` statistics.

    ``i`` picks one entry of array statistics; ``percent`` prints fractions as percent
    with one decimal, else the value with three.
    """
    m, s = stats["mean"], stats["std"]
    if i is not None:
        m, s = m[i], s[i]
    scale = 100 if percent else 1
    digits = 1 if percent else 3
    text = f"{scale * m:.{digits}f}"
    return text + (f" ± {scale * s:.{digits}f}" if n_seeds > 1 else "")


def definitions(consistency_seed, elastic_sigma, noise_high, max_test_shift, bootstrap=None):
    """What each measure of the study is, as ``results.json`` states it.

    Parameters
    ----------
    consistency_seed : int
        ``random_state`` of the consistency draws, the same for every model.
    elastic_sigma : float
        ``sigma`` of the elastic deformation (pixels).
    noise_high : float
        The "salt" value of the salt-and-pepper noise.
    max_test_shift : int
        Largest shift of the 1980 patterns in the comparison with the CNN.
    bootstrap : dict, optional
        ``n_resamples``, ``level`` and ``random_state`` of the intervals.

    Returns
    -------
    dict of str -> str
    """
    s = max_test_shift
    return {
        "accuracy_grid": "accuracy_by_shift: fraction of test digits classified correctly "
                         "when every digit is shifted by (dy, dx) (zero fill); grid[i][j] at "
                         "dy = offsets[i], dx = offsets[j]",
        "accuracy_by_distance": "mean of the grid accuracies over the shifts with "
                                "max(|dy|, |dx|) = d (the ring at Chebyshev distance d); "
                                "'acc at ±d' in results.md is this value",
        "consistency": "Zhang (2019): fraction of n_pairs random draws (a test digit and two "
                       "shifts, each uniform on [-s, s]^2, s = the canvas's max shift) whose "
                       "two shifted copies get the same predicted class; the same draws for "
                       f"every model (random_state={consistency_seed})",
        "change_rate": "after Azulay & Weiss (2019): digits shifted by dy = dx = t, "
                       "t = 0..s; per_step[t] = fraction of digits whose predicted class "
                       "differs between t and t + 1; rate = mean over the s steps",
        "circular": "the same accuracy grid and consistency under circular shifts "
                    "(np.roll: ink leaving one edge enters the opposite one); where no test "
                    "digit has ink within the canvas's max shift of the frame (44x44) the "
                    "images, hence the numbers, are those of zero fill "
                    "('same_images_as_zero_fill')",
        "similarity": "mean over test digits of the Pearson correlation between the ten "
                      "class scores of x and of shift(x, t, t), the same dimension for every "
                      "model: CNN: log class probabilities (the logits less their "
                      "log-sum-exp, a constant per digit that the correlation ignores); "
                      "neocognitron: top C-cells (one per class); 1-NN: the largest cosine "
                      "per class; '+ max over positions': the largest score per class over "
                      "the positions",
        "position_max": "'+ max over 3x3 positions': the classifier scores the digit "
                        "translated by every (dy, dx) of the neocognitron's grid of top "
                        "positions (position_grid: offsets k * prod(strides) for k = "
                        "-top_slack..top_slack, inside its margin; zero fill), keeps per "
                        "class the largest score and answers the class of the largest. "
                        "Nominal spacing: the neocognitron's C-cells are prod(strides) px "
                        "apart but for one step 1 px longer at the canvas's centre (the "
                        "centred grid rule)",
        "intervals": "percentile bootstrap over test digits: "
                     f"{(bootstrap or {}).get('n_resamples', '?')} resamples of the digits "
                     f"with replacement (default_rng({(bootstrap or {}).get('random_state')})"
                     ", the same for every model), each measure recomputed as a ratio of "
                     "sums over the resampled digits and averaged over the seeds; "
                     f"[low, high] = the {100 * (bootstrap or {}).get('level', 0.95):g} % "
                     "percentile interval of that mean",
        "robustness": "accuracy on the 28x28 canvas after transforms.elastic(alpha, "
                      f"sigma={elastic_sigma:g}) or transforms.salt_and_pepper(p, "
                      f"high={noise_high:g}), no shift; the same transformed digits for every "
                      "model and seed",
        "fukushima1980": "1980 network: fraction of shifted patterns (every (dy, dx) with "
                         f"|dy|, |dx| <= {s}) whose winning UC3 cell (most active top C-cell) "
                         "is the cell of the unshifted pattern ('same_cell'; an unshifted "
                         "pattern that leaves UC3 silent never counts as kept); "
                         "'class_accuracy' maps each UC3 cell won by exactly one unshifted "
                         "pattern to that pattern and counts a shifted pattern as right when "
                         "its winner maps to its own pattern (equal to same_cell when the "
                         "five cells are distinct). CNN: 'accuracy' = correct class, "
                         "'same_prediction' = same class as for the unshifted pattern",
    }


def _row(cells):
    return "| " + " | ".join(cells) + " |"


def _cell(stats, ci=None, i=None, n_seeds=1):
    """``mean ± std [low, high]`` in percent (without ``± std`` for one seed)."""
    text = format_stat(stats, i, n_seeds=n_seeds)
    if ci is None:
        return text
    lo, hi = ci[i] if i is not None else ci
    return text + f" [{100 * lo:.1f}, {100 * hi:.1f}]"


def markdown_table(summary, ci, canvases, labels, n_seeds):
    """The README table, in percent: per model the accuracy at shift 0, ±2 and ±4 on the
    28×28 canvas (zero fill) and ±4 under circular shifts, at the largest shift on the
    44×44 canvas, the consistency under zero-filled and circular shifts on 28×28 and on
    44×44, and the change rate on 44×44; accuracies and consistencies with their bootstrap
    intervals.

    Parameters
    ----------
    summary : dict canvas -> model -> statistics
        :func:`~neocognitron.shift_study.measures.summarise` of the runs.
    ci : dict canvas -> model -> kind -> intervals
        :func:`~neocognitron.shift_study.measures.intervals` of the runs.
    canvases : dict canvas -> dict
        Per canvas (``"28"``, ``"44"``), its ``distances`` and ``max_shift``.
    labels : dict model -> str
        The models of the rows, in order, and their names in the table.
    n_seeds : dict model -> int
        With more than one seed, cells read ``mean ± std``.
    """
    d28, d44 = canvases["28"]["distances"], canvases["44"]["distances"]
    s28, s44 = canvases["28"]["max_shift"], canvases["44"]["max_shift"]
    head = ["model", "seeds", "acc. at 0 (28×28)", "acc. at ±2 (28×28)",
            f"acc. at ±{s28} (28×28)", f"acc. at ±{s28}, circular (28×28)",
            f"acc. at ±{s44} (44×44)", f"consistency (28×28, ±{s28})",
            f"consistency, circular (28×28, ±{s28})", f"consistency (44×44, ±{s44})",
            f"change rate (44×44, diagonal 0–{s44})"]
    rows = [_row(head), "|" + "---|" * len(head)]
    for name, label in labels.items():
        a, b, k = summary["28"][name], summary["44"][name], n_seeds[name]
        ca, cb = ci["28"][name], ci["44"][name]
        acc = "accuracy_by_distance"
        rows.append(_row([
            label, str(k),
            *(_cell(a[acc], ca["zero"][acc], d28.index(d), k) for d in (0, 2, s28)),
            _cell(a["circular"][acc], ca["circular"][acc], d28.index(s28), k),
            _cell(b[acc], cb["zero"][acc], d44.index(s44), k),
            _cell(a["consistency"], ca["zero"]["consistency"], n_seeds=k),
            _cell(a["circular"]["consistency"], ca["circular"]["consistency"], n_seeds=k),
            _cell(b["consistency"], cb["zero"]["consistency"], n_seeds=k),
            format_stat(b["change_rate"], n_seeds=k),
        ]))
    return "\n".join(rows)


def _points(x):
    """A fraction as signed percentage points, one decimal; no "-0.0" (``+ 0.0`` turns
    the negative zero of a rounded small negative into zero)."""
    return f"{round(100 * x, 1) + 0.0:+.1f}"


def _diff_cell(d, i=None):
    """``+x.x [low, high]`` in percentage points."""
    value, (lo, hi) = ((d["difference"][i], d["interval"][i]) if i is not None
                       else (d["difference"], d["interval"]))
    return f"{_points(value)} [{_points(lo)}, {_points(hi)}]"


def differences_table(diffs, canvases, labels, reference_label):
    """Every model less the reference, in percentage points with paired 95 % bootstrap
    intervals over test digits: the accuracy at 0 and at the largest shift on 28×28 (zero
    fill and circular) and at the largest shift on 44×44, and the consistencies.

    Parameters
    ----------
    diffs : dict canvas -> model -> :func:`~neocognitron.shift_study.measures.differences`
    canvases : dict canvas -> dict
        Per canvas (``"28"``, ``"44"``), its ``distances`` and ``max_shift``.
    labels : dict model -> str
        The rows, in order (models without differences are left out).
    reference_label : str
        The name of the reference, for the header.
    """
    d28, d44 = canvases["28"]["distances"], canvases["44"]["distances"]
    s28, s44 = canvases["28"]["max_shift"], canvases["44"]["max_shift"]
    head = [f"model − {reference_label} (points)", "acc. at 0 (28×28)",
            f"acc. at ±{s28} (28×28)", f"acc. at ±{s28}, circular (28×28)",
            f"acc. at ±{s44} (44×44)", f"consistency (28×28, ±{s28})",
            f"consistency, circular (28×28, ±{s28})", f"consistency (44×44, ±{s44})"]
    rows = [_row(head), "|" + "---|" * len(head)]
    acc = "accuracy_by_distance"
    for name, label in labels.items():
        if name not in diffs["28"] or name not in diffs["44"]:
            continue
        a, b = diffs["28"][name], diffs["44"][name]
        rows.append(_row([
            label, _diff_cell(a["zero"][acc], d28.index(0)),
            _diff_cell(a["zero"][acc], d28.index(s28)),
            _diff_cell(a["circular"][acc], d28.index(s28)),
            _diff_cell(b["zero"][acc], d44.index(s44)),
            _diff_cell(a["zero"]["consistency"]), _diff_cell(a["circular"]["consistency"]),
            _diff_cell(b["zero"]["consistency"])]))
    return "\n".join(rows)


def fukushima1980_table(summary, n_seeds):
    """The table of the 1980 comparison, in percent: per model and measure, the patterns
    kept at each shift distance and over all shifts.

    Parameters
    ----------
    summary : dict
        :func:`~neocognitron.shift_study.fukushima1980.summarise_runs` of the runs.
    n_seeds : int
        With more than one seed, cells read ``mean ± std``.
    """
    dists = summary["distances"]
    n_shifts = (2 * dists[-1] + 1) ** 2
    head = ["model (measure)"] + [f"shift {d}" for d in dists] + [f"all {n_shifts} shifts"]
    rows = [_row(head), "|" + "---|" * len(head)]
    for label, model, key in (
        ("Neocognitron 1980 (same UC3 cell as unshifted)", "neocognitron1980", "same_cell"),
        ("LeNet-5 CNN (correct class)", "cnn", "accuracy"),
        ("LeNet-5 CNN (same class as unshifted)", "cnn", "same_prediction"),
    ):
        r = summary[model][key]
        rows.append(_row([label] + [format_stat(r["by_distance"], i, n_seeds=n_seeds)
                                    for i in range(len(dists))]
                         + [format_stat(r["mean"], n_seeds=n_seeds)]))
    return "\n".join(rows)


def results_markdown(results):
    """``results.md``: the two tables of ``results`` (``table_markdown``,
    ``table_1980_markdown``) with the settings they were measured with and what they mean.

    Reads ``data``, ``seeds``, ``mode``, ``git``, ``settings["n_pairs"]`` and
    ``fukushima1980["max_test_shift"]`` besides the tables.
    """
    seeds = results["seeds"]
    n_train, n_test = results["data"]["n_train"], results["data"]["n_test"]
    git = results["git"]
    commit = (git["commit"] or "unknown")[:10] + (" (dirty tree)" if git["dirty"] else "")
    shift = results["fukushima1980"]["max_test_shift"]
    return "\n".join([
        f"Shift invariance on MNIST: {n_train:,} training digits (the first of the training "
        f"set), {n_test:,} test digits, seeds {','.join(map(str, seeds))}"
        + (" (mean ± std over seeds)" if len(seeds) > 1 else "")
        + f", settings `{results['mode']}`, commit {commit}. Accuracies in %.",
        "",
        results["table_markdown"],
        "",
        "Each model less the neocognitron, in percentage points, with paired 95 % bootstrap "
        "intervals over test digits (the same resamples of the digits for both models; the "
        "interval covers which test digits were drawn, not the seeds: their spread is in "
        "the table above):",
        "",
        results["table_differences_markdown"],
        "",
        "acc. at ±d: mean accuracy over the shifts (dy, dx) with max(|dy|, |dx|) = d, "
        "zero-filled (on 28×28 ink may leave the frame) or circular (the image as a torus); "
        "on 44×44 the digits are centred on a larger canvas and the models trained there "
        "(no ink reaches the frame, so circular and zero-filled shifts are the same images)."
        " Consistency: same class for two random shifts of a digit (Zhang 2019, "
        f"{results['settings']['n_pairs']:,} pairs). Change rate: digits whose class changes "
        "from one diagonal shift to the next (after Azulay & Weiss 2019), mean over the "
        "steps. Cells: mean ± std over seeds [95 % bootstrap interval over test digits of "
        "that mean]; 1-NN learns nothing and is run once. '+ max over 3×3 positions': the "
        "neocognitron's own test-time search (the largest score per class over the digit "
        "translated to its 3×3 top positions, "
        f"{results['position_grid']['spacing']} px apart).",
        "",
        'The 1980 network and a CNN trained on the same 100 shifted presentations of '
        f'"0"–"4" (16×16), tested on every shift with |dy|, |dx| ≤ {shift} (%):',
        "",
        results["table_1980_markdown"],
        "",
    ])
