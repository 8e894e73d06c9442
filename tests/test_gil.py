"""pymrrc releases the GIL while it parses: other Python threads keep running.

The measurement
---------------
A pure-Python *probe* thread counts in a loop, sleeping 0.2 ms between
counts.  Every count needs the GIL back after the sleep, so the probe's
counting rate shows how often the GIL is free:

* idle (the main thread sleeps): thousands of counts per second;
* while a thread holds the GIL (pure-Python work, or a C call that keeps
  the GIL, or pymarc parsing records), the probe only gets the GIL when the
  interpreter forces a switch, once per switch interval: with the interval
  raised to 100 ms for these tests that is about 10 counts per second,
  well under 1 % of the idle rate;
* while pymrrc parses with the GIL released (path backend: background
  threads, the consumer waits without the GIL; bytes and file-object
  backends: framing and validation of each batch run without the GIL), the
  probe keeps most of its idle rate.

The main thread reads a large input (the corpus slice repeated to ~50 MB,
or synthetic records when no corpus is available) through each backend for
at least a second, between two idle windows; the probe's rate during the
read must stay above MIN_FRACTION of its idle rate.  The same measurement
during a pymarc read and during a GIL-holding busy loop (the controls) must
stay below MAX_HELD_FRACTION, which shows the measurement would catch a
parser that keeps the GIL.  Calibration on a 2-core machine: pymrrc's
backends keep 0.45-0.97 of the idle rate (0.22-0.5 with three extra
CPU-bound processes competing), GIL holders 0.002-0.005 (0.02 at most
under that load); the thresholds (0.10 and 0.05) sit well between.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pymarc
import pytest
from marc_bytes import build

import pymrrc

SWITCH_INTERVAL = 0.1
MIN_FRACTION = 0.10
MAX_HELD_FRACTION = 0.05
TARGET_BYTES = 50_000_000
READ_SECONDS = 1.0
IDLE_SECONDS = 0.4
PROBE_SLEEP = 0.0002


# -- the input -------------------------------------------------------------------------


from data_support import cache_dir  # noqa: E402


def _whole_records(data: bytes, limit: int) -> tuple[bytes, int]:
    """The longest run of whole records at the start of ``data[:limit]``,
    and how many records it holds."""
    pos = count = 0
    end = min(len(data), limit)
    while pos + 5 <= end:
        length = int(data[pos:pos + 5])
        if length <= 0 or pos + length > end:
            break
        pos += length
        count += 1
    return data[:pos], count


def _corpus_bytes() -> bytes | None:
    """The first records of the LoC corpus, if a slice of it is cached."""
    cache = cache_dir()
    for name in ("loc-10000.mrc", "loc-50000.mrc", "loc-2000.mrc"):
        path = cache / name
        if path.is_file():
            return _whole_records(path.read_bytes(), TARGET_BYTES)[0]
    full = cache / "BooksAll.2016.part01.utf8"
    if full.is_file():
        with open(full, "rb") as f:
            return _whole_records(f.read(12_000_000), TARGET_BYTES)[0]
    return None


def _synthetic_record(i: int) -> bytes:
    fields = [
        (b"001", b"syn%08d" % i),
        (b"008", b"850101s1985    xx            000 0 eng d"),
        (b"100", b"1 \x1faAuthor, Some %d,\x1fd1900-1990." % i),
        (b"245", b"10\x1faA synthetic title %d :\x1fbwith a subtitle \xc3\xa9t\xc3\xa9 /\x1fcby someone." % i),
        (b"260", b"  \x1faPlace :\x1fbPublisher,\x1fc1985."),
        (b"300", b"  \x1fa123 p. ;\x1fc24 cm."),
        (b"500", b"  \x1fa" + b"A general note. " * 20),
        (b"650", b" 0\x1faSubject\x1fxSubdivision\x1fzPlace."),
        (b"700", b"1 \x1faOther, Person %d." % i),
    ]
    return build(fields)


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """(path, bytes, record count) of a ~50 MB file of valid records."""
    unit = _corpus_bytes()
    if unit is None:
        unit = b"".join(_synthetic_record(i) for i in range(5000))
    repeats = max(1, TARGET_BYTES // len(unit))
    data = unit * repeats
    count = _whole_records(unit, len(unit))[1] * repeats
    path = tmp_path_factory.mktemp("gil") / "big.mrc"
    path.write_bytes(data)
    return path, data, count


@pytest.fixture(scope="module")
def small_input(big_input):
    """About 2,000 records for pymarc, which is much slower."""
    _, data, _ = big_input
    pos = 0
    for _ in range(2000):
        pos += int(data[pos:pos + 5])
    return data[:pos]


# -- the probe -------------------------------------------------------------------------


class Probe:
    """A thread that counts, sleeping PROBE_SLEEP between counts."""

    def __init__(self):
        self.count = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        n = 0
        sleep = time.sleep
        while not self._stop:
            sleep(PROBE_SLEEP)
            n += 1
            self.count = n

    def __enter__(self):
        self._old_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self._stop = True
        self._thread.join(10)
        sys.setswitchinterval(self._old_interval)
        return False

    def rate_during(self, fn):
        """Probe counts per second while ``fn()`` runs; and its duration."""
        c0, t0 = self.count, time.perf_counter()
        result = fn()
        t1, c1 = time.perf_counter(), self.count
        return (c1 - c0) / (t1 - t0), t1 - t0, result

    def fraction_during(self, fn):
        """The probe's rate while ``fn()`` runs over its idle rate (the mean
        of an idle window before and one after)."""
        idle_before, _, _ = self.rate_during(lambda: time.sleep(IDLE_SECONDS))
        busy, seconds, result = self.rate_during(fn)
        idle_after, _, _ = self.rate_during(lambda: time.sleep(IDLE_SECONDS))
        idle = (idle_before + idle_after) / 2
        assert idle > 100, f"the probe hardly runs even when idle ({idle_before:.0f}, {idle_after:.0f}/s)"
        detail = (
            f"probe rate {busy:.0f}/s while reading ({seconds:.2f} s) vs idle "
            f"{idle_before:.0f}/s and {idle_after:.0f}/s"
        )
        return busy / idle, detail, result


def read_for_a_while(make_reader, seconds=READ_SECONDS):
    """Reads whole inputs from fresh readers until ``seconds`` have passed
    (at least one whole input); returns the number of records seen."""
    start = time.perf_counter()
    total = 0
    while True:
        reader = make_reader()
        for _ in reader:
            total += 1
        if hasattr(reader, "close"):
            reader.close()
        if time.perf_counter() - start >= seconds:
            return total


def read_records_for(make_reader, seconds=READ_SECONDS):
    """Reads records (from fresh readers as needed) for ``seconds``."""
    start = time.perf_counter()
    total = 0
    while True:
        for _ in make_reader():
            total += 1
            if not total % 50 and time.perf_counter() - start >= seconds:
                return total


# -- pymrrc releases the GIL ---------------------------------------------------------------


def _makers(path, data):
    return {
        "path": lambda: pymrrc.MARCReader(str(path)),
        "path-workers1": lambda: pymrrc.MARCReader(str(path), workers=1),
        "path-workers3": lambda: pymrrc.MARCReader(str(path), workers=3),
        "bytes": lambda: pymrrc.MARCReader(data),
        "file-BytesIO": lambda: pymrrc.MARCReader(io.BytesIO(data)),
        "file-open": lambda: pymrrc.MARCReader(open(path, "rb")),
    }


BACKENDS = ["path", "path-workers1", "path-workers3", "bytes", "file-BytesIO", "file-open"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_other_threads_run_while_pymrrc_parses(big_input, backend):
    path, data, count = big_input
    make = _makers(path, data)[backend]
    with Probe() as probe:
        fraction, detail, records = probe.fraction_during(lambda: read_for_a_while(make))
    assert records >= count
    assert fraction >= MIN_FRACTION, (
        f"{backend}: the probe thread kept only {fraction:.3f} of its idle rate "
        f"(need {MIN_FRACTION}); {detail}"
    )


WRITER = """
import sys, time
data = open(sys.argv[1], "rb").read()[: int(sys.argv[2])]
step = len(data) // 40 + 1
for i in range(0, len(data), step):
    sys.stdout.buffer.write(data[i:i + step])
    sys.stdout.buffer.flush()
    time.sleep(0.025)
