"""The learned CNN baseline: LeNet-5 and variants, on numpy + numba, as an estimator.

Modules, one job each: ``_conv``, ``_pool``, ``_dense``, ``_batch`` (private numba
kernels: convolution, pooling and blur, dense/ReLU/softmax cross-entropy, batch assembly),
``layers`` (forward/backward of each layer), ``network`` (flat-parameter sequential
network, its data-parallel form, the LeNet-5 builder), ``optimizers`` (Adam, SGD with
momentum), ``training`` (one epoch, validation split, the epochs of ``fit`` and their
stopping rule), ``_inputs`` (argument checks) and ``estimator`` (:class:`ConvNetClassifier`).
"""

from .estimator import ConvNetClassifier

__all__ = ["ConvNetClassifier"]
