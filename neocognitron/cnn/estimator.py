"""``ConvNetClassifier``: LeNet-5 trained by backprop, as a scikit-learn estimator."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.multiclass import _check_partial_fit_first_call, check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._random import check_random_state, legacy_random_state
from ..progress import KernelProgress
from . import _dense
from ._inputs import (
    check_n_classes,
    check_params,
    encode_labels,
    overflow_error,
    pixel_stats,
    resolve_image_shape,
    standardize,
    validate_images,
)
from .network import DataParallel, Network, lenet_layers
from .optimizers import make_optimizer
from .training import epoch, fit_epochs, reset_history, validation_split

_PREDICT_BATCH = 256  # shards of 32 images keep each layer's output in cache


def _softmax(logits):
    p = np.empty(logits.shape, dtype=np.float64)
    _dense.softmax(logits.astype(np.float64), p)
    return p


class ConvNetClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """A convolutional network trained end to end by backprop (LeNet-5 by default).

    The modern baseline the Neocognitron is compared with. Written on numpy and numba
    (no deep-learning framework); trains in float32 on the CPU.

    The default architecture is LeNet-5 with ReLU: conv 5x5x6 (padded to "same", as LeNet-5
    pads 28x28 digits to 32x32) -> 2x2 pool -> conv 5x5x16 -> 2x2 pool -> dense 120 ->
    dense 84 -> softmax over the classes. Every conv and hidden dense layer is followed by a
    ReLU. Pixels are standardised with the mean and standard deviation of all training
    pixels; the loss is the mean softmax cross-entropy.

    Parameters
    ----------
    conv_channels : tuple of int, default=(6, 16)
        Filters of each conv block (conv -> ReLU -> pool).
    kernel_size : int, default=5
        Side of the square conv filters (odd).
    hidden_layer_sizes : tuple of int, default=(120, 84)
        Units of the dense ReLU layers between the conv blocks and the output layer.
    pooling : {"max", "avg", "aps"}, default="max"
        2x2 pooling at stride 2 after each conv block. "aps" is the max pooling of
        Chaman & Dokmanic's APS networks (CVPR 2021): 2x2 max pooling at stride 1 that wraps
        around the edges, then adaptive polyphase sampling, which keeps per image the one
        of the four stride-2 grids, offsets (0, 0), (0, 1), (1, 0), (1, 1), whose samples
        have the largest l2 norm over all channels (the first of them on ties); odd sides
        wrap around (row 0 follows row H - 1). With ``padding="circular"`` and
        ``global_pool=True`` the predictions are invariant to circular shifts of the
        images, exactly when every APS layer sees even sides (28x28 with two blocks).
    antialias : bool, default=False
        Use BlurPool (Zhang, ICML 2019) instead: the same pooling at stride 1, then a
        [1, 2, 1] x [1, 2, 1] / 16 binomial blur (reflect padding) at stride 2. Not with
        "aps".
    global_pool : bool, default=False
        Average every feature map to one value (global average pooling) before the dense
        layers, instead of flattening it.
    padding : {"lenet", "same", "valid", "circular"}, default="lenet"
        Padding of the convolutions: "lenet" pads the first to "same" with zeros and none
        of the others; "same" pads all with zeros (any image size then works), "valid"
        none; "circular" pads all to "same" by wrapping around (the image as a torus).
    image_shape : (int, int), optional
        Shape ``(H, W)`` of the images when ``X`` is given as flat rows ``(n, H * W)``; one
        entry may be -1 (inferred, as in ``numpy.reshape``). By default a 3-D ``X``
        ``(n, H, W)`` gives its own shape and flat rows must have a square number of
        features.
    augment_shift : int, default=0
        During training, translate each image by a random integer offset of up to this
        many pixels in each direction (vacated pixels are background, i.e. pixel value 0).
    solver : {"adam", "sgd"}, default="adam"
        Adam, or stochastic gradient descent with Nesterov momentum.
    learning_rate_init : float, default=1e-3
        Step size of the first epoch.
    learning_rate_decay : float, default=0.85
        The step size is multiplied by this factor after every epoch.
    momentum : float, default=0.9
        Momentum of "sgd".
    alpha : float, default=5e-4
        L2 penalty ``alpha / 2 * ||w||^2`` on the weights (not the biases), added to the
        gradient of every step.
    batch_size : int, default=32
        Mini-batch size.
    max_iter : int, default=15
        Maximum number of epochs.
    shuffle : bool, default=True
        Shuffle the training set before every epoch.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training set (stratified) and stop when its
        accuracy has not improved by ``tol`` for ``n_iter_no_change`` epochs; the weights of
        the best epoch are kept.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of the stopping rule, in epochs.
    tol : float, default=1e-4
        Minimum improvement of the validation accuracy (with early stopping) or of the
        training loss (without) that resets the patience.
    random_state : int, RandomState, Generator or None, default=None
        Draws the initial weights, the shuffling, the shifts and the validation split. An
        int is a seed (of ``numpy.random.RandomState``); a Generator or RandomState is
        drawn from as is; None draws fresh entropy from the operating system, so two fits
        differ (:mod:`neocognitron._random`, the same in every model). Training is
        deterministic: the same seed gives the same numbers, whatever the number of
        threads (every batch is split into a fixed number of shards, run on as many
        threads as numba is allowed and the process has cores).
    verbose : bool, default=False
        Show a progress bar (tqdm) with the loss.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of pixels per image, ``H * W``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.
    image_shape_ : tuple of int
        ``(H, W)`` of the images the network was built for.
    x_mean_, x_scale_ : float
        Mean and standard deviation of the training pixels; inputs are standardised with
        them.
    coefs_ : list of ndarray
        Weights of the conv and dense layers (``coefs_[0]``: the first layer's filters).
    intercepts_ : list of ndarray
        Their biases.
    network_ : neocognitron.cnn.network.DataParallel
        The trained network (``network_.layers``); all weights live in
        ``network_.theta``.
    optimizer_ : neocognitron.cnn.optimizers.Adam or SGD
        The optimizer and its state (moments), which ``partial_fit`` continues from.
    n_iter_ : int
        Number of epochs run.
    t_ : int
        Number of optimizer steps (mini-batches) taken.
    loss_curve_ : list of float
        Mean training loss of every epoch (cross-entropy plus the L2 penalty).
    validation_scores_ : list of float or None
        Validation accuracy after every epoch, with ``early_stopping``.
    best_validation_score_ : float or None
        Best of ``validation_scores_``.
    best_loss_ : float or None
        Lowest training loss, without ``early_stopping``.

    See Also
    --------
    neocognitron.NeocognitronClassifier : the 1980-style model this baseline is compared with.

    References
    ----------
    Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-based learning applied to document
    recognition", Proc. IEEE 86, 2278-2324 (1998).
    R. Zhang, "Making convolutional networks shift-invariant again", ICML 2019.
    A. Chaman, I. Dokmanic, "Truly shift-invariant convolutional neural networks",
    CVPR 2021.

    Examples
    --------
    >>> from neocognitron import ConvNetClassifier
    >>> from neocognitron.datasets import load_digits_images
    >>> X, y = load_digits_images()
    >>> clf = ConvNetClassifier(padding="same", max_iter=5, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        conv_channels=(6, 16),
        kernel_size=5,
        hidden_layer_sizes=(120, 84),
        pooling="max",
        antialias=False,
        global_pool=False,
        padding="lenet",
        image_shape=None,
        augment_shift=0,
        solver="adam",
        learning_rate_init=1e-3,
        learning_rate_decay=0.85,
        momentum=0.9,
        alpha=5e-4,
        batch_size=32,
        max_iter=15,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=None,
        verbose=False,
    ):
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pooling = pooling
        self.antialias = antialias
        self.global_pool = global_pool
        self.padding = padding
        self.image_shape = image_shape
        self.augment_shift = augment_shift
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.learning_rate_decay = learning_rate_decay
        self.momentum = momentum
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose

    # --------------------------------------------------------------- training
    def _layers(self):
        """The layers the parameters and ``classes_`` build (also checked on load)."""
        return lenet_layers(
            len(self.classes_),
            tuple(self.conv_channels),
            self.kernel_size,
            tuple(self.hidden_layer_sizes),
            self.pooling,
            bool(self.antialias),
            bool(self.global_pool),
            self.padding,
        )

    def _initialize(self, X, classes, shape3):
        check_params(self)
        self.image_shape_ = resolve_image_shape(self.image_shape, X.shape[1], shape3)
        self.classes_ = np.asarray(classes)
        check_n_classes(self, self.classes_)
        # the weights' stream; a Generator is wrapped, as the shifts and scikit-learn's
        # splitter draw with RandomState's methods
        rng = legacy_random_state(check_random_state(self.random_state, legacy=True))
        mean, std = pixel_stats(X)
        self.x_mean_, self.x_scale_ = mean, (std if std > 0 else 1.0)
        self.network_ = DataParallel(
            Network(self._layers(), (1,) + self.image_shape_, np.float32))
        self.network_.init_params(rng)
        self.optimizer_ = make_optimizer(self.solver, self.network_.n_params, np.float32,
                                         self.momentum)
        self._rng = rng
        reset_history(self)

    def fit(self, X, y):
        """Train the network from scratch on images ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
            Grey-level images (any numeric dtype, e.g. uint8).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : ConvNetClassifier
            The fitted estimator.
        """
        X, y, shape3 = validate_images(self, X, y, reset=True)
        check_classification_targets(y)
        classes, yi = np.unique(y, return_inverse=True)
        self._initialize(X, classes, shape3)
        Xs = standardize(X, self.x_mean_, self.x_scale_, self.image_shape_)
        yi = yi.astype(np.int64).ravel()
        validation_score = None
        if self.early_stopping:
            Xs, X_val, yi, y_val = validation_split(Xs, yi, self.validation_fraction,
                                                    self._rng)

            def validation_score():
                # the largest logit is the most probable class
                return float(np.mean(self.network_.logits(X_val, _PREDICT_BATCH).argmax(1)
                                     == y_val))

        n_batches = -(-len(yi) // min(self.batch_size, len(yi)))
        with KernelProgress(total=self.max_iter * n_batches, disable=not self.verbose,
                            unit="batch") as bar:
            fit_epochs(self, Xs, yi, validation_score, bar)
        return self

    def partial_fit(self, X, y, classes=None):
        """Train for one more epoch on ``(X, y)`` (from scratch if not fitted yet).

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), optional
            All classes. Required on the first call (as in scikit-learn: one batch need
            not hold every class); later calls may leave it out or must repeat it
            unchanged.

        Returns
        -------
        self : ConvNetClassifier
        """
        if not hasattr(self, "network_"):  # a first call that failed left no model
            vars(self).pop("classes_", None)
        first = _check_partial_fit_first_call(self, classes)
        X, y, shape3 = validate_images(self, X, y, reset=first)
        check_classification_targets(y)
        if first:
            self._initialize(X, self.classes_, shape3)
        yi = encode_labels(self.classes_, np.asarray(y).ravel())
        loss = epoch(self, standardize(X, self.x_mean_, self.x_scale_, self.image_shape_), yi)
        self.best_loss_ = loss if self.best_loss_ is None else min(loss, self.best_loss_)
        return self

    @property
    def coefs_(self):
        """Weights of the conv and dense layers, in order: ``(C_out, C_in, k, k)`` for a
        convolution (``coefs_[0]`` are the first layer's filters), ``(units, F)`` for a
        dense layer. Views into the network's parameters (float32)."""
        check_is_fitted(self)
        return [layer.params[0] for layer in self.network_.layers if getattr(layer, "params", None)]

    @property
    def intercepts_(self):
        """Biases of the conv and dense layers, in the order of ``coefs_``."""
        check_is_fitted(self)
        return [layer.params[1] for layer in self.network_.layers if getattr(layer, "params", None)]

    # -------------------------------------------------------------- inference
    def _run(self, X, method):
        """The network's ``method`` ("logits" or "features") on images ``X``."""
        check_is_fitted(self)
        X, _, _ = validate_images(self, X, reset=False)
        Xs = standardize(X, self.x_mean_, self.x_scale_, self.image_shape_)
        out = getattr(self.network_, method)(Xs, _PREDICT_BATCH)
        if not np.all(np.isfinite(out)):  # inputs far beyond the training pixels' scale
            raise overflow_error(X, self.x_mean_, self.x_scale_)
        return out

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's output).

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return _softmax(self._run(X, "logits"))

    def predict(self, X):
        """Most probable class of each image.

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def transform(self, X):
        """Penultimate features: the input of the output layer (after its ReLU).

        Parameters
        ----------
        X : array-like of shape (n_samples, H, W) or (n_samples, H * W)

        Returns
        -------
        features : ndarray of shape (n_samples, n_features_out), float32
            84 features for the default LeNet-5.
        """
        return self._run(X, "features")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float32"]  # features are always float32
        return tags
