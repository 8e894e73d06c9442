"""pymrrc.to_arrow / to_parquet / from_arrow against pymarc, and read by the
real consumers (pyarrow, Polars, DuckDB).

The acceptance checks of the columnar export: the lossless round trip
(ISO 2709 -> nested/long -> Parquet -> from_arrow -> as_marc() equals
pymarc's as_marc()) on the corpus slice; the same through MARC-8 on
pymarc's own test files; DuckDB queries over the Parquet output equal the
same computed with pymarc; wide holds every value a pymarc loop sees, in
record order; bad records are never dropped silently.
"""

import io
from collections import Counter

import pymarc
import pytest

import pymrrc
from pymrrc.columnar import RecordsRejectedWarning
from tests.data_support import corpus_slice, pymarc_test_dir

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SLICE = 10_000


@pytest.fixture(scope="module")
def slice_path():
    path = corpus_slice(SLICE)
    if isinstance(path, str):
        pytest.skip(path)
    return str(path)


@pytest.fixture(scope="module")
def pymarc_records(slice_path):
    with open(slice_path, "rb") as handle:
        return list(pymarc.MARCReader(handle))


def _test_file(name):
    folder = pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    return folder / name


def _fields(record):
    """What a pymarc loop sees: (tag, ind1, ind2, data, [(code, value)])."""
    out = []
    for field in record:
        if field.is_control_field():
            out.append((field.tag, None, None, field.data, None))
        else:
            out.append((field.tag, field.indicator1, field.indicator2, None,
                        [(s.code, s.value) for s in field.subfields]))
    return out


# -- the round trip ------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["nested", "long"])
def test_round_trip_through_parquet_is_byte_identical(layout, slice_path, pymarc_records, tmp_path):
    dest = tmp_path / f"{layout}.parquet"
    summary = pymrrc.to_parquet(slice_path, dest, layout)
    assert summary.records_written == len(pymarc_records) == SLICE
    assert summary.records_rejected == 0
    back = list(pymrrc.from_arrow(dest))
    assert len(back) == len(pymarc_records)
    for ours, theirs in zip(back, pymarc_records):
        assert ours.as_marc() == theirs.as_marc()


def test_round_trip_through_polars_types(slice_path, pymarc_records):
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(pymrrc.to_arrow(slice_path))
    back = list(pymrrc.from_arrow(frame))
    assert [r.as_marc() for r in back] == [r.as_marc() for r in pymarc_records]


MARC8_FILES = ["marc8.dat", "diacritic.dat", "bad_eacc_encoding.dat", "bad_marc8_escape.dat",
               "test.dat", "one.dat", "multi_isbn.dat"]


@pytest.mark.parametrize("name", MARC8_FILES)
@pytest.mark.parametrize("hide", [False, True])
def test_marc8_records_give_the_text_pymarc_decodes(name, hide, capsys):
    path = _test_file(name)
    with open(path, "rb") as handle:
        expected = list(pymarc.MARCReader(handle, hide_utf8_warnings=hide))
    pymarc_err = capsys.readouterr().err
    stream = pymrrc.to_arrow(str(path), errors="collect", hide_utf8_warnings=hide)
    table = pa.table(stream)
    assert capsys.readouterr().err == pymarc_err
    good = [r for r in expected if r is not None]
    assert table.num_rows == len(good)
    assert stream.records_rejected == len(expected) - len(good)
    rows = table.to_pylist()
    ids = [i for i, r in enumerate(expected) if r is not None]
    assert [row["record_id"] for row in rows] == ids
    for row, record in zip(rows, good):
        assert row["leader"] == str(record.leader)
        got = [(f["tag"], f["ind1"], f["ind2"], f["data"],
                None if f["subfields"] is None else [(s["code"], s["value"]) for s in f["subfields"]])
               for f in row["fields"]]
        assert got == _fields(record)
    back = list(pymrrc.from_arrow(pymrrc.to_arrow(str(path), hide_utf8_warnings=hide)))
    assert capsys.readouterr().err == pymarc_err
    assert [str(r) for r in back] == [str(r) for r in good]


