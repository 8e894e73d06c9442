"""``Record``: a MARC record, with pymarc's API.

A record read by ``MARCReader`` holds only its validated bytes until it is
looked into; ``fields`` and ``leader`` are then built natively once and
behave as ordinary Python objects from there on. That storage, ``title``,
``as_marc``, ``as_dict`` and ``as_json`` are native
(``pymrrc._core.RecordBase``); everything else below is Python over
``self.fields``.
"""

import json  # noqa: F401 - pymarc's namespace
import logging
import re
import unicodedata

from pymrrc import _fallback, _record_reference
from pymrrc._core import RecordBase as _RecordBase
import typing  # noqa: F401 - pymarc's namespace
import warnings  # noqa: F401
from re import Pattern  # noqa: F401

from pymrrc.constants import (  # noqa: F401 - importable from here, as in pymarc
    DIRECTORY_ENTRY_LEN,
    END_OF_FIELD,
    END_OF_RECORD,
    LEADER_LEN,
    SUBFIELD_INDICATOR,
)
from pymrrc.exceptions import (  # noqa: F401
    BadSubfieldCodeWarning,
    BaseAddressInvalid,
    BaseAddressNotFound,
    FieldNotFound,
    MissingLinkedFields,
    NoFieldsFound,
    RecordDirectoryInvalid,
    RecordLeaderInvalid,
    TruncatedRecord,
)
from pymrrc.field import Field, Indicators, RawField, Subfield, map_marc8_field  # noqa: F401
from pymrrc.marc8 import marc8_to_unicode  # noqa: F401
from pymrrc.leader import Leader

logger: logging.Logger = logging.getLogger("pymarc")

isbn_regex: Pattern[str] = re.compile(r"([0-9\-xX]+)")

_SERIES_TAGS = ("440", "490", "800", "810", "811", "830")
_SUBJECT_TAGS = (
    "600", "610", "611", "630", "648", "650", "651", "653", "654", "655",
    "656", "657", "658", "662", "690", "691", "696", "697", "698", "699",
)  # fmt: skip
_ADDED_ENTRY_TAGS = (
    "700", "710", "711", "720", "730", "740", "752", "753", "754", "790",
    "791", "792", "793", "796", "797", "798", "799",
)  # fmt: skip
_NOTE_TAGS = (
    "500", "501", "502", "504", "505", "506", "507", "508", "510", "511",
    "513", "514", "515", "516", "518", "520", "521", "522", "524", "525",
    "526", "530", "533", "534", "535", "536", "538", "540", "541", "544",
    "545", "546", "547", "550", "552", "555", "556", "561", "562", "563",
    "565", "567", "580", "581", "583", "584", "585", "586", "590", "591",
    "592", "593", "594", "595", "596", "597", "598", "599",
)  # fmt: skip


