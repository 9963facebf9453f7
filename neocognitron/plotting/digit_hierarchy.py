"""Figures of the digit-hierarchy study (``experiments/digits_hierarchy.py``): validation
error against training-set size, one panel per network, and what the learned S-layers
prefer, in pixels.

:func:`plot_error_vs_size` and :func:`plot_preferred_inputs` take plain numbers and arrays,
draw on a given ``fig`` or make one and return it; :func:`plot_hierarchy_study` makes both
from the study's ``results.json`` and ``figures.npz``. Nothing here trains or computes a
model, and nothing calls ``show()``.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_error_vs_size", "plot_preferred_inputs", "plot_hierarchy_study", "split_title"]

_MARKERS = "osD^vP*X"


def _check_curve(c):
    sizes = np.asarray(c["sizes"], dtype=float)
    mean, lo, hi = (np.asarray(c[k], dtype=float) for k in ("mean", "min", "max"))
    if not (sizes.ndim == 1 and sizes.size and mean.shape == lo.shape == hi.shape
            == sizes.shape):
        raise ValueError(f"curve {c.get('label')!r}: sizes, mean, min and max must be "
                         "non-empty sequences of one length")
    if (sizes <= 0).any() or (lo > mean + 1e-12).any() or (hi < mean - 1e-12).any():
        raise ValueError(f"curve {c.get('label')!r}: sizes must be positive and min <= "
                         "mean <= max")
    # the mean of equal errors may round past them (3 x 0.0277 / 3 > 0.0277): bars of
    # negative length would be refused
    return sizes, 100 * np.clip(mean, lo, hi), 100 * lo, 100 * hi


def plot_error_vs_size(panels, fig=None, title=None, ylabel="error (%, log scale)",
                       ncols=None):
    """Error against training-set size, one panel per network, with a band over seeds.

    Parameters
    ----------
    panels : list of dict
        Each ``{"title": str, "curves": [curve, ...]}``; a curve is ``{"label", "sizes",
        "mean", "min", "max"}`` (errors as fractions, one per size) and optionally
        ``"dashed": True`` (a control) and ``"color"``. The band spans min to max.
    fig : matplotlib Figure, optional
    title : str, optional
        The figure's title.
    ylabel : str
    ncols : int, optional
        Panels per row (default all in one row); rows fill left to right.

    Returns
    -------
    fig : matplotlib Figure
    """
    if not panels:
        raise ValueError("no panel to draw")
    ncols = min(ncols or len(panels), len(panels))
    nrows = -(-len(panels) // ncols)
    if fig is None:
        fig = plt.figure(figsize=(5.2 * ncols, 0.8 + 4.8 * nrows))
    grid = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    for ax in grid.flat[len(panels):]:
        ax.axis("off")
    axes = grid.flat[:len(panels)]
    all_sizes = []
    for ax, panel in zip(axes, panels, strict=True):
        for k, c in enumerate(panel["curves"]):
            sizes, mean, lo, hi = _check_curve(c)
            all_sizes += sizes.tolist()
            line, = ax.plot(sizes, mean, marker=_MARKERS[k % len(_MARKERS)], ms=5,
                            ls="--" if c.get("dashed") else "-", lw=1.2 if c.get("dashed")
                            else 1.8, color=c.get("color"), label=c["label"])
            ax.fill_between(sizes, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
            if len(sizes) == 1:  # no band to see with one size: bars from min to max
                ax.errorbar(sizes, mean, yerr=[mean - lo, hi - mean], color=line.get_color(),
                            ls="none", capsize=3)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(panel["title"], fontsize=10)
        ax.set_xlabel("training digits (the first N of MNIST's training set, log scale)",
                      fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    xs = np.asarray(all_sizes)
    for ax in axes:
        ax.set_xlim(0.7 * xs.min(), 1.4 * xs.max())
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_minor_formatter(plt.FuncFormatter(
            lambda v, _: f"{v:,.0f}" if f"{v:g}"[0] in "35" else ""))
        ax.tick_params(axis="x", which="both", labelsize=7)
    for ax in grid[:, 0]:
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(plt.FuncFormatter(
            lambda v, _: f"{v:g}" if f"{v:g}".lstrip("0.")[:1] in ("2", "5") else ""))
    # one legend for every panel, below them: a curve's label is its colour everywhere
    legend = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    if title:
        fig.suptitle(title, fontsize=11)
    below = (0.1 + 0.2 * -(-len(legend) // 3)) / fig.get_figheight()
    fig.tight_layout(rect=(0, below, 1, 1))
    fig.legend(legend.values(), legend.keys(), loc="lower center", ncol=3, fontsize=8,
               frameon=False)
    return fig


def plot_preferred_inputs(layers, fig=None, title=None, cols=8):
    """The preferred inputs of learned S-planes in pixels, one block of tiles per layer.

    Parameters
    ----------
    layers : list of dict
        Each ``{"name": str, "patches": (n, P, P), "planes": (n,)}`` and optionally
        ``"answered"`` (n,) and ``"n_images"``, shown under each tile, and ``"caption"``
        (a line under the layer's name). Darker = more ink (the canvas scaled to [0, 1],
        each tile to its own largest value).
    fig : matplotlib Figure, optional
    title : str, optional
    cols : int, default=8
        Tiles per row.

    Returns
    -------
    fig : matplotlib Figure
    """
    if not layers:
        raise ValueError("no layer to draw")
    rows = [max(1, -(-len(layer["patches"]) // cols)) for layer in layers]
    if fig is None:
        fig = plt.figure(figsize=(1.3 * cols, 1.45 * sum(rows) + 0.7 * len(layers) + 0.8))
    height = fig.get_figheight()
    grid = fig.add_gridspec(len(layers), 1, height_ratios=[r + 0.45 for r in rows],
                            top=1 - 1.1 / height, bottom=0.2 / height)
    for layer, r, cell in zip(layers, rows, grid, strict=True):
        sub = cell.subgridspec(r, cols, hspace=0.45, wspace=0.08)
        patches = np.asarray(layer["patches"], dtype=float)
        if patches.ndim != 3 or len(patches) != len(layer["planes"]):
            raise ValueError(f"{layer['name']}: patches must be (n, P, P), one per plane")
        answered = layer.get("answered")
        for k in range(r * cols):
            ax = fig.add_subplot(sub[k // cols, k % cols])
            ax.set_xticks([])
            ax.set_yticks([])
            if k >= len(patches):
                ax.axis("off")
                continue
            vmax = patches[k].max()
            ax.imshow(patches[k], cmap="Greys", vmin=0, vmax=vmax if vmax > 0 else 1)
            c = (patches.shape[1] - 1) / 2  # the strongest cell sits at the centre
            ax.plot([c], [c], marker="+", color="tab:red", ms=6, mew=1)
            label = f"plane {int(layer['planes'][k])}"
            if answered is not None:
                label += f"\n{int(answered[k])}/{int(layer['n_images'])}"
            ax.set_xlabel(label, fontsize=6, labelpad=1)
            if k == 0:
                ax.set_title(layer["name"] + (f": {layer['caption']}" if layer.get("caption")
                                              else ""), fontsize=9, loc="left", pad=6)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


#: The curves of a network's panel: (metric, label, dashed), the controls dashed.
_CURVES = (("wta_error", "winner-take-all", False),
           ("interpolating_error", "interpolating vectors", False),
           ("features_1nn_error", "1-NN (cosine) on its top-stage input", True),
           ("features_interpolating_error", "interp. vectors over all its maps", True))
#: Baseline rows drawn in every panel: (row, colour).
_BASELINES = (("pixels_1nn", "grey"), ("lenet5", "black"))


def split_title(split, results):
    """Where a split's digits come from, from the study's ``results["splits"]``."""
    if split == "test":
        return "MNIST test set (10,000 digits)"
    lo, hi = results["splits"][split]
    return f"validation {split}: training digits {lo:,}-{hi - 1:,}"


def _curve(summary, split, row, metric, label, dashed, color=None):
    pts = [s for s in summary if s["split"] == split and s["row"] == row]
    if not pts or metric not in pts[0]["metrics"]:
        return []
    st = [p["metrics"][metric] for p in pts]
    return [{"label": label, "sizes": [p["n_train"] for p in pts], "dashed": dashed,
             "color": color, **{k: [s[k] for s in st] for k in ("mean", "min", "max")}}]


def _error_panels(results):
    """One panel per (split, network) with records: its readouts and controls, and the
    baselines of that split."""
    summary, labels = results["summary"], results["rows"]
    panels = []
    for split in dict.fromkeys(s["split"] for s in summary):
        for row in results["networks"]:
            curves = [c for m, label, dashed in _CURVES
                      for c in _curve(summary, split, row, m, label, dashed)]
            if not curves:
                continue
            for base, colour in _BASELINES:
                curves += _curve(summary, split, base, "error", labels[base], True, colour)
            panels.append({"title": f"{labels[row]}\n{split_title(split, results)}",
                           "curves": curves})
    return panels


def plot_hierarchy_study(results, arrays):
    """Every figure of the digit-hierarchy study, from what it saved.

    Parameters
    ----------
    results : dict
        The study's ``results.json``: reads ``summary`` (per split, row and training size,
        statistics over ``seeds`` of each metric), ``rows`` (row -> label), ``networks``
        (the rows that are neocognitrons), ``splits``, ``test_set`` and
        ``preferred_inputs`` (None, or the record shown and per layer ``name``,
        ``n_planes``, ``patch`` and ``field``, with ``n_images``, ``n_best``).
    arrays : mapping
        ``figures.npz``: ``<layer>_patches``, ``<layer>_planes``, ``<layer>_answered`` per
        layer of ``preferred_inputs``.

    Returns
    -------
    figures : dict of str -> matplotlib Figure
        ``error_vs_size.png`` (if there is a network's record) and
        ``preferred_inputs.png`` (if a network with a learned layer was fitted).
    """
    figs = {}
    panels = _error_panels(results)
    if panels:
        seeds = sorted({s for p in results["summary"] for s in p["seeds"]})
        warning = results["test_set"].get("warning")
        ylabel = ("error (%, log scale): validation or test, as each panel says" if warning
                  else "validation error (%, log scale)")
        title = ("Digit neocognitron on MNIST: error against training-set size (mean over "
                 f"seed{'s' * (len(seeds) > 1)} {', '.join(map(str, seeds))}; band: min to "
                 "max)\nsolid: the network's readouts; dashed: controls that store every "
                 "training digit" + (f"\n{warning}" if warning else ""))
        figs["error_vs_size.png"] = plot_error_vs_size(panels, ncols=len(results["networks"]),
                                                       ylabel=ylabel, title=title)
    p = results["preferred_inputs"]
    if p is not None:
        layers = [{"name": f"{L['name']} ({L['n_planes']} planes)",
                   **{k: arrays[f"{L['name']}_{k}"] for k in ("planes", "patches", "answered")},
                   "n_images": p["n_images"], "caption": f"patches {L['patch']}x{L['patch']} "
                   f"px (receptive field {L['field']:.0f} px, clipped to the canvas)"}
                  for L in p["layers"]]
        figs["preferred_inputs.png"] = plot_preferred_inputs(layers, title=(
            f"What the learned layers prefer, in pixels: network '{p['row']}', "
            f"{p['n_train']:,} training digits, seed {p['seed']}. Per layer, the planes of "
            f"largest summed output over the first {p['n_images']} training digits;\neach "
            "tile is the mean canvas patch centred on the plane's strongest cell (red +), "
            f"over the {p['n_best']} digits where it answered most strongly (darker = more "
            "ink);\nunder it: the plane's number and in how many digits it answered"))
    return figs
