"""Sweep grids (neocognitron.workflow.sweep): stable point keys, the example grids, and bad
grids and grid files rejected by name."""


import numpy as np
import pytest
from mnist_home import ROOT
from sweep_cases import LR

from neocognitron.workflow.sweep import load_grid, parse_grid, point_key


def test_point_keys_are_stable():
    # the key names files on disk: changing it would orphan every existing sweep folder
    assert point_key({"C": 1.0}, 0) == point_key({"C": 1.0}, np.int64(0))
    assert point_key({"a": 1, "b": [2, 3]}, 7) == point_key({"b": [2, 3], "a": 1}, 7)
    assert point_key({"C": 1.0}, 0) != point_key({"C": 1.0}, 1)
    assert point_key({"C": 1.0}, 0) == "f213335db9f42b6f"
    # overlapping grids: a point listed twice is still one point
    spec = parse_grid({"target": {"estimator": LR}, "data": {"name": "digits"},
                       "grid": [{"C": [1.0]}, {"C": [1.0, 2.0]}], "seeds": [3, 4]})
    assert [(p.params, p.seed) for p in spec.points()] == [
        ({"C": 1.0}, 3), ({"C": 1.0}, 4), ({"C": 2.0}, 3), ({"C": 2.0}, 4)]


def test_example_grids_are_valid():
    for path in sorted((ROOT / "experiments" / "sweeps").glob("*")):
        spec = load_grid(path)
        assert len(spec.points()) >= 4, path.name


@pytest.mark.parametrize("raw, match", [
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "seed": [0]},
     "unknown key 'seed'"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "grid": {"Cee": [1.0]}},
     "'Cee' is not a parameter"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "grid": {"C": 1.0}},
     "'C' must be a non-empty list"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "grid": {"random_state": [1]}},
     "'random_state' is set by the sweep"),
    ({"target": {"estimator": LR, "params": {"tol": 1e-3}}, "data": {"name": "digits"},
      "grid": {"tol": [1e-4]}}, "'tol' is also fixed"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "seeds": [0, "1"]}, "seeds"),
    ({"target": {"estimator": LR}, "data": {"name": "digits"}, "metrics": ["test_acc"]},
     "unknown metric 'test_acc'"),
    ({"target": {"estimator": LR}, "data": {"name": "cifar"}}, r"\[data\] name"),
    ({"target": {"estimator": LR}, "data": {"name": "digits", "home": "x"}},
     "unknown key 'home'"),
    ({"target": {"estimator": LR}}, r"\[data\] is required"),
    ({"target": {"estimator": LR, "script": "x"}}, "exactly one"),
    ({"grid": {"C": [1.0]}}, r"no \[target\]"),
    ({"target": {"estimator": "sklearn.linear_model.NoSuchModel"}, "data": {"name": "digits"}},
     "unknown target estimator"),
    ({"target": {"estimator": "no_such_package.Model"}, "data": {"name": "digits"}},
     "unknown target estimator"),
    ({"target": {"estimator": "json.dumps"}, "data": {"name": "digits"}},
     "unknown target estimator"),
    ({"target": {"script": "no_such_experiment"}}, "unknown target 'no_such_experiment'"),
    ({"target": {"script": "fukushima1980", "params": {"seed": 3}}}, "'seed' is set by"),
])
def test_bad_grid_is_rejected_by_name(raw, match):
    with pytest.raises(ValueError, match=match):
        parse_grid(raw, base=ROOT / "experiments" / "sweeps")


def test_bad_grid_files(tmp_path):
    (tmp_path / "g.toml").write_text("seeds = [0,\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_grid(tmp_path / "g.toml")
    (tmp_path / "g.yaml").write_text("seeds: [0]\n")
    with pytest.raises(ValueError, match=".toml or .json"):
        load_grid(tmp_path / "g.yaml")
