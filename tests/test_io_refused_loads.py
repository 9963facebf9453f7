"""Files that neocognitron.workflow.io refuses to load: a newer format, missing arrays,
descriptions that contradict themselves or the model, files that are no saved model; and
the older files it still loads."""

import dataclasses
import json

import numpy as np
import pytest
from io_models import PATTERNS, assert_same, read, rewrite, with_attrs

from neocognitron.fukushima1980 import config as nc_config
from neocognitron.workflow import io

pytest_plugins = ["io_models"]  # the fitted models and the saved file (fixtures)


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
    model = with_attrs(net1980, config=None)  # config=None means the preset, as fitted
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
