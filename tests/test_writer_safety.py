"""Data safety of ``pymrrc.MARCWriter``, part one.

* On a file object, the writer calls ``write(record.as_marc())`` once per
  record, as pymarc does, so a full disk (a fake file whose ``write()``
  raises ``OSError(ENOSPC)`` past a capacity) surfaces as that very
  ``OSError`` from ``MARCWriter.write``, and every record reported written
  before it is in the file. Compared with ``pymarc.MARCWriter`` on the same
  fake file.
* On a path, Rust buffers the output: after ``close()`` or the end of a
  ``with`` block, the file holds exactly the records written (re-read with
  pymarc and pymrrc), in pymarc's order and bytes; a writer dropped without
  ``close()``, or left at interpreter exit, still gets its records to disk,
  as a Python file object does.

Failing devices, writing after ``close()`` and bad destinations are in
test_writer_safety_failures.py; shared helpers in writer_safety_support.py.
"""

from __future__ import annotations

import errno
import gc
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
    build,
    marc_of,
    raw_record,
    records,
)


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
