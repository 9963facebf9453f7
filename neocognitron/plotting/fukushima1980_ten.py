"""Figures of the ten-pattern experiment of Fukushima (1980), section 5: how often ten
patterns self-organise as the number of cell-planes grows, what the failures look like,
and what each network costs. The numbers come from the experiment's results; nothing here
trains or computes a model."""

import matplotlib.pyplot as plt
import numpy as np

from .fukushima1980 import _image

__all__ = ["plot_cells_against_planes", "plot_cost_against_planes", "plot_patterns",
           "plot_success_against_planes"]


def _planes_axis(ax, planes):
    ax.set_xscale("log")
    ax.set_xticks(planes)
    ax.set_xticklabels([str(k) for k in planes])
    ax.minorticks_off()
    ax.set_xlabel("cell-planes K in every layer")
    ax.grid(alpha=0.3)


def plot_success_against_planes(planes, rates, kept=None, ax=None, title=None):
    """Fractions of seeds (with their binomial intervals) and shift tolerance against ``K``.

    Parameters
    ----------
    planes : sequence of int, length n_K
    rates : dict of str -> dict
        Label -> ``{"fraction": (n_K,), "low": (n_K,), "high": (n_K,)}``: the fraction of
        seeds meeting a criterion and its confidence interval, drawn as error bars.
    kept : dict of str -> array-like, shape (n_K, n_seeds), optional
        Label -> per seed, the fraction of shifted variants keeping their pattern's UC3
        cell: the mean, and each seed a dot.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2))
    x = np.asarray(planes, dtype=float)
    markers = iter("osD^v<>")
    for i, (label, r) in enumerate(rates.items()):
        f, lo, hi = (np.asarray(r[k], dtype=float) for k in ("fraction", "low", "high"))
        # a small sideways offset per series keeps overlapping error bars apart
        xs = x * 1.025 ** (i - (len(rates) - 1) / 2)
        ax.errorbar(xs, f, yerr=[f - lo, hi - f], marker=next(markers), capsize=3, label=label)
    for j, (label, per_seed) in enumerate((kept or {}).items()):
        per_seed = np.asarray(per_seed, dtype=float)
        colour, xs = ("grey", "sienna")[j % 2], x * (0.95 - 0.02 * j)
        for xi, row in zip(xs, per_seed, strict=True):
            ax.plot(np.full(len(row), xi), row, ".", color=colour, alpha=0.35, ms=4)
        ax.plot(xs, per_seed.mean(axis=1), "--", color=colour, marker="x",
                label=f"{label} (mean; dots: seeds)")
    _planes_axis(ax, planes)
    ax.set_ylim(-0.03, 1.05)
    ax.set_ylabel("fraction")
    ax.set_title(title or "Ten patterns against the number of cell-planes", fontsize=10)
    # below the axes: the series fill the plot from 0 to 1
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1)
    return ax


def plot_cells_against_planes(planes, n_cells, n_patterns, ax=None, title=None):
    """How many distinct UC3 cells win for the patterns, per seed, against ``K``.

    Parameters
    ----------
    planes : sequence of int, length n_K
    n_cells : array-like of int, shape (n_K, n_seeds)
        Per seed, the number of different live UC3 cells that win for the patterns
        (``n_patterns`` when every pattern has its own cell).
    n_patterns : int
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2))
    n_cells = np.asarray(n_cells, dtype=int)
    counts = np.array([np.bincount(row, minlength=n_patterns + 1) for row in n_cells]).T
    im = ax.imshow(counts, origin="lower", aspect="auto", cmap="Blues",
                   vmin=0, vmax=max(n_cells.shape[1], 1), interpolation="nearest")
    for (c, k), v in np.ndenumerate(counts):
        if v:
            ax.text(k, c, str(v), ha="center", va="center", fontsize=7,
                    color="white" if v > 0.6 * n_cells.shape[1] else "black")
    ax.set_xticks(range(len(planes)))
    ax.set_xticklabels([str(k) for k in planes])
    ax.set_xlabel("cell-planes K in every layer")
    ax.set_ylabel(f"distinct UC3 cells winning for the {n_patterns} patterns")
    ax.figure.colorbar(im, ax=ax, label="seeds")
    ax.set_title(title or f"Distinct UC3 winners per seed ({n_cells.shape[1]} seeds)",
                 fontsize=10)
    return ax


def plot_cost_against_planes(planes, seconds, memory_mib, ax=None, title=None,
                             time_label="seconds per fit"):
    """Run time of one fit (median, range over seeds) and peak memory against ``K``.

    Parameters
    ----------
    planes : sequence of int, length n_K
    seconds : array-like, shape (n_K, n_seeds)
        Time of each fit.
    memory_mib : array-like, shape (n_K,)
        Peak memory of one fit, MiB.
    ax : matplotlib Axes, optional
    title : str, optional
    time_label : str
        Label of the time axis (e.g. wall or CPU seconds).

    Returns
    -------
    ax : matplotlib Axes
        The axes of the run time; the memory is drawn on its twin, with its own scale.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.2))
    s = np.asarray(seconds, dtype=float)
    med = np.median(s, axis=1)
    ax.errorbar(planes, med, yerr=[med - s.min(axis=1), s.max(axis=1) - med], marker="o",
                capsize=3, color="tab:blue", label="fit time (median, min-max over seeds)")
    ax.set_ylabel(time_label, color="tab:blue")
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    right.plot(planes, memory_mib, "s--", color="tab:red", label="peak memory of a fit")
    right.set_ylabel("MiB", color="tab:red")
    right.set_ylim(bottom=0)
    _planes_axis(ax, planes)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=7, loc="upper left")
    ax.set_title(title or "Cost of one self-organisation", fontsize=10)
    return ax


def plot_patterns(patterns, names, fig=None, title=None):
    """The training patterns side by side, ink dark.

    Parameters
    ----------
    patterns : ndarray, shape (P, H, W)
    names : sequence of str, length P
    fig : matplotlib Figure, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    patterns = np.asarray(patterns)
    fig = fig or plt.figure(figsize=(1.1 * len(patterns) + 0.4, 1.7))
    axes = np.atleast_1d(fig.subplots(1, len(patterns)))
    for ax, img, name in zip(axes, patterns, names, strict=True):
        _image(ax, img, title=f'"{name}"', vmax=1)
    fig.suptitle(title or f"The {len(patterns)} training patterns (16x16, binary)", fontsize=10)
    return fig
