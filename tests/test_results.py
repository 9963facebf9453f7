"""Atomic writing of experiment outputs."""

import json
import os

from neocognitron.results import write_json


def test_write_json_leaves_no_temporary_and_uses_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_json({"a": 1}, tmp_path / "r.json")
    finally:
        os.umask(old)
    assert json.loads(path.read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    assert path.stat().st_mode & 0o777 == 0o644
