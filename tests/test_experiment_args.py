"""Every experiment script refuses bad numeric options with argparse's own error.

Before, ``mnist_neocognitron.py --train-size 0`` ran on all 60,000 digits (0 read as "the
default"), and ``--seed -1`` or ``fukushima1980.py --jobs 0`` ended in numpy or joblib
tracebacks after the data was loaded. The scripts now read their options through the types
of :mod:`neocognitron.cli`: a bad value exits with status 2 and one error line naming the
option, before any run starts. No data is needed: ``provenance.Run`` (where every script's
work begins) is replaced by a sentinel, so a script that gets past its arguments stops
there.
"""

import argparse

import pytest
from mnist_home import ROOT, load_experiment

from neocognitron import cli
from neocognitron.workflow import provenance

GRID = str(ROOT / "experiments" / "sweeps" / "digits_neocognitron.toml")

#: per script: the arguments that must come first, then (option, bad values, a good value)
SCRIPTS = {
    "digits_ablation": ([], [
        ("--train-size", ["0", "-5", "ten"], "100"),
        ("--val-size", ["0", "-1"], "50"),
        ("--seed", ["-1", "4294967296", "1.5"], "4294967295"),
    ]),
    "digits_hierarchy": ([], [
        ("--sizes", ["0", "3000,x"], "1000,3000"),
        ("--seeds", ["-1", ""], "0,1"),
        ("--val-size", ["0"], "100"),
        ("--split", ["C"], "B"),
        ("--rows", ["nosuchrow"], "shallow,deep"),
    ]),
    "fukushima1980": ([], [
        ("--seed", ["-1", "x"], "7"),
        ("--seeds", ["0", "-2"], "3"),
        ("--jobs", ["0", "two"], "-2"),
    ]),
    "mnist_cnn": ([], [("--seed", ["-1", "2.0"], "0")]),
    "mnist_neocognitron": ([], [
        ("--train-size", ["0", "-1"], "300"),
        ("--test-size", ["0"], "100"),
        ("--seed", ["-1"], "3"),
        ("--learning-curve", ["0,100", "100,x", ","], "100,50"),
    ]),
    "shift_invariance": ([], [
        ("--train-size", ["0"], "100"),
        ("--test-size", ["-3"], "100"),
        ("--seeds", ["0,-1", ""], "0,1"),
        ("--seed", ["-1"], "2"),
        ("--cnn-epochs", ["0"], "1"),
    ]),
    "sweep": ([GRID], [
        ("--n-jobs", ["0", "many"], "-1"),
        ("--threads", ["0", "-1"], "auto"),
    ]),
}

BAD = [(script, opt, value) for script, (_, rows) in SCRIPTS.items()
       for opt, values, _ in rows for value in values]
GOOD = [(script, opt, good) for script, (_, rows) in SCRIPTS.items() for opt, _, good in rows]


class Started(Exception):
    """Raised where a run would begin: the arguments were accepted."""


@pytest.fixture
def no_runs(monkeypatch):
    def started(*args, **kwargs):
        raise Started

    monkeypatch.setattr(provenance, "Run", started)


def _main(script, opt, value, tmp_path):
    lead, _ = SCRIPTS[script]
    return load_experiment(script).main([*lead, "--out", str(tmp_path / "out"),
                                         f"{opt}={value}"])


@pytest.mark.parametrize("script, opt, value", BAD)
def test_bad_option_exits_2_naming_it(script, opt, value, tmp_path, capsys, no_runs):
    with pytest.raises(SystemExit) as exit_:
        _main(script, opt, value, tmp_path)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 1, err
    assert f"argument {opt}" in errors[0] or f"/{opt}:" in errors[0], errors[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("script, opt, value", GOOD)
def test_good_option_is_accepted(script, opt, value, tmp_path, no_runs):
    with pytest.raises(Started):
        _main(script, opt, value, tmp_path)


def test_types():
    assert cli.positive_int("12") == 12
    assert cli.seed("0") == 0 and cli.seed(str(cli.MAX_SEED)) == cli.MAX_SEED
    assert cli.seed_list("3, 1,2") == [3, 1, 2]
    assert cli.positive_int_list("1000,300,300") == [300, 1000]
    assert cli.n_jobs("-1") == -1 and cli.n_jobs("4") == 4
    assert cli.threads("auto") is None and cli.threads("2") == 2
    for fn, text in [(cli.positive_int, "0"), (cli.seed, "-1"), (cli.n_jobs, "0"),
                     (cli.seed_list, ""), (cli.threads, "0"), (cli.positive_int, "1e3")]:
        with pytest.raises(argparse.ArgumentTypeError):
            fn(text)


@pytest.mark.parametrize("script, argv", [
    ("mnist_neocognitron", ["--train-size", "0"]),
    ("mnist_neocognitron", ["--seed", "-1"]),
    ("fukushima1980", ["--jobs", "0"]),
])
def test_the_reported_commands(script, argv, tmp_path, capsys, no_runs):
    """As typed in the issue (value after a space), which used to run or crash."""
    with pytest.raises(SystemExit) as exit_:
        load_experiment(script).main(["--out", str(tmp_path), *argv])
    assert exit_.value.code == 2
    assert f"error: argument {argv[0]}" in capsys.readouterr().err
