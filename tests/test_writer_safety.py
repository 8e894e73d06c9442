"""Data safety of ``pymrrc.MARCWriter``.

* On a file object, the writer calls ``write(record.as_marc())`` once per
  record, as pymarc does, so a full disk (a fake file whose ``write()``
  raises ``OSError(ENOSPC)`` past a capacity) surfaces as that very
  ``OSError`` from ``MARCWriter.write``, and every record reported written
  before it is in the file. Compared with ``pymarc.MARCWriter`` on the same
  fake file.
* On a path, Rust buffers the output: after ``close()`` or the end of a
  ``with`` block, the file holds exactly the records written (re-read with
  pymarc and pymrrc); a failing device (``/dev/full``, a file size limit)
  raises an ``OSError`` carrying the errno, as a Python file would; a retry
  after a failed flush does not write bytes twice; a writer dropped without
  ``close()`` still gets its records to disk, as a Python file object does.
* Writing after ``close()`` behaves as pymarc's writer does (for file
  objects) and never crashes.
* ``MARCWriter(path)`` on a directory or under a missing folder raises
  ``IsADirectoryError``/``FileNotFoundError`` naming the path.
"""

from __future__ import annotations

import errno
import gc
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pymarc
import pytest

import pymrrc

REPO = Path(__file__).resolve().parents[1]


# -- records ---------------------------------------------------------------------


def build(fields, leader9=b"a"):
    directory = b""
    data = b""
    for tag, body in fields:
        body += b"\x1e"
        directory += tag + b"%04d%05d" % (len(body), len(data))
        data += body
    directory += b"\x1e"
    data += b"\x1d"
    base = 24 + len(directory)
    return (
        b"%05dnam %s22%05d   4500" % (base + len(data), leader9, base)
        + directory
        + data
    )


def raw_record(i: int) -> bytes:
    notes = [
        (b"500", b"  \x1faNote %d.%d \xc3\xa9\xe2\x80\x94 " % (i, j) + b"x" * (i % 97))
        for j in range(1 + i % 7)
    ]
    return build(
        [
            (b"001", b"safe%06d" % i),
            (b"008", b"850101s1985    xx            000 0 eng d"),
            (b"100", b"1 \x1faAuthor %d,\x1fd1900-1990." % i),
            (b"245", b"10\x1faTitle %d :\x1fbsubtitle /\x1fcby someone." % i),
            *notes,
            (b"650", b" 0\x1faSubject %d\x1fxSubdivision." % (i % 13)),
        ]
    )


RAW = b"".join(raw_record(i) for i in range(3000))


def records(lib, count=3000):
    reader = lib.MARCReader(RAW)
    out = [next(reader) for _ in range(count)]
    assert all(record is not None for record in out)
    return out


@pytest.fixture(scope="module")
def both():
    """The same records as pymarc and as pymrrc objects."""
    theirs, ours = records(pymarc), records(pymrrc)
    assert [r.as_marc() for r in theirs] == [r.as_marc() for r in ours]
    return theirs, ours


def marc_of(recs):
    return b"".join(record.as_marc() for record in recs)


# -- a file object that runs out of space --------------------------------------------


class DiskFull:
    """A binary file that holds ``capacity`` bytes; a write that does not
    fit raises ``OSError(ENOSPC)`` (after storing what fits when
    ``partial``). Every ``write()`` call is logged."""

    def __init__(self, capacity: int, partial: bool = False):
        self.capacity = capacity
        self.partial = partial
        self.buffer = bytearray()
        self.calls = []
        self.closed = False

    def write(self, data):
        if self.closed:
            raise ValueError("write to closed file")
        data = bytes(data)
        self.calls.append(data)
        room = self.capacity - len(self.buffer)
        if len(data) > room:
            if self.partial:
                self.buffer += data[:room]
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.buffer += data
        return len(data)

    def close(self):
        self.closed = True


def _outcome(fn):
    try:
        fn()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the failure is the observation
        return (type(exc).__name__, getattr(exc, "errno", None), str(exc), exc.args)


def drive(lib, recs, fake, tries_after_error=3):
    """Writes ``recs`` until the first error, then ``tries_after_error``
    more, then closes; returns each step's outcome."""
    writer = lib.MARCWriter(fake)
    steps = []
    errors = 0
    for record in recs:
        steps.append(_outcome(lambda record=record: writer.write(record)))
        if steps[-1] != "ok":
            errors += 1
            if errors > tries_after_error:
                break
    steps.append(("close", _outcome(writer.close)))
    return steps


SIZES = [len(raw_record(i)) for i in range(3000)]
CAPACITIES = {
    "zero": 0,
    "one_byte": 1,
    "mid_first_record": SIZES[0] // 2,
    "exactly_one_record": SIZES[0],
    "exactly_ten_records": sum(SIZES[:10]),
    "mid_record_200": sum(SIZES[:200]) + 17,
    "one_mib": 1 << 20,
}


