"""The figures of the shift-invariance study, drawn from its results.

:func:`plot_shift_study` takes the content of the study's ``results.json`` (as written, or
as the dict ``experiments/shift_invariance.py`` builds before writing it) and returns every
figure, built from the panels of :mod:`neocognitron.plotting.shift`. Nothing here trains
or computes a model.
"""

import matplotlib.pyplot as plt

from .shift import (
    plot_accuracy_vs_shift,
    plot_change_rate,
    plot_representation_similarity,
    plot_robustness,
    plot_shift_heatmap,
    plot_shift_heatmaps,
)

__all__ = ["plot_shift_study"]

_TITLES = {"28": "28×28 canvas: zero-filled shifts (ink may leave the frame)",
           "28 circular": "28×28 canvas: circular shifts (the image as a torus)",
           "44": "digits centred on a 44×44 canvas (ink stays in frame)"}


def _legend_below(fig, ax, ncol=4):
    """One legend for the whole figure, under its panels (so it hides no data)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.01), ncol=ncol,
               fontsize=9, frameon=False)


class _Study:
    """What every figure needs from the results, read once."""

    def __init__(self, results):
        self.res = results
        self.labels = {n: m["label"] for n, m in results["models"].items()}
        self.names = list(self.labels)
        self.n_seeds = len(results["seeds"])
        self.n_test = results["data"]["n_test"]
        self.seeds_note = f"{self.n_seeds} seed" + ("s, mean ± std" if self.n_seeds > 1 else "")

    def per_seed(self, canvas, key, kind="zero"):
        """Per model label, the value of ``key`` of every seed's run on ``canvas``, under
        the ``kind`` of shift (``"zero"``: the run's own keys; else ``run[kind]``)."""
        runs = self.res["runs"][canvas]
        return {self.labels[n]: [r[key] if kind == "zero" else r[kind][key] for r in runs[n]]
                for n in self.names}


def _two_canvases(study, draw, suptitle):
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    for ax, canvas in zip(axes, ("28", "44"), strict=True):
        draw(ax, canvas)
    fig.suptitle(suptitle)
    fig.tight_layout()
    _legend_below(fig, axes[0])
    return fig


def _curves_per_canvas(study, plot, x, y, suptitle, **kwargs):
    """Both canvases side by side, each panel ``plot(canvases[canvas][x], per-seed runs'
    y, ...)``: one curve per model."""
    def draw(ax, canvas):
        plot(study.res["canvases"][canvas][x], study.per_seed(canvas, y), ax=ax,
             title=_TITLES[canvas], legend=False, **kwargs)
    return _two_canvases(study, draw, suptitle)


def _accuracy_vs_shift(s):
    panels = (("28", "zero", _TITLES["28"]), ("28", "circular", _TITLES["28 circular"]),
              ("44", "zero", _TITLES["44"] + ";\ncircular shifts: the same images"))
    fig, axes = plt.subplots(1, 3, figsize=(18, 5.2))
    for ax, (canvas, kind, title) in zip(axes, panels, strict=True):
        plot_accuracy_vs_shift(s.res["canvases"][canvas]["distances"],
                               s.per_seed(canvas, "accuracy_by_distance", kind), ax=ax,
                               title=title, legend=False, chance=0.1,
                               xlabel="shift (pixels), max(|dy|, |dx|)")
    fig.suptitle(f"MNIST accuracy against shift distance ({s.n_test:,} test digits, "
                 f"{s.seeds_note}); mean over the shifts at each distance")
    fig.tight_layout()
    _legend_below(fig, axes[0], ncol=4)
    return fig


def _accuracy_heatmaps(s):
    """Per canvas, the models' mean accuracy grids in rows of at most five."""
    rows = [s.names[i : i + 5] for i in range(0, len(s.names), 5)]
    fig = plt.figure(figsize=(3.4 * max(map(len, rows)) + 1.4, 3.8 * 2 * len(rows)))
    subs = fig.subfigures(2 * len(rows), 1, hspace=0.08)
    for k, (canvas, names) in enumerate((c, r) for c in ("28", "44") for r in rows):
        grids = {s.labels[n]: s.res["summary"][canvas][n]["accuracy_grid"]["mean"]
                 for n in names}
        plot_shift_heatmaps(grids, s.res["canvases"][canvas]["offsets"], fig=subs[k],
                            title=_TITLES[canvas] + " — accuracy (%) at each shift (dy, dx)"
                            + ("" if s.n_seeds == 1 else f", mean of {s.n_seeds} seeds"))
    return fig


def _change_rate(s):
    return _curves_per_canvas(
        s, plot_change_rate, "max_shift", "change_rate_per_step",
        "Prediction change rate along a diagonal sweep (after Azulay & Weiss 2019): digits "
        f"whose class changes between shifts t and t + 1 ({s.seeds_note})")


def _representation_similarity(s):
    return _curves_per_canvas(
        s, plot_representation_similarity, "similarity_shifts", "similarity",
        "Representation similarity: correlation of each digit's ten class scores with those "
        "of its shifted copy\n(CNN: log-probabilities; neocognitron: top C-cells; 1-NN: "
        f"largest cosine per class) ({s.seeds_note})",
        ylabel="class-score correlation with the unshifted digit")


def _robustness(s):
    strengths = s.res["robustness_strengths"]
    runs = s.res["runs"]["28"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8))
    rob = {kind: {s.labels[n]: [r["robustness"][kind] for r in runs[n]] for n in s.names}
           for kind in ("elastic", "noise")}
    plot_robustness(strengths["elastic_alpha"], rob["elastic"], ax=axes[0], chance=0.1,
                    legend=False,
                    xlabel="elastic deformation strength α "
                           f"(σ = {strengths['elastic_sigma']:g} pixels)",
                    title="elastic deformation (Simard et al. 2003; α = 34 is their setting)")
    plot_robustness(strengths["noise_p"], rob["noise"], ax=axes[1], chance=0.1, legend=False,
                    xlabel="fraction of pixels flipped (salt and pepper)",
                    title="salt-and-pepper noise")
    fig.suptitle(f"Robustness to deformation and noise, 28×28 canvas, no shift "
                 f"({s.n_test:,} test digits, {s.seeds_note})")
    fig.tight_layout()
    _legend_below(fig, axes[0])
    return fig


