"""MARCReader targets, compared with pymarc 5.4.0 where it has an answer:
which backend a target gets and the errors of targets it refuses (types,
missing paths, directories, unreadable files, worker counts), closing
(``close()``, ``with``, ``next()`` after closing), streams whose ``read()``
returns ``None``, and paths that are not regular files (read errors,
anonymous and named pipes).
"""

from __future__ import annotations
import io
import os
import subprocess
import sys
import threading

import pymarc
import pytest
import pymrrc
from reader_items import quiet

from backends_support import (  # noqa: F401
    GOOD,
    GOOD2,
    GOOD3,
    Pipe,
    REPO,
    expected,
    numbered,
    open_backend,
)


# -- backend selection ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", [1, None, [GOOD], 2.5, object(), {"a": 1}],
                         ids=["int", "None", "list", "float", "object", "dict"])
def test_unsupported_targets_raise_type_error(target):
    with pytest.raises(TypeError):
        pymrrc.MARCReader(target)


@pytest.mark.parametrize("as_pathlike", [False, True])
def test_missing_path_raises_file_not_found(tmp_path, as_pathlike):
    missing = tmp_path / "no-such-dir" / "missing.mrc"
    target = missing if as_pathlike else str(missing)
    with pytest.raises(FileNotFoundError) as info:
        pymrrc.MARCReader(target)
    assert str(missing) in str(info.value)


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_directory_raises_is_a_directory(tmp_path, workers):
    with pytest.raises(IsADirectoryError) as info:
        pymrrc.MARCReader(str(tmp_path), workers=workers)
    assert str(tmp_path) in str(info.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read files without read permission")
def test_unreadable_path_raises_permission_error(tmp_path):
    path = tmp_path / "secret.mrc"
    path.write_bytes(GOOD)
    path.chmod(0)
    try:
        with pytest.raises(PermissionError) as info:
            pymrrc.MARCReader(str(path))
        assert str(path) in str(info.value)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("workers", [0, -1])
def test_bad_worker_count_is_rejected(tmp_path, workers):
    path = tmp_path / "one.mrc"
    path.write_bytes(GOOD)
    with pytest.raises(ValueError):
        pymrrc.MARCReader(str(path), workers=workers)


@pytest.mark.parametrize("backend", ["path", "path-w1", "bytes", "BytesIO", "file", "readonly"])
def test_current_offset_before_the_first_record(backend, tmp_path):
    path = tmp_path / "o.mrc"
    path.write_bytes(GOOD + GOOD2)
    with open_backend(backend, GOOD + GOOD2, path, {}) as (reader, _):
        assert reader.current_offset is None
        next(reader)
        assert reader.current_offset == 0
        next(reader)
        assert reader.current_offset == len(GOOD)


# -- closing ------------------------------------------------------------------------------------------


def test_close_closes_a_given_file(tmp_path):
    path = tmp_path / "c.mrc"
    path.write_bytes(GOOD + GOOD2)
    handle = open(path, "rb")  # noqa: SIM115
    reader = pymrrc.MARCReader(handle)
    assert next(reader) is not None
    reader.close()
    assert handle.closed


def _after_close(module, target):
    reader = module.MARCReader(target)
    next(reader)
    reader.close()
    try:
        item = next(reader)
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        return (type(exc).__name__, str(exc))
    return ("item", item is None)


@pytest.mark.parametrize("backend", ["bytes", "BytesIO", "file"])
def test_next_after_close_matches_pymarc(backend, tmp_path):
    """pymarc's next() on a closed reader reads the closed handle and raises
    ValueError; pymrrc should raise the same."""
    path = tmp_path / "c.mrc"
    path.write_bytes(GOOD + GOOD2)

    def target():
        if backend == "bytes":
            return GOOD + GOOD2
        if backend == "BytesIO":
            return io.BytesIO(GOOD + GOOD2)
        return open(path, "rb")

    assert _after_close(pymrrc, target()) == _after_close(pymarc, target())


@pytest.mark.parametrize("workers", [None, 1, 3])
def test_close_stops_a_path_reader(tmp_path, workers):
    path = tmp_path / "c.mrc"
    path.write_bytes(b"".join(numbered(i) for i in range(3000)))
    reader = pymrrc.MARCReader(str(path), workers=workers)
    assert next(reader) is not None
    reader.close()
    with pytest.raises(StopIteration):
        next(reader)


@pytest.mark.parametrize("workers", [None, 1])
def test_with_statement_on_a_path(tmp_path, workers):
    path = tmp_path / "w.mrc"
    path.write_bytes(GOOD + GOOD2 + GOOD3)
    with pymrrc.MARCReader(str(path), workers=workers) as reader:
        records = list(reader)
    assert [r.as_marc() for r in records] == [GOOD, GOOD2, GOOD3]


# -- streams whose read() returns None -------------------------------------------------------------

NONE_SCRIPT = r'''
import io, sys
import {module} as m
data = bytes.fromhex(sys.argv[1])

class NonBlocking:
    """read() returns None when no data is available (as a non-blocking
    pipe or socket does); here: once the data is used up."""
    def __init__(self):
        self.inner = io.BytesIO(data)
    def read(self, size=-1):
        got = self.inner.read(size)
        return got if got else None

reader = m.MARCReader(NonBlocking())
out = []
for _ in range(10):
    try:
        record = next(reader)
    except StopIteration:
        out.append("stop")
        break
    out.append("record" if record is not None else type(reader.current_exception).__name__)
print(out)
'''


@pytest.mark.parametrize("data", [b"", GOOD + GOOD2], ids=["no_data", "two_records"])
def test_read_returning_none_ends_like_pymarc(data):
    """pymarc treats a read() that returns None (a non-blocking stream with
    no data) as the end: StopIteration.  Run in subprocesses, since a
    reader that loops on None would never return."""
    def run(module):
        try:
            proc = subprocess.run(
                [sys.executable, "-c", NONE_SCRIPT.replace("{module}", module), data.hex()],
                capture_output=True, text=True, timeout=8, cwd=str(REPO), check=False,
            )
        except subprocess.TimeoutExpired:
            return "hung (killed after 8 s)"
        return proc.stdout.strip() or proc.stderr[-500:]

    expected = run("pymarc")
    assert expected == str(["record"] * (2 if data else 0) + ["stop"])
    assert run("pymrrc") == expected


# -- paths that are not regular files -------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
@pytest.mark.parametrize("workers", [None, 1, 3])
def test_path_read_error_raises_oserror(workers):
    """Reading /proc/self/mem from offset 0 fails with EIO: next() raises
    OSError, then the reader stops; nothing hangs."""
    reader = pymrrc.MARCReader("/proc/self/mem", workers=workers)
    with pytest.raises(OSError):
        next(reader)
    with pytest.raises(StopIteration):
        next(reader)


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs /proc/self/mem")
def test_path_read_error_has_the_errno_of_a_python_read():
    """The OSError carries errno (EIO here), as the file-object backend's
    (Python's own read()) does."""
    with open("/proc/self/mem", "rb") as f, pytest.raises(OSError) as python_error:
        pymrrc.MARCReader(f).__next__()
    with pytest.raises(OSError) as path_error:
        next(pymrrc.MARCReader("/proc/self/mem"))
    assert python_error.value.errno is not None
    assert path_error.value.errno == python_error.value.errno, repr(path_error.value)


def test_path_backend_on_an_anonymous_pipe():
    """``/dev/fd/N`` of a pipe (what a shell's ``<(command)`` passes)."""
    if not os.path.isdir("/dev/fd"):
        pytest.skip("no /dev/fd")
    data = GOOD + GOOD2 + GOOD3
    pipe = Pipe(data)
    try:
        path = f"/dev/fd/{pipe.handle.fileno()}"
        with quiet():
            records = [r.as_marc() for r in pymrrc.MARCReader(path)]
    finally:
        pipe.close()
    assert records == [GOOD, GOOD2, GOOD3]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
@pytest.mark.parametrize("size", ["small", "large"])
def test_path_backend_on_a_named_pipe(tmp_path, size):
    """``MARCReader(fifo_path)`` reads what a writer sends, without hanging
    and without breaking the writer's pipe.  (Opening the FIFO, closing it
    and opening it again races with the writer, so this repeats.)"""
    data = GOOD + GOOD2 + GOOD3 if size == "small" else b"".join(numbered(i) for i in range(1000))
    expected_count = 3 if size == "small" else 1000
    for attempt in range(40):
        fifo = tmp_path / f"fifo{attempt}"
        os.mkfifo(fifo)
        outcome = {}

        def write(fifo=fifo, outcome=outcome):
            try:
                with open(fifo, "wb") as out:
                    out.write(data)
                outcome["writer"] = "ok"
            except OSError as exc:
                outcome["writer"] = repr(exc)

        def read(fifo=fifo, outcome=outcome):
            try:
                outcome["records"] = sum(1 for r in pymrrc.MARCReader(str(fifo)) if r is not None)
            except Exception as exc:  # noqa: BLE001 - reported below
                outcome["records"] = repr(exc)

        writer = threading.Thread(target=write, daemon=True)
        reader = threading.Thread(target=read, daemon=True)
        writer.start()
        reader.start()
        reader.join(5)
        hung = reader.is_alive()
        if hung:
            # Give the blocked open() a writer so that the thread can end.
            threading.Thread(target=lambda f=fifo: open(f, "wb").close(), daemon=True).start()
            reader.join(5)
        writer.join(5)
        assert not hung and outcome == {"writer": "ok", "records": expected_count}, (
            f"attempt {attempt}: reader {'hung' if hung else 'finished'}, {outcome}"
        )
