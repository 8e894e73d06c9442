"""pymarc vs pymrrc on streams whose records trickle in: a pipe from a
subprocess, a socket pair and a terminal.

pymarc reads exactly one record per ``next()``, so each record is yielded as
soon as its last byte has arrived. pymrrc reads ahead where it can, but on a
stream that cannot seek it takes only what has arrived (``read1()``, or a
raw stream's single ``read()``) and never waits for bytes beyond the record
it returns. The writer here sends each record in two parts, half a pause
apart, then pauses; each record must come out of ``next()`` within a
fraction of the pause after its last byte was sent, with both libraries,
and the records must be pymarc's.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py

#: Seconds between records.
PAUSE = 0.4
#: A record counts as on time if it comes out of next() this long after its
#: last byte was sent (time.monotonic is one clock for every process).
ON_TIME = 0.4 * PAUSE
RECORDS = 3

#: Writes the records of argv[1] to stdout as described above; prints the
#: monotonic time at which each record's last byte was written to stderr.
WRITER = """
import sys, time
records = open(sys.argv[1], "rb").read().split(b"\\n--\\n")
pause = float(sys.argv[2])
out = sys.stdout.buffer
for record in records:
    out.write(record[:40]); out.flush()
    time.sleep(pause / 2)
    out.write(record[40:]); out.flush()
    print(time.monotonic(), file=sys.stderr, flush=True)
    time.sleep(pause)
"""


@pytest.fixture(scope="module")
def records(pymarc_test_dir):
    chosen = diff.split_records((pymarc_test_dir / "utf8_with_leader_flag.dat").read_bytes())
    chosen += diff.split_records((pymarc_test_dir / "test.dat").read_bytes())
    return chosen[:RECORDS]


def write_slowly(write, records):
    """``write`` each record as the subprocess does; returns the times."""
    sent = []
    for record in records:
        write(record[:40])
        time.sleep(PAUSE / 2)
        write(record[40:])
        sent.append(time.monotonic())
        time.sleep(PAUSE)
    return sent


def read_timed(module, stream):
    """The records read from ``stream`` and when each came out of next()."""
    reader = module.MARCReader(stream)
    got, arrived = [], []
    for record in reader:
        arrived.append(time.monotonic())
        got.append(None if record is None else record.as_marc())
    return got, arrived


def check(module, got, arrived, sent, expected, raw=False):
    if raw and module.__name__ == "pymarc":
        # A raw stream returns what has arrived; pymarc takes the short read
        # for a truncated record and stops (compat-tests/DIVERGENCES.md, D4).
        assert got == [None], got
        return
    assert got == expected, module.__name__
    late = [round(a - s, 3) for a, s in zip(arrived, sent) if a - s > ON_TIME]
    assert not late, f"{module.__name__}: records came {late} s after their last byte"


@pytest.fixture(scope="module")
def expected(reference, records):
    import io

    return [r.as_marc() for r in reference.MARCReader(io.BytesIO(b"".join(records)))]


@pytest.mark.parametrize("buffering", [-1, 0], ids=["buffered", "raw"])
def test_pipe_from_a_subprocess(reference, target, records, expected, tmp_path, buffering):
    source = tmp_path / "records.bin"
    source.write_bytes(b"\n--\n".join(records))
    for module in (reference, target):
        with subprocess.Popen(
            [sys.executable, "-c", WRITER, str(source), str(PAUSE)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=buffering,
        ) as writer:
            got, arrived = read_timed(module, writer.stdout)
            sent = [float(line) for line in writer.stderr.read().split()]
        assert writer.returncode == 0
        check(module, got, arrived, sent, expected, raw=buffering == 0)


@pytest.mark.parametrize("buffering", [None, 0], ids=["buffered", "raw"])
def test_socket_pair(reference, target, records, expected, buffering):
    for module in (reference, target):
        ours, theirs = socket.socketpair()
        sent = []
        def feed():
            # pymarc stops at its truncated record and closes the stream.
            with theirs, contextlib.suppress(OSError):
                sent.extend(write_slowly(theirs.sendall, records))

        thread = threading.Thread(target=feed)
        with ours, ours.makefile("rb", buffering=buffering) as stream:
            thread.start()
            got, arrived = read_timed(module, stream)
        thread.join(30)
        check(module, got, arrived, sent, expected, raw=buffering == 0)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="no pseudo-terminals here")
def test_terminal(reference, target, records, expected):
    import tty

    for module in (reference, target):
        primary, secondary = os.openpty()
        tty.setraw(secondary)
        sent = []

        def feed():
            sent.extend(write_slowly(lambda b: os.write(primary, b), records))
            # A terminal has no end of file: the reader stops at a framing
            # error here, pymarc's and pymrrc's alike.
            os.write(primary, b"x")

        thread = threading.Thread(target=feed)
        with open(secondary, "rb", closefd=True) as stream:
            assert stream.isatty()
            thread.start()
            reader = module.MARCReader(stream)
            got, arrived = [], []
            for _ in records:
                record = next(reader)
                arrived.append(time.monotonic())
                got.append(record.as_marc())
            thread.join(30)
        with contextlib.suppress(OSError):
            os.close(primary)
        check(module, got, arrived, sent, expected)
