"""The rows of the shift study: the digit neocognitron, LeNet-5 and the controls.

:data:`MODELS` names every row, its label and how it is built; :func:`make_model` builds
it for a canvas and seed, :func:`model_config` records its parameters as JSON.

* ``augment_shift`` trains on digits shifted at random by up to the canvas's largest test
  shift (:data:`AUGMENT`: 4 on 28×28, 8 on 44×44).
* ``"<estimator>+max"`` rows wrap the estimator in
  :class:`~neocognitron.shift_study.controls.PositionMaxClassifier` on the digit
  neocognitron's own grid of top positions
  (:func:`~neocognitron.shift_study.controls.neocognitron_grid` of the study's
  neocognitron parameters).
* The global-pool rows (global pooling, BlurPool + global pooling, APS) have
  ``conv_channels`` :data:`WIDE`, chosen on a validation split of the training digits by
  :mod:`~neocognitron.shift_study.channels` (BlurPool + global pooling takes the width
  chosen for global pooling).
* 1-NN on pixels learns nothing and draws nothing at random: :data:`UNSEEDED` rows are run
  once, not per seed.
"""

import json

from ..cnn import ConvNetClassifier
from ..digits import NeocognitronClassifier
from .controls import CosineNearestNeighbor, PositionMaxClassifier, neocognitron_grid

__all__ = ["WIDE", "AUGMENT", "MODELS", "UNSEEDED", "make_model", "model_config"]

#: conv_channels of the global-pool and APS rows (:mod:`.channels`, on training digits)
WIDE = (32, 64)
#: the largest random shift of the augmented CNN's training digits, per canvas
AUGMENT = {"28": 4, "44": 8}
_APS = {"pooling": "aps", "padding": "circular", "global_pool": True}
#: name -> (label, estimator, parameters besides random_state and the size settings);
#: "+max" wraps the estimator in PositionMaxClassifier on the neocognitron's grid
MODELS = {
    "neocognitron": ("Neocognitron (Fukushima 2003)", "NeocognitronClassifier", {}),
    "lenet5": ("LeNet-5 CNN", "ConvNetClassifier", {}),
    "lenet5_max": ("LeNet-5 + max over 3×3 positions", "ConvNetClassifier+max", {}),
    "blurpool": ("CNN + BlurPool", "ConvNetClassifier", {"antialias": True}),
    "global_pool": ("CNN + global avg. pool", "ConvNetClassifier",
                    {"global_pool": True, "conv_channels": WIDE}),
    "blurpool_global_pool": ("CNN + BlurPool + global pool", "ConvNetClassifier",
                             {"antialias": True, "global_pool": True, "conv_channels": WIDE}),
    "aps": ("CNN + APS (circular, global pool)", "ConvNetClassifier",
            dict(_APS, conv_channels=WIDE)),
    "augment_shift": ("CNN + shift aug. (±4 / ±8)", "ConvNetClassifier",
                      {"augment_shift": AUGMENT}),
    "pixels_1nn": ("1-NN (cosine) on pixels", "CosineNearestNeighbor", {}),
    "pixels_1nn_max": ("1-NN on pixels + max over 3×3 positions",
                       "CosineNearestNeighbor+max", {}),
}
#: deterministic rows: one record, no seed
UNSEEDED = ("pixels_1nn", "pixels_1nn_max")


def make_model(name, seed, settings, canvas):
    """The unfitted estimator of row ``name`` on ``canvas`` (``"28"`` or ``"44"``).

    ``settings["neocognitron"]`` and ``settings["cnn"]`` are added to the parameters of
    the neocognitron and of every CNN; a dict parameter (``augment_shift``) is per canvas.
    """
    _, kind, params = MODELS[name]
    base, _, wrap = kind.partition("+")
    params = {k: (v[canvas] if isinstance(v, dict) else v) for k, v in params.items()}
    if base == "NeocognitronClassifier":
        model = NeocognitronClassifier(random_state=seed, **settings["neocognitron"], **params)
    elif base == "CosineNearestNeighbor":
        model = CosineNearestNeighbor(**params)
    else:
        model = ConvNetClassifier(random_state=seed, **settings["cnn"], **params)
    if wrap:
        model = PositionMaxClassifier(model, neocognitron_grid(settings["neocognitron"])["offsets"])
    return model


def model_config(model):
    """A model's parameters as JSON (a wrapped estimator's nested), with its class and
    without ``random_state`` and ``verbose``."""
    params = {k: model_config(v) if hasattr(v, "get_params") else v
              for k, v in model.get_params(deep=False).items()
              if k not in ("random_state", "verbose")}
    return json.loads(json.dumps({"class": type(model).__name__, **params}))
