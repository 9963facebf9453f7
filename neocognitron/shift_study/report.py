"""The shift-invariance study in words: what each number of ``results.json`` means, the
markdown tables, and ``results.md``.

Every function reads results (the summaries of :mod:`~neocognitron.shift_study.measures`
and :mod:`~neocognitron.shift_study.fukushima1980`, or the whole ``results.json``) and
returns text; nothing here computes a measure.
"""

__all__ = ["STUDY", "REFERENCES", "format_stat", "definitions", "markdown_table",
           "fukushima1980_table", "results_markdown"]

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


def definitions(consistency_seed, elastic_sigma, noise_high, max_test_shift):
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
        "similarity": "mean over test digits of the Pearson correlation between "
                      "model.transform(x) and model.transform(shift(x, t, t)); CNN: "
                      "penultimate layer (84 features), neocognitron: top C-cells (one per "
                      "class)",
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


def markdown_table(summary, canvases, labels, n_seeds):
    """The README table, in percent: per model the accuracy at shift 0, ±2 and ±4 on the
    28×28 canvas and at the largest shift on the 44×44 canvas, and the consistency and
    change rate on the 44×44 canvas.

    Parameters
    ----------
    summary : dict canvas -> model -> statistics
        :func:`~neocognitron.shift_study.measures.summarise` of the runs.
    canvases : dict canvas -> dict
        Per canvas (``"28"``, ``"44"``), its ``distances`` and ``max_shift``.
    labels : dict model -> str
        The models of the rows, in order, and their names in the table.
    n_seeds : int
        With more than one seed, cells read ``mean ± std``.
    """
    d28 = canvases["28"]["distances"]
    d44 = canvases["44"]["distances"]
    s44 = canvases["44"]["max_shift"]
    head = ["model", "acc. at 0 (28×28)", "acc. at ±2 (28×28)", "acc. at ±4 (28×28)",
            f"acc. at ±{s44} (44×44)", f"consistency (44×44, ±{s44})",
            f"change rate (44×44, diagonal 0–{s44})"]
    rows = [_row(head), "|" + "---|" * len(head)]
    for name, label in labels.items():
        a, b = summary["28"][name], summary["44"][name]
        rows.append(_row([
            label,
            format_stat(a["accuracy_by_distance"], d28.index(0), n_seeds=n_seeds),
            format_stat(a["accuracy_by_distance"], d28.index(2), n_seeds=n_seeds),
            format_stat(a["accuracy_by_distance"], d28.index(4), n_seeds=n_seeds),
            format_stat(b["accuracy_by_distance"], d44.index(s44), n_seeds=n_seeds),
            format_stat(b["consistency"], n_seeds=n_seeds),
            format_stat(b["change_rate"], n_seeds=n_seeds),
        ]))
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
        "acc. at ±d: mean accuracy over the shifts (dy, dx) with max(|dy|, |dx|) = d "
        "(zero-filled, so on 28×28 ink may leave the frame); on 44×44 the digits are "
        "centred on a larger canvas and the models trained there. Consistency: same class "
        f"for two random shifts of a digit (Zhang 2019, {results['settings']['n_pairs']:,} "
        "pairs). Change rate: digits whose class changes from one diagonal shift to the next "
        "(after Azulay & Weiss 2019), mean over the steps.",
        "",
        'The 1980 network and a CNN trained on the same 100 shifted presentations of '
        f'"0"–"4" (16×16), tested on every shift with |dy|, |dx| ≤ {shift} (%):',
        "",
        results["table_1980_markdown"],
        "",
    ])
