"""The saved outputs --replot reads back (``provenance.save_arrays``, ``load_outputs``) and
the --replot option and its run (``add_replot_option``, ``run_replot``)."""

import argparse
from pathlib import Path

import numpy as np
import pytest

from neocognitron.workflow import provenance
from neocognitron.workflow.results import write_json


def test_save_and_load_outputs(tmp_path):
    write_json({"a": 1}, tmp_path / "results.json")
    provenance.save_arrays(tmp_path / "figures.npz", w=np.arange(6.0).reshape(2, 3),
                           names=["U0", "US1"], k=4)
    res, arrays = provenance.load_outputs(tmp_path)
    assert res == {"a": 1}
    np.testing.assert_array_equal(arrays["w"], np.arange(6.0).reshape(2, 3))
    assert list(arrays["names"]) == ["U0", "US1"] and int(arrays["k"]) == 4
    with pytest.raises(provenance.MissingOutputError, match="no array 'x'"):
        arrays["x"]
    with pytest.raises(TypeError, match="objects"):
        provenance.save_arrays(tmp_path / "bad.npz", x=np.array([{}, 1], dtype=object))
    assert not list(tmp_path.glob(".*"))


@pytest.mark.parametrize("present", [(), ("results.json",)])
def test_load_outputs_says_what_is_missing(tmp_path, present):
    for name in present:
        write_json({}, tmp_path / name)
    missing = "figures.npz" if present else "results.json"
    with pytest.raises(FileNotFoundError, match=f"no {missing}"):
        provenance.load_outputs(tmp_path)
    with pytest.raises(provenance.MissingOutputError, match="not a folder"):
        provenance.load_outputs(tmp_path / "nowhere")


def _replot_parser():
    parser = argparse.ArgumentParser(prog="exp.py")
    parser.add_argument("--out", default=None)
    provenance.add_replot_option(parser, draws="the figures and results.md",
                                 source="the results.json", skips="no training")
    return parser


def test_add_replot_option():
    parser = _replot_parser()
    assert parser.parse_args([]).replot is None
    assert parser.parse_args(["--replot", "d"]).replot == "d"
    usage = " ".join(parser.format_help().split())
    assert "--replot DIR redraw the figures and results.md from the results.json in DIR " \
           "(no training) into --out" in usage


def test_run_replot_prints_both_folders(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # relative folders are printed absolute
    out = Path("new")

    def replot(f, o):
        assert (f, o) == ("run", "new")
        return [out / "a.png", out / "b.md"]

    written = provenance.run_replot(_replot_parser(), replot, "run", "new", noun="files")
    assert written == [out / "a.png", out / "b.md"]
    top = tmp_path.resolve()
    assert capsys.readouterr().out == \
        f"redrew 2 files from {top}/run/ into {top}/new/: a.png, b.md\n"


def test_run_replot_exits_2_on_missing_outputs(tmp_path, capsys):
    def replot(f, o):
        return provenance.load_outputs(f)  # tmp_path has no results.json

    with pytest.raises(SystemExit) as exit_:
        provenance.run_replot(_replot_parser(), replot, tmp_path, None)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"exp.py: error: {tmp_path} has no results.json")
    assert captured.err.endswith("run it first\n")


def test_run_replot_lets_other_errors_through():
    def replot(f, o):
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        provenance.run_replot(_replot_parser(), replot, "d", None)
