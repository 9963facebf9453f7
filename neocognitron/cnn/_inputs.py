"""Argument checks of ``ConvNetClassifier``: hyper-parameters, image shapes, 3-D input."""

import numpy as np

from .._images import encode_labels, flatten_images, resolve_image_shape  # noqa: F401
from .._validation import check_scalar


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






def standardize(X, mean, scale, image_shape):
    """(n, H*W) pixels -> float32 (n, 1, H, W) of ``(X - mean) / scale``, in chunks."""
    H, W = image_shape
    out = np.empty((X.shape[0], 1, H, W), dtype=np.float32)
    flat = out.reshape(X.shape[0], -1)
    for i in range(0, X.shape[0], 8192):
        flat[i : i + 8192] = (X[i : i + 8192] - mean) / scale
    return out
