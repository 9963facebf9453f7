"""What the save/load tests (``test_io_*.py``) share: tiny fitted models of the three classes
and a saved file (fixtures, fitted once per session; a test file takes them with
``pytest_plugins = ["io_models"]``), reading and rewriting a model file by hand, and a deep
equality that also demands equal types."""

import copy
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from neocognitron import ConvNetClassifier, Neocognitron, NeocognitronClassifier
from neocognitron.cnn.network import DataParallel, _spec
from neocognitron.datasets import fukushima1980_patterns, load_digits_images
from neocognitron.workflow import io

# tiny models saved by neocognitron.workflow.io as of main 81ededc (before the registry)
SAVED_BY_MAIN = Path(__file__).parent / "data" / "saved_models"

PATTERNS = fukushima1980_patterns()
X, Y = load_digits_images()
X_TR, Y_TR, X_TE = X[:200], Y[:200], X[200:300]

# the tiny digit network of digit_models.py (FAST), on 10 classes, one supervised epoch
DIGITS = dict(margin=2, n_orientations=4, max_planes=(6,), thresholds=(0.55, 0.5),
              learning_thresholds=(0.75,), fields=(5, 3), blurs=(1.0, 0.8),
              strides=(2, 1), n_unsupervised=50, n_epochs=1, random_state=0)
CNNS = {
    "adam": dict(padding="same", max_iter=1, random_state=0),
    # SGD, early stopping (validation scores, no best loss), BlurPool, global pooling,
    # a list-valued parameter (must come back as a list)
    "sgd-blurpool": dict(padding="same", max_iter=2, solver="sgd", early_stopping=True,
                         antialias=True, global_pool=True, conv_channels=(4, 8),
                         hidden_layer_sizes=[16], random_state=1),
    # adaptive polyphase sampling, circular padding: new layer type, new layer arguments
    "aps-circular": dict(pooling="aps", padding="circular", global_pool=True, max_iter=1,
                         conv_channels=(4, 8), hidden_layer_sizes=[16], random_state=2),
}


# the fitted models are shared by every test_io_*.py file: no test changes them (they save
# them or change deep copies), so they are fitted once
@pytest.fixture(scope="session")
def net1980():
    return Neocognitron.fukushima1980(random_state=0).fit(PATTERNS)


@pytest.fixture(scope="session")
def digits():
    return NeocognitronClassifier(**DIGITS).fit(X_TR, Y_TR)


@pytest.fixture(scope="session")
def cnns():
    return {name: ConvNetClassifier(**params).fit(X_TR, Y_TR) for name, params in CNNS.items()}


@pytest.fixture(params=list(CNNS))
def cnn(request, cnns):
    return cnns[request.param]


@pytest.fixture(params=["net1980", "digits"] + [f"cnn-{name}" for name in CNNS])
def model(request):
    if request.param.startswith("cnn-"):
        return request.getfixturevalue("cnns")[request.param[4:]]
    return request.getfixturevalue(request.param)


@pytest.fixture
def saved(digits, tmp_path):
    return io.save(digits, tmp_path / "m.npz")


def round_trip(model, tmp_path, name="model.npz"):
    return io.load(io.save(model, tmp_path / name))


def with_attrs(model, **params):
    """A deep copy of ``model`` with the attributes ``params`` set."""
    out = copy.deepcopy(model)
    for k, v in params.items():
        setattr(out, k, v)
    return out


def read(path):
    """The document, the arrays and the stored checksum of a model file."""
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    doc = json.loads(arrays.pop("__meta__").tobytes())
    return doc, arrays, arrays.pop("__sha256__")


def rewrite(path, doc, arrays, checksum=None):
    """Write a model file by hand; with ``checksum=None`` a valid checksum is computed."""
    meta = json.dumps(doc).encode()
    if checksum is None:
        checksum = np.frombuffer(io._checksum(meta, arrays).encode(), np.uint8)
    np.savez(path, __meta__=np.frombuffer(meta, np.uint8), __sha256__=checksum, **arrays)


def public_fitted(model):
    return {k for k in vars(model) if k.endswith("_") and not k.startswith("_")}


def assert_same(a, b, where="model"):
    """Deep equality that also demands equal types (a tuple is not a list) and dtypes."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, DataParallel):
        assert (a.n_shards, a.in_shape, a.dtype) == (b.n_shards, b.in_shape, b.dtype), where
        assert [(type(x), _spec(x)) for x in a.layers] == [(type(x), _spec(x)) for x in b.layers]
        assert_same(a.theta, b.theta, f"{where}.theta")
    elif isinstance(a, np.random.RandomState):
        assert_same(a.get_state(legacy=False), b.get_state(legacy=False), where)
    elif isinstance(a, np.random.Generator):
        assert_same(a.bit_generator.state, b.bit_generator.state, where)
    elif hasattr(a, "__dict__") and not isinstance(a, type):  # optimizers
        assert_same(vars(a), vars(b), where)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where
