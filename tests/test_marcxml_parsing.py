"""Side-by-side checks of pymrrc.marcxml's reading against pymarc.marcxml:
parse_xml_to_array on good and bad documents, every kind of input,
pymarc's XML files and round trips, map_xml, and XmlHandler (subclasses,
streaming, plain content handlers, reuse), compared through a structural
dump of the records produced plus their transmission-format bytes; errors
must match by class name and message.
"""

import io
import unicodedata

import pytest
from serialize_support import (
    CORPUS_RECORDS,
    corpus_file,
    sdist_file,
)

from marcxml_support import (  # noqa: F401
    BAD_XML_DOCS,
    LIBS,
    NORMALIZE_FORMS,
    OUR,
    PARSEABLE_SPECS,
    REF,
    SPECS,
    XML_DOCS,
    assert_same_parse,
    build,
    dump_record,
    dump_records,
    parse_outcome,
    read_pairs,
)


# ---------------------------------------------------------------- parsing

@pytest.mark.parametrize("normalize_form", NORMALIZE_FORMS)
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("doc_name", sorted(XML_DOCS))
def test_parse_documents(doc_name, strict, normalize_form):
    data = XML_DOCS[doc_name].encode("utf-8")
    ref = assert_same_parse(lambda: io.BytesIO(data), strict=strict, normalize_form=normalize_form)
    assert ref[0] == "ok"


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("doc_name", sorted(BAD_XML_DOCS))
def test_parse_bad_documents(doc_name, strict):
    data = BAD_XML_DOCS[doc_name].encode("utf-8")
    ref = assert_same_parse(lambda: io.BytesIO(data), strict=strict)
    assert ref[0] == "error"


def test_parse_invalid_normalize_form():
    data = XML_DOCS["plain_collection"].encode("utf-8")
    ref = assert_same_parse(lambda: io.BytesIO(data), normalize_form="XYZ")
    assert ref[0] == "error"


def test_parse_positional_arguments():
    data = XML_DOCS["foreign_elements"].encode("utf-8")
    ref = REF.marcxml.parse_xml_to_array(io.BytesIO(data), True, "NFD")
    our = OUR.marcxml.parse_xml_to_array(io.BytesIO(data), True, "NFD")
    assert dump_records(our) == dump_records(ref)


@pytest.mark.parametrize("kind", ["path_str", "path_obj", "text_handle", "binary_handle", "bytesio"])
def test_parse_input_kinds(kind, tmp_path):
    path = tmp_path / "doc.xml"
    path.write_text(XML_DOCS["plain_collection"], encoding="utf-8")
    handles = []

    def source():
        if kind == "path_str":
            return str(path)
        if kind == "path_obj":
            return path
        if kind == "text_handle":
            handles.append(open(path, encoding="utf-8"))  # noqa: SIM115
            return handles[-1]
        if kind == "binary_handle":
            handles.append(open(path, "rb"))  # noqa: SIM115
            return handles[-1]
        return io.BytesIO(path.read_bytes())

    try:
        ref = assert_same_parse(source)
    finally:
        for handle in handles:
            handle.close()
    assert ref[0] == "ok" and len(ref[1]) == 2


@pytest.mark.parametrize("normalize_form", NORMALIZE_FORMS)
@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("file_name", ["batch.xml", "utf8.xml", "bad_tag.xml"])
def test_parse_sdist_xml(file_name, strict, normalize_form):
    path = sdist_file(file_name)
    ref = assert_same_parse(lambda: str(path), strict=strict, normalize_form=normalize_form)
    if file_name == "bad_tag.xml":
        assert ref[:2] == ("error", "RecordLeaderInvalid")
    else:
        assert ref[0] == "ok" and ref[1]


@pytest.mark.parametrize("namespace", [False, True])
@pytest.mark.parametrize("spec_name", PARSEABLE_SPECS)
def test_round_trip_built(spec_name, namespace):
    spec = SPECS[spec_name]
    for strict in (False, True):
        for normalize_form in NORMALIZE_FORMS:
            ref_xml = REF.marcxml.record_to_xml(build(REF, spec), namespace=namespace)
            our_xml = OUR.marcxml.record_to_xml(build(OUR, spec), namespace=namespace)
            assert our_xml == ref_xml
            ref = parse_outcome(REF, lambda: io.BytesIO(ref_xml), strict=strict, normalize_form=normalize_form)
            our = parse_outcome(OUR, lambda: io.BytesIO(our_xml), strict=strict, normalize_form=normalize_form)
            assert our == ref


@pytest.mark.parametrize("normalize_form", NORMALIZE_FORMS)
@pytest.mark.parametrize("strict", [False, True])
def test_round_trip_corpus_through_xml_writer(strict, normalize_form):
    ref_records, our_records = read_pairs(corpus_file(), CORPUS_RECORDS)
    blobs = []
    for lib, records in ((REF, ref_records), (OUR, our_records)):
        buf = io.BytesIO()
        writer = lib.writer.XMLWriter(buf)
        for record in records:
            writer.write(record)
        writer.close(close_fh=False)
        blobs.append(buf.getvalue())
    assert blobs[1] == blobs[0]
    ref = parse_outcome(REF, lambda: io.BytesIO(blobs[0]), strict=strict, normalize_form=normalize_form)
    our = parse_outcome(OUR, lambda: io.BytesIO(blobs[1]), strict=strict, normalize_form=normalize_form)
    assert our == ref
    assert ref[0] == "ok" and len(ref[1]) == len(ref_records)


