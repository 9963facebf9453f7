"""load_mnist / load_digits_images: small IDX files built here, the real files where every
MNIST test finds them (tests/mnist_home.py), and downloads from a local HTTP server or
file:// URLs only; and the one line a run without MNIST ends with (tests/conftest.py)."""

import gzip
import hashlib
import http.server
import os
import re
import subprocess
import sys
import textwrap
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from mnist_home import FILES, SKIP_REASON, mnist_home, needs_mnist

from neocognitron.datasets import load_digits_images, load_mnist
from neocognitron.datasets import mnist as mnist_mod

REAL = mnist_home()
TESTS = Path(__file__).resolve().parent


def real_content(name):
    """The decompressed content of the real file ``name`` (gzipped there or not)."""
    gz = REAL / (name + ".gz")
    return mnist_mod._read_bytes(gz if gz.is_file() else REAL / name)


def idx_bytes(array, magic):
    array = np.asarray(array, dtype=np.uint8)
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.tobytes()


def write(path, data, gz=True):
    path = Path(path)
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def small_split(tmp_path, n_images=5, n_labels=5, gz=True, image_magic=2051):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (n_images, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, n_labels, dtype=np.uint8)
    write(tmp_path / "t10k-images-idx3-ubyte", idx_bytes(X, image_magic), gz)
    write(tmp_path / "t10k-labels-idx1-ubyte", idx_bytes(y, 2049), gz)
    return X, y


# ----------------------------------------------------------------- parsing small files
@pytest.mark.parametrize("gz", [True, False])
def test_idx_round_trip(tmp_path, gz):
    X = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write(tmp_path / "a-idx3-ubyte", idx_bytes(X, 2051), gz)
    data = mnist_mod._read_bytes(path)
    out = mnist_mod._parse_idx(data, path, 2051, 3)
    np.testing.assert_array_equal(out, X)
    assert out.flags.writeable


def test_well_formed_but_not_mnist_fails_the_digest(tmp_path):
    small_split(tmp_path)
    with pytest.raises(
        ValueError,
        match=r"t10k-images-idx3-ubyte\.gz: content does not match the published SHA-256",
    ):
        load_mnist("test", data_home=tmp_path, download=False)


def test_truncated_file(tmp_path):
    X, y = small_split(tmp_path, gz=False)
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(
        ValueError, match=r"t10k-images-idx3-ubyte: truncated: the header announces \(5, 28, 28\)"
    ):
        load_mnist("test", data_home=tmp_path, download=False)
    path.write_bytes(b"\x00\x00\x08")
    with pytest.raises(ValueError, match="shorter than the header"):
        load_mnist("test", data_home=tmp_path, download=False)


def test_trailing_bytes(tmp_path):
    small_split(tmp_path, gz=False)
    path = tmp_path / "t10k-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte: has trailing bytes"):
        load_mnist("test", data_home=tmp_path, download=False)


def test_corrupt_and_truncated_gzip(tmp_path):
    small_split(tmp_path)
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz: corrupt or truncated gzip"):
        load_mnist("test", data_home=tmp_path, download=False)
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0xFF
    path.write_bytes(bytes(bad))
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        load_mnist("test", data_home=tmp_path, download=False)


def test_wrong_magic(tmp_path):
    small_split(tmp_path, image_magic=2049)
    with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte\.gz: wrong magic number 2049"):
        load_mnist("test", data_home=tmp_path, download=False)


def test_count_mismatch(tmp_path):
    small_split(tmp_path, n_images=5, n_labels=4)
    with pytest.raises(
        ValueError,
        match=r"images-idx3-ubyte\.gz holds 5 images but .*labels-idx1-ubyte\.gz holds 4 labels",
    ):
        load_mnist("test", data_home=tmp_path, download=False)


