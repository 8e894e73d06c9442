"""Data fields read from MARC keep their place in the record's bytes until
their Subfield and Indicators objects are asked for (issue 14, part 2):
every read answered from the bytes equals pymarc's, and reading the objects
or changing the field builds them once, with nothing else observable."""

import io

import pymarc
import pytest

import pymrrc
from data_support import corpus_slice
from lazy_fields_support import assert_copies_and_serialisers_agree, data_fields, reads


def _record_bytes(fields, leader_9="a"):
    """ISO 2709 bytes of a record with the given (tag, raw field bytes)."""
    directory = b""
    data = b""
    for tag, body in fields:
        body = body + b"\x1e"
        directory += tag + b"%04d%05d" % (len(body), len(data))
        data += body
    base = 24 + len(directory) + 1
    length = base + len(data) + 1
    leader = b"%05dnam %s22%05d   4500" % (length, leader_9.encode(), base)
    return leader + directory + b"\x1e" + data + b"\x1d"


# Fields whose raw bytes exercise the decoder's field rules: missing and
# extra indicators, empty subfields, subject subdivisions, subfield 6,
# blanks and backslashes as indicators, values with surrounding whitespace.
ODD = _record_bytes(
    [
        (b"001", b"control-1"),
        (b"245", b"10\x1faThe title /\x1fb sub  \x1fc\x1f\x1fcby me"),
        (b"100", b"1\x1faOne indicator,\x1fd1900-"),
        (b"110", b"\x1faNo indicators"),
        (b"111", b"123\x1faThree indicators"),
        (b"650", b" 0\x1f6880-01\x1faHistory\x1fvSources\x1fxStudy\x1fyModern\x1fzFrance"),
        (b"651", b"\\\\\x1faPlace\x1f\x1f"),
        (b"700", b"1 \x1fa  Padded  \x1fe ed. \x1faSecond a"),
        (b"856", b"40"),
    ]
)


def _pair(data, **options):
    ours = next(iter(pymrrc.MARCReader(io.BytesIO(data), **options)))
    theirs = next(iter(pymarc.MARCReader(io.BytesIO(data), **options)))
    return ours, theirs


def test_reads_from_bytes_equal_pymarcs_and_build_nothing():
    ours, theirs = _pair(ODD)
    for mine, pymarcs in zip(data_fields(ours), data_fields(theirs), strict=True):
        assert mine._is_lazy
        assert reads(mine) == reads(pymarcs)
        assert mine._is_lazy, "a read built the field's objects"
        assert mine.subfields == pymarcs.subfields
        assert not mine._is_lazy
        assert mine.indicators == pymarcs.indicators
        assert reads(mine) == reads(pymarcs)


@pytest.mark.parametrize("handling", ["replace", "ignore"])
def test_invalid_utf8_decoded_with_the_readers_handler(handling):
    data = _record_bytes([(b"245", b"00\x1faBad \xff byte\x1fb \xc3 end ")])
    ours, theirs = _pair(data, utf8_handling=handling)
    assert reads(ours["245"]) == reads(theirs["245"])
    assert ours["245"]._is_lazy
    assert ours["245"].subfields == theirs["245"].subfields


def test_codes_that_are_not_plain_str_take_pymarcs_path():
    class Code(str):
        pass

    ours, theirs = _pair(ODD)
    for code in (Code("a"), 97, None, b"a"):
        assert (code in ours["245"]) == (code in theirs["245"])
        assert ours["245"].get(code) == theirs["245"].get(code)
        assert ours["245"].get_subfields(code) == theirs["245"].get_subfields(code)


def test_identity_and_edits_after_lazy_reads():
    ours, theirs = _pair(ODD)
    assert ours["245"] is ours["245"]
    field = ours["245"]
    field.value()
    assert field.subfields is field.subfields
    for record in (ours, theirs):
        record["245"].add_subfield("d", "added")
        record["700"]["e"] = "edited"
        record["650"].delete_subfield("x")
        record["100"].indicator2 = "7"
        record["651"].subfields.append(pymarc.Subfield("b", "appended") if record is theirs else pymrrc.Subfield("b", "appended"))
    for mine, pymarcs in zip(data_fields(ours), data_fields(theirs), strict=True):
        assert reads(mine) == reads(pymarcs)
    assert ours.as_marc() == theirs.as_marc()


def test_setting_subfields_or_indicators_keeps_the_other_from_the_bytes():
    ours, theirs = _pair(ODD)
    for record, subfield in ((ours, pymrrc.Subfield), (theirs, pymarc.Subfield)):
        record["245"].subfields = [subfield("a", "New")]
        record["700"].indicators = ["2", "3"]
    for tag in ("245", "700"):
        assert str(ours[tag]) == str(theirs[tag])
        assert ours[tag].indicators == theirs[tag].indicators
        assert ours[tag].subfields == theirs[tag].subfields


def test_copy_pickle_and_serialisers_of_lazy_fields():
    ours, theirs = _pair(ODD)
    assert_copies_and_serialisers_agree(ours, theirs, ("245", "650", "700"), lambda: _pair(ODD))


def test_corpus_fields_read_as_pymarcs():
    path = corpus_slice(2000)
    if not hasattr(path, "open"):
        pytest.skip(path)
    with open(path, "rb") as a, open(path, "rb") as b:
        for ours, theirs in zip(pymrrc.MARCReader(a), pymarc.MARCReader(b), strict=True):
            assert ours.title == theirs.title
            for mine, pymarcs in zip(data_fields(ours), data_fields(theirs), strict=True):
                assert (mine.value(), mine.format_field(), str(mine)) == (
                    pymarcs.value(),
                    pymarcs.format_field(),
                    str(pymarcs),
                )
                assert mine.get_subfields("a", "b") == pymarcs.get_subfields("a", "b")
                assert mine.get("a") == pymarcs.get("a")
            assert [f.value() for f in ours.get_fields("650", "700", "100")] == [
                f.value() for f in theirs.get_fields("650", "700", "100")
            ]
