"""What the sweep tests (``test_sweep_*.py``) share: writing a grid file and reading back the
points a sweep saved."""

import json
from pathlib import Path

LR = "sklearn.linear_model.LogisticRegression"


def write_grid(tmp_path, raw, name="grid.json"):
    path = tmp_path / name
    path.write_text(json.dumps(raw))
    return path


def point_results(out):
    """The records of the points done in the sweep folder ``out``, by key (failed ones left
    out)."""
    return {p.stem: json.loads(p.read_text())
            for p in (Path(out) / "points").glob("*.json") if not p.stem.endswith(".error")}
