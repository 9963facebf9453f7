"""Argument checks of ``ConvNetClassifier``: hyper-parameters, images, classes, and the
standardisation of its pixels."""

import numpy as np
from sklearn.utils.validation import validate_data

from .._images import (  # noqa: F401
    check_image_shape,
    encode_labels,
    flatten_images,
    resolve_image_shape,
)
from .._validation import check_scalar


def validate_images(est, X, y=None, reset=True):
    """Flatten 3-D images, validate with scikit-learn; return (X 2-D, y, image shape)."""
    X, shape3 = flatten_images(X)
    if reset:
        X, y = validate_data(est, X, y, dtype="numeric")
    else:
        check_image_shape(est, X, shape3)
        X = validate_data(est, X, reset=False, dtype="numeric")
    return X, y, shape3


def check_n_classes(est, classes):
    """A ValueError if ``classes`` (an array) holds fewer than two classes."""
    if len(classes) < 2:
        raise ValueError(
            f"{type(est).__name__} needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes[0]!r}"
        )


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
        ("pooling", est.pooling, ("max", "avg", "aps")),
        ("padding", est.padding, ("lenet", "same", "valid", "circular")),
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


def pixel_stats(X):
    """Mean and standard deviation of all pixels of ``X`` (n, H*W), in float64.

    Pixels beyond about 1e154 square to inf, so then the statistics are taken of ``X``
    divided by its largest magnitude and scaled back: a network fitted on ``X * 1e300``
    sees the same standardised pixels as one fitted on ``X``.
    """
    with np.errstate(over="ignore"):
        mean = float(np.mean(X, dtype=np.float64))
        std = float(np.std(X, dtype=np.float64))
    if np.isfinite(mean) and np.isfinite(std):
        return mean, std
    peak = float(np.max(np.abs(X)))
    unit = X / peak
    return (peak * float(np.mean(unit, dtype=np.float64)),
            peak * float(np.std(unit, dtype=np.float64)))


def overflow_error(X, mean, scale):
    """The error for images whose standardised pixels, or the network's float32 outputs on
    them, are not finite."""
    return ValueError(
        f"X holds values in [{np.min(X):.3g}, {np.max(X):.3g}]: standardised with the "
        f"training pixels' mean {mean:.3g} and standard deviation {scale:.3g}, they overflow "
        "the network's float32 arithmetic (beyond +-3.4e38); give images on the scale of "
        "the training images"
    )


#: Rows standardised at a time: 1024 MNIST rows keep the float64 temporaries (6.4 MB) and the
#: float32 chunk within the L3 cache, so the finiteness check rereads them from there.
_CHUNK = 1024


def standardize(X, mean, scale, image_shape):
    """(n, H*W) pixels -> float32 (n, 1, H, W) of ``(X - mean) / scale``, in chunks.

    Pixels that do not fit float32 once standardised are refused (:func:`overflow_error`).
    """
    H, W = image_shape
    out = np.empty((X.shape[0], 1, H, W), dtype=np.float32)
    flat = out.reshape(X.shape[0], -1)
    with np.errstate(over="ignore"):  # checked just below, with a message about X
        for i in range(0, X.shape[0], _CHUNK):
            chunk = flat[i : i + _CHUNK]
            chunk[...] = (X[i : i + _CHUNK] - mean) / scale
            # checked while the chunk is in cache; min and max propagate NaN and reach any
            # inf, with no boolean temporary
            if not (np.isfinite(chunk.min()) and np.isfinite(chunk.max())):
                raise overflow_error(X, mean, scale)
    return out
