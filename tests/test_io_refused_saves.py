"""Saves that neocognitron.workflow.io refuses (unfitted models, other types, state it cannot
write, an architecture changed after fit), and saves that fail: no file is left half
written."""

import copy
import dataclasses
import os
import zipfile

import numpy as np
import pytest
from io_models import assert_same, with_attrs
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from neocognitron import ConvNetClassifier, Neocognitron, NeocognitronClassifier
from neocognitron.fukushima1980 import config as nc_config
from neocognitron.workflow import io

pytest_plugins = ["io_models"]  # the fitted models and the saved file (fixtures)


@pytest.mark.parametrize("cls", [Neocognitron, NeocognitronClassifier, ConvNetClassifier])
def test_unfitted_model_is_refused(cls, tmp_path):
    with pytest.raises(NotFittedError, match=f"unfitted {cls.__name__}"):
        io.save(cls(), tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


class _Sub(ConvNetClassifier):
    pass


@pytest.mark.parametrize("obj", [object(), LogisticRegression().fit([[0], [1]], [0, 1]),
                                 _Sub(), np.zeros(3)], ids=["object", "sklearn", "subclass",
                                                            "array"])
def test_other_types_are_refused(obj, tmp_path):
    with pytest.raises(TypeError, match="saves only Neocognitron, NeocognitronClassifier"):
        io.save(obj, tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("name, value, match", [
    ("extra_", lambda: 0, "cannot save fitted/extra_: values of type builtins.function"),
    ("hidden_", [np.array([object()])], "fitted/hidden_/0: an array of Python objects"),
    ("_cache", {1: 2}, "cannot save private/_cache: a dict with keys other than str"),
    ("foo", 1, r"attributes \['foo'\] are neither parameters nor fitted"),
])
def test_state_that_cannot_be_saved_is_refused_not_dropped(net1980, name, value, match,
                                                            tmp_path):
    path = io.save(net1980, tmp_path / "m.npz")
    before = path.read_bytes()
    model = copy.deepcopy(net1980)
    setattr(model, name, value)
    with pytest.raises(TypeError, match=match):
        io.save(model, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.npz"]


def test_architecture_changed_after_fit_is_refused(net1980, digits, cnn, tmp_path):
    small = nc_config.fukushima1980()
    small = dataclasses.replace(small, stages=small.stages[:2])
    for model, change, match in (
        (net1980, dict(config=small), "a_ must be a list of 2 arrays"),
        (digits, dict(max_planes=(6, 6)), "stages_ must list 3 stages"),
        (cnn, dict(conv_channels=(3,)), "network_'s layers are not those its parameters"),
    ):
        with pytest.raises(ValueError, match=f"inconsistent model: {match}"):
            io.save(with_attrs(model, **change), tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


# ----------------------------------------------------------------------------- atomic writes


class _DiskFull(OSError):
    pass


def _failing_write(fh, payload):
    fh.write(b"PK\x03\x04 half an archive")
    raise _DiskFull("no space left on device")


def test_a_failed_save_leaves_no_trace(net1980, digits, tmp_path, monkeypatch):
    path = io.save(net1980, tmp_path / "m.npz")
    before = path.read_bytes()
    monkeypatch.setattr(io, "_write_npz", _failing_write)
    with pytest.raises(_DiskFull):
        io.save(digits, path)  # over an existing file
    with pytest.raises(_DiskFull):
        io.save(digits, tmp_path / "new.npz")
    assert os.listdir(tmp_path) == ["m.npz"]
    assert path.read_bytes() == before
    monkeypatch.undo()
    assert_same(io.load(path).a_, net1980.a_)


def test_save_writes_the_path_given(net1980, tmp_path):
    path = io.save(net1980, str(tmp_path / "sub" / "net.model"))
    assert path == tmp_path / "sub" / "net.model" and os.listdir(path.parent) == ["net.model"]
    assert zipfile.is_zipfile(path)
    assert_same(io.load(path).b_, net1980.b_)
