"""Saved models (neocognitron.workflow.io): exact round trips of the three model classes, no state
left behind, faithful parameter types, and every way a file can be refused."""

import copy
import dataclasses
import json
import os
import re
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from neocognitron import ConvNetClassifier, Neocognitron, NeocognitronClassifier
from neocognitron.cnn.network import DataParallel, _spec
from neocognitron.datasets import fukushima1980_patterns, load_digits_images
from neocognitron.fukushima1980 import config as nc_config
from neocognitron.fukushima1980._state import STATE as STATE_1980
from neocognitron.workflow import _registry, io
from neocognitron.workflow._io_state import decode, encode

# tiny models saved by neocognitron.workflow.io as of main 81ededc (before the registry)
SAVED_BY_MAIN = Path(__file__).parent / "data" / "saved_models"

PATTERNS = fukushima1980_patterns()
_X, _Y = load_digits_images()
X_TR, Y_TR, X_TE = _X[:200], _Y[:200], _X[200:300]

# the tiny digit network of test_digits_estimator.py, on 10 classes, one supervised epoch
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
}


@pytest.fixture(scope="module")
def net1980():
    return Neocognitron.fukushima1980(random_state=0).fit(PATTERNS)


@pytest.fixture(scope="module")
def digits():
    return NeocognitronClassifier(**DIGITS).fit(X_TR, Y_TR)


@pytest.fixture(scope="module")
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


def round_trip(model, tmp_path, name="model.npz"):
    return io.load(io.save(model, tmp_path / name))


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


# ----------------------------------------------------------------------------- round trips


def test_1980_network_round_trip_is_exact(net1980, tmp_path):
    loaded = round_trip(net1980, tmp_path)
    before, after = net1980.forward(PATTERNS), loaded.forward(PATTERNS)
    assert list(before) == list(after)
    for name in before:
        assert_same(before[name], after[name], name)
    np.testing.assert_array_equal(loaded.winners(PATTERNS), net1980.winners(PATTERNS))
    assert loaded.get_params() == net1980.get_params()
    assert dataclasses.asdict(loaded.config) == dataclasses.asdict(net1980.config)


@pytest.mark.parametrize("readout", ["wta", "interpolating"])
def test_digit_neocognitron_round_trip_is_exact(digits, readout, tmp_path):
    model = copy.deepcopy(digits).set_params(readout=readout)
    loaded = round_trip(model, tmp_path)
    assert loaded.readout == readout
    assert_same(loaded.predict(X_TE), model.predict(X_TE))
    assert_same(loaded.transform(X_TE), model.transform(X_TE))
    before, after = model.forward(X_TE[:20]), loaded.forward(X_TE[:20])
    for name in before:
        assert_same(before[name], after[name], name)
    assert loaded.score(X_TE, _Y[200:300]) == model.score(X_TE, _Y[200:300])


def test_cnn_round_trip_is_exact(cnn, tmp_path):
    loaded = round_trip(cnn, tmp_path)
    assert_same(loaded.predict(X_TE), cnn.predict(X_TE))
    assert_same(loaded.predict_proba(X_TE), cnn.predict_proba(X_TE))
    assert_same(loaded.transform(X_TE), cnn.transform(X_TE))
    for w, v in zip(cnn.coefs_ + cnn.intercepts_, loaded.coefs_ + loaded.intercepts_,
                    strict=True):
        assert_same(w, v)


def test_cnn_training_continues_as_if_never_saved(cnn, tmp_path):
    # the optimizer's moments, the step count and the random stream all come back
    loaded = round_trip(cnn, tmp_path)
    original = copy.deepcopy(cnn)
    for m in (original, loaded):
        m.partial_fit(X_TR[:64], Y_TR[:64])
    assert_same(loaded.network_.theta, original.network_.theta)
    assert_same(loaded.optimizer_, original.optimizer_)
    assert loaded.loss_curve_ == original.loss_curve_ and loaded.t_ == original.t_


