"""Data safety of ``pymrrc.MARCWriter`` when things fail.

* A failing device (``/dev/full``, a file size limit) raises an
  ``OSError`` carrying the errno, as a Python file would; a retry after a
  failed flush does not write bytes twice.
* Writing after ``close()`` behaves as pymarc's writer does (for file
  objects) and never crashes.
* ``MARCWriter(path)`` on a directory or under a missing folder raises
  ``IsADirectoryError``/``FileNotFoundError`` naming the path.
"""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
import textwrap

import pymarc
import pytest

import pymrrc

from writer_safety_support import (  # noqa: F401
    RAW,
    REPO,
    _outcome,
    both,
)


# -- a device that fails ---------------------------------------------------------------


def _dev_full():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    return "/dev/full"


def _first_error(writer, recs):
    """Writes ``recs``, then closes; the first OSError and where it came.
    After an error in ``write()`` the writer is closed too (that fails as
    well), so that it is not reported again when it is collected."""
    for index, record in enumerate(recs):
        try:
            writer.write(record)
        except OSError as exc:
            try:
                writer.close()
            except OSError:
                pass
            return index, exc
    try:
        writer.close()
    except OSError as exc:
        return "close", exc
    return None, None


@pytest.mark.parametrize("count", [1, 3000])
def test_dev_full_path_raises_enospc(both, count):
    """A full device: pymarc (through ``open()``) and pymrrc (a path) must
    both report it, with ``errno`` ENOSPC."""
    device = _dev_full()
    _, want = _first_error(pymarc.MARCWriter(open(device, "wb")), both[0][:count])  # noqa: SIM115
    where, got = _first_error(pymrrc.MARCWriter(device), both[1][:count])
    assert want is not None and want.errno == errno.ENOSPC
    assert got is not None, "MARCWriter(path) on /dev/full reported no error"
    if count == 1:
        assert where == "close"
    assert type(got) is type(want)
    assert got.errno == errno.ENOSPC, f"errno {got.errno!r}, args {got.args!r}"
    assert got.strerror == want.strerror


def test_dev_full_with_block_raises(both):
    device = _dev_full()
    with pytest.raises(OSError), pymrrc.MARCWriter(device) as writer:
        writer.write(both[1][0])


def test_dev_full_file_object_matches_pymarc(both):
    device = _dev_full()
    outcomes = []
    for lib, recs in zip((pymarc, pymrrc), both):
        writer = lib.MARCWriter(open(device, "wb"))  # noqa: SIM115 - closed by the writer
        steps = [_outcome(lambda r=r, w=writer: w.write(r)) for r in recs[:50]]
        steps.append(_outcome(writer.close))
        outcomes.append(steps)
    assert outcomes[1] == outcomes[0]
    assert outcomes[0][-1][:2] == ("OSError", errno.ENOSPC)


# After a flush fails half-way (file size limit), lifting the limit and
# going on must not write the flushed part twice. Python's buffered files
# remember how far they got; the test runs pymarc (through open()) and
# pymrrc (a path) alike and prints what the file holds against the
# records accepted.
RETRY_AFTER_EFBIG = textwrap.dedent(
    """
    import errno, json, resource, signal, sys
    which, path, source = sys.argv[1], sys.argv[2], sys.argv[3]
    import pymarc, pymrrc
    lib = pymrrc if which == "pymrrc" else pymarc
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    with open(source, "rb") as handle:
        recs = list(lib.MARCReader(handle.read()))
    writer = lib.MARCWriter(path) if which == "pymrrc" else lib.MARCWriter(open(path, "wb"))
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_500_000, hard))
    accepted, failed, error = [], None, None
    for index, record in enumerate(recs):
        try:
            writer.write(record)
            accepted.append(index)
        except OSError as exc:
            failed, error = index, [type(exc).__name__, exc.errno, str(exc)]
            break
    if failed is None:
        try:
            writer.close()
        except OSError as exc:
            error = [type(exc).__name__, exc.errno, str(exc)]
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    if failed is not None:
        later = list(range(failed + 1, len(recs)))
        for index in later:
            writer.write(recs[index])
        writer.close()
    else:
        later = []
    data = open(path, "rb").read()
    part = lambda ids: b"".join(recs[i].as_marc() for i in ids)
    print(json.dumps({
        "error": error, "failed": failed, "size": len(data),
        "without_failed": data == part(accepted) + part(later),
        "with_failed": failed is not None and data == part(accepted + [failed]) + part(later),
        "expected_sizes": [len(part(accepted) + part(later)),
                           len(part(accepted + ([failed] if failed is not None else [])) + part(later))],
    }))
    """
)


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE/SIGXFSZ on Linux"
)
@pytest.mark.parametrize("which", ["pymarc", "pymrrc"])
def test_retry_after_failed_flush_writes_nothing_twice(tmp_path, which):
    import json

    source = tmp_path / "source.mrc"
    # Over 2 MiB, so that the second 1 MiB flush of pymrrc's buffer is the
    # one cut short by the 1.5 MB limit, and records are written after it.
    source.write_bytes(RAW * 3)
    assert len(RAW) * 3 > 3 << 20
    path = tmp_path / f"{which}.mrc"
    proc = subprocess.run(
        [sys.executable, "-c", RETRY_AFTER_EFBIG, which, str(path), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(REPO),
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(REPO), os.environ.get("PYTHONPATH", "")]
            ),
        },
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["error"] is not None, "the file size limit was never hit"
    assert result["failed"] is not None, f"the limit was only hit at close(): {result}"
    assert result["without_failed"] or result["with_failed"], (
        f"file holds {result['size']} bytes; the records accepted make "
        f"{result['expected_sizes']} (without/with the one whose write failed)"
    )
    assert result["error"][0] == "OSError"
    assert result["error"][1] == errno.EFBIG, result


