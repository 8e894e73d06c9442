"""Side-by-side checks of pymrrc.writer against pymarc.writer.

Every test builds the same input with each library's own classes (or reads
the same bytes with each library's MARCReader), runs the matching writer of
each library and asserts that the outcomes are identical: the bytes or text
written, or the error raised together with whatever had been written before
it.

Data files come from the pymarc 5.4.0 sdist and the LoC sample corpus, kept
in ``$PYMRRC_CACHE`` (default ``~/.cache/marc-corpus``); tests that need a
missing file are skipped.
"""

import io

import pytest
import serialize_support
from data_support import PYMARC_DATA_FILES, PYMARC_MARC8_FILES
from record_specs import LATIN1_LEADER, SPECS, UTF8_LEADER, build
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MODULES = ("record", "field", "leader", "reader", "writer", "exceptions", "marcxml")


REF = serialize_support.library("pymarc", MODULES)
OUR = serialize_support.library("pymrrc", MODULES)
LIBS = (REF, OUR)

WRITER_NAMES = ("MARCWriter", "JSONWriter", "TextWriter", "XMLWriter")
BINARY_WRITERS = {"MARCWriter", "XMLWriter"}


# ---------------------------------------------------------------- data files


from serialize_support import (  # noqa: E402
    CORPUS_RECORDS,
    HYPOTHESIS_EXAMPLES,
    corpus_file,
    sdist_file,
)


def read_pairs(path, limit=None, **kwargs):
    """Records read from ``path`` by each library, as (pymarc, pymrrc) lists."""
    return serialize_support.read_pairs(REF, OUR, path, limit, **kwargs)


SDIST_MARC_FILES = list(PYMARC_DATA_FILES)

MARC8_FILES = list(PYMARC_MARC8_FILES)


# ------------------------------------------------------------ built records

# ------------------------------------------------------------------ helpers


def new_buffer(writer_name):
    return io.BytesIO() if writer_name in BINARY_WRITERS else io.StringIO()


def write_outcome(lib, writer_name, records):
    """Write ``records`` with one writer; return what came out (or failed)."""
    buf = new_buffer(writer_name)
    try:
        writer = getattr(lib.writer, writer_name)(buf)
        for record in records:
            writer.write(record)
        writer.close(close_fh=False)
    except Exception as exc:  # noqa: BLE001 - the error is part of the outcome
        return ("error", type(exc).__name__, str(exc), buf.getvalue())
    return ("ok", buf.getvalue())


def state(writer):
    """The writer's attributes, with the handle reduced to whether it is set."""
    attrs = dict(vars(writer))
    if attrs.get("file_handle") is not None:
        attrs["file_handle"] = "<handle>"
    return attrs


def assert_same_output(writer_name, ref_records, our_records):
    ref = write_outcome(REF, writer_name, ref_records)
    our = write_outcome(OUR, writer_name, our_records)
    assert our == ref


# -------------------------------------------------------------------- tests


def test_public_names_match():
    ref = {n for n in dir(REF.writer) if not n.startswith("_")}
    our = {n for n in dir(OUR.writer) if not n.startswith("_")}
    assert our == ref


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
@pytest.mark.parametrize("spec_name", sorted(SPECS))
def test_built_record(writer_name, spec_name):
    spec = SPECS[spec_name]
    assert_same_output(writer_name, [build(REF, spec)], [build(OUR, spec)])


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_built_records_in_one_stream(writer_name):
    names = [n for n in sorted(SPECS) if n != "surrogate"] + ["surrogate"]
    ref = [build(REF, SPECS[n]) for n in names]
    our = [build(OUR, SPECS[n]) for n in names]
    assert_same_output(writer_name, ref, our)


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_record_counts(writer_name, count):
    spec = SPECS["book"]
    assert_same_output(
        writer_name,
        [build(REF, spec) for _ in range(count)],
        [build(OUR, spec) for _ in range(count)],
    )


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
@pytest.mark.parametrize("file_name", SDIST_MARC_FILES)
def test_sdist_file(writer_name, file_name):
    ref, our = read_pairs(sdist_file(file_name))
    assert_same_output(writer_name, ref, our)


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
@pytest.mark.parametrize("file_name", MARC8_FILES)
def test_sdist_file_raw_marc8(writer_name, file_name):
    """Records kept as bytes (to_unicode=False): XML output decodes MARC-8."""
    ref, our = read_pairs(sdist_file(file_name), to_unicode=False)
    for ref_record, our_record in zip(ref, our):
        assert_same_output(writer_name, [ref_record], [our_record])


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_loc_corpus(writer_name):
    ref, our = read_pairs(corpus_file(), CORPUS_RECORDS)
    assert_same_output(writer_name, ref, our)


