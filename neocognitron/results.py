"""Writing experiment outputs safely: to a temporary name in the same folder, then renamed,
so an interrupted run never leaves a half-written figure or JSON behind."""

import json
import os
import tempfile
from pathlib import Path

import numpy as np


def _atomic(path, write):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        # mkstemp makes the file private (0600); results get the umask's permissions
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def write_json(obj, path):
    """Write ``obj`` as indented JSON (numpy scalars and arrays allowed), atomically."""
    text = json.dumps(obj, indent=2, default=_default, allow_nan=False)
    return _atomic(path, lambda fh: fh.write(text.encode() + b"\n"))


def save_figure(fig, path, dpi=150):
    """Save a matplotlib figure atomically and close it."""
    import matplotlib.pyplot as plt

    fmt = Path(path).suffix.lstrip(".") or "png"
    try:
        return _atomic(path, lambda fh: fig.savefig(fh, format=fmt, dpi=dpi,
                                                     bbox_inches="tight"))
    finally:
        plt.close(fig)
