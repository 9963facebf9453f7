"""What the experiment tests share: where MNIST is, loading and running an experiment
script, and the checks of its ``--replot``.

Every test that needs MNIST finds it here, the same way: in ``$NEOCOGNITRON_DATA`` if it holds
the four files, else in the CI folder ``../shared/datasets/mnist`` beside the repository
(``$NEOCOGNITRON_CI_DATA`` moves that folder, and empty hides it, so that a test can run
pytest as on a machine without MNIST). Absent, ``mnist_home()`` is ``None`` and the tests
skip with :data:`SKIP_REASON` (``needs_mnist``) instead of downloading; ``conftest.py``
counts those skips in one line at the end of the run.

The checks here are plain functions (pytest does not rewrite their ``assert``), so each
assertion carries its own message."""

import contextlib
import importlib.util
import io
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte")


#: The reason of every skip for want of MNIST, which ``conftest.py`` counts.
SKIP_REASON = "MNIST files not available"


def ci_folder():
    """The absolute folder where CI keeps MNIST, or ``None`` when hidden."""
    moved = os.environ.get("NEOCOGNITRON_CI_DATA")
    if moved is not None:
        return Path(moved).resolve() if moved else None
    return (ROOT.parent / "shared" / "datasets" / "mnist").resolve()


def mnist_home():
    """An absolute folder holding the MNIST IDX files (gzipped or not), or ``None``."""
    for home in (os.environ.get("NEOCOGNITRON_DATA"), ci_folder()):
        if not home:
            continue
        home = Path(home).resolve()
        for d in (home, home / "mnist"):
            if all(any((d / (f + gz)).is_file() for gz in (".gz", "")) for f in FILES):
                return d
    return None


#: Marks a test that reads the real MNIST files: skipped with :data:`SKIP_REASON` without them.
needs_mnist = pytest.mark.skipif(mnist_home() is None, reason=SKIP_REASON)


def load_experiment(name):
    """The module ``experiments/<name>.py`` (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "experiments" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_experiment(name, out, args):
    """Run ``experiments/<name>.py``'s ``main(["--out", out, *args])`` in this process.

    Returns ``(out, returned, printed)``: the output folder, what ``main`` returned and
    what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        returned = load_experiment(name).main(["--out", str(out), *args])
    return out, returned, printed.getvalue()


def forbid(monkeypatch, targets, why="--replot must neither load data nor train nor predict"):
    """Make every ``owner.name`` of ``targets`` (``(owner, name)`` pairs, each of which must
    exist) raise ``AssertionError(why)`` for the rest of the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError(why)

    for owner, name in targets:
        monkeypatch.setattr(owner, name, forbidden)


def assert_replot_identical(module, out, new, files, capsys):
    """``module.main(["--replot", out, "--out", new])`` says it drew into ``new``, writes
    exactly ``files`` there (besides them ``new`` holds only the figures ``out`` holds) and
    each is byte for byte the one the run wrote in ``out``: drawn from the same saved
    numbers, by the same code. Returns the paths ``main`` returned."""
    written = module.main(["--replot", str(out), "--out", str(new)])
    printed = capsys.readouterr().out
    assert str(new.resolve()) in printed, f"{new} not named in {printed!r}"
    names = sorted(p.name for p in written)
    assert names == sorted(files), f"wrote {names}, not {sorted(files)}"
    present = sorted(p.name for p in new.iterdir())
    expected = sorted([p.name for p in out.glob("*.png")]
                      + [f for f in files if not f.endswith(".png")])
    assert present == expected, f"{new} holds {present}, not {expected}"
    for name in files:
        assert (new / name).read_bytes() == (out / name).read_bytes(), \
            f"{name} differs from the one the run drew"
    return written


def assert_replot_refuses_missing(module, folder, capsys, out=None):
    """``module.main(["--replot", folder] (+ ["--out", out]))`` on a ``folder`` without
    results.json exits with code 2 and says so on stderr, writing nothing: ``folder`` is
    left as it was (no figures, no run.json) and ``out`` is not made. Returns stderr."""
    before = sorted(folder.iterdir())
    argv = ["--replot", str(folder)] + ([] if out is None else ["--out", str(out)])
    with pytest.raises(SystemExit) as exit_:
        module.main(argv)
    assert exit_.value.code == 2, f"exit code {exit_.value.code}, not 2"
    err = capsys.readouterr().err
    assert f"{folder} has no results.json" in err and "run it first" in err, err
    after = sorted(folder.iterdir())
    assert after == before, f"{folder} held {before}, now {after}"
    assert out is None or not Path(out).exists(), f"{out} was made"
    return err


def assert_run_wrote(out, printed, names, min_size=1000):
    """A run printed its output folder ``out``, wrote each of ``names`` there (each over
    ``min_size`` bytes) and left no temporary (dot) files behind."""
    assert str(out.resolve()) in printed, f"{out} not named in {printed!r}"
    for name in names:
        size = (out / name).stat().st_size
        assert size > min_size, f"{name}: {size} bytes"
    left = list(out.glob(".*"))
    assert not left, f"temporary files left behind: {left}"
