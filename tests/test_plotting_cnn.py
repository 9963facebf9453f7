"""The CNN's figures (``neocognitron.plotting.cnn``): what they draw, on a given axes or
their own, with labelled axes and colour bars; no MNIST, no training."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from neocognitron.plotting import (  # noqa: E402
    plot_cnn_confusion,
    plot_conv_filters,
    plot_loss_curves,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_loss_curves_one_line_per_model_with_its_accuracy():
    models = {"lenet5": {"loss_curve": [1.0, 0.5, 0.25], "test_accuracy": 0.9912},
              "avg_pool": {"loss_curve": [0.8, 0.4], "test_accuracy": 0.95}}
    ax = plot_loss_curves(models)
    lines = ax.get_lines()
    assert [list(line.get_xdata()) for line in lines] == [[1, 2, 3], [1, 2]]
    assert list(lines[0].get_ydata()) == [1.0, 0.5, 0.25]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["lenet5 (99.12%)", "avg_pool (95.00%)"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch" and ax.get_title()
    _, given = plt.subplots()
    assert plot_loss_curves(models, ax=given) is given


def test_confusion_writes_every_nonzero_count_and_has_a_colour_bar():
    cm = np.array([[5, 0, 1], [0, 7, 0], [2, 0, 9]])
    fig, ax = plt.subplots()
    assert plot_cnn_confusion(cm, accuracy=21 / 24, ax=ax) is ax
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    assert texts == {(i, j): str(cm[i, j]) for i in range(3) for j in range(3) if cm[i, j]}
    assert ax.get_xlabel() == "predicted digit" and ax.get_ylabel() == "true digit"
    assert "24 MNIST test digits" in ax.get_title() and "87.50%" in ax.get_title()
    image = ax.get_images()[0].get_array()
    assert image.mask[0, 1] and not image.mask[0, 0]  # zeros blank
    assert len(fig.axes) == 2 and "log scale" in fig.axes[1].get_ylabel()  # the colour bar


def test_filters_one_panel_each_on_one_signed_scale():
    rng = np.random.default_rng(0)
    filters = rng.normal(size=(4, 1, 5, 5))
    fig = plot_conv_filters(filters)
    panels, bar = fig.axes[:4], fig.axes[4]
    assert len(fig.axes) == 5 and bar.get_ylabel() == "weight"
    vmax = np.abs(filters).max()
    for k, ax in enumerate(panels):
        np.testing.assert_array_equal(ax.get_images()[0].get_array(), filters[k, 0])
        assert ax.get_images()[0].get_clim() == (-vmax, vmax)
        assert ax.get_title() == f"filter {k}" and ax.get_xlabel() == "x (pixel)"
    assert panels[0].get_ylabel() == "y (pixel)"
    assert "(5x5," in fig._suptitle.get_text()
    one = plot_conv_filters(filters[:1])  # a single filter is one panel, not an error
    assert len(one.axes) == 2
