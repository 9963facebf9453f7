"""Figures of the shift-invariance study: accuracy against shift distance, accuracy over the
``(dy, dx)`` grid, the prediction change rate along a diagonal sweep, representation
similarity against shift, and accuracy against the strength of a deformation or noise.

Curves are given per model as arrays ``(n_seeds, n_points)`` (a 1-D array is one seed) and
drawn as the mean with the standard deviation over seeds as error bars; every model keeps
its colour and marker across figures when the dicts list the models in the same order.
Every function draws on a given ``ax`` (or ``fig``) or makes one, returns it, and never
calls ``show()``; nothing here trains or computes a model.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

__all__ = [
    "plot_accuracy_vs_shift",
    "plot_shift_heatmap",
    "plot_shift_heatmaps",
    "plot_change_rate",
    "plot_representation_similarity",
    "plot_robustness",
]

_MARKERS = "osD^vP*X<>"


def _seeds(values):
    """``values`` as a 2-D float array ``(n_seeds, n_points)``."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2:
        raise ValueError(f"expected (n_seeds, n_points) values, got shape {arr.shape}")
    return arr


def _curves(ax, x, curves, percent=True, offset=0.0):
    """Mean ± std over seeds of every curve, with a small horizontal offset per model so
    that error bars at the same x do not hide one another."""
    x = np.asarray(x, dtype=float)
    n = len(curves)
    span = (x.max() - x.min()) if len(x) > 1 else 1.0
    for i, (name, values) in enumerate(curves.items()):
        v = _seeds(values)
        if v.shape[1] != len(x):
            raise ValueError(f"{name}: {v.shape[1]} values for {len(x)} x positions")
        scale = 100.0 if percent else 1.0
        dx = offset * span * (i - (n - 1) / 2)
        ax.errorbar(x + dx, scale * v.mean(axis=0), yerr=scale * v.std(axis=0),
                    marker=_MARKERS[i % len(_MARKERS)], ms=5, capsize=3, lw=1.5, label=name,
                    color=f"C{i}")
    ax.grid(alpha=0.3)
    return ax


