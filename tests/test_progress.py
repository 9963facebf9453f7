"""Progress bars say "compiling kernels" while numba compiles, not an ETA (``progress``).

A step that compiles is simulated by compiling a fresh numba function (a real
``numba:compile`` event) and sleeping; the other steps are fast. The call-site tests run
each estimator's fit with ``verbose=True`` and such a step first.
"""

import io
import re
import time

import numba
import numpy as np
import pytest

from neocognitron import _numba, progress
from neocognitron.progress import COMPILING, KernelProgress

SLOW = 1.0  # seconds the compiling step takes
STEP = 0.01


def compile_something():
    """Compile a new numba function: numba broadcasts ``numba:compile`` events."""

    @numba.njit
    def fresh(x):
        return x + 1

    fresh(1.0)


def frames(text):
    return [f for f in text.replace("\r", "\n").split("\n") if f.strip()]


def remaining_seconds(frame):
    """The ``<MM:SS`` remaining time of a tqdm frame (None when it shows ``?``)."""
    m = re.search(r"<(\d+):(\d+)", frame)
    return None if m is None else 60 * int(m.group(1)) + int(m.group(2))


def run_bar(n=20, compile_at=0, **kwargs):
    out = io.StringIO()
    for i in KernelProgress(range(n), file=out, mininterval=0, desc="bar", **kwargs):
        if i == compile_at:
            compile_something()
            time.sleep(SLOW)
        time.sleep(STEP)
    return frames(out.getvalue())


def test_label_while_compiling_and_an_eta_of_the_compiled_steps():
    fr = run_bar()
    labelled = [f for f in fr if COMPILING in f]
    assert labelled and all(" 0/20" in f for f in labelled)  # before the first step ends
    later = [f for f in fr if re.search(r" (\d+)/20", f) and int(
        re.search(r" (\d+)/20", f).group(1)) >= 3]
    assert later and all(COMPILING not in f for f in later)
    # 17 steps of 10 ms remain at step 3: a plain tqdm bar would say about 17 s
    eta = [remaining_seconds(f) for f in later[:-1]]
    assert max(e for e in eta if e is not None) <= 1


def test_plain_tqdm_would_have_promised_the_compile_time():
    # the failure this module prevents, with the same steps and a plain bar
    from tqdm.auto import tqdm

    out = io.StringIO()
    for i in tqdm(range(20), file=out, mininterval=0):
        if i == 0:
            compile_something()
            time.sleep(SLOW)
        time.sleep(STEP)
    frame = next(f for f in frames(out.getvalue()) if " 3/20" in f)
    assert remaining_seconds(frame) >= 3


def test_a_later_compile_is_labelled_too_and_the_callers_postfix_comes_back():
    out = io.StringIO()
    bar = KernelProgress(total=6, file=out, mininterval=0)
    bar.set_postfix(loss="0.5")
    for i in range(6):
        if i == 3:
            compile_something()
            time.sleep(SLOW)
        time.sleep(STEP)
        bar.update(1)
    bar.close()
    fr = frames(out.getvalue())
    assert [f for f in fr if COMPILING in f] and all(" 3/6" in f for f in fr if COMPILING in f)
    assert "loss=0.5" in fr[-1] and COMPILING not in fr[-1]
    assert " 6/6" in fr[-1]


def test_no_compile_no_label_and_none_after_close():
    compile_something()  # numba itself compiled once already
    fr = run_bar(compile_at=-1)
    assert fr and all(COMPILING not in f for f in fr)
    out = io.StringIO()
    bar = KernelProgress(total=2, file=out)
    bar.close()
    written = out.getvalue()
    compile_something()
    assert out.getvalue() == written  # a closed bar no longer listens


def test_first_step_compiles_labels_the_first_step_without_numba():
    fr = run_bar(compile_at=-1, first_step_compiles=True)
    labelled = [f for f in fr if COMPILING in f]
    assert labelled and all(" 0/20" in f for f in labelled)
    assert all(COMPILING not in f for f in fr if " 1/20" in f or " 2/20" in f)


