"""The corpus slice, pymarc's reading of it (the ``reference`` fixture) and
the helpers that run readers in threads with bounded waits, shared by
test_threads.py and test_threads_shared.py. The corpus is the first
10,000 LoC records from ``$PYMRRC_CACHE`` (default
``~/.cache/marc-corpus``) or ``shared/corpus/get-loc-corpus.sh``.
"""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import pymrrc

from data_support import corpus_slice

REPO = Path(__file__).resolve().parents[1]
CORPUS_RECORDS = 10000
TIMEOUT = 60
STR_EVERY = 10  # str(record) is compared for every 10th record


# -- the corpus -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> Path:
    path = corpus_slice(CORPUS_RECORDS)
    if isinstance(path, str):
        pytest.skip(path)
    return path


def raw_chunks(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        length = int(data[pos:pos + 5])
        out.append(data[pos:pos + length])
        pos += length
    return out


@pytest.fixture(scope="module")
def reference(corpus):
    """A sequential, single-threaded read: as_marc() of every record and
    str() of every STR_EVERY-th one."""
    data = corpus.read_bytes()
    marcs, strs = [], {}
    for index, record in enumerate(pymrrc.MARCReader(io.BytesIO(data))):
        assert record is not None
        marcs.append(record.as_marc())
        if index % STR_EVERY == 0:
            strs[index] = str(record)
    # The corpus is clean, so records re-encode to their own bytes.
    assert marcs == raw_chunks(data)
    return marcs, strs


SHARED_RECORDS = 3000


@pytest.fixture(scope="module")
def small_corpus(corpus, reference, tmp_path_factory):
    """The first SHARED_RECORDS records (about 3 MB: several batches and
    several 1 MB reads), with their as_marc() values."""
    marcs, _ = reference
    path = tmp_path_factory.mktemp("threads") / f"loc-{SHARED_RECORDS}.mrc"
    path.write_bytes(b"".join(marcs[:SHARED_RECORDS]))
    return path, marcs[:SHARED_RECORDS]


# -- helpers -------------------------------------------------------------------------------


def make_reader(kind: str, path: Path):
    if kind == "path":
        return pymrrc.MARCReader(str(path))
    if kind == "path-w1":
        return pymrrc.MARCReader(str(path), workers=1)
    if kind == "path-w3":
        return pymrrc.MARCReader(str(path), workers=3)
    if kind == "file":
        return pymrrc.MARCReader(open(path, "rb"))
    if kind == "bytes":
        return pymrrc.MARCReader(path.read_bytes())
    raise AssertionError(kind)


def run_threads(count, fn, *args):
    """Runs ``fn(i, *args)`` in ``count`` threads started together; returns
    the results (re-raising the first exception); fails after TIMEOUT s."""
    barrier = threading.Barrier(count)

    def task(i):
        barrier.wait(TIMEOUT)
        return fn(i, *args)

    pool = ThreadPoolExecutor(max_workers=count)
    try:
        futures = [pool.submit(task, i) for i in range(count)]
        results = []
        for future in futures:
            try:
                results.append(future.result(timeout=TIMEOUT))
            except TimeoutError:
                pytest.fail(f"a reader thread did not finish within {TIMEOUT} s (deadlock?)")
        return results
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def check_read(reader, marcs, strs):
    """Reads ``reader`` to its end comparing with the reference; returns a
    list of problems (empty when all is well)."""
    problems = []
    count = 0
    for index, record in enumerate(reader):
        count += 1
        if index >= len(marcs):
            problems.append(f"extra record at {index}")
            break
        if record is None:
            problems.append(f"None at {index}: {reader.current_exception!r}")
            continue
        if record.as_marc() != marcs[index]:
            problems.append(f"as_marc() of record {index} differs")
        if index in strs and str(record) != strs[index]:
            problems.append(f"str() of record {index} differs")
        if len(problems) > 5:
            break
    if count != len(marcs):
        problems.append(f"{count} records instead of {len(marcs)}")
    for attempt in range(3):
        try:
            next(reader)
        except StopIteration:
            continue
        problems.append(f"next() #{attempt + 1} after the end did not raise StopIteration")
    return problems
