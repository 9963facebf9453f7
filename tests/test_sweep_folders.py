"""The output folder of a sweep (neocognitron.workflow.sweep): more seeds later run only the
new points; a folder in use, of another sweep or of an experiment is refused and never
written to; what a killed run leaves cannot be committed."""

import os
import re
import subprocess

import pytest
from mnist_home import ROOT, load_experiment
from sweep_cases import LR, write_grid

from neocognitron.workflow.results import (
    FolderInUseError,
    FolderLock,
    ForeignFolderError,
    _atomic,
    write_json,
)
from neocognitron.workflow.sweep import parse_grid, run_sweep


def test_output_folder_guards(tmp_path):
    raw = {"target": {"estimator": "sklearn.linear_model.LogisticRegression",
                      "params": {"max_iter": 200}},
           "data": {"name": "digits", "train_size": 200, "test_size": 100},
           "grid": {"C": [1.0]}, "seeds": [0]}
    out = tmp_path / "o"
    assert run_sweep(parse_grid(raw), out, quiet=True).ok
    # more seeds later: only the new points run
    more = run_sweep(parse_grid(dict(raw, seeds=[0, 1])), out, quiet=True)
    assert more.n_skipped == 1 and len(more.ran) == 1
    other = dict(raw, data={"name": "digits", "train_size": 300})
    with pytest.raises(ValueError, match="another data"):
        run_sweep(parse_grid(other), out, quiet=True)
    # a sweep already running in the folder: refused, naming it
    with FolderLock(out, "sweep other.toml", "python experiments/sweep.py other.toml"):
        with pytest.raises(FolderInUseError, match=re.escape(
                f"{out} is in use by sweep other.toml (pid {os.getpid()}: python "
                "experiments/sweep.py other.toml, since ")):
            run_sweep(parse_grid(raw), out, quiet=True)
    assert not (out / ".lock").exists()  # let go, and removed


def _lr_grid(**changes):
    return parse_grid({"target": {"estimator": LR, "params": {"max_iter": 200}},
                       "data": {"name": "digits", "train_size": 200, "test_size": 100},
                       "grid": {"C": [1.0]}, "seeds": [0], **changes})


@pytest.mark.parametrize("content, says", [
    ('{"kind": "estimator", "targ', "sweep.json cannot be read (Unterminated string"),
    ("", "sweep.json cannot be read (Expecting value"),
    ("[1, 2]", "sweep.json is not a sweep spec (a JSON list, not an object)"),
    ('{"name": "my own notes"}', "sweep.json is not a sweep spec (no args, data, kind, "
                                 "metrics, params, target)"),
])
def test_a_corrupt_or_foreign_sweep_json_is_refused_not_overwritten(tmp_path, content, says):
    out = tmp_path / "o"
    assert run_sweep(_lr_grid(), out, quiet=True).ok
    points = {p.name: p.read_bytes() for p in (out / "points").iterdir()}
    (out / "sweep.json").write_text(content)
    # a sweep of another target would file these points under its own spec
    other = _lr_grid(target={"estimator": "sklearn.svm.LinearSVC"})
    for spec in (other, _lr_grid()):
        with pytest.raises(ForeignFolderError, match=re.escape(str(out / says))):
            run_sweep(spec, out, quiet=True)
    assert (out / "sweep.json").read_text() == content
    assert {p.name: p.read_bytes() for p in (out / "points").iterdir()} == points


def _files(folder):
    """Everything under ``folder``, by relative path: a file's bytes, a folder's None."""
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in folder.rglob("*")}


def test_points_without_a_spec_or_an_experiment_folder_are_refused(tmp_path, capsys):
    out = tmp_path / "o"
    assert run_sweep(_lr_grid(), out, quiet=True).ok
    (out / "sweep.json").unlink()
    with pytest.raises(ForeignFolderError, match="holds points but no sweep.json saying"):
        run_sweep(_lr_grid(), out, quiet=True)
    assert not (out / "sweep.json").exists()
    exp = tmp_path / "exp"
    write_json({"command": {"script": "experiments/fukushima1980.py"}}, exp / "run.json")
    grid = write_grid(tmp_path, {"target": {"estimator": LR}, "grid": {"C": [1.0]},
                                  "data": {"name": "digits", "train_size": 200}})
    for folder, says in ((exp, "holds the results of an experiment (run.json), not a sweep"),
                         (out, "holds points but no sweep.json saying which sweep they "
                               "belong to")):
        before = _files(folder)
        with pytest.raises(SystemExit) as exit_:  # the command line says it in one line
            load_experiment("sweep").main([str(grid), "--out", str(folder), "--quiet"])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.endswith(f": error: {folder} {says}: use another output folder\n")
        assert err.count("\n") == 1
        # refused, never written to: not even the script's provenance record
        assert _files(folder) == before


def test_what_a_killed_run_leaves_cannot_be_committed(tmp_path):
    """A run killed in its output folder leaves the folder's lock and may leave a file half
    written under its temporary name: git ignores both, in the saved results or anywhere
    else in the checkout, and still sees the results themselves."""
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True).returncode:
        pytest.skip("not a git checkout")
    seen = set()

    def look(fh=None):
        seen.update(p.name for p in tmp_path.iterdir())

    # a run's files, written as results._atomic writes them, while the folder is locked
    with FolderLock(tmp_path, "a test"):
        for name in ("results.json", "run.json", "figures.npz", "summary.md"):
            _atomic(tmp_path / name, look)
    transient = seen - {p.name for p in tmp_path.iterdir()}  # gone when the run ends
    assert FolderLock.NAME in transient and len(transient) == 5, transient
    folders = ["docs/results/fukushima1980", "docs/results/shift_invariance/defaults",
               "docs/results/sweep/points", "docs/results/sweep/provenance", "docs/figures/x",
               "results/x", "elsewhere"]

    def ignored(paths):  # the rules alone (--no-index), whether or not a path is tracked
        done = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", "--stdin"],
                              input="\n".join(paths), capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return set(done.stdout.split())

    paths = {f"{d}/{name}" for d in folders for name in transient}
    assert ignored(paths) == paths
    kept = [f"docs/results/fukushima1980/{n}" for n in ("results.json", "run.json",
                                                         "figures.npz")]
    assert not ignored(kept)
