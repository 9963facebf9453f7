"""The work behind :class:`~neocognitron.digits.NeocognitronClassifier`'s methods.

Every function takes the estimator ``est`` for its hyper-parameters (checked by
:func:`.params.check_params` first) and, once ``fit`` has set them, its fitted attributes
(``canvas_shape_``, ``a_g_``, ``stages_``, ``top_X_`` ...). None of them sets an attribute:
the estimator stores what they return, so its methods stay thin.
"""

import numpy as np

from ..progress import KernelProgress
from .cascade import CascadeStage, _blur_weights, _forward, _to_canvas
from .competitive import _present
from .interpolating import _class_grams, _interpolate_predict
from .layers import _contrast_kernel, _edge_patterns, _gaussian
from .params import staggered, surround_strengths
from .top import _fit_top_planes, _windows, top_max_scores


def contrast_kernel(est):
    """``a_G`` on ``2 ceil(2 sigma_s) + 1`` taps from ``est.contrast``."""
    lo, hi, gain = est.contrast
    size = 2 * int(np.ceil(2 * hi)) + 1
    return _contrast_kernel(size, lo, hi, gain)


def blur_weights(est, i):
    """``d`` of C-layer ``i + 1``: ``blurs[i]``, ``surrounds[i]`` and ``stagger``."""
    kappa = surround_strengths(est)[i]
    return _blur_weights(est.blurs[i], surround=kappa, stagger=staggered(est, i))


def edge_stage(est, a_g):
    """``U_S1 -> U_C1``: the edge patterns on ``fields[0]``, ``c`` of ``sigma = field/3``."""
    f1 = est.fields[0]
    c1 = _gaussian(f1, f1 / 3.0)
    X1 = _edge_patterns(est.n_orientations, f1, a_g)
    return CascadeStage(X1, c1, est.thresholds[0], blur_weights(est, 0), est.strides[0])


def top_input(est, images, upto=None, verbose=None):
    """The last C-layer (or that of stage ``upto``) for a batch of images, in batches; a
    progress bar when ``verbose`` (default ``est.verbose``)."""
    verbose = est.verbose if verbose is None else verbose
    starts = range(0, len(images), est.batch_size)
    starts = KernelProgress(starts, desc="forward pass", disable=not verbose, leave=False)
    out = [_forward(_to_canvas(images[i : i + est.batch_size], est.canvas_shape_), est.a_g_,
                    est.stages_, upto) for i in starts]
    return np.concatenate(out)


def learn_stage(est, images, i):
    """Unsupervised learning of S-layer ``i + 1``: every image presented once.

    ``est.stages_`` holds the ``i`` stages below; returns the new :class:`CascadeStage`.
    """
    f = est.fields[i]
    c = _gaussian(f, f / 3.0)
    below = top_input(est, images, upto=i).astype(np.float64)
    X = np.zeros((est.max_planes[i - 1], below.shape[1], f, f))
    n = 0
    for u in KernelProgress(below, desc=f"U_S{i + 1} (unsupervised)", disable=not est.verbose,
                            leave=False):
        n, _, _ = _present(X, n, u, c, float(est.learning_thresholds[i - 1]), est.q,
                           est.competition_area, est.min_activity,
                           frozen=est.learning_rule == "frozen")
    if n == 0:
        raise ValueError(f"U_S{i + 1} learned no plane: the training images are blank")
    return CascadeStage(X[:n], c, est.thresholds[i], blur_weights(est, i), est.strides[i])


def top_response(u_c, exponent):
    """What the top S-cells see: ``u_C ** exponent`` (C-cells are never negative)."""
    if exponent == 1:
        return u_c
    return np.power(u_c, u_c.dtype.type(exponent))