# --------------------------------------------------------- writer semantics


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_close_closes_handle_by_default(writer_name):
    results = []
    for lib in LIBS:
        buf = new_buffer(writer_name)
        writer = getattr(lib.writer, writer_name)(buf)
        writer.write(build(lib, SPECS["book"]))
        seen = []
        original_close = buf.close
        buf.close = lambda: (seen.append(buf.getvalue()), original_close())
        writer.close()
        results.append((seen, buf.closed, writer.file_handle))
    assert results[1] == results[0]
    assert results[0][1] is True and results[0][2] is None


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_close_fh_false_keeps_handle_open(writer_name):
    results = []
    for lib in LIBS:
        buf = new_buffer(writer_name)
        writer = getattr(lib.writer, writer_name)(buf)
        writer.write(build(lib, SPECS["book"]))
        writer.close(close_fh=False)
        results.append((buf.closed, writer.file_handle, buf.getvalue()))
    assert results[1] == results[0]
    assert results[0][0] is False


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_write_and_close_after_close_are_noops(writer_name):
    results = []
    for lib in LIBS:
        buf = new_buffer(writer_name)
        writer = getattr(lib.writer, writer_name)(buf)
        writer.write(build(lib, SPECS["book"]))
        writer.close(close_fh=False)
        writer.write(build(lib, SPECS["unicode"]))
        writer.close(close_fh=False)
        writer.close()
        results.append((buf.closed, buf.getvalue(), state(writer)))
    assert results[1] == results[0]


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_none_handle(writer_name):
    results = []
    for lib in LIBS:
        writer = getattr(lib.writer, writer_name)(None)
        writer.write(build(lib, SPECS["book"]))
        writer.close()
        results.append(state(writer))
    assert results[1] == results[0]


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_instance_state(writer_name):
    states = []
    for lib in LIBS:
        buf = new_buffer(writer_name)
        writer = getattr(lib.writer, writer_name)(buf)
        before = state(writer)
        writer.write(build(lib, SPECS["book"]))
        writer.write(build(lib, SPECS["book"]))
        states.append((before, state(writer)))
    assert states[1] == states[0]


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_real_file_on_disk(writer_name, tmp_path):
    contents = []
    for lib in LIBS:
        path = tmp_path / f"{lib.name}.out"
        mode = "wb" if writer_name in BINARY_WRITERS else "w"
        kwargs = {} if mode == "wb" else {"encoding": "utf-8"}
        writer = getattr(lib.writer, writer_name)(open(path, mode, **kwargs))  # noqa: SIM115
        for name in ("book", "escapes", "unicode"):
            writer.write(build(lib, SPECS[name]))
        writer.close()
        contents.append(path.read_bytes())
    assert contents[1] == contents[0]


def test_base_writer_writes_nothing():
    results = []
    for lib in LIBS:
        buf = io.StringIO()
        writer = lib.writer.Writer(buf)
        writer.write(build(lib, SPECS["book"]))
        writer.close(close_fh=False)
        results.append((buf.getvalue(), buf.closed, state(writer)))
    assert results[1] == results[0]


def _not_records(lib):
    other = REF if lib is OUR else OUR
    values = [None, "a string", b"bytes", 42, {"leader": UTF8_LEADER, "fields": []}]
    values.append(build(lib, SPECS["book"]).fields[0])
    if other.record.Record is not lib.record.Record:
        values.append(build(other, SPECS["book"]))
    return values


