"""The 1980 summary figures: tolerance curves with their controls and gaps, and the per-seed
bars with distinct winners and the strict claim marked."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neocognitron.plotting import plot_seed_summary, plot_tolerance_curves  # noqa: E402


def test_tolerance_curves_draw_the_mean_of_fresh_points_and_each_control():
    curves = {"shift": [[1.0, 0.5, None], [0.8, 0.7, None]], "noise": [[0.9], [0.7]]}
    strengths = {"shift": [1, 2, 3], "noise": [0.02]}
    controls = {"template": {"shift": [[1.0, 1.0, 1.0]] * 2, "noise": [[1.0]] * 2}}
    fig = plot_tolerance_curves(curves, strengths, controls=controls, train_shift=2)
    try:
        ax = fig.axes[0]
        trained = ax.containers[0].lines[0]  # the errorbar's line
        np.testing.assert_allclose(trained.get_ydata(), [0.9, 0.6, np.nan])
        assert [line.get_label() for line in ax.lines][:1] == ["template"]
        labels = [t.get_text() for t in fig.legends[0].get_texts()]
        assert labels == ["template", "trained distances (shifts never presented)",
                          "trained network, mean ± std, 2 seeds"]
        assert ax.get_xlabel().startswith("shift") and ax.get_ylabel()
        assert [a.get_title() for a in fig.axes] == ["shift", "noise"]
    finally:
        plt.close("all")


def test_seed_summary_marks_merged_seeds_and_the_strict_claim():
    keep = np.array([[0.9, 0.5], [0.4, 0.3], [1.0, 1.0]])
    ax = plot_seed_summary(keep, [True, False, True], ["shift<=2", "noise"],
                           holds=[True, False, False])
    try:
        assert [t.get_text() for t in ax.texts] == ["distinct + strict", "merged", "distinct"]
        assert [t.get_color() for t in ax.texts][1] == "crimson"
        assert "2/3 seeds" in ax.get_title() and "strict claim in 1/3" in ax.get_title()
        assert [b.get_height() for b in ax.containers[1]] == [0.5, 0.3, 1.0]
    finally:
        plt.close("all")
