"""MNIST (LeCun, Cortes & Burges) from its original IDX files, and scikit-learn's 8x8 digits.

Where the files are looked for: ``data_home`` (argument), else ``$NEOCOGNITRON_DATA``,
else ``~/.cache/neocognitron``; in that directory itself and in its ``mnist/``
subdirectory, gzipped (``train-images-idx3-ubyte.gz``) or plain
(``train-images-idx3-ubyte``). Downloads go to ``<data_home>/mnist/``.

Integrity. Every file read is checked against the published SHA-256 of its *decompressed*
content, which does not change when a copy is re-compressed (the copies on some machines
are). A download is accepted when the ``.gz`` file itself has the published SHA-256 of the
canonical archive, or else its content passes the same check; it is written to a
temporary name in the target directory and renamed only once verified, so an interrupted
download never leaves a half-written file under the final name. The MD5 sums that other
loaders (torchvision) publish are listed too, for comparison.
"""

import gzip
import hashlib
import http.client
import os
import secrets
import shutil
import urllib.request
import zlib
from pathlib import Path

import numpy as np

__all__ = ["load_mnist", "load_digits_images", "MIRRORS"]

#: Base URLs tried in order; the first that serves a verified file wins.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

_SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000),
}

# name: (sha256 of the canonical .gz, md5 of the .gz, sha256 of the content, md5 of the
# content, content bytes)
_DIGESTS = {
    "train-images-idx3-ubyte": (
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "6bbc9ace898e44ae57da46a324031adb",
        47040016,
    ),
    "train-labels-idx1-ubyte": (
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "d53e105ee54ea40749a09fcbcd1e9432",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "a25bea736e30d166cdddb491f175f624",
        60008,
    ),
    "t10k-images-idx3-ubyte": (
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "9fb629c4189551a2d022fa330f9573f3",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "2646ac647ad5339dbf082846283269ea",
        7840016,
    ),
    "t10k-labels-idx1-ubyte": (
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        "ec29112dd5afa0611ce80d1b7f02629c",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        "27ae3e4e09519cfbb04c329615203637",
        10008,
    ),
}

_MAGIC_IMAGES = 2051  # 0x00000803: unsigned bytes, 3 dimensions
_MAGIC_LABELS = 2049  # 0x00000801: unsigned bytes, 1 dimension
_TIMEOUT = 30.0


class MNISTFileError(ValueError):
    """A file of MNIST is corrupt, truncated, or not the file it is named after."""


def get_data_home(data_home=None):
    """The cache directory: ``data_home``, else ``$NEOCOGNITRON_DATA``, else
    ``~/.cache/neocognitron``."""
    if data_home is None:
        data_home = os.environ.get("NEOCOGNITRON_DATA") or Path.home() / ".cache" / "neocognitron"
    return Path(data_home).expanduser()


def _candidates(home, name):
    return [d / f for d in (home, home / "mnist") for f in (name + ".gz", name)]