@pytest.mark.parametrize("writer_name", ("Writer",) + WRITER_NAMES)
def test_write_needs_record(writer_name):
    outcomes = []
    for lib in LIBS:
        lib_outcomes = []
        for value in _not_records(lib):
            buf = new_buffer(writer_name)
            writer = getattr(lib.writer, writer_name)(buf)
            with pytest.raises(lib.exceptions.WriteNeedsRecord) as info:
                writer.write(value)
            lib_outcomes.append((type(info.value).__name__, str(info.value), buf.getvalue()))
        outcomes.append(lib_outcomes)
    assert outcomes[1] == outcomes[0]


@pytest.mark.parametrize("writer_name", WRITER_NAMES)
def test_record_subclass_is_accepted(writer_name):
    outputs = []
    for lib in LIBS:
        subclass = type("MyRecord", (lib.record.Record,), {})
        record = subclass()
        record.leader = lib.leader.Leader(UTF8_LEADER)
        record.add_field(lib.field.Field(tag="001", data="sub"))
        outputs.append(write_outcome(lib, writer_name, [record]))
    assert outputs[1] == outputs[0]


def test_json_writer_partial_output_on_unserializable_record():
    """pymarc streams JSON: text before a bad value is written, then it fails."""
    outcomes = []
    for lib in LIBS:
        good = build(lib, SPECS["book"])
        bad = build(lib, SPECS["book"])
        bad.add_field(lib.field.Field(tag="500", subfields=[lib.field.Subfield("a", b"raw")]))
        outcomes.append(write_outcome(lib, "JSONWriter", [good, bad, good]))
    assert outcomes[1] == outcomes[0]
    assert outcomes[0][0] == "error"


def test_json_writer_write_count_after_failure():
    states = []
    for lib in LIBS:
        buf = io.StringIO()
        writer = lib.writer.JSONWriter(buf)
        bad = build(lib, SPECS["book"])
        bad.add_field(lib.field.Field(tag="500", subfields=[lib.field.Subfield("a", b"raw")]))
        with pytest.raises(TypeError):
            writer.write(bad)
        writer.write(build(lib, SPECS["book"]))
        writer.close(close_fh=False)
        states.append((writer.write_count, buf.getvalue()))
    assert states[1] == states[0]


def test_xml_writer_uses_patched_record_to_xml_node(monkeypatch):
    outputs = []
    for lib in LIBS:
        original = lib.writer.record_to_xml_node

        def patched(record, _original=original):
            node = _original(record)
            node.set("patched", "yes")
            return node

        monkeypatch.setattr(lib.writer, "record_to_xml_node", patched)
        outputs.append(write_outcome(lib, "XMLWriter", [build(lib, SPECS["escapes"])]))
    assert outputs[1] == outputs[0]
    assert b'patched="yes"' in outputs[0][1]


# --------------------------------------------------------- property testing

_SPECIALS = "&<>\"'\t\r\n \x1b\x7f\x00\u00e9\u4e2d\U0001f600\ud800\x1e\x1f\x1d$\\="
_texts = st.text(
    alphabet=st.one_of(st.sampled_from(_SPECIALS), st.characters()),
    max_size=12,
)
_indicators = st.sampled_from([" ", "0", "1", "\\", '"', "<", "&", "\t"])
_codes = st.one_of(st.sampled_from(list("abcz069&\"<")), st.characters())
_control = st.tuples(st.sampled_from(["001", "003", "005", "008"]), _texts)
_data = st.tuples(
    st.sampled_from(["010", "020", "245", "500", "650", "880", "00A", "CAT"]),
    st.tuples(_indicators, _indicators),
    st.lists(st.tuples(_codes, _texts), max_size=4),
)
_specs = st.tuples(
    st.sampled_from([UTF8_LEADER, LATIN1_LEADER, None]),
    st.lists(st.one_of(_control, _data), max_size=6),
)


@settings(
    max_examples=HYPOTHESIS_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(spec=_specs)
def test_random_records_all_writers(spec):
    for writer_name in WRITER_NAMES:
        assert_same_output(writer_name, [build(REF, spec)], [build(OUR, spec)])
