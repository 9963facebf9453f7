"""Argument checks of ``ConvNetClassifier``: hyper-parameters, image shapes, 3-D input."""

import math

import numpy as np
import scipy.sparse as sp

from .._validation import check_scalar, check_shape2


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


def check_params(est):
    """Check the hyper-parameters of a ``ConvNetClassifier`` (called by ``fit``)."""

    def sizes(value, name, allow_empty):
        try:
            values = tuple(value)
        except TypeError:
            raise TypeError(f"{name} must be a tuple of positive integers, got {value!r}") from None
        if not values and not allow_empty:
            raise ValueError(f"{name} must not be empty")
        return tuple(check_scalar(v, name, low=0, integer=True) for v in values)

    sizes(est.conv_channels, "conv_channels", True)
    sizes(est.hidden_layer_sizes, "hidden_layer_sizes", True)
    k = check_scalar(est.kernel_size, "kernel_size", low=0, integer=True)
    if k % 2 == 0:
        raise ValueError(f"kernel_size must be odd, got {k}")
    for name, value, allowed in (
        ("pooling", est.pooling, ("max", "avg")),
        ("padding", est.padding, ("lenet", "same", "valid")),
        ("solver", est.solver, ("adam", "sgd")),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    check_scalar(est.augment_shift, "augment_shift", low=0, low_inclusive=True, integer=True)
    check_scalar(est.learning_rate_init, "learning_rate_init", low=0)
    decay = check_scalar(est.learning_rate_decay, "learning_rate_decay", low=0)
    if decay > 1:
        raise ValueError(f"learning_rate_decay must be in (0, 1], got {decay}")
    mom = check_scalar(est.momentum, "momentum", low=0, low_inclusive=True)
    if mom >= 1:
        raise ValueError(f"momentum must be in [0, 1), got {mom}")
    check_scalar(est.alpha, "alpha", low=0, low_inclusive=True)
    check_scalar(est.batch_size, "batch_size", low=0, integer=True)
    check_scalar(est.max_iter, "max_iter", low=0, integer=True)
    check_scalar(est.n_iter_no_change, "n_iter_no_change", low=0, integer=True)
    check_scalar(est.tol, "tol", low=0, low_inclusive=True)
    frac = check_scalar(est.validation_fraction, "validation_fraction", low=0)
    if frac >= 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {frac}")


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


def standardize(X, mean, scale, image_shape):
    """(n, H*W) pixels -> float32 (n, 1, H, W) of ``(X - mean) / scale``, in chunks."""
    H, W = image_shape
    out = np.empty((X.shape[0], 1, H, W), dtype=np.float32)
    flat = out.reshape(X.shape[0], -1)
    for i in range(0, X.shape[0], 8192):
        flat[i : i + 8192] = (X[i : i + 8192] - mean) / scale
    return out