class Record(_RecordBase):
    """A MARC record: a leader and an ordered list of fields.

    >>> record = Record()
    >>> record.add_field(Field(tag="245", indicators=["0", "0"],
    ...                        subfields=[Subfield("a", "A title")]))
    >>> record = Record(data=transmission_bytes)
    >>> record.as_marc()
    """

    __slots__ = ()

    def __init__(
        self,
        data: str | bytes = "",
        fields: list[Field] | None = None,
        to_unicode: bool = True,
        force_utf8: bool = False,
        hide_utf8_warnings: bool = False,
        utf8_handling: str = "strict",
        leader: str = " " * LEADER_LEN,
        file_encoding: str = "iso8859-1",
    ) -> None:
        """Build an empty record, one from ``fields``, or one decoded from
        transmission-format ``data``."""
        self.leader = Leader(leader[0:10] + "22" + leader[12:20] + "4500")
        self.fields = []
        self.pos = 0
        self._Record__pos = 0
        self.force_utf8 = force_utf8
        self.to_unicode = to_unicode
        if fields:
            self.fields = fields
        elif len(data) > 0 and not _decodes_natively(type(self)):
            # Overrides see pymarc's calls, from this one on.
            self.decode_marc(
                data,  # type: ignore[arg-type]  # text data fails there, as in pymarc
                to_unicode=to_unicode,
                force_utf8=force_utf8,
                hide_utf8_warnings=hide_utf8_warnings,
                utf8_handling=utf8_handling,
                encoding=file_encoding,
            )
        elif len(data) > 0:
            # What decode_marc does, with the record known to be fresh and
            # its class known to override nothing decoding calls.
            self._decode(
                data,  # type: ignore[arg-type]  # text data fails there, as in pymarc
                True,
                True,
                to_unicode,
                force_utf8,
                hide_utf8_warnings,
                utf8_handling,
                file_encoding,
            )
        elif force_utf8:
            self.leader = Leader(self.leader[0:9] + "a" + self.leader[10:])

    def __reduce__(self) -> tuple[typing.Any, ...]:
        # A record still holding only the bytes it was read from pickles as
        # those bytes (and its options): no Python object per field.
        if type(self) is Record and (lazy := self._pickle_state()) is not None:
            return (_restore_lazy, (Record, *lazy))
        return (_restore, (type(self), _state(self)))

    def __copy__(self) -> "Record":
        # A shallow copy shares the fields list and the leader, as pymarc's does.
        return _restore(type(self), _state(self))

    def __str__(self) -> str:
        lines = [f"=LDR  {self.leader}"]
        lines.extend(str(field) for field in self.fields)
        return "\n".join(lines) + "\n"

    # ``__iter__`` and ``__next__`` are native; for subclasses that override
    # attribute access, assignment or ``fields``, ``__next__`` runs pymarc's
    # own step, so the overrides see what pymarc's loop does.
    _py_next = _record_reference.next_field

    # -- lookup -----------------------------------------------------------
    # ``record[tag]``, ``get``, ``in`` and ``get_fields`` are native
    # (``RecordBase``): on a record read from MARC whose ``fields`` list is
    # not built they read the directory's tags and make only the ``Field``
    # objects they return (the same objects on every call, and in the list
    # once built). Subclasses get these, pymarc's own loops, so that what
    # they override is used as pymarc uses it.
    if typing.TYPE_CHECKING:

        def get(self, tag: str, default: Field | None = None) -> Field | None:
            """The first field tagged ``tag``, or ``default``."""

        def __getitem__(self, tag: str) -> Field: ...

        def __contains__(self, tag: str) -> bool: ...

        @typing.overload
        def get_fields(self, *args: str) -> list[Field]: ...

        @typing.overload
        def get_fields(self, *args: list[str]) -> list[Field]: ...

        def get_fields(self, *args: str | list[str]) -> list[Field]:
            """Fields with any of the given tags; with no tags, ``self.fields``."""

    def _py_get(self, tag: str, default: Field | None = None) -> Field | None:
        for field in self.fields:
            if field.tag == tag:
                return field
        return default

    def _py_getitem(self, tag: str) -> Field:
        for field in self.fields:
            if field.tag == tag:
                return field
        raise KeyError

    def _py_contains(self, tag: str) -> bool:
        return any(field.tag == tag for field in self.fields)

    def _py_get_fields(self, *args: str | list[str]) -> list[Field]:
        if not args:
            return self.fields
        if len(args) == 1:
            wanted = args[0]
            return [field for field in self.fields if field.tag == wanted]
        wanted_set = set(args)
        return [field for field in self.fields if field.tag in wanted_set]

    def get_linked_fields(self, field: Field) -> list[Field]:
        """The 880 fields linked to ``field`` through subfield 6."""
        number = field.linkage_occurrence_num()
        linked = [
            candidate
            for candidate in self.get_fields("880")
            if candidate.linkage_occurrence_num() == number
        ]
        if number is not None and not linked:
            raise MissingLinkedFields(field)
        return linked

    # -- editing ----------------------------------------------------------
    def add_field(self, *fields: Field) -> None:
        """Append fields at the end."""
        self.fields.extend(fields)

    def add_grouped_field(self, *fields: Field) -> None:
        """Insert fields after the last field of the same hundred (0xx, 1xx...)."""
        for field in fields:
            if not self.fields or not field.tag.isdigit():
                self.fields.append(field)
            else:
                self._sort_fields(field, "grouped")

    def add_ordered_field(self, *fields: Field) -> None:
        """Insert fields in tag order."""
        for field in fields:
            if not self.fields or not field.tag.isdigit():
                self.fields.append(field)
            else:
                self._sort_fields(field, "ordered")

    def _sort_fields(self, field: Field, mode: str) -> None:
        """Insert ``field`` before the first field that sorts after it."""

        def key(tag: str) -> int:
            return int(tag[0]) if mode == "grouped" else int(tag)

        new_key = key(field.tag)
        for index, existing in enumerate(self.fields):
            if not existing.tag.isdigit() or key(existing.tag) > new_key:
                self.fields.insert(index, field)
                return
            if index + 1 == len(self.fields):
                self.fields.append(field)
                return

    def remove_field(self, *fields: Field) -> None:
        """Remove the given field objects; FieldNotFound if one is absent."""
        for field in fields:
            try:
                self.fields.remove(field)
            except ValueError:
                raise FieldNotFound from None

    def remove_fields(self, *tags: str) -> None:
        """Remove every field whose tag is one of ``tags``."""
        if not tags:
            return None
        if len(tags) == 1:
            unwanted = tags[0]
            self.fields[:] = (field for field in self.fields if field.tag != unwanted)
            return None
        unwanted_set = set(tags)
        self.fields[:] = (field for field in self.fields if field.tag not in unwanted_set)
        return None

    # -- decoding -----------------------------------------------------------
    def decode_marc(
        self,
        marc: bytes,
        to_unicode: bool = True,
        force_utf8: bool = False,
        hide_utf8_warnings: bool = False,
        utf8_handling: str = "strict",
        encoding: str = "iso8859-1",
    ) -> None:
        """Fill this record from transmission-format bytes (fields are
        appended to the ones it has)."""
        self._decode(
            marc, False, _decodes_natively(type(self)), to_unicode, force_utf8, hide_utf8_warnings, utf8_handling, encoding
        )

    def _decode(
        self,
        marc: bytes,
        fresh: bool,
        native: bool,
        to_unicode: bool,
        force_utf8: bool,
        hide_utf8_warnings: bool,
        utf8_handling: str,
        encoding: str,
    ) -> None:
        """Decode natively when nothing pymarc's decoding calls was overridden
        or replaced and the record is valid; otherwise run the exact Python
        decoder, which also leaves a record that fails part way as pymarc
        leaves it. ``fresh``: called by ``__init__`` (no fields yet);
        ``native``: ``_decodes_natively(type(self))``."""
        if (
            native
            and isinstance(self.force_utf8, bool)
            and self.force_utf8 == bool(force_utf8)
            # Only an exact Record stays lazy (its native answers from the
            # bytes stand for pymarc's methods); a subclass gets its fields now.
            and self._decode_marc(
                marc, to_unicode, force_utf8, utf8_handling, fresh and type(self) is Record, hide_utf8_warnings, encoding
            )
        ):
            return
        _fallback.decode_marc(
            self,
            marc,
            globals(),
            to_unicode,
            force_utf8,
            hide_utf8_warnings,
            utf8_handling,
            encoding,
            # The frame pymarc's warnings name: __init__, or decode_marc's caller.
            3 if fresh else 4,
        )

    # -- serialising ----------------------------------------------------------
    # ``as_marc()``, ``as_dict()`` and ``as_json()`` are native
    # (``RecordBase``): they read an untouched record's bytes, or fields
    # holding exactly the types the reader produces, and call these
    # reference implementations (pymarc's steps) for anything else
    # (subclasses overriding what they use, unusual values, json.dumps
    # keywords).
    _py_as_dict = _record_reference.as_dict
    _py_as_json = _record_reference.as_json

    def _py_as_marc(self) -> bytes:
        return _record_reference.as_marc(self, globals())

    def as_marc8(self) -> bytes:
        """The record in ISO 2709 with MARC-8 text (leader position 9
        blank); pymrrc extension, see :func:`pymrrc.marc8.record_to_marc8`.
        Characters MARC-8 lacks are written as ``&#xXXXX;``. The record is
        not changed (``as_marc()`` sets leader position 9; this does not)."""
        from pymrrc.marc8 import record_to_marc8

        return record_to_marc8(self)[0]

    # -- properties -----------------------------------------------------------
    def _key_title(self, tag: str) -> str | None:
        field = self.get(tag)
        if not field:
            return None
        title = field.get("a")
        if title:
            subtitle = field.get("b")
            if subtitle:
                title += f" {subtitle}"
        return title

    def _py_title(self) -> str | None:
        return self._key_title("245")

    def _py_issn_title(self) -> str | None:
        return self._key_title("222")

    @property
    def isbn(self) -> str | None:
        """The first ISBN (020 $a), digits and X only, or None."""
        field = self.get("020")
        if not field:
            return None
        number = field.get("a")
        if not number:
            return None
        match = isbn_regex.search(number)
        return match.group(1).replace("-", "") if match else None

    @property
    def issn(self) -> str | None:
        """The ISSN (022 $a) or None."""
        field = self.get("022")
        return field.get("a") if (field and "a" in field) else None

    @property
    def issnl(self) -> str | None:
        """The linking ISSN (022 $l) or None."""
        field = self.get("022")
        return field["l"] if (field and "l" in field) else None

    @property
    def sudoc(self) -> str | None:
        """The SuDoc classification (086) or None."""
        field = self.get("086")
        return field.format_field() if field else None

    @property
    def author(self) -> str | None:
        """The main entry (100, 110 or 111) or None."""
        field = self.get("100") or self.get("110") or self.get("111")
        return field.format_field() if field else None

    @property
    def uniformtitle(self) -> str | None:
        """The uniform title (130 or 240) or None."""
        field = self.get("130") or self.get("240")
        return field.format_field() if field else None

    @property
    def series(self) -> list[Field]:
        """Series statements and series added entries (440, 490, 8xx)."""
        return self.get_fields(*_SERIES_TAGS)

    @property
    def subjects(self) -> list[Field]:
        """Subject access fields (6xx, including local 69x)."""
        return self.get_fields(*_SUBJECT_TAGS)

    @property
    def addedentries(self) -> list[Field]:
        """Added entry fields (7xx, including local 79x)."""
        return self.get_fields(*_ADDED_ENTRY_TAGS)

    @property
    def location(self) -> list[Field]:
        """Location fields (852)."""
        return self.get_fields("852")

    @property
    def notes(self) -> list[Field]:
        """Note fields (5xx)."""
        return self.get_fields(*_NOTE_TAGS)

    @property
    def physicaldescription(self) -> list[Field]:
        """Physical description fields (300)."""
        return self.get_fields("300")

    def _publication(self, code: str) -> str | None:
        for field in self.get_fields("260", "264"):
            if field.tag == "260" or (field.tag == "264" and field.indicator2 == "1"):
                return field.get(code)
        return None

    @property
    def publisher(self) -> str | None:
        """The publisher (260 $b, or 264 $b with second indicator 1)."""
        return self._publication("b")

    @property
    def pubyear(self) -> str | None:
        """The publication date (260 $c, or 264 $c with second indicator 1)."""
        return self._publication("c")


