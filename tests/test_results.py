"""Atomic writing of experiment outputs."""

import json
import os

import pytest

from neocognitron import results
from neocognitron.results import write_json, write_text


def test_write_json_leaves_no_temporary_and_uses_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_json({"a": 1}, tmp_path / "r.json")
    finally:
        os.umask(old)
    assert json.loads(path.read_text()) == {"a": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_write_text_writes_replaces_and_creates_folders(tmp_path):
    path = write_text("héllo\n", tmp_path / "new" / "r.md")
    assert path == tmp_path / "new" / "r.md"
    assert path.read_bytes() == "héllo\n".encode()
    write_text("second", path)
    assert path.read_text() == "second"
    assert sorted(p.name for p in path.parent.iterdir()) == ["r.md"]
    with pytest.raises(TypeError, match="str"):
        write_text(b"bytes", path)


def test_write_text_failing_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = write_text("old", tmp_path / "r.md")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(results.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_text("new", path)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]
