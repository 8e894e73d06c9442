"""What test_marcxml.py and test_marcxml_parsing.py share: both libraries'
modules side by side (``REF``, ``OUR``), records built from specs, MARCXML
documents (good and bad), and the structural dump of parsed records
(``dump_records``, ``assert_same_parse``: records and their
transmission-format bytes; errors by class name and message).

Data files come from the pymarc 5.4.0 sdist and the LoC sample corpus, kept
in ``$PYMRRC_CACHE`` (default ``~/.cache/marc-corpus``); tests that need a
missing file are skipped.
"""

import serialize_support
from data_support import PYMARC_DATA_FILES, PYMARC_MARC8_FILES
from record_specs import PARSEABLE_SPECS, SPECS, UTF8_LEADER, build  # noqa: F401 (shared with the tests)
from serialize_support import dump_record, dump_records, outcome  # noqa: F401 (shared with the tests)

MODULES = ("record", "field", "leader", "reader", "writer", "exceptions", "marcxml")


REF = serialize_support.library("pymarc", MODULES)
OUR = serialize_support.library("pymrrc", MODULES)
LIBS = (REF, OUR)
NORMALIZE_FORMS = (None, "NFC", "NFD", "NFKC", "NFKD")


# ---------------------------------------------------------------- data files


def read_pairs(path, limit=None, **kwargs):
    """Records read from ``path`` by each library, as (pymarc, pymrrc) lists."""
    return serialize_support.read_pairs(REF, OUR, path, limit, **kwargs)


# pymarc's files less three MARC-8 ones, which the raw MARC-8 tests read (MARC8_FILES).
SDIST_MARC_FILES = [name for name in PYMARC_DATA_FILES
                    if name not in ("bad_eacc_encoding.dat", "bad_marc8_escape.dat", "marc8-to-unicode.dat")]

MARC8_FILES = list(PYMARC_MARC8_FILES)


# ------------------------------------------------------------------ helpers


def parse_outcome(lib, source_factory, **kwargs):
    def run():
        return dump_records(lib.marcxml.parse_xml_to_array(source_factory(), **kwargs))

    return outcome(run)


def assert_same_parse(source_factory, **kwargs):
    ref = parse_outcome(REF, source_factory, **kwargs)
    our = parse_outcome(OUR, source_factory, **kwargs)
    assert our == ref
    return ref


def node_picture(node):
    return (
        node.tag,
        dict(node.attrib),
        node.text,
        node.tail,
        [node_picture(child) for child in node],
    )


NS = "http://www.loc.gov/MARC21/slim"