# What pymarc's decoding calls on a record (looked up on its class) and the
# names its code finds in its module. The native decoder is used only while
# all are the originals; otherwise the exact Python decoder calls them as
# pymarc does.
_original_decode_marc = Record.decode_marc
_original_add_field = Record.add_field
_original_setattr = Record.__setattr__
_original_getattribute = Record.__getattribute__
_original_leader = Record.__dict__.get("leader", _RecordBase.__dict__["leader"])
_original_fields = Record.__dict__.get("fields", _RecordBase.__dict__["fields"])
_original_force_utf8 = Record.__dict__.get("force_utf8", _RecordBase.__dict__["force_utf8"])
_original_Field = Field
_original_Subfield = Subfield
_original_Indicators = Indicators
_original_Leader = Leader
_original_marc8_to_unicode = marc8_to_unicode
_original_logger = logger
_original_field_init = Field.__init__
_original_leader_init = Leader.__init__


def _decodes_natively(cls: typing.Any) -> bool:
    """Whether records of ``cls`` may be decoded natively: nothing decoding
    calls is overridden by ``cls`` or was replaced on ``Record`` or in this
    module."""
    return (
        cls.decode_marc is _original_decode_marc
        and cls.add_field is _original_add_field
        and cls.__setattr__ is _original_setattr
        and cls.__getattribute__ is _original_getattribute
        and cls.leader is _original_leader
        and cls.fields is _original_fields
        and cls.force_utf8 is _original_force_utf8
        and Field is _original_Field
        and Subfield is _original_Subfield
        and Indicators is _original_Indicators
        and Leader is _original_Leader
        and marc8_to_unicode is _original_marc8_to_unicode
        and logger is _original_logger
        and Field.__init__ is _original_field_init
        and Leader.__init__ is _original_leader_init
    )


