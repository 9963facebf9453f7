"""``neocognitron.workflow.outputs.Outputs``: one description of what an experiment writes,
used to save a run (results.json, figures.npz, figures, results.md) and to redraw the same
files for ``--replot``."""

import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neocognitron.workflow import provenance  # noqa: E402
from neocognitron.workflow.outputs import Outputs, wrote  # noqa: E402
from neocognitron.workflow.results import write_text  # noqa: E402


def draw(results, arrays):
    """Two figures from a number of results.json and an array of figures.npz."""
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot(arrays["w"], marker="o")
    ax.set_title(f"n = {results['n']}")
    bar = plt.figure(figsize=(2, 1.5))
    bar.subplots().bar(range(results["n"]), range(results["n"]))
    return {"curve.png": fig, "bars.png": bar}


def markdown(results):
    return f"| n |\n|---|\n| {results['n']} |\n"


def draw_numbers_only(results, arrays):
    assert dict(arrays) == {}  # no figures.npz: an empty mapping
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.bar([0], [results["n"]])
    return {"n.png": fig}


def test_save_writes_every_file_in_its_stages_and_replot_redraws_them(tmp_path):
    out = tmp_path / "res"
    outputs = Outputs(draw, markdown=markdown, dpi=50)
    with provenance.Run(out, argv=[], script="experiments/x.py") as run:
        written = outputs.save(run, out, {"n": 3}, {"w": np.arange(4.0)},
                               extra=[lambda folder: write_text("m", folder / "model.txt")])
    assert [p.name for p in written] == ["results.json", "figures.npz", "model.txt",
                                         "curve.png", "bars.png", "results.md"]
    assert [s["name"] for s in run.record["stages"]] == ["save results", "figures"]
    assert json.loads((out / "results.json").read_text()) == {"n": 3}
    assert (out / "results.md").read_text() == markdown({"n": 3})
    # the arrays come back from figures.npz, and a redraw elsewhere is the same file
    _, arrays = provenance.load_outputs(out)
    np.testing.assert_array_equal(arrays["w"], np.arange(4.0))
    again = outputs.redraw(out, tmp_path / "again")
    assert [p.name for p in again] == ["curve.png", "bars.png", "results.md"]
    for p in again:
        assert p.read_bytes() == (out / p.name).read_bytes(), p.name
    assert not list(out.glob(".*")) and not list((tmp_path / "again").glob(".*"))


def test_without_arrays_no_figures_npz(tmp_path):
    out = tmp_path / "res"
    outputs = Outputs(draw_numbers_only, arrays=False)
    with provenance.Run(out, argv=[], script="experiments/x.py") as run:
        written = outputs.save(run, out, {"n": 2})
    assert [p.name for p in written] == ["results.json", "n.png"]
    assert not (out / "figures.npz").exists()
    assert [p.name for p in outputs.redraw(out)] == ["n.png"]  # into the folder itself


def test_outputs_with_arrays_need_them_before_writing_anything(tmp_path):
    out = tmp_path / "res"
    with provenance.Run(out, argv=[], script="experiments/x.py") as run:
        with pytest.raises(ValueError, match="pass the arrays"):
            Outputs(draw).save(run, out, {"n": 1})
    assert sorted(p.name for p in out.iterdir()) == ["run.json"]


@pytest.mark.parametrize("bad", [None, "draw", 3])
def test_draw_and_markdown_must_be_callable(bad):
    with pytest.raises(TypeError, match="draw must be callable"):
        Outputs(bad)
    if bad is not None:
        with pytest.raises(TypeError, match="markdown must be callable or None"):
            Outputs(draw, markdown=bad)


def _parser(outputs, **kwargs):
    parser = argparse.ArgumentParser(prog="exp.py")
    parser.add_argument("--out", default=None)
    outputs.add_replot_option(parser, **kwargs)
    return parser


def test_replot_option_names_what_is_redrawn_from_what():
    with_arrays = " ".join(_parser(Outputs(draw)).format_help().split())
    assert ("--replot DIR redraw the figures from the results.json and figures.npz in DIR "
            "(no data, no training) into --out") in with_arrays
    numbers = Outputs(draw, markdown=markdown, arrays=False)
    text = " ".join(_parser(numbers, draws="the figures and results.md",
                            skips="no training").format_help().split())
    assert ("--replot DIR redraw the figures and results.md from the results.json in DIR "
            "(no training) into --out") in text


def test_replot_says_what_it_drew_and_refuses_a_folder_without_results(tmp_path, capsys):
    out = tmp_path / "res"
    outputs = Outputs(draw, markdown=markdown, dpi=50)
    with provenance.Run(out, argv=[], script="experiments/x.py") as run:
        outputs.save(run, out, {"n": 2}, {"w": np.ones(2)})
    capsys.readouterr()
    written = outputs.replot(_parser(outputs), str(out), str(tmp_path / "new"))
    printed = capsys.readouterr().out
    assert printed == (f"redrew 3 files from {out.resolve()}/ into {(tmp_path / 'new').resolve()}"
                       "/: curve.png, bars.png, results.md\n")
    assert [p.parent for p in written] == [tmp_path / "new"] * 3
    assert Outputs(draw).noun == "figures"
    with pytest.raises(SystemExit) as exit_:
        outputs.replot(_parser(outputs), str(tmp_path / "empty"), None)
    assert exit_.value.code == 2
    assert "is not a folder" in capsys.readouterr().err


def test_wrote_names_every_file_and_the_time(tmp_path):
    line = wrote(tmp_path, [tmp_path / "results.json", tmp_path / "run.json"], 1.5)
    assert line == f"wrote 2 files to {tmp_path.resolve()}/: results.json, run.json in 1.5 s"
