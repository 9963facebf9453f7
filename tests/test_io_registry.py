"""The registry of neocognitron.workflow.io: io imports no model, each model describes its
own state, a model from outside registers and round-trips, and bad registrations and
class names are refused."""

import dataclasses
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from io_models import SAVED_BY_MAIN, assert_same, read, rewrite, with_attrs
from sklearn.base import BaseEstimator

from neocognitron.workflow import _registry, io

pytest_plugins = ["io_models"]  # the fitted models and the saved file (fixtures)


def _modules_after(statement):
    """The neocognitron modules a fresh process has imported after ``statement``."""
    code = (f"{statement}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules "
            "if m.startswith('neocognitron'))))")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_io_imports_no_model():
    loaded = _modules_after("import neocognitron.workflow.io")
    assert "neocognitron.workflow.io" in loaded
    models = ("neocognitron.cnn", "neocognitron.digits", "neocognitron.fukushima1980")
    assert [m for m in loaded if m.startswith(models)] == []
    # loading a file imports its model's package, not the others
    path = SAVED_BY_MAIN / "NeocognitronClassifier.npz"
    loaded = _modules_after(f"from neocognitron.workflow import io\nio.load({str(path)!r})")
    assert "neocognitron.digits._state" in loaded
    assert not [m for m in loaded if m.startswith(("neocognitron.cnn",
                                                   "neocognitron.fukushima1980.network"))]


@pytest.mark.parametrize("name", ["Foo", "os.system", "neocognitron.cnn._state", "_Sub",
                                  "__class__", "network_", "", ["ConvNetClassifier"], None])
def test_unknown_class_names_are_refused(saved, name):
    doc, arrays, _ = read(saved)
    doc["class"] = name
    rewrite(saved, doc, arrays)
    with pytest.raises(ValueError, match=re.escape(
            f"unknown model class {name!r} (expected one of Neocognitron, "
            "NeocognitronClassifier, ConvNetClassifier)")):
        io.load(saved)


@dataclasses.dataclass
class _Box:
    """A dataclass in the test model's state."""
    weights: np.ndarray
    label: str


class _Span:
    """A type the test model writes with a codec of its own."""

    def __init__(self, start, stop):
        self.start, self.stop = start, stop


class _Tally(BaseEstimator):
    """A model that is none of the package's: it registers its own state description."""

    def __init__(self, size=3, shift=0):
        self.size = size
        self.shift = shift

    def fit(self, X=None):
        self.boxes_ = [_Box(np.arange(self.size, dtype=np.float32) + self.shift, "w")]
        self.span_ = _Span(0, self.size)
        self._seen = 1
        return self


def _tally_check(model):
    io.expect(model.boxes_[0].weights.shape == (model.size,),
              f"boxes_[0] has {len(model.boxes_[0].weights)} weights, size is {model.size}")


TALLY = io.ModelState(
    check=_tally_check,
    dataclasses={"tally.Box": _Box},
    codecs={"Span": io.Codec(_Span, lambda s, encode: {"bounds": encode((s.start, s.stop))},
                             lambda node, decode: _Span(*decode(node["bounds"])))},
    extras={"note": io.Extra(get=lambda m: m.size * 10, restore=lambda m, v: setattr(
        m, "restored_note_", v))},
    added_params={"shift": 0},
)


@pytest.fixture
def tally_registered(monkeypatch):
    # the registry as it was before the test, afterwards
    monkeypatch.setattr(_registry, "_STATES", dict(_registry._STATES))
    io.register(_Tally, TALLY)