"""


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="needs /dev/fd")
@pytest.mark.parametrize("workers", [None, 1])
def test_path_reader_waits_for_data_without_the_gil(big_input, workers):
    """A path whose data arrives slowly (a pipe fed by another process, as
    with a shell's ``<(command)``): the reader spends most of its time
    waiting for the next batch, and must not hold the GIL meanwhile."""
    path, data, _ = big_input
    size = 8_000_000
    expected = _whole_records(data, size)[1]
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(size)],
                            stdout=subprocess.PIPE)
    try:
        source = f"/dev/fd/{proc.stdout.fileno()}"

        def read():
            return sum(1 for _ in pymrrc.MARCReader(source, workers=workers))

        with Probe() as probe:
            fraction, detail, records = probe.fraction_during(read)
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait(10)
    assert records >= expected - 1
    assert fraction >= MIN_FRACTION, (
        f"workers={workers}: the probe kept only {fraction:.3f} of its idle rate "
        f"while the reader waited for data; {detail}"
    )


# -- the controls: the measurement catches a GIL holder ---------------------------------------


def test_control_pymarc_holds_the_gil(small_input):
    with Probe() as probe:
        fraction, detail, records = probe.fraction_during(
            lambda: read_records_for(lambda: pymarc.MARCReader(io.BytesIO(small_input)))
        )
    assert records > 0
    assert fraction <= MAX_HELD_FRACTION, (
        f"the probe kept {fraction:.3f} of its idle rate during a pymarc read "
        f"(a GIL holder; expected <= {MAX_HELD_FRACTION}); {detail}"
    )


def test_control_busy_python_holds_the_gil():
    def busy():
        end = time.perf_counter() + READ_SECONDS
        n = 0
        while time.perf_counter() < end:
            n += 1
        return n

    with Probe() as probe:
        fraction, detail, _ = probe.fraction_during(busy)
    assert fraction <= MAX_HELD_FRACTION, (
        f"the probe kept {fraction:.3f} of its idle rate during a busy loop; {detail}"
    )


def test_control_c_call_holding_the_gil(big_input):
    """A long C call that keeps the GIL (bytes.count) starves the probe."""
    _, data, _ = big_input

    def scan():
        end = time.perf_counter() + READ_SECONDS
        n = 0
        while time.perf_counter() < end:
            n += data.count(b"\x1e\x1d")
        return n

    with Probe() as probe:
        fraction, detail, _ = probe.fraction_during(scan)
    assert fraction <= MAX_HELD_FRACTION, (
        f"the probe kept {fraction:.3f} of its idle rate during bytes.count; {detail}"
    )


# -- MARC-8 records are transcoded without the GIL -------------------------------------------


def _marc8_encoder():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "marc8_corpus.py"
    spec = importlib.util.spec_from_file_location("pymrrc_marc8_corpus_for_gil", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Marc8Encoder()


@pytest.fixture(scope="module")
def marc8_input(tmp_path_factory):
    """(path, bytes, record count) of ~20 MB of MARC-8 records (the corpus,
    or synthetic records, re-encoded by benchmarks/marc8_corpus.py)."""
    unit = _corpus_bytes()
    if unit is None:
        unit = b"".join(_synthetic_record(i) for i in range(5000))
    encoder = _marc8_encoder()
    records, pos = [], 0
    while pos + 5 <= len(unit) and len(records) < 5000:
        length = int(unit[pos:pos + 5])
        converted = encoder.record(unit[pos:pos + length])
        if converted is not None:
            records.append(converted)
        pos += length
    block = b"".join(records)
    repeats = max(1, 20_000_000 // len(block))
    path = tmp_path_factory.mktemp("gil-marc8") / "marc8.mrc"
    path.write_bytes(block * repeats)
    return path, block * repeats, len(records) * repeats


@pytest.mark.parametrize("backend", ["path", "bytes", "file-open"])
def test_other_threads_run_while_pymrrc_decodes_marc8(marc8_input, backend):
    path, data, count = marc8_input
    make = _makers(path, data)[backend]
    first = next(iter(make()))
    assert first is not None and first.leader[9] == " " and first._is_lazy
    with Probe() as probe:
        fraction, detail, records = probe.fraction_during(lambda: read_for_a_while(make))
    assert records >= count
    assert fraction >= MIN_FRACTION, (
        f"MARC-8 via {backend}: the probe thread kept only {fraction:.3f} of its idle "
        f"rate (need {MIN_FRACTION}); {detail}"
    )
