"""Optimizers over one flat parameter vector: Adam and SGD with (Nesterov) momentum.

``step(theta, grad, lr, alpha, n_weights)`` updates ``theta`` in place from ``grad``; the L2
penalty ``alpha / 2 * ||w||^2`` is added to the gradient of the first ``n_weights`` entries
(the weights, not the biases), as in scikit-learn's ``MLPClassifier``. The update kernels
are serial numba loops (one pass over the vector, a few microseconds for LeNet-5).
"""

import numpy as np

from .._numba import njit


@njit
def _adam_update(theta, grad, m, v, lr, beta1, beta2, eps, alpha, n_weights, t):
    c1 = 1.0 - beta1**t
    c2 = 1.0 - beta2**t
    step = lr * np.sqrt(c2) / c1
    eps_hat = eps * np.sqrt(c2)
    for i in range(theta.shape[0]):
        g = grad[i] + alpha * theta[i] if i < n_weights else grad[i]
        m[i] = beta1 * m[i] + (1.0 - beta1) * g
        v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
        theta[i] -= step * m[i] / (np.sqrt(v[i]) + eps_hat)


@njit
def _sgd_update(theta, grad, vel, lr, momentum, nesterov, alpha, n_weights):
    for i in range(theta.shape[0]):
        g = grad[i] + alpha * theta[i] if i < n_weights else grad[i]
        vel[i] = momentum * vel[i] - lr * g
        if nesterov:
            theta[i] += momentum * vel[i] - lr * g
        else:
            theta[i] += vel[i]


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction folded into the step size.

    ``theta -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps * sqrt(1 - b2^t))``,
    which equals the textbook update with ``m_hat / (sqrt(v_hat) + eps)``.
    """

    def __init__(self, n_params, dtype, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)
        self.t = 0

    def step(self, theta, grad, lr, alpha=0.0, n_weights=0):
        self.t += 1
        _adam_update(
            theta,
            grad,
            self.m,
            self.v,
            float(lr),
            self.beta1,
            self.beta2,
            self.epsilon,
            float(alpha),
            int(n_weights),
            float(self.t),
        )


class SGD:
    """Stochastic gradient descent with momentum (``nesterov=True`` for Nesterov's form)."""

    def __init__(self, n_params, dtype, momentum=0.9, nesterov=True):
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.vel = np.zeros(n_params, dtype=dtype)
        self.t = 0

    def step(self, theta, grad, lr, alpha=0.0, n_weights=0):
        self.t += 1
        _sgd_update(
            theta,
            grad,
            self.vel,
            float(lr),
            self.momentum,
            self.nesterov,
            float(alpha),
            int(n_weights),
        )


def make_optimizer(solver, n_params, dtype, momentum):
    """``Adam(n_params, dtype)`` for ``solver="adam"``, else ``SGD`` with ``momentum``."""
    if solver == "adam":
        return Adam(n_params, dtype)
    return SGD(n_params, dtype, momentum=momentum)
