"""Figures of the digit neocognitron (Fukushima 2003, 2007) on MNIST: confusion matrix,
learning curve with reference points, learned features of every layer, the response of
every layer to one digit, and the misclassified digits.

Every function takes arrays (what a fitted ``NeocognitronClassifier`` holds or returns),
draws on a given ``ax`` / ``fig`` or makes one, returns it, and never calls ``show()``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

__all__ = [
    "plot_confusion",
    "plot_learning_curve",
    "plot_digit_features",
    "plot_layer_responses",
    "plot_misclassified",
    "ETL1_REFERENCE",
    "LENET5_REFERENCE",
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
    shown = np.where(cm > 0, cm, np.nan)
    cmap = plt.get_cmap("viridis").with_extremes(bad="white")
    im = ax.imshow(shown, cmap=cmap, norm=colors.LogNorm(vmin=1, vmax=max(cm.max(), 2)),
                   interpolation="nearest")
    for i in range(n):
        for j in range(n):
            if cm[i, j]:
                light = np.log(cm[i, j]) > 0.6 * np.log(max(cm.max(), 2))
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=8,
                        color="black" if light else "white",
                        fontweight="bold" if i == j else "normal")
    ax.set_xticks(range(n))
    ax.set_xticklabels(labels)
    ax.set_yticks(range(n))
    ax.set_yticklabels(labels)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
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
def _orientation_colours(n):
    """A distinct colour per U_C1 plane: ``colour(o)`` for ``o = 0 ... n - 1``."""
    base = plt.get_cmap("tab10" if n <= 10 else "hsv")
    return (lambda o: base(o)) if n <= 10 else (lambda o: base(o / n))


def _stroke_panel(ax, w, angles, cmap, vmax):
    """One learned plane ``w`` ``(n_orientations, h, w)``: at every input cell, a stroke along
    each edge orientation, width and opacity proportional to its weight, with a tick toward
    the bright (ink) side."""
    n_or, h, wd = w.shape
    segs, cols, widths = [], [], []
    for o in range(n_or):
        t = angles[o]
        nx, ny = np.cos(t), np.sin(t)  # toward the bright side, image axes (y down)
        dx, dy = -ny, nx  # along the edge
        for i in range(h):
            for j in range(wd):
                v = w[o, i, j] / vmax
                if v < 0.08:
                    continue
                c = list(cmap(o))
                c[3] = min(1.0, 0.25 + 0.75 * v)
                segs.append([(j - 0.38 * dx, i - 0.38 * dy), (j + 0.38 * dx, i + 0.38 * dy)])
                segs.append([(j, i), (j + 0.3 * nx, i + 0.3 * ny)])
                cols += [c, c]
                widths += [0.5 + 3.5 * v, 0.5 + 2.0 * v]
    ax.add_collection(LineCollection(segs, colors=cols, linewidths=widths, capstyle="round"))
    ax.set_xlim(-0.5, wd - 0.5)
    ax.set_ylim(h - 0.5, -0.5)
    ax.set_aspect("equal")
    for k in range(1, max(h, wd)):
        ax.axhline(k - 0.5, color="0.88", lw=0.5)
        ax.axvline(k - 0.5, color="0.88", lw=0.5)
    _plain(ax)


def plot_digit_features(s1_patterns, s2_patterns, top_patterns=None, top_labels=None,
                        top_shape=None, classes=None, per_class=3, max_s2=64, fig=None,
                        strides=None):
    """What every layer has learned: U_S1 edges, U_S2 patterns, top prototypes.

    Parameters
    ----------
    s1_patterns : ndarray (n_orientations, 2, h, w)
        ``stages_[0].X``: the U_G (on, off) response each edge plane is trained on; shown
        as on minus off.
    s2_patterns : ndarray (K2, n_orientations, h, w) or None
        ``stages_[1].X``: each learned plane's weights onto the U_C1 planes; drawn as
        strokes, one per U_C1 orientation and cell. None when the network has no learned
        intermediate layer (the top then reads U_C1).
    top_patterns : ndarray (n_top, D), optional
        ``top_X_``, ``D = K * field_h * field_w``; shown summed over its ``K`` input planes.
    top_labels : ndarray (n_top,) of int, optional
        Class index of each top plane.
    top_shape : (int, int, int), optional
        ``(K, field_h, field_w)`` of the top patterns.
    classes : sequence, optional
        Class names, indexed by ``top_labels``.
    per_class : int
        Top planes shown per class (those with the largest norm: the most reinforced).
    max_s2 : int
        Most U_S2 planes drawn.
    fig : matplotlib Figure, optional
    strides : tuple of int, optional
        Thinning-out of each C-layer, to state the scale (pixels per cell).

    Returns
    -------
    fig : matplotlib Figure
    """
    s1 = np.asarray(s1_patterns, dtype=float)
    s2 = None if s2_patterns is None else np.asarray(s2_patterns, dtype=float)[:max_s2]
    n_or = s1.shape[0]
    angles = 2 * np.pi * np.arange(n_or) / n_or
    has_top = top_patterns is not None and top_shape is not None
    if classes is None and has_top:
        classes = list(range(int(np.max(top_labels)) + 1))
    n_cls = len(classes) if has_top else 0
    s2_cols = 8
    s2_rows = 0 if s2 is None else int(np.ceil(len(s2) / s2_cols))
    heights = ([2.2] + ([1.3 * s2_rows + 0.9] if s2 is not None else [])
               + ([1.35 * per_class + 1.0] if has_top else []))
    fig = fig or plt.figure(figsize=(max(13, 1.3 * n_cls + 1.5), sum(heights) + 0.5),
                            layout="constrained")
    subs = list(np.atleast_1d(fig.subfigures(len(heights), 1, height_ratios=heights)))
    px1 = f" (1 cell = {strides[0]} pixels)" if strides else ""

    # U_S1 edge patterns
    sf = subs[0]
    axes = np.atleast_1d(sf.subplots(1, n_or))
    diff = s1[:, 0] - s1[:, 1]
    vmax = float(np.abs(diff).max()) or 1.0
    for o, ax in enumerate(axes):
        im = ax.imshow(diff[o], cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
        arrow, deg = _bright_side(angles[o])
        ax.set_title(f"plane {o}: ink {arrow}\n({deg:.0f}°)", fontsize=8)
        _plain(ax)
    sf.colorbar(im, ax=axes, label="on − off", shrink=0.9, aspect=12)
    sf.suptitle(f"U_S1: the {n_or} edge-extracting planes, pattern X = U_G on-centre minus "
                f"off-centre response to an ideal edge ({s1.shape[2]}x{s1.shape[3]} pixels; "
                "arrow: ink side)", fontsize=10)

    if s2 is not None:
        _draw_s2(subs[1], s2, angles, px1)
    if has_top:
        n_c = 1 if s2 is None else 2
        _draw_top(subs[-1], top_patterns, top_labels, top_shape, classes, per_class,
                  f"U_C{n_c}", int(np.prod(strides[:n_c])) if strides else None)
    fig.suptitle("Learned features of the digit neocognitron, layer by layer",
                 fontsize=12, fontweight="bold")
    return fig


def _draw_s2(sf, s2, angles, px1):
    """U_S2's learned patterns as strokes, on subfigure ``sf``."""
    n_or = len(angles)
    s2_cols = 8
    s2_rows = int(np.ceil(len(s2) / s2_cols))
    axes = np.atleast_2d(sf.subplots(s2_rows, s2_cols))
    cmap = _orientation_colours(n_or)
    for k in range(s2_rows * s2_cols):
        ax = axes[k // s2_cols, k % s2_cols]
        if k >= len(s2):
            ax.axis("off")
            continue
        vm = float(s2[k].max()) or 1.0
        _stroke_panel(ax, s2[k], angles, cmap, vm)
        ax.set_title(f"plane {k}", fontsize=7, pad=2)
    handles = [Line2D([], [], color=cmap(o), lw=2.5,
                      label=f"{o}: ink {_bright_side(angles[o])[0]}") for o in range(n_or)]
    sf.legend(handles=handles, title="U_C1 plane\n(stroke colour)", fontsize=8,
              title_fontsize=8, loc="outside right upper", frameon=False)
    sf.suptitle(
        f"U_S2: {len(s2)} learned planes, each over {s2.shape[2]}x{s2.shape[3]} U_C1 cells"
        f"{px1}. At every cell one stroke per U_C1 edge plane, drawn along the edge with a "
        "tick toward the ink;\nwidth and opacity = weight / the plane's largest weight "
        "(weights under 8 % omitted)", fontsize=10)


def _draw_top(sf, top_patterns, top_labels, top_shape, classes, per_class, uc, px):
    """The most reinforced top prototypes of each class, on subfigure ``sf``."""
    n_cls = len(classes)
    K, fh, fw = top_shape
    top = np.asarray(top_patterns, dtype=float).reshape(-1, K, fh, fw).sum(axis=1)
    norms = np.linalg.norm(np.asarray(top_patterns, dtype=float), axis=1)
    labels = np.asarray(top_labels)
    axes = np.atleast_2d(sf.subplots(per_class, n_cls))
    if axes.shape[0] != per_class:
        axes = axes.T
    for c in range(n_cls):
        members = np.flatnonzero(labels == c)
        order = members[np.argsort(-norms[members])][:per_class]
        for r in range(per_class):
            ax = axes[r, c]
            _plain(ax)
            if r >= len(order):
                ax.axis("off")
                continue
            k = order[r]
            ax.imshow(top[k], cmap="Greys", vmin=0, vmax=top[k].max() or 1,
                      interpolation="nearest")
            ax.set_title(f"#{k}", fontsize=7, pad=2)
            if r == 0:
                ax.set_title(f'class "{classes[c]}"\n({members.size} planes)\n#{k}',
                             fontsize=8, pad=2)
    px2 = f" (1 cell = {px} pixels)" if px else ""
    sf.suptitle(
        f"Top S-layer: the {per_class} most reinforced prototypes of each class (#plane), "
        f"weights over {fh}x{fw} {uc} cells{px2} summed over the {K} {uc} planes; "
        "darkness = weight / the plane's largest", fontsize=10)


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
    names = {"U0": "input", "UG": "contrast:\non-, off-centre"}
    r0 = 0
    for (name, v), r in zip(resp.items(), rows, strict=True):
        K = v.shape[0]
        vmax = max(float(v.max()), 1e-12)
        label = fig.add_subplot(gs[r0 : r0 + r, 0])
        label.axis("off")
        label.text(0.0, 0.5, f"{name}  {names.get(name, '')}\n{K} plane{'s' * (K > 1)} of "
                   f"{v.shape[1]}x{v.shape[2]}\nmax {vmax:.3g}", fontsize=9, va="center",
                   ha="left", transform=label.transAxes)
        for k in range(K):
            ax = fig.add_subplot(gs[r0 + k // max_cols, 1 + k % max_cols])
            ax.imshow(v[k], cmap="Greys", vmin=0, vmax=vmax, interpolation="nearest")
            _plain(ax)
            if K > 1:
                ax.set_title(str(k), fontsize=7, pad=1.5)
        r0 += r
    if top is not None:
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
        ax.set_title(f"top C-cells, one per class: winner {classes[win]!r} (orange)",
                     fontsize=9)
        label = fig.add_subplot(gs[r0 + 1 : r0 + 3, 0])
        label.axis("off")
        label.text(0.0, 0.5, f"top C-layer\n{len(top)} cells", fontsize=9, va="center",
                   ha="left", transform=label.transAxes)
    sm = plt.cm.ScalarMappable(cmap="Greys", norm=plt.Normalize(0, 1))
    cax = fig.add_axes([0.82, 0.035 if top is not None else 0.01, 0.15,
                        0.12 / fig.get_figheight()])
    fig.colorbar(sm, cax=cax, orientation="horizontal", label="output / layer max")
    fig.suptitle(title or "Response of every layer to one digit (darkness = output, scaled to "
                 "each layer's maximum; numbers = cell-plane)", fontsize=11)
    return fig


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
