"""Figures of Fukushima (1980): Fig. 6 (the same UC3 cell for varied patterns), Fig. 7
(every layer's response to one pattern), the learned US1 filters, and a multi-seed summary.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.gridspec import GridSpecFromSubplotSpec

GREYS = "Greys"  # darkness = output, as in the paper's figures


def _image(ax, img, title=None, vmax=None, cmap=GREYS):
    im = ax.imshow(img, cmap=cmap, vmin=0, vmax=vmax if vmax else max(float(img.max()), 1e-12),
                   interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)
    return im


def plot_fig7(layers, index=0, fig=None, name=None, cols_per_layer=2):
    """Fig. 7: the response of every layer to one input; darkness = output.

    Parameters
    ----------
    layers : dict of str -> ndarray (N, K, H, W)
        From :meth:`Neocognitron.forward`, in cascade order.
    index : int
        Which input of the batch to show.
    fig : matplotlib Figure, optional
    name : str, optional
        Name of the pattern, for the title.
    cols_per_layer : int
        Cell-planes of a layer are laid out in this many columns, top to bottom.

    Returns
    -------
    fig : matplotlib Figure
    """
    names = list(layers)
    fig = fig or plt.figure(figsize=(2.0 * len(names), 9.5))
    outer = fig.add_gridspec(1, len(names), wspace=0.25)
    for col, lname in enumerate(names):
        resp = np.asarray(layers[lname])[index]
        K = resp.shape[0]
        ncols = 1 if K == 1 else cols_per_layer
        nrows = int(np.ceil(K / ncols))
        inner = GridSpecFromSubplotSpec(max(nrows, 1), ncols, subplot_spec=outer[col],
                                        hspace=0.15, wspace=0.1)
        vmax = max(float(resp.max()), 1e-12)
        for k in range(K):
            ax = fig.add_subplot(inner[k % nrows, k // nrows] if K > 1 else inner[0, 0])
            _image(ax, resp[k], vmax=vmax)
            if K > 1 and k % nrows == 0:
                ax.set_title(f"k={k}..{min(k + nrows, K) - 1}", fontsize=6)
        top = fig.add_subplot(outer[col], frameon=False)
        top.set_xticks([])
        top.set_yticks([])
        hw = f"{resp.shape[1]}x{resp.shape[2]}"
        top.set_title(f"{lname}\n{K} x {hw}\nmax {vmax:.2f}", fontsize=9, pad=22)
    cax = fig.add_axes([0.03, 0.12, 0.1, 0.012])
    sm = plt.cm.ScalarMappable(cmap=GREYS, norm=plt.Normalize(0, 1))
    fig.colorbar(sm, cax=cax, orientation="horizontal", label="output / layer max")
    what = f' "{name}"' if name else ""
    fig.suptitle(f"Fig. 7: response of every layer to the pattern{what} "
                 "(darkness = output, scaled to each layer's maximum)", fontsize=11)
    return fig


def plot_fig6(patterns, variants, responses, winners, names=None, fig=None):
    """Fig. 6: varied versions of each training pattern and the UC3 response to each.

    Parameters
    ----------
    patterns : ndarray (P, H, W)
        The training patterns.
    variants : ndarray (P, V, H, W)
        V variants of each pattern (e.g. three shifted, three deformed or resized, one
        noisy or incomplete).
    responses : ndarray (P, V, K)
        Top-layer C-cell responses to each variant.
    winners : ndarray (P,)
        Each pattern's own UC3 cell (its winner on the undistorted pattern).
    names : sequence of str, optional
        Pattern names; variant labels are taken from ``variant_labels`` if given as
        ``names=(pattern_names, variant_labels)``.
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    P, V = variants.shape[:2]
    pattern_names, labels = (names if isinstance(names, tuple) else (names, None))
    pattern_names = pattern_names or [str(p) for p in range(P)]
    labels = labels or [f"({chr(ord('a') + v)})" for v in range(V)]
    fig = fig or plt.figure(figsize=(1.3 * V + 6.5, 1.7 * P + 1.2))
    # image columns, a spacer for the heat map's tick labels, then the heat map
    gs = fig.add_gridspec(P, V + 2, wspace=0.12, hspace=0.6,
                          width_ratios=[1] * V + [0.9, 4.2])
    vmax = max(float(responses.max()), 1e-12)
    im = None
    for p in range(P):
        for v in range(V):
            ax = fig.add_subplot(gs[p, v])
            win = int(np.argmax(responses[p, v])) if responses[p, v].max() > 0 else -1
            ok = win == winners[p]
            _image(ax, variants[p, v], vmax=1)
            ax.set_title(f"{labels[v]}\nUC3 #{win}", fontsize=7,
                         color="black" if ok else "crimson")
            if v == 0:
                ax.set_ylabel(f'"{pattern_names[p]}"', fontsize=10, rotation=0, labelpad=14)
        im = _uc3_responses(fig.add_subplot(gs[p, V + 1]), responses[p], vmax, labels,
                            pattern_names[p], winners[p], last=p == P - 1)
    cbar = fig.colorbar(im, ax=fig.axes[-1], orientation="vertical", fraction=0.05, pad=0.02)
    cbar.set_label("UC3 output", fontsize=8)
    fig.suptitle("Fig. 6: the UC3 cell that wins for shifted, resized, deformed, noisy and "
                 "incomplete patterns (the paper: the pattern's own cell; red title: another "
                 "cell won)", fontsize=10)
    return fig


