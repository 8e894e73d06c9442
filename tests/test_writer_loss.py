"""No silent write loss: ``MARCWriter(path)`` reports what Python's own files
report, side by side with pymarc's ``MARCWriter(open(path, "wb"))``.

* Dropped unclosed on a full device (``/dev/full``), in a function or at
  interpreter exit: under ``-X dev`` both warn ``ResourceWarning: unclosed
  file <...>`` and pass the ``OSError`` (ENOSPC) to ``sys.unraisablehook``;
  without it Python's file says nothing, while pymrrc still reports the
  ``OSError`` (a lost write is never silent). The exit status is 0 in both,
  as for Python's files.
* A ``sys.unraisablehook`` receives the ``OSError`` with the sink as the
  object; ``-W error::ResourceWarning`` turns the warning into a reported
  exception and the sink still closes.
* ``flush()`` and ``close()`` raise the ``OSError``; a second ``close()``
  does nothing; a writer dropped unclosed after a successful run loses
  nothing and warns as a Python file does.
* A write blocked on a pipe answers Ctrl-C (SIGINT) at once, as Python's
  file does.
"""

from __future__ import annotations

import errno
import gc
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pymarc
import pytest

import pymrrc

REPO = Path(__file__).resolve().parents[1]


def _dev_full():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    return "/dev/full"


def _writer(lib, path):
    """pymarc's writer over ``open(path, "wb")``, pymrrc's over the path."""
    if lib is pymarc:
        return pymarc.MARCWriter(open(path, "wb"))  # noqa: SIM115 - the writer owns it
    return pymrrc.MARCWriter(path)


def _record(lib):
    return lib.Record(
        fields=[
            lib.Field("001", data="loss"),
            lib.Field("245", lib.Indicators("1", "0"), [lib.Subfield("a", "x" * 200)]),
        ]
    )


DROP = textwrap.dedent(
    """
    import sys
    lib = __import__(sys.argv[1])
    path = sys.argv[2]

    def work():
        writer = lib.MARCWriter(open(path, "wb")) if lib.__name__ == "pymarc" else lib.MARCWriter(path)
        writer.write(lib.Record(fields=[lib.Field("001", data="x")]))

    if sys.argv[3] == "function":
        work()
    else:
        writer = lib.MARCWriter(open(path, "wb")) if lib.__name__ == "pymarc" else lib.MARCWriter(path)
        writer.write(lib.Record(fields=[lib.Field("001", data="x")]))
        global_writer = writer
    print("done")
    """
)