def test_every_attribute_is_saved_and_restored(model, tmp_path):
    # fails when a new fitted attribute does not round-trip: nothing is dropped silently
    path = io.save(model, tmp_path / "m.npz")
    doc, _, _ = read(path)
    assert set(doc["fitted"]) == public_fitted(model)
    assert set(doc["private"]) == {k for k in vars(model) if k.startswith("_")}
    loaded = io.load(path)
    assert set(vars(loaded)) == set(vars(model))
    for name in vars(model):
        assert_same(getattr(loaded, name), getattr(model, name), name)


def test_parameters_come_back_with_their_types(model, tmp_path):
    loaded = round_trip(model, tmp_path)
    params = model.get_params()
    assert loaded.get_params() == params
    for k, v in params.items():
        assert_same(loaded.get_params()[k], v, k)  # tuples stay tuples, lists stay lists
    assert clone(loaded).get_params() == params


def test_a_clone_of_a_loaded_model_refits_to_the_same_weights(net1980, tmp_path):
    refit = clone(round_trip(net1980, tmp_path)).fit(PATTERNS)
    for name in ("a_", "b_"):
        assert_same(getattr(refit, name), getattr(net1980, name), name)


def test_the_file_describes_the_model(model, tmp_path):
    doc, arrays, checksum = read(io.save(model, tmp_path / "m.npz"))
    assert doc["format"] == "neocognitron-model"
    assert doc["format_version"] == io.FORMAT_VERSION
    assert doc["package_version"] == __import__("neocognitron").__version__
    assert doc["class"] == type(model).__name__
    assert set(doc["params"]) == set(model.get_params())
    if hasattr(model, "classes_"):
        assert doc["classes"] == model.classes_.tolist()
    else:
        assert doc["config"]["$t"] == "dataclass"
    assert doc["arrays"] == {k: {"dtype": a.dtype.str, "shape": list(a.shape)}
                             for k, a in arrays.items()}
    assert all(a.dtype != object for a in arrays.values())
    assert len(checksum.tobytes()) == 64


def test_string_labels_round_trip(tmp_path):
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                      "nine"], dtype=object)
    y = names[Y_TR]
    model = ConvNetClassifier(padding="same", max_iter=1, random_state=0).fit(X_TR, y)
    assert model.classes_.dtype == object
    loaded = round_trip(model, tmp_path)
    assert_same(loaded.classes_, model.classes_)
    assert_same(loaded.predict(X_TE), model.predict(X_TE))


def test_random_state_instances_round_trip(tmp_path):
    model = Neocognitron.fukushima1980(random_state=np.random.RandomState(3)).fit(PATTERNS)
    loaded = round_trip(model, tmp_path)
    assert_same(loaded.random_state, model.random_state)
    assert_same(loaded.a_, model.a_)


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, "s", [1, (2, 3.0)], (), {"a": (1,), "b/c": [None]},
    float("nan"), float("inf"), -float("inf"), 10**30,
    np.float32(1.5), np.int64(-4), np.uint8(7), np.bool_(True), np.str_("x"),
    np.float64("nan"), np.arange(6, dtype=">i4").reshape(2, 3), np.zeros((0, 3)),
    np.array(["a", "bc"], dtype=object), np.array(2.5),
    np.random.default_rng(0), np.random.Generator(np.random.MT19937(1)),
    np.random.RandomState(2), np.random.RandomState(np.random.PCG64(5)),
    nc_config.fukushima1980(),
], ids=lambda v: type(v).__name__)
def test_values_keep_their_types(value):
    arrays = {}
    node = encode(value, ("v",), arrays, STATE_1980)  # the 1980 config's dataclasses
    node = json.loads(json.dumps(node, allow_nan=False))
    used = set()
    assert_same(decode(node, arrays, used, types=STATE_1980), value)
    assert used == set(arrays)