def _uc3_responses(ax, responses, vmax, labels, name, winner, last):
    """Fig. 6 (h): the UC3 response (V, K) to every variant of pattern ``name`` as an
    image, its own cell ``winner`` marked; the cell axis labelled on the ``last`` row."""
    im = ax.imshow(responses, cmap=GREYS, vmin=0, vmax=vmax, aspect="auto",
                   interpolation="nearest")
    ax.set_yticks(range(responses.shape[0]))
    ax.set_yticklabels(labels, fontsize=6)
    ax.set_xticks(range(0, responses.shape[1], 4))
    ax.tick_params(axis="x", labelsize=6)
    ax.axvline(winner, color="tab:orange", lw=0.8, alpha=0.6)
    ax.set_title(f'(h) UC3 response to "{name}" (cell #{winner} marked)', fontsize=7)
    if last:
        ax.set_xlabel("UC3 cell (cell-plane k)", fontsize=8)
    return im


def plot_filters(a, ax=None, title="Learned US1 weights a(nu, k)"):
    """The learned excitatory weights of a first S-layer, one tile per cell-plane.

    Parameters
    ----------
    a : ndarray, shape (K, 1, h, w)
    ax : matplotlib Axes, optional
    """
    a = np.asarray(a)[:, 0]
    K, h, w = a.shape
    cols = int(np.ceil(np.sqrt(K * 1.5)))
    rows = int(np.ceil(K / cols))
    mosaic = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for k in range(K):
        r, c = divmod(k, cols)
        tile = a[k] / max(a[k].max(), 1e-12)
        mosaic[r * (h + 1): r * (h + 1) + h, c * (w + 1): c * (w + 1) + w] = tile
    if ax is None:
        _, ax = plt.subplots(figsize=(1.0 * cols + 1.5, 1.0 * rows + 0.8))
    cmap = plt.get_cmap(GREYS).with_extremes(bad="white")
    im = ax.imshow(mosaic, cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    for k in range(K):
        r, c = divmod(k, cols)
        ax.text(c * (w + 1) - 0.45, r * (h + 1) - 0.6, str(k), fontsize=6, color="tab:blue")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title + " (each plane scaled to its maximum)", fontsize=9)
    ax.figure.colorbar(im, ax=ax, fraction=0.04, label="a / max a")
    return ax