# -- the consumers -------------------------------------------------------------------
@pytest.fixture(scope="module")
def parquet_files(slice_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    out = {}
    for layout in ("nested", "long", "wide"):
        out[layout] = str(folder / f"{layout}.parquet")
        pymrrc.to_parquet(slice_path, out[layout], layout)
    return out


def _pymarc_subjects_and_types(records):
    subjects, types = Counter(), Counter()
    for record in records:
        types[record.leader[6]] += 1
        for field in record.get_fields("650"):
            for value in field.get_subfields("a"):
                subjects[value] += 1
    top = sorted(subjects.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    return top, dict(types)


NESTED_SUBJECTS = """
    WITH f AS (SELECT unnest(fields) AS f FROM read_parquet($path)),
         s AS (SELECT f.tag AS tag, unnest(f.subfields) AS s FROM f)
    SELECT s.value, count(*) AS n FROM s WHERE tag = '650' AND s.code = 'a'
    GROUP BY 1 ORDER BY n DESC, s.value LIMIT 20
"""
LONG_SUBJECTS = """
    SELECT value, count(*) AS n FROM read_parquet($path) WHERE tag = '650' AND code = 'a'
    GROUP BY 1 ORDER BY n DESC, value LIMIT 20
"""
WIDE_SUBJECTS = """
    SELECT v, count(*) AS n FROM (SELECT unnest(F650a) AS v FROM read_parquet($path))
    GROUP BY 1 ORDER BY n DESC, v LIMIT 20
"""


def test_duckdb_queries_equal_pymarc(parquet_files, pymarc_records):
    duckdb = pytest.importorskip("duckdb")
    top, types = _pymarc_subjects_and_types(pymarc_records)
    for layout, query in (("nested", NESTED_SUBJECTS), ("long", LONG_SUBJECTS), ("wide", WIDE_SUBJECTS)):
        got = duckdb.execute(query, {"path": parquet_files[layout]}).fetchall()
        assert [tuple(row) for row in got] == top, layout
    got = duckdb.execute("SELECT substr(leader, 7, 1), count(*) FROM read_parquet($path) GROUP BY 1",
                         {"path": parquet_files["nested"]}).fetchall()
    assert dict(got) == types
    got = duckdb.execute("SELECT substr(value, 7, 1), count(*) FROM read_parquet($path) "
                         "WHERE tag = 'LDR' GROUP BY 1", {"path": parquet_files["long"]}).fetchall()
    assert dict(got) == types


def test_polars_and_pyarrow_read_the_parquet(parquet_files, pymarc_records):
    pl = pytest.importorskip("polars")
    for layout, path in parquet_files.items():
        assert pq.read_table(path).num_rows == pl.read_parquet(path).height, layout
    frame = pl.read_parquet(parquet_files["nested"])
    assert frame.height == len(pymarc_records)
    assert frame["leader"].to_list() == [str(r.leader) for r in pymarc_records]
    long = pl.read_parquet(parquet_files["long"])
    titles = long.filter((pl.col("tag") == "245") & (pl.col("code") == "a"))["value"].to_list()
    assert titles == [v for r in pymarc_records for f in r.get_fields("245") for v in f.get_subfields("a")]
    assert pq.read_table(parquet_files["long"]).num_rows == long.height


def test_streams_are_read_by_duckdb_and_polars_without_pyarrow_tables(slice_path, pymarc_records):
    duckdb = pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    stream = pymrrc.to_arrow(slice_path, "long")
    ((n,),) = duckdb.sql("SELECT count(DISTINCT record_id) FROM stream").fetchall()
    assert n == len(pymarc_records)
    frame = pl.DataFrame(pymrrc.to_arrow(slice_path, "wide", columns=["001", "245a"]))
    assert frame.columns == ["record_id", "F001", "F245a"]
    assert frame["F001"].to_list() == [[r["001"].data] for r in pymarc_records]


# -- wide ----------------------------------------------------------------------------
def _wide_values(row, names):
    """column -> values of one wide row, with `other` spread to its columns."""
    values = {}
    for name in names:
        if name in ("record_id", "FLDR", "other") or row[name] is None:
            continue
        values[name] = list(row[name])
    for field in row.get("other") or []:
        if field["data"] is not None:
            values.setdefault("F" + field["tag"], []).append(field["data"])
        for sub in field["subfields"] or []:
            values.setdefault("F" + field["tag"] + sub["code"], []).append(sub["value"])
    return values


@pytest.mark.parametrize("batch_size", [10_000, 700])
def test_wide_holds_every_value_in_record_order(batch_size, slice_path, pymarc_records):
    table = pa.table(pymrrc.to_arrow(slice_path, "wide", batch_size=batch_size))
    names = table.column_names
    assert names[:2] == ["record_id", "FLDR"] and names[-1] == "other"
    rows = table.to_pylist()
    assert len(rows) == len(pymarc_records)
    spilled = 0
    for row, record in zip(rows, pymarc_records):
        expected = {}
        for field in record:
            if field.is_control_field():
                expected.setdefault("F" + field.tag, []).append(field.data)
            else:
                for sub in field.subfields:
                    expected.setdefault(f"F{field.tag}{sub.code}", []).append(sub.value)
        # Order within a column is record order; `other` keeps the fields
        # that have no column, in record order too.
        assert _wide_values(row, names) == expected
        assert row["FLDR"] == str(record.leader)
        spilled += bool(row["other"])
    # Columns come from the first batch: a smaller batch sends later,
    # rarer fields to `other`.
    assert (spilled > 0) == (batch_size < len(pymarc_records))


def test_wide_selection_is_marctables_column_option(slice_path, pymarc_records):
    table = pa.table(pymrrc.to_arrow(slice_path, "wide", columns=["F245a", "650a", "LDR", "008"]))
    assert table.column_names == ["record_id", "FLDR", "F245a", "F650a", "F008"]
    subjects = table.column("F650a").to_pylist()
    assert subjects == [[v for f in r.get_fields("650") for v in f.get_subfields("a")] or None
                        for r in pymarc_records]
    with pytest.raises(ValueError, match="unknown column"):
        pymrrc.to_arrow(slice_path, "wide", columns=["245"])


# -- sources -------------------------------------------------------------------------
def test_every_source_gives_the_same_table(slice_path):
    with open(slice_path, "rb") as handle:
        data = handle.read()
    from_path = pa.table(pymrrc.to_arrow(slice_path, batch_size=1000))
    from_bytes = pa.table(pymrrc.to_arrow(data, batch_size=1000))
    from_file = pa.table(pymrrc.to_arrow(io.BytesIO(data), batch_size=1000))
    from_records = pa.table(pymrrc.to_arrow(pymrrc.MARCReader(data), batch_size=1000))
    cols = ["record_id", "leader", "fields"]
    assert from_bytes.select(cols + ["offset", "length"]) == from_path.select(cols + ["offset", "length"])
    assert from_file.select(cols + ["offset"]) == from_path.select(cols + ["offset"])
    assert from_records.select(cols) == from_path.select(cols)
    assert from_path.column("source").to_pylist()[0] == slice_path
    assert from_records.column("offset").null_count == from_records.num_rows


def test_edited_records_round_trip(pymarc_records, slice_path):
    ours = list(pymrrc.MARCReader(slice_path))[:200]
    theirs = pymarc_records[:200]
    for lib, records in ((pymrrc, ours), (pymarc, theirs)):
        for i, record in enumerate(records):
            record.add_field(lib.Field(tag="999", indicators=lib.Indicators("1", " "),
                                       subfields=[lib.Subfield("a", f"local {i}"), lib.Subfield("b", "")]))
            record["245"].add_subfield("z", "ä edited")
            record.remove_fields("650")
    back = list(pymrrc.from_arrow(pymrrc.to_arrow(ours, "long")))
    assert [r.as_marc() for r in back] == [r.as_marc() for r in theirs]


def test_records_text_cannot_carry_come_back_through_python():
    record = pymrrc.Record()
    record.leader = pymrrc.Leader("00000nam a2200000 a 4500")
    record.add_field(pymrrc.Field(tag="245", indicators=["1", "0"],
                                  subfields=[pymrrc.Subfield("a", "a\x1fb"), pymrrc.Subfield("bc", "x")]))
    record.add_field(pymrrc.Field(tag="001", data="id"))
    (back,) = pymrrc.from_arrow(pymrrc.to_arrow([record]))
    assert _fields(back) == _fields(record)
    assert str(back.leader) == str(record.leader)


def test_fallback_options_give_what_marcreader_gives():
    path = _test_file("utf8_invalid.mrc")
    for options in ({"utf8_handling": "replace"}, {"utf8_handling": "backslashreplace"},
                    {"file_encoding": "cp1251", "force_utf8": False}):
        expected = [r for r in pymrrc.MARCReader(str(path), **options) if r is not None]
        table = pa.table(pymrrc.to_arrow(str(path), **options))
        back = list(pymrrc.from_arrow(table))
        assert [_fields(r) for r in back] == [_fields(r) for r in expected], options


def test_to_unicode_false_is_refused():
    with pytest.raises(ValueError, match="to_unicode"):
        pymrrc.to_arrow(b"", to_unicode=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="layout"):
        pymrrc.to_arrow(b"", "tall")
    with pytest.raises(ValueError, match="errors"):
        pymrrc.to_arrow(b"", errors="ignore")
    with pytest.raises(ValueError, match="wide"):
        pymrrc.to_arrow(b"", "nested", columns=["245a"])
    with pytest.raises(TypeError):
        pymrrc.to_arrow(42)
    with pytest.raises(TypeError):
        pymrrc.from_arrow([1, 2])
    stream = pymrrc.to_arrow(b"")
    assert pa.table(stream).num_rows == 0
    with pytest.raises(ValueError, match="read already"):
        pa.table(stream)


# -- bad records ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def bad_data(slice_path):
    """Five good records, a record with a broken directory, five good, one
    with a bad base address, two good, and a truncated end."""
    with open(slice_path, "rb") as handle:
        records = [r.as_marc() for r in pymarc.MARCReader(handle)][:12]
    broken = bytearray(records[5])
    broken[30] = ord("x")
    bad_base = bytearray(records[11])
    bad_base[12:17] = b"00000"
    return b"".join(records[:5] + [bytes(broken)] + records[6:11] + [bytes(bad_base)] + records[:2]) + b"00099ab"


def _marcreader_outcomes(data):
    reader = pymarc.MARCReader(io.BytesIO(data))
    out = []
    for record in reader:
        out.append(None if record is not None else (type(reader.current_exception).__name__,
                                                     reader.current_chunk))
    return out


def test_bad_records_are_counted_and_warned(bad_data):
    outcomes = _marcreader_outcomes(bad_data)
    bad = [o for o in outcomes if o is not None]
    stream = pymrrc.to_arrow(bad_data)
    with pytest.warns(RecordsRejectedWarning, match=f"{len(bad)} record"):
        table = pa.table(stream)
    assert table.num_rows == len(outcomes) - len(bad)
    assert stream.records_rejected == len(bad)
    assert stream.rejected_reasons == dict(Counter(name for name, _ in bad))
    assert table.column("record_id").to_pylist() == [i for i, o in enumerate(outcomes) if o is None]


def test_bad_records_are_collected(bad_data, tmp_path):
    outcomes = _marcreader_outcomes(bad_data)
    summary = pymrrc.to_parquet(bad_data, tmp_path / "x.parquet", errors="collect")
    got = [(r.record_id, type(r.exception).__name__, r.chunk) for r in summary.rejected]
    assert got == [(i, name, chunk) for i, o in enumerate(outcomes) if o is not None for name, chunk in [o]]
    assert all(r.offset == bad_data.index(r.chunk) for r in summary.rejected)
    assert summary.records_written + summary.records_rejected == len(outcomes)


def test_bad_records_raise_pymarcs_exception(bad_data, tmp_path):
    reader = pymrrc.MARCReader(bad_data)
    first_bad = next(i for i, r in enumerate(reader) if r is None)
    expected = type(reader.current_exception)
    dest = tmp_path / "x.parquet"
    with pytest.raises(expected) as info:
        pymrrc.to_parquet(bad_data, dest, errors="raise")
    assert info.value.record_id == first_bad
    assert info.value.offset == reader.current_offset
    assert not dest.exists()
    with pytest.raises(Exception, match=expected.__name__ + "|" + str(info.value)) as info:
        pa.table(pymrrc.to_arrow(bad_data, errors="raise"))


def test_none_from_a_marcreader_is_a_rejected_record(bad_data):
    outcomes = _marcreader_outcomes(bad_data)
    stream = pymrrc.to_arrow(pymrrc.MARCReader(bad_data), errors="collect")
    table = pa.table(stream)
    assert table.num_rows == outcomes.count(None)
    assert [(r[0], type(r[3]).__name__, r[2]) for r in stream.rejected] == [
        (i, o[0], o[1]) for i, o in enumerate(outcomes) if o is not None]


# -- workers= -------------------------------------------------------------------------
@pytest.mark.parametrize("workers", [0, -1, pymrrc.reader.MAX_WORKERS + 1, 10**30])
def test_worker_counts_out_of_range_are_refused_as_the_reader_refuses_them(slice_path, workers):
    with pytest.raises(ValueError, match=rf"workers must be from 1 to {pymrrc.reader.MAX_WORKERS}"):
        pymrrc.to_arrow(slice_path, workers=workers)


@pytest.mark.parametrize("workers", ["2", 2.0, True])
def test_worker_counts_that_are_not_ints_are_refused(slice_path, workers):
    with pytest.raises(TypeError, match="workers must be an int or None"):
        pymrrc.to_arrow(slice_path, workers=workers)


def test_one_worker_and_many_give_the_same_table(slice_path):
    one = pa.table(pymrrc.to_arrow(slice_path, "long", workers=1))
    many = pa.table(pymrrc.to_arrow(slice_path, "long", workers=4))
    assert one.num_rows > 0 and one.equals(many)


# -- Ctrl-C ----------------------------------------------------------------------------
INTERRUPTED = """
import sys, pymrrc, pyarrow as pa
print("go", flush=True)
try:
    if sys.argv[2] == "parquet":
        pymrrc.to_parquet(sys.argv[1], sys.argv[3])
    else:
        pa.table(pymrrc.to_arrow(sys.argv[1], "long"))
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
except Exception as error:  # a foreign consumer (pyarrow) reports it in its own terms
    print("interrupted" if "KeyboardInterrupt" in str(error) else repr(error), flush=True)
    sys.exit(3)
print("finished", flush=True)
"""


@pytest.fixture(scope="module")
def big_file(slice_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.mrc"
    with open(slice_path, "rb") as handle:
        data = handle.read()
    path.write_bytes(data * 15)
    return str(path)


@pytest.mark.parametrize("how", ["parquet", "stream"])
def test_ctrl_c_stops_a_conversion(how, big_file, tmp_path):
    import signal
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED, big_file, how, str(tmp_path / "x.parquet")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "go"
    time.sleep(0.5)
    started = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    waited = time.perf_counter() - started
    assert "finished" not in out
    assert "interrupted" in out, (out, err)
    # Milliseconds on a quiet machine; generous here (the machine is shared).
    assert waited < 3.0
    assert not (tmp_path / "x.parquet").exists()


# -- Spark ---------------------------------------------------------------------------
def test_spark_example_in_the_docs(tmp_path, monkeypatch):
    """docs/columnar.md's Spark example (a ```python-spark block, which the
    generic docs test leaves alone) runs and agrees with pymarc. Spark is
    not a test dependency (a JVM and a 300 MB package): this runs where
    pyspark and Java are installed and is skipped elsewhere."""
    from tests.data_support import REPO, run_spark_block

    namespace = run_spark_block("columnar.md", tmp_path, monkeypatch)
    sample = REPO / "examples" / "data" / "sample.mrc"
    with open(sample, "rb") as handle:
        top, _ = _pymarc_subjects_and_types(pymarc.MARCReader(handle))
    assert [(row["value"], row["count"]) for row in namespace["subjects"]] == top


def test_pymarcs_log_lines_are_written_as_marcreader_writes_them(caplog):
    import logging

    path = str(_test_file("bad_indicator.dat"))
    with caplog.at_level(logging.WARNING, logger="pymarc"):
        expected = [r for r in pymrrc.MARCReader(path) if r is not None]
        logged = [(r.name, r.getMessage()) for r in caplog.records]
        caplog.clear()
        table = pa.table(pymrrc.to_arrow(path))
        assert [(r.name, r.getMessage()) for r in caplog.records] == logged
    assert logged, "bad_indicator.dat makes pymarc log"
    assert [str(r) for r in pymrrc.from_arrow(table)] == [str(r) for r in expected]


# -- any record a script can make -------------------------------------------------------
def _records_strategy():
    from hypothesis import strategies as st

    text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
    ascii_char = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    data_field = st.builds(
        lambda tag, i1, i2, subs: pymrrc.Field(tag=tag, indicators=pymrrc.Indicators(i1, i2),
                                               subfields=[pymrrc.Subfield(c, v) for c, v in subs]),
        st.sampled_from(["245", "650", "700", "999", "880", "XYZ"]),
        ascii_char, ascii_char, st.lists(st.tuples(ascii_char | text, text), max_size=4))
    control_field = st.builds(lambda tag, data: pymrrc.Field(tag=tag, data=data),
                              st.sampled_from(["001", "005", "008"]), text)

    def record(fields, leader):
        r = pymrrc.Record()
        r.leader = pymrrc.Leader(leader)
        for f in fields:
            r.add_field(f)
        return r

    leader = st.text(ascii_char, min_size=24, max_size=24) | st.text(
        st.characters(blacklist_categories=("Cs",)), min_size=24, max_size=24)
    return st.lists(st.builds(record, st.lists(control_field | data_field, max_size=6), leader),
                    min_size=1, max_size=5)


def test_any_record_a_script_makes_comes_back_the_same():
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(_records_strategy())
    def check(records):
        expected = [_fields(r) for r in records]
        for layout in ("nested", "long"):
            back = list(pymrrc.from_arrow(pymrrc.to_arrow(records, layout, batch_size=2)))
            assert [_fields(r) for r in back] == expected, layout
            assert [str(r.leader) for r in back] == [str(r.leader) for r in records]
        wide = pa.table(pymrrc.to_arrow(records, "wide", batch_size=2)).to_pylist()
        for row, record in zip(wide, records):
            values = _wide_values(row, list(row))
            flat = {}
            for field in record.fields:
                if field.is_control_field():
                    flat.setdefault("F" + field.tag, []).append(field.data)
                else:
                    for sub in field.subfields:
                        flat.setdefault(f"F{field.tag}{sub.code}", []).append(sub.value)
            assert values == flat

    check()


def test_any_bytes_give_marcreaders_records_or_rejections(slice_path):
    """Mutated records (a NUL subfield code, broken lengths, bad UTF-8 ...)
    never crash a conversion: every layout keeps exactly what MARCReader
    yields, and counts what it rejects."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    with open(slice_path, "rb") as handle:
        records = [r.as_marc() for _, r in zip(range(3), pymarc.MARCReader(handle))]
    base = b"".join(records)

    @settings(max_examples=120, deadline=None, database=None)
    @given(st.lists(st.tuples(st.integers(0, len(base) - 1), st.sampled_from(b"\x00\x1d\x1e\x1f0a\xff\xc3 ")),
                    max_size=6))
    def check(edits):
        data = bytearray(base)
        for at, byte in edits:
            data[at] = byte
        data = bytes(data)
        outcomes = list(pymrrc.MARCReader(data))
        good = [r for r in outcomes if r is not None]
        for layout in ("nested", "long", "wide"):
            stream = pymrrc.to_arrow(data, layout, errors="collect")
            table = pa.table(stream)
            assert stream.records_written == len(good), layout
            assert stream.records_rejected == len(outcomes) - len(good), layout
            if layout == "wide":
                assert table.num_rows == len(good)
            elif layout == "nested":
                back = list(pymrrc.from_arrow(table))
                assert [_fields(r) for r in back] == [_fields(r) for r in good]

    check()
