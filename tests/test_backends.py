"""Every MARCReader backend yields what pymarc yields.

``pymrrc.MARCReader`` picks a backend from its target: a path (read by a
background Rust thread and validated by a worker pool), a ``bytes``-like
object (validated in memory) or a binary file object (read in large
batches).  For pymarc 5.4.0's test data files, crafted bad inputs and a slice
of the LoC corpus, under several option sets, the sequence observed through
``pymarc.MARCReader(io.BytesIO(data))`` is compared item by item with what
each backend gives:

* a record: ``as_marc()``, ``str(record)``, ``current_chunk`` and
  ``current_exception`` (None);
* ``None``: the exception's class name and ``str()``, and ``current_chunk``;
* the end: ``StopIteration`` at the same step (and again on the next call).

``current_offset`` must be the true offset of each item (the sum of the
lengths of the chunks before it), and a seekable stream must stand, after
every ``next()``, where pymarc leaves it: at the end of the chunk just read;
a caller's seeks between records are followed. Choosing, closing and odd
targets are in test_backends_targets.py; inputs and backends in
backends_support.py.
"""

from __future__ import annotations
import io
from pathlib import Path

import pymarc
import pytest
import pymrrc
from data_support import pymarc_test_dir
from reader_items import describe, quiet

from backends_support import (  # noqa: F401
    BACKENDS,
    BAD_UTF8,
    CORPUS_RECORDS,
    CRAFTED,
    GOOD,
    GOOD2,
    GOOD3,
    INPUTS,
    MARC8,
    OPTION_SETS,
    PYMARC_DATA_FILES,
    _comparable,
    assert_same,
    expected,
    input_path,
    observe,
    open_backend,
    tmp_root,
)


# -- the comparison ------------------------------------------------------------------------



@pytest.mark.parametrize(
    ("name", "options", "backend"),
    [
        (name, options, backend)
        for name in INPUTS
        for options in OPTION_SETS
        for backend in BACKENDS
        if _comparable(name, backend)
    ],
)
def test_backend_matches_pymarc(name, options, backend, tmp_root):
    path = input_path(name, tmp_root)
    data = path.read_bytes()
    ref = expected(name, options, tmp_root)
    with open_backend(backend, data, path, OPTION_SETS[options]) as (reader, stream):
        ours = observe(reader, len(data), stream=stream, offsets=True)
    assert_same(ours, ref, f"{name} {options} {backend}", check_tells=stream is not None)


@pytest.mark.parametrize("backend", ["BytesIO", "file", "bytes"])
@pytest.mark.parametrize("name", ["crafted:three_good", "crafted:invalid_utf8",
                                  "crafted:fatal_after_1300", f"corpus:{CORPUS_RECORDS}"])
def test_stream_position_after_the_end(name, backend, tmp_root):
    """Once StopIteration is raised the stream stands where pymarc leaves it."""
    path = input_path(name, tmp_root)
    data = path.read_bytes()
    ref = expected(name, "default", tmp_root)
    with open_backend(backend, data, path, {}) as (reader, stream):
        ours = observe(reader, len(data), stream=stream)
    assert ours.tell_at_end == ref.tell_at_end


def test_pymarc_data_file_list_is_complete():
    folder = pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    found = sorted(p.name for p in Path(folder).iterdir() if p.suffix in (".dat", ".mrc"))
    assert found == sorted(PYMARC_DATA_FILES)


def test_crafted_inputs_exercise_what_they_claim(tmp_root):
    """Sanity of the crafted inputs: they hit the errors they are named for."""
    def classes(name):
        return [item[1][0] if item[0] == "None" else "Record"
                for item in expected(f"crafted:{name}", "default", tmp_root).items]

    assert classes("empty") == []
    assert classes("truncated_at_end")[-1] == "TruncatedRecord"
    assert classes("bad_length_digits_mid") == ["Record", "RecordLengthInvalid"]
    assert classes("end_of_record_missing_mid") == ["Record", "EndOfRecordNotFound"]
    assert classes("fatal_after_1300") == ["Record"] * 1300 + ["EndOfRecordNotFound"]
    assert classes("truncated_after_1300")[-1] == "TruncatedRecord"
    assert "BaseAddressNotFound" in classes("bad_base_address")
    assert "RecordDirectoryInvalid" in classes("bad_directory")
    assert "ValueError" in classes("bad_directory")
    assert "UnicodeDecodeError" in classes("invalid_utf8")
    mix = classes("bad_mix_3000_then_fatal")
    assert len(mix) == 3001 and mix[-1] in ("TruncatedRecord", "EndOfRecordNotFound")
    assert {"BaseAddressNotFound", "NoFieldsFound", "UnicodeDecodeError", "ValueError",
            "RecordDirectoryInvalid", "Record"} <= set(mix)
    big = classes("big_records")
    assert big == ["Record"] * 30 + ["TruncatedRecord"]
    assert len(CRAFTED["big_records"]) > 2 * (1 << 20)


