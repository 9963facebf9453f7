"""Architectures as frozen dataclasses, with the paper's presets.

A network is an input plane followed by stages; each stage is an S-layer (learned) and a
C-layer (fixed). Names follow Fukushima (1980): ``r`` is the S-cells' selectivity, ``q``
the speed of reinforcement, ``alpha`` the C-cells' saturation constant.
"""

from dataclasses import asdict, dataclass, field

from .._validation import check_scalar, check_shape2


@dataclass(frozen=True)
class SLayerConfig:
    """One S-layer: ``planes`` cell-planes of ``size`` cells reading ``field`` of the layer below.

    Attributes
    ----------
    planes : int
        Number of cell-planes ``K``.
    size : (int, int)
        Grid of cells on each plane.
    field : (int, int)
        Receptive field (of every input plane) in positions of the layer below.
    column : (int, int)
        S-column size used for choosing representatives during learning.
    r : float
        Selectivity.
    q : float
        Speed of reinforcement.
    gamma_c : float
        Fall-off of the fixed V_C weights ``c(nu) ~ gamma_c ** |nu|``.
    """

    planes: int
    size: tuple
    field: tuple
    column: tuple
    r: float
    q: float
    gamma_c: float = 0.8

    def __post_init__(self):
        check_scalar(self.planes, "planes", low=0, integer=True)
        for name in ("size", "field", "column"):
            object.__setattr__(self, name, check_shape2(getattr(self, name), name))
        check_scalar(self.r, "r", low=0)
        check_scalar(self.q, "q", low=0, low_inclusive=True)
        check_scalar(self.gamma_c, "gamma_c", low=0)


@dataclass(frozen=True)
class CLayerConfig:
    """One C-layer: as many planes as the S-layer below, ``size`` cells reading ``field``.

    Attributes
    ----------
    size : (int, int)
    field : (int, int)
    gamma_d : float
        Fall-off of the fixed weights ``d(nu) = d_peak * gamma_d ** |nu|``.
    d_peak : float
    """

    size: tuple
    field: tuple
    gamma_d: float = 0.8
    d_peak: float = 1.0

    def __post_init__(self):
        for name in ("size", "field"):
            object.__setattr__(self, name, check_shape2(getattr(self, name), name))
        check_scalar(self.gamma_d, "gamma_d", low=0)
        check_scalar(self.d_peak, "d_peak", low=0)


@dataclass(frozen=True)
class Stage:
    """An S-layer followed by its C-layer."""

    s: SLayerConfig
    c: CLayerConfig


@dataclass(frozen=True)
class NetworkConfig:
    """A whole cascade and its training schedule.

    Attributes
    ----------
    input_shape : (int, int)
        Size of the input layer U0, whose cells take values in ``[0, 1]`` (0 background,
        1 ink; :class:`neocognitron.Neocognitron` refuses other input).
    stages : tuple of Stage
    alpha : float
        C-cell saturation constant in ``psi[x] = phi[x] / (alpha + phi[x])``.
    init_scale, init_bias, init_jitter : float
        Initial excitatory weights (see :func:`neocognitron.fukushima1980.weights.initial_a`).
    repeats : int
        Presentations of each training pattern (patterns are cycled in order).
    max_shift : int
        Largest random shift (pixels, each axis) of a training presentation; shifts never
        push ink off the input.
    """

    input_shape: tuple
    stages: tuple
    alpha: float = 0.5
    init_scale: float = 0.01
    init_bias: float = 0.2
    init_jitter: float = 0.0
    repeats: int = 20
    max_shift: int = 2
    notes: str = field(default="", compare=False)

    def __post_init__(self):
        object.__setattr__(self, "input_shape", check_shape2(self.input_shape, "input_shape"))
        object.__setattr__(self, "stages", tuple(self.stages))
        if not self.stages or not all(isinstance(s, Stage) for s in self.stages):
            raise TypeError("stages must be a non-empty sequence of Stage")
        check_scalar(self.alpha, "alpha", low=0)
        check_scalar(self.repeats, "repeats", low=0, integer=True)
        check_scalar(self.max_shift, "max_shift", low=0, low_inclusive=True, integer=True)
        prev = self.input_shape
        for i, st in enumerate(self.stages, start=1):
            for layer, name in ((st.s, f"US{i}"), (st.c, f"UC{i}")):
                if prev[0] < layer.field[0] or prev[1] < layer.field[1]:
                    raise ValueError(
                        f"{name}'s receptive field {layer.field} is larger than the "
                        f"layer below it {prev}"
                    )
                prev = layer.size

    def to_dict(self):
        """A JSON-ready dict (used in results and saved models)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        stages = tuple(
            Stage(SLayerConfig(**s["s"]), CLayerConfig(**s["c"])) for s in d["stages"]
        )
        return cls(**{**d, "stages": stages})


def fukushima1980(planes=24):
    """The network simulated in Fukushima (1980), section 4 (docs/design.md §1, the table).

    U0 16x16; US1 24x16x16 (5x5, r=4, q=1); UC1 24x10x10; US2 24x8x8 (5x5x24, r=1.5,
    q=16); UC2 24x6x6; US3 24x2x2 (5x5x24, r=1.5, q=16, column 2x2x24); UC3 24x1x1 (2x2).
    alpha = 0.5; each of the five patterns presented 20 times at a random shift.

    What the paper leaves open was first chosen by a coordinate search on seeds 0-9 (not
    kept); ``experiments/search_fukushima1980.py`` then scored a coarse grid around these
    values on tuning seeds 1000-1099 only, with held-out variants none of which is a
    training presentation, and kept them (no setting beat them by two standard errors):
    ``c`` falls off fast in US1 (``gamma_c = 0.4``: the learned US1 weights are short line
    segments rather than whole 5x5 corners), slowly in US2 (0.8) and US3 (0.9); ``d`` falls
    off with 0.8 and peaks at 1; initial weights 0.01 with an orientation bias of 0.3;
    training shifts of at most 2 pixels (not searched: the held-out shifts are defined by
    it). A larger or flatter ``d`` buys tolerance at the price of patterns sharing a UC3
    cell; a flatter ``c`` in US1 does the opposite (the search's docstring gives the
    numbers). The results on seeds 0-29 are those of ``experiments/fukushima1980.py``.

    Parameters
    ----------
    planes : int, default 24
        Cell-planes ``K`` in every layer; 24 is the paper's network. Section 5 of the paper
        presumes that more planes would let ten patterns self-organise steadily; every other
        parameter stays as it is.
    """
    planes = check_scalar(planes, "planes", low=0, integer=True)
    return NetworkConfig(
        input_shape=(16, 16),
        stages=(
            Stage(
                SLayerConfig(planes, (16, 16), (5, 5), (5, 5), r=4.0, q=1.0, gamma_c=0.4),
                CLayerConfig((10, 10), (5, 5)),
            ),
            Stage(
                SLayerConfig(planes, (8, 8), (5, 5), (5, 5), r=1.5, q=16.0),
                CLayerConfig((6, 6), (5, 5)),
            ),
            Stage(
                SLayerConfig(planes, (2, 2), (5, 5), (2, 2), r=1.5, q=16.0, gamma_c=0.9),
                CLayerConfig((1, 1), (2, 2)),
            ),
        ),
        alpha=0.5,
        init_scale=0.01,
        init_bias=0.3,
        repeats=20,
        max_shift=2,
    )