def test_missing_files_without_download(tmp_path, monkeypatch):
    monkeypatch.setenv("NEOCOGNITRON_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist("train", download=False)
    msg = str(info.value)
    assert str(tmp_path / "nowhere" / "train-images-idx3-ubyte.gz") in msg
    assert str(tmp_path / "nowhere" / "mnist" / "train-images-idx3-ubyte") in msg
    assert "download=True" in msg
    assert not (tmp_path / "nowhere").exists()


def test_bad_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        load_mnist("validation")


def test_data_home_default(monkeypatch, tmp_path):
    monkeypatch.delenv("NEOCOGNITRON_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert mnist_mod.get_data_home() == tmp_path / ".cache" / "neocognitron"
    monkeypatch.setenv("NEOCOGNITRON_DATA", str(tmp_path / "d"))
    assert mnist_mod.get_data_home() == tmp_path / "d"
    assert mnist_mod.get_data_home(tmp_path / "e") == tmp_path / "e"


# ----------------------------------------------------------------------- real files
@needs_mnist
def test_real_test_set_via_argument_and_environment(monkeypatch, tmp_path):
    X, y = load_mnist("test", data_home=REAL, download=False)
    assert X.shape == (10000, 28, 28) and X.dtype == np.uint8
    assert y.shape == (10000,) and y.dtype == np.int64
    assert list(y[:5]) == [7, 2, 1, 0, 4]
    assert list(np.bincount(y)) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert X.min() == 0 and X.max() == 255
    (tmp_path / "mnist").symlink_to(REAL, target_is_directory=True)
    monkeypatch.setenv("NEOCOGNITRON_DATA", str(tmp_path))  # found in its mnist/ subdir
    X2, y2 = load_mnist("test", download=False)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


@needs_mnist
def test_real_training_set():
    X, y = load_mnist("train", data_home=REAL, download=False)
    assert X.shape == (60000, 28, 28)
    assert list(y[:5]) == [5, 0, 4, 1, 9]
    assert np.bincount(y)[1] == 6742


@needs_mnist
def test_plain_idx_copy_is_accepted_and_tampering_is_caught(tmp_path):
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (tmp_path / name).write_bytes(real_content(name))
    X, y = load_mnist("test", data_home=tmp_path, download=False)
    assert X.shape == (10000, 28, 28)
    raw = bytearray((tmp_path / "t10k-labels-idx1-ubyte").read_bytes())
    raw[-1] = (raw[-1] + 1) % 10  # one wrong label
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte: content does not match"):
        load_mnist("test", data_home=tmp_path, download=False)


# --------------------------------------------------------------------------- download
class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Truncating(_Quiet):
    """Announces the full length, sends half, and hangs up."""

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])


@pytest.fixture
def serve():
    servers = []

    def start(directory, handler=_Quiet):
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(handler, directory=str(directory))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _no_leftovers(directory):
    return [p.name for p in Path(directory).rglob("*") if p.name.endswith(".part")] == []


@needs_mnist
def test_download_from_local_server_with_fallback(tmp_path, serve, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        # a re-compressed copy is accepted: its content is checked, not its bytes
        (mirror / (name + ".gz")).write_bytes(gzip.compress(real_content(name), mtime=0))
    empty = tmp_path / "empty"
    empty.mkdir()
    # first mirror: 404 for everything; second: a dead port; third: the files.
    dead = "http://127.0.0.1:9/"
    monkeypatch.setattr(mnist_mod, "MIRRORS", (serve(empty), dead, serve(mirror)))
    home = tmp_path / "home"
    X, y = load_mnist("test", data_home=home, download=True)
    ref_X, ref_y = load_mnist("test", data_home=REAL, download=False)
    np.testing.assert_array_equal(X, ref_X)
    np.testing.assert_array_equal(y, ref_y)
    assert sorted(p.name for p in (home / "mnist").iterdir()) == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    # a second call reads the cache and needs no server
    monkeypatch.setattr(mnist_mod, "MIRRORS", ())
    X2, _ = load_mnist("test", data_home=home, download=True)
    np.testing.assert_array_equal(X2, X)


def test_download_failures_leave_nothing_behind(tmp_path, serve, monkeypatch):
    """Wrong content, an interrupted transfer and a missing file: every mirror fails."""
    content = idx_bytes(np.arange(10, dtype=np.uint8), 2049)
    good_gz = gzip.compress(content)
    name = "fake-labels-idx1-ubyte"
    monkeypatch.setitem(
        mnist_mod._DIGESTS,
        name,
        (
            hashlib.sha256(good_gz).hexdigest(),
            "",
            hashlib.sha256(content).hexdigest(),
            "",
            len(content),
        ),
    )
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / (name + ".gz")).write_bytes(gzip.compress(content[:-1] + b"\x07"))
    cut = tmp_path / "cut"
    cut.mkdir()
    (cut / (name + ".gz")).write_bytes(good_gz)
    missing = tmp_path / "missing"
    missing.mkdir()
    mirrors = (serve(wrong), serve(cut, _Truncating), missing.as_uri() + "/")
    target = tmp_path / "target"
    with pytest.raises(OSError) as info:
        mnist_mod._download(name, target, mirrors)
    msg = str(info.value)
    assert "digest mismatch" in msg and mirrors[1] in msg and "missing" in msg
    assert f"put it in {target}" in msg
    assert list(target.iterdir()) == []
    # the canonical archive, byte for byte, from a file:// mirror
    (missing / (name + ".gz")).write_bytes(good_gz)
    path = mnist_mod._download(name, target, mirrors)
    assert path == target / (name + ".gz") and path.read_bytes() == good_gz
    assert _no_leftovers(target)
    plain = target / "plain"
    plain.write_bytes(b"")
    assert path.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777  # the umask's, not 0600
    plain.unlink()
    # a re-compressed copy with the right content is accepted too
    (missing / (name + ".gz")).write_bytes(gzip.compress(content, compresslevel=1, mtime=1))
    os.remove(path)
    assert mnist_mod._download(name, target, (missing.as_uri() + "/",)).exists()


