"""Data fields of records read from MARCXML keep their place in the parsed
record until their Subfield and Indicators objects are asked for (issue 14,
part 2.3): every read answered from the parsed text equals pymarc's, fields
pymarc's handler builds in another way are built at once, and reading the
objects or changing a field builds them once."""

import gc
import io
import weakref

import pymarc
import pytest

import pymrrc
from lazy_fields_support import assert_copies_and_serialisers_agree, data_fields, reads

# Missing, blank and backslash indicators, empty subfields, subject
# subdivisions, subfield 6, padded values, an empty field, non-ASCII text.
PLAIN = """
  <datafield tag="245" ind1="1" ind2="0"><subfield code="a">The title /</subfield>
    <subfield code="b"> sub  </subfield><subfield code="c"></subfield><subfield code="c">by me</subfield></datafield>
  <datafield tag="100" ind1="1"><subfield code="a">One indicator,</subfield><subfield code="d">1900-</subfield></datafield>
  <datafield tag="110"><subfield code="a">No indicators</subfield></datafield>
  <datafield tag="650" ind1=" " ind2="0"><subfield code="6">880-01</subfield><subfield code="a">History</subfield>
    <subfield code="v">Sources</subfield><subfield code="x">Study</subfield><subfield code="y">Modern</subfield>
    <subfield code="z">France</subfield></datafield>
  <datafield tag="651" ind1="\\" ind2="\\"><subfield code="a">Place</subfield></datafield>
  <datafield tag="700" ind1="1" ind2=" "><subfield code="a">  Padded  </subfield><subfield code="e"> ed. </subfield>
    <subfield code="a">Second a</subfield></datafield>
  <datafield tag="856" ind1="4" ind2="0"></datafield>
  <datafield tag="880" ind1="1" ind2="0"><subfield code="a">Cafe\u0301 \u00e9t\u00e9 \u4e2d\u6587</subfield></datafield>
"""

# Fields pymarc's handler builds in ways a lazy field does not stand for:
# long indicators and codes, an empty code, a tag Field() rewrites, a
# controlfield inside a datafield.
ODD = """
  <datafield tag="500" ind1="12" ind2=""><subfield code="a">Two-letter indicator</subfield></datafield>
  <datafield tag="501" ind1="1" ind2="2"><subfield code="ab">Long code</subfield><subfield code="">Empty</subfield>
    <subfield code="b">b</subfield></datafield>
  <datafield tag="50" ind1="1" ind2="2"><subfield code="a">Short tag</subfield></datafield>
  <datafield tag="502" ind1="1" ind2="2"><subfield code="a">Holds a controlfield</subfield>
    <controlfield tag="003">inner</controlfield></datafield>
"""


def _document(body):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">'
        f'<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">id-1</controlfield>'
        f'<controlfield tag="008">  x  </controlfield>{body}</record></collection>'
    ).encode("utf-8")


def _pair(body, **options):
    data = _document(body)
    (ours,) = pymrrc.parse_xml_to_array(io.BytesIO(data), **options)
    (theirs,) = pymarc.parse_xml_to_array(io.BytesIO(data), **options)
    return ours, theirs


@pytest.mark.parametrize("normalize_form", [None, "NFC", "NFD"])
def test_reads_equal_pymarcs_and_build_nothing(normalize_form):
    ours, theirs = _pair(PLAIN, normalize_form=normalize_form)
    lazy = [f._is_lazy for f in data_fields(ours)]
    # Non-ASCII text is normalised by Python, so that field is built at once.
    assert lazy == [True] * 7 + [normalize_form is None]
    for mine, pymarcs in zip(data_fields(ours), data_fields(theirs), strict=True):
        assert reads(mine) == reads(pymarcs)
        assert mine.subfields == pymarcs.subfields
        assert not mine._is_lazy
        assert mine.indicators == pymarcs.indicators
        assert reads(mine) == reads(pymarcs)
    assert [str(f) for f in ours.fields] == [str(f) for f in theirs.fields]


