"""The full Library of Congress corpus through the threaded reader and the
writer: every record must come back byte for byte.

Two threads each read the corpus with the path backend (parallel parsing)
and write it with ``MARCWriter(path)``; both outputs must equal the input.
Skipped when the corpus cannot be fetched (../shared/corpus).
"""

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

import pymrrc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.environ.get(
    "PYMRRC_CORPUS_SCRIPT", os.path.join(ROOT, "..", "shared", "corpus", "get-loc-corpus.sh")
)


@pytest.fixture(scope="module")
def corpus():
    if not os.path.exists(SCRIPT):
        pytest.skip(f"corpus script not found: {SCRIPT}")
    out = subprocess.run(["bash", SCRIPT], capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"corpus unavailable: {out.stderr.strip()[-200:]}")
    return out.stdout.strip().splitlines()[-1]


def copy_through_pymrrc(source, target):
    count = 0
    with pymrrc.MARCReader(source) as reader, pymrrc.MARCWriter(target) as writer:
        for record in reader:
            assert record is not None, reader.current_exception
            writer.write(record)
            count += 1
    return count


def test_full_corpus_round_trips_through_threads(corpus, tmp_path):
    targets = [tmp_path / "a.mrc", tmp_path / "b.mrc"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(copy_through_pymrrc, [corpus, corpus], targets))
    assert counts == [250_000, 250_000]
    size = os.path.getsize(corpus)
    with open(corpus, "rb") as original:
        for target in targets:
            assert os.path.getsize(target) == size
            original.seek(0)
            with open(target, "rb") as copy:
                while True:
                    a, b = original.read(1 << 20), copy.read(1 << 20)
                    assert a == b
                    if not a:
                        break
