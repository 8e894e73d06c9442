"""Big hostile ISO 2709 input, read in a subprocess with a time limit and
compared with pymarc 5.4.0: a 100 MB file without a record terminator (the
reader must stop at once, without buffering the file), 200+ MB streams and
the whole corpus (peak RSS stays bounded), and a real file whose record
length is under 4. Split from test_adversarial.py (helpers in
adversarial_support.py)."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pymarc
import pytest

import pymrrc
from adversarial_support import GOOD, GOOD2, build, describe, entry, quiet, watchdog  # noqa: F401

REPO = Path(__file__).resolve().parents[1]

# Time limit for one subprocess reading a big file.
SUBPROCESS_TIMEOUT_S = 90


# -- big inputs, in a subprocess ----------------------------------------------------

# Prints, as JSON, what a reader gives for a file: the first ``limit`` items
# (chunks and records as length + sha256), whether it stopped by then, how
# many items it gave in all (when ``count`` is set: without keeping them),
# and the peak RSS before and after reading.
CHILD = textwrap.dedent(
    """
    import hashlib, io, json, logging, resource, sys, warnings
    logging.getLogger("pymarc").disabled = True
    warnings.simplefilter("ignore")
    path, backend, limit, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    if backend.startswith("pymarc"):
        import pymarc as lib
    else:
        import pymrrc as lib

    def digest(data):
        return None if data is None else [len(data), hashlib.sha256(bytes(data)).hexdigest()]

    def peak_kib():
        # VmHWM: the peak RSS of this process image. ru_maxrss would also
        # count the parent's pages from before exec().
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    baseline = peak_kib()
    if backend == "path":
        reader = lib.MARCReader(path)
    elif backend == "path-workers1":
        reader = lib.MARCReader(path, workers=1)
    elif backend in ("bytes", "pymarc-bytes"):
        reader = lib.MARCReader(open(path, "rb").read())
    elif backend == "bytesio":
        reader = lib.MARCReader(io.BytesIO(open(path, "rb").read()))
    elif backend == "file":
        reader = lib.MARCReader(open(path, "rb"))
    else:
        raise SystemExit(f"unknown backend {backend}")
    items, total, stopped = [], 0, False
    while True:
        try:
            record = next(reader)
        except StopIteration:
            stopped = True
            break
        total += 1
        if len(items) < limit:
            exc = reader.current_exception
            items.append([
                "None" if record is None else "Record",
                None if exc is None else [type(exc).__name__, str(exc)],
                digest(reader.current_chunk),
                None if record is None else digest(record.as_marc()),
            ])
        elif not count:
            break
        record = None
    print(json.dumps({"items": items, "total": total, "stopped": stopped,
                      "baseline_kib": baseline, "peak_kib": peak_kib()}))
    """
)


def read_in_child(
    path: Path, backend: str, limit: int = 5, count: bool = False
) -> dict:
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                str(path),
                backend,
                str(limit),
                "1" if count else "0",
            ],
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT_S,
            cwd=str(REPO),
            check=False,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(
                    [str(REPO), os.environ.get("PYTHONPATH", "")]
                ),
            },
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"reading {path.name} ({backend}) took over {SUBPROCESS_TIMEOUT_S} s: a hang?"
        )
    assert proc.returncode == 0, (
        f"reader crashed (rc {proc.returncode}): {proc.stderr[-3000:]}"
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def write_repeated(
    path: Path, block: bytes, total_bytes: int, head: bytes = b""
) -> int:
    """Writes ``head`` then ``block`` repeated to at least ``total_bytes``;
    returns how many blocks were written."""
    per_write = max(1, (4 << 20) // len(block))
    chunk = block * per_write
    blocks = 0
    with open(path, "wb") as out:
        out.write(head)
        written = len(head)
        while written < total_bytes:
            out.write(chunk)
            written += len(chunk)
            blocks += per_write
    return blocks


MB = 1 << 20
# Looks like a 100-byte record, but its last byte is a field terminator.
NO_TERMINATOR_BLOCK = (
    b"00100nam a2200037   4500"
    + entry(b"500", 63, 0)
    + b"\x1e"
    + b"  \x1fa"
    + b"x" * 58
    + b"\x1e"
)
assert len(NO_TERMINATOR_BLOCK) == 100 and b"\x1d" not in NO_TERMINATOR_BLOCK

SMALL_BACKENDS = ["bytes", "bytesio", "path", "path-workers1"]



@pytest.fixture(scope="module")
def no_terminator_files(tmp_path_factory):
    """100 MB with no record terminator anywhere: one whose first record
    claims 100 bytes (pymarc stops at once: EndOfRecordNotFound), one whose
    first length is 00000 (pymarc reads the whole file as one chunk)."""
    folder = tmp_path_factory.mktemp("noterm")
    framed = folder / "no_terminator_framed.mrc"
    write_repeated(framed, NO_TERMINATOR_BLOCK, 100 * MB)
    whole = folder / "no_terminator_length_zero.mrc"
    write_repeated(
        whole, NO_TERMINATOR_BLOCK, 100 * MB, head=b"00000" + NO_TERMINATOR_BLOCK[5:]
    )
    yield {"framed": framed, "length_zero": whole}
    # pytest keeps recent temporary folders: do not leave 200 MB behind.
    framed.unlink()
    whole.unlink()


@functools.cache
def pymarc_first_items(path: str, limit: int = 5):
    """pymarc's first ``limit`` items for a big file, in the child's form
    (read from ``io.BytesIO``: pymarc on a real file raises ValueError for
    a length under 4, see test_real_file_with_short_length)."""
    out = []
    with quiet():
        reader = pymarc.MARCReader(io.BytesIO(Path(path).read_bytes()))
        stopped = False
        for _ in range(limit):
            try:
                record = next(reader)
            except StopIteration:
                stopped = True
                break
            exc = reader.current_exception
            chunk = reader.current_chunk
            out.append(
                [
                    "None" if record is None else "Record",
                    None if exc is None else [type(exc).__name__, str(exc)],
                    None
                    if chunk is None
                    else [len(chunk), hashlib.sha256(chunk).hexdigest()],
                    None
                    if record is None
                    else [len(m := record.as_marc()), hashlib.sha256(m).hexdigest()],
                ]
            )
        else:
            try:
                next(reader)
            except StopIteration:
                stopped = True
    return out, stopped


@pytest.mark.parametrize("backend", SMALL_BACKENDS)
@pytest.mark.parametrize("variant", ["framed", "length_zero"])
def test_100mb_without_terminator(no_terminator_files, variant, backend):
    path = no_terminator_files[variant]
    want_items, want_stopped = pymarc_first_items(str(path))
    got = read_in_child(path, backend)
    assert got["items"] == want_items
    assert got["stopped"] and want_stopped
    size_kib = path.stat().st_size // 1024
    if variant == "framed" and backend.startswith("path"):
        # The reader stops at the first record: it must not have buffered
        # the file (nor a large part of it) to get there.
        grown = got["peak_kib"] - got["baseline_kib"]
        assert grown < size_kib // 4, (
            f"peak RSS grew by {grown} KiB reading a {size_kib} KiB file that fails "
            f"at byte 100 (baseline {got['baseline_kib']} KiB)"
        )


def test_100mb_without_terminator_pymarc_child_agrees(no_terminator_files):
    # The child's digest form is the same as pymarc_first_items' one.
    path = no_terminator_files["framed"]
    got = read_in_child(path, "pymarc-bytes")
    assert (got["items"], got["stopped"]) == pymarc_first_items(str(path))


# ~1 KB records, all valid; repeated into a file of 200+ MB.
def _stream_record():
    fields = [
        (b"001", b"stream00001"),
        (b"008", b"850101s1985    xx            000 0 eng d"),
    ]
    fields += [
        (b"5%02d" % j, b"  \x1fa" + b"Note %02d " % j * 4 + b"\xc3\xa9")
        for j in range(20)
    ]
    return build(fields)


STREAM_RECORD = _stream_record()
STREAM_BYTES = 210 * MB
# Peak RSS allowed while streaming 200+ MB (about 30 MB is usual), and the
# growth over the interpreter's own footprint.
RSS_LIMIT_KIB = 150 * 1024
RSS_GROWTH_KIB = 96 * 1024


@pytest.fixture(scope="module")
def big_stream(tmp_path_factory):
    path = tmp_path_factory.mktemp("stream") / "valid_200mb.mrc"
    blocks = write_repeated(path, STREAM_RECORD, STREAM_BYTES)
    yield path, blocks
    path.unlink()


@pytest.mark.parametrize("backend", ["path", "path-workers1", "file"])
def test_streaming_200mb_memory_is_bounded(big_stream, backend):
    path, count = big_stream
    size_kib = path.stat().st_size // 1024
    assert size_kib > 200 * 1024
    got = read_in_child(path, backend, limit=2, count=True)
    assert got["stopped"] and got["total"] == count
    digest = [len(STREAM_RECORD), hashlib.sha256(STREAM_RECORD).hexdigest()]
    assert got["items"] == [["Record", None, digest, digest]] * 2
    assert got["peak_kib"] < RSS_LIMIT_KIB, (
        f"peak RSS {got['peak_kib']} KiB streaming a {size_kib} KiB file "
        f"(baseline {got['baseline_kib']} KiB)"
    )
    assert got["peak_kib"] - got["baseline_kib"] < RSS_GROWTH_KIB, got


def corpus_file() -> Path | None:
    env = os.environ.get("PYMRRC_CACHE")
    base = (
        Path(env).expanduser()
        if env
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "marc-corpus"
    )
    path = base / "BooksAll.2016.part01.utf8"
    return path if path.is_file() else None


@pytest.mark.parametrize("backend", ["path", "path-workers1"])
def test_streaming_full_corpus_memory_is_bounded(backend):
    path = corpus_file()
    if path is None:
        pytest.skip("BooksAll.2016.part01.utf8 is not in the corpus cache")
    size_kib = path.stat().st_size // 1024
    got = read_in_child(path, backend, limit=3, count=True)
    assert got["stopped"] and got["total"] > 1000
    assert all(item[0] == "Record" for item in got["items"])
    assert got["peak_kib"] < min(RSS_LIMIT_KIB, size_kib // 2), (
        f"peak RSS {got['peak_kib']} KiB streaming a {size_kib} KiB file "
        f"(baseline {got['baseline_kib']} KiB)"
    )
    assert got["peak_kib"] - got["baseline_kib"] < RSS_GROWTH_KIB, got


# -- a real file whose record length is under 4 --------------------------------------


@pytest.mark.parametrize("head", [b"00000", b"-0010"])
def test_real_file_with_short_length(tmp_path, head):
    """pymarc reads the rest of a record with ``read(length - 5)``: from
    ``io.BytesIO`` a negative size reads to the end (which pymrrc copies for
    every source), but a file from ``open()`` refuses a size below -1 with
    ``ValueError: read length must be non-negative or -1``, which escapes
    ``next()``. pymrrc, given the same open file, should do the same."""
    path = tmp_path / "short.mrc"
    path.write_bytes(GOOD + head + GOOD2[5:])
    observed = []
    for lib in (pymarc, pymrrc):
        with open(path, "rb") as handle:
            reader = lib.MARCReader(handle)
            steps = []
            for _ in range(4):
                try:
                    record = next(reader)
                except StopIteration:
                    steps.append("stop")
                    break
                except Exception as exc:  # noqa: BLE001 - the observation
                    steps.append(("raised", type(exc).__name__, str(exc)))
                    break
                with quiet():
                    steps.append(describe(reader, record))
            observed.append(steps)
    assert observed[1] == observed[0]