def test_a_model_registered_from_outside_round_trips(tally_registered, tmp_path):
    model = _Tally(size=4, shift=2).fit()
    path = io.save(model, tmp_path / "tally.npz")
    doc, arrays, _ = read(path)
    assert doc["class"] == "_Tally" and doc["note"] == 40
    assert doc["fitted"]["span_"] == {"$t": "Span", "bounds": {"$t": "tuple", "v": [0, 4]}}
    assert list(arrays) == ["fitted/boxes_/0/weights"]
    loaded = io.load(path)
    assert type(loaded) is _Tally and loaded.get_params() == {"size": 4, "shift": 2}
    assert_same(loaded.boxes_, model.boxes_)
    assert (loaded.span_.start, loaded.span_.stop, loaded._seen) == (0, 4, 1)
    assert loaded.restored_note_ == 40
    # a file from before `shift` existed gets the value of its added_params
    del doc["params"]["shift"]
    rewrite(path, doc, arrays)
    assert io.load(path).shift == 0
    # its own check refuses an inconsistent model, on save and on load
    with pytest.raises(ValueError, match="inconsistent model: boxes_.0. has 4 weights, size is 5"):
        io.save(with_attrs(model, size=5), tmp_path / "bad.npz")
    doc["params"]["size"] = 5
    rewrite(path, doc, arrays)
    with pytest.raises(ValueError, match="inconsistent model: boxes_.0. has 4 weights"):
        io.load(path)


def test_an_unregistered_model_is_refused(tmp_path):
    with pytest.raises(TypeError, match="cannot save a .*_Tally: .* saves only Neocognitron, "
                                        "NeocognitronClassifier, ConvNetClassifier"):
        io.save(_Tally().fit(), tmp_path / "tally.npz")
    assert not os.listdir(tmp_path)


def test_a_registered_model_cannot_read_another_models_types(tally_registered, tmp_path):
    path = io.save(_Tally().fit(), tmp_path / "tally.npz")
    doc, arrays, _ = read(path)
    doc["fitted"]["boxes_"][0]["class"] = "digits.Stage"
    rewrite(path, doc, arrays)
    with pytest.raises(ValueError, match="unknown dataclass 'digits.Stage'"):
        io.load(path)


def test_a_codec_cannot_write_another_tag(tally_registered, tmp_path):
    codec = io.Codec(_Span, lambda s, encode: {"$t": "array", "key": "x"},
                     TALLY.codecs["Span"].decode)
    io.register(_Tally, dataclasses.replace(TALLY, codecs={"Span": codec}))
    with pytest.raises(TypeError, match=r"fitted/span_: the Span codec must return a dict of "
                                        r"fields without '\$t'"):
        io.save(_Tally().fit(), tmp_path / "tally.npz")


@pytest.mark.parametrize("cls, state, error, match", [
    ("_Tally", TALLY, TypeError, "cls must be a class"),
    (_Tally, {"check": _tally_check}, TypeError, "state must be a ModelState"),
    (type("ConvNetClassifier", (), {}), TALLY, ValueError,
     "a class named 'ConvNetClassifier' is registered already"),
])
def test_register_refuses_bad_arguments(cls, state, error, match, monkeypatch):
    # registers ConvNetClassifier in the registry itself, before the copy the test may change
    # (registered in the copy, it would be gone for the next case, its module imported already)
    io.load(SAVED_BY_MAIN / "ConvNetClassifier-adam.npz")
    monkeypatch.setattr(_registry, "_STATES", dict(_registry._STATES))
    with pytest.raises(error, match=match):
        io.register(cls, state)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(check=None), TypeError, "check must be callable"),
    (dict(dataclasses={"x": _Span}), TypeError, r"dataclasses\['x'\] is not a dataclass"),
    (dict(objects={1: _Span}), TypeError, "objects must map str names"),
    (dict(codecs={"x": _Span}), TypeError, r"codecs\['x'\] must be a Codec"),
    (dict(codecs={"array": TALLY.codecs["Span"]}), ValueError, "codecs may not use the names"),
    (dict(extras={"params": TALLY.extras["note"]}), ValueError, "extras may not use the names"),
])
def test_a_model_state_refuses_bad_tables(kwargs, error, match):
    with pytest.raises(error, match=match):
        io.ModelState(**{"check": _tally_check, **kwargs})


@pytest.mark.parametrize("module, match", [
    ("os", "'os' is not a module of neocognitron"),
    ("neocognitron._version", "neocognitron._version does not register Foo"),
])
def test_the_table_of_modules_is_held_to_the_package(saved, module, match, monkeypatch):
    monkeypatch.setattr(_registry, "MODULES", {**_registry.MODULES, "Foo": module})
    doc, arrays, _ = read(saved)
    doc["class"] = "Foo"
    rewrite(saved, doc, arrays)
    with pytest.raises(ImportError, match=match):
        io.load(saved)
