"""pymrrc: pymarc's API on a Rust core.

``import pymrrc as pymarc`` gives the same classes, functions, exceptions and
results as pymarc 5.4, reading and writing many times faster.

Only the constants and exceptions are imported with the package; every
other name (and submodule) is imported the first time it is used (PEP 562),
so that a program that needs little (the ``pymrrc`` command) starts fast.
``import pymrrc as pymarc`` sees the same names either way.
"""

import importlib as _importlib
import typing as _typing

from .constants import (
    DIRECTORY_ENTRY_LEN,
    END_OF_FIELD,
    END_OF_RECORD,
    LEADER_LEN,
    SUBFIELD_INDICATOR,
)
from .exceptions import (
    BadLeaderValue,
    BadSubfieldCodeWarning,
    BaseAddressInvalid,
    BaseAddressNotFound,
    EndOfRecordNotFound,
    FatalReaderError,
    FieldNotFound,
    MissingLinkedFields,
    NoActiveFile,
    NoFieldsFound,
    PymarcException,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    RecordLengthInvalid,
    TruncatedRecord,
    WriteNeedsRecord,
)

# The version Cargo builds the extension with; the wheel metadata carries the
# same one (maturin reads it from Cargo.toml), and tests/test_packaging.py
# checks that all three agree.
from ._core import __version__ as __version__

if _typing.TYPE_CHECKING:
    from .field import Field, Indicators, RawField, Subfield, map_marc8_field
    from .leader import Leader
    from .marc8 import MARC8ToUnicode, marc8_to_unicode
    from .marcjson import JSONHandler, parse_json_to_array
    from .marcxml import (
        MARC_XML_NS,
        MARC_XML_SCHEMA,
        XSI_NS,
        XmlHandler,
        map_xml,
        parse_xml,
        parse_xml_to_array,
        record_to_xml,
        record_to_xml_node,
    )
    from .reader import JSONReader, MARCMakerReader, MARCReader, Reader, map_records
    from .record import Record, isbn_regex, map_marc8_record, normalize_subfield_code
    from .writer import JSONWriter, MARCWriter, TextWriter, Writer, XMLWriter

    # pymrrc extensions (not in __all__, which lists pymarc's names).
    from .columnar import from_arrow as from_arrow
    from .columnar import to_arrow as to_arrow
    from .columnar import to_parquet as to_parquet
    from .partition import Partition as Partition
    from .partition import partitions as partitions

#: Each name imported on first use, and the submodule it comes from.
_LAZY_NAMES = {
    "Field": "field", "Indicators": "field", "RawField": "field", "Subfield": "field",
    "map_marc8_field": "field",
    "Leader": "leader",
    "MARC8ToUnicode": "marc8", "marc8_to_unicode": "marc8",
    "JSONHandler": "marcjson", "parse_json_to_array": "marcjson",
    "MARC_XML_NS": "marcxml", "MARC_XML_SCHEMA": "marcxml", "XSI_NS": "marcxml",
    "XmlHandler": "marcxml", "map_xml": "marcxml", "parse_xml": "marcxml",
    "parse_xml_to_array": "marcxml", "record_to_xml": "marcxml", "record_to_xml_node": "marcxml",
    "JSONReader": "reader", "MARCMakerReader": "reader", "MARCReader": "reader", "Reader": "reader",
    "map_records": "reader",
    "Record": "record", "isbn_regex": "record", "map_marc8_record": "record",
    "normalize_subfield_code": "record",
    "JSONWriter": "writer", "MARCWriter": "writer", "TextWriter": "writer", "Writer": "writer",
    "XMLWriter": "writer",
    "from_arrow": "columnar", "to_arrow": "columnar", "to_parquet": "columnar",
    "Partition": "partition", "partitions": "partition",
}

#: The submodules an eager ``__init__`` would have imported (pymarc's own and
#: the extensions'): ``pymrrc.record`` works without importing it first.
_LAZY_MODULES = frozenset(
    ("field", "leader", "marc8", "marc8_mapping", "marcjson", "marcxml", "reader", "record", "writer",
     "columnar", "partition")
)

if not _typing.TYPE_CHECKING:

    def __getattr__(name):
        module = _LAZY_NAMES.get(name)
        if module is not None:
            value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
            globals()[name] = value
            return value
        if name in _LAZY_MODULES:
            return _importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(globals()) | set(_LAZY_NAMES))

__all__ = [
    "Record",
    "map_marc8_record",
    "normalize_subfield_code",
    "Field",
    "Subfield",
    "Indicators",
    "RawField",
    "map_marc8_field",
    "PymarcException",
    "FatalReaderError",
    "RecordLengthInvalid",
    "TruncatedRecord",
    "EndOfRecordNotFound",
    "RecordLeaderInvalid",
    "RecordDirectoryInvalid",
    "NoFieldsFound",
    "BaseAddressInvalid",
    "BaseAddressNotFound",
    "WriteNeedsRecord",
    "NoActiveFile",
    "BadLeaderValue",
    "BadSubfieldCodeWarning",
    "FieldNotFound",
    "MissingLinkedFields",
    "JSONHandler",
    "parse_json_to_array",
    "XmlHandler",
    "parse_xml",
    "map_xml",
    "parse_xml_to_array",
    "record_to_xml",
    "record_to_xml_node",
    "Reader",
    "MARCReader",
    "MARCMakerReader",
    "map_records",
    "JSONReader",
    "Writer",
    "JSONWriter",
    "MARCWriter",
    "TextWriter",
    "XMLWriter",
    "MARC8ToUnicode",
    "marc8_to_unicode",
    "Leader",
    "LEADER_LEN",
    "DIRECTORY_ENTRY_LEN",
    "SUBFIELD_INDICATOR",
    "END_OF_FIELD",
    "END_OF_RECORD",
]
