"""Training: one epoch of mini-batches (shuffled, optionally shifted); the validation split;
the epochs of ``ConvNetClassifier.fit`` with their stopping rule."""

import numpy as np
from sklearn.model_selection import train_test_split

from . import _batch

#: Training stops with an error when a mini-batch's mean cross-entropy exceeds this many
#: times that of a uniform guess, ``log(n_classes)``: the weights have blown up (healthy
#: runs stay below 2 times; Adam at learning_rate_init=1 reaches 3e5 times on digits).
DIVERGED = 1e3


def reset_history(est):
    """Forget the epochs, steps and scores of an estimator about to train from scratch."""
    est.n_iter_ = 0
    est.t_ = 0
    est.loss_curve_ = []
    est.validation_scores_ = [] if est.early_stopping else None
    est.best_validation_score_ = None
    est.best_loss_ = None


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


def train_epoch(network, optimizer, Xs, yi, rng, *, lr, batch_size, shuffle, augment_shift,
                fill, alpha, max_loss=np.inf, bar=None):
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
    order = rng.permutation(n) if shuffle else np.arange(n)
    total, steps = 0.0, 0
    for idx, xb in _mini_batches(Xs, order, min(batch_size, n), rng, augment_shift, fill):
        loss = network.loss_grad(xb, yi[idx])
        _check_loss(loss, max_loss, optimizer.t + 1, lr)
        optimizer.step(network.theta, network.grad, lr, alpha, network.n_weights)
        steps += 1
        total += loss * len(idx)
        if bar is not None:
            bar.update(1)
    w = network.theta[: network.n_weights]
    return total / n + 0.5 * alpha * float(np.dot(w, w)), steps


def _mini_batches(Xs, order, bs, rng, augment_shift, fill):
    """Yield ``(idx, xb)``: the indices of each mini-batch of ``order`` (``bs`` at a time) and
    its images ``xb`` (len(idx), 1, H, W) float32, each shifted at random by up to
    ``augment_shift`` pixels (``dy`` then ``dx`` drawn per batch, as the batch is made)."""
    n, H, W = Xs.shape[0], Xs.shape[2], Xs.shape[3]
    k = augment_shift
    fill = np.float32(fill)
    for start in range(0, n, bs):
        idx = order[start : start + bs]
        xb = np.empty((len(idx), 1, H, W), dtype=np.float32)
        if k:
            dy = rng.randint(-k, k + 1, size=len(idx))
            dx = rng.randint(-k, k + 1, size=len(idx))
            _batch.gather_shifted(Xs.reshape(n, H, W), idx, dy, dx, fill, xb.reshape(-1, H, W))
        else:
            _batch.gather(Xs.reshape(n, -1), idx, xb.reshape(len(idx), -1))
        yield idx, xb


def _check_loss(loss, max_loss, step, lr):
    """ValueError when a mini-batch's ``loss`` is above ``max_loss`` or NaN: training diverged."""
    if not loss <= max_loss:  # NaN too
        raise ValueError(
            f"training diverged: a mini-batch's loss became {loss:.3g} (above "
            f"{max_loss:.3g}) at step {step}; lower learning_rate_init "
            f"(the step size of this epoch was {lr:g})"
        )


def epoch(est, Xs, yi, bar=None):
    """One epoch of a ``ConvNetClassifier`` ``est`` over (Xs, yi), at this epoch's step size;
    counts it in ``est`` (``t_``, ``n_iter_``, ``loss_curve_``) and returns its mean loss."""
    loss, steps = train_epoch(
        est.network_,
        est.optimizer_,
        Xs,
        yi,
        est._rng,
        lr=est.learning_rate_init * est.learning_rate_decay**est.n_iter_,
        batch_size=est.batch_size,
        shuffle=est.shuffle,
        augment_shift=est.augment_shift,
        fill=-est.x_mean_ / est.x_scale_,  # pixel value 0, standardised
        alpha=est.alpha,
        max_loss=DIVERGED * np.log(len(est.classes_)),
        bar=bar,
    )
    est.t_ += steps
    est.n_iter_ += 1
    est.loss_curve_.append(loss)
    return loss


def fit_epochs(est, Xs, yi, validation_score, bar):
    """Up to ``est.max_iter`` epochs, stopped after ``n_iter_no_change`` without progress.

    Progress is a validation accuracy (``validation_score()``, with early stopping) above
    the best so far by more than ``tol``, or else a training loss below the best by more
    than ``tol``. With early stopping the weights of the best epoch are put back at the end.
    """
    best_theta, stall = None, 0
    for _ in range(est.max_iter):
        loss = epoch(est, Xs, yi, bar)
        if validation_score is not None:
            score = validation_score()
            est.validation_scores_.append(score)
            bar.set_postfix(loss=f"{loss:.4f}", val=f"{score:.4f}")
            best = est.best_validation_score_
            improved = best is None or score > best + est.tol
            if best is None or score > best:
                est.best_validation_score_ = score
                best_theta = est.network_.theta.copy()
        else:
            bar.set_postfix(loss=f"{loss:.4f}")
            improved = est.best_loss_ is None or loss < est.best_loss_ - est.tol
            est.best_loss_ = loss if est.best_loss_ is None else min(loss, est.best_loss_)
        stall = 0 if improved else stall + 1
        if stall >= est.n_iter_no_change:
            break
    if best_theta is not None:
        est.network_.theta[...] = best_theta