@pytest.mark.parametrize(
    "partial", [False, True], ids=["all-or-nothing", "partial-write"]
)
@pytest.mark.parametrize("capacity", list(CAPACITIES))
def test_enospc_from_file_object(both, capacity, partial):
    theirs, ours = both
    size = CAPACITIES[capacity]
    fake_theirs, fake_ours = DiskFull(size, partial), DiskFull(size, partial)
    want = drive(pymarc, theirs, fake_theirs)
    got = drive(pymrrc, ours, fake_ours)

    # Same outcome at every step: the same OSError (class, errno, message).
    assert got == want
    failures = [step for step in got if step != "ok" and step[0] != "close"]
    assert failures, "the disk never filled up"
    assert all(step[:2] == ("OSError", errno.ENOSPC) for step in failures)
    # One write() per record with its as_marc() bytes, as pymarc does.
    assert fake_ours.calls == fake_theirs.calls
    assert fake_ours.buffer == fake_theirs.buffer
    # Everything reported written is in the file, in order (a smaller
    # record may still fit after the first failure).
    first_failure = got.index(failures[0])
    before = marc_of(ours[:first_failure])
    assert bytes(fake_ours.buffer[: len(before)]) == before
    if not partial:
        accepted = [record for record, step in zip(ours, got) if step == "ok"]
        assert bytes(fake_ours.buffer) == marc_of(accepted)
    assert fake_ours.closed and fake_theirs.closed


def test_enospc_error_is_the_file_objects_own(both):
    """The exception object raised by the file is what reaches the caller."""
    raised = OSError(errno.ENOSPC, "No space left on device", "fake.mrc")

    class Raiser:
        def write(self, data):
            raise raised

    writer = pymrrc.MARCWriter(Raiser())
    with pytest.raises(OSError) as info:
        writer.write(both[1][0])
    assert info.value is raised
    assert info.value.errno == errno.ENOSPC and info.value.filename == "fake.mrc"


# -- writing to a path -----------------------------------------------------------------


def read_back(path):
    """The file's records as bytes, through pymarc and through pymrrc."""
    with open(path, "rb") as handle:
        theirs = [r.as_marc() for r in pymarc.MARCReader(handle)]
    with pymrrc.MARCReader(str(path)) as reader:
        ours = [r.as_marc() for r in reader]
    return theirs, ours


@pytest.mark.parametrize("kind", ["str", "Path"])
@pytest.mark.parametrize("count", [0, 1, 3000])
def test_path_writer_round_trip(both, tmp_path, kind, count):
    recs = both[1][:count]
    path = tmp_path / "out.mrc"
    writer = pymrrc.MARCWriter(str(path) if kind == "str" else path)
    for record in recs:
        writer.write(record)
    writer.close()
    expected = [record.as_marc() for record in recs]
    assert path.read_bytes() == b"".join(expected)
    theirs, ours = read_back(path)
    assert theirs == ours == expected


def test_path_writer_many_buffers(both, tmp_path):
    """Several MiB: the 1 MiB buffer is written out many times over."""
    recs = both[1] * 4
    path = tmp_path / "big.mrc"
    writer = pymrrc.MARCWriter(path)
    for record in recs:
        writer.write(record)
    writer.close()
    data = path.read_bytes()
    assert len(data) > 4 << 20
    assert data == marc_of(recs)
    theirs, ours = read_back(path)
    assert theirs == ours == [r.as_marc() for r in recs]


def test_path_writer_records_from_pymarc_and_built(both, tmp_path):
    """Records made with pymrrc's API and records read by pymrrc, mixed."""
    built = pymrrc.Record()
    built.add_field(pymrrc.Field(tag="001", data="built1"))
    built.add_field(
        pymrrc.Field(
            tag="245",
            indicators=["1", "0"],
            subfields=[
                pymrrc.Subfield("a", "Built \u00e9\u4e2d"),
                pymrrc.Subfield("c", "x"),
            ],
        )
    )
    recs = [built, *both[1][:50], built]
    path = tmp_path / "mixed.mrc"
    with pymrrc.MARCWriter(path) as writer:
        for record in recs:
            writer.write(record)
    theirs, ours = read_back(path)
    assert theirs == ours == [r.as_marc() for r in recs]


def test_path_writer_truncates_existing_file(both, tmp_path):
    path = tmp_path / "old.mrc"
    path.write_bytes(b"x" * 100000)
    with pymrrc.MARCWriter(path) as writer:
        writer.write(both[1][0])
    assert path.read_bytes() == both[1][0].as_marc()


def _overriding_subclass(lib):
    class Marked(lib.Record):
        def as_marc(self):
            return b"<marked>" + super().as_marc()

    return Marked


