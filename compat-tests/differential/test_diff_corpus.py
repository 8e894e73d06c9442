"""pymarc vs pymrrc on the first N records of the LoC BooksAll 2016 corpus.

* N = PYMRRC_DIFF_RECORDS (default 50000; 0 skips).
* The slice comes from shared/corpus/get-loc-corpus.sh (found as
  ../shared/corpus/get-loc-corpus.sh from the repo root, or
  PYMRRC_CORPUS_SCRIPT), with the same cache folder as the sdist.  If the
  script or the corpus is unavailable the test is skipped, unless
  PYMRRC_REQUIRE_CORPUS=1 (then it fails).

Both readers run side by side over the same file; their snapshots are
compared batch by batch (nothing is kept beyond one batch).  Every record
must also round-trip: as_marc() must return the original record bytes, for
pymarc and for the target.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from pathlib import Path

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py
import pymrrc_compat_sdist as sdist

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCRIPT = REPO_ROOT.parent / "shared" / "corpus" / "get-loc-corpus.sh"
BATCH = 500


def corpus_records() -> int:
    return int(os.environ.get("PYMRRC_DIFF_RECORDS", "50000"))


def _unavailable(message: str):
    if os.environ.get("PYMRRC_REQUIRE_CORPUS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def corpus_slice() -> Path:
    n = corpus_records()
    if n <= 0:
        pytest.skip("PYMRRC_DIFF_RECORDS=0")
    script = Path(os.environ.get("PYMRRC_CORPUS_SCRIPT") or DEFAULT_SCRIPT)
    if not script.is_file():
        _unavailable(f"corpus script not found at {script} (set PYMRRC_CORPUS_SCRIPT)")
    try:
        proc = subprocess.run(
            ["bash", str(script), str(sdist.cache_dir()), str(n)],
            capture_output=True, text=True, timeout=1800,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable(f"corpus script {script} could not run: {exc}")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not Path(lines[-1]).is_file():
        _unavailable(f"corpus script {script} failed (exit {proc.returncode}): "
                     f"{proc.stderr.strip()[-1500:]}")
    return Path(lines[-1])


def test_corpus(corpus_slice, reference, target):
    originals = diff.iter_file_records(corpus_slice)
    with open(corpus_slice, "rb") as ref_fh, open(corpus_slice, "rb") as got_fh:
        ref_iter = diff.iter_snapshots(reference, ref_fh)
        got_iter = diff.iter_snapshots(target, got_fh)
        index = 0
        while True:
            ref_batch = list(itertools.islice(ref_iter, BATCH))
            got_batch = list(itertools.islice(got_iter, BATCH))
            if not ref_batch and not got_batch:
                break
            if ref_batch != got_batch:
                # Locate the first differing item for the message.
                offset = next((i for i, (a, b) in enumerate(zip(ref_batch, got_batch, strict=False))
                               if a != b), min(len(ref_batch), len(got_batch)))
                pytest.fail(diff.describe_mismatch(
                    ref_batch[offset:offset + 1], got_batch[offset:offset + 1],
                    f"corpus item {index + offset} of {corpus_slice.name}"))
            for item, got in zip(ref_batch, got_batch, strict=True):
                if item["kind"] == "end":
                    continue
                original = next(originals, None)
                assert item["kind"] == "record", (
                    f"corpus item {index}: expected a record, got {item['kind']}: "
                    f"{item.get('exception')}")
                for side, snap in (("pymarc", item), (diff.target_name(), got)):
                    assert snap["record"]["as_marc"] == ("ok", original), (
                        f"corpus record {index}: {side}'s as_marc() does not return "
                        f"the original bytes")
                index += 1
    assert next(originals, None) is None, "reader stopped before the end of the slice"
    assert index > 0
    print(f"{index} corpus records identical in pymarc and {diff.target_name()}; "
          f"all round-trip through as_marc()")