# ----------------------------------------------------------------------------- refused saves


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
            io.save(_with(model, **change), tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


def _with(model, **params):
    out = copy.deepcopy(model)
    for k, v in params.items():
        setattr(out, k, v)
    return out


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


# ----------------------------------------------------------------------------- refused loads


@pytest.fixture
def saved(digits, tmp_path):
    return io.save(digits, tmp_path / "m.npz")


def test_a_newer_format_is_refused(net1980, tmp_path, monkeypatch):
    monkeypatch.setattr(io, "FORMAT_VERSION", io.FORMAT_VERSION + 1)
    path = io.save(net1980, tmp_path / "m.npz")
    monkeypatch.undo()
    with pytest.raises(ValueError, match=f"format version {io.FORMAT_VERSION + 1}, newer"):
        io.load(path)


@pytest.mark.parametrize("drop, match", [
    ("fitted/top_X_", r"missing array\(s\) \['fitted/top_X_'\]"),
    ("fitted/stages_/1/X", r"missing array\(s\) \['fitted/stages_/1/X'\]"),
    ("__sha256__", "no checksum"),
    ("__meta__", "not a saved model"),
])
def test_a_missing_array_is_refused(saved, drop, match):
    with np.load(saved) as npz:
        kept = {k: npz[k] for k in npz.files if k != drop}
    np.savez(saved, **kept)
    with pytest.raises(ValueError, match=match):
        io.load(saved)


def _bomb(path, how, inflated=64 << 20):
    """Make ``fitted/top_X_`` of the model file at ``path`` inflate to ``inflated`` bytes
    more than the description declares, a few hundred kB on disk: its ``.npy`` header
    claims them (``"header"``), or they follow the array as saved (``"trailing"``)."""
    name = "fitted/top_X_.npy"
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for member, data in members.items():
            if member != name:
                z.writestr(member, data)
        with z.open(name, "w", force_zip64=True) as w:
            if how == "header":
                np.lib.format.write_array_header_1_0(
                    w, {"descr": "<f8", "fortran_order": False, "shape": (inflated // 8,)})
            else:
                w.write(members[name])
            zeros = bytes(1 << 20)
            for _ in range(inflated >> 20):
                w.write(zeros)


@pytest.mark.parametrize("how", ["header", "trailing"])
def test_a_member_inflating_beyond_its_declared_size_is_refused_before_inflating(saved, how):
    _bomb(saved, how)
    assert saved.stat().st_size < 1 << 20
    _assert_refused_cheaply(saved, r"array 'fitted/top_X_' refused: the zip says it inflates "
                                   r"to \d+ bytes, more than the \d+ bytes")


def _assert_refused_cheaply(path, match, limit=4 << 20):
    """``io.load(path)`` raises a ValueError matching ``match`` having allocated less than
    ``limit`` bytes at its peak."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            io.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit, f"{peak / 2**20:.0f} MiB allocated to refuse {path.name}"


def _consistent_lie(path, nbytes=20 * 10**9):
    """Make ``fitted/top_X_`` of the model file at ``path`` claim ``nbytes`` of float64
    everywhere a size is written, as 20 GB of zeros deflated to 20 MB would: in the model
    description, its ``.npy`` header and the zip's directory. Only its first MiB is stored
    (nothing may read further before refusing it), so the file stays small."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    doc, _, _ = read(path)
    doc["arrays"]["fitted/top_X_"] = {"dtype": "<f8", "shape": [nbytes // 8]}
    meta = BytesIO()
    np.lib.format.write_array(meta, np.frombuffer(json.dumps(doc).encode(), np.uint8))
    members["__meta__.npy"] = meta.getvalue()
    header = BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (nbytes // 8,)})
    members["fitted/top_X_.npy"] = header.getvalue() + bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        # the directory, written as the archive closes, records this size (in zip64 fields)
        z.getinfo("fitted/top_X_.npy").file_size = len(header.getvalue()) + nbytes


def test_arrays_declaring_more_than_max_bytes_are_refused_before_any_is_read(saved):
    _consistent_lie(saved)
    assert saved.stat().st_size < 1 << 20
    with zipfile.ZipFile(saved) as z:  # every size agrees: only the total gives it away
        assert z.getinfo("fitted/top_X_.npy").file_size > 20 * 10**9
    _assert_refused_cheaply(saved, r"its arrays take 200\d{8} bytes \(18\.6 GiB\) by its "
                                   r"model description, more than max_bytes="
                                   rf"{io.MAX_BYTES}; .* io\.load\(path, max_bytes=None\) "
                                   r"or a larger max_bytes")


def test_max_bytes_bounds_the_total_of_a_legitimate_file(digits, saved):
    with np.load(saved) as npz:
        total = sum(npz[k].nbytes for k in npz.files if not k.startswith("__"))
    assert 4096 < total < io.MAX_BYTES
    for max_bytes in (None, total, total + 1):
        assert_same(io.load(saved, max_bytes=max_bytes), digits)
    with pytest.raises(ValueError, match=rf"its arrays take {total} bytes \([\d.]+ GiB\) by its "
                                         rf"model description, more than max_bytes={total - 1}"):
        io.load(saved, max_bytes=total - 1)


@pytest.mark.parametrize("max_bytes, error", [
    (-1, ValueError), (1.5, TypeError), ("1", TypeError), (True, TypeError)])
def test_max_bytes_must_be_a_size(saved, max_bytes, error):
    with pytest.raises(error, match="max_bytes must be"):
        io.load(saved, max_bytes=max_bytes)


@pytest.mark.parametrize("lie", ["dtype", "shape", "huge", "zip size"])
def test_sizes_that_disagree_with_the_description_are_refused(saved, lie):
    doc, arrays, checksum = read(saved)
    entry = doc["arrays"]["fitted/top_X_"]
    if lie == "dtype":  # same size in bytes, other numbers
        arrays["fitted/top_X_"] = arrays["fitted/top_X_"].view(np.int32 if entry["dtype"]
                                                               == "<f4" else np.int64)
        match = r"it holds <i\d \(\d+, \d+\), the model description declares <f"
    elif lie == "shape":
        entry["shape"] = entry["shape"][::-1]
        match = r"it holds <f\d \(\d+, \d+\), the model description declares"
    elif lie == "huge":  # refused before allocating 4 EB
        entry["shape"] = [10**9, 10**9]
        match = r"it holds <f\d \(\d+, \d+\), the model description declares <f\d " \
                r"\(1000000000, 1000000000\)"
    else:  # more than a header's worth of bytes less than the member holds
        entry["shape"] = [1, 1]
        match = r"the zip says it inflates to \d+ bytes, more than the [48] bytes its data"
    rewrite(saved, doc, arrays, checksum)
    with pytest.raises(ValueError, match=r"array 'fitted/top_X_' refused: " + match):
        # no bound on the total: each member is still refused before it is inflated
        io.load(saved, max_bytes=None)


def test_an_extra_array_is_refused(saved):
    doc, arrays, checksum = read(saved)
    rewrite(saved, doc, dict(arrays, smuggled=np.zeros(2)), checksum)
    with pytest.raises(ValueError, match=r"unexpected array\(s\) \['smuggled'\]"):
        io.load(saved)


@pytest.mark.parametrize("edit", ["param", "version", "array"])
def test_edits_fail_the_checksum(saved, edit):
    doc, arrays, checksum = read(saved)
    if edit == "param":
        doc["params"]["top_threshold"] = 0.4
    elif edit == "version":
        doc["package_version"] = "0.0.1"
    else:
        arrays["fitted/top_X_"] = arrays["fitted/top_X_"].copy()
        arrays["fitted/top_X_"][0, 0] += 1
    rewrite(saved, doc, arrays, checksum)
    with pytest.raises(ValueError, match="checksum mismatch, the file was modified"):
        io.load(saved)


@pytest.mark.parametrize("where", [0.0, 0.5, 0.999])
def test_a_flipped_byte_is_refused(saved, where):
    with zipfile.ZipFile(saved) as z:
        info = max((i for i in z.infolist() if not i.filename.startswith("__")),
                   key=lambda i: i.compress_size)
    raw = bytearray(saved.read_bytes())
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:
                                                   info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    raw[start + int(where * info.compress_size)] ^= 0x10
    saved.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="damaged"):
        io.load(saved)


def _set(*keys, value):
    def edit(doc, arrays):
        node = doc
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return edit


def _pop(*keys):
    def edit(doc, arrays):
        node = doc
        for k in keys[:-1]:
            node = node[k]
        del node[keys[-1]]
    return edit


def _fewer_planes(doc, arrays):
    key = "fitted/stages_/1/X"
    arrays[key] = arrays[key][:-1]
    doc["arrays"][key]["shape"][0] -= 1


@pytest.mark.parametrize("edit, match", [
    (_set("class", value="Foo"), "unknown model class 'Foo'"),
    (_set("class", value="ConvNetClassifier"), "are not parameters of ConvNetClassifier"),
    (_set("params", "bogus", value=1), r"\['bogus'\] are not parameters of NeocognitronClassifier"),
    (_set("fitted", "bogus", value=1), "'bogus' is not a valid fitted attribute name"),
    (_set("private", "__class__", value=1), "'__class__' is not a valid private attribute"),
    (_set("fitted", "n_planes_", value={"$t": "tuple", "v": [4, 5, 1]}),
     r"inconsistent model: n_planes_ \(4, 5, 1\) !="),
    (_set("fitted", "n_planes_", value={"$t": "exec", "v": "rm -rf"}), "unknown tag 'exec'"),
    (_set("fitted", "stages_", 0, "class", value="os.system"), "unknown dataclass 'os.system'"),
    # a class another model registered cannot be built from this model's file
    (_set("fitted", "stages_", 0, "class", value="config.Stage"),
     "unknown dataclass 'config.Stage'"),
    (_set("fitted", "stages_", 0, "v", "colour", value=1), r"\['colour'\] are not fields"),
    (_set("classes", value=[0, 1]), "'classes' differs from classes_"),
    (_set("format_version", value="1"), "invalid format_version '1'"),
    (_set("format", value="other"), "unreadable model description"),
    (_pop("fitted", "a_g_"), r"array\(s\) \['fitted/a_g_'\] belong to nothing"),
    (_pop("fitted", "top_labels_"), "inconsistent model description"),
    (_fewer_planes, r"inconsistent model: stages_\[1\] has|n_planes_"),
    # nested deeper than decoding can recurse (JSON itself reads it): no RecursionError
    (_set("params", "max_planes", value=json.loads("[" * 900 + "]" * 900)),
     r"inconsistent model description \(RecursionError: maximum recursion depth"),
])
def test_inconsistent_descriptions_are_refused(saved, edit, match):
    # with a valid checksum, as if written by someone else: the content checks still hold
    doc, arrays, _ = read(saved)
    edit(doc, arrays)
    rewrite(saved, doc, arrays)
    with pytest.raises(ValueError, match=match):
        io.load(saved)


def test_a_file_from_before_top_exponent_loads_with_the_paper_exponent(saved):
    # files saved before top_exponent existed were trained on u_C itself: exponent 1, not
    # today's default
    doc, arrays, _ = read(saved)
    del doc["params"]["top_exponent"]
    rewrite(saved, doc, arrays)
    assert io.load(saved).top_exponent == 1.0


def test_a_missing_parameter_is_refused(saved):
    doc, arrays, _ = read(saved)
    del doc["params"]["q"]
    rewrite(saved, doc, arrays)
    with pytest.raises(ValueError, match=r"parameter\(s\) \['q'\] of NeocognitronClassifier "
                                         "are missing"):
        io.load(saved)


def test_1980_shapes_must_match_the_config(net1980, tmp_path):
    path = io.save(net1980, tmp_path / "m.npz")
    doc, arrays, _ = read(path)
    for config in (doc["params"]["config"], doc["config"]):  # both, so they agree
        config["v"]["stages"]["v"][2]["v"]["s"]["v"]["planes"] = 23
    rewrite(path, doc, arrays)
    with pytest.raises(ValueError, match=r"inconsistent model: a_\[2\] has shape \(24, 24, 5, 5\)"
                                         r", the config needs \(23, 24, 5, 5\)"):
        io.load(path)
    # a config that fails its own checks is refused by the config itself
    doc["params"]["config"]["v"]["alpha"] = -1.0
    rewrite(path, doc, arrays)
    with pytest.raises(ValueError, match="alpha"):
        io.load(path)


def test_a_changed_preset_loads_the_config_trained_with(net1980, tmp_path, monkeypatch):
    model = _with(net1980, config=None)  # config=None means the preset, as fitted
    path = io.save(model, tmp_path / "m.npz")
    assert io.load(path).config is None
    preset = nc_config.fukushima1980
    monkeypatch.setattr(nc_config, "fukushima1980",
                        lambda: dataclasses.replace(preset(), alpha=0.25))
    with pytest.warns(UserWarning, match="preset has changed since") as record:
        loaded = io.load(path)
    assert record[0].filename == __file__  # points at the caller of load
    assert loaded.config == preset()
    assert_same(loaded.transform(PATTERNS), net1980.transform(PATTERNS))


@pytest.mark.parametrize("content, match", [
    (b"", "not a valid .npz file"),
    (b"hello, I am a text file\n", "not a valid .npz file"),
    (b"PK\x03\x04" + bytes(200), "not a valid .npz file"),
    ("npy", "single .npy array"),
    ("plain-npz", "not a saved model"),
    ("bad-json", "unreadable model description"),
    ("deep-json", r"unreadable model description \(maximum recursion depth exceeded"),
])
def test_files_that_are_not_models_are_refused(content, match, tmp_path):
    path = tmp_path / "m.npz"
    if content == "npy":
        with open(path, "wb") as fh:
            np.save(fh, np.arange(3))
    elif content == "plain-npz":
        np.savez(path, a=np.arange(3))
    elif content in ("bad-json", "deep-json"):
        meta = b"\xff{" if content == "bad-json" else b"[" * 100_000
        np.savez(path, __meta__=np.frombuffer(meta, np.uint8), __sha256__=np.zeros(64))
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        io.load(path)


def test_a_missing_file_is_a_file_not_found_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        io.load(tmp_path / "nothing.npz")


# ----------------------------------------------------------------------------- the file format


def _members(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


@pytest.mark.parametrize("path", sorted(SAVED_BY_MAIN.glob("*.npz")), ids=lambda p: p.stem)
def test_files_saved_before_the_registry_load_and_save_unchanged(path, tmp_path, monkeypatch):
    # the format did not move: every member (the JSON, each array, the checksum) comes back
    # byte for byte when the loaded model is saved again
    doc, _, _ = read(path)
    model = io.load(path)
    assert type(model).__name__ == path.stem.split("-")[0] == doc["class"]
    monkeypatch.setattr(io, "__version__", doc["package_version"])
    again = io.save(model, tmp_path / path.name)
    assert [name for name, _ in _members(again)] == [name for name, _ in _members(path)]
    assert _members(again) == _members(path)


# ----------------------------------------------------------------------------- the registry


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
        io.save(_with(model, size=5), tmp_path / "bad.npz")
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
    monkeypatch.setattr(_registry, "_STATES", dict(_registry._STATES))
    io.load(SAVED_BY_MAIN / "ConvNetClassifier-adam.npz")  # registers ConvNetClassifier
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
