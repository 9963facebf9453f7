"""What an experiment writes into its output folder, described once and used twice: to save
a run and to redraw its figures for ``--replot``.

An experiment says how to draw (``draw(results, arrays) -> {file name: figure}``, and
``markdown(results) -> str`` when it writes a ``results.md``) and whether its figures need
arrays beside ``results.json``; :class:`Outputs` does the rest::

    OUTPUTS = Outputs(draw, markdown=None, arrays=True)

    OUTPUTS.add_replot_option(parser)              # --replot DIR
    if args.replot is not None:
        return OUTPUTS.replot(parser, args.replot, args.out)
    with provenance.Run(out, ...) as run:
        ...
        written = OUTPUTS.save(run, out, results, arrays)

A run writes ``results.json`` and ``figures.npz`` (stage ``"save results"``), then draws the
figures and ``results.md`` from the files just written (stage ``"figures"``), exactly as
``--replot`` draws them from a saved folder: one drawing function for both, so a replot is
the run's figures byte for byte.
"""

from pathlib import Path

from ._replot import add_replot_option, load_outputs, run_replot, save_arrays
from .results import save_figure, write_json, write_text

__all__ = ["Outputs", "wrote"]


class Outputs:
    """The files an experiment writes and how its figures are drawn from them.

    Parameters
    ----------
    draw : callable
        ``draw(results, arrays) -> {file name: matplotlib Figure}``: every figure, from
        the content of ``results.json`` and ``figures.npz`` alone (no data, no training).
    markdown : callable, optional
        ``markdown(results) -> str``, written to ``results.md`` after the figures.
    arrays : bool, default True
        Whether the figures need ``figures.npz`` (arrays that are no numbers to read);
        without it, ``draw`` gets an empty mapping.
    dpi : int, default 150
        Resolution of the figures.
    """

    def __init__(self, draw, markdown=None, arrays=True, dpi=150):
        if not callable(draw):
            raise TypeError(f"draw must be callable, got {type(draw).__name__}")
        if markdown is not None and not callable(markdown):
            raise TypeError(f"markdown must be callable or None, got {type(markdown).__name__}")
        self.draw, self.markdown, self.arrays, self.dpi = draw, markdown, bool(arrays), dpi

    @property
    def noun(self):
        """What ``--replot`` says it redrew: figures, or files when a table is among them."""
        return "figures" if self.markdown is None else "files"

    def add_replot_option(self, parser, draws="the figures", skips="no data, no training"):
        """Give ``parser`` the ``--replot DIR`` option (see
        :func:`~neocognitron.workflow.provenance.add_replot_option`), naming the files it
        redraws from."""
        source = "the results.json and figures.npz" if self.arrays else "the results.json"
        return add_replot_option(parser, draws=draws, source=source, skips=skips)

    def write(self, results, arrays, out):
        """Draw every figure (and ``results.md``) from ``results`` and ``arrays`` into the
        folder ``out``; returns the paths written, figures first."""
        out = Path(out)
        written = [save_figure(fig, out / name, dpi=self.dpi)
                   for name, fig in self.draw(results, arrays).items()]
        if self.markdown is not None:
            written.append(write_text(self.markdown(results), out / "results.md"))
        return written

    def redraw(self, folder, out=None):
        """Redraw from what a run saved in ``folder`` into ``out`` (default ``folder``);
        returns the paths written. Reads no data and trains nothing; raises
        :class:`~neocognitron.workflow.provenance.MissingOutputError` naming a missing file."""
        results, arrays = load_outputs(folder, arrays="figures.npz" if self.arrays else None)
        return self.write(results, arrays, folder if out is None else out)

    def replot(self, parser, folder, out):
        """``--replot``: :meth:`redraw` through
        :func:`~neocognitron.workflow.provenance.run_replot` (a missing file ends the
        program through ``parser``; what was drawn is printed)."""
        return run_replot(parser, self.redraw, folder, out, noun=self.noun)

    def save(self, run, out, results, arrays=None, extra=()):
        """Save a run's outputs into ``out`` and draw its figures from them.

        Stage ``"save results"`` of ``run`` writes ``results.json``, ``figures.npz`` (from
        ``arrays``, a dict of name -> array) and whatever each ``extra(out)`` writes (it
        returns its path); stage ``"figures"`` then redraws from the files just written,
        exactly as ``--replot`` does.

        Returns
        -------
        written : list of Path
            Every file written, in that order.
        """
        out = Path(out)
        if self.arrays and arrays is None:
            raise ValueError("these outputs include figures.npz: pass the arrays to save")
        with run.stage("save results"):
            written = [write_json(results, out / "results.json")]
            if self.arrays:
                written.append(save_arrays(out / "figures.npz", **arrays))
            written += [save(out) for save in extra]
        with run.stage("figures"):
            written += self.redraw(out)
        return written


def wrote(out, written, seconds):
    """The line an experiment ends with: how many files it wrote, where, which, how long."""
    return (f"wrote {len(written)} files to {Path(out).resolve()}/: "
            + ", ".join(Path(p).name for p in written) + f" in {seconds} s")
