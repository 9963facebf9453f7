"""Resumable records of a long study (``workflow.records``): written whole or not at all,
read back by key, summed up over seeds."""

import json

import numpy as np
import pytest

from neocognitron.workflow import records


def test_a_record_round_trips_with_its_arrays(tmp_path):
    rec = records.write_record(tmp_path, "A/deep-n3000-seed0", {"seed": 0, "metrics": {
        "error": np.float64(0.25)}}, arrays={"w": np.arange(3)})
    assert rec == {"seed": 0, "metrics": {"error": 0.25}, "key": "A/deep-n3000-seed0"}
    assert (tmp_path / "records" / "A" / "deep-n3000-seed0.json").is_file()
    assert records.read_records(tmp_path) == {"A/deep-n3000-seed0": rec}
    arrays = records.read_record_arrays(tmp_path, "A/deep-n3000-seed0")
    np.testing.assert_array_equal(arrays["w"], [0, 1, 2])
    records.write_record(tmp_path, "B/x", {"seed": 1})
    assert list(records.read_records(tmp_path)) == ["A/deep-n3000-seed0", "B/x"]
    assert records.read_record_arrays(tmp_path, "B/x") == {}


def test_an_empty_folder_has_no_record(tmp_path):
    assert records.read_records(tmp_path) == {}
    assert records.read_records(tmp_path / "missing") == {}


def test_arrays_without_their_json_are_no_record(tmp_path, monkeypatch):
    """Killed between the arrays and the JSON: the record is not there, and a half-written
    JSON (a temporary file) is not read."""
    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(records, "write_json", killed)
    with pytest.raises(KeyboardInterrupt):
        records.write_record(tmp_path, "A/r", {"seed": 0}, arrays={"w": np.ones(2)})
    assert (tmp_path / "records" / "A" / "r.npz").is_file()
    (tmp_path / "records" / "A" / ".r.json.x1.tmp").write_text("{")
    assert records.read_records(tmp_path) == {}


@pytest.mark.parametrize("key", ["", "/a", "a/", "a//b", "a/../b", "..", "a b", "a\\b", 3])
def test_bad_keys_are_refused(tmp_path, key):
    with pytest.raises(ValueError, match="a record key is names"):
        records.write_record(tmp_path, key, {})


def test_a_moved_or_broken_record_is_refused(tmp_path):
    records.write_record(tmp_path, "A/one", {"seed": 0})
    (tmp_path / "records" / "A" / "one.json").rename(tmp_path / "records" / "A" / "two.json")
    with pytest.raises(ValueError, match="is not the record of 'A/two'.*'A/one'"):
        records.read_records(tmp_path)
    (tmp_path / "records" / "A" / "two.json").write_text("[1, 2")
    with pytest.raises(ValueError, match="is no JSON record"):
        records.read_records(tmp_path)
    (tmp_path / "records" / "A" / "two.json").write_text(json.dumps([1]))
    with pytest.raises(ValueError, match="is not the record of 'A/two'"):
        records.read_records(tmp_path)


def test_over_seeds_by_hand():
    recs = [{"row": "a", "n": 1, "seed": 2, "metrics": {"e": 0.3, "t": 10}},
            {"row": "b", "n": 1, "seed": 0, "metrics": {"e": 0.5, "t": 1}},
            {"row": "a", "n": 1, "seed": 0, "metrics": {"e": 0.1, "t": 20}},
            {"row": "a", "n": 1, "seed": 1, "metrics": {"e": 0.2, "t": 30}}]
    a, b = records.over_seeds(recs, by=("row", "n"))
    assert (a["row"], a["n"], a["seeds"]) == ("a", 1, [0, 1, 2])
    assert a["metrics"]["e"] == pytest.approx({"mean": 0.2, "std": 0.1, "min": 0.1,
                                               "max": 0.3})
    assert a["metrics"]["t"] == pytest.approx({"mean": 20, "std": 10, "min": 10, "max": 30})
    assert b == {"row": "b", "n": 1, "seeds": [0], "metrics": {
        "e": {"mean": 0.5, "std": 0.0, "min": 0.5, "max": 0.5},
        "t": {"mean": 1.0, "std": 0.0, "min": 1.0, "max": 1.0}}}


def test_over_seeds_refuses_a_missing_metric():
    recs = [{"row": "a", "seed": 0, "metrics": {"e": 0.1}},
            {"row": "a", "seed": 1, "metrics": {}}]
    with pytest.raises(ValueError, match="metric 'e' is missing or not a number in a record "
                                         "of {'row': 'a'}"):
        records.over_seeds(recs, by=("row",))
