"""run.json: what it records, when it is written, and what a failed or git-less run leaves;
one folder, one run: a folder another run holds or another experiment wrote is refused."""

import argparse
import json
import os
import re
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest
from mnist_home import ROOT, load_experiment

from neocognitron.workflow import provenance
from neocognitron.workflow.results import (
    FolderInUseError,
    FolderLock,
    ForeignFolderError,
    write_json,
    write_text,
)

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")


def read(path):
    return json.loads(path.read_text())


def test_fields_present_and_typed(tmp_path):
    with provenance.Run(tmp_path / "out", argv=["--quick", "--seed", "3"], seeds={"model": 3},
                        script="experiments/x.py") as run:
        with run.stage("fit"):
            pass
    rec = read(tmp_path / "out" / "run.json")
    assert rec == run.record
    assert set(rec) == {"schema", "status", "command", "out_dir", "seeds", "git", "versions",
                        "machine", "environment", "started", "finished", "wall_seconds",
                        "stages", "notes", "error"}
    assert rec["schema"] == 1 and rec["status"] == "finished" and rec["error"] is None
    cmd = rec["command"]
    assert cmd["argv"][1:] == ["--quick", "--seed", "3"]
    assert cmd["argv"][0].endswith("x.py") and cmd["script"] == cmd["argv"][0]
    assert cmd["line"].endswith("x.py --quick --seed 3") and cmd["python"] == sys.executable
    assert rec["seeds"] == {"model": 3}
    assert rec["out_dir"] == str(tmp_path / "out")

    v = rec["versions"]
    assert set(v) == {"python", "neocognitron", "numpy", "numba", "scipy", "scikit-learn",
                      "matplotlib"}
    assert v["numpy"] == np.__version__ and v["python"].count(".") == 2
    assert all(isinstance(x, str) for x in v.values())  # all installed here

    m = rec["machine"]
    assert {"hostname", "platform", "machine", "processor", "cpu_count", "cpu_affinity",
            "numba_threads"} <= set(m)
    assert isinstance(m["hostname"], str) and isinstance(m["platform"], str)
    assert isinstance(m["cpu_count"], int) and m["cpu_count"] >= 1
    assert m["cpu_affinity"] is None or 1 <= m["cpu_affinity"] <= m["cpu_count"]

    git = rec["git"]
    assert set(git) == {"commit", "dirty", "changed_files"}
    if git["commit"] is not None:  # run from a checkout
        assert re.fullmatch(r"[0-9a-f]{40}", git["commit"]) and isinstance(git["dirty"], bool)
    assert isinstance(git["changed_files"], list)

    for key in ("started", "finished"):
        assert ISO.match(rec[key]), rec[key]
    start = datetime.fromisoformat(rec["started"])
    assert start <= datetime.fromisoformat(rec["finished"])
    assert isinstance(rec["wall_seconds"], float) and rec["wall_seconds"] >= 0
    assert isinstance(rec["environment"], dict)


def test_summary_repeats_version_and_machine_from_the_record(tmp_path):
    with provenance.Run(tmp_path / "out", argv=[]) as run:
        summary = run.summary()
    import neocognitron

    assert summary == {"neocognitron_version": neocognitron.__version__,
                       "machine": {"cpus": os.cpu_count(),
                                   "python": run.record["versions"]["python"]}}
    assert run.record["versions"]["python"].count(".") == 2


def test_argv_defaults_to_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["experiments/y.py", "--out", "o"])
    with provenance.Run(tmp_path) as run:
        pass
    assert run.record["command"]["argv"][1:] == ["--out", "o"]
    assert run.record["command"]["script"].endswith("y.py")
    assert run.record["seeds"] is None


def test_stage_times_are_recorded_in_order(tmp_path):
    with provenance.Run(tmp_path) as run:
        with run.stage("load data"):
            pass
        with run.stage("fit"):
            t = 0
            while t < 1e5:  # a little work, so the time is positive
                t += 1
        with run.stage("figures"):
            pass
    stages = read(tmp_path / "run.json")["stages"]
    assert [s["name"] for s in stages] == ["load data", "fit", "figures"]
    assert all(s["status"] == "finished" for s in stages)
    assert all(isinstance(s["seconds"], float) and s["seconds"] >= 0 for s in stages)
    assert stages[1]["seconds"] > 0
    assert all(ISO.match(s["started"]) for s in stages)
    assert sum(s["seconds"] for s in stages) <= run.record["wall_seconds"] + 1e-3
    assert set(run.stages) == {"load data", "fit", "figures"}


