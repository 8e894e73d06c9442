"""Editable view over the 24-character MARC record leader."""

import typing as _typing

from pymrrc.constants import LEADER_LEN
from pymrrc.exceptions import BadLeaderValue, RecordLeaderInvalid

if _typing.TYPE_CHECKING:
    from typing_extensions import Self


# A ``property`` that type checkers see as a ``str`` attribute (as pymarc's
# hand-written leader properties are). No class docstring: a property
# subclass with one shows it in place of each property's own ``doc``.
class _PositionProperty(property):

    if _typing.TYPE_CHECKING:

        @_typing.overload
        def __get__(self, instance: None, owner: type | None = None, /) -> Self: ...
        @_typing.overload
        def __get__(self, instance: object, owner: type | None = None, /) -> str: ...
        def __get__(self, instance: object, owner: type | None = None, /) -> _typing.Any: ...
        def __set__(self, instance: object, value: str, /) -> None: ...


def _position_property(start: int, width: int, label: str, doc: str) -> _PositionProperty:
    """Build a read/write property covering leader positions ``start`` onward.

    One-character positions read back a single character; wider spans read
    back a ``width``-character slice.  Writes must supply exactly ``width``
    characters, otherwise :class:`BadLeaderValue` is raised.
    """
    if width == 1:
        # The size wording below (and "4 chars" for five-character spans)
        # is kept as-is because callers may match on the message text.
        problem = f"{label} is 1 char field, got "

        def fget(self: "Leader") -> str:
            return self.leader[start]

    else:
        problem = f"{label} is 4 chars field, got "
        stop = start + width

        def fget(self: "Leader") -> str:
            return self.leader[start:stop]

    def fset(self: "Leader", value: str) -> None:
        if len(value) != width:
            raise BadLeaderValue(f"{problem}{value}")
        self._replace_values(position=start, value=value)

    prop = _PositionProperty(fget, fset, doc=doc)
    # Python 3.10 and 3.11 drop ``doc`` for instances of a property subclass.
    prop.__doc__ = doc
    return prop


class Leader:
    """The record leader, readable and writable by position or by name.

    Build one from a string of exactly 24 characters (anything else raises
    :class:`~pymrrc.exceptions.RecordLeaderInvalid`).  The raw text lives in
    the ``leader`` attribute and is what ``str()`` returns.

    Positions can be read with an index or slice (``ldr[5]``, ``ldr[0:5]``)
    or through a named property (``ldr.record_status``); they can be written
    the same way::

        ldr = Leader("00475cas a2200169 i 4500")
        ldr.type_of_record          # 'a'
        ldr[5] = "n"                # record status becomes 'n'
        ldr.bibliographic_level = "m"
        ldr[12:17] = "00200"        # only the slice start matters on writes

    A write replaces as many characters as the new value holds, starting at
    the given position; it may not run past position 23.  Note that the
    record length (00-04) and base address (12-16) are recomputed only when
    a record is serialised to MARC 21, not when the leader is edited.
    """

    def __init__(self, leader: str) -> None:
        if len(leader) != LEADER_LEN:
            raise RecordLeaderInvalid
        self.leader: str = leader

    def __getitem__(self, item: str | int | slice) -> str:
        # Numbers and slices index the text; any other key names an attribute.
        if isinstance(item, (slice, int)):
            return self.leader[item]
        named: str = getattr(self, item)
        return named

    def __setitem__(self, item: str | int | slice, value: str) -> None:
        # For a slice only its start is used: the new value's own length
        # decides how many characters get replaced.
        if isinstance(item, slice):
            self._replace_values(position=item.start, value=value)
        elif isinstance(item, int):
            self._replace_values(position=item, value=value)
        else:
            setattr(self, item, value)

    def __str__(self) -> str:
        return self.leader

    def _replace_values(self, position: int, value: str) -> None:
        """Overwrite the text at ``position`` with ``value``, in place."""
        if position < 0:
            raise IndexError("Position must be positive")
        end = position + len(value)
        if end > LEADER_LEN:
            raise BadLeaderValue(f"{value} is too long to be inserted at {position}")
        text = self.leader
        self.leader = text[:position] + value + text[end:]

    record_length: _PositionProperty = _position_property(
        0, 5, "Record length", "Positions 00-04: length of the whole record."
    )
    record_status: _PositionProperty = _position_property(
        5, 1, "Record status", "Position 05: status of the record (new, corrected...)."
    )
    type_of_record: _PositionProperty = _position_property(
        6, 1, "Type of record", "Position 06: kind of material described."
    )
    bibliographic_level: _PositionProperty = _position_property(
        7, 1, "Bibliographic level", "Position 07: bibliographic level."
    )
    type_of_control: _PositionProperty = _position_property(
        8, 1, "Type of control", "Position 08: type of control."
    )
    coding_scheme: _PositionProperty = _position_property(
        9,
        1,
        "Character coding scheme",
        "Position 09: character coding scheme (' ' for MARC-8, 'a' for UCS/Unicode).",
    )
    indicator_count: _PositionProperty = _position_property(
        10, 1, "Indicator count", "Position 10: number of indicators per field."
    )
    subfield_code_count: _PositionProperty = _position_property(
        11, 1, "Subfield code count", "Position 11: size of a subfield delimiter plus code."
    )
    base_address: _PositionProperty = _position_property(
        12,
        5,
        "Base address of data",
        "Positions 12-16: offset at which the variable fields begin.",
    )
    encoding_level: _PositionProperty = _position_property(
        17, 1, "Encoding level", "Position 17: encoding level."
    )
    cataloging_form: _PositionProperty = _position_property(
        18,
        1,
        "Descriptive cataloging form",
        "Position 18: descriptive cataloging form.",
    )
    # The spelling "ressource" is part of the public API.
    multipart_ressource: _PositionProperty = _position_property(
        19,
        1,
        "Multipart resource record level",
        "Position 19: multipart resource record level.",
    )
    length_of_field_length: _PositionProperty = _position_property(
        20,
        1,
        "Length of the length-of-field portion",
        "Position 20: digits used for a field length in the directory.",
    )
    starting_character_position_length: _PositionProperty = _position_property(
        21,
        1,
        "Length of the starting-character-position portion",
        "Position 21: digits used for a field offset in the directory.",
    )
    implementation_defined_length: _PositionProperty = _position_property(
        22,
        1,
        "Length of the implementation-defined portion",
        "Position 22: size of the implementation-defined part of a directory entry.",
    )


del _position_property
