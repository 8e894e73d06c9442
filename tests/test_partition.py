"""Record-aligned partitions (``pymrrc.partitions``): the planner tiles each
file, and the partitions, each read with ``MARCReader(partition)``, give
what one sequential read gives (pymarc's: records, ``None``s, exceptions
and chunks), for any target size and any damage, a record whose length is
wrong included."""

from __future__ import annotations

import bz2
import gzip
import io
import pickle

import pymarc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pymrrc
from pymrrc.partition import Partition, partitions, resolve, resolved
from tests.data_support import corpus_slice, pymarc_test_dir


def _slice_path():
    path = corpus_slice(10_000)
    if isinstance(path, str):
        pytest.skip(path)
    return str(path)


def _pool():
    """Short, valid records: the bricks random files are built from."""
    path = corpus_slice(300)
    if isinstance(path, str):
        pytest.skip(path)
    with open(path, "rb") as handle:
        chunks = [r.as_marc() for r in pymarc.MARCReader(handle)]
    return sorted(chunks, key=len)[:40]


POOL = None


def pool():
    global POOL
    if POOL is None:
        POOL = _pool()
    return POOL


def _item(record, reader):
    if record is None:
        exc = reader.current_exception
        return (None, type(exc).__name__, str(exc), reader.current_chunk)
    return (record.as_marc(),)


def sequential_pymarc(data):
    reader = pymarc.MARCReader(io.BytesIO(data))
    return [_item(record, reader) for record in reader]


def read_partitions(parts, **options):
    items = []
    for part in parts:
        reader = pymrrc.MARCReader(part, workers=1, **options)
        for record in reader:
            items.append(_item(record, reader))
            # A record belongs to the partition in which it starts.
            if part.compression is None:
                assert part.start <= reader.current_offset < part.end
    return items


# -- damage --------------------------------------------------------------------------
DAMAGE = st.tuples(
    st.sampled_from(["swallow", "short", "long", "letters", "under5", "flip", "garbage", "cut"]),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
)


def build(picks, damage):
    chunks = [pool()[i % len(pool())] for i in picks]
    starts, pos = [], 0
    for c in chunks:
        starts.append(pos)
        pos += len(c)
    data = bytearray(b"".join(chunks))
    for kind, a, b in damage:
        if not starts:
            break
        i = a % len(starts)
        at = starts[i]
        if kind == "swallow" and i + 1 < len(starts):
            # A length that ends on a later record's terminator: sequential
            # framing swallows the records in between and goes on after.
            end = starts[i + 1 + b % (len(starts) - i - 1)] if i + 2 < len(starts) else len(data)
            patch = b"%05d" % min(end - at, 99_999)
        elif kind == "short":
            patch = b"%05d" % max(5, len(chunks[i]) - 1 - b % 50)
        elif kind == "long":
            patch = b"%05d" % min(len(chunks[i]) + 1 + b % 3000, 99_999)
        elif kind == "letters":
            patch = b"12x45"
        elif kind == "under5":
            patch = b"00003"
        elif kind == "flip":
            data[(at + b) % len(data)] ^= 0xFF
            continue
        elif kind == "garbage":
            data[at:at] = bytes([0x1D, 0x30, 0x1E]) * (1 + b % 5)
            continue
        else:
            del data[len(data) - 1 - b % min(len(data), 40):]
            continue
        data[at:at + 5] = patch
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(st.integers(min_value=0, max_value=39), max_size=12),
    damage=st.lists(DAMAGE, max_size=3),
    target=st.integers(min_value=1, max_value=30_000),
    resolve_first=st.booleans(),
)
def test_partitions_read_as_one_sequential_read(tmp_path_factory, picks, damage, target, resolve_first):
    data = build(picks, damage)
    path = tmp_path_factory.mktemp("p") / "random.mrc"
    path.write_bytes(data)
    parts = partitions(str(path), target)
    # The partitions tile the file: every byte, hence every record, in
    # exactly one of them.
    assert parts[0].start == 0 and parts[-1].end == len(data)
    assert all(a.end == b.start for a, b in zip(parts, parts[1:]))
    assert all(p.start < p.end for p in parts) or len(data) == 0
    if resolve_first:
        parts = resolve(parts)
        assert all(p.resolved and p.start <= p.entry <= p.end for p in parts)
    assert read_partitions(parts) == sequential_pymarc(data)


def test_the_corpus_slice_in_partitions_of_every_size():
    path = _slice_path()
    with open(path, "rb") as handle:
        data = handle.read()
    expected = sequential_pymarc(data)
    assert len(expected) == 10_000
    # Targets under a record: one record per partition.
    parts = resolve(partitions(path, 1))
    assert len(parts) == 10_000
    assert read_partitions(parts) == expected
    for target in (100_000, 2**20, 2**30):
        assert read_partitions(partitions(path, target)) == expected


