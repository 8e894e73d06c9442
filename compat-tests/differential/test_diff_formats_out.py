"""pymarc vs pymrrc: MARCXML and MARC-in-JSON *output*, byte for byte.

* test_corpus_*: the first PYMRRC_FORMATS_RECORDS (default 10,000) records of
  the LoC corpus, read by each library. pymrrc's records are compared
  untouched (serialised from their bytes), then again once their fields were
  built, then after edits: ``record_to_xml`` (namespace off and on),
  ``as_json()``, ``as_dict()``, and whole ``XMLWriter`` / ``JSONWriter``
  documents.
* test_built_records: Hypothesis builds the same record in both libraries
  from awkward parts: every XML-special character, control characters,
  line ends (also in tags, indicators and codes, which become attributes),
  non-BMP characters, empty subfields, data fields without subfields, odd
  tags, leaders given as ``str``. Two records in three hold plain text only
  (pymrrc's native path); the others may also hold lone surrogates,
  ``None``, ``bytes`` values (MARC-8, with and without ``quiet``) and
  ``RawField`` (the Python path). Outputs, exceptions and stderr must agree.
* test_read_records: Hypothesis encodes records (invalid UTF-8 included) and
  reads them with several reader options; outputs are compared while the
  records are untouched, after a leader edit, and once materialised.

PYMRRC_HYPOTHESIS_EXAMPLES sets max_examples (default 200).
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py
import pymrrc_compat_sdist as sdist

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SCRIPT = REPO_ROOT.parent / "shared" / "corpus" / "get-loc-corpus.sh"
RECORDS = int(os.environ.get("PYMRRC_FORMATS_RECORDS", "10000"))
MAX_EXAMPLES = diff.MAX_EXAMPLES
SETTINGS = diff.hypothesis_settings()


# ---------------------------------------------------------------------------
# What is compared.


def outputs(lib, record, quiet=False) -> dict:
    """Every output of one record, in a fixed order (calls may mutate
    iteration state, so both libraries see the same sequence)."""
    out = {}
    with diff.capture_side_effects() as captured:
        out["xml"] = diff.observe(lambda: lib.record_to_xml(record, quiet=quiet))
        out["xml_ns"] = diff.observe(
            lambda: lib.record_to_xml(record, quiet=quiet, namespace=True)
        )
        out["json"] = diff.observe(record.as_json)
        out["dict"] = diff.observe(record.as_dict)
        out["json_kwargs"] = diff.observe(lambda: record.as_json(sort_keys=True, indent=1))
        out["xml_writer"] = diff.observe(lambda: write_xml(lib, [record]))
        out["json_writer"] = diff.observe(lambda: write_json(lib, [record]))
        out["pos"] = diff.observe(lambda: record._Record__pos)
    out["side_effects"] = captured
    return out


def untouched(record):
    """Whether a pymrrc record still holds only its bytes (pymarc records,
    when the harness compares pymarc with itself, count as untouched)."""
    return getattr(record, "_is_lazy", True)


def write_xml(lib, records) -> bytes:
    sink = io.BytesIO()
    writer = lib.XMLWriter(sink)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return sink.getvalue()


def write_json(lib, records) -> str:
    sink = io.StringIO()
    writer = lib.JSONWriter(sink)
    for record in records:
        writer.write(record)
    writer.close(close_fh=False)
    return sink.getvalue()


def assert_same(ref_out: dict, got_out: dict, where: str) -> None:
    for key in ref_out:
        assert got_out[key] == ref_out[key], (
            f"{where}: {key} differs\n  pymarc: {diff.short(ref_out[key])}\n"
            f"  pymrrc: {diff.short(got_out[key])}"
        )


# ---------------------------------------------------------------------------
# The corpus.


def _unavailable(message: str):
    if os.environ.get("PYMRRC_REQUIRE_CORPUS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def corpus_path() -> Path:
    if RECORDS <= 0:
        pytest.skip("PYMRRC_FORMATS_RECORDS=0")
    cached = sdist.cache_dir() / f"loc-{RECORDS}.mrc"
    if cached.is_file():
        return cached
    script = Path(os.environ.get("PYMRRC_CORPUS_SCRIPT") or DEFAULT_SCRIPT)
    if not script.is_file():
        _unavailable(f"corpus script not found at {script} (set PYMRRC_CORPUS_SCRIPT)")
    try:
        proc = subprocess.run(
            ["bash", str(script), str(sdist.cache_dir()), str(RECORDS)],
            capture_output=True, text=True, timeout=1800,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        _unavailable(f"corpus script {script} could not run: {exc}")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not Path(lines[-1]).is_file():
        _unavailable(f"corpus script {script} failed (exit {proc.returncode})")
    return Path(lines[-1])


def read_all(lib, path, limit=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with open(path, "rb") as fh:
            return list(itertools.islice(lib.MARCReader(fh), limit))


@pytest.fixture(scope="module")
def corpus(corpus_path, reference, target):
    ref = read_all(reference, corpus_path)
    got = read_all(target, corpus_path)
    assert len(ref) == len(got) > 0
    assert all(r is not None for r in ref) and all(g is not None for g in got)
    return ref, got


def expected_outputs(reference, ref_records):
    """pymarc's outputs for a list of records (computed once, compared twice)."""
    per_record = [
        (
            reference.record_to_xml(a),
            reference.record_to_xml(a, namespace=True),
            a.as_json(),
            a.as_dict(),
        )
        for a in ref_records
    ]
    return per_record, write_xml(reference, ref_records), write_json(reference, ref_records)


