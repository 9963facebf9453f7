"""The figures of the digit-hierarchy study (``plotting.digit_hierarchy``), from numbers
made up here: what is drawn where, and refusals of inconsistent input."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neocognitron.plotting.digit_hierarchy import (  # noqa: E402
    plot_error_vs_size,
    plot_hierarchy_study,
    plot_preferred_inputs,
)
from neocognitron.workflow.records import over_seeds  # noqa: E402


def curve(label, mean, dashed=False):
    mean = np.asarray(mean)
    return {"label": label, "sizes": [300, 3000], "mean": mean, "min": mean - 0.01,
            "max": mean + 0.02, "dashed": dashed}


def test_error_vs_size_draws_each_curve_with_its_band():
    fig = plot_error_vs_size([{"title": "net 1", "curves": [curve("wta", [0.1, 0.05]),
                                                           curve("1-NN", [0.2, 0.1], True)]},
                              {"title": "net 2", "curves": [curve("wta", [0.3, 0.2])]}],
                             title="T", ncols=2)
    a, b = fig.axes[:2]
    assert a.get_title() == "net 1" and b.get_title() == "net 2"
    assert a.get_xscale() == "log" and a.get_yscale() == "log"
    np.testing.assert_allclose(a.lines[0].get_ydata(), [10, 5])  # in percent
    assert a.lines[0].get_linestyle() == "-" and a.lines[1].get_linestyle() == "--"
    assert len(a.collections) == 2  # one band per curve
    band = a.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(4) and band.max() == pytest.approx(12)
    assert "training digits" in a.get_xlabel() and "error" in a.get_ylabel()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["wta", "1-NN"]  # one legend for all panels, each label once
    assert fig._suptitle.get_text() == "T"
    plt.close(fig)


def test_error_vs_size_fills_rows_and_blanks_the_rest():
    panels = [{"title": str(k), "curves": [curve("x", [0.1, 0.05])]} for k in range(4)]
    fig = plot_error_vs_size(panels, ncols=3)
    assert len(fig.axes) == 6 and not fig.axes[5].axison and fig.axes[3].axison
    plt.close(fig)


def test_error_vs_size_one_size_whose_mean_rounds_past_equal_seeds():
    # the test split has one size; three seeds of one error average to a float above it
    errors = [0.1] * 3
    mean = float(np.mean(errors))
    assert mean > max(errors)  # the rounding this guards against
    one = {"label": "1-NN", "sizes": [60000], "mean": [mean], "min": [min(errors)],
           "max": [max(errors)]}
    fig = plot_error_vs_size([{"title": "test", "curves": [one]}])
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [10])
    plt.close(fig)


@pytest.mark.parametrize("bad, message", [
    (dict(mean=[0.1]), "non-empty sequences of one length"),
    (dict(sizes=[]), "non-empty"),
    (dict(min=[0.2, 0.2]), "min <= mean <= max"),
    (dict(sizes=[0, 10]), "sizes must be positive"),
])
def test_error_vs_size_refuses_inconsistent_curves(bad, message):
    c = dict(curve("x", [0.1, 0.05]), **bad)
    with pytest.raises(ValueError, match=message):
        plot_error_vs_size([{"title": "t", "curves": [c]}])
    plt.close("all")


def test_error_vs_size_needs_a_panel():
    with pytest.raises(ValueError, match="no panel"):
        plot_error_vs_size([])


def test_preferred_inputs_one_tile_per_plane():
    patches = np.random.default_rng(0).random((10, 7, 7))
    fig = plot_preferred_inputs([
        {"name": "U_S2", "patches": patches, "planes": np.arange(10), "caption": "c",
         "answered": np.arange(10), "n_images": 50},
        {"name": "U_S3", "patches": patches[:3], "planes": [5, 6, 7]}], cols=4)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 13
    assert len(fig.axes) == 12 + 4  # 3 + 1 rows of 4, unused tiles blank
    np.testing.assert_array_equal(shown[2].images[0].get_array(), patches[2])
    assert shown[2].get_xlabel() == "plane 2\n2/50"
    assert shown[10].get_xlabel() == "plane 5"
    assert shown[0].get_title(loc="left") == "U_S2: c"
    plt.close(fig)


def test_preferred_inputs_refuses_mismatched_planes():
    with pytest.raises(ValueError, match="one per plane"):
        plot_preferred_inputs([{"name": "U_S2", "patches": np.zeros((3, 5, 5)),
                                "planes": [1, 2]}])
    plt.close("all")


def study_results():
    recs = []
    for row, base in (("deep", 0.05), ("shallow", 0.02), ("pixels_1nn", 0.08)):
        for n in (1000, 3000):
            for seed in (0, 1):
                e = base * 1000 / n * (1 + 0.1 * seed)
                m = ({"error": e} if row == "pixels_1nn" else
                     {"wta_error": e, "interpolating_error": 0.8 * e,
                      "features_1nn_error": 1.1 * e, "features_interpolating_error": 0.7 * e})
                recs.append({"split": "A", "row": row, "n_train": n, "seed": seed,
                             "metrics": m})
    return {"summary": over_seeds(recs, ("split", "row", "n_train")),
            "rows": {"deep": "deep", "one_stage": "one", "shallow": "shallow",
                     "pixels_1nn": "pixels", "lenet5": "LeNet-5"},
            "networks": ["deep", "one_stage", "shallow"], "splits": {"A": [50000, 55000]},
            "test_set": {"used": False, "records": []},
            "preferred_inputs": {"row": "deep", "n_train": 3000, "seed": 0, "n_images": 500,
                                 "n_best": 20, "layers": [{"name": "U_S2", "n_planes": 200,
                                                           "patch": 5, "field": 5.0}]}}


def test_the_study_figures_from_its_results():
    arrays = {"U_S2_patches": np.ones((2, 5, 5)), "U_S2_planes": np.array([3, 1]),
              "U_S2_answered": np.array([400, 2])}
    figs = plot_hierarchy_study(study_results(), arrays)
    assert set(figs) == {"error_vs_size.png", "preferred_inputs.png"}
    err = figs["error_vs_size.png"]
    panels = [ax for ax in err.axes if ax.axison]
    assert [ax.get_title().split("\n")[0] for ax in panels] == ["deep", "shallow"]
    assert "validation A: training digits 50,000-54,999" in panels[0].get_title()
    # the readouts, the controls on its features, and pixels 1-NN (no LeNet-5 records)
    assert len(panels[0].lines) == 5
    np.testing.assert_allclose(panels[0].lines[0].get_ydata(), [5.25, 1.75])  # mean of seeds
    assert "mean over seeds 0, 1" in err._suptitle.get_text()
    assert "TEST SET" not in err._suptitle.get_text()
    assert panels[0].get_ylabel() == "validation error (%, log scale)"
    pref = figs["preferred_inputs.png"]
    assert "network 'deep', 3,000 training digits, seed 0" in pref._suptitle.get_text()
    for fig in figs.values():
        plt.close(fig)


def test_the_study_figures_say_when_the_test_set_was_used():
    res = dict(study_results(), preferred_inputs=None,
               test_set={"used": True, "records": ["test/deep-n60000-seed0"],
                         "warning": "THE MNIST TEST SET WAS USED"})
    figs = plot_hierarchy_study(res, {})
    assert set(figs) == {"error_vs_size.png"}
    fig = figs["error_vs_size.png"]
    assert "THE MNIST TEST SET WAS USED" in fig._suptitle.get_text()
    assert "validation or test" in fig.axes[0].get_ylabel()
    plt.close("all")
