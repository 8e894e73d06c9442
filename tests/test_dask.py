"""pymrrc.dask on a real Dask cluster of worker processes (LocalCluster,
two workers), and on Dask's threaded and process schedulers: the bag, the
DataFrame and the Parquet files hold exactly what one sequential
MARCReader (or to_arrow) gives for each file, damaged files included."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import subprocess
import sys
import warnings
from collections import Counter

import pymarc
import pytest

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")
import dask.bag  # noqa: E402
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

import pymrrc  # noqa: E402
import pymrrc.dask as pdask  # noqa: E402
from pymrrc.columnar import RecordsRejectedWarning, RejectedRecord  # noqa: E402
from tests.data_support import corpus_slice, pymarc_test_dir  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def slice_path():
    path = corpus_slice(10_000)
    if isinstance(path, str):
        pytest.skip(path)
    return str(path)


@pytest.fixture(scope="module")
def damaged(tmp_path_factory):
    """A file with records whose lengths are wrong (one swallows the next,
    one ends on no terminator, which ends sequential reading), bad records
    that only make MARCReader yield None, and a second, clean file."""
    path = corpus_slice(300)
    if isinstance(path, str):
        pytest.skip(path)
    with open(path, "rb") as handle:
        chunks = [r.as_marc() for r in pymarc.MARCReader(handle)]
    body = bytearray()
    for i, chunk in enumerate(chunks[:120]):
        chunk = bytearray(chunk)
        if i == 10:  # swallows record 11: framing goes on at record 12
            chunk[:5] = b"%05d" % (len(chunk) + len(chunks[11]))
        if i == 30:
            chunk[12:17] = b"99999"  # base address beyond the record: None
        if i == 31:
            chunk[12:17] = b"00000"  # no base address: None
        body += chunk
    fatal_at = len(body)
    body += b"00010" + b"x" * 400  # no terminator where the length says
    body += b"".join(chunks[120:200])  # never reached sequentially
    folder = tmp_path_factory.mktemp("damaged")
    (folder / "a-damaged.mrc").write_bytes(bytes(body))
    (folder / "b-clean.mrc").write_bytes(b"".join(chunks[200:]))
    assert fatal_at > 0
    return folder


def sequential(path, **options):
    """What one pymarc MARCReader yields: record bytes, or the failure."""
    with open(path, "rb") as handle:
        reader = pymarc.MARCReader(handle, **options)
        out = []
        for i, record in enumerate(reader):
            if record is None:
                exc = reader.current_exception
                out.append(("rejected", i, type(exc).__name__, str(exc), reader.current_chunk))
            else:
                out.append(record.as_marc())
        return out


def as_items(items):
    out = []
    for item in items:
        if isinstance(item, RejectedRecord):
            exc = item.exception
            out.append(("rejected", item.record_id, type(exc).__name__, str(exc), item.chunk))
        else:
            out.append(item.as_marc())
    return out


def test_read_marc_equals_one_sequential_read(client, slice_path):
    bag = pdask.read_marc(slice_path, blocksize="1MiB", errors="collect")
    assert bag.npartitions >= 9
    records = bag.compute()
    assert all(type(r) is pymrrc.Record for r in records)
    assert as_items(records) == sequential(slice_path)


@pytest.mark.parametrize("blocksize", [1, 700, 5000, 10**6])
def test_damaged_files_in_partitions_of_every_size(client, damaged, blocksize):
    paths = sorted(str(p) for p in damaged.iterdir())
    got = pdask.read_marc(str(damaged / "*.mrc"), blocksize=blocksize, errors="collect").compute()
    expected = [item for path in paths for item in sequential(path)]
    assert as_items(got) == expected
    assert sum(1 for item in expected if isinstance(item, tuple)) == 3


def test_a_file_listed_twice_is_read_twice(client, damaged):
    path = str(damaged / "a-damaged.mrc")
    got = pdask.read_marc([path, path], blocksize=3000, errors="collect").compute()
    assert as_items(got) == sequential(path) * 2


def test_skipped_records_are_counted_and_warned(damaged):
    path = str(damaged / "a-damaged.mrc")
    with pytest.warns(RecordsRejectedWarning, match=r"a-damaged.mrc .*1 record\(s\) rejected") as caught:
        got = pdask.read_marc(path, blocksize=3000).compute(scheduler="sync")
    assert [r.as_marc() for r in got] == [i for i in sequential(path) if not isinstance(i, tuple)]
    counts = [int(str(w.message).split(": ")[1].split()[0]) for w in caught.list
              if issubclass(w.category, RecordsRejectedWarning)]
    assert sum(counts) == 3


def test_a_failing_partition_names_file_and_offset(client, damaged):
    path = str(damaged / "a-damaged.mrc")
    with pytest.raises(pymrrc.exceptions.PymarcException) as info:
        pdask.read_marc(path, blocksize=5000, errors="raise").compute()
    exc = info.value
    expected = [i for i in sequential(path) if isinstance(i, tuple)][0]
    assert type(exc).__name__ == expected[2]
    assert exc.path == path and exc.record_id == expected[1]
    with open(path, "rb") as handle:
        handle.seek(exc.offset)
        assert handle.read(len(expected[4])) == expected[4]
    if sys.version_info >= (3, 11):
        assert any(f"at byte {exc.offset}" in note for note in exc.__notes__)


def test_bags_keep_records_whole(client, slice_path):
    # A record is its own iterator (pymarc's design): Dask must not turn it
    # into a list of its fields when it materialises a partition.
    bag = pdask.read_marc(slice_path, blocksize="2MiB")
    kept = bag.filter(lambda r: r.title is not None).map(lambda r: r)
    first = kept.take(3)
    assert all(type(r) is pymrrc.Record and r.title for r in first)
    # A partition of records moves between processes whole (pickled once).
    partition = kept.to_delayed()[0].compute()
    assert type(partition) is pdask.RecordList and type(partition[0]) is pymrrc.Record
    assert bag.map(lambda r: r.title).frequencies().compute()
    assert kept.count().compute() == sum(1 for r in pymrrc.MARCReader(slice_path) if r.title is not None)


def test_marc_bags_answer_as_dask_bags_do(client, slice_path):
    # read_marc's bag (and what is made from it) is a MarcBag: the same
    # answers, in the same order and types, as Dask's own Bag over the same
    # graph, on the cluster.
    bag = pdask.read_marc(slice_path, blocksize="1MiB")
    titles = bag.map(lambda r: r.title)
    assert isinstance(titles, pdask.MarcBag) and isinstance(titles.frequencies(), pdask.MarcBag)
    stock = dask.bag.Bag(titles.dask, titles.name, titles.npartitions)
    assert type(stock) is not pdask.MarcBag
    jobs = (lambda b: b.frequencies(), lambda b: b.frequencies(sort=True),
            lambda b: b.frequencies().topk(5, key=1), lambda b: b.distinct(), lambda b: b)
    for job in jobs:
        got, expected = job(titles).compute(), job(stock).compute()
        assert type(got) is list and got == expected
    counts = Counter(r.title for r in pymrrc.MARCReader(slice_path) if r is not None)
    assert dict(titles.frequencies().compute()) == counts
    assert titles.count().compute() == sum(counts.values())
    persisted = titles.persist()
    assert isinstance(persisted, pdask.MarcBag) and persisted.compute() == stock.compute()


def _serialised_whole():
    """On a worker: whether distributed serialises a list and a dict result
    element by element, and the same made by _moved_whole, and what the
    latter unpickles as."""
    from distributed.protocol import serialize, to_serialize

    out = []
    for value in (["a", "b", "c"], {"a": 1, "b": 2}):
        whole = pdask._moved_whole(value)
        out.append(("is-collection" in serialize(to_serialize(value))[0],
                    "is-collection" in serialize(to_serialize(whole))[0],
                    type(pickle.loads(pickle.dumps(whole))).__name__, whole == value))
    return out


def test_list_and_dict_results_move_whole(client):
    # distributed sends a plain list or dict one element at a time
    # (dask/distributed#6368); on a worker MarcBag's results are handed over
    # as subclasses it pickles whole, which arrive as the plain type.
    assert client.submit(_serialised_whole, pure=False).result() == [
        (True, False, "list", True), (True, False, "dict", True)]
    # Off a worker (threaded and sync schedulers) nothing changes.
    assert type(pdask._moved_whole([1])) is list and type(pdask._moved_whole({1: 2})) is dict


@pytest.mark.parametrize("scheduler", ["threads", "processes", "sync"])
def test_other_schedulers(damaged, scheduler):
    path = str(damaged / "a-damaged.mrc")
    bag = pdask.read_marc(path, blocksize=4000, errors="collect")
    got = bag.compute(scheduler=scheduler)
    assert type(got) is list and as_items(got) == sequential(path)
    titles = bag.map(lambda r: getattr(r, "title", None)).frequencies().compute(scheduler=scheduler)
    assert type(titles) is list and type(titles[0]) is tuple
    assert dict(titles) == Counter(getattr(r, "title", None) for r in got)


@pytest.mark.parametrize("layout", ["nested", "long", "wide"])
def test_to_dataframe_equals_to_arrow_of_the_whole_file(client, slice_path, layout):
    whole = pa.table(pymrrc.to_arrow(slice_path, layout))
    frame = pdask.to_dataframe(slice_path, layout, blocksize="1MiB")
    assert frame.npartitions >= 9
    assert list(frame.columns) == whole.column_names
    got = pa.Table.from_pandas(frame.compute().reset_index(drop=True), preserve_index=False)
    assert got.cast(whole.schema).equals(whole)


def test_to_parquet_read_back_equals_to_arrow(client, slice_path, damaged, tmp_path):
    summary = pdask.to_parquet(slice_path, tmp_path / "slice", blocksize="1MiB")
    assert summary.records_written == 10_000 and summary.records_rejected == 0
    assert len(summary.files) == len(summary.partitions) >= 9
    back = pq.read_table(tmp_path / "slice")
    whole = pa.table(pymrrc.to_arrow(slice_path))
    assert back.cast(whole.schema).equals(whole)
    # Rejected records: counted per partition, and summed.
    paths = sorted(str(p) for p in damaged.iterdir())
    summary = pdask.to_parquet(paths, tmp_path / "damaged", "long", blocksize=4000)
    per_partition = [p.summary.records_rejected for p in summary.partitions]
    assert summary.records_rejected == sum(per_partition) == 3
    assert sum(1 for n in per_partition if n) >= 2
    expected = pa.concat_tables([pa.table(pymrrc.to_arrow(p, "long")) for p in paths])
    assert pq.read_table(tmp_path / "damaged").cast(expected.schema).equals(expected)
    with pytest.raises(FileExistsError):
        pdask.to_parquet(paths, tmp_path / "damaged")
    again = pdask.to_parquet(paths, tmp_path / "damaged", overwrite=True)
    assert again.records_written == sum(1 for p in paths for i in sequential(p) if not isinstance(i, tuple))
    assert sorted(os.listdir(tmp_path / "damaged")) == [os.path.basename(f) for f in again.files]


def test_compressed_and_marcxml_files(client, tmp_path):
    folder = pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    xml = (folder / "batch.xml").read_bytes()
    marc = (folder / "test.dat").read_bytes()
    (tmp_path / "1.xml").write_bytes(xml)
    (tmp_path / "2.mrc.gz").write_bytes(gzip.compress(marc))
    (tmp_path / "3.mrc").write_bytes(marc)
    got = pdask.read_marc(sorted(str(p) for p in tmp_path.iterdir()), blocksize=100).compute()
    expected = [r.as_marc() for r in pymarc.parse_xml_to_array(io.BytesIO(xml))]
    expected += [r.as_marc() for r in pymarc.MARCReader(marc)] * 2
    assert [r.as_marc() for r in got] == expected


def test_records_pickle_through_the_cluster(client, slice_path):
    # Records computed on workers come back by pickle, unread (lazy).
    records = pdask.read_marc(slice_path, blocksize="4MiB").take(50, npartitions=1)
    assert all(r._is_lazy for r in records)
    direct = list(pymrrc.MARCReader(slice_path))[:50]
    assert [r.as_marc() for r in records] == [r.as_marc() for r in direct]
    assert pickle.loads(pickle.dumps(records[0])).as_marc() == records[0].as_marc()


def test_pymrrc_imports_without_dask():
    code = (
        "import sys\n"
        "for name in ('dask', 'distributed'): sys.modules[name] = None\n"
        "import pymrrc\n"
        "assert list(pymrrc.MARCReader(b''))  == []\n"
        "try:\n"
        "    import pymrrc.dask\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)))
    assert "pip install 'pymrrc[dask]'" in out.stdout


def test_spark_example_in_the_docs(tmp_path, monkeypatch):
    """docs/scaling.md's Spark example (a ```python-spark block) reads the
    directory to_parquet writes and agrees with pymarc; it runs where
    pyspark and Java are installed (not test dependencies)."""
    from collections import Counter

    from tests.data_support import REPO, run_spark_block

    namespace = run_spark_block("scaling.md", tmp_path, monkeypatch)
    sample = REPO / "examples" / "data" / "sample.mrc"
    with open(sample, "rb") as handle:
        counts = Counter(s.value for r in pymarc.MARCReader(handle) for f in r.get_fields("650")
                         for s in f.subfields if s.code == "a")
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    assert [(row["value"], row["count"]) for row in namespace["subjects"]] == top