def _fukushima1980_vs_cnn(s):
    f80 = s.res["fukushima1980"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6),
                             gridspec_kw={"width_ratios": [1.4, 1, 1]})
    curves = {
        "Neocognitron 1980: same UC3 cell as for the unshifted pattern":
            [r["neocognitron1980"]["same_cell"]["by_distance"] for r in f80["runs"]],
        "LeNet-5 CNN: same class as for the unshifted pattern":
            [r["cnn"]["same_prediction"]["by_distance"] for r in f80["runs"]],
    }
    plot_accuracy_vs_shift(f80["summary"]["distances"], curves, ax=axes[0],
                           ylabel="shifted patterns keeping their answer (%)", legend=False,
                           xlabel="shift (pixels), max(|dy|, |dx|); training: up to 2",
                           title='patterns "0"-"4", 100 presentations shifted ≤ 2 px')
    offs = list(range(-f80["max_test_shift"], f80["max_test_shift"] + 1))
    plot_shift_heatmap(f80["summary"]["neocognitron1980"]["same_cell"]["grid"]["mean"],
                       offs, ax=axes[1], title="Neocognitron 1980: same UC3 cell (%)",
                       label="patterns keeping their UC3 cell (%)")
    plot_shift_heatmap(f80["summary"]["cnn"]["same_prediction"]["grid"]["mean"], offs,
                       ax=axes[2], title="LeNet-5 CNN: same class (%)",
                       label="patterns keeping their class (%)")
    fig.suptitle("The 1980 network (unsupervised) against a CNN (supervised) trained on the "
                 f"same shifted presentations ({s.seeds_note})")
    fig.tight_layout()
    _legend_below(fig, axes[0], ncol=3)
    return fig


_FIGURES = {
    "accuracy_vs_shift.png": _accuracy_vs_shift,
    "accuracy_heatmaps.png": _accuracy_heatmaps,
    "change_rate.png": _change_rate,
    "representation_similarity.png": _representation_similarity,
    "robustness.png": _robustness,
    "fukushima1980_vs_cnn.png": _fukushima1980_vs_cnn,
}


def plot_shift_study(results):
    """Every figure of the shift-invariance study.

    Parameters
    ----------
    results : dict
        The study's results (``results.json``): reads ``models`` (their labels, in the
        order of the legends), ``seeds``, ``data["n_test"]``, ``canvases``, ``runs``,
        ``summary``, ``robustness_strengths`` and ``fukushima1980``.

    Returns
    -------
    figures : dict of str -> matplotlib Figure
        File name -> figure: ``accuracy_vs_shift.png`` (accuracy against shift distance,
        both canvases, mean ± std over seeds), ``accuracy_heatmaps.png`` (accuracy over
        the ``(dy, dx)`` grid, every model and canvas), ``change_rate.png`` (per step of
        the diagonal sweep), ``representation_similarity.png`` (feature correlation
        against the diagonal shift), ``robustness.png`` (accuracy against elastic
        deformation and noise strength) and ``fukushima1980_vs_cnn.png`` (the 1980
        network and a CNN on the shifted 1980 patterns). The caller saves and closes
        them (e.g. :func:`neocognitron.workflow.results.save_figure`).
    """
    study = _Study(results)
    return {name: draw(study) for name, draw in _FIGURES.items()}