def test_fields_pymarc_builds_otherwise_are_built_at_once():
    ours, theirs = _pair(ODD + PLAIN)
    assert [f._is_lazy for f in data_fields(ours)][:3] == [False] * 3
    for mine, pymarcs in zip(ours.fields, theirs.fields, strict=True):
        assert (mine.tag, mine.data, mine.indicators, mine.subfields) == (
            pymarcs.tag,
            pymarcs.data,
            pymarcs.indicators,
            pymarcs.subfields,
        )
        if not pymarcs.is_control_field():
            assert reads(mine) == reads(pymarcs)


def test_edits_after_lazy_reads():
    ours, theirs = _pair(PLAIN)
    field = ours["245"]
    field.value()
    assert ours["245"] is field and field.subfields is field.subfields
    for record, subfield in ((ours, pymrrc.Subfield), (theirs, pymarc.Subfield)):
        record["245"].add_subfield("d", "added")
        record["700"]["e"] = "edited"
        record["650"].delete_subfield("x")
        record["100"].indicator2 = "7"
        record["651"].subfields.append(subfield("b", "appended"))
        record["110"].subfields = [subfield("a", "New")]
        record["856"].indicators = ["2", "3"]
    for mine, pymarcs in zip(data_fields(ours), data_fields(theirs), strict=True):
        assert reads(mine) == reads(pymarcs)
        assert (mine.indicators, mine.subfields) == (pymarcs.indicators, pymarcs.subfields)
    assert ours.as_marc() == theirs.as_marc()


def test_copies_pickles_and_serialisers():
    ours, theirs = _pair(PLAIN)
    assert_copies_and_serialisers_agree(ours, theirs, ("245", "650", "700", "880"), lambda: _pair(PLAIN))


def test_a_lazy_field_outlives_its_record_and_document():
    ours, theirs = _pair(PLAIN)
    field, expected = ours["650"], theirs["650"]
    del ours
    gc.collect()
    assert reads(field) == reads(expected)
    assert field.subfields == expected.subfields


class _Canary:
    """An object whose collection a weak reference shows."""


@pytest.mark.parametrize("attribute", ["tag", "data", "control_field", "subfields", "_indicators"])
def test_a_lazy_field_in_a_reference_cycle_is_collected(attribute):
    # A lazy field holds no container, so the collector is spared it
    # (pymrrc/_core: gc_untrack); any attribute set, and building its
    # objects, puts it back, so a cycle through it is still collected.
    ours, _ = _pair(PLAIN)
    field = ours["700"]
    assert not gc.is_tracked(field)
    reads(field)
    assert not gc.is_tracked(field)
    canary = _Canary()
    alive = weakref.ref(canary)
    setattr(field, attribute, [field, canary])
    assert gc.is_tracked(field)
    del ours, field, canary
    gc.collect()
    assert alive() is None


def test_building_a_lazy_fields_objects_tracks_it():
    ours, _ = _pair(PLAIN)
    field = ours["245"]
    canary = _Canary()
    alive = weakref.ref(canary)
    field.subfields.append((field, canary))
    assert gc.is_tracked(field)
    del ours, field, canary
    gc.collect()
    assert alive() is None


def _outcome(call):
    try:
        return call()
    except Exception as error:  # the exception's class is what is compared
        return type(error)


def test_control_fields_build_their_empty_subfields_on_first_use():
    ours, theirs = _pair(PLAIN)
    control = ours["001"]
    assert not gc.is_tracked(control)
    assert (control.data, control.value(), str(control)) == (theirs["001"].data, theirs["001"].value(),
                                                           str(theirs["001"]))
    assert control.subfields == [] and control.indicators is None
    assert gc.is_tracked(control)
    for record in (ours, theirs):
        record["008"].control_field = False
    for call in (lambda f: f.value(), lambda f: f.get_subfields("a"), str, lambda f: f.get("a"),
                 lambda f: f.format_field(), lambda f: f.as_marc("utf-8")):
        assert _outcome(lambda: call(ours["008"])) == _outcome(lambda: call(theirs["008"]))
