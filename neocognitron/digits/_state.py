"""How a fitted :class:`~neocognitron.NeocognitronClassifier` is saved by
:mod:`neocognitron.workflow.io`: its stages, the parameters added since the first files,
and the shapes its layers must have."""

import numpy as np

from ..workflow import io
from .cascade import CascadeStage
from .estimator import NeocognitronClassifier
from .params import staggered


def _check(model):
    stages, n_mid = model.stages_, len(tuple(model.max_planes))
    io.expect(isinstance(stages, list) and len(stages) == n_mid + 1,
              f"stages_ must list {n_mid + 1} stages (max_planes has {n_mid} entries)")
    below = None
    for i, st in enumerate(stages):
        X = np.asarray(st.X)
        io.expect(X.ndim == 4 and X.shape[2:] == np.shape(st.c),
                  f"stages_[{i}]: X {X.shape} and c {np.shape(st.c)} do not agree")
        io.expect(below is None or X.shape[1] == below,
                  f"stages_[{i}].X reads {X.shape[1]} planes, the layer below has {below}")
        below = X.shape[0]
        # stagger is in the shape of d (an even kernel puts C-cells between S-cells)
        even = [n % 2 == 0 for n in np.shape(st.d)]
        want = staggered(model, i)
        io.expect(len(even) == 2 and all(e == want for e in even),
                  f"stages_[{i}].d has shape {np.shape(st.d)}: with stagger="
                  f"{model.stagger} and strides[{i}]={model.strides[i]} its sides must be "
                  f"{'even' if want else 'odd'}")
    n_top = np.shape(model.top_X_)[0]
    planes = tuple(np.shape(st.X)[0] for st in stages) + (n_top,)
    io.expect(tuple(model.n_planes_) == planes, f"n_planes_ {model.n_planes_} != {planes}")
    D = below * int(np.prod(model.top_field_))
    io.expect(np.shape(model.top_X_) == (n_top, D),
              f"top_X_ has shape {np.shape(model.top_X_)}, the layers need {(n_top, D)}")
    labels = np.asarray(model.top_labels_)
    io.expect(labels.shape == (n_top,) and labels.dtype.kind in "iu"
              and np.all((labels >= 0) & (labels < len(model.classes_))),
              "top_labels_ must hold one index into classes_ per top plane")
    io.expect(int(np.prod(model.image_shape_)) == model.n_features_in_,
              f"image_shape_ {model.image_shape_} does not give n_features_in_ "
              f"{model.n_features_in_}")


STATE = io.ModelState(
    check=_check,
    # the file name predates the class name CascadeStage: kept so saved models load
    dataclasses={"digits.Stage": CascadeStage},
    # files saved before a parameter existed were trained without it: top_exponent 1 (on
    # u_C itself), no inhibitory surround, no stagger, the 2003 learning rules
    added_params={"top_exponent": 1.0, "surrounds": None, "stagger": False,
                  "learning_rule": "wta", "top_learning": "wta"},
)
io.register(NeocognitronClassifier, STATE)
