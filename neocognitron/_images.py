"""Image inputs of the estimators: 3-D or flat rows, image shapes, label encoding.

Shared by ``NeocognitronClassifier`` and ``ConvNetClassifier``.
"""

import math

import numpy as np
import scipy.sparse as sp

from ._validation import check_scalar, check_shape2


def flatten_images(X):
    """(n, H, W) images -> (n, H * W) rows and (H, W); other layouts pass through unchanged.

    Anything but 1-, 2- or 3-D is refused here, with a message about images, before
    scikit-learn's validation sees it.
    """
    if sp.issparse(X) or hasattr(X, "iloc"):
        return X, None
    ndim = len(X.shape) if hasattr(X, "shape") else np.asarray(X).ndim
    if ndim == 3:
        X = np.asarray(X)
        # not -1: with no images numpy cannot infer it, and scikit-learn's "0 samples"
        # check must see the (0, H * W) table
        return X.reshape(X.shape[0], X.shape[1] * X.shape[2]), X.shape[1:]
    if ndim not in (1, 2):
        raise ValueError(
            "X must hold images (n_samples, H, W) or flat rows (n_samples, H * W); "
            f"got an array of shape {np.shape(X)}"
        )
    return X, None


def check_image_shape(est, X, shape3):
    """Refuse images of another shape than ``est`` was fitted on (``est.image_shape_``).

    Run before scikit-learn's check of the number of features, whose message says nothing
    of images, and which cannot see a 3-D ``X`` of other ``(H, W)`` but as many pixels.
    """
    fitted = tuple(est.image_shape_)
    name = type(est).__name__
    if shape3 is not None:
        if tuple(shape3) != fitted:
            raise ValueError(f"X holds images of shape {tuple(shape3)}, but {name} was fitted "
                             f"on images of shape {fitted}")
        return
    try:
        shape = X.shape if hasattr(X, "shape") else np.asarray(X).shape
    except (TypeError, ValueError):  # ragged rows and the like: scikit-learn says what
        return
    if len(shape) == 2 and shape[1] != fitted[0] * fitted[1]:
        raise ValueError(
            f"X has {shape[1]} features, but {name} is expecting {fitted[0] * fitted[1]} "
            f"features as input: it was fitted on images of shape {fitted}"
        )


def resolve_image_shape(image_shape, n_features, shape3):
    """(H, W) from a 3-D X's own shape, from ``image_shape``, or a square."""
    if shape3 is not None:
        if image_shape is not None and tuple(image_shape) != tuple(shape3):
            raise ValueError(f"X holds {shape3} images but image_shape={image_shape}")
        return tuple(int(v) for v in shape3)
    if image_shape is None:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"X has {n_features} features, not a square number: pass the images as "
                "(n_samples, H, W) or set image_shape=(H, W)"
            )
        return (side, side)
    shape = tuple(image_shape)
    if len(shape) != 2:
        raise ValueError(f"image_shape must be a pair (H, W), got {image_shape!r}")
    if list(shape).count(-1) == 1:
        known = shape[0] if shape[1] == -1 else shape[1]
        known = check_scalar(known, "image_shape", low=0, integer=True)
        if n_features % known:
            raise ValueError(f"image_shape={shape} does not divide {n_features} features")
        shape = tuple(n_features // known if v == -1 else known for v in shape)
    shape = check_shape2(shape, "image_shape")
    if shape[0] * shape[1] != n_features:
        raise ValueError(
            f"image_shape={shape} has {shape[0] * shape[1]} pixels but X has {n_features} features"
        )
    return shape


def encode_labels(classes, y):
    """Indices of the labels ``y`` in the sorted ``classes``; unknown labels raise."""
    pos = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
    bad = classes[pos] != y
    if np.any(bad):
        raise ValueError(f"y contains labels not in classes_: {np.unique(y[bad])!r}")
    return pos.astype(np.int64)