def _state(record: Record) -> dict[str, typing.Any]:
    """What pickling and copying a record carry over, looked up through the
    record's own attributes."""
    return {
        "leader": record.leader,
        "fields": record.fields,
        "pos": record.pos,
        "force_utf8": record.force_utf8,
        "to_unicode": record.to_unicode,
        "_Record__pos": record._Record__pos,
    }


def _restore(cls: type[Record], state: dict[str, typing.Any]) -> Record:
    """Rebuild a pickled record without running ``__init__``."""
    record = cls.__new__(cls)
    for name, value in state.items():
        setattr(record, name, value)
    return record


def _restore_lazy(
    cls: type[Record], payload: bytes, to_unicode: typing.Any, force_utf8: typing.Any, pos: typing.Any, iter_pos: int
) -> Record:
    """Rebuild a record pickled as its bytes (``Record.__reduce__``)."""
    record = cls.__new__(cls)
    record._restore_pickle_state(payload, to_unicode, force_utf8, pos, iter_pos)
    return record


def map_marc8_record(record: Record) -> Record:
    """Convert a MARC-8 record's text to Unicode in place and mark it UTF-8."""
    record.fields = [map_marc8_field(field) for field in record.fields]
    characters = list(record.leader.leader)
    characters[9] = "a"
    record.leader = Leader("".join(characters))
    return record


def normalize_subfield_code(subfield: bytes) -> tuple[str, int]:
    """An ASCII code for a subfield whose code byte is not ASCII, and how many
    bytes that code occupied."""
    skip = 1
    try:
        text = subfield.decode("utf-8")
        skip = len(text[0].encode("utf-8"))
    except UnicodeDecodeError:
        text = subfield.decode("latin-1")
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return ascii_only[0], skip


__all__ = ["Record", "map_marc8_record", "normalize_subfield_code", "Field", "RawField"]