def test_valid_json_after_every_stage(tmp_path):
    """Read back while running: what an interrupted run would leave."""
    path = tmp_path / "run.json"
    with provenance.Run(tmp_path) as run:
        rec = read(path)
        assert rec["status"] == "running" and rec["stages"] == []
        assert rec["finished"] is None and rec["wall_seconds"] is None
        with run.stage("fit"):
            rec = read(path)
            assert rec["stages"] == [{"name": "fit", "status": "running",
                                      "started": rec["stages"][0]["started"],
                                      "seconds": None}]
        rec = read(path)
        assert rec["status"] == "running"
        assert rec["stages"][0]["status"] == "finished"
        with run.stage("evaluate"):
            pass
        run.note(n_train=1000)
        rec = read(path)
        assert [s["status"] for s in rec["stages"]] == ["finished", "finished"]
        assert rec["notes"] == {"n_train": 1000}
    assert read(path)["status"] == "finished"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]  # no temporary left


def test_failure_is_recorded_and_reraised(tmp_path):
    with pytest.raises(ValueError, match="diverged"):
        with provenance.Run(tmp_path) as run:
            with run.stage("load data"):
                pass
            with run.stage("fit"):
                raise ValueError("loss diverged")
    rec = read(tmp_path / "run.json")
    assert rec["status"] == "failed"
    assert rec["error"]["type"] == "ValueError"
    assert rec["error"]["message"] == "loss diverged"
    assert "loss diverged" in rec["error"]["traceback"]
    assert [(s["name"], s["status"]) for s in rec["stages"]] == [("load data", "finished"),
                                                                ("fit", "failed")]
    assert isinstance(rec["stages"][1]["seconds"], float)
    assert ISO.match(rec["finished"]) and run.status == "failed"
    assert run.stages == {"load data": rec["stages"][0]["seconds"]}