def compare_corpus(target, expected, got_records, label):
    per_record, xml_document, json_document = expected
    for i, (want, b) in enumerate(zip(per_record, got_records, strict=True)):
        xml, xml_ns, json_text, as_dict = want
        assert target.record_to_xml(b) == xml, f"{label} record {i}: record_to_xml()"
        assert target.record_to_xml(b, namespace=True) == xml_ns, (
            f"{label} record {i}: record_to_xml(namespace=True)"
        )
        assert b.as_json() == json_text, f"{label} record {i}: as_json()"
        assert b.as_dict() == as_dict, f"{label} record {i}: as_dict()"
    assert write_xml(target, got_records) == xml_document, f"{label}: XMLWriter output"
    assert write_json(target, got_records) == json_document, f"{label}: JSONWriter output"


def test_corpus_untouched_then_materialised(corpus, reference, target):
    ref, got = corpus
    assert all(untouched(r) for r in got), "records should start untouched"
    expected = expected_outputs(reference, ref)
    compare_corpus(target, expected, got, "untouched")
    assert all(untouched(r) for r in got), "serialising must not build the fields"
    assert [r._Record__pos for r in got] == [r._Record__pos for r in ref]
    for r in got:
        r.fields  # noqa: B018 - builds the Field objects
    compare_corpus(target, expected, got, "materialised")


def edit(lib, record, i):
    """The same edits in either library (the i-th record gets edit i % 4)."""
    kind = i % 4
    if kind == 0:
        record.leader[5] = "c"  # leader object built, fields untouched
    elif kind == 1:
        record.add_field(lib.Field(
            tag="999", indicators=lib.Indicators("&", '"'),
            subfields=[lib.Subfield("a", "<x & y>\r\n\t\U0001F600"), lib.Subfield("\t", "")],
        ))
    elif kind == 2:
        for field in record.get_fields("245"):
            field.add_subfield("c", "é\x01\"'")
            field.indicators = lib.Indicators("1", "\n")
    else:
        record.remove_fields("001", "005")
        record.add_ordered_field(lib.Field(tag="003", data="a<b\t"))


def test_corpus_edited(corpus_path, reference, target):
    ref = read_all(reference, corpus_path, 2000)
    got = read_all(target, corpus_path, 2000)
    for i, (a, b) in enumerate(zip(ref, got)):
        edit(reference, a, i)
        edit(target, b, i)
    compare_corpus(target, expected_outputs(reference, ref), got, "edited")


# ---------------------------------------------------------------------------
# Records built from awkward parts.

SPECIAL_CHARS = list("&<>\"'\r\n\t\x00\x01\x1b\x1f\x7f\x80\x85 a;#") + [
    "\u00e9", "\u2028", "\ufeff", "\uffff", "\U0001F600", "\U0010FFFF",
]
#: Characters a native serialiser handles (no lone surrogates).
CLEAN_CHARS = st.one_of(
    st.sampled_from(SPECIAL_CHARS), st.characters(blacklist_categories=("Cs",))
)
#: Anything a Python str may hold.
AWKWARD_CHARS = st.one_of(CLEAN_CHARS, st.sampled_from(["\ud800", "\udfff"]), st.characters())
#: MARC-8 byte strings (ASCII, ANSEL diacritics and an escape to Greek).
MARC8_BYTES = st.sampled_from([b"", b"plain", b"\xe2e acute", b"\x1bgabc\x1bs", b"\xff\x80"])


def parts(chars, values):
    """Strategies for one record's one-character parts, tags and values."""
    one_char = st.one_of(st.sampled_from(list(" 0123456789a&<\"\n\t\r")), chars)
    data_tag = st.one_of(
        st.sampled_from(["245", "650", "880", "010", "999"]),
        st.text(one_char, min_size=1, max_size=3).filter(lambda t: not t.isdigit()),
    )
    return one_char, data_tag, values


#: Records of plain text only (the native path), and records that may hold
#: anything (lone surrogates, None, MARC-8 bytes, RawField: the Python path).
PLAIN_PARTS = parts(CLEAN_CHARS, st.text(CLEAN_CHARS, max_size=12))
ANY_PARTS = parts(
    AWKWARD_CHARS,
    st.one_of(st.text(AWKWARD_CHARS, max_size=12), st.none(), MARC8_BYTES),
)