# -- after close --------------------------------------------------------------------------


def test_write_after_close_file_object_matches_pymarc(both):
    outcomes = []
    for lib, recs in zip((pymarc, pymrrc), both):
        handle = io.BytesIO()
        writer = lib.MARCWriter(handle)
        writer.write(recs[0])
        writer.close(close_fh=False)
        steps = [
            _outcome(lambda w=writer, r=recs[1]: w.write(r)),
            _outcome(writer.close),
        ]
        outcomes.append((steps, handle.getvalue(), writer.file_handle))
    assert outcomes[1] == outcomes[0]


def test_write_after_handle_closed_matches_pymarc(both):
    outcomes = []
    for lib, recs in zip((pymarc, pymrrc), both):
        handle = io.BytesIO()
        writer = lib.MARCWriter(handle)
        writer.write(recs[0])
        handle.close()
        outcomes.append(
            [_outcome(lambda w=writer, r=recs[1]: w.write(r)), _outcome(writer.close)]
        )
    assert outcomes[1] == outcomes[0]
    assert outcomes[0][0][0] == "ValueError"


def test_write_after_close_path(both, tmp_path):
    """After close() the file is final: a later write() changes nothing and
    raises, if anything, a plain Python exception."""
    path = tmp_path / "closed.mrc"
    writer = pymrrc.MARCWriter(path)
    writer.write(both[1][0])
    writer.close()
    before = path.read_bytes()
    for _ in range(2):
        outcome = _outcome(lambda: writer.write(both[1][1]))
        assert outcome == "ok" or outcome[0] in ("ValueError", "OSError"), outcome
        assert _outcome(writer.close) == "ok"
    assert path.read_bytes() == before == both[1][0].as_marc()


def test_write_after_sink_closed(both, tmp_path):
    """Closing the writer's own file directly, then writing: ValueError, as
    a closed Python file gives."""
    path = tmp_path / "sink.mrc"
    writer = pymrrc.MARCWriter(path)
    writer.write(both[1][0])
    writer.file_handle.close()
    with pytest.raises(ValueError):
        writer.write(both[1][1])
    assert path.read_bytes() == both[1][0].as_marc()
    writer.close()


def test_write_non_record_after_close(tmp_path):
    path = tmp_path / "x.mrc"
    for target in (io.BytesIO(), path):
        writer = pymrrc.MARCWriter(target)
        writer.close()
        with pytest.raises(pymrrc.WriteNeedsRecord):
            writer.write("not a record")


# -- bad destinations -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["str", "Path"])
def test_path_is_a_directory(tmp_path, kind):
    target = str(tmp_path) if kind == "str" else tmp_path
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(IsADirectoryError) as info:
        pymrrc.MARCWriter(target)
    assert info.value.errno == errno.EISDIR
    assert str(tmp_path) in str(info.value)
    assert info.value.filename == str(tmp_path)
    assert sorted(os.listdir(tmp_path)) == before


@pytest.mark.parametrize("kind", ["str", "Path"])
def test_missing_parent_folder(tmp_path, kind):
    path = tmp_path / "missing" / "deeper" / "out.mrc"
    with pytest.raises(FileNotFoundError) as info:
        pymrrc.MARCWriter(str(path) if kind == "str" else path)
    assert info.value.errno == errno.ENOENT
    assert str(path) in str(info.value)
    assert info.value.filename == str(path)
    assert not (tmp_path / "missing").exists()


def test_bad_destination_messages_match_open(tmp_path):
    for path in (str(tmp_path), str(tmp_path / "missing" / "out.mrc")):
        with pytest.raises(OSError) as want:
            open(path, "wb")  # noqa: SIM115
        with pytest.raises(OSError) as got:
            pymrrc.MARCWriter(path)
        assert type(got.value) is type(want.value)
        assert str(got.value) == str(want.value)