XML_DOCS = {
    "plain_collection": f"""<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="{NS}">
  <record>
    <leader>00000nam a2200000 i 4500</leader>
    <controlfield tag="001">id1</controlfield>
    <datafield tag="245" ind1="1" ind2="0">
      <subfield code="a">Title &amp; more &lt;x&gt; &#233; <![CDATA[<raw>]]></subfield>
      <subfield code="b"/>
    </datafield>
  </record>
  <record>
    <leader>00000cam a2200000 a 4500</leader>
    <datafield tag="100" ind1="1" ind2=" "><subfield code="a">Second</subfield></datafield>
  </record>
</collection>""",
    "no_namespace": """<collection><record><leader>00000nam a2200000 i 4500</leader>
<controlfield tag="001">x</controlfield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">No namespace</subfield></datafield>
</record></collection>""",
    "prefixed": f"""<marc:collection xmlns:marc="{NS}"><marc:record>
<marc:leader>00000nam a2200000 i 4500</marc:leader>
<marc:controlfield tag="008">200101s2020    nyu</marc:controlfield>
<marc:datafield tag="650" ind1=" " ind2="0"><marc:subfield code="a">Prefixed</marc:subfield></marc:datafield>
</marc:record></marc:collection>""",
    "single_record_root": f"""<record xmlns="{NS}"><leader>00000nam a2200000 i 4500</leader>
<controlfield tag="001">root</controlfield></record>""",
    "foreign_elements": f"""<collection xmlns="{NS}" xmlns:o="urn:other"><record>
<leader>00000nam a2200000 i 4500</leader>
<o:note>ignored?</o:note>
<datafield tag="245" ind1="0" ind2="0">
  <subfield code="a">before<o:b>inner</o:b>after</subfield>
  <o:subfield code="z">foreign subfield</o:subfield>
</datafield>
<o:datafield tag="500" ind1=" " ind2=" "><o:subfield code="a">foreign field</o:subfield></o:datafield>
<o:record><o:leader>11111nam a2200000 i 4500</o:leader></o:record>
</record></collection>""",
    "mixed_content_no_ns": """<collection><record><leader>00000nam a2200000 i 4500</leader>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">one<b>two</b>three</subfield></datafield>
</record></collection>""",
    "missing_indicators": f"""<collection xmlns="{NS}"><record><leader>00000nam a2200000 i 4500</leader>
<datafield tag="245"><subfield code="a">defaults</subfield></datafield>
<datafield tag="246" ind2="3"><subfield code="a">ind1 missing</subfield></datafield>
<datafield tag="247" ind1="" ind2="12"><subfield code="a">odd indicators</subfield></datafield>
</record></collection>""",
    "empty_code": f"""<collection xmlns="{NS}"><record><leader>00000nam a2200000 i 4500</leader>
<datafield tag="245" ind1="0" ind2="0"><subfield code="">dropped</subfield><subfield code="a">kept</subfield></datafield>
</record></collection>""",
    "swapped_kinds": f"""<collection xmlns="{NS}"><record><leader>00000nam a2200000 i 4500</leader>
<controlfield tag="245">control text on a data tag</controlfield>
<datafield tag="001" ind1="1" ind2="2"><subfield code="a">subfield on a control tag</subfield></datafield>
<controlfield tag="00A">alpha</controlfield>
<datafield tag="1" ind1=" " ind2=" "><subfield code="a">short tag</subfield></datafield>
</record></collection>""",
    "outside_record": f"""<collection xmlns="{NS}">
<leader>00000nam a2200000 i 4500</leader>
<controlfield tag="001">orphan</controlfield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">orphan field</subfield></datafield>
<subfield code="a">orphan subfield</subfield>
<record><leader>00000nam a2200000 i 4500</leader><subfield code="x">loose</subfield>
<controlfield tag="001">in record</controlfield></record>
</collection>""",
    "no_leader": f"""<collection xmlns="{NS}"><record><controlfield tag="001">no leader</controlfield></record>
<record/></collection>""",
    "whitespace": f"""<collection xmlns="{NS}">
  <record>
    <leader>00000nam a2200000 i 4500</leader>
    <controlfield tag="001">  padded  </controlfield>
    <datafield tag="245" ind1="0" ind2="0">
      <subfield code="a">
        multi
        line
      </subfield>
    </datafield>
  </record>
</collection>""",
    "unicode_forms": f"""<collection xmlns="{NS}"><record><leader>00000nam a2200000 i 4500</leader>
<controlfield tag="001">e\u0301\u00e9</controlfield>
<datafield tag="245" ind1="0" ind2="0"><subfield code="a">\ufb01 \u212b A\u030a \u00bd &#x1E9B;&#x0323;</subfield>
<subfield code="\u00e9">code</subfield></datafield>
</record></collection>""",
    "nested_record": f"""<collection xmlns="{NS}"><record><leader>00000nam a2200000 i 4500</leader>
<controlfield tag="001">outer</controlfield>
<record><leader>11111nam a2200000 i 4500</leader><controlfield tag="001">inner</controlfield></record>
<controlfield tag="003">after inner</controlfield>
</record></collection>""",
    "empty_collection": f"""<collection xmlns="{NS}"/>""",
}

BAD_XML_DOCS = {
    "malformed": f"""<collection xmlns="{NS}"><record><leader>00000nam a2200000 i 4500</leader>""",
    "bad_leader": f"""<collection xmlns="{NS}"><record><leader>short</leader></record></collection>""",
    "missing_tag": f"""<collection xmlns="{NS}"><record><controlfield>x</controlfield></record></collection>""",
    "missing_datafield_tag": f"""<collection xmlns="{NS}"><record><datafield ind1="0"/></record></collection>""",
    "missing_code": f"""<collection xmlns="{NS}"><record><datafield tag="245"><subfield>x</subfield></datafield></record></collection>""",
    "padded_leader": f"""<collection xmlns="{NS}"><record><leader>
      00000nam a2200000 i 4500
    </leader></record></collection>""",
    "not_xml": "this is not xml",
    "empty": "",
}
