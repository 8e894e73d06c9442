"""pymarc vs pymrrc when a program hooks into decoding: subclasses that
override what pymarc's decoding calls, and names replaced where pymarc's
code looks them up.

* ``Record`` subclasses overriding ``add_field``, ``decode_marc``,
  ``__setattr__``, ``__getattribute__``, ``leader``, ``fields`` or
  ``force_utf8``, decoded with ``MyRecord(data=chunk, ...)`` and with
  ``MyRecord().decode_marc(chunk, ...)``: every call the override sees (in
  order, with its arguments), the resulting record, and the log lines and
  warnings, for pymarc's own test records under several reader options.
* The same for names replaced in ``record``'s module (``Field``, ``Leader``,
  ``marc8_to_unicode``, ``logger``, ...) and methods replaced on the
  classes themselves (``Record.add_field``, ``Field.__init__``, ...).
* Every public view (``title``, ``as_marc()``, ``as_dict()``, MARCXML,
  the writers, ...) of records of subclasses overriding what that view calls,
  each on a freshly decoded record, and the same for ``Field`` subclasses.
* MARCXML reading (``parse_xml_to_array``, ``map_xml``) with
  ``XmlHandler`` subclasses and with ``XmlHandler``, ``Record``, ``Field``
  or their methods replaced, and ``JSONReader`` with ``Record`` replaced.
"""

from __future__ import annotations

import importlib
import io

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py

FILES = (
    "test.dat",  # MARC-8
    "utf8_with_leader_flag.dat",
    "utf8_without_leader_flag.dat",
    "bad_indicator.dat",
    "bad_subfield_code.dat",
    "utf8_errors.dat",
    "marc8.dat",
    "bad_records.mrc",
)
OPTIONS = (
    {},
    {"to_unicode": False},
    {"force_utf8": True},
    {"utf8_handling": "replace"},
    {"hide_utf8_warnings": True},
)


def _crafted():
    """Records with what pymarc logs or warns about, and one that fails part
    way (invalid UTF-8 in its third field)."""
    sf = diff.SF
    fields = [
        (b"001", b"crafted"),
        (b"245", b"10" + sf + b"aTitle :" + sf + b"bsub"),
        (b"500", sf + b"aNo indicators"),
        (b"501", b"1" + sf + b"aOne indicator"),
        (b"502", b"123" + sf + b"aThree"),
        (b"650", b" 0" + sf + b"\xc3\xa9code" + sf + b"a\xe2\x80\x94x"),
    ]
    failing = fields[:2] + [(b"500", b"  " + sf + b"aN\xffote"), (b"650", b" 0" + sf + b"ax")]
    return [
        diff.encode_record(b"00000nam a2200000   4500", fields),
        diff.encode_record(b"00000nam  2200000   4500", fields),
        diff.encode_record(b"00000nam a2200000   4500", failing),
    ]


@pytest.fixture(scope="module")
def chunks(pymarc_test_dir):
    out = _crafted()
    for name in FILES:
        out.extend(diff.split_records((pymarc_test_dir / name).read_bytes())[:6])
    assert len(out) > 15
    return out