def _accuracy_axes(ax, x, curves, offset, chance, xlabel, ylabel, title, legend):
    """Accuracy curves (percent) on ``ax`` (a new figure if None), labelled."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    _curves(ax, x, curves, offset=offset)
    if chance is not None:
        ax.axhline(100 * chance, color="grey", ls=":", lw=1, label="chance")
    ax.set_xticks(x)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(-2, 102)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_accuracy_vs_shift(distances, curves, ax=None, title=None, ylabel="test accuracy (%)",
                           xlabel="shift (pixels)", chance=None, legend=True):
    """Accuracy against shift distance, one curve per model.

    Parameters
    ----------
    distances : sequence of int
        Shift distances (pixels), e.g. the Chebyshev distance ``max(|dy|, |dx|)``.
    curves : dict of str -> array (n_seeds, n_distances)
        Accuracy (fraction) per model, seed and distance.
    ax : matplotlib Axes, optional
    title, ylabel, xlabel : str, optional
    chance : float, optional
        Accuracy of guessing (fraction), drawn as a dotted line.
    legend : bool

    Returns
    -------
    ax : matplotlib Axes
    """
    return _accuracy_axes(ax, np.asarray(distances), curves, 0.008, chance, xlabel, ylabel,
                          title, legend)


def plot_shift_heatmap(grid, offsets, ax=None, title=None, vmin=0.0, vmax=1.0, cmap="viridis",
                       colorbar=True, annotate=None, label="accuracy (%)"):
    """One model's accuracy over the ``(dy, dx)`` grid of shifts.

    Parameters
    ----------
    grid : array (n_dy, n_dx)
        ``grid[i, j]`` the accuracy (fraction) at ``dy = offsets[i]``, ``dx = offsets[j]``.
    offsets : sequence of int
        The shifts of the rows and the columns (pixels).
    ax : matplotlib Axes, optional
    title : str, optional
    vmin, vmax : float
        Colour range (fractions).
    cmap : str
    colorbar : bool
        Draw a colour bar beside the map.
    annotate : bool, optional
        Write the accuracy (%) in every cell; default when the grid has at most 9x9 cells.
    label : str
        Colour-bar label.

    Returns
    -------
    ax : matplotlib Axes
    """
    grid = np.asarray(grid, dtype=float)
    offsets = [int(o) for o in offsets]
    if grid.shape != (len(offsets), len(offsets)):
        raise ValueError(f"grid of shape {grid.shape} does not match {len(offsets)} offsets")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    im = ax.imshow(100 * grid, cmap=cmap, vmin=100 * vmin, vmax=100 * vmax, origin="upper",
                   interpolation="nearest")
    if annotate is None:
        annotate = len(offsets) <= 9
    if annotate:
        cm = plt.get_cmap(cmap)
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                level = (grid[i, j] - vmin) / max(vmax - vmin, 1e-12)
                r, g, b, _ = cm(float(np.clip(level, 0, 1)))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(j, i, f"{100 * grid[i, j]:.0f}", ha="center", va="center",
                        fontsize=7 if len(offsets) <= 5 else 6,
                        color="white" if dark else "black")
    step = max(1, int(np.ceil(len(offsets) / 9)))
    ticks = range(0, len(offsets), step)
    ax.set_xticks(list(ticks), labels=[offsets[t] for t in ticks])
    ax.set_yticks(list(ticks), labels=[offsets[t] for t in ticks])
    ax.set_xlabel("dx (pixels, + = right)")
    ax.set_ylabel("dy (pixels, + = down)")
    if title:
        ax.set_title(title, fontsize=9)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=label)
    return ax


def plot_shift_heatmaps(grids, offsets, fig=None, title=None, vmin=0.0, vmax=1.0,
                        cmap="viridis", label="accuracy (%)"):
    """A row of :func:`plot_shift_heatmap`, one per model, with one shared colour bar.

    Parameters
    ----------
    grids : dict of str -> array (n, n)
        Accuracy grid of each model (e.g. the mean over seeds).
    offsets : sequence of int
    fig : matplotlib Figure or SubFigure, optional
    title : str, optional
        Title over the row.
    vmin, vmax, cmap, label
        As in :func:`plot_shift_heatmap`.

    Returns
    -------
    fig : matplotlib Figure or SubFigure
    """
    names = list(grids)
    if fig is None:
        fig = plt.figure(figsize=(3.3 * len(names) + 1.2, 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(names)))
    for ax, name in zip(axes, names, strict=True):
        plot_shift_heatmap(grids[name], offsets, ax=ax, title=name, vmin=vmin, vmax=vmax,
                           cmap=cmap, colorbar=False)
    for ax in axes[1:]:
        ax.set_ylabel("")
    fig.colorbar(axes[0].images[0], ax=list(axes), fraction=0.02, pad=0.02, label=label)
    if title:
        fig.suptitle(title)
    return fig


def plot_change_rate(steps, rates, ax=None, title=None, legend=True):
    """Prediction change rate along a diagonal sweep: for each step ``t -> t + 1`` of the
    shift ``dy = dx = t``, the fraction of images whose predicted class changes.

    Parameters
    ----------
    steps : int
        Largest diagonal shift; there are ``steps`` neighbouring pairs.
    rates : dict of str -> array (n_seeds, steps)
        Per model, the change rate (fraction) of each step.
    ax : matplotlib Axes, optional
    title : str, optional
    legend : bool

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    x = np.arange(1, int(steps) + 1)
    _curves(ax, x, rates, offset=0.008)
    step = max(1, int(np.ceil(len(x) / 10)))
    ax.set_xticks(x[::step], labels=[f"{t - 1}→{t}" for t in x[::step]])
    ax.set_xlabel("diagonal shift step, dy = dx (pixels)")
    ax.set_ylabel("predictions that change (%)")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_representation_similarity(shifts, similarity, ax=None, title=None, legend=True,
                                   xlabel="diagonal shift dy = dx (pixels)",
                                   ylabel="feature correlation with the unshifted image"):
    """Mean correlation between each image's features and those of its shifted copy.

    Parameters
    ----------
    shifts : sequence of int
        Shift distance of each point (e.g. the diagonal shift ``t``).
    similarity : dict of str -> array (n_seeds, n_shifts)
        Mean Pearson correlation per model, seed and shift.
    ax : matplotlib Axes, optional
    title, xlabel, ylabel : str, optional
    legend : bool

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    _curves(ax, shifts, similarity, percent=False, offset=0.008)
    ax.set_xticks(np.asarray(shifts))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_locator(MaxNLocator(6))
    top = max(1.0, ax.get_ylim()[1])
    ax.set_ylim(min(0.0, ax.get_ylim()[0]), top + 0.02)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_robustness(strengths, curves, ax=None, xlabel="strength", title=None, chance=None,
                    legend=True):
    """Accuracy against the strength of a deformation or noise, one curve per model.

    Parameters
    ----------
    strengths : sequence of float
    curves : dict of str -> array (n_seeds, n_strengths)
        Accuracy (fraction).
    ax : matplotlib Axes, optional
    xlabel, title : str, optional
    chance : float, optional
        Accuracy of guessing, drawn as a dotted line.
    legend : bool

    Returns
    -------
    ax : matplotlib Axes
    """
    return _accuracy_axes(ax, np.asarray(strengths, dtype=float), curves, 0.006, chance,
                          xlabel, "test accuracy (%)", title, legend)
