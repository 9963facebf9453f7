"""Writing experiment outputs safely: to a temporary name in the same folder, then renamed,
so an interrupted run never leaves a half-written figure or JSON behind; and
:class:`FolderLock`, which keeps a second process out of an output folder in use."""

import json
import os
import shlex
import sys
import tempfile
import time
from datetime import datetime, timezone
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
    >>> from neocognitron.workflow.results import write_text
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


def now():
    """The current time, ISO 8601 in UTC to the millisecond."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class FolderInUseError(RuntimeError):
    """Another process holds the lock of an output folder."""


class ForeignFolderError(ValueError):
    """An output folder holds what another experiment, or a sweep, wrote."""


class FolderLock:
    """An exclusive ``flock`` on ``folder/.lock``, held by one process at a time.

    Two processes writing one output folder would overwrite each other's files (two sweeps
    would also run the same points twice). The lock file names its holder (pid, what it
    is, its command line), so that the process refused can say who has the folder. The
    kernel drops an ``flock`` when its process dies, even by SIGKILL, so no stale lock
    outlives a killed run; a released lock removes its file. Without ``fcntl`` (Windows)
    nothing is locked.

    Parameters
    ----------
    folder : str or Path
        The folder (made if missing).
    owner : str
        What holds it, for the message of a process refused (e.g. the script's name).
    command : str, optional
        The holder's command line; default this process's ``sys.argv``.

    Raises
    ------
    FolderInUseError
        On entering, when another process holds the lock; the one-line message names the
        folder and the holder.
    """

    NAME = ".lock"

    def __init__(self, folder, owner, command=None):
        self.folder = Path(folder)
        self.path = self.folder / self.NAME
        self.owner = {"owner": str(owner), "pid": os.getpid(),
                      "command": command or shlex.join(["python", *sys.argv]), "since": None}
        self.fh = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # Windows: no locking
            return self
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            fh = open(self.path, "a+", encoding="utf-8")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _holder(fh)
                fh.close()
                raise FolderInUseError(f"{self.folder} is in use by {holder}; wait for it to "
                                       "end or use another output folder") from None
            # the holder removes the file as it lets go: a lock won on a removed file is no
            # lock on the folder, so take the file now at the path instead
            try:
                here = os.stat(self.path)
                mine = os.fstat(fh.fileno())
                if (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino):
                    break
            except FileNotFoundError:
                pass
            fh.close()
        self.owner["since"] = now()
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(self.owner) + "\n")
        fh.flush()
        self.fh = fh
        return self

    def __exit__(self, *exc):
        self.release()

    def release(self):
        """Let go of the lock (removing its file); nothing if not held."""
        if self.fh is not None:
            self.path.unlink(missing_ok=True)  # while still held, so no one else's file
            self.fh.close()
            self.fh = None


def _holder(fh):
    """Who holds the lock ``fh`` is open on, from what they wrote in it."""
    for _ in range(2):  # the holder may be between emptying the file and writing it
        fh.seek(0)
        try:
            rec = json.loads(fh.read())
            return (f"{rec['owner']} (pid {rec['pid']}: {rec['command']}, since "
                    f"{rec['since']})")
        except (ValueError, KeyError, TypeError):
            time.sleep(0.05)
    return "another process (its lock file names no holder)"