def _mixed_writes(lib, recs, writer):
    """A sequence that interleaves every way ``MARCWriter.write`` can take:
    records nobody edited (queued by ``MARCWriter(path)``), edited ones, a
    subclass that overrides ``as_marc``, a record edited right after it was
    written, and bytes written straight to the writer's handle."""
    marked = _overriding_subclass(lib)
    for i, record in enumerate(recs):
        if i % 7 == 3:
            record["245"]["a"] = f"Edited {i}"
        if i % 11 == 5:
            copy = marked(leader=record.leader)
            copy.add_field(*record.get_fields())
            record = copy
        writer.write(record)
        if i % 13 == 6:
            record.add_field(lib.Field(tag="001", data="after the write"))
        if i % 17 == 8:
            writer.file_handle.write(b"<raw %d>" % i)


def test_path_writer_order_and_bytes_match_pymarc(tmp_path):
    """``MARCWriter(path)`` encodes unedited records later, with the GIL
    released; the file must still hold exactly what pymarc's writer puts in
    a file object for the same calls, in the same order."""
    reference = io.BytesIO()
    _mixed_writes(pymarc, records(pymarc), pymarc.MARCWriter(reference))
    path = tmp_path / "mixed.mrc"
    writer = pymrrc.MARCWriter(path)
    _mixed_writes(pymrrc, records(pymrrc), writer)
    writer.close()
    assert len(reference.getvalue()) > 1 << 20  # more than one buffer
    assert path.read_bytes() == reference.getvalue()


def test_path_writer_marks_the_leader_unicode_as_pymarc(tmp_path):
    """pymarc's ``as_marc`` sets leader position 9 to 'a' on a record read
    with ``to_unicode``; writing through ``MARCWriter(path)`` does the same
    to the record, and writes that leader."""
    raw = b"".join(
        build([(b"001", b"n%d" % i), (b"245", b"10\x1faPlain %d" % i)], leader9=b" ")
        for i in range(5)
    )
    theirs = list(pymarc.MARCReader(raw))
    ours = list(pymrrc.MARCReader(raw))
    reference = io.BytesIO()
    writer = pymarc.MARCWriter(reference)
    for record in theirs:
        writer.write(record)
    path = tmp_path / "leader.mrc"
    with pymrrc.MARCWriter(path) as writer:
        for record in ours:
            writer.write(record)
    assert path.read_bytes() == reference.getvalue()
    assert [str(r.leader) for r in ours] == [str(r.leader) for r in theirs]


@pytest.mark.parametrize("count", [1, 3000])
def test_with_block_without_close(both, tmp_path, count):
    recs = both[1][:count]
    path = tmp_path / "with.mrc"
    with pymrrc.MARCWriter(str(path)) as writer:
        for record in recs:
            writer.write(record)
    assert path.read_bytes() == marc_of(recs)
    theirs, ours = read_back(path)
    assert theirs == ours == [r.as_marc() for r in recs]


def test_with_block_left_by_an_exception(both, tmp_path):
    recs = both[1][:1200]
    path = tmp_path / "raised.mrc"
    with pytest.raises(KeyError), pymrrc.MARCWriter(path) as writer:
        for record in recs:
            writer.write(record)
        raise KeyError("stop")
    assert path.read_bytes() == marc_of(recs)


def test_dropped_writer_still_writes(both, tmp_path):
    """A Python file object flushes when it is garbage collected, so
    ``MARCWriter(open(path, "wb"))`` loses nothing if ``close()`` is
    forgotten; ``MARCWriter(path)`` should not lose the buffered records
    either."""
    recs = both[1][:10]
    reference = tmp_path / "pymarc.mrc"
    writer = pymarc.MARCWriter(open(reference, "wb"))  # noqa: SIM115 - dropped on purpose
    for record in both[0][:10]:
        writer.write(record)
    del writer
    gc.collect()
    assert reference.read_bytes() == marc_of(recs)

    path = tmp_path / "dropped.mrc"
    writer = pymrrc.MARCWriter(path)
    for record in recs:
        writer.write(record)
    del writer
    gc.collect()
    assert path.read_bytes() == marc_of(recs)


EXIT_WITHOUT_CLOSE = textwrap.dedent(
    """
    import sys
    import pymrrc
    path, source = sys.argv[1], sys.argv[2]
    writer = pymrrc.MARCWriter(path)
    for record in pymrrc.MARCReader(source):
        writer.write(record)
    # No close(): the interpreter exits with the writer alive.
    """
)


def test_interpreter_exit_without_close(tmp_path):
    source = tmp_path / "source.mrc"
    source.write_bytes(RAW[: sum(SIZES[:20])])
    path = tmp_path / "exit.mrc"
    proc = subprocess.run(
        [sys.executable, "-c", EXIT_WITHOUT_CLOSE, str(path), str(source)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(REPO),
        check=False,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(REPO), os.environ.get("PYTHONPATH", "")]
            ),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert path.read_bytes() == source.read_bytes()


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
