"""Figures of the CNN baseline (``ConvNetClassifier``) on MNIST: training loss per epoch,
the confusion matrix of one model, and its first-layer filters.

Every function takes plain numbers or arrays (what a fitted ``ConvNetClassifier`` holds or
``results.json`` keeps), draws on a given ``ax`` / ``fig`` or makes one, returns it, and
never calls ``show()``.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors, ticker

from .digits import draw_counts

__all__ = ["plot_loss_curves", "plot_cnn_confusion", "plot_conv_filters"]


def plot_loss_curves(models, ax=None):
    """Mean training loss per epoch of every model (log scale), test accuracy in the legend.

    Parameters
    ----------
    models : dict of str -> dict
        Per model name, ``"loss_curve"`` (one value per epoch) and ``"test_accuracy"``
        (a fraction), as ``results.json`` of ``experiments/mnist_cnn.py`` keeps them.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes
    """
    made = ax is None
    if made:
        _, ax = plt.subplots(figsize=(7, 4.5))
    for name, r in models.items():
        epochs = np.arange(1, len(r["loss_curve"]) + 1)
        ax.semilogy(epochs, r["loss_curve"], marker="o", ms=3,
                    label=f"{name} ({100 * r['test_accuracy']:.2f}%)")
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean training loss (cross-entropy + L2, log scale)")
    ax.set_title("ConvNetClassifier on MNIST: training loss per epoch\n(legend: test accuracy)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(title="model")
    if made:
        ax.figure.tight_layout()
    return ax


def plot_cnn_confusion(cm, accuracy, ax=None, name="LeNet-5"):
    """Confusion matrix of one CNN as counts on a log colour scale (blank = 0): rows the
    true digit, columns the predicted one.

    Parameters
    ----------
    cm : ndarray (n_classes, n_classes) of int
    accuracy : float
        Test accuracy (a fraction), for the title.
    ax : matplotlib Axes, optional
    name : str
        The model, for the title.

    Returns
    -------
    ax : matplotlib Axes
    """
    cm = np.asarray(cm)
    made = ax is None
    if made:
        _, ax = plt.subplots(figsize=(6.5, 5.5))
    im = draw_counts(ax, cm, lambda c: c > 0.1 * cm.max(), fontsize=7,
                       cmap="viridis", norm=colors.LogNorm(vmin=1, vmax=cm.max()))
    ax.set_title(f"{name} confusion matrix on {int(cm.sum()):,} MNIST test digits\n"
                 f"(accuracy {100 * accuracy:.2f}%)")
    ax.figure.colorbar(im, ax=ax, label="number of test digits (log scale)")
    if made:
        ax.figure.tight_layout()
    return ax


def plot_conv_filters(filters, fig=None, name="LeNet-5"):
    """The first-layer filters of a CNN, one panel each, on one signed colour scale.

    Parameters
    ----------
    filters : ndarray (n_filters, 1, h, w)
        The first convolution's weights (``coefs_[0]``, one input channel).
    fig : matplotlib Figure, optional
    name : str
        The model, for the title.

    Returns
    -------
    fig : matplotlib Figure
    """
    filters = np.asarray(filters)[:, 0]
    vmax = np.abs(filters).max()
    fig = fig or plt.figure(figsize=(2 * len(filters) + 1.5, 2.8))
    axes = np.atleast_1d(fig.subplots(1, len(filters)))
    for k, (ax, f) in enumerate(zip(axes, filters, strict=True)):
        im = ax.imshow(f, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_title(f"filter {k}")
        ax.set_xlabel("x (pixel)")
        ax.set_xticks(range(f.shape[1]))
        ax.set_yticks(range(f.shape[0]))
    axes[0].set_ylabel("y (pixel)")
    h, w = filters.shape[1:]
    fig.suptitle(f"{name} first-layer filters ({h}x{w}, weights on standardised pixels)")
    fig.subplots_adjust(left=0.05, right=0.88, bottom=0.2, top=0.78, wspace=0.35)
    fig.colorbar(im, cax=fig.add_axes([0.9, 0.2, 0.015, 0.58]), label="weight")
    return fig
