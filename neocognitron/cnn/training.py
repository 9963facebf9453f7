"""Training: one epoch of mini-batches (shuffled, optionally shifted); the validation split."""

import numpy as np
from sklearn.model_selection import train_test_split

from . import _batch


def validation_split(X, yi, fraction, rng):
    """Hold out ``fraction`` of the samples (stratified when every class can afford it)."""
    n_val = max(1, int(round(fraction * len(yi))))
    if n_val >= len(yi):
        raise ValueError(
            f"validation_fraction={fraction} leaves no training samples out of {len(yi)}"
        )
    counts = np.bincount(yi)
    stratify = yi if counts[counts > 0].min() >= 2 and n_val >= len(counts) else None
    return train_test_split(X, yi, test_size=n_val, random_state=rng, stratify=stratify)


def train_epoch(
    network,
    optimizer,
    Xs,
    yi,
    rng,
    *,
    lr,
    batch_size,
    shuffle,
    augment_shift,
    fill,
    alpha,
    max_loss=np.inf,
    bar=None,
):
    """One pass of mini-batch training over ``Xs`` (n, 1, H, W) float32 and labels ``yi``.

    Parameters
    ----------
    network : Network or DataParallel
        Provides ``loss_grad(x, y)``, ``theta``, ``grad`` and ``n_weights``.
    optimizer : Adam or SGD
    Xs : ndarray of shape (n, 1, H, W), float32
        Standardised images.
    yi : ndarray of shape (n,), int64
        Class indices.
    rng : numpy.random.RandomState
        Draws the order of the samples and the shifts.
    lr : float
        Step size.
    batch_size : int
    shuffle : bool
    augment_shift : int
        Each image of a batch is translated by integers ``(dy, dx)`` drawn uniformly from
        ``[-augment_shift, augment_shift]``; vacated pixels take the value ``fill``.
    fill : float
    alpha : float
        L2 penalty on the weights.
    max_loss : float, default=inf
        A mini-batch whose mean cross-entropy is above this (or not finite) stops training
        with a ValueError: the step size has made the weights blow up.
    bar : tqdm progress bar, optional
        Advanced by one per mini-batch.

    Returns
    -------
    loss : float
        Mean cross-entropy over the epoch's samples plus ``alpha / 2 * ||w||^2``.
    steps : int
        Number of optimizer steps taken.
    """
    n = Xs.shape[0]
    H, W = Xs.shape[2], Xs.shape[3]
    bs = min(batch_size, n)
    order = rng.permutation(n) if shuffle else np.arange(n)
    k = augment_shift
    fill = np.float32(fill)
    total, steps = 0.0, 0
    for start in range(0, n, bs):
        idx = order[start : start + bs]
        xb = np.empty((len(idx), 1, H, W), dtype=np.float32)
        if k:
            dy = rng.randint(-k, k + 1, size=len(idx))
            dx = rng.randint(-k, k + 1, size=len(idx))
            _batch.gather_shifted(Xs.reshape(n, H, W), idx, dy, dx, fill, xb.reshape(-1, H, W))
        else:
            _batch.gather(Xs.reshape(n, -1), idx, xb.reshape(len(idx), -1))
        loss = network.loss_grad(xb, yi[idx])
        if not loss <= max_loss:  # NaN too
            raise ValueError(
                f"training diverged: a mini-batch's loss became {loss:.3g} (above "
                f"{max_loss:.3g}) at step {optimizer.t + 1}; lower learning_rate_init "
                f"(the step size of this epoch was {lr:g})"
            )
        optimizer.step(network.theta, network.grad, lr, alpha, network.n_weights)
        steps += 1
        total += loss * len(idx)
        if bar is not None:
            bar.update(1)
    w = network.theta[: network.n_weights]
    return total / n + 0.5 * alpha * float(np.dot(w, w)), steps