# -- seeking between records ------------------------------------------------------------------


def _seek_script(module, stream, options, plan):
    """Reads with ``module``, seeking ``stream`` to ``plan[i]`` (if present)
    before the i-th ``next()``; returns what was seen."""
    out = []
    with quiet():
        reader = module.MARCReader(stream, **options)
        for step in range(40):
            if step in plan:
                stream.seek(plan[step])
            try:
                record = next(reader)
            except StopIteration:
                out.append(("stop", stream.tell()))
                break
            out.append((describe(reader, record), stream.tell()))
    return out


@pytest.mark.parametrize("kind", ["BytesIO", "file", "unbuffered file"])
@pytest.mark.parametrize("plan_name", ["rewind", "skip_ahead", "into_garbage", "to_end", "twice"])
def test_caller_seek_between_records_is_followed(kind, plan_name, tmp_path):
    data = GOOD + GOOD2 + BAD_UTF8 + GOOD3 + MARC8 + GOOD
    starts = [0]
    for part in (GOOD, GOOD2, BAD_UTF8, GOOD3, MARC8):
        starts.append(starts[-1] + len(part))
    plan = {
        "rewind": {3: 0},
        "skip_ahead": {1: starts[3]},
        "into_garbage": {2: starts[1] + 7},
        "to_end": {2: len(data)},
        "twice": {1: starts[4], 3: starts[1]},
    }[plan_name]
    path = tmp_path / "seek.mrc"
    path.write_bytes(data)

    def stream():
        if kind == "BytesIO":
            return io.BytesIO(data)
        return open(path, "rb", buffering=0 if kind == "unbuffered file" else -1)

    ref_stream, our_stream = io.BytesIO(data), stream()
    try:
        ref = _seek_script(pymarc, ref_stream, {}, plan)
        ours = _seek_script(pymrrc, our_stream, {}, plan)
    finally:
        our_stream.close()
    assert ours == ref


def test_interrupt_while_positioning_the_stream_reaches_the_caller():
    """A KeyboardInterrupt raised by the stream's seek() between records
    comes out of next(), and the record being read is not lost."""
    stream = io.BytesIO(GOOD + GOOD2 + GOOD3)
    reader = pymrrc.MARCReader(stream)
    first = next(reader)
    assert first is not None

    def interrupted(*args):
        raise KeyboardInterrupt

    stream.seek = interrupted
    with pytest.raises(KeyboardInterrupt):
        next(reader)
    del stream.seek
    rest = list(reader)
    expected = list(pymarc.MARCReader(io.BytesIO(GOOD + GOOD2 + GOOD3)))
    assert [r.as_marc() for r in [first, *rest]] == [r.as_marc() for r in expected]
    assert stream.tell() == len(GOOD + GOOD2 + GOOD3)


@pytest.mark.parametrize("kind", ["BytesIO", "file"])
def test_stream_starting_mid_file(kind, tmp_path):
    """A stream that is not at 0 is read from where it stands."""
    data = b"junk!" + GOOD + GOOD2 + GOOD3
    path = tmp_path / "mid.mrc"
    path.write_bytes(data)
    ref_stream = io.BytesIO(data)
    ref_stream.seek(5)
    ref = observe(pymarc.MARCReader(ref_stream), len(data), stream=ref_stream)
    with (io.BytesIO(data) if kind == "BytesIO" else open(path, "rb")) as our_stream:
        our_stream.seek(5)
        ours = observe(pymrrc.MARCReader(our_stream), len(data), stream=our_stream)
    assert ours.items == ref.items
    assert ours.tells == ref.tells
    assert len(ours.items) == 3