def test_planning_cuts_where_records_start():
    path = _slice_path()
    target = 2**20
    parts = partitions(path, target)
    assert len(parts) > 5
    with open(path, "rb") as handle:
        for part in parts[1:]:
            handle.seek(part.start - 1)
            head = handle.read(6)
            assert head[:1] == b"\x1d" and head[1:].isdigit()
    # Each partition but the last holds at least the target, and less than
    # one more record.
    assert all(target <= p.end - p.start < target + 100_000 for p in parts[:-1])


def test_partitions_pickle_and_carry_what_they_know():
    parts = partitions(_slice_path(), 2**20)
    assert parts[0].resolved and not parts[1].resolved
    again = pickle.loads(pickle.dumps(resolve(parts)))
    assert again == resolve(parts)
    assert [p.records_before for p in again][:2] == [0, len(list(pymrrc.MARCReader(parts[0])))]
    assert resolved(parts[3]) == again[3]


def test_resolving_duplicates_and_refusing_overlaps():
    path = _slice_path()
    parts = partitions([path, path], 2**20)
    assert len(parts) % 2 == 0
    done = resolve(parts)
    half = len(parts) // 2
    assert done[:half] == done[half:] and all(p.resolved for p in done)
    overlapping = [Partition(path, 0, 5000), Partition(path, 4000, 9000)]
    with pytest.raises(ValueError, match="overlap"):
        resolve(overlapping)


def test_reader_options_apply(tmp_path):
    folder = pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    data = (folder / "marc8.dat").read_bytes() + (folder / "utf8_invalid.mrc").read_bytes()
    path = tmp_path / "mixed.mrc"
    path.write_bytes(data)
    for options in ({}, {"utf8_handling": "replace"}, {"to_unicode": False}, {"force_utf8": True}):
        reader = pymarc.MARCReader(io.BytesIO(data), **options)
        expected = [_item(r, reader) for r in reader]
        assert read_partitions(partitions(str(path), 700), **options) == expected


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress])
def test_a_compressed_file_is_one_partition(tmp_path, compress):
    data = b"".join(pool()[:10])
    path = tmp_path / "records.mrc.z"
    path.write_bytes(compress(data))
    parts = partitions(str(path), 10)
    assert len(parts) == 1 and parts[0].compression in ("gzip", "bz2")
    assert read_partitions(parts) == sequential_pymarc(data)
    with pymrrc.MARCReader(parts[0]) as reader:
        assert sum(1 for _ in reader) == 10
    assert reader.file_handle.closed


def test_marcxml_is_one_partition(tmp_path):
    folder = pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    xml = (folder / "batch.xml").read_bytes()
    (tmp_path / "batch.xml").write_bytes(xml)
    (tmp_path / "batch.xml.gz").write_bytes(gzip.compress(xml))
    parts = partitions([tmp_path / "batch.xml", tmp_path / "batch.xml.gz"], 10)
    assert [(p.format, p.compression) for p in parts] == [("marcxml", None), ("marcxml", "gzip")]
    expected = [r.as_marc() for r in pymarc.parse_xml_to_array(io.BytesIO(xml))]
    for part in parts:
        assert [r.as_marc() for r in pymrrc.parse_xml_to_array(part)] == expected
        with pytest.raises(ValueError, match="MARCXML"):
            pymrrc.MARCReader(part)


def test_globs_lists_and_empty_files(tmp_path):
    for name in ("b.mrc", "a.mrc"):
        (tmp_path / name).write_bytes(b"".join(pool()[:3]))
    (tmp_path / "empty.mrc").write_bytes(b"")
    parts = partitions(str(tmp_path / "*.mrc"), 10**6)
    assert [p.path.rsplit("/", 1)[1] for p in parts] == ["a.mrc", "b.mrc", "empty.mrc"]
    assert parts[2] == Partition(str(tmp_path / "empty.mrc"), 0, 0, entry=0, records_before=0)
    assert list(pymrrc.MARCReader(parts[2])) == []
    with pytest.raises(FileNotFoundError):
        partitions(str(tmp_path / "*.nothing"))
    with pytest.raises(IsADirectoryError):
        partitions(tmp_path)
    with pytest.raises(ValueError):
        partitions(str(tmp_path / "a.mrc"), 0)


def test_to_arrow_and_to_parquet_take_partitions(tmp_path):
    pa = pytest.importorskip("pyarrow")
    path = _slice_path()
    whole = pa.table(pymrrc.to_arrow(path))
    for parts in (partitions(path, 2**20), resolve(partitions(path, 3 * 2**20))):
        tables = [pa.table(pymrrc.to_arrow(p)) for p in parts]
        assert pa.concat_tables(tables).equals(whole)
    part = partitions(path, 2**20)[2]
    pymrrc.to_parquet(part, tmp_path / "part.parquet")
    assert pa.parquet.read_table(tmp_path / "part.parquet").equals(pa.table(pymrrc.to_arrow(part)))
