"""Controls of the shift study: the digit neocognitron's test-time search over positions,
given to any classifier, and a classifier that learns nothing.

The digit neocognitron (:class:`~neocognitron.digits.NeocognitronClassifier`) centres a
digit on a canvas ``margin`` pixels larger on every side, and its top S-planes, whose field
is the last C-layer less ``top_slack`` cells per side, are slid over ``(2 top_slack +
1)^2`` positions one C-cell apart; a top C-cell takes the largest answer of its class over
the positions, and the largest top C-cell gives the class. One C-cell of the last C-layer
is ``prod(strides)`` input pixels (each C-layer keeps one cell per ``stride`` cells of
the S-layer below, and the S-layers keep the size of the layer below them), so the
positions are ``(dy, dx)`` on the grid ``{k * prod(strides)}``, ``k = -top_slack ...
top_slack``: with the defaults (``margin=4``, ``strides=(4,)``, ``top_slack=1``) 3×3
positions 4 pixels apart, inside the 4 pixels of the margin (:func:`top_position_grid`).
Nominally: the centred grid rule (docs/design.md) spaces the C-cells of the 36-pixel
canvas 4 pixels apart but for one step of 5 pixels in the middle (an odd blur of 9 taps on
9 cells), so one position of the top field lies 4 pixels from the next over most of the
field and 5 pixels across its middle; the grid here is the uniform 4 pixels.

:class:`PositionMaxClassifier` gives any classifier the same search: it scores copies of
each digit translated by every ``(dy, dx)`` of that grid (zero fill: the window of the
zero-padded canvas at that position, as the neocognitron's shifted field sees it), takes
per class the largest score over the positions, then the class of the largest.

:class:`CosineNearestNeighbor` learns nothing: the class of the training digit of largest
cosine with the test digit (1-NN on pixels), its class scores the largest cosine per class.

:func:`class_scores` reads every model of the study as the same 10 numbers per digit, for
the representation similarity of models with features of different sizes.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from .. import transforms
from .._validation import as_real_array
from ..cnn import ConvNetClassifier
from ..digits import NeocognitronClassifier
from ..digits.controls import unit_rows

__all__ = ["top_position_grid", "neocognitron_grid", "class_scores", "ClassScores",
           "PositionMaxClassifier", "CosineNearestNeighbor"]

#: a probability below this counts as this (its log is finite); softmax is float64
_TINY = np.finfo(np.float64).tiny


def top_position_grid(margin=4, strides=(4,), top_slack=1):
    """The positions over which the digit neocognitron's top C-cells take their maximum.

    Parameters
    ----------
    margin : int
        Empty pixels around the digit on the neocognitron's canvas.
    strides : sequence of int
        The thinning-out of every C-layer: one top C-cell is ``prod(strides)`` pixels.
    top_slack : int
        The top field is slid by ``-top_slack ... top_slack`` cells each way.

    Returns
    -------
    dict
        ``margin``, ``spacing`` (pixels between neighbouring positions), ``offsets`` (one
        axis of the grid, pixels) and ``positions`` (every ``(dy, dx)``, row-major).
    """
    spacing = int(np.prod([int(s) for s in strides]))
    offsets = [k * spacing for k in range(-int(top_slack), int(top_slack) + 1)]
    return {"margin": int(margin), "spacing": spacing, "offsets": offsets,
            "positions": [(dy, dx) for dy in offsets for dx in offsets]}


def neocognitron_grid(params=None):
    """:func:`top_position_grid` of ``NeocognitronClassifier(**params)`` (default: the
    defaults)."""
    p = NeocognitronClassifier(**(params or {})).get_params()
    return top_position_grid(p["margin"], p["strides"], p["top_slack"])


def class_scores(model, X):
    """Ten numbers per digit, one per class, from any model of the study.

    ``NeocognitronClassifier``: its top C-cells (``transform``). ``ConvNetClassifier``:
    the logarithm of its class probabilities, i.e. its logits less their log-sum-exp, a
    constant per digit (so the Pearson correlation of two digits' scores is that of their
    logits). Anything with a ``class_scores`` method (:class:`PositionMaxClassifier`,
    :class:`CosineNearestNeighbor`): that.

    Returns
    -------
    ndarray of float, shape (n_samples, n_classes)
    """
    if callable(getattr(model, "class_scores", None)):
        return model.class_scores(X)
    if isinstance(model, NeocognitronClassifier):
        return model.transform(X)
    if isinstance(model, ConvNetClassifier):
        return np.log(np.maximum(model.predict_proba(X), _TINY))
    raise TypeError(f"no class scores for a {type(model).__name__}: expected a "
                    "NeocognitronClassifier, a ConvNetClassifier or a model with "
                    "class_scores(X)")


class ClassScores:
    """``model`` seen through :func:`class_scores`: ``transform(X)`` is its class scores
    (for :func:`neocognitron.metrics.representation_similarity`)."""

    def __init__(self, model):
        self.model = model

    def transform(self, X):
        return class_scores(self.model, X)


def _images(X):
    return as_real_array(X, "X", ndim=3)


class PositionMaxClassifier(ClassifierMixin, BaseEstimator):
    """A classifier given the neocognitron's test-time maximum over positions.

    Parameters
    ----------
    estimator : classifier
        Fitted by :meth:`fit` (a clone). Its class scores are :func:`class_scores`.
    offsets : sequence of int, default=(-4, 0, 4)
        One axis of the grid of positions (pixels); every ``(dy, dx)`` of its square is a
        position (:func:`top_position_grid`'s ``offsets``).

    Attributes
    ----------
    estimator_ : the fitted clone
    classes_ : ndarray
    """

    def __init__(self, estimator=None, offsets=(-4, 0, 4)):
        self.estimator = estimator
        self.offsets = offsets

    def _positions(self):
        offs = [int(o) for o in self.offsets]
        if not offs or any(o != v for o, v in zip(offs, self.offsets, strict=True)):
            raise ValueError(f"offsets must be integers (pixels), got {self.offsets!r}")
        return [(dy, dx) for dy in offs for dx in offs]

    def fit(self, X, y):
        """Fit a clone of ``estimator`` on ``X`` (n, H, W) and ``y``, unchanged."""
        if self.estimator is None:
            raise ValueError("estimator is None: pass the classifier to give positions to")
        self._positions()
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def class_scores(self, X):
        """Per digit and class, the largest class score over the positions: the score of
        ``shift(X, -dy, -dx)`` (zero fill) for every ``(dy, dx)``."""
        check_is_fitted(self)
        X = _images(X)
        positions = self._positions()
        # one call on every translated copy: one large product instead of one per position
        copies = np.concatenate([transforms.shift(X, -dy, -dx) for dy, dx in positions])
        scores = class_scores(self.estimator_, copies)
        return scores.reshape(len(positions), len(X), -1).max(axis=0)

    def predict(self, X):
        """The class of the largest :meth:`class_scores` (the first on ties)."""
        return self.classes_[np.argmax(self.class_scores(X), axis=1)]


class CosineNearestNeighbor(ClassifierMixin, BaseEstimator):
    """1-NN by cosine on pixels: the class of the most similar training image.

    Parameters
    ----------
    batch_size : int, default=500
        Test images per product with every training image.

    Attributes
    ----------
    classes_ : ndarray
    train_ : ndarray of float32, (n_train, H * W), the training images at unit length
    labels_ : ndarray of int, indices into ``classes_``
    """

    def __init__(self, batch_size=500):
        self.batch_size = batch_size

    def fit(self, X, y):
        """Store ``X`` (n, H, W) at unit length and ``y``."""
        X = _images(X)
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must have shape ({len(X)},), got {y.shape}")
        self.classes_, self.labels_ = np.unique(y, return_inverse=True)
        self.train_ = unit_rows(X.reshape(len(X), -1))
        return self

    def class_scores(self, X):
        """Per image and class, the largest cosine with a training image of that class
        (an all-zero image has cosine 0 with everything)."""
        check_is_fitted(self)
        X = _images(X)
        test = unit_rows(X.reshape(len(X), -1))
        if test.shape[1] != self.train_.shape[1]:
            raise ValueError(f"X has {test.shape[1]} pixels per image, the training images "
                             f"{self.train_.shape[1]}")
        out = np.full((len(test), len(self.classes_)), -np.inf, dtype=np.float32)
        order = np.argsort(self.labels_, kind="stable")
        train = self.train_[order]
        starts = np.searchsorted(self.labels_[order], np.arange(len(self.classes_)))
        for i in range(0, len(test), int(self.batch_size)):
            cos = test[i : i + int(self.batch_size)] @ train.T
            out[i : i + len(cos)] = np.maximum.reduceat(cos, starts, axis=1)
        return out

    def predict(self, X):
        """The class of the largest cosine (of the first class on ties)."""
        return self.classes_[np.argmax(self.class_scores(X), axis=1)]
