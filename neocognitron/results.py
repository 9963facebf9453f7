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


def write_text(text, path, encoding="utf-8"):
    """Write a string to a file atomically.

    The text goes to a temporary file in the same folder, which is renamed to ``path``
    once complete, so an interrupted run never leaves a half-written file behind. Missing
    parent folders are created; the file gets the permissions of the umask.

    Parameters
    ----------
    text : str
        Written as it is (no newline is added).
    path : str or path-like
        The file to write; replaced if it exists.
    encoding : str, default "utf-8"

    Returns
    -------
    path : pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from neocognitron.results import write_text
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_text("| a | b |\\n", Path(tmp) / "table.md").read_text()
    '| a | b |\\n'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    data = text.encode(encoding)
    return _atomic(path, lambda fh: fh.write(data))


def write_json(obj, path):
    """Write ``obj`` as indented JSON (numpy scalars and arrays allowed), atomically."""
    text = json.dumps(obj, indent=2, default=_default, allow_nan=False)
    return write_text(text + "\n", path)


def save_figure(fig, path, dpi=150):
    """Save a matplotlib figure atomically and close it."""
    import matplotlib.pyplot as plt

    fmt = Path(path).suffix.lstrip(".") or "png"
    try:
        return _atomic(path, lambda fh: fig.savefig(fh, format=fmt, dpi=dpi,
                                                     bbox_inches="tight"))
    finally:
        plt.close(fig)