def test_load_digits_images():
    X, y = load_digits_images()
    assert X.shape == (1797, 8, 8) and X.dtype == np.uint8 and X.max() == 16
    assert y.shape == (1797,) and y.dtype == np.int64 and set(y) == set(range(10))


# ------------------------------------------------------------- a run without MNIST
SYNTHETIC = '''
import pytest
from mnist_home import SKIP_REASON, mnist_home, needs_mnist


@needs_mnist
def test_marked():
    pass


@needs_mnist
@pytest.mark.parametrize("i", [1, 2])
def test_marked_twice(i):
    pass


def test_skips_itself():
    if mnist_home() is None:
        pytest.skip(SKIP_REASON)


@pytest.mark.skip(reason="for another reason")
def test_other_skip():
    pass


def test_plain():
    pass
'''


def run_synthetic(tmp_path, data_home):
    """pytest, in a subprocess with the suite's conftest.py as plugin, on a module of four
    tests needing MNIST, one skipped for another reason and one plain; the CI folder hidden
    and ``$NEOCOGNITRON_DATA`` at ``data_home``. Returns what it printed."""
    (tmp_path / "test_synthetic.py").write_text(textwrap.dedent(SYNTHETIC))
    env = {**os.environ, "NEOCOGNITRON_DATA": str(data_home), "NEOCOGNITRON_CI_DATA": "",
           "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "conftest",
                          "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                          str(tmp_path / "test_synthetic.py")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_run_without_mnist_ends_saying_what_it_skipped(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    out = run_synthetic(tmp_path, empty)
    lines = [line for line in out.splitlines() if "MNIST" in line]
    assert len(lines) == 1, out
    assert re.fullmatch(r"4 tests skipped for want of MNIST: .*", lines[0]), lines[0]
    assert "NEOCOGNITRON_DATA" in lines[0] and "data/README.md" in lines[0], lines[0]
    tail = out.strip().splitlines()
    assert tail[-2] == lines[0] and "2 passed" not in tail[-1], tail  # the end of the run
    assert "1 passed, 5 skipped" in tail[-1], tail


def test_run_with_mnist_says_nothing(tmp_path):
    found = tmp_path / "found"
    found.mkdir()
    for name in FILES:  # only their presence decides whether the tests run
        (found / (name + ".gz")).write_bytes(b"")
    out = run_synthetic(tmp_path, found)
    assert "MNIST" not in out, out
    assert "5 passed, 1 skipped" in out.strip().splitlines()[-1], out


def test_every_mnist_test_finds_it_through_mnist_home():
    """No test file builds its own path to the CI folder, and every skip for want of MNIST
    gives the reason conftest.py counts."""
    for path in sorted(TESTS.glob("*.py")):
        if path.name == "mnist_home.py":
            continue
        text = path.read_text()
        # the CI folder's name in pieces, so that this file does not match itself
        # (a whole word: "n_shared" or "shared_cells" are not the folder)
        own_path = re.search(r"(?<!\w)sha" + r"""red["'/]""", text)
        assert not own_path, f"{path.name} looks for MNIST itself; use mnist_home()"
        for reason in re.findall(r"""(?:reason=|skip\()\s*(["'])(.*?)\1""", text):
            if "mnist" in reason[1].lower():
                assert reason[1] == SKIP_REASON, f"{path.name}: skip reason {reason[1]!r}"
