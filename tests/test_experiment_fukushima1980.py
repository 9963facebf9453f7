"""The main job runs end to end and writes what it says it writes."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_quick_run_writes_figures_and_results(tmp_path):
    out = tmp_path / "res"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / "fukushima1980.py"), "--out", str(out),
         "--quick", "--quiet"],
        capture_output=True, text=True, timeout=600, check=True,
    )
    assert str(out.resolve()) in proc.stdout
    for name in ("fig6.png", "fig7.png", "us1_filters.png", "seeds.png", "tolerance.png",
                 "results.json"):
        assert (out / name).stat().st_size > 1000, name
    assert not list(out.glob(".*.tmp")), "temporary files left behind"
    res = json.loads((out / "results.json").read_text())
    assert res["main"]["distinct"] is True
    assert len(set(res["main"]["winners"])) == 5
    assert res["seeds_digits"]["n_distinct"] >= 2
    assert set(res["main"]["keep"]) == {"shift", "resize", "deform", "noise", "erase"}
    assert res["config"]["stages"][0]["s"]["r"] == 4.0