def _summary(value):
    """A comparable stand-in for an argument an override received."""
    if isinstance(value, (str, bytes, int, bool, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [type(value).__name__] + [_summary(v) for v in value]
    return type(value).__name__


def _decode_both_ways(cls, chunk, options):
    """Decode ``chunk`` into a ``cls`` with ``cls(data=...)`` and with
    ``cls().decode_marc(...)``; what each gives."""
    out = []
    with diff.capture_side_effects() as effects:
        made = diff.observe(lambda: diff.observe_record(cls(data=chunk, **options)))
    out.append((made, effects))
    decode_options = dict(options)
    if "file_encoding" in decode_options:
        decode_options["encoding"] = decode_options.pop("file_encoding")
    with diff.capture_side_effects() as effects:
        record = cls()
        outcome = diff.observe(lambda: record.decode_marc(chunk, **decode_options))
        state = diff.observe_record(record)
    out.append((outcome, state, effects))
    return out


# -- Record subclasses overriding what decoding calls ------------------------------


def _record_subclass(lib, hook, log):
    base = lib.Record
    if hook == "add_field":

        def add_field(self, *fields):
            log.append(("add_field", [_summary(f.tag) for f in fields], [type(f).__name__ for f in fields]))
            base.add_field(self, *fields)

        body = {"add_field": add_field}
    elif hook == "decode_marc":

        def decode_marc(self, marc, **kwargs):
            log.append(("decode_marc", _summary(marc), sorted(kwargs.items())))
            return base.decode_marc(self, marc, **kwargs)

        body = {"decode_marc": decode_marc}
    elif hook == "__setattr__":

        def setattr_(self, name, value):
            log.append(("set", name, _summary(str(value) if name == "leader" else value)))
            base.__setattr__(self, name, value)

        body = {"__setattr__": setattr_}
    elif hook == "__getattribute__":
        public = {"leader", "fields", "pos", "force_utf8", "to_unicode", "add_field", "decode_marc"}

        def getattribute(self, name):
            if name in public:
                log.append(("get", name))
            return base.__getattribute__(self, name)

        body = {"__getattribute__": getattribute}
    elif hook in ("leader", "fields", "force_utf8"):
        # The storage descriptor (a slot in pymarc, the native base's
        # attribute in pymrrc), wrapped in a logging property.
        descriptor = next(k.__dict__[hook] for k in base.__mro__ if hook in k.__dict__)

        def getter(self, hook=hook, descriptor=descriptor):
            log.append(("get", hook))
            return descriptor.__get__(self)

        def setter(self, value, hook=hook, descriptor=descriptor):
            log.append(("set", hook, _summary(str(value) if hook == "leader" else value)))
            descriptor.__set__(self, value)

        body = {hook: property(getter, setter)}
    else:
        raise AssertionError(hook)
    body["__slots__"] = ()
    return type("MyRecord", (base,), body)


RECORD_HOOKS = ("add_field", "decode_marc", "__setattr__", "__getattribute__", "leader", "fields", "force_utf8")


@pytest.mark.parametrize("hook", RECORD_HOOKS)
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "defaults")
def test_record_subclass_decoding(reference, target, chunks, hook, options):
    for index, chunk in enumerate(chunks):
        results = []
        for lib in (reference, target):
            log = []
            cls = _record_subclass(lib, hook, log)
            results.append((_decode_both_ways(cls, chunk, options), log))
        assert results[1] == results[0], diff.first_difference(results[0], results[1], f"chunk {index}")


# -- names replaced in the record module, methods replaced on the classes --------


def _replace(lib, what, log):
    """Replace ``what`` with a logging wrapper; returns the undo function."""
    if "." in what:
        owner_name, attr = what.split(".")
        owner = getattr(lib, owner_name)
    else:
        owner, attr = importlib.import_module(lib.__name__ + ".record"), what
    original = getattr(owner, attr)
    if attr == "logger":

        class Wrapped:
            def warning(self, msg, *args):
                log.append(("log", msg, [_summary(a) for a in args]))
                original.warning(msg, *args)

        replacement = Wrapped()
    elif isinstance(original, type):
        replacement = type(original.__name__, (original,), {})
        wrapped_new = original.__new__

        if issubclass(original, tuple):

            def new(cls, *args, **kwargs):
                log.append((what, [_summary(a) for a in args], sorted(kwargs)))
                return wrapped_new(cls, *args, **kwargs)

            replacement.__new__ = new
        else:
            wrapped_init = original.__init__

            def init(self, *args, **kwargs):
                log.append((what, [_summary(a) for a in args], sorted(kwargs)))
                wrapped_init(self, *args, **kwargs)

            replacement.__init__ = init
    else:

        def replacement(*args, **kwargs):
            log.append((what, [_summary(a) for a in args[1:] if not isinstance(a, lib.Record)], sorted(kwargs)))
            return original(*args, **kwargs)

    setattr(owner, attr, replacement)
    return lambda: setattr(owner, attr, original)


REPLACED = (
    "Field",
    "RawField",
    "Subfield",
    "Indicators",
    "Leader",
    "marc8_to_unicode",
    "normalize_subfield_code",
    "logger",
    "Record.add_field",
    "Record.decode_marc",
    "Field.__init__",
    "Leader.__init__",
)


@pytest.mark.parametrize("what", REPLACED)
@pytest.mark.parametrize("options", OPTIONS[:3], ids=lambda o: ",".join(o) or "defaults")
def test_replaced_names_are_called(reference, target, chunks, what, options):
    for index, chunk in enumerate(chunks):
        results = []
        for lib in (reference, target):
            log = []
            undo = _replace(lib, what, log)
            try:
                results.append((_decode_both_ways(lib.Record, chunk, options), log))
            finally:
                undo()
        assert results[1] == results[0], diff.first_difference(results[0], results[1], f"chunk {index}")


# -- views of records and fields of subclasses -------------------------------------


def _record_overrides(lib):
    base = lib.Record
    return {
        "get": lambda self, tag, default=None: base.get(self, "100" if tag == "245" else tag, default),
        "get_fields": lambda self, *tags: base.get_fields(self, *tags)[:1],
        "__getitem__": lambda self, tag: base.__getitem__(self, "100"),
        "__contains__": lambda self, tag: True,
        "__iter__": lambda self: iter(self.fields[:2]),
        "__str__": lambda self: "S",
        "as_dict": lambda self: {"leader": "x", "fields": []},
        "as_marc": lambda self: b"M",
        "as_json": lambda self, **kw: "J",
        "title": property(lambda self: "T"),
        "to_unicode": property(lambda self: False, lambda self, value: None),
        "fields": property(
            lambda self: lib.record.Record.fields.__get__(self)[:3],
            lambda self, value: lib.record.Record.fields.__set__(self, value),
        ),
    }


def _views(lib, make):
    """Every public view of a record, each on a record freshly made by ``make``."""

    def written(writer_cls, handle):
        writer_cls(handle).write(make())
        return handle.getvalue()

    views = {
        "as_marc": lambda: make().as_marc(),
        "str": lambda: str(make()),
        "title": lambda: make().title,
        "issn_title": lambda: make().issn_title,
        "author": lambda: make().author,
        "isbn": lambda: make().isbn,
        "pubyear": lambda: make().pubyear,
        "subjects": lambda: [str(f) for f in make().subjects],
        "iter": lambda: [str(f) for f in make()],
        "xml": lambda: lib.record_to_xml(make()),
        "json": lambda: make().as_json(),
        "dict": lambda: make().as_dict(),
        "MARCWriter": lambda: written(lib.MARCWriter, io.BytesIO()),
        "XMLWriter": lambda: written(lib.XMLWriter, io.BytesIO()),
        "JSONWriter": lambda: written(lib.JSONWriter, io.StringIO()),
        "TextWriter": lambda: written(lib.TextWriter, io.StringIO()),
    }
    return {name: diff.observe(view) for name, view in views.items()}


@pytest.mark.parametrize("override", list(_record_overrides(__import__("pymarc"))))
def test_views_of_record_subclasses(reference, target, chunks, override):
    for index, chunk in enumerate(chunks[:12]):
        results = []
        for lib in (reference, target):
            cls = type("MyRecord", (lib.Record,), {override: _record_overrides(lib)[override], "__slots__": ()})
            with diff.capture_side_effects():
                results.append(_views(lib, lambda cls=cls: cls(data=chunk)))
        assert results[1] == results[0], diff.first_difference(results[0], results[1], f"chunk {index}")


FIELD_OVERRIDES = {
    "as_marc": lambda self, encoding: b"X" + type(self).__mro__[1].as_marc(self, encoding),
    "__str__": lambda self: "STR",
    "value": lambda self: "VAL",
    "format_field": lambda self: "FMT",
    "__iter__": lambda self: iter(list(type(self).__mro__[1].__iter__(self))[:1]),
    "get": lambda self, code, default=None: "GET",
    "__getitem__": lambda self, code: "GI",
    "__contains__": lambda self, code: False,
    "get_subfields": lambda self, *codes: ["GS"],
    "subfields_as_dict": lambda self: {"x": ["y"]},
    "is_subject_field": lambda self: True,
}


@pytest.mark.parametrize("override", FIELD_OVERRIDES)
def test_views_of_field_subclasses(reference, target, chunks, override):
    for index, chunk in enumerate(chunks[:12]):
        results = []
        for lib in (reference, target):
            field_cls = type("MyField", (lib.Field,), {override: FIELD_OVERRIDES[override]})

            def make(lib=lib, field_cls=field_cls):
                record = lib.Record(data=chunk)
                record.fields = [
                    field_cls(f.tag, data=f.data)
                    if f.control_field
                    else field_cls(f.tag, indicators=f.indicators, subfields=list(f.subfields))
                    for f in record.fields
                ]
                return record

            with diff.capture_side_effects():
                try:
                    make()
                except Exception as exc:  # noqa: BLE001 - a bad record: compare how it fails
                    results.append(("raised", type(exc).__name__))
                    continue
                views = _views(lib, make)
                views["fields"] = diff.observe(lambda: [
                    (f.value(), f.format_field(), str(f), f.get("a"), "a" in f, f.get_subfields("a", "b"), f.is_subject_field())
                    for f in make().fields if not f.control_field
                ])
                results.append(views)
        assert results[1] == results[0], diff.first_difference(results[0], results[1], f"chunk {index}")


# -- MARCXML and JSON reading -------------------------------------------------------


XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<collection xmlns="http://www.loc.gov/MARC21/slim">
<record><leader>00000nam a2200000   4500</leader><controlfield tag="001">x1</controlfield>
<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Title</subfield><subfield code="b">sub</subfield></datafield>
</record>
<record><leader>00000nam a2200000   4500</leader><controlfield tag="001">x2</controlfield>
<datafield tag="650" ind2="0"><subfield code="a">Topic</subfield></datafield></record>
</collection>"""

XML_REPLACED = (
    "marcxml.Record",
    "marcxml.Field",
    "marcxml.Leader",
    "marcxml.Indicators",
    "marcxml.XmlHandler",
    "marcxml.parse_xml",
    "Record.add_field",
    "Record.__init__",
    "Field.add_subfield",
    "Field.__init__",
    "XmlHandler.process_record",
    "XmlHandler.startElementNS",
    "XmlHandler.endElementNS",
    "XmlHandler.characters",
)


def _replace_xml(lib, what, log):
    owner_name, attr = what.split(".")
    owner = lib.marcxml if owner_name in ("marcxml", "XmlHandler") else getattr(lib, owner_name)
    if owner_name == "XmlHandler":
        owner = lib.marcxml.XmlHandler
    original = getattr(owner, attr)
    if isinstance(original, type):
        body = {}
        if issubclass(original, tuple):
            body["__new__"] = lambda cls, *a, **k: (log.append((what, a)), original.__new__(cls, *a, **k))[1]
        else:

            def init(self, *args, **kwargs):
                log.append((what, [_summary(a) for a in args]))
                original.__init__(self, *args, **kwargs)

            body["__init__"] = init
        replacement = type(original.__name__, (original,), body)
    else:

        def replacement(*args, **kwargs):
            log.append((what, [_summary(a) for a in args[1:] if not isinstance(a, (lib.Record, lib.Field))]))
            return original(*args, **kwargs)

    setattr(owner, attr, replacement)
    return lambda: setattr(owner, attr, original)


@pytest.mark.parametrize("what", XML_REPLACED)
@pytest.mark.parametrize("entry", ["parse_xml_to_array", "map_xml"])
def test_xml_reading_calls_replaced_names(reference, target, what, entry):
    results = []
    for lib in (reference, target):
        log = []
        undo = _replace_xml(lib, what, log)
        try:
            if entry == "parse_xml_to_array":
                records = lib.marcxml.parse_xml_to_array(io.BytesIO(XML))
            else:
                records = []
                lib.marcxml.map_xml(records.append, io.BytesIO(XML))
            observed = [(type(r).__name__, [type(f).__name__ for f in r.fields], diff.observe_record(r)) for r in records]
        finally:
            undo()
        results.append((observed, log))
    assert results[1] == results[0], diff.first_difference(results[0], results[1], what)


def test_xml_handler_subclass(reference, target):
    results = []
    for lib in (reference, target):
        log = []

        class Handler(lib.marcxml.XmlHandler):
            def startElementNS(self, name, qname, attrs):
                log.append(("start", name[1]))
                super().startElementNS(name, qname, attrs)

            def process_record(self, record):
                log.append(("record", str(record)))
                super().process_record(record)

        handler = Handler()
        lib.marcxml.parse_xml(io.BytesIO(XML), handler)
        results.append((log, [str(r) for r in handler.records]))
    assert results[1] == results[0]


def test_json_reader_with_record_replaced(reference, target):
    text = reference.parse_xml_to_array(io.BytesIO(XML))[0].as_json()
    results = []
    for lib in (reference, target):
        log = []
        undo = _replace(lib, "Record.add_field", log)
        try:
            records = list(lib.JSONReader(text))
        finally:
            undo()
        results.append((log, [str(r) for r in records]))
    assert results[1] == results[0]


# -- MARCReader building records through a replaced Record --------------------------


def _read_all(lib, source, options):
    """What a program sees iterating a ``MARCReader`` over ``source``."""
    reader = lib.MARCReader(source, **options)
    seen = []
    for record in reader:
        exc = reader.current_exception
        seen.append(
            (
                None if record is None else (type(record).__name__, diff.observe_record(record)),
                None if exc is None else (type(exc).__name__, str(exc)),
            )
        )
    return seen


def _sources(lib, data, path):
    yield "bytes", data
    yield "BytesIO", io.BytesIO(data)
    yield "file", open(path, "rb")  # noqa: SIM115 - closed by the reader's caller below
    if lib.__name__ != "pymarc":  # pymarc takes no path; the records are the same
        yield "path", str(path)


@pytest.mark.parametrize("replacement", ("subclass add_field", "subclass decode_marc", "Record.add_field", "Field", "missing"))
@pytest.mark.parametrize("options", OPTIONS[:3], ids=lambda o: ",".join(o) or "defaults")
def test_marc_reader_builds_through_the_reader_modules_record(reference, target, chunks, tmp_path, replacement, options):
    """pymarc's reader calls the ``Record`` its module names, at each record:
    a program that replaces ``pymarc.reader.Record`` (or a decoding hook)
    gets its records from there, and a missing name is the record's error."""
    data = b"".join(chunks)
    path = tmp_path / "records.mrc"
    path.write_bytes(data)
    results = {}
    for lib in (reference, target):
        reader_module = importlib.import_module(lib.__name__ + ".reader")
        for name, source in _sources(lib, data, path):
            log = []
            original = reader_module.Record
            undo = None
            if replacement.startswith("subclass"):
                reader_module.Record = _record_subclass(lib, replacement.split()[1], log)
            elif replacement == "missing":
                del reader_module.Record
            else:
                undo = _replace(lib, replacement, log)
            try:
                with diff.capture_side_effects() as effects:
                    seen = _read_all(lib, source, options)
            finally:
                reader_module.Record = original
                if undo is not None:
                    undo()
                if hasattr(source, "close"):
                    source.close()
            results.setdefault(name, []).append((seen, log, effects))
    results["path"].insert(0, results["file"][0])  # pymarc reads the path as an open file
    for name, (expected, got) in results.items():
        assert got == expected, diff.first_difference(expected, got, name)
