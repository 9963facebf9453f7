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
from . import _fitting
from .cascade import _forward, _to_canvas
from .params import check_layers, check_params

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

    The defaults are a neocognitron front end with a prototype classifier: no learned
    intermediate layer, the top stage reads ``U_C1``, blurred (``sigma`` 2.7 pixels) and
    thinned to one cell per 4 pixels. ``NeocognitronClassifier(**DEEP)``
    (:data:`neocognitron.digits.DEEP`) is the 2003 network's deep layout with two learned
    stages, inhibitory surrounds, the staggered arrangement and the 2014 rule (cells
    frozen once created); ``FUKUSHIMA2003`` the same with the 2003 rule, and
    ``ONE_LEARNED_STAGE`` (the previous defaults) the layout with one learned stage. On
    MNIST the deep layout did not beat the defaults on either validation split
    (``experiments/digits_hierarchy.py``; README, "Does a self-organized hierarchy carry
    it?"), so the defaults stay shallow.

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
    surrounds : tuple of float or None, default=None
        Strength ``kappa >= 0`` of each C-layer's inhibitory surround (one per S-layer,
        like ``blurs``): ``d = G(sigma) - kappa G(2 sigma)``, each Gaussian summing to
        one, so a positive centre and a negative surround (Fukushima 2003; the exact
        shape is our choice, docs/design.md §3). None, or 0, is the plain Gaussian.
    stagger : bool, default=False
        Staggered arrangement of S- and C-cells (Fukushima 2003): every ``d`` has an even
        number of taps, so each C-cell sits midway between two S-cells instead of on one
        of them. Needs even strides that divide the S-layers' sides; a C-layer of stride
        1 (a C-cell per S-cell) is not staggered: its ``d`` stays odd.
    learning_rule : {"wta", "frozen"}, default="wta"
        How the learned intermediate S-layers learn. ``"wta"`` (Fukushima 2003): the
        winners of winner-take-all competition are reinforced, and planes are added where
        the layer is silent; generated planes keep learning. ``"frozen"`` (add-if-silent,
        Fukushima 2013/2014): planes are only added where the layer is silent and are
        never modified after they are created.
    top_threshold : float, default=0.5
        Threshold ``theta`` of the top S-cells.
    top_learning_threshold : float, default=0.96
        Threshold of the top S-cells during supervised learning: a digit whose winner
        does not answer at this threshold makes a new plane even if its label is right.
    top_learning : {"wta", "interpolating"}, default="wta"
        How the top stage decides, while it learns, that a digit is recognised.
        ``"wta"``: its strongest top cell has its label and answers at
        ``top_learning_threshold`` (else the digit becomes a new plane, and a right winner
        is reinforced). ``"interpolating"`` (Fukushima 2007/2013): interpolating vectors
        over the planes learned so far (line segments between pairs of same-label planes,
        ``n_neighbors`` per class) give its label the largest similarity, above
        ``top_learning_threshold``; otherwise it becomes a new plane.
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
                 blurs=(2.7,), strides=(4,), surrounds=None, stagger=False,
                 learning_rule="wta", top_threshold=0.5, top_learning_threshold=0.96,
                 top_learning="wta",
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
        self.surrounds = surrounds
        self.stagger = stagger
        self.learning_rule = learning_rule
        self.top_threshold = top_threshold
        self.top_learning_threshold = top_learning_threshold
        self.top_learning = top_learning
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
        check_layers(self, self.canvas_shape_,
                     [_fitting.blur_weights(self, i).shape for i in range(n_mid + 1)])
        self.a_g_ = _fitting.contrast_kernel(self)
        self.stages_ = [_fitting.edge_stage(self, self.a_g_)]
        subset = rng.permutation(len(images))[: self.n_unsupervised]
        for layer in range(n_mid):
            self.stages_.append(_fitting.learn_stage(self, images[subset], layer + 1))
        self.top_field_, self.top_X_, self.top_labels_, self.planes_added_ = (
            _fitting.fit_top(self, images, yi, rng))
        self.n_iter_ = len(self.planes_added_)
        self.n_planes_ = tuple(st.X.shape[0] for st in self.stages_) + (len(self.top_X_),)
        return self

    # ------------------------------------------------------------------ recognition
    def _top_cells(self, X, interpolate=False):
        """Per image and top plane, the best score over positions
        (:func:`._fitting.top_cells`); per class with ``interpolate``."""
        check_is_fitted(self)
        if len(self.top_X_) == 0:  # saved before fit refused blank training data
            raise ValueError("this model has no top plane (it was fitted on blank images); "
                             "fit it again")
        images, _ = self._images(X, reset=False)
        return _fitting.top_cells(self, images, interpolate)

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
        return _forward(_to_canvas(images, self.canvas_shape_), self.a_g_, self.stages_,
                        keep=True)

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
