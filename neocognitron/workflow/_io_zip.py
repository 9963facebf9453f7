"""Reading the arrays of a model file (an ``.npz`` zip) with bounded memory, for
:mod:`neocognitron.workflow.io`.

``numpy.load`` inflates a member to whatever size its ``.npy`` header claims before anything
is checked, so a small crafted file can claim gigabytes. Here every size is checked before
a byte is inflated: the member's uncompressed size in the zip's directory must equal its
``.npy`` header plus the bytes its declared dtype and shape take (the model description's,
or, for the description itself, at most a fixed limit), and its header must declare that
dtype and shape. The array is then allocated once and filled in chunks, so memory never
exceeds the declared size plus a chunk; ``zipfile`` stops at the declared size and checks
the CRC, so a member that inflates to more is refused as damaged.

These checks hold a member to its declared size; they cannot tell a true size from a lie
told consistently in the description, the header and the zip's directory (the file writes
all three). The bound on what the declared sizes add up to is the caller's:
:func:`neocognitron.workflow.io.load` sums :func:`nbytes` over :meth:`Archive.expected` of every
array before reading any.
"""
import math
import zipfile
import zlib

import numpy as np

__all__ = ["Archive", "nbytes"]

#: Bytes inflated at a time.
CHUNK = 1 << 20
#: Largest ``.npy`` header accepted: numpy's own default limit (it writes about 128 bytes
#: for a model's arrays).
HEADER_MAX = 10000
#: Kinds of dtype a model file may hold (no objects, no structured or void arrays).
KINDS = "biufcSU"
_DAMAGE = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


class Archive:
    """The members of a model file, read one at a time with bounded memory.

    Parameters
    ----------
    path : Path
        The file; ``FileNotFoundError``, ``IsADirectoryError`` and ``PermissionError``
        pass through, anything else that is not a zip raises ``ValueError``.
    """

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as fh:
            magic = fh.read(6)
        if magic == b"\x93NUMPY":
            raise ValueError(f"{path} is a single .npy array, not an .npz model file")
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ValueError(f"{path} is not a valid .npz file: {exc}") from exc
        infos = self.zip.infolist()
        # named as numpy.load names them: without the ".npy"
        self.members = {i.filename.removesuffix(".npy"): i for i in infos}
        if len(self.members) != len(infos):
            self.zip.close()
            raise ValueError(f"{path} is not a valid .npz file: a member name repeats")

    @property
    def files(self):
        return set(self.members)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zip.close()

    def read(self, key, expected=None, max_bytes=None):
        """The array ``key``.

        Parameters
        ----------
        key : str
            The member (``.npy`` dropped).
        expected : tuple, optional
            ``(dtype, shape)`` from :meth:`expected`: the member must hold exactly that.
        max_bytes : int, optional
            Without ``expected``: the most data bytes the member may hold.

        Raises
        ------
        ValueError
            Naming the array, if a size or type disagrees or the member is damaged.
        """
        info = self.members[key]
        if expected is not None:
            max_bytes = nbytes(*expected)
        if info.file_size > max_bytes + HEADER_MAX:
            raise self._error(key, f"the zip says it inflates to {info.file_size} bytes, "
                              f"more than the {max_bytes} bytes its data may take")
        try:
            with self.zip.open(info) as fh:
                return self._read(key, fh, info, expected, max_bytes)
        except _Refused:
            raise
        except _DAMAGE as exc:
            raise ValueError(f"{self.path}: array {key!r} cannot be read, the file is damaged "
                             f"({exc})") from exc

    def _read(self, key, fh, info, expected, max_bytes):
        version = np.lib.format.read_magic(fh)
        if version not in ((1, 0), (2, 0)):
            raise self._error(key, f"unsupported .npy format version {version}")
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read_header(fh)
        self._check_dtype(key, dtype)
        if expected is not None and (dtype, shape) != expected:
            raise self._error(key, f"it holds {dtype.str} {shape}, the model description "
                              f"declares {expected[0].str} {expected[1]}")
        size = nbytes(dtype, shape)
        if size > max_bytes or info.file_size != fh.tell() + size:
            raise self._error(key, f"the zip says it inflates to {info.file_size} bytes, its "
                              f"header of {fh.tell()} bytes declares {size} bytes of data")
        out = np.empty(shape, dtype, order="F" if fortran else "C")
        # the array's memory as bytes, in file order (Fortran order is C order transposed)
        buffer = memoryview((out.T if fortran else out).reshape(-1).view(np.uint8))
        done = 0
        while done < size:
            n = fh.readinto(buffer[done:done + CHUNK])
            if not n:
                raise EOFError(f"{size - done} bytes missing")
            done += n
        if fh.read(1):  # also reaches the end, where zipfile checks the CRC
            raise self._error(key, "it holds more data than its header declares")
        return out

    def expected(self, key, entry):
        """``(dtype, shape)`` of array ``key`` from its entry in the model description,
        ``{"dtype": str, "shape": list}``; ``ValueError`` naming the array if invalid."""
        try:
            dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
            if not all(type(n) is int and n >= 0 for n in shape):
                raise ValueError(f"shape {list(shape)} is not a list of sizes")
        except (KeyError, TypeError, ValueError) as exc:
            raise self._error(key, f"the model description declares no valid dtype and shape "
                              f"({type(exc).__name__}: {exc})") from None
        self._check_dtype(key, dtype)
        return dtype, shape

    def _check_dtype(self, key, dtype):
        if dtype.hasobject or dtype.kind not in KINDS or dtype.itemsize == 0:
            raise self._error(key, f"arrays of dtype {dtype} are not allowed")

    def _error(self, key, why):
        return _Refused(f"{self.path}: array {key!r} refused: {why}")


def nbytes(dtype, shape):
    """Bytes an array of ``dtype`` and ``shape`` takes (an exact int, however large)."""
    return dtype.itemsize * math.prod(shape)


class _Refused(ValueError):
    """A member whose declared sizes or types disagree (not to be reported as damage)."""
