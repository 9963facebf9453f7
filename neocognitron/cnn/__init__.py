"""The learned CNN baseline: LeNet-5 and variants, on numpy + numba, as an estimator.

Modules: ``_conv``, ``_pool``, ``_dense``, ``_batch`` (private numba kernels), ``layers``,
``network`` (flat-parameter sequential network, LeNet-5 builder), ``optimizers`` (Adam,
SGD with momentum) and ``estimator`` (:class:`ConvNetClassifier`).
"""

from .estimator import ConvNetClassifier

__all__ = ["ConvNetClassifier"]
