"""Controls for the 1980 claim: what a model that learns nothing achieves.

* :class:`TemplateMatcher`: no learning at all. Each pattern is a blurred template; an
  input answers the pattern whose template, shifted by at most ``max_shift`` pixels per
  axis, has the largest cosine similarity with the blurred input. It knows the labels and
  the patterns, so it bounds from above what recognising five fixed patterns needs.
* :func:`untrained_network`: the paper's network with its initial weights, never
  self-organised.

Both have ``winners(X)``, so they are measured exactly like the trained network, with the
one rule of :func:`neocognitron.fukushima1980.evaluation.kept` and
:func:`~neocognitron.fukushima1980.evaluation.distinct`.
"""

import numpy as np
from scipy.ndimage import gaussian_filter

from .. import transforms
from .._random import check_random_state
from .._validation import as_real_array, check_scalar
from .network import Neocognitron


def _blur(X, sigma):
    """Gaussian blur of each image (zero outside the frame)."""
    return np.stack([gaussian_filter(x, sigma, mode="constant") for x in X])


def _unit_rows(F):
    norm = np.linalg.norm(F, axis=1, keepdims=True)
    return np.divide(F, norm, out=np.zeros_like(F), where=norm > 0)


class TemplateMatcher:
    """Blurred templates, cosine similarity, best shift: the no-learning control.

    Parameters
    ----------
    patterns : ndarray, shape (P, H, W)
        The templates; pattern ``i`` is answer ``i``.
    sigma : float
        Standard deviation (pixels) of the Gaussian blur of templates and inputs.
    max_shift : int
        Each template is tried at every shift of at most this many pixels per axis.
    """

    def __init__(self, patterns, sigma=1.0, max_shift=3):
        P = as_real_array(patterns, "patterns", ndim=3, dtype=np.float64)
        self.sigma = check_scalar(sigma, "sigma", low=0)
        self.max_shift = check_scalar(max_shift, "max_shift", low=0, low_inclusive=True,
                                      integer=True)
        self.shape_ = P.shape[1:]
        m = self.max_shift
        shifted = [transforms.shift(P, dy, dx) for dy in range(-m, m + 1)
                   for dx in range(-m, m + 1)]  # each (P, H, W)
        T = np.stack([_blur(S, self.sigma) for S in shifted], axis=1)  # (P, n_shifts, H, W)
        self.templates_ = _unit_rows(T.reshape(-1, P.shape[1] * P.shape[2])).reshape(
            P.shape[0], len(shifted), -1)

    def transform(self, X):
        """Cosine similarity of each input with each pattern at its best shift, (n, P)."""
        X = as_real_array(X, "X", ndim=3, dtype=np.float64)
        if X.shape[1:] != self.shape_:
            raise ValueError(f"X must be images of shape (n, {self.shape_[0]}, "
                             f"{self.shape_[1]}), got {X.shape}")
        F = _unit_rows(_blur(X, self.sigma).reshape(len(X), -1))
        return np.einsum("nf,psf->nps", F, self.templates_).max(axis=2)

    def winners(self, X):
        """The best-matching pattern of each input; -1 for a blank input."""
        scores = self.transform(X)
        return np.where(scores.max(axis=1) > 0, scores.argmax(axis=1), -1)


def untrained_network(config=None, random_state=None):
    """The network with its initial weights (``b = 0``), without self-organisation.

    Parameters
    ----------
    config : NetworkConfig, optional
        Default the paper's network.
    random_state : int, RandomState, Generator or None
        Only used when ``config.init_jitter > 0`` (the preset's initial weights are a
        deterministic function of the architecture).

    Returns
    -------
    Neocognitron
        With ``a_``, ``b_``, ``c_``, ``d_`` as :meth:`Neocognitron.fit` starts them,
        ``n_presentations_ = 0`` and no reinforcement.
    """
    net = Neocognitron(config=config, random_state=random_state)
    cfg = net._config()
    a, b, c, d = net._initial_weights(cfg, check_random_state(random_state, legacy=True))
    net.a_, net.b_, net.c_, net.d_ = a, b, c, d
    net.reinforcements_ = [np.zeros(st.s.planes, dtype=np.int64) for st in cfg.stages]
    net.n_presentations_ = 0
    return net
