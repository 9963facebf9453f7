"""Hyper-parameter checks of ``NeocognitronClassifier`` (called by ``fit``)."""

from .._validation import check_scalar

#: The 2003 layout with one learned stage between U_C1 and the top (the defaults until
#: November 2026): ``NeocognitronClassifier(**ONE_LEARNED_STAGE)``. U_S2 learns 32 planes
#: over 3x3 U_C1 cells by winner-take-all and add-if-silent; the top reads U_C2 as it is.
ONE_LEARNED_STAGE = dict(max_planes=(32,), thresholds=(0.55, 0.5), learning_thresholds=(0.75,),
                         fields=(7, 3), blurs=(1.2, 1.2), strides=(2, 2),
                         top_learning_threshold=0.9, top_exponent=1.0)


def _tuple(value, name, n, kind):
    try:
        values = tuple(value)
    except TypeError:
        raise TypeError(f"{name} must be a tuple of {kind}, got {value!r}") from None
    if len(values) != n:
        raise ValueError(f"{name} must have {n} entries (one per layer), got {len(values)}")
    return values


def check_params(est):
    """Validate every hyper-parameter; return the number of learned intermediate layers."""
    try:
        n_mid = len(tuple(est.max_planes))
    except TypeError:
        raise TypeError(f"max_planes must be a tuple of ints, got {est.max_planes!r}") from None
    for v in est.max_planes:
        check_scalar(v, "max_planes", low=0, integer=True)
    n_s = n_mid + 1  # U_S1 and the learned layers
    for name in ("thresholds", "fields", "blurs", "strides"):
        _tuple(getattr(est, name), name, n_s, "numbers, one per S-layer")
    learn = _tuple(est.learning_thresholds, "learning_thresholds", n_mid, "numbers")
    for name, values in (("thresholds", est.thresholds), ("learning_thresholds", learn),
                         ("top_threshold", (est.top_threshold,)),
                         ("top_learning_threshold", (est.top_learning_threshold,))):
        for th in values:
            th = check_scalar(th, name, low=0)
            if th >= 1:
                raise ValueError(f"{name} must lie in (0, 1), got {th}")
    for f in est.fields:
        f = check_scalar(f, "fields", low=0, integer=True)
        if f % 2 == 0:
            raise ValueError(f"fields must be odd receptive-field sides, got {f}")
    for s in est.blurs:
        check_scalar(s, "blurs", low=0)
    for s in est.strides:
        check_scalar(s, "strides", low=0, integer=True)
    check_scalar(est.margin, "margin", low=0, low_inclusive=True, integer=True)
    check_scalar(est.n_orientations, "n_orientations", low=1, integer=True)
    lo, hi, gain = _tuple(est.contrast, "contrast", 3, "(sigma_centre, sigma_surround, gain)")
    lo, hi = check_scalar(lo, "contrast", low=0), check_scalar(hi, "contrast", low=0)
    if hi <= lo:
        raise ValueError(f"contrast needs sigma_surround > sigma_centre, got {lo}, {hi}")
    check_scalar(gain, "contrast", low=0)
    check_scalar(est.top_slack, "top_slack", low=0, low_inclusive=True, integer=True)
    check_scalar(est.top_exponent, "top_exponent", low=0)
    check_scalar(est.q, "q", low=0)
    check_scalar(est.competition_area, "competition_area", low=0, integer=True)
    m = check_scalar(est.min_activity, "min_activity", low=0, low_inclusive=True)
    if m > 1:
        raise ValueError(f"min_activity must lie in [0, 1], got {m}")
    check_scalar(est.n_unsupervised, "n_unsupervised", low=0, integer=True)
    check_scalar(est.n_epochs, "n_epochs", low=0, integer=True)
    check_scalar(est.n_neighbors, "n_neighbors", low=0, integer=True)
    check_scalar(est.batch_size, "batch_size", low=0, integer=True)
    if est.readout not in ("wta", "interpolating"):
        raise ValueError(f"readout must be 'wta' or 'interpolating', got {est.readout!r}")
    return n_mid
