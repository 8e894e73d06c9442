"""The exact Python decoder for the records the native decoder leaves alone.

The native decoder (``pymrrc._core``) handles UTF-8 records decoded to
``str`` with the 'strict', 'replace' and 'ignore' error handlers, and MARC-8
records (the default ``file_encoding``) on which pymarc neither writes to
``sys.stderr`` nor raises. This module decodes everything else exactly as
pymarc 5.4 does: the other MARC-8 records (unmappable codes while warnings
are shown, truncated EACC, broken escapes, invalid records), other
``file_encoding`` values, ``to_unicode=False`` (``RawField`` with bytes),
other codec error handlers, and subfields whose code byte is not ASCII
(which pymarc warns about and normalises). A later release moves these
paths into Rust too.
"""

import logging
import typing
import warnings

from pymrrc.constants import DIRECTORY_ENTRY_LEN, LEADER_LEN, SUBFIELD_INDICATOR
from pymrrc.exceptions import (
    BadSubfieldCodeWarning,
    BaseAddressInvalid,
    BaseAddressNotFound,
    NoFieldsFound,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    TruncatedRecord,
)
from pymrrc.field import Field, Indicators, RawField, Subfield
from pymrrc.leader import Leader
from pymrrc.marc8 import marc8_to_unicode

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

logger = logging.getLogger("pymarc")

_DELIMITER = SUBFIELD_INDICATOR.encode("ascii")


def _indicators_from(head: str, entry_data: bytes) -> tuple[str, str]:
    """The two indicators from the text before the first delimiter, logging
    what pymarc logs when there are not exactly two."""
    if not head:
        logger.warning("missing indicators: %s", entry_data)
        return " ", " "
    if len(head) == 1:
        logger.warning("only 1 indicator found: %s", entry_data)
        return head[0], " "
    if len(head) > 2:
        logger.warning("more than 2 indicators found: %s", entry_data)
    return head[0], head[1]


def decode_marc(
    record: "Record",
    marc: bytes,
    to_unicode: bool,
    force_utf8: bool,
    hide_utf8_warnings: bool,
    utf8_handling: str,
    encoding: str,
) -> None:
    """Fill ``record`` from ``marc`` (transmission format), as pymarc does."""
    from pymrrc.record import normalize_subfield_code

    leader_text = marc[0:LEADER_LEN].decode("ascii")
    if len(leader_text) != LEADER_LEN:
        raise RecordLeaderInvalid
    if leader_text[9] == "a" or record.force_utf8:
        encoding = "utf-8"
    record.leader = Leader(leader_text)
    leader = record.leader

    base_address = int(marc[12:17])
    if base_address <= 0:
        raise BaseAddressNotFound
    if base_address >= len(marc):
        raise BaseAddressInvalid
    if len(marc) < int(leader[:5]):
        raise TruncatedRecord

    directory = marc[LEADER_LEN : base_address - 1].decode("ascii")
    if len(directory) % DIRECTORY_ENTRY_LEN != 0:
        raise RecordDirectoryInvalid
    utf8_values = leader[9] == "a" or force_utf8

    def text_of(raw: bytes) -> str:
        if utf8_values:
            return raw.decode("utf-8", utf8_handling)
        if encoding == "iso8859-1":
            return marc8_to_unicode(raw, hide_utf8_warnings)
        return raw.decode(encoding)

    count = 0
    for start in range(0, len(directory) - len(directory) % DIRECTORY_ENTRY_LEN, DIRECTORY_ENTRY_LEN):
        entry = directory[start : start + DIRECTORY_ENTRY_LEN]
        tag = entry[0:3]
        length = int(entry[3:7])
        offset = int(entry[7:12])
        entry_data = marc[base_address + offset : base_address + offset + length - 1]
        if tag < "010" and tag.isdigit():
            if to_unicode:
                field = Field(tag=tag, data=entry_data.decode(encoding))
            else:
                field = RawField(tag=tag, data=entry_data)  # type: ignore[arg-type]  # bytes in a RawField
        else:
            pieces = entry_data.split(_DELIMITER)
            first, second = _indicators_from(pieces[0].decode("ascii"), entry_data)
            subfields: list[Subfield] = []
            for piece in pieces[1:]:
                if not piece:
                    continue
                skip = 1
                try:
                    code = piece[0:1].decode("ascii")
                except UnicodeDecodeError:
                    warnings.warn(BadSubfieldCodeWarning(piece), stacklevel=2)
                    code, skip = normalize_subfield_code(piece)
                # bytes for a RawField, where Subfield's type says str
                value: typing.Any = piece[skip:]
                if to_unicode:
                    value = text_of(value)
                subfields.append(Subfield(code=code, value=value))
            kind = Field if to_unicode else RawField
            field = kind(tag=tag, indicators=Indicators(first, second), subfields=subfields)
        record.add_field(field)
        count += 1
    if count == 0:
        raise NoFieldsFound
