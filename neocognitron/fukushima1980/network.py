"""The 1980 Neocognitron: a cascade of S-, V_C- and C-layers, self-organised without a teacher.

Read this module top to bottom to follow the whole model: :meth:`Neocognitron.forward`
runs the cascade of eqs. (1)-(5) of Fukushima (1980) with the kernels of
:mod:`neocognitron.cells`; :meth:`Neocognitron.fit` runs the paper's learning (section 3)
with the rules of :mod:`neocognitron.fukushima1980.learning`.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .. import _cells, cells, columns
from .._random import check_random_state
from .._validation import as_real_array, check_shape2, common_float_dtype
from ..progress import KernelProgress
from ..transforms import random_shift
from . import config as _config
from . import learning, weights


class Neocognitron(TransformerMixin, BaseEstimator):
    """Fukushima's (1980) Neocognitron, trained by unsupervised competitive learning.

    Parameters
    ----------
    config : NetworkConfig, optional
        The architecture and schedule; default
        :func:`neocognitron.fukushima1980.config.fukushima1980`.
    random_state : int, RandomState, Generator or None, default=None
        Draws the random shifts of the training presentations (and the initial jitter
        when ``config.init_jitter > 0``). An int is a seed (of
        ``numpy.random.RandomState``); a Generator or RandomState is drawn from as is;
        None draws fresh entropy from the operating system, so two fits differ
        (:mod:`neocognitron._random`, the same in every model).
    verbose : bool
        Show a progress bar while learning.

    Notes
    -----
    Input images are the responses of the input cells U0, in ``[0, 1]``: 0 background,
    1 ink, like the paper's binary patterns
    (:func:`~neocognitron.datasets.fukushima1980_patterns`). Every method that takes
    images refuses values above 1 with a ``ValueError``: the cells are not scale-invariant
    (eq. 1 adds 1 to both sums), so patterns on a 0-255 scale would self-organise into
    another network (with seed 0, "0" and "1" then share a UC3 cell). Divide 8-bit images
    by 255 first. Values up to ``1 + 4 eps`` of the images' float dtype are accepted as
    they are: rounding (e.g. resampling in float32) leaves ink at ``1 + 1.2e-7``.

    Attributes
    ----------
    a_ : list of ndarray, shape (K, K', h, w) per S-layer
        Learned excitatory weights ``a(k', nu, k)``.
    b_ : list of ndarray, shape (K,) per S-layer
        Learned inhibitory weights ``b(k)``.
    c_ : list of ndarray, shape (h, w) per S-layer
        Fixed weights onto the V_C-cells.
    d_ : list of ndarray, shape (h, w) per C-layer
        Fixed weights onto the C-cells.
    n_presentations_ : int
        Number of training presentations.
    reinforcements_ : list of ndarray, shape (K,) per S-layer
        How often each plane was reinforced (was a representative).

    Examples
    --------
    >>> from neocognitron import Neocognitron
    >>> from neocognitron.datasets import fukushima1980_patterns
    >>> net = Neocognitron.fukushima1980(random_state=0).fit(fukushima1980_patterns())
    >>> net.forward(fukushima1980_patterns())["UC3"].shape
    (5, 24, 1, 1)
    """

    def __init__(self, config=None, random_state=None, verbose=False):
        self.config = config
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def fukushima1980(cls, random_state=None, verbose=False, planes=24):
        """The network of the paper (docs/design.md §1), untrained, with ``planes`` cell-planes
        in every layer (a positive int; 24, the default, is the paper's network)."""
        return cls(config=_config.fukushima1980(planes=planes), random_state=random_state,
                   verbose=verbose)

    # -- structure ---------------------------------------------------------------------

    def _config(self):
        cfg = _config.fukushima1980() if self.config is None else self.config
        if not isinstance(cfg, _config.NetworkConfig):
            raise TypeError(f"config must be a NetworkConfig, got {type(cfg).__name__}")
        return cfg

    def _initial_weights(self, cfg, rng):
        a, b, c, d = [], [], [], []
        n_in = 1
        for st in cfg.stages:
            c_l = weights.inhibitory_c(st.s.field, n_in, st.s.gamma_c)
            a_l = weights.initial_a(
                st.s.planes, n_in, st.s.field, c_l, cfg.init_scale, cfg.init_bias,
                cfg.init_jitter, rng,
            )
            a.append(a_l)
            b.append(np.zeros(st.s.planes))
            c.append(c_l)
            d.append(weights.c_cell_d(st.c.field, st.c.gamma_d, st.c.d_peak))
            n_in = st.s.planes
        return a, b, c, d

    def layer_names(self):
        """``["U0", "US1", "UC1", ...]`` in the order of the cascade."""
        names = ["U0"]
        for i in range(1, len(self._config().stages) + 1):
            names += [f"US{i}", f"UC{i}"]
        return names

    # -- validation --------------------------------------------------------------------

    def _check_images(self, X, name="X"):
        """``(n, H, W)`` images (or ``(n, H*W)`` flat) of the input size, values in
        ``[0, 1]`` up to rounding (``1 + 4 eps`` of their dtype) -> ``(n, 1, H, W)``."""
        cfg = self._config()
        H, W = check_shape2(cfg.input_shape, "config.input_shape")
        X, top = as_real_array(X, name, ndim=(2, 3), nonnegative=True, return_abs_max=True)
        if top > 1 + 4 * float(np.finfo(X.dtype).eps):
            raise ValueError(f"{name} must lie in [0, 1] (U0: 0 background, 1 ink), got values "
                             f"up to {top:g}; divide 8-bit images by 255")
        if X.ndim == 2:
            if X.shape[1] != H * W:
                raise ValueError(
                    f"{name} of shape {X.shape}: flat input needs H*W = {H * W} columns; "
                    f"or pass images of shape (n, {H}, {W})"
                )
            X = X.reshape(-1, H, W)
        if X.shape[1:] != (H, W):
            raise ValueError(f"{name} must be images of shape (n, {H}, {W}), got {X.shape}")
        return X[:, None]

    # -- the cascade, eqs. (1)-(5) -----------------------------------------------------

    def _forward(self, u0, a, b, c, d, with_v=False, checked=True):
        """Every layer's response to ``u0`` of shape (N, 1, H, W); V_C-cells too if asked.

        ``checked=False`` skips the checks of every array: for :meth:`fit`, whose images
        were checked and converted to the weights' dtype once, and whose weights it makes.
        """
        cfg = self._config()
        cell_layers = cells if checked else _cells
        out, v_cs = {"U0": u0}, []
        u_c = u0
        for i, st in enumerate(cfg.stages):
            u_s, v = cell_layers.s_layer_and_v(u_c, a[i], b[i], c[i], st.s.r, st.s.size)
            v_cs.append(v)
            u_c = cell_layers.c_layer(u_s, d[i], cfg.alpha, st.c.size)
            out[f"US{i + 1}"], out[f"UC{i + 1}"] = u_s, u_c
        return (out, v_cs) if with_v else out

    def forward(self, X):
        """Responses of every layer.

        Parameters
        ----------
        X : array-like, shape (n, H, W) or (n, H*W)
            Input images of the network's input size, values in ``[0, 1]``.

        Returns
        -------
        layers : dict of str -> ndarray
            ``"U0"`` of shape (n, 1, H, W), then ``"US1"``, ``"UC1"``, ... of shape
            (n, K, H_l, W_l).
        """
        check_is_fitted(self, "a_")
        return self._forward(self._check_images(X), self.a_, self.b_, self.c_, self.d_)

    def transform(self, X):
        """Top C-layer responses, flattened to (n, K * H_top * W_top)."""
        top = self.forward(X)[self.layer_names()[-1]]
        return top.reshape(top.shape[0], -1)

    def winners(self, X):
        """Index of the most active top-layer C-cell for each input; -1 where all are silent."""
        top = self.transform(X)
        win = np.argmax(top, axis=1)
        return np.where(top.max(axis=1) > 0, win, -1)

    # -- self-organisation, section 3 ---------------------------------------------------

    def _start(self, X):
        """What :meth:`fit` draws before learning, in the order it draws it: the initial
        weights (which consume random draws only when ``config.init_jitter > 0``), then
        every presentation. Learning itself draws nothing."""
        cfg = self._config()
        patterns = self._check_images(X)[:, 0]
        rng = check_random_state(self.random_state, legacy=True)
        init = self._initial_weights(cfg, rng)
        order = np.tile(np.arange(len(patterns)), cfg.repeats)
        images, shifts = random_shift(patterns[order], cfg.max_shift, random_state=rng)
        return cfg, init, (images, order, shifts)

    def presentations(self, X):
        """The shifted patterns :meth:`fit` learns from, in the order it presents them.

        Each pattern is presented ``config.repeats`` times (patterns cycled in order), each
        time at a random shift of at most ``config.max_shift`` pixels per axis that keeps
        all ink inside the input (:func:`neocognitron.transforms.random_shift`). ``fit``
        draws its presentations with this same code, so with an int ``random_state``
        ``fit(X)`` learns from exactly these images, before or after this call. (A
        Generator or RandomState is advanced by every call, and ``None`` draws afresh,
        so then the two differ.)

        Parameters
        ----------
        X : array-like, shape (n, H, W) or (n, H*W)
            Training patterns, values in ``[0, 1]``.

        Returns
        -------
        images : ndarray, shape (n * config.repeats, H, W)
            The presented inputs, in order.
        index : ndarray of int, shape (n * config.repeats,)
            The pattern (row of ``X``) of each presentation: a label for a supervised model
            trained on the same presentations.
        shifts : ndarray of int, shape (n * config.repeats, 2)
            The ``(dy, dx)`` of each presentation.

        Examples
        --------
        >>> from neocognitron import Neocognitron
        >>> from neocognitron.datasets import fukushima1980_patterns
        >>> images, index, shifts = Neocognitron.fukushima1980(random_state=0).presentations(
        ...     fukushima1980_patterns())
        >>> images.shape, index[:7].tolist()
        ((100, 16, 16), [0, 1, 2, 3, 4, 0, 1])
        """
        return self._start(X)[2]

    def fit(self, X, y=None):
        """Self-organise on the training patterns, with the paper's schedule.

        The patterns are presented as :meth:`presentations` returns them: each
        ``config.repeats`` times (patterns cycled in order), each time at a random shift
        of at most ``config.max_shift`` pixels that keeps all ink inside the input. On
        every presentation all S-layers learn from the same forward pass: representatives
        are chosen in S-columns and reinforce their planes
        (:mod:`neocognitron.fukushima1980.learning`).

        Parameters
        ----------
        X : array-like, shape (n, H, W) or (n, H*W)
            Training patterns, values in ``[0, 1]``.
        y : ignored

        Returns
        -------
        self
        """
        cfg, (a, b, c, d), (images, order, _) = self._start(X)
        # the one conversion: the cells of every presentation then run on checked arrays
        images = np.ascontiguousarray(images, dtype=common_float_dtype(images, *a, *b, *c, *d))
        counts = [np.zeros(st.s.planes, dtype=np.int64) for st in cfg.stages]
        bar = KernelProgress(images, desc="self-organising", unit="presentation",
                             disable=not self.verbose)
        for u0 in bar:
            self._learn_once(u0[None, None], cfg, a, b, c, d, counts)
        self.a_, self.b_, self.c_, self.d_ = a, b, c, d
        self.reinforcements_ = counts
        self.n_presentations_ = len(order)
        return self

    def _learn_once(self, u0, cfg, a, b, c, d, counts):
        layers, v_cs = self._forward(u0, a, b, c, d, with_v=True, checked=False)
        inputs = [layers["U0"]] + [layers[f"UC{i}"] for i in range(1, len(cfg.stages))]
        for i, st in enumerate(cfg.stages):
            reps = columns._representatives(layers[f"US{i + 1}"][0], st.s.column)
            learning._reinforce(a[i], b[i], inputs[i][0], v_cs[i][0], c[i], float(st.s.q),
                                reps)
            for k, _, _ in reps:
                counts[i][k] += 1