@st.composite
def field_spec(draw, parts, raw_fields):
    one_char, data_tag, values = parts
    kind = draw(st.sampled_from(["control", "data", "data"] + (["raw"] if raw_fields else [])))
    if kind == "control":
        tag = draw(st.sampled_from(["001", "003", "005", "008"]))
        return ("control", tag, draw(values))
    tag = draw(data_tag)
    ind = (draw(one_char), draw(one_char))
    subs = draw(st.lists(st.tuples(one_char, MARC8_BYTES if kind == "raw" else values),
                         max_size=5))
    return (kind, tag, ind, subs)


@st.composite
def record_spec(draw):
    plain = draw(st.sampled_from([True, True, False]))
    chars = CLEAN_CHARS if plain else AWKWARD_CHARS
    leader = draw(st.one_of(
        st.sampled_from(["00000nam a2200000 i 4500", "01234cam  2200301 a 4500"]),
        st.text(chars, min_size=24, max_size=24),
    ))
    leader_kind = draw(st.sampled_from(["Leader", "Leader", "str"]))
    fields = field_spec(PLAIN_PARTS if plain else ANY_PARTS, raw_fields=not plain)
    return leader, leader_kind, draw(st.lists(fields, max_size=8))


def build(lib, spec):
    leader, leader_kind, fields = spec
    record = lib.Record()
    record.leader = lib.Leader(leader) if leader_kind == "Leader" else leader
    for field in fields:
        if field[0] == "control":
            record.add_field(lib.Field(tag=field[1], data=field[2]))
            continue
        kind, tag, (i1, i2), subs = field
        cls = lib.RawField if kind == "raw" else lib.Field
        record.add_field(cls(
            tag=tag, indicators=lib.Indicators(i1, i2),
            subfields=[lib.Subfield(code, value) for code, value in subs],
        ))
    return record


@SETTINGS
@given(spec=record_spec(), quiet=st.booleans())
def test_built_records(reference, target, spec, quiet):
    ref_out = outputs(reference, build(reference, spec), quiet)
    got_out = outputs(target, build(target, spec), quiet)
    assert_same(ref_out, got_out, f"built record {spec!r}")


def test_subclass_overriding_as_dict(reference, target):
    results = []
    for lib in (reference, target):
        class Tagged(lib.Record):
            def as_dict(self):
                data = super().as_dict()
                data["extra"] = "x"
                return data

        record = Tagged()
        record.add_field(lib.Field(tag="001", data="1"))
        results.append((record.as_json(), write_json(lib, [record]), lib.record_to_xml(record)))
    assert results[1] == results[0]


# ---------------------------------------------------------------------------
# Records read from generated bytes.

BYTES_TEXT = st.one_of(
    st.text(CLEAN_CHARS.filter(lambda c: c not in "\x1d\x1e\x1f"), max_size=12)
    .map(lambda s: s.encode("utf-8")),
    st.binary(max_size=8).filter(lambda b: not set(b) & {0x1D, 0x1E, 0x1F}),
)


@st.composite
def encoded_record(draw):
    leader = draw(st.sampled_from([b"00000nam a2200000 i 4500", b"00000cam  2200000 a 4500"]))
    fields = []
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.booleans()):
            tag = draw(st.sampled_from([b"001", b"005", b"008"]))
            fields.append((tag, draw(BYTES_TEXT)))
        else:
            tag = draw(st.sampled_from([b"245", b"650", b"999", b"ABC"]))
            ind = draw(st.sampled_from([b"", b"1", b"10", b"&\"", b"  x", b"\t\r", b"\n>"]))
            codes = st.sampled_from([b"a", b"&", b"<", b"\"", b" ", b"\t", b"\r", b"\n"])
            subs = draw(st.lists(st.tuples(codes,
                                           BYTES_TEXT), max_size=4))
            body = ind + b"".join(diff.SF + code + value for code, value in subs)
            if draw(st.booleans()):
                body += diff.SF  # an empty subfield
            fields.append((tag, body))
    return diff.encode_record(leader, fields)


READ_OPTIONS = st.sampled_from([
    {}, {"utf8_handling": "replace"}, {"utf8_handling": "ignore"},
    {"force_utf8": True, "utf8_handling": "replace"},
])


def read_one(lib, data, options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = lib.MARCReader(io.BytesIO(data), **options)
        return next(iter(reader), None)


@SETTINGS
@given(data=encoded_record(), options=READ_OPTIONS, leader_edit=st.booleans())
def test_read_records(reference, target, data, options, leader_edit):
    ref = read_one(reference, data, options)
    got = read_one(target, data, options)
    assert (ref is None) == (got is None)
    if ref is None:
        return
    if leader_edit:
        ref.leader[5] = "d"
        got.leader[5] = "d"
    where = f"record {data!r} read with {options}"
    lazy = untouched(got)
    assert_same(outputs(reference, ref), outputs(target, got), where + " (untouched)")
    assert untouched(got) == lazy, "serialising must not build the fields"
    got.fields  # noqa: B018 - builds the Field objects
    assert_same(outputs(reference, ref), outputs(target, got), where + " (materialised)")
