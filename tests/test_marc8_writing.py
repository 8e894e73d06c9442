"""MARC-8 writing (a pymrrc extension): ``Record.as_marc8()``,
``MARCWriter(..., encoding="marc8")`` and ``pymrrc.marc8.encode_marc8``.

What is written is read back with pymarc 5.4.0 (the reference reader):

* pymarc's MARC-8 test files and the benchmark's MARC-8 corpus (made by
  benchmarks/marc8_corpus.py from a slice of the LoC corpus) come back as
  the same text, field for field, wherever the text has a MARC-8 form; and
  the files that were canonical MARC-8 come back byte for byte;
* arbitrary text (hypothesis) reads back as itself in NFC, or holds the
  ``&#xXXXX;`` references that were counted.
"""

from __future__ import annotations

import contextlib
import io
import os
import unicodedata
import warnings
from pathlib import Path

import data_support
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pymarc
import pymarc.marc8
import pymrrc
from pymrrc.marc8 import encode_marc8, record_to_marc8

REPO = Path(__file__).resolve().parent.parent
MAX_EXAMPLES = int(os.environ.get("PYMRRC_HYPOTHESIS_EXAMPLES", "200"))
# pymarc's files that are MARC-8 as a cataloguing system writes it.
CANONICAL_FILES = ["marc.dat", "marc8.dat", "test.dat"]
MARC8_FILES = CANONICAL_FILES + ["marc8-to-unicode.dat", "bad_eacc_encoding.dat", "one.dat"]


def pymarc_file(name: str) -> bytes:
    folder = data_support.pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    return (folder / name).read_bytes()


def pymarc_records(data: bytes) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(pymarc.MARCReader(data, hide_utf8_warnings=True))


def pymrrc_records(data: bytes) -> list[tuple[pymrrc.Record, bytes]]:
    reader = pymrrc.MARCReader(data, hide_utf8_warnings=True)
    return [(r, reader.current_chunk) for r in reader if r is not None]


def field_texts(record) -> list[str]:
    return [unicodedata.normalize("NFC", str(f)) for f in record.fields]


@pytest.fixture(scope="module")
def marc8_corpus(tmp_path_factory) -> Path:
    source = data_support.corpus_slice(2000)
    if isinstance(source, str):
        pytest.skip(source)
    corpus = data_support.load_by_path("pymrrc_marc8_corpus", REPO / "benchmarks" / "marc8_corpus.py")
    out = tmp_path_factory.mktemp("marc8") / "marc8.mrc"
    written, _ = corpus.make_marc8_file(source, out)
    assert written > 1000
    return out


@pytest.mark.parametrize("name", MARC8_FILES)
def test_pymarc_files_read_back_as_the_same_text(name):
    data = pymarc_file(name)
    originals = pymarc_records(data)
    ours = pymrrc_records(data)
    assert len(ours) == len([r for r in originals if r is not None])
    for original, (record, _) in zip([r for r in originals if r is not None], ours):
        written, references = record_to_marc8(record)
        assert written[9:10] == b" "
        (back,) = pymarc_records(written)
        if references == 0:
            assert field_texts(back) == field_texts(original)
        else:
            # Only fields holding a reference differ.
            for a, b in zip(field_texts(back), field_texts(original)):
                assert a == b or "&#x" in a


@pytest.mark.parametrize("name", CANONICAL_FILES)
def test_canonical_files_come_back_byte_for_byte(name):
    data = pymarc_file(name)
    records = pymrrc_records(data)
    assert records
    assert b"".join(r.as_marc8() for r, _ in records) == data


def test_the_marc8_corpus_comes_back_byte_for_byte_and_as_the_same_text(marc8_corpus):
    data = marc8_corpus.read_bytes()
    records = pymrrc_records(data)
    out = io.BytesIO()
    writer = pymrrc.MARCWriter(out, encoding="marc8")
    for record, _ in records:
        writer.write(record)
    assert writer.marc8_references == 0
    assert out.getvalue() == data
    for original, back in zip(pymarc_records(data)[:300], pymarc_records(out.getvalue())[:300]):
        assert field_texts(back) == field_texts(original)


def test_utf8_records_read_back_in_nfc():
    """The LoC records are UTF-8, often decomposed: written as MARC-8 and
    read back by pymarc they give the same text in NFC."""
    source = data_support.corpus_slice(300)
    if isinstance(source, str):
        pytest.skip(source)
    data = Path(source).read_bytes()
    originals = pymarc_records(data)
    checked = 0
    for original, (record, _) in zip(originals, pymrrc_records(data)):
        written, references = record_to_marc8(record)
        (back,) = pymarc_records(written)
        if references == 0:
            assert field_texts(back) == field_texts(original)
            checked += 1
    assert checked > 250


def test_writer_to_a_path_counts_references(tmp_path):
    record = pymrrc.Record()
    record.add_field(pymrrc.Field("001", data="x1"))
    record.add_field(
        pymrrc.Field(
            "245", ["1", "0"], [pymrrc.Subfield("a", "Caf\u00e9 \U0001f600"), pymrrc.Subfield("b", "\u0915")]
        )
    )
    path = tmp_path / "out.mrc"
    with pymrrc.MARCWriter(str(path), encoding="marc8") as writer:
        writer.write(record)
        writer.write(record)
        assert writer.marc8_references == 4
    data = path.read_bytes()
    one = record.as_marc8()
    assert data == one * 2
    (back, _) = pymarc_records(data)
    assert back["245"]["a"] == "Caf\u00e9 &#x1F600;"
    assert back["245"]["b"] == "&#x0915;"
    assert back.leader[9] == " "
    # as_marc8 leaves the record alone; as_marc (pymarc's) sets 9 to 'a'.
    assert record.leader[9] == " "


def test_python_and_native_paths_agree():
    """A record holding values the native walk does not take (a str
    subclass) goes through the Python parts path, with the same bytes."""

    class Text(str):
        pass

    plain = pymrrc.Record()
    plain.add_field(pymrrc.Field("008", data="830415s1982"))
    plain.add_field(pymrrc.Field("100", ["1", " "], [pymrrc.Subfield("a", "Dvo\u0159\u00e1k, A.")]))
    odd = pymrrc.Record()
    odd.add_field(pymrrc.Field("008", data=Text("830415s1982")))
    odd.add_field(pymrrc.Field("100", ["1", " "], [pymrrc.Subfield("a", Text("Dvo\u0159\u00e1k, A."))]))
    assert pymrrc._core.record_as_marc8(odd) is None
    assert odd.as_marc8() == plain.as_marc8()


def test_bad_arguments():
    with pytest.raises(ValueError):
        pymrrc.MARCWriter(io.BytesIO(), encoding="latin-1")
    with pytest.raises(TypeError):
        encode_marc8(b"bytes")
    with pytest.raises(pymrrc.exceptions.WriteNeedsRecord):
        pymrrc.MARCWriter(io.BytesIO(), encoding="marc8").write("not a record")


TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("ae\u00e9\u0301\u0323\u0308\u01a1\u0430\u0439\u03b1\u05d0\u05b8\u0627\u4e00\uac00 $&"),
    ),
    max_size=30,
)


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_any_text_reads_back_with_pymarc(text):
    data, references = encode_marc8(text)
    assert all(b >= 0x20 or b == 0x1B for b in data)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        back = pymarc.marc8.marc8_to_unicode(data)
    assert stderr.getvalue() == ""
    if references == 0:
        assert back == unicodedata.normalize("NFC", text)
    else:
        assert back.count("&#x") >= references
