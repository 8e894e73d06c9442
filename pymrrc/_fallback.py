"""The exact Python decoder: ``Record.decode_marc`` step for step as pymarc 5.4
runs it.

The native decoder (``pymrrc._core``) handles valid UTF-8 records decoded to
``str`` with the 'strict', 'replace' and 'ignore' error handlers, and valid
MARC-8 records (the default ``file_encoding``) on which pymarc neither writes
to ``sys.stderr`` nor raises, for classes that override nothing decoding
calls. Everything else is decoded here: the other MARC-8 records, other
``file_encoding`` values, ``to_unicode=False`` (``RawField`` with bytes),
other codec error handlers, subfields whose code byte is not ASCII (which
pymarc warns about and normalises), records that fail part way (which must
hold what pymarc's hold at that point), and records of subclasses that
override ``add_field`` or any other method decoding calls.

So that overrides and replaced names behave as in pymarc, this decoder does
what pymarc's ``decode_marc`` does in the same order: it assigns
``record.leader``, reads ``record.leader`` and ``record.force_utf8`` where
pymarc reads them, adds fields one at a time with ``record.add_field``, and
takes ``Field``, ``Leader``, ``marc8_to_unicode``, ``logger``... from the
``pymrrc.record`` module's namespace (``names``), where pymarc's code finds
them in ``pymarc.record``'s.
"""

import typing

from pymrrc import _support
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

if typing.TYPE_CHECKING:
    from pymrrc.record import Record

_DELIMITER = SUBFIELD_INDICATOR.encode("ascii")


def _indicators_from(head: str, entry_data: bytes, logger: typing.Any) -> tuple[str, str]:
    """The two indicators from the text before the first delimiter, logging
    what pymarc logs when there are not exactly two."""
    if not head:
        _support.log_decoder_warning(logger, "missing indicators: %s", entry_data)
        return " ", " "
    if len(head) == 1:
        _support.log_decoder_warning(logger, "only 1 indicator found: %s", entry_data)
        return head[0], " "
    if len(head) > 2:
        _support.log_decoder_warning(logger, "more than 2 indicators found: %s", entry_data)
    return head[0], head[1]


def decode_marc(
    record: "Record",
    marc: bytes,
    names: dict[str, typing.Any],
    to_unicode: bool,
    force_utf8: bool,
    hide_utf8_warnings: bool,
    utf8_handling: str,
    encoding: str,
    warn_level: int,
) -> None:
    """Fill ``record`` from ``marc`` (transmission format), as pymarc does.

    ``names`` is the namespace pymarc's code would look names up in.
    ``warn_level`` is the ``stacklevel`` (1: this function) of the
    frame pymarc's ``BadSubfieldCodeWarning`` is attributed to (the caller of
    ``decode_marc``).
    """
    Leader = names["Leader"]
    Field = names["Field"]
    RawField = names["RawField"]
    Subfield = names["Subfield"]
    Indicators = names["Indicators"]
    marc8_to_unicode = names["marc8_to_unicode"]
    normalize_subfield_code = names["normalize_subfield_code"]
    logger = names["logger"]

    leader = marc[0:LEADER_LEN].decode("ascii")
    if len(leader) != LEADER_LEN:
        raise RecordLeaderInvalid
    if leader[9] == "a" or record.force_utf8:
        encoding = "utf-8"
    record.leader = Leader(leader)

    base_address = int(marc[12:17])
    if base_address <= 0:
        raise BaseAddressNotFound
    if base_address >= len(marc):
        raise BaseAddressInvalid
    if len(marc) < int(record.leader[:5]):
        raise TruncatedRecord

    directory = marc[LEADER_LEN : base_address - 1].decode("ascii")
    if len(directory) % DIRECTORY_ENTRY_LEN != 0:
        raise RecordDirectoryInvalid
    field_total = len(directory) // DIRECTORY_ENTRY_LEN

    field_count = 0
    while field_count < field_total:
        entry = directory[field_count * DIRECTORY_ENTRY_LEN : (field_count + 1) * DIRECTORY_ENTRY_LEN]
        tag = entry[0:3]
        length = int(entry[3:7])
        offset = int(entry[7:12])
        entry_data = marc[base_address + offset : base_address + offset + length - 1]
        if tag < "010" and tag.isdigit():
            if to_unicode:
                field = Field(tag=tag, data=entry_data.decode(encoding))
            else:
                field = RawField(tag=tag, data=entry_data)
        else:
            pieces = entry_data.split(_DELIMITER)
            first, second = _indicators_from(pieces[0].decode("ascii"), entry_data, logger)
            subfields: list[typing.Any] = []
            for piece in pieces[1:]:
                if not piece:
                    continue
                skip = 1
                try:
                    code = piece[0:1].decode("ascii")
                except UnicodeDecodeError:
                    _support.warn_as_pymarc(BadSubfieldCodeWarning(piece), warn_level)
                    code, skip = normalize_subfield_code(piece)
                value: typing.Any = piece[skip:]
                if to_unicode:
                    if record.leader[9] == "a" or force_utf8:
                        value = value.decode("utf-8", utf8_handling)
                    elif encoding == "iso8859-1":
                        value = marc8_to_unicode(value, hide_utf8_warnings)
                    else:
                        value = value.decode(encoding)
                subfields.append(Subfield(code=code, value=value))
            kind = Field if to_unicode else RawField
            field = kind(tag=tag, indicators=Indicators(first, second), subfields=subfields)
        record.add_field(field)
        field_count += 1
    if field_count == 0:
        raise NoFieldsFound