def test_interrupt_is_recorded_too(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with provenance.Run(tmp_path):
            raise KeyboardInterrupt
    rec = read(tmp_path / "run.json")
    assert rec["status"] == "failed" and rec["error"]["type"] == "KeyboardInterrupt"


def test_killed_run_leaves_running_status(tmp_path):
    """A process that dies mid-stage (no __exit__) leaves status "running" and the stages
    that finished."""
    code = ("import os\n"
            "from neocognitron.workflow import provenance\n"
            f"run = provenance.Run({str(tmp_path)!r}).__enter__()\n"
            "with run.stage('load data'):\n"
            "    pass\n"
            "with run.stage('fit'):\n"
            "    os._exit(9)\n")
    proc = subprocess.run([sys.executable, "-c", code], timeout=120)
    assert proc.returncode == 9
    rec = read(tmp_path / "run.json")
    assert rec["status"] == "running" and rec["finished"] is None
    assert [(s["name"], s["status"]) for s in rec["stages"]] == [("load data", "finished"),
                                                                ("fit", "running")]


def test_no_git_gives_nulls(tmp_path, monkeypatch):
    monkeypatch.setattr(provenance, "GIT", str(tmp_path / "no-such-git"))
    with provenance.Run(tmp_path / "out") as run:
        pass
    assert run.record["git"] == {"commit": None, "dirty": None, "changed_files": []}
    assert read(tmp_path / "out" / "run.json")["git"]["commit"] is None


def test_not_a_checkout_gives_nulls(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert provenance.git_info(tmp_path) == {"commit": None, "dirty": None,
                                             "changed_files": []}
    # the package folder counts only when it is the top of a checkout
    monkeypatch.setattr(provenance, "ROOT", provenance.ROOT / "neocognitron")
    assert provenance.git_info()["commit"] is None


def test_default_root_is_the_checkout_holding_the_package():
    # the package's own checkout is what a run names: ROOT must be its top, however deep
    # provenance.py sits in the package (it moved into workflow/ once and lost the commit)
    assert (provenance.ROOT / "neocognitron" / "workflow" / "provenance.py").is_file()
    if not (provenance.ROOT / ".git").exists():
        pytest.skip("not run from a git checkout")
    assert re.fullmatch(r"[0-9a-f]{40}", provenance.git_info()["commit"] or "")


def test_git_in_a_checkout(tmp_path, git):
    (tmp_path / "a.txt").write_text("a\n")
    git("add", "a.txt")
    git.commit("a")
    info = provenance.git_info(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{40}", info["commit"])
    assert info["dirty"] is False and info["changed_files"] == []
    (tmp_path / "a.txt").write_text("b\n")
    info = provenance.git_info(tmp_path)
    assert info["dirty"] is True and info["changed_files"] == ["a.txt"]


def test_a_run_records_once_and_stages_need_a_run(tmp_path):
    run = provenance.Run(tmp_path)
    with pytest.raises(RuntimeError):
        with run.stage("fit"):
            pass
    with run:
        pass
    with pytest.raises(RuntimeError):
        run.__enter__()


# ---------------------------------------------------------------------- one folder, one run
FUKUSHIMA = "experiments/fukushima1980.py"
# a run of "fukushima1980.py" in another process that holds its folder until its stdin closes
HOLD = ("import sys\n"
        "from neocognitron.workflow import provenance\n"
        "out = sys.argv[1]\n"
        f"with provenance.Run(out, argv=['--out', out], script={FUKUSHIMA!r}):\n"
        "    print('holding', flush=True)\n"
        "    sys.stdin.read()\n")


def _parser():
    return argparse.ArgumentParser(prog="exp.py")


def _refused(run, capsys):
    """``run`` (made with a parser) exits with code 2 and one line on stderr; that line."""
    with pytest.raises(SystemExit) as exit_:
        with run:
            raise AssertionError("entered a refused folder")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("exp.py: error: ") and err.count("\n") == 1, err
    return err


def test_a_folder_another_process_holds_is_refused_naming_it(tmp_path, capsys):
    out = tmp_path / "res"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "holding\n"
        record = (out / "run.json").read_bytes()
        owner = f"{out} is in use by {FUKUSHIMA} (pid {holder.pid}: python {FUKUSHIMA} --out {out}"
        # the same experiment: a second copy would overwrite the first one's files
        with pytest.raises(FolderInUseError, match=re.escape(owner)):
            with provenance.Run(out, script=FUKUSHIMA):
                raise AssertionError("entered a folder in use")
        err = _refused(provenance.Run(out, script=FUKUSHIMA, parser=_parser()), capsys)
        assert owner in err and "use another output folder" in err
        assert (out / "run.json").read_bytes() == record  # the holder's record untouched
    finally:
        holder.kill()  # SIGKILL: the kernel drops the lock with the process
        holder.wait()
    assert read(out / "run.json")["status"] == "running"
    with provenance.Run(out, script=FUKUSHIMA) as run:  # free again: a rerun may start
        pass
    assert read(out / "run.json") == run.record
    assert sorted(p.name for p in out.iterdir()) == ["run.json"]  # the lock file is gone


def test_a_rerun_of_the_same_experiment_replaces_its_results(tmp_path):
    out = tmp_path / "res"
    with provenance.Run(out, argv=["--seed", "0"], script=FUKUSHIMA):
        write_json({"seed": 0}, out / "results.json")
    # the same script from another checkout or working directory is the same experiment
    with provenance.Run(out, argv=["--seed", "1"], script=ROOT / FUKUSHIMA):
        write_json({"seed": 1}, out / "results.json")
    assert read(out / "run.json")["command"]["argv"][1:] == ["--seed", "1"]
    assert read(out / "results.json") == {"seed": 1}


@pytest.mark.parametrize("content, says", [
    ("run.json", f"holds the results of {FUKUSHIMA} (says its run.json)"),
    ("results.json", "holds results.json but no run.json saying which experiment wrote them"),
    ("sweep.json", "holds a sweep (sweep.json)"),
    ("bad run.json", "holds a run.json that is no run record (JSONDecodeError"),
])
def test_a_folder_holding_what_another_wrote_is_refused(tmp_path, capsys, content, says):
    out = tmp_path / "res"
    if content == "run.json":
        with provenance.Run(out, script=FUKUSHIMA):
            write_json({"winners": [20, 10]}, out / "results.json")
    elif content == "bad run.json":
        write_text("{", out / "run.json")
    else:
        write_json({"a": 1}, out / content)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    mnist = "experiments/mnist_neocognitron.py"
    with pytest.raises(ForeignFolderError, match=re.escape(f"{out} {says}")):
        with provenance.Run(out, script=mnist):
            raise AssertionError("entered another experiment's folder")
    err = _refused(provenance.Run(out, script=mnist, parser=_parser()), capsys)
    assert f"{out} {says}" in err and f"{mnist} will not write into it" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written


@pytest.mark.parametrize("name", ["fukushima1980", "mnist_neocognitron", "mnist_cnn",
                                  "digits_ablation", "shift_invariance"])
def test_every_experiment_refuses_a_folder_in_use_or_foreign(tmp_path, capsys, name):
    # both refusals come before any data is read or model fitted
    module = load_experiment(name)
    out = tmp_path / "res"
    with FolderLock(out, "experiments/other.py", "python experiments/other.py --out res"):
        with pytest.raises(SystemExit) as exit_:
            module.main(["--out", str(out), "--quick"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{out} is in use by experiments/other.py (pid {os.getpid()}: python " in err, err
    assert err.count("\n") == 1 and not list(out.iterdir())
    with provenance.Run(out, script="experiments/other.py"):
        pass
    with pytest.raises(SystemExit) as exit_:
        module.main(["--out", str(out), "--quick"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{out} holds the results of experiments/other.py (says its run.json)" in err, err
    assert f"{name}.py will not write into it" in err and err.count("\n") == 1
    assert read(out / "run.json")["command"]["script"] == "experiments/other.py"
