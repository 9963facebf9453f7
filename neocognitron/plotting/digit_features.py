"""The learned features of the digit neocognitron, layer by layer: U_S1's edge patterns,
U_S2's learned patterns drawn as strokes (when the network has a learned stage) and the
most reinforced top prototypes of each class.

Takes arrays (what a fitted ``NeocognitronClassifier`` holds), draws on a given ``fig`` or
makes one, returns it, and never calls ``show()``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from .digits import _bright_side, _plain

__all__ = ["plot_digit_features"]

_S2_COLS = 8  # U_S2 planes per row


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
    s2_rows = 0 if s2 is None else -(-len(s2) // _S2_COLS)
    heights = ([2.2] + ([1.3 * s2_rows + 0.9] if s2 is not None else [])
               + ([1.35 * per_class + 1.0] if has_top else []))
    fig = fig or plt.figure(figsize=(max(13, 1.3 * n_cls + 1.5), sum(heights) + 0.5),
                            layout="constrained")
    subs = list(np.atleast_1d(fig.subfigures(len(heights), 1, height_ratios=heights)))
    _draw_s1(subs[0], s1, angles)
    if s2 is not None:
        px1 = f" (1 cell = {strides[0]} pixels)" if strides else ""
        _draw_s2(subs[1], s2, s2_rows, angles, px1)
    if has_top:
        n_c = 1 if s2 is None else 2
        _draw_top(subs[-1], top_patterns, top_labels, top_shape, classes, per_class,
                  f"U_C{n_c}", int(np.prod(strides[:n_c])) if strides else None)
    fig.suptitle("Learned features of the digit neocognitron, layer by layer",
                 fontsize=12, fontweight="bold")
    return fig


def _draw_s1(sf, s1, angles):
    """U_S1's edge patterns (on minus off) on subfigure ``sf``, one panel per plane."""
    n_or = s1.shape[0]
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


def _draw_s2(sf, s2, s2_rows, angles, px1):
    """U_S2's learned patterns as strokes, ``s2_rows`` rows on subfigure ``sf``."""
    n_or = len(angles)
    axes = np.atleast_2d(sf.subplots(s2_rows, _S2_COLS))
    cmap = _orientation_colours(n_or)
    for k in range(s2_rows * _S2_COLS):
        ax = axes[k // _S2_COLS, k % _S2_COLS]
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
