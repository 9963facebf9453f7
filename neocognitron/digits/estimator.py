"""``NeocognitronClassifier``: Fukushima's digit neocognitron as a scikit-learn classifier.

Fukushima, "Neocognitron for handwritten digit recognition", Neurocomputing 51, 161-180
(2003); the interpolating-vector readout after Fukushima, Neural Networks 20 (2007).
No backpropagation: the intermediate S-layers learn without labels (winner-take-all and
add-if-silent, :mod:`.competitive`), the top stage by supervised competitive learning
(:mod:`.top`).
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._images import check_image_shape, flatten_images, resolve_image_shape
from .._random import check_random_state
from ..progress import KernelProgress
from .cascade import CascadeStage, _blur_weights, _forward, _to_canvas
from .competitive import _present
from .interpolating import _class_grams, _interpolate_predict
from .layers import _contrast_kernel, _edge_patterns, _gaussian
from .params import check_params
from .top import _fit_top_planes, _windows, top_max_scores

__all__ = ["NeocognitronClassifier"]


class NeocognitronClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """The digit neocognitron (Fukushima 2003), trained without backpropagation.

    ``U_0 -> U_G -> U_S1 -> U_C1 [-> U_S2 -> U_C2 ...] -> U_S(top) -> U_C(top)``: images are
    centred on a canvas ``margin`` pixels larger on every side; ``U_G`` extracts contrast
    (on- and off-centre cells); ``U_S1`` has ``n_orientations`` edge-extracting planes,
    fixed by supervised training on ideal edges; each learned intermediate S-layer (one
    per entry of ``max_planes``) learns its planes by winner-take-all competition and
    add-if-silent; every C-layer blurs and thins out; the top S-planes are labelled
    prototypes grown by supervised competitive learning and slid over
    ``2 * top_slack + 1`` positions each way, so the top C-cells answer wherever the digit
    sits.

    The defaults have no learned intermediate layer: the top stage reads ``U_C1``, blurred
    (``sigma`` 2.7 pixels) and thinned to one cell per 4 pixels. On MNIST every learned
    ``U_S2`` we tried lost information the top stage needs (README, "What limits the
    digit neocognitron"). ``NeocognitronClassifier(**ONE_LEARNED_STAGE)``
    (:data:`neocognitron.digits.ONE_LEARNED_STAGE`, the previous defaults) is the 2003
    layout with one learned stage.

    Parameters
    ----------
    margin : int, default=4
        Empty pixels added around the image on every side to make the canvas.
    contrast : (float, float, float), default=(1.0, 2.0, 16.0)
        ``U_G``'s centre and surround widths (pixels) and its gain.
    n_orientations : int, default=8
        Edge directions of ``U_S1`` over 360 degrees.
    thresholds : tuple of float, default=(0.55,)
        Recognition threshold ``theta`` of ``U_S1`` and of each learned S-layer.
    learning_thresholds : tuple of float, default=()
        Threshold ``theta_L`` of each learned S-layer while it learns (higher than its
        recognition threshold, as in the paper).
    max_planes : tuple of int, default=()
        Most planes each learned S-layer may grow to; its length is the number of learned
        intermediate layers (none by default).
    fields : tuple of int, default=(7,)
        Receptive-field side of ``U_S1`` (pixels) and of each learned S-layer (C-cells).
    blurs : tuple of float, default=(2.7,)
        Width ``sigma`` of the Gaussian ``d`` of each C-layer, in cells of the S-layer below.
    strides : tuple of int, default=(4,)
        Thinning-out of each C-layer.
    top_threshold : float, default=0.5
        Threshold ``theta`` of the top S-cells.
    top_learning_threshold : float, default=0.96
        Threshold of the top S-cells during supervised learning: a digit whose winner
        does not answer at this threshold makes a new plane even if its label is right.
    top_slack : int, default=1
        The top S-planes' field is the last C-layer less ``top_slack`` cells per side, slid
        over ``(2 top_slack + 1)^2`` positions.
    top_exponent : float, default=0.5
        The top S-cells see ``u_C ** top_exponent``. 1 is the paper; below 1 compresses
        strong responses against weak ones, so that where a stroke lies counts more than
        how strongly it answers (with 0.5 the S-cells' cosine is the Bhattacharyya
        affinity of two response profiles).
    q : float, default=100.0
        Speed of reinforcement (learned patterns are ``q`` times sums of input patches).
    competition_area : int, default=5
        Side of the winner-take-all area of the learned S-layers, in cells.
    min_activity : float, default=0.2
        Silence adds a plane only where ``v_C`` is at least this fraction of its maximum.
    n_unsupervised : int, default=3000
        Training digits (a random subset) shown once to each learned S-layer.
    n_epochs : int, default=3
        Most passes of supervised learning over the training set.
    readout : {"wta", "interpolating"}, default="wta"
        Winner-take-all over the top cells, or interpolating vectors.
    n_neighbors : int, default=8
        Prototypes per class paired by the interpolating readout.
    image_shape : (int, int), optional
        Shape of flat input rows; default square. 3-D input gives its own shape.
    batch_size : int, default=256
    random_state : int, Generator, RandomState or None, default=None
        Chooses the unsupervised subset and the order of presentation. An int is a seed
        (of ``numpy.random.default_rng``); a Generator or RandomState is drawn from as is;
        None draws fresh entropy from the operating system, so two fits differ
        (:mod:`neocognitron._random`, the same in every model).
    verbose : bool, default=False
        Progress bars.

    Attributes
    ----------
    classes_ : ndarray
    n_features_in_ : int
    image_shape_ : (int, int)
    canvas_shape_ : (int, int)
    a_g_ : ndarray, contrast kernel
    stages_ : list of CascadeStage
        ``U_S1/U_C1`` and each learned stage: patterns ``X``, ``c``, ``theta``, ``d``,
        ``stride``.
    n_planes_ : tuple of int
        Planes of every S-layer, the top one included.
    top_field_ : (int, int)
    top_X_ : ndarray, shape (n_top_planes, D)
        Top patterns, ``a = X``, ``b = |X|``.
    top_labels_ : ndarray of int, indices into ``classes_``
    planes_added_ : list of int
        Top planes added in each epoch of supervised learning.
    n_iter_ : int
        Epochs of supervised learning run.
    """

    def __init__(self, margin=4, contrast=(1.0, 2.0, 16.0), n_orientations=8,
                 thresholds=(0.55,), learning_thresholds=(), max_planes=(), fields=(7,),
                 blurs=(2.7,), strides=(4,), top_threshold=0.5, top_learning_threshold=0.96,
                 top_slack=1, top_exponent=0.5, q=100.0, competition_area=5, min_activity=0.2,
                 n_unsupervised=3000, n_epochs=3, readout="wta", n_neighbors=8,
                 image_shape=None, batch_size=256, random_state=None, verbose=False):
        self.margin = margin
        self.contrast = contrast
        self.n_orientations = n_orientations
        self.thresholds = thresholds
        self.learning_thresholds = learning_thresholds
        self.max_planes = max_planes
        self.fields = fields
        self.blurs = blurs
        self.strides = strides
        self.top_threshold = top_threshold
        self.top_learning_threshold = top_learning_threshold
        self.top_slack = top_slack
        self.top_exponent = top_exponent
        self.q = q
        self.competition_area = competition_area
        self.min_activity = min_activity
        self.n_unsupervised = n_unsupervised
        self.n_epochs = n_epochs
        self.readout = readout
        self.n_neighbors = n_neighbors
        self.image_shape = image_shape
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ inputs
    def _images(self, X, y=None, reset=True):
        X, shape3 = flatten_images(X)
        if reset:
            X, y = validate_data(self, X, y, dtype="numeric")
            self.image_shape_ = resolve_image_shape(self.image_shape, X.shape[1], shape3)
        else:
            # the cells and the top field were sized for these images: a 1x1 image on the
            # canvas would still get a class, a meaningless one
            check_image_shape(self, X, shape3)
            X = validate_data(self, X, reset=False, dtype="numeric")
        return np.asarray(X, dtype=np.float64).reshape((-1,) + self.image_shape_), y

    def _canvas(self, images):
        return _to_canvas(images, self.canvas_shape_)

    def _top_input(self, images, upto=None):
        """The last C-layer for a batch of images, in batches."""
        starts = range(0, len(images), self.batch_size)
        starts = KernelProgress(starts, desc="forward pass", disable=not self.verbose,
                                leave=False)
        out = [_forward(self._canvas(images[i : i + self.batch_size]), self.a_g_,
                       self.stages_, upto) for i in starts]
        return np.concatenate(out)

    # ------------------------------------------------------------------ training
    def fit(self, X, y):
        """Learn every layer from images ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : NeocognitronClassifier
        """
        n_mid = check_params(self)
        images, y = self._images(X, y, reset=True)
        if images.shape[1] * images.shape[2] < 2:
            raise ValueError(f"X has {self.n_features_in_} feature(s): an image needs at "
                             "least 2 pixels (each is scaled by its own minimum and maximum)")
        check_classification_targets(y)
        self.classes_, yi = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y has one class ({self.classes_[0]!r}); need at least two")
        rng = check_random_state(self.random_state)
        m = self.margin
        self.canvas_shape_ = (self.image_shape_[0] + 2 * m, self.image_shape_[1] + 2 * m)
        lo, hi, gain = self.contrast
        size = 2 * int(np.ceil(2 * hi)) + 1
        self.a_g_ = _contrast_kernel(size, lo, hi, gain)
        f1 = self.fields[0]
        c1 = _gaussian(f1, f1 / 3.0)
        X1 = _edge_patterns(self.n_orientations, f1, self.a_g_)
        self.stages_ = [CascadeStage(X1, c1, self.thresholds[0], _blur_weights(self.blurs[0]),
                                     self.strides[0])]
        subset = rng.permutation(len(images))[: self.n_unsupervised]
        for layer in range(n_mid):
            self.stages_.append(self._learn_stage(images[subset], layer + 1))
        self._fit_top(images, yi, rng)
        return self

    def _learn_stage(self, images, i):
        """Unsupervised learning of S-layer ``i + 1``: every image presented once."""
        f = self.fields[i]
        c = _gaussian(f, f / 3.0)
        below = self._top_input(images, upto=i).astype(np.float64)
        X = np.zeros((self.max_planes[i - 1], below.shape[1], f, f))
        n = 0
        for u in KernelProgress(below, desc=f"U_S{i + 1} (unsupervised)",
                                disable=not self.verbose, leave=False):
            n, _, _ = _present(X, n, u, c, float(self.learning_thresholds[i - 1]), self.q,
                               self.competition_area, self.min_activity)
        if n == 0:
            raise ValueError(f"U_S{i + 1} learned no plane: the training images are blank")
        return CascadeStage(X[:n], c, self.thresholds[i], _blur_weights(self.blurs[i]),
                            self.strides[i])

    def _top_response(self, u_c):
        """What the top S-cells see: ``u_C ** top_exponent`` (C-cells are never negative)."""
        if self.top_exponent == 1:
            return u_c
        return np.power(u_c, u_c.dtype.type(self.top_exponent))

    def _fit_top(self, images, yi, rng):
        u_top = self._top_response(self._top_input(images))
        self._check_answers(u_top, yi)
        K, H, W = u_top.shape[1:]
        s = self.top_slack
        if H - 2 * s < 1 or W - 2 * s < 1:
            raise ValueError(f"top_slack={s} leaves no top field on the {H}x{W} top C-layer")
        self.top_field_ = (H - 2 * s, W - 2 * s)
        n_pos = (2 * s + 1) ** 2
        bar = KernelProgress(total=self.n_epochs * len(images), desc="top (supervised)",
                             disable=not self.verbose, leave=False)

        def progress(n, planes):
            bar.update(n)
            bar.set_postfix(planes=planes)

        state, added = _fit_top_planes(lambda idx: _windows(u_top[idx], self.top_field_), yi,
                                       self.top_learning_threshold, self.q, self.n_epochs,
                                       n_pos // 2, rng, self.batch_size, progress)
        bar.close()
        self.top_X_ = state.X[: state.n].copy()
        self.top_labels_ = state.labels[: state.n].copy()
        self.planes_added_ = added
        self.n_iter_ = len(added)
        self.n_planes_ = tuple(st.X.shape[0] for st in self.stages_) + (state.n,)

    def _check_answers(self, u_top, yi):
        """Refuse training data some class of which never reaches the top stage.

        A digit no cell of the last C-layer answers to (blank, or edges too faint for
        ``U_S1``) makes no top plane, so a class of only such digits could never be
        predicted, and with none at all the model would have no plane.
        """
        answers = u_top.reshape(len(u_top), -1).max(axis=1) > 0
        if not answers.any():
            raise ValueError(
                "X: no training image makes any cell of the last C-layer answer (blank "
                "images, or contrast too faint for U_S1's threshold): nothing to learn"
            )
        silent = np.setdiff1d(np.arange(len(self.classes_)), yi[answers])
        if len(silent):
            raise ValueError(
                f"X: no training image of class {self.classes_[silent].tolist()} makes any "
                "cell of the last C-layer answer (blank images, or contrast too faint for "
                "U_S1's threshold), so the model could never predict it"
            )

    # ------------------------------------------------------------------ recognition
    def _top_cells(self, X, interpolate=False):
        """Per image and top plane, the best score over positions.

        The score is ``(1 + a.x) / (1 + theta b |x|)`` (:func:`~.top._top_scores`; ``u_S``
        is ``theta/(1-theta) phi[score - 1]``), float32, shape ``(n_samples, n_top_planes)``
        with the planes in the order of ``top_X_``.

        With ``interpolate``, the interpolating-vector similarity per class instead, float64
        of shape ``(n_samples, n_classes)``: computed at every position from that position's
        cosines (one window is one input vector), then the largest over positions.
        """
        check_is_fitted(self)
        if len(self.top_X_) == 0:  # saved before fit refused blank training data
            raise ValueError("this model has no top plane (it was fitted on blank images); "
                             "fit it again")
        images, _ = self._images(X, reset=False)
        X_top = self.top_X_.astype(np.float32)
        b = np.linalg.norm(X_top, axis=1)
        if interpolate:
            unit = X_top / np.where(b > 0, b, 1)[:, None]
            grams = _class_grams(unit, self.top_labels_, len(self.classes_))
        out = []
        for i in range(0, len(images), self.batch_size):
            u = self._top_response(_forward(self._canvas(images[i : i + self.batch_size]),
                                           self.a_g_, self.stages_))
            Wb = _windows(u, self.top_field_)
            n, n_pos, D = Wb.shape
            # one 2-D product: a stack of small ones runs a BLAS call per digit
            dots = (Wb.reshape(-1, D) @ X_top.T).reshape(n, n_pos, -1)
            norms = np.sqrt(np.einsum("bpd,bpd->bp", Wb, Wb))
            if not interpolate:
                out.append(top_max_scores(dots, norms, b, self.top_threshold))
                continue
            cos = dots / np.maximum(norms[..., None] * b, 1e-30)
            best = _interpolate_predict(cos.reshape(n * n_pos, -1), unit, self.top_labels_,
                                       len(self.classes_), self.n_neighbors, grams)
            out.append(best.reshape(n, n_pos, -1).max(axis=1))
        return np.concatenate(out)

    def forward(self, X):
        """Every layer's response to images ``X``, as in :meth:`Neocognitron.forward`.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
            Images of the shape ``fit`` saw (``image_shape_``); others are refused.

        Returns
        -------
        layers : dict
            ``"U0"`` (the canvas), ``"UG"``, ``"US1"``, ``"UC1"``, ``"US2"``, ``"UC2"``, ...
            each ``(n_samples, K, H, W)`` (``"U0"``: ``(n_samples, H, W)``).
        """
        check_is_fitted(self)
        images, _ = self._images(X, reset=False)
        return _forward(self._canvas(images), self.a_g_, self.stages_, keep=True)

    def transform(self, X):
        """Top C-cells: per class, the largest top S-cell output over its planes and positions.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
            Images of the shape ``fit`` saw (``image_shape_``); others are refused.

        Returns
        -------
        u_c : ndarray of shape (n_samples, n_classes)
        """
        score = self._top_cells(X)
        th = self.top_threshold
        u_s = th / (1 - th) * np.maximum(score - 1, 0)
        out = np.zeros((len(score), len(self.classes_)), dtype=u_s.dtype)
        np.maximum.at(out.T, self.top_labels_, u_s.T)
        return out

    def predict(self, X):
        """The class of the winning top cell (or of the best interpolating segment).

        A digit no top cell answers still gets the class of the cell nearest to answering.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
            Images of the shape ``fit`` saw (``image_shape_``); others are refused.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        if self.readout == "interpolating":
            return self.classes_[np.argmax(self._top_cells(X, interpolate=True), axis=1)]
        score = self._top_cells(X)
        return self.classes_[self.top_labels_[np.argmax(score, axis=1)]]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float32"]  # the cells compute in float32
        # every image is scaled by its own minimum and maximum, so rows of 2 or 3 random
        # "pixels" (sklearn's toy problems) collapse to a few patterns
        tags.classifier_tags.poor_score = True
        return tags
