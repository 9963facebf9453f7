"""Figures of the digit neocognitron (Fukushima 2003, 2007) on MNIST: confusion matrix,
learning curve with reference points, the response of every layer to one digit, the
misclassified digits and the validation error of an ablation (the learned features:
:mod:`.digit_features`).

Every function takes arrays (what a fitted ``NeocognitronClassifier`` holds or returns),
draws on a given ``ax`` / ``fig`` or makes one, returns it, and never calls ``show()``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors

__all__ = [
    "draw_counts",
    "plot_confusion",
    "plot_ablation",
    "plot_learning_curve",
    "plot_layer_responses",
    "plot_misclassified",
    "ETL1_REFERENCE",
    "LENET5_REFERENCE",
    "READOUT_LABELS",
]

#: Fukushima (2003): 1.4 % error on a blind test set of ETL1 digits after training on 3000
#: ETL1 digits. Another database than MNIST, shown for scale only.
ETL1_REFERENCE = {"n_train": 3000, "error": 0.014,
                  "label": "Fukushima 2003, ETL1 (not MNIST): 1.4 % at 3,000 digits"}
#: LeNet-5 on the 60,000 MNIST training digits, no distortions (LeCun et al. 1998).
LENET5_REFERENCE = {"n_train": 60000, "error": 0.0095,
                    "label": "LeNet-5, MNIST 60,000 digits (LeCun et al. 1998): 0.95 %"}

_ARROWS = "→↘↓↙←↖↑↗"  # image axes: x to the right, y down


def _bright_side(t):
    """Arrow (nearest of eight) and degrees for the bright side at angle ``t`` (radians)."""
    deg = np.degrees(t) % 360
    return _ARROWS[int(np.round(deg / 45)) % 8], deg


def _plain(ax):
    ax.set_xticks([])
    ax.set_yticks([])


# ---------------------------------------------------------------------------- confusion
def draw_counts(ax, cm, light, labels=None, fontsize=8, bold_diagonal=False, **imshow):
    """Draw the counts ``cm`` (rows true, columns predicted) as an image, zeros blank and
    every other count written in its cell: black where ``light(count)``, else white; ticks
    at every class, named by ``labels``. ``imshow`` (colour map, norm, ...) goes to
    ``ax.imshow``; returns its image."""
    n = cm.shape[0]
    im = ax.imshow(np.where(cm > 0, cm, np.nan), **imshow)
    for i in range(n):
        for j in range(n):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=fontsize,
                        color="black" if light(cm[i, j]) else "white",
                        fontweight="bold" if bold_diagonal and i == j else "normal")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_ticks(range(n))
        if labels is not None:  # else the axis' own numbers
            axis.set_ticklabels(labels)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    return im


def plot_confusion(cm, ax=None, labels=None, title=None):
    """Confusion matrix as counts: rows true class, columns predicted class.

    Parameters
    ----------
    cm : ndarray (n_classes, n_classes) of int
    ax : matplotlib Axes, optional
    labels : sequence, optional
        Class names (default ``0 ... n - 1``).
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    cm = np.asarray(cm)
    n = cm.shape[0]
    labels = [str(c) for c in (range(n) if labels is None else labels)]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6))
    top = np.log(max(cm.max(), 2))
    im = draw_counts(ax, cm, lambda c: np.log(c) > 0.6 * top, labels, bold_diagonal=True,
                       cmap=plt.get_cmap("viridis").with_extremes(bad="white"),
                       norm=colors.LogNorm(vmin=1, vmax=max(cm.max(), 2)),
                       interpolation="nearest")
    total, right = int(cm.sum()), int(np.trace(cm))
    ax.set_title(title or f"Confusion matrix, {total:,} test digits "
                 f"(error {100 * (1 - right / max(total, 1)):.2f} %)")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04,
                       label="number of test digits (log scale; blank = 0)")
    return ax


