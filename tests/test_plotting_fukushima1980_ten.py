"""``neocognitron.plotting.fukushima1980_ten``: the ten-pattern experiment's figures draw
the numbers they are given (error bars from the given interval, the count of seeds per
number of distinct cells, the cost), on a given Axes or a new one, labelled."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neocognitron.datasets import fukushima1980_patterns  # noqa: E402
from neocognitron.plotting.fukushima1980_ten import (  # noqa: E402
    plot_cells_against_planes,
    plot_cost_against_planes,
    plot_patterns,
    plot_success_against_planes,
)

PLANES = [24, 48, 96]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_success_draws_each_rate_with_its_interval_and_the_seeds_kept():
    rates = {"ten distinct": {"fraction": [0.5, 0.2, 0.0], "low": [0.3, 0.1, 0.0],
                              "high": [0.7, 0.4, 0.1]},
             "control": {"fraction": [1.0, 0.9, 0.8], "low": [0.9, 0.7, 0.6],
                         "high": [1.0, 1.0, 0.95]}}
    kept = {"kept": [[0.9, 0.8], [0.7, 0.6], [0.5, 0.1]], "other": [[1, 1], [1, 0], [0, 0]]}
    ax = plot_success_against_planes(PLANES, rates, kept=kept)
    first = ax.containers[0]  # errorbar container: line, caps, bar segments
    assert np.allclose(first.lines[0].get_ydata(), [0.5, 0.2, 0.0])
    segments = first.lines[2][0].get_segments()
    assert np.allclose([(s[0][1], s[1][1]) for s in segments], [(0.3, 0.7), (0.1, 0.4),
                                                                  (0.0, 0.1)])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["kept (mean; dots: seeds)", "other (mean; dots: seeds)",
                      "ten distinct", "control"]
    means = [line for line in ax.lines if "mean" in line.get_label()]
    assert np.allclose(means[0].get_ydata(), [0.85, 0.65, 0.3])
    assert np.allclose(means[1].get_ydata(), [1, 0.5, 0])
    dots = [line for line in ax.lines if line.get_marker() == "."]
    assert sorted(np.concatenate([d.get_ydata() for d in dots])) == sorted(
        [0.9, 0.8, 0.7, 0.6, 0.5, 0.1, 1, 1, 1, 0, 0, 0])
    assert ax.get_xlabel() == "cell-planes K in every layer"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["24", "48", "96"]
    assert ax.get_title()


def test_success_draws_on_the_axes_given():
    fig, ax = plt.subplots()
    got = plot_success_against_planes(PLANES, {"a": {"fraction": [0, 0, 0], "low": [0, 0, 0],
                                                     "high": [1, 1, 1]}}, ax=ax, title="T")
    assert got is ax and ax.get_title() == "T" and len(fig.axes) == 1


def test_cells_counts_seeds_per_number_of_distinct_cells():
    n_cells = [[10, 10, 9], [5, 5, 5], [1, 1, 2]]
    ax = plot_cells_against_planes(PLANES, n_cells, 10)
    img = ax.images[0].get_array()
    want = np.zeros((11, 3))
    want[10, 0], want[9, 0], want[5, 1], want[1, 2], want[2, 2] = 2, 1, 3, 2, 1
    np.testing.assert_array_equal(img, want)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "2", "2", "3"]
    assert ax.get_ylabel() == "distinct UC3 cells winning for the 10 patterns"
    assert len(ax.figure.axes) == 2  # the colour bar, labelled "seeds"
    assert ax.figure.axes[1].get_ylabel() == "seeds"


def test_cost_draws_the_median_time_its_range_and_the_memory():
    seconds = [[1.0, 2.0, 4.0], [3.0, 3.0, 3.0], [5.0, 9.0, 6.0]]
    ax = plot_cost_against_planes(PLANES, seconds, [1.5, 2.5, 8.0])
    line = ax.containers[0].lines[0]
    assert np.allclose(line.get_ydata(), [2.0, 3.0, 6.0])
    segments = ax.containers[0].lines[2][0].get_segments()
    assert np.allclose([(s[0][1], s[1][1]) for s in segments], [(1, 4), (3, 3), (5, 9)])
    twin = [a for a in ax.figure.axes if a is not ax][0]
    assert np.allclose(twin.lines[0].get_ydata(), [1.5, 2.5, 8.0])
    assert ax.get_ylabel() == "seconds per fit" and twin.get_ylabel() == "MiB"
    assert len(ax.get_legend().get_texts()) == 2


def test_patterns_one_panel_per_pattern_titled_by_name():
    X, names = fukushima1980_patterns(names="0123456789", return_names=True)
    fig = plot_patterns(X, names)
    assert [a.get_title() for a in fig.axes] == [f'"{n}"' for n in names]
    np.testing.assert_array_equal(fig.axes[7].images[0].get_array(), X[7])
