"""Model files tampered with: members that inflate beyond what they declare, sizes that
lie, arrays beyond max_bytes, edits and flipped bytes; each is refused before it costs
memory, by neocognitron.workflow.io."""

import json
import struct
import tracemalloc
import zipfile
from io import BytesIO

import numpy as np
import pytest
from io_models import assert_same, read, rewrite

from neocognitron.workflow import io

pytest_plugins = ["io_models"]  # the fitted models and the saved file (fixtures)


def _bomb(path, how, inflated=64 << 20):
    """Make ``fitted/top_X_`` of the model file at ``path`` inflate to ``inflated`` bytes
    more than the description declares, a few hundred kB on disk: its ``.npy`` header
    claims them (``"header"``), or they follow the array as saved (``"trailing"``)."""
    name = "fitted/top_X_.npy"
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for member, data in members.items():
            if member != name:
                z.writestr(member, data)
        with z.open(name, "w", force_zip64=True) as w:
            if how == "header":
                np.lib.format.write_array_header_1_0(
                    w, {"descr": "<f8", "fortran_order": False, "shape": (inflated // 8,)})
            else:
                w.write(members[name])
            zeros = bytes(1 << 20)
            for _ in range(inflated >> 20):
                w.write(zeros)


@pytest.mark.parametrize("how", ["header", "trailing"])
def test_a_member_inflating_beyond_its_declared_size_is_refused_before_inflating(saved, how):
    _bomb(saved, how)
    assert saved.stat().st_size < 1 << 20
    _assert_refused_cheaply(saved, r"array 'fitted/top_X_' refused: the zip says it inflates "
                                   r"to \d+ bytes, more than the \d+ bytes")


def _assert_refused_cheaply(path, match, limit=4 << 20):
    """``io.load(path)`` raises a ValueError matching ``match`` having allocated less than
    ``limit`` bytes at its peak."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            io.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit, f"{peak / 2**20:.0f} MiB allocated to refuse {path.name}"


def _consistent_lie(path, nbytes=20 * 10**9):
    """Make ``fitted/top_X_`` of the model file at ``path`` claim ``nbytes`` of float64
    everywhere a size is written, as 20 GB of zeros deflated to 20 MB would: in the model
    description, its ``.npy`` header and the zip's directory. Only its first MiB is stored
    (nothing may read further before refusing it), so the file stays small."""
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    doc, _, _ = read(path)
    doc["arrays"]["fitted/top_X_"] = {"dtype": "<f8", "shape": [nbytes // 8]}
    meta = BytesIO()
    np.lib.format.write_array(meta, np.frombuffer(json.dumps(doc).encode(), np.uint8))
    members["__meta__.npy"] = meta.getvalue()
    header = BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (nbytes // 8,)})
    members["fitted/top_X_.npy"] = header.getvalue() + bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        # the directory, written as the archive closes, records this size (in zip64 fields)
        z.getinfo("fitted/top_X_.npy").file_size = len(header.getvalue()) + nbytes


def test_arrays_declaring_more_than_max_bytes_are_refused_before_any_is_read(saved):
    _consistent_lie(saved)
    assert saved.stat().st_size < 1 << 20
    with zipfile.ZipFile(saved) as z:  # every size agrees: only the total gives it away
        assert z.getinfo("fitted/top_X_.npy").file_size > 20 * 10**9
    _assert_refused_cheaply(saved, r"its arrays take 200\d{8} bytes \(18\.6 GiB\) by its "
                                   r"model description, more than max_bytes="
                                   rf"{io.MAX_BYTES}; .* io\.load\(path, max_bytes=None\) "
                                   r"or a larger max_bytes")


def test_max_bytes_bounds_the_total_of_a_legitimate_file(digits, saved):
    with np.load(saved) as npz:
        total = sum(npz[k].nbytes for k in npz.files if not k.startswith("__"))
    assert 4096 < total < io.MAX_BYTES
    for max_bytes in (None, total, total + 1):
        assert_same(io.load(saved, max_bytes=max_bytes), digits)
    with pytest.raises(ValueError, match=rf"its arrays take {total} bytes \([\d.]+ GiB\) by its "
                                         rf"model description, more than max_bytes={total - 1}"):
        io.load(saved, max_bytes=total - 1)


@pytest.mark.parametrize("max_bytes, error", [
    (-1, ValueError), (1.5, TypeError), ("1", TypeError), (True, TypeError)])
def test_max_bytes_must_be_a_size(saved, max_bytes, error):
    with pytest.raises(error, match="max_bytes must be"):
        io.load(saved, max_bytes=max_bytes)


@pytest.mark.parametrize("lie", ["dtype", "shape", "huge", "zip size"])
def test_sizes_that_disagree_with_the_description_are_refused(saved, lie):
    doc, arrays, checksum = read(saved)
    entry = doc["arrays"]["fitted/top_X_"]
    if lie == "dtype":  # same size in bytes, other numbers
        arrays["fitted/top_X_"] = arrays["fitted/top_X_"].view(np.int32 if entry["dtype"]
                                                               == "<f4" else np.int64)
        match = r"it holds <i\d \(\d+, \d+\), the model description declares <f"
    elif lie == "shape":
        entry["shape"] = entry["shape"][::-1]
        match = r"it holds <f\d \(\d+, \d+\), the model description declares"
    elif lie == "huge":  # refused before allocating 4 EB
        entry["shape"] = [10**9, 10**9]
        match = r"it holds <f\d \(\d+, \d+\), the model description declares <f\d " \
                r"\(1000000000, 1000000000\)"
    else:  # more than a header's worth of bytes less than the member holds
        entry["shape"] = [1, 1]
        match = r"the zip says it inflates to \d+ bytes, more than the [48] bytes its data"
    rewrite(saved, doc, arrays, checksum)
    with pytest.raises(ValueError, match=r"array 'fitted/top_X_' refused: " + match):
        # no bound on the total: each member is still refused before it is inflated
        io.load(saved, max_bytes=None)


def test_an_extra_array_is_refused(saved):
    doc, arrays, checksum = read(saved)
    rewrite(saved, doc, dict(arrays, smuggled=np.zeros(2)), checksum)
    with pytest.raises(ValueError, match=r"unexpected array\(s\) \['smuggled'\]"):
        io.load(saved)


@pytest.mark.parametrize("edit", ["param", "version", "array"])
def test_edits_fail_the_checksum(saved, edit):
    doc, arrays, checksum = read(saved)
    if edit == "param":
        doc["params"]["top_threshold"] = 0.4
    elif edit == "version":
        doc["package_version"] = "0.0.1"
    else:
        arrays["fitted/top_X_"] = arrays["fitted/top_X_"].copy()
        arrays["fitted/top_X_"][0, 0] += 1
    rewrite(saved, doc, arrays, checksum)
    with pytest.raises(ValueError, match="checksum mismatch, the file was modified"):
        io.load(saved)


@pytest.mark.parametrize("where", [0.0, 0.5, 0.999])
def test_a_flipped_byte_is_refused(saved, where):
    with zipfile.ZipFile(saved) as z:
        info = max((i for i in z.infolist() if not i.filename.startswith("__")),
                   key=lambda i: i.compress_size)
    raw = bytearray(saved.read_bytes())
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:
                                                   info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    raw[start + int(where * info.compress_size)] ^= 0x10
    saved.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="damaged"):
        io.load(saved)
