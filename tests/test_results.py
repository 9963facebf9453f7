"""Atomic writing of experiment outputs; the lock on an output folder."""

import json
import os
import re

import pytest

from neocognitron.workflow import results
from neocognitron.workflow.results import FolderInUseError, FolderLock, write_json, write_text


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


fcntl = pytest.importorskip("fcntl")  # no locking on Windows


def test_a_folder_lock_names_its_holder_and_is_removed_on_release(tmp_path):
    out = tmp_path / "out"
    with FolderLock(out, "experiments/a.py", "python experiments/a.py --out out") as held:
        holder = json.loads((out / ".lock").read_text())
        assert holder["pid"] == os.getpid() and holder["owner"] == "experiments/a.py"
        with pytest.raises(FolderInUseError, match=re.escape(
                f"{out} is in use by experiments/a.py (pid {os.getpid()}: python "
                f"experiments/a.py --out out, since {holder['since']}); wait for it")):
            with FolderLock(out, "experiments/b.py"):
                raise AssertionError("two holders")
        assert held.fh is not None
    assert list(out.iterdir()) == []  # released: the lock file is gone
    with FolderLock(out, "experiments/b.py"):  # and the folder free
        pass


def test_a_lock_file_naming_no_one_still_locks(tmp_path):
    with open(tmp_path / ".lock", "w") as fh:  # a holder that wrote nothing (yet)
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(FolderInUseError, match="in use by another process \\(its lock "
                                                   "file names no holder\\)"):
            with FolderLock(tmp_path, "b"):
                pass


def test_a_lock_won_on_a_file_its_holder_removed_is_retried(tmp_path, monkeypatch):
    # b opens .lock while a holds it; a lets go (removing the file) and c locks a new
    # .lock before b's flock runs: b's flock then succeeds on the removed file, and b must
    # not think it holds the folder that c holds
    a = FolderLock(tmp_path, "a").__enter__()
    c = FolderLock(tmp_path, "c")
    flock = fcntl.flock
    calls = []

    def racing(fh, op):
        calls.append(fh.name)
        if len(calls) == 1:  # b's first attempt, on a's file
            a.release()
            c.__enter__()
        return flock(fh, op)

    monkeypatch.setattr(fcntl, "flock", racing)
    try:
        with pytest.raises(FolderInUseError, match=r"in use by c \(pid"):
            FolderLock(tmp_path, "b").__enter__()
        assert len(calls) == 3  # b's, c's, then b's again on c's file
    finally:
        monkeypatch.undo()
        c.release()
    assert list(tmp_path.iterdir()) == []