def plot_seed_summary(keep, distinct, kinds, ax=None, holds=None):
    """Per seed: fraction of variants of each kind whose pattern keeps its UC3 cell.

    Parameters
    ----------
    keep : ndarray, shape (n_seeds, n_kinds)
    distinct : sequence of bool, per seed
        Whether the seed's network gives each pattern its own UC3 cell ("distinct"
        above the bars, else "merged", in red).
    kinds : sequence of str
    ax : matplotlib Axes, optional
    holds : sequence of bool, per seed, optional
        Whether the paper's strict claim holds (one responding UC3 cell per pattern, none
        shared): "+ strict" is added above the bars where it does.
    """
    keep = np.asarray(keep)
    n_seeds, n_kinds = keep.shape
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6, 0.45 * n_seeds + 2), 3.8))
    width = 0.8 / n_kinds
    x = np.arange(n_seeds)
    for j, kind in enumerate(kinds):
        ax.bar(x + (j - (n_kinds - 1) / 2) * width, keep[:, j], width, label=kind)
    for s in range(n_seeds):
        text = "distinct" if distinct[s] else "merged"
        if holds is not None and holds[s]:
            text += " + strict"
        ax.text(s, 1.02, text, ha="center", va="bottom", fontsize=6, rotation=90,
                color="black" if distinct[s] else "crimson")
    ax.set_xticks(x)
    ax.set_xticklabels([str(s) for s in range(n_seeds)], fontsize=7)
    ax.set_xlabel("seed (random_state)")
    ax.set_ylabel("variants keeping their UC3 cell")
    ax.set_ylim(0, 1.45)
    ax.set_yticks(np.linspace(0, 1, 6))
    claim = "" if holds is None else f", strict claim in {int(np.sum(holds))}/{n_seeds}"
    ax.set_title(f"{int(np.sum(distinct))}/{n_seeds} seeds give every pattern its own UC3 cell"
                 f"{claim}; mean kept {keep.mean():.2f}", fontsize=10)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5), title="variation")
    return ax


_UNITS = {"shift": "shift (pixels, Chebyshev distance)", "resize": "scale factor",
          "deform": "elastic strength alpha (sigma = 3 px)",
          "noise": "fraction of pixels flipped", "erase": "fraction of ink erased"}


def _mean_sd(curves):
    """Mean and std over seeds (rows) of the points that are not None/NaN; NaN where none."""
    c = np.asarray(curves, dtype=float)
    n = np.isfinite(c).sum(axis=0)
    total = np.where(np.isfinite(c), c, 0.0).sum(axis=0)
    mean = np.divide(total, n, out=np.full(c.shape[1], np.nan), where=n > 0)
    dev = np.where(np.isfinite(c), c - mean, 0.0)
    sd = np.sqrt(np.divide((dev ** 2).sum(axis=0), n, out=np.full(c.shape[1], np.nan),
                           where=n > 0))
    return mean, sd


def plot_tolerance_curves(curves, strengths, fig=None, title=None, controls=None,
                          train_shift=None):
    """Kept fraction against the strength of each variation, mean ± std over seeds.

    Parameters
    ----------
    curves : dict of str -> array-like, shape (n_seeds, n_strengths)
        The trained network's curves; None (no fresh variant at a strength) is a gap.
    strengths : dict of str -> sequence
    fig : matplotlib Figure, optional
    title : str, optional
    controls : dict of str -> dict, optional
        Label -> curves of the same form, drawn as dashed lines (mean over seeds) with
        the spread shaded.
    train_shift : int, optional
        Shade the shifts within the training distances.
    """
    kinds = list(curves)
    fig = fig or plt.figure(figsize=(3.3 * len(kinds), 3.6))
    axes = np.atleast_1d(fig.subplots(1, len(kinds), sharey=True))
    for ax, kind in zip(axes, kinds, strict=True):
        x = np.asarray(strengths[kind], dtype=float)
        for j, (label, other) in enumerate((controls or {}).items()):
            mean, sd = _mean_sd(other[kind])
            line, = ax.plot(x, mean, ls="--", marker="s", ms=3, color=f"C{j + 1}", label=label)
            ax.fill_between(x, mean - sd, mean + sd, color=line.get_color(), alpha=0.15)
        mean, sd = _mean_sd(curves[kind])
        ax.errorbar(x, mean, yerr=sd, marker="o", capsize=3, color="C0",
                    label=f"trained network, mean ± std, {len(curves[kind])} seeds")
        if kind == "shift" and train_shift is not None:
            ax.axvspan(x.min() - 0.3, train_shift + 0.3, color="grey", alpha=0.12,
                       label="trained distances (shifts never presented)")
        ax.set_xlabel(_UNITS.get(kind, kind))
        ax.set_title(kind)
        ax.set_ylim(-0.02, 1.05)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("held-out variants keeping their UC3 cell")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=min(4, len(labels)),
               bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(title or "Tolerance of the trained network, by kind and strength of variation")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig
