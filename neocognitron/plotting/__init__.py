"""Figures. Every function draws on a given ``ax`` (or ``fig``) or makes one, returns it,
and never calls ``show()``; nothing here trains or computes a model."""

from .cnn import plot_cnn_confusion, plot_conv_filters, plot_loss_curves
from .digit_features import plot_digit_features
from .digits import (
    plot_ablation,
    plot_confusion,
    plot_layer_responses,
    plot_learning_curve,
    plot_misclassified,
)
from .fukushima1980 import (
    plot_fig6,
    plot_fig7,
    plot_filters,
    plot_seed_summary,
    plot_tolerance_curves,
)

__all__ = ["plot_fig6", "plot_fig7", "plot_filters", "plot_seed_summary", "plot_tolerance_curves"]
__all__ += ["plot_cnn_confusion", "plot_conv_filters", "plot_loss_curves"]
__all__ += ["plot_ablation", "plot_confusion", "plot_digit_features", "plot_layer_responses",
            "plot_learning_curve", "plot_misclassified"]
from .shift import (  # noqa: E402
    plot_accuracy_vs_shift,
    plot_change_rate,
    plot_representation_similarity,
    plot_robustness,
    plot_shift_heatmap,
    plot_shift_heatmaps,
)

__all__ += ["plot_accuracy_vs_shift", "plot_change_rate", "plot_representation_similarity",
            "plot_robustness", "plot_shift_heatmap", "plot_shift_heatmaps"]