def fit_top(est, images, yi, rng):
    """Supervised learning of the top planes on every training image.

    Returns
    -------
    top_field : (int, int)
    X : ndarray, shape (n_top_planes, D)
    labels : ndarray of int, shape (n_top_planes,)
    added : list of int
        Planes added in each epoch.
    """
    u_top = top_response(top_input(est, images), est.top_exponent)
    check_answers(u_top, yi, est.classes_)
    H, W = u_top.shape[2:]
    s = est.top_slack
    if H - 2 * s < 1 or W - 2 * s < 1:
        raise ValueError(f"top_slack={s} leaves no top field on the {H}x{W} top C-layer")
    top_field = (H - 2 * s, W - 2 * s)
    n_pos = (2 * s + 1) ** 2
    bar = KernelProgress(total=est.n_epochs * len(images), desc="top (supervised)",
                         disable=not est.verbose, leave=False)

    def progress(n, planes):
        bar.update(n)
        bar.set_postfix(planes=planes)

    state, added = _fit_top_planes(lambda idx: _windows(u_top[idx], top_field), yi,
                                   est.top_learning_threshold, est.q, est.n_epochs,
                                   n_pos // 2, rng, est.batch_size, progress,
                                   interpolate=est.top_learning == "interpolating",
                                   n_neighbors=int(est.n_neighbors))
    bar.close()
    return top_field, state.X[: state.n].copy(), state.labels[: state.n].copy(), added


def check_answers(u_top, yi, classes):
    """Refuse training data some class of which never reaches the top stage.

    A digit no cell of the last C-layer answers to (blank, or edges too faint for
    ``U_S1``) makes no top plane, so a class of only such digits could never be
    predicted, and with none at all the model would have no plane.
    """
    answers = u_top.reshape(len(u_top), -1).max(axis=1) > 0
    if not answers.any():
        raise ValueError(
            "X: no training image makes any cell of the last C-layer answer (blank "
            "images, or contrast too faint for U_S1's threshold): nothing to learn"
        )
    silent = np.setdiff1d(np.arange(len(classes)), yi[answers])
    if len(silent):
        raise ValueError(
            f"X: no training image of class {classes[silent].tolist()} makes any "
            "cell of the last C-layer answer (blank images, or contrast too faint for "
            "U_S1's threshold), so the model could never predict it"
        )


def top_cells(est, images, interpolate=False):
    """Per image and top plane, the best score over positions.

    The score is ``(1 + a.x) / (1 + theta b |x|)`` (:func:`~.top._top_scores`; ``u_S``
    is ``theta/(1-theta) phi[score - 1]``), float32, shape ``(n_samples, n_top_planes)``
    with the planes in the order of ``top_X_``. ``images`` are checked, of
    ``image_shape_``.

    With ``interpolate``, the interpolating-vector similarity per class instead, float64
    of shape ``(n_samples, n_classes)``: computed at every position from that position's
    cosines (one window is one input vector), then the largest over positions.
    """
    X_top = est.top_X_.astype(np.float32)
    b = np.linalg.norm(X_top, axis=1)
    if interpolate:
        unit = X_top / np.where(b > 0, b, 1)[:, None]
        grams = _class_grams(unit, est.top_labels_, len(est.classes_))
    out = []
    for i in range(0, len(images), est.batch_size):
        canvas = _to_canvas(images[i : i + est.batch_size], est.canvas_shape_)
        u = top_response(_forward(canvas, est.a_g_, est.stages_), est.top_exponent)
        Wb = _windows(u, est.top_field_)
        n, n_pos, D = Wb.shape
        # one 2-D product: a stack of small ones runs a BLAS call per digit
        dots = (Wb.reshape(-1, D) @ X_top.T).reshape(n, n_pos, -1)
        norms = np.sqrt(np.einsum("bpd,bpd->bp", Wb, Wb))
        if not interpolate:
            out.append(top_max_scores(dots, norms, b, est.top_threshold))
            continue
        cos = dots / np.maximum(norms[..., None] * b, 1e-30)
        best = _interpolate_predict(cos.reshape(n * n_pos, -1), unit, est.top_labels_,
                                    len(est.classes_), est.n_neighbors, grams)
        out.append(best.reshape(n, n_pos, -1).max(axis=1))
    return np.concatenate(out)
