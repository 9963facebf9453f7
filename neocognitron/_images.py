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
        return X.reshape(X.shape[0], -1), X.shape[1:]
    if ndim not in (1, 2):
        raise ValueError(
            "X must hold images (n_samples, H, W) or flat rows (n_samples, H * W); "
            f"got an array of shape {np.shape(X)}"
        )
    return X, None


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