# ---------------------------------------------------------------------------- learning curve
def plot_learning_curve(sizes, errors, ax=None, references=True, title=None,
                        xlabel="training digits (log scale)"):
    """Test error against the number of training digits (log x and y axes).

    Parameters
    ----------
    sizes : sequence of int
        Training-set sizes.
    errors : dict of str -> sequence of float
        Test error (fraction) per size, one curve per readout or model.
    ax : matplotlib Axes, optional
    references : bool
        Mark Fukushima's ETL1 result (:data:`ETL1_REFERENCE`, another database) and draw
        LeNet-5's MNIST error (:data:`LENET5_REFERENCE`) as a horizontal line.
    title, xlabel : str, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 5))
    sizes = np.asarray(sizes)
    markers = "osD^v"
    lows = []
    for (name, err), m in zip(errors.items(), markers * 4, strict=False):
        err = 100 * np.asarray(err, dtype=float)
        lows.append(err.min())
        ax.plot(sizes, err, marker=m, label=name)
        for x, e in zip(sizes, err, strict=True):
            ax.annotate(f"{e:.2f}", (x, e), textcoords="offset points", xytext=(4, 5),
                        fontsize=7)
    if references:
        r = ETL1_REFERENCE
        ax.plot([r["n_train"]], [100 * r["error"]], marker="*", ms=14, ls="none",
                color="tab:red", label=r["label"])
        r = LENET5_REFERENCE
        ax.axhline(100 * r["error"], color="grey", ls="--", lw=1, label=r["label"])
        lows += [100 * ETL1_REFERENCE["error"], 100 * r["error"]]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test error (%, log scale)")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(plt.FuncFormatter(
        lambda v, _: f"{v:g}" if str(f"{v:g}")[0] in "25" else ""))
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, 0.7 * sizes.min()), max(hi, 1.4 * sizes.max()))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(plt.FuncFormatter(
        lambda v, _: f"{v:,.0f}" if f"{v:g}"[0] in "3" else ""))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(title or "Digit neocognitron on MNIST: test error against training-set size")
    return ax


# ---------------------------------------------------------------------------- features
# ---------------------------------------------------------------------------- responses
def plot_layer_responses(layers, index=0, top=None, classes=None, fig=None, title=None,
                         max_cols=16):
    """The response of every layer to one input (as Fig. 7 of Fukushima 1980).

    Parameters
    ----------
    layers : dict of str -> ndarray (N, K, H, W)
        Every layer, in cascade order: ``forward(..., keep=True)``; ``"U0"`` may be
        ``(N, H, W)``.
    index : int
        Which input of the batch.
    top : ndarray (n_classes,), optional
        The top C-cells' response (``transform``), drawn as bars.
    classes : sequence, optional
        Class names for ``top``.
    fig : matplotlib Figure, optional
    title : str, optional
    max_cols : int
        Planes per row.

    Returns
    -------
    fig : matplotlib Figure
    """
    resp = {}
    for name, v in layers.items():
        v = np.asarray(v)[index]
        resp[name] = v[None] if v.ndim == 2 else v
    rows = [int(np.ceil(v.shape[0] / max_cols)) for v in resp.values()]
    n_rows = sum(rows) + (3 if top is not None else 0)
    fig = fig or plt.figure(figsize=(1.0 * max_cols + 2.2, 1.08 * n_rows + 1.3))
    gs = fig.add_gridspec(n_rows, max_cols + 1, width_ratios=[2.2] + [1] * max_cols,
                          left=0.01, right=0.99, bottom=0.06 if top is not None else 0.03,
                          top=1 - 0.95 / fig.get_figheight(), hspace=0.3, wspace=0.08)
    r0 = 0
    for (name, v), r in zip(resp.items(), rows, strict=True):
        _draw_layer(fig, gs, r0, r, name, v, max_cols)
        r0 += r
    if top is not None:
        _draw_top_cells(fig, gs, r0, top, classes, max_cols)
    sm = plt.cm.ScalarMappable(cmap="Greys", norm=plt.Normalize(0, 1))
    cax = fig.add_axes([0.82, 0.035 if top is not None else 0.01, 0.15,
                        0.12 / fig.get_figheight()])
    fig.colorbar(sm, cax=cax, orientation="horizontal", label="output / layer max")
    fig.suptitle(title or "Response of every layer to one digit (darkness = output, scaled to "
                 "each layer's maximum; numbers = cell-plane)", fontsize=11)
    return fig


_LAYER_NAMES = {"U0": "input", "UG": "contrast:\non-, off-centre"}


def _draw_layer(fig, gs, r0, rows, name, v, max_cols):
    """One layer's planes ``v`` (K, H, W) in ``rows`` rows of grid ``gs`` from row ``r0``,
    labelled in the first column; darkness scaled to the layer's maximum."""
    K = v.shape[0]
    vmax = max(float(v.max()), 1e-12)
    label = fig.add_subplot(gs[r0 : r0 + rows, 0])
    label.axis("off")
    label.text(0.0, 0.5, f"{name}  {_LAYER_NAMES.get(name, '')}\n{K} plane{'s' * (K > 1)} of "
               f"{v.shape[1]}x{v.shape[2]}\nmax {vmax:.3g}", fontsize=9, va="center",
               ha="left", transform=label.transAxes)
    for k in range(K):
        ax = fig.add_subplot(gs[r0 + k // max_cols, 1 + k % max_cols])
        ax.imshow(v[k], cmap="Greys", vmin=0, vmax=vmax, interpolation="nearest")
        _plain(ax)
        if K > 1:
            ax.set_title(str(k), fontsize=7, pad=1.5)


def _draw_top_cells(fig, gs, r0, top, classes, max_cols):
    """The top C-cells' outputs as bars (the winner orange) in rows ``r0 + 1, r0 + 2`` of
    grid ``gs``, labelled in the first column."""
    ax = fig.add_subplot(gs[r0 + 1 : r0 + 3, 3 : max_cols - 2])
    top = np.asarray(top, dtype=float)
    classes = [str(c) for c in (range(len(top)) if classes is None else classes)]
    win = int(np.argmax(top))
    ax.bar(range(len(top)), top,
           color=["tab:orange" if i == win else "tab:blue" for i in range(len(top))])
    ax.set_xticks(range(len(top)))
    ax.set_xticklabels(classes)
    ax.set_xlabel("class of the top C-cell")
    ax.set_ylabel("top C-cell output")
    ax.set_title(f"top C-cells, one per class: winner {classes[win]!r} (orange)", fontsize=9)
    label = fig.add_subplot(gs[r0 + 1 : r0 + 3, 0])
    label.axis("off")
    label.text(0.0, 0.5, f"top C-layer\n{len(top)} cells", fontsize=9, va="center",
               ha="left", transform=label.transAxes)


# ---------------------------------------------------------------------------- errors
def plot_misclassified(images, y_true, y_pred, fig=None, max_n=50, cols=10, title=None):
    """Misclassified digits, each titled ``true→predicted``.

    Parameters
    ----------
    images : ndarray (n, H, W)
        The misclassified digits (only the first ``max_n`` are drawn).
    y_true, y_pred : sequence (n,)
    fig : matplotlib Figure, optional
    max_n, cols : int
    title : str, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    images = np.asarray(images)[:max_n]
    n = len(images)
    rows = max(1, int(np.ceil(n / cols)))
    fig = fig or plt.figure(figsize=(1.25 * cols, 1.4 * rows + 0.8))
    axes = np.atleast_2d(fig.subplots(rows, cols))
    for i, ax in enumerate(axes.flat):
        _plain(ax)
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(images[i], cmap="Greys", interpolation="nearest")
        ax.set_title(f"{y_true[i]}→{y_pred[i]}", fontsize=9, color="crimson")
    if n == 0:
        axes.flat[0].text(0.5, 0.5, "no misclassified digit", ha="center", va="center")
    fig.suptitle(title or f"Misclassified test digits (first {n}), titled true→predicted",
                 fontsize=11)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------- ablation
#: How the readouts of ``NeocognitronClassifier`` are named in figures.
READOUT_LABELS = {"wta": "winner-take-all", "interpolating": "interpolating vectors"}


def plot_ablation(results, ax=None):
    """Validation error (%) of both readouts per variant of an ablation, as horizontal
    grouped bars, variant 1 on top.

    Parameters
    ----------
    results : dict
        The ``results.json`` of ``experiments/digits_ablation.py``: ``"readouts"``,
        ``"variants"`` (each with ``index``, ``name``, ``n_planes`` and ``val[readout]
        ["error"]``), ``"data"`` (``n_train``, ``n_val``, ``val_indices``) and ``"seed"``.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        ax = plt.subplots(figsize=(10, 1.5 + 0.75 * len(results["variants"])))[1]
    variants, h = results["variants"], 0.38
    pos = np.arange(len(variants))
    shade = {"wta": "tab:blue", "interpolating": "tab:orange"}
    top = 0.0
    for k, readout in enumerate(results["readouts"]):
        errs = [100 * v["val"][readout]["error"] for v in variants]
        top = max(top, *errs)
        bars = ax.barh(pos + (k - 0.5) * h, errs, height=h, color=shade[readout],
                       label=READOUT_LABELS[readout])
        ax.bar_label(bars, labels=[f"{e:.2f} %" for e in errs], padding=3, fontsize=8)
    ax.set_yticks(pos, [f"{v['index']}. {v['name']}\n({v['n_planes'][-1]:,} top planes)"
                        for v in variants], fontsize=9)
    ax.invert_yaxis()  # variant 1 on top
    ax.set_xlim(0, 1.18 * top if top > 0 else 1)
    ax.set_xlabel("validation error (%)")
    ax.set_ylabel("variant (one change from the defaults)")
    d = results["data"]
    ax.set_title(f"Digit neocognitron ablation: trained on the first {d['n_train']:,} MNIST "
                 f"training digits,\nvalidated on training digits {d['val_indices'][0]:,}-"
                 f"{d['val_indices'][1] - 1:,} ({d['n_val']:,}), seed {results['seed']}", pad=24)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=9)
    ax.grid(axis="x", alpha=0.3)
    return ax