def _read_bytes(path):
    """The content of ``path``, decompressed when it is gzipped (detected by its magic)."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(2)
    try:
        if head == b"\x1f\x8b":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise MNISTFileError(f"{path}: corrupt or truncated gzip file ({exc})") from None


def _parse_idx(data, path, magic, ndim):
    """Check an IDX header and size; return the array it holds (uint8)."""
    header = 4 + 4 * ndim
    if len(data) < header:
        raise MNISTFileError(f"{path}: truncated, {len(data)} bytes is shorter than the header")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise MNISTFileError(
            f"{path}: wrong magic number {found} (0x{found:08x}), expected {magic} "
            f"(0x{magic:08x}); is this the right file?"
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "has trailing bytes"
        raise MNISTFileError(
            f"{path}: {what}: the header announces {dims} (file of {expected} bytes) but the "
            f"content has {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims).copy()


def _verify_content(data, path, name):
    sha = hashlib.sha256(data).hexdigest()
    if sha != _DIGESTS[name][2]:
        raise MNISTFileError(
            f"{path}: content does not match the published SHA-256 of {name} "
            f"(got {sha}, expected {_DIGESTS[name][2]}); the file is corrupt or not MNIST. "
            "Delete it and load again to download a fresh copy."
        )


def _download(name, target_dir, mirrors=None):
    """Fetch ``name + '.gz'`` from the first mirror that serves a verified copy."""
    mirrors = MIRRORS if mirrors is None else mirrors
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    final = target_dir / (name + ".gz")
    errors = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name + ".gz"
        # A unique name opened exclusively ("xb"): unlike mkstemp's 0600 files, the
        # download gets the usual permissions of the umask, so a shared cache stays readable.
        tmp = target_dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.part"
        try:
            with open(tmp, "xb") as out, urllib.request.urlopen(url, timeout=_TIMEOUT) as r:
                shutil.copyfileobj(r, out, 1 << 20)
            raw = Path(tmp).read_bytes()
            if hashlib.sha256(raw).hexdigest() != _DIGESTS[name][0]:
                # Not the canonical archive byte for byte: accept a re-compressed copy whose
                # content is right.
                try:
                    content = gzip.decompress(raw)
                except (OSError, EOFError, zlib.error) as exc:
                    raise MNISTFileError(f"{url}: not a valid gzip file ({exc})") from None
                if hashlib.sha256(content).hexdigest() != _DIGESTS[name][2]:
                    raise MNISTFileError(f"{url}: digest mismatch (not the published file)")
            os.replace(tmp, final)
            return final
        except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError is an OSError
            errors.append(f"  {url}: {exc}")
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    raise OSError(
        f"could not download {name}.gz from any mirror:\n" + "\n".join(errors) + "\n"
        f"Download the file by hand and put it in {target_dir}"
    )


def _locate(name, home, download, split):
    for path in _candidates(home, name):
        if path.is_file():
            return path
    if not download:
        looked = "\n".join(f"  {p}" for p in _candidates(home, name))
        raise FileNotFoundError(
            f"MNIST {split} file {name}(.gz) not found; looked for:\n{looked}\n"
            f"Call load_mnist({split!r}, download=True) to fetch it from "
            f"{MIRRORS[0]} (or a mirror), or copy the original gzipped IDX files into "
            f"{home / 'mnist'} (or point data_home / $NEOCOGNITRON_DATA at them)."
        )
    return _download(name, home / "mnist")


def load_mnist(split, data_home=None, download=True):
    """Load the MNIST training or test set as images.

    Parameters
    ----------
    split : {"train", "test"}
        The 60,000 training digits or the 10,000 test digits.
    data_home : str or path-like, optional
        Directory of the files; default ``$NEOCOGNITRON_DATA``, then
        ``~/.cache/neocognitron``. Files are found in it or in its ``mnist/`` subdirectory,
        gzipped or not.
    download : bool, default=True
        Fetch missing files from the public mirrors (:data:`MIRRORS`, tried in order) into
        ``<data_home>/mnist/``. With False, a missing file raises ``FileNotFoundError``
        saying where it was looked for.

    Returns
    -------
    X : ndarray of shape (n, 28, 28), uint8
        Grey levels, 0 = background, 255 = ink.
    y : ndarray of shape (n,), int64
        Digit labels 0-9.

    Raises
    ------
    FileNotFoundError
        A file is missing and ``download=False``.
    OSError
        No mirror could provide a verified copy.
    ValueError
        (``MNISTFileError``) a file is corrupt, truncated, has a wrong magic number, does
        not match its published SHA-256, or images and labels disagree in number; the
        message names the file.

    Examples
    --------
    >>> X, y = load_mnist("test")  # doctest: +SKIP
    >>> X.shape, X.dtype, y[:3]  # doctest: +SKIP
    ((10000, 28, 28), dtype('uint8'), array([7, 2, 1]))
    """
    if split not in _SPLITS:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    image_name, label_name, n = _SPLITS[split]
    home = get_data_home(data_home)
    image_path = _locate(image_name, home, download, split)
    label_path = _locate(label_name, home, download, split)
    image_data, label_data = _read_bytes(image_path), _read_bytes(label_path)
    X = _parse_idx(image_data, image_path, _MAGIC_IMAGES, 3)
    y = _parse_idx(label_data, label_path, _MAGIC_LABELS, 1)
    if len(X) != len(y):
        raise MNISTFileError(
            f"{image_path} holds {len(X)} images but {label_path} holds {len(y)} labels"
        )
    _verify_content(image_data, image_path, image_name)
    _verify_content(label_data, label_path, label_name)
    return X, y.astype(np.int64)


def load_digits_images():
    """scikit-learn's bundled 8x8 handwritten digits (1,797 images), shaped as images.

    Returns
    -------
    X : ndarray of shape (1797, 8, 8), uint8
        Grey levels from 0 (background) to 16 (ink), as in the UCI source.
    y : ndarray of shape (1797,), int64
        Digit labels 0-9.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images.astype(np.uint8), digits.target.astype(np.int64)