def _run(*args, flags=()):
    return subprocess.run(
        [sys.executable, *flags, "-c", DROP, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(REPO),
        check=False,
    )


def _reports(stderr):
    """What stderr reports, with each library's class name put aside."""
    return {
        "resource_warning": bool(re.search(r"ResourceWarning: unclosed file <[\w.]+ name='/dev/full'>", stderr)),
        "unraisable": bool(re.search(r"Exception ignored in: <[\w.]+ name='/dev/full'>", stderr)),
        "enospc": "OSError: [Errno 28] No space left on device" in stderr,
    }


@pytest.mark.parametrize("where", ["function", "exit"])
def test_dropped_on_a_full_disk_under_dev_mode(where):
    device = _dev_full()
    results = {}
    for lib in ("pymarc", "pymrrc"):
        proc = _run(lib, device, where, flags=("-X", "dev"))
        assert proc.stdout == "done\n", proc.stderr
        results[lib] = (proc.returncode, _reports(proc.stderr))
    everything = {"resource_warning": True, "unraisable": True, "enospc": True}
    assert results["pymarc"] == (0, everything)
    assert results["pymrrc"] == results["pymarc"]


@pytest.mark.parametrize("where", ["function", "exit"])
def test_dropped_on_a_full_disk_is_never_silent(where):
    device = _dev_full()
    python_file = _run("pymarc", device, where)
    ours = _run("pymrrc", device, where)
    # Python's own file loses the data without a word outside -X dev.
    assert (python_file.returncode, python_file.stderr) == (0, "")
    assert ours.returncode == 0
    assert _reports(ours.stderr) == {"resource_warning": False, "unraisable": True, "enospc": True}, ours.stderr


def test_error_warning_is_reported_and_the_sink_still_closes():
    device = _dev_full()
    results = {}
    for lib in ("pymarc", "pymrrc"):
        proc = _run(lib, device, "function", flags=("-X", "dev", "-W", "error::ResourceWarning"))
        results[lib] = (
            proc.returncode,
            proc.stderr.count("Exception ignored in: <"),
            "ResourceWarning: unclosed file" in proc.stderr,
            "OSError: [Errno 28]" in proc.stderr,
        )
    assert results["pymarc"] == (0, 2, True, True)
    assert results["pymrrc"] == results["pymarc"]


def test_unraisablehook_gets_the_oserror():
    device = _dev_full()
    seen = {}
    for lib in (pymarc, pymrrc):
        caught = []
        previous = sys.unraisablehook
        sys.unraisablehook = caught.append
        try:
            with warnings.catch_warnings(record=True) as warned:
                warnings.simplefilter("always")
                writer = _writer(lib, device)
                writer.write(_record(lib))
                del writer
                gc.collect()
        finally:
            sys.unraisablehook = previous
        seen[lib.__name__] = (
            [(u.exc_type, getattr(u.exc_value, "errno", None), getattr(u.object, "name", None)) for u in caught],
            [(w.category, re.sub(r"<[\w.]+ ", "<", str(w.message))) for w in warned],
        )
    # Outside -X dev, Python's file hands nothing to the hook; pymrrc does.
    assert seen["pymarc"][0] == []
    assert seen["pymrrc"][0] == [(OSError, errno.ENOSPC, device)]
    assert seen["pymrrc"][1] == seen["pymarc"][1] == [(ResourceWarning, "unclosed file <name='/dev/full'>")]


def _steps(handle):
    """flush(), close(), close() on a handle holding unwritten bytes."""
    out = []
    for step in (handle.flush, handle.close, handle.close):
        try:
            step()
            out.append("ok")
        except OSError as exc:
            out.append(("OSError", exc.errno))
    out.append(handle.closed)
    return out


def test_flush_and_close_raise():
    device = _dev_full()
    results = []
    for lib in (pymarc, pymrrc):
        writer = _writer(lib, device)
        writer.write(_record(lib))
        results.append(_steps(writer.file_handle))
    assert results[0] == [("OSError", errno.ENOSPC), ("OSError", errno.ENOSPC), "ok", True]
    assert results[1] == results[0]


def test_dropped_after_success_loses_nothing_and_warns(tmp_path):
    outcomes = []
    for lib in (pymarc, pymrrc):
        path = tmp_path / f"{lib.__name__}.mrc"
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            writer = _writer(lib, str(path))
            for _ in range(3):
                writer.write(_record(lib))
            del writer
            gc.collect()
        outcomes.append(
            (path.read_bytes(), [(w.category, str(w.message).replace(str(path), "PATH")) for w in warned])
        )
    assert outcomes[0][0] == _record(pymarc).as_marc() * 3
    assert outcomes[1][0] == outcomes[0][0]
    assert [(c, re.sub(r"<[\w.]+ ", "<", m)) for c, m in outcomes[1][1]] == [
        (c, re.sub(r"<[\w.]+ ", "<", m)) for c, m in outcomes[0][1]
    ] == [(ResourceWarning, "unclosed file <name='PATH'>")]


BLOCKED = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    lib = __import__(sys.argv[1])
    fifo = sys.argv[2]
    reader_end = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # never read
    writer = lib.MARCWriter(open(fifo, "wb")) if lib.__name__ == "pymarc" else lib.MARCWriter(fifo)
    record = lib.Record(fields=[lib.Field("245", lib.Indicators("1", "0"), [lib.Subfield("a", "x" * 5000)])])
    main = threading.get_ident()
    sent = []

    def interrupt():
        time.sleep(0.5)
        sent.append(time.monotonic())
        signal.pthread_kill(main, signal.SIGINT)

    threading.Thread(target=interrupt).start()
    try:
        while True:
            writer.write(record)
            writer.file_handle.flush()
    except KeyboardInterrupt:
        print("interrupted after %.3f s" % (time.monotonic() - sent[0]))
    os.close(reader_end)
    try:
        writer.close()
    except OSError as exc:
        print("close:", exc.errno)
    """
)


@pytest.mark.parametrize("lib", ["pymarc", "pymrrc"])
def test_blocked_write_answers_ctrl_c(tmp_path, lib):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-c", BLOCKED, lib, str(fifo)],
        capture_output=True, text=True, timeout=60, cwd=str(REPO), check=False,
    )
    assert proc.returncode == 0, proc.stderr
    # Then the reading end goes away: close() fails with EPIPE where bytes
    # were still buffered (pymrrc's sink keeps what the interrupted flush
    # did not write), or closes quietly.
    match = re.match(r"interrupted after ([\d.]+) s\n(close: (\d+)\n)?$", proc.stdout)
    assert match, proc.stdout + proc.stderr
    assert float(match.group(1)) < 0.1
    assert match.group(3) in (None, str(errno.EPIPE))