@pytest.mark.parametrize("file_name", ["one.dat", "marc.dat", "regression45.dat", "utf8_with_leader_flag.dat"])
def test_round_trip_sdist(file_name):
    ref_records, our_records = read_pairs(sdist_file(file_name))
    for ref_record, our_record in zip(ref_records, our_records):
        for namespace in (False, True):
            ref_xml = REF.marcxml.record_to_xml(ref_record, namespace=namespace)
            our_xml = OUR.marcxml.record_to_xml(our_record, namespace=namespace)
            assert our_xml == ref_xml
            for strict in (False, True):
                assert parse_outcome(OUR, lambda: io.BytesIO(our_xml), strict=strict) == parse_outcome(
                    REF, lambda: io.BytesIO(ref_xml), strict=strict
                )


# ----------------------------------------------- map_xml, handlers, streaming


def test_map_xml_multiple_files(tmp_path):
    paths = []
    for name in ("plain_collection", "prefixed", "no_namespace"):
        path = tmp_path / f"{name}.xml"
        path.write_text(XML_DOCS[name], encoding="utf-8")
        paths.append(str(path))
    results = []
    for lib in LIBS:
        seen = []
        assert lib.marcxml.map_xml(lambda r, seen=seen: seen.append(dump_record(r)), *paths) is None
        results.append(seen)
    assert results[1] == results[0]
    assert len(results[0]) == 4


def test_map_xml_sdist_batch():
    path = str(sdist_file("batch.xml"))
    results = []
    for lib in LIBS:
        seen = []
        lib.marcxml.map_xml(lambda r, seen=seen: seen.append(dump_record(r)), path, path)
        results.append(seen)
    assert results[1] == results[0]
    assert len(results[0]) == 4


def test_map_xml_no_files():
    for lib in LIBS:
        assert lib.marcxml.map_xml(print) is None


def _event_log_handler(lib):
    """A subclass that logs SAX events and the handler's state around them."""
    base = lib.marcxml.XmlHandler

    class Logging(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.log = []

        def _state(self):
            return (
                self._record is not None,
                None if self._field is None else self._field.tag,
                self._subfield_code,
                list(self._text),
                len(self.records),
            )

        def startElementNS(self, name, qname, attrs):
            super().startElementNS(name, qname, attrs)
            self.log.append(("start", name, self._state()))

        def endElementNS(self, name, qname):
            super().endElementNS(name, qname)
            self.log.append(("end", name, self._state()))

        def process_record(self, record):
            self.log.append(("record", dump_record(record), self._state()))
            super().process_record(record)

    return Logging


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("doc_name", ["plain_collection", "foreign_elements", "nested_record", "outside_record"])
def test_handler_subclass_streaming(doc_name, strict):
    data = XML_DOCS[doc_name].encode("utf-8")
    logs = []
    for lib in LIBS:
        handler = _event_log_handler(lib)(strict=strict)
        lib.marcxml.parse_xml(io.BytesIO(data), handler)
        logs.append((handler.log, dump_records(handler.records), handler._record is None))
    assert logs[1] == logs[0]


def test_parse_xml_with_plain_content_handler():
    """parse_xml accepts any ContentHandler and enables namespace processing."""
    data = XML_DOCS["prefixed"].encode("utf-8")
    logs = []
    for lib in LIBS:

        class Recorder(lib.marcxml.ContentHandler):
            def __init__(self):
                super().__init__()
                self.names = []

            def startElementNS(self, name, qname, attrs):
                self.names.append((name, qname))

        handler = Recorder()
        assert lib.marcxml.parse_xml(io.BytesIO(data), handler) is None
        logs.append(handler.names)
    assert logs[1] == logs[0]


def test_handler_instance_process_record_override():
    data = XML_DOCS["plain_collection"].encode("utf-8")
    results = []
    for lib in LIBS:
        handler = lib.marcxml.XmlHandler()
        seen = []
        handler.process_record = lambda r, seen=seen: seen.append(dump_record(r))
        lib.marcxml.parse_xml(io.BytesIO(data), handler)
        results.append((seen, handler.records))
    assert results[1] == results[0]


def test_handler_reuse_across_documents():
    results = []
    for lib in LIBS:
        handler = lib.marcxml.XmlHandler(strict=True, normalize_form="NFC")
        for name in ("plain_collection", "no_namespace", "prefixed"):
            lib.marcxml.parse_xml(io.BytesIO(XML_DOCS[name].encode("utf-8")), handler)
        results.append(dump_records(handler.records))
    assert results[1] == results[0]


def test_handler_records_are_library_records():
    data = XML_DOCS["plain_collection"].encode("utf-8")
    for lib in LIBS:
        records = lib.marcxml.parse_xml_to_array(io.BytesIO(data))
        assert all(type(r) is lib.record.Record for r in records)
        assert all(isinstance(f, lib.field.Field) for r in records for f in r.fields)
        assert all(type(r.leader) is lib.leader.Leader for r in records)


def test_normalization_is_applied():
    data = XML_DOCS["unicode_forms"].encode("utf-8")
    for form in ("NFC", "NFD", "NFKC", "NFKD"):
        records = OUR.marcxml.parse_xml_to_array(io.BytesIO(data), normalize_form=form)
        value = records[0].fields[1].subfields[0].value
        assert value == unicodedata.normalize(form, value)
