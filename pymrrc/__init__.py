"""pymrrc: pymarc's API on a Rust core.

``import pymrrc as pymarc`` gives the same classes, functions, exceptions and
results as pymarc 5.4, reading and writing many times faster.
"""

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

# The version Cargo builds the extension with; the wheel metadata carries the
# same one (maturin reads it from Cargo.toml), and tests/test_packaging.py
# checks that all three agree.
from ._core import __version__ as __version__

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
