"""Saved results come only from clean commits: a run into a checkout's ``docs/results/`` from
a tree with uncommitted code is refused, and the saved outputs themselves do not make a tree
dirty (regenerating one experiment must not taint the record of the next)."""

import argparse

import pytest

from neocognitron.workflow import provenance


@pytest.fixture
def checkout(tmp_path, git):
    """A git checkout with a committed code file and a saved-results folder."""
    (tmp_path / "code.py").write_text("x = 1\n")
    (tmp_path / "docs" / "results" / "exp").mkdir(parents=True)
    (tmp_path / "docs" / "figures" / "exp").mkdir(parents=True)
    (tmp_path / "docs" / "results" / "exp" / "results.json").write_text("{}\n")
    git("add", ".")
    git.commit("a")
    return tmp_path


def test_saved_outputs_do_not_make_a_tree_dirty(checkout):
    (checkout / "docs" / "results" / "exp" / "results.json").write_text('{"a": 1}\n')
    (checkout / "docs" / "results" / "new").mkdir()
    (checkout / "docs" / "results" / "new" / "run.json").write_text("{}\n")
    (checkout / "docs" / "figures" / "exp" / "fig.png").write_bytes(b"png")
    assert provenance.git_info(checkout)["dirty"] is False
    (checkout / "code.py").write_text("x = 2\n")
    info = provenance.git_info(checkout)
    assert info["dirty"] is True and info["changed_files"] == ["code.py"]


def test_a_run_into_saved_results_from_a_dirty_tree_is_refused(checkout):
    (checkout / "code.py").write_text("x = 2\n")
    out = checkout / "docs" / "results" / "exp"
    with pytest.raises(provenance.DirtyTreeError, match=r"clean commits.*code\.py"):
        with provenance.Run(out, argv=[], script="exp.py", root=checkout):
            pass
    assert sorted(p.name for p in out.iterdir()) == ["results.json"]  # nothing written


def test_the_refusal_is_one_line_through_the_parser(checkout, capsys):
    (checkout / "code.py").write_text("x = 2\n")
    parser = argparse.ArgumentParser(prog="exp.py")
    with pytest.raises(SystemExit) as exit_:
        with provenance.Run(checkout / "docs" / "results" / "exp" / "sub", argv=[],
                            script="exp.py", root=checkout, parser=parser):
            pass
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("exp.py: error: ") and "commit first" in err and "\n" not in err


def test_a_clean_tree_or_another_folder_may_run(checkout):
    out = checkout / "docs" / "results" / "other"
    with provenance.Run(out, argv=[], script="exp.py", root=checkout) as run:
        pass
    assert run.record["git"]["dirty"] is False and run.status == "finished"
    (checkout / "code.py").write_text("x = 2\n")
    with provenance.Run(checkout / "scratch", argv=[], script="exp.py", root=checkout) as run:
        pass
    assert run.record["git"]["dirty"] is True and run.status == "finished"
