"""``neocognitron.plotting.plot_ablation``: the validation error of both readouts per
variant, from the results.json of ``experiments/digits_ablation.py``; no MNIST."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from neocognitron.plotting import plot_ablation  # noqa: E402


def _results():
    def variant(index, name, wta, iv, planes):
        return {"index": index, "name": name, "n_planes": planes,
                "val": {"wta": {"error": wta}, "interpolating": {"error": iv}}}

    return {"readouts": ["wta", "interpolating"], "seed": 0,
            "data": {"n_train": 1000, "n_val": 500, "val_indices": [50000, 50500]},
            "variants": [variant(1, "defaults", 0.05, 0.04, [8, 120]),
                         variant(3, "U_S1 theta 0.5", 0.1, 0.08, [8, 2300])]}


def test_bars_per_readout_and_variant_labelled_with_their_errors():
    ax = plot_ablation(_results())
    try:
        wta, iv = ax.containers
        assert [b.get_width() for b in wta] == [5.0, 10.0]
        assert np.allclose([b.get_width() for b in iv], [4.0, 8.0])
        labels = [t.get_text() for t in ax.texts]
        assert labels == ["5.00 %", "10.00 %", "4.00 %", "8.00 %"]
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks == ["1. defaults\n(120 top planes)", "3. U_S1 theta 0.5\n(2,300 top planes)"]
        assert ax.yaxis_inverted()  # variant 1 on top
        assert ax.get_xlabel() == "validation error (%)"
        assert "training digits 50,000-50,499 (500), seed 0" in ax.get_title()
        assert [t.get_text() for t in ax.get_legend().get_texts()] == \
            ["winner-take-all", "interpolating vectors"]
    finally:
        plt.close("all")