def test_disabled_bar_iterates_and_shows_nothing(capsys):
    assert list(KernelProgress(range(3), disable=True)) == [0, 1, 2]
    compile_something()
    assert capsys.readouterr().err == ""


def test_workers_compile_only_without_the_cache(monkeypatch):
    monkeypatch.setattr(_numba, "CACHE", True)
    assert not progress.workers_compile()
    monkeypatch.setattr(_numba, "CACHE", False)
    assert progress.workers_compile()


# ------------------------------------------------------------------- the call sites


def compiling_first_call(fn):
    """``fn`` whose first call also compiles a numba function."""
    calls = []

    def wrapper(*args, **kwargs):
        if not calls:
            compile_something()
        calls.append(1)
        return fn(*args, **kwargs)

    return wrapper


def labelled_bars(err):
    """Descriptions of the bars that showed the label."""
    return {f.split(":")[0].strip() for f in frames(err) if COMPILING in f}


def test_network_fit_bar(monkeypatch, capsys):
    import dataclasses

    from neocognitron import Neocognitron, columns
    from neocognitron.datasets import fukushima1980_patterns
    from neocognitron.fukushima1980.config import fukushima1980

    monkeypatch.setattr(columns, "_representatives",
                        compiling_first_call(columns._representatives))
    cfg = dataclasses.replace(fukushima1980(), repeats=1)
    Neocognitron(config=cfg, random_state=0, verbose=True).fit(fukushima1980_patterns())
    assert labelled_bars(capsys.readouterr().err) == {"self-organising"}


def test_digit_estimator_bars(monkeypatch, capsys):
    from sklearn.datasets import load_digits

    from neocognitron.digits import _fitting, estimator

    X, y = load_digits(return_X_y=True)
    keep = y < 2
    X, y = X[keep][:60].reshape(-1, 8, 8), y[keep][:60]
    for name in ("_forward", "_present", "_fit_top_planes"):
        monkeypatch.setattr(_fitting, name, compiling_first_call(getattr(_fitting, name)))
    estimator.NeocognitronClassifier(
        margin=2, n_orientations=4, max_planes=(6,), thresholds=(0.55, 0.5),
        learning_thresholds=(0.75,), fields=(5, 3), blurs=(1.0, 0.8), strides=(2, 1),
        n_unsupervised=20, n_epochs=1, random_state=0, verbose=True).fit(X, y)
    assert labelled_bars(capsys.readouterr().err) == {
        "forward pass", "U_S2 (unsupervised)", "top (supervised)"}


def test_cnn_bar(monkeypatch, capsys):
    from sklearn.datasets import load_digits

    from neocognitron.cnn import _batch
    from neocognitron.cnn.estimator import ConvNetClassifier

    X, y = load_digits(return_X_y=True)
    monkeypatch.setattr(_batch, "gather", compiling_first_call(_batch.gather))
    ConvNetClassifier(padding="same", max_iter=1, batch_size=64, random_state=0,
                      verbose=True).fit(X[:200].reshape(-1, 8, 8), y[:200])
    err = capsys.readouterr().err
    assert any(COMPILING in f for f in frames(err))
    assert COMPILING not in frames(err)[-1]


@pytest.mark.parametrize("cache", [True, False])
def test_fukushima1980_seeds_bar(monkeypatch, capsys, cache):
    from mnist_home import load_experiment

    exp = load_experiment("fukushima1980")
    monkeypatch.setattr(_numba, "CACHE", cache)
    monkeypatch.setattr(exp, "one_seed", lambda patterns, s, variants, n_curve: s)
    assert exp.run_seeds(np.zeros(2), [0, 1, 2], None, 0, 1, False, "0-4") == [0, 1, 2]
    assert labelled_bars(capsys.readouterr().err) == (set() if cache else {"seeds (0-4)"})
