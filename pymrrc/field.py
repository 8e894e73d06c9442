"""MARC fields: ``Field``, ``RawField`` and the ``Subfield``/``Indicators`` tuples.

``Field`` keeps pymarc's attributes and behaviour. Its storage and its hot
read-only methods (``value``, ``get``, ``[]``, ``in``, ``get_subfields``,
``format_field``, ``str()``, ``as_marc``) live in the native base class
``pymrrc._core.FieldBase``; the ``_py_*`` methods below are the reference
implementations the native code defers to whenever a field holds values of
unusual types.
"""

import logging
import typing  # noqa: F401 - pymarc's namespace
from collections import defaultdict
from collections.abc import Iterator, Sequence  # noqa: F401
from typing import NamedTuple

from pymrrc._core import FieldBase as _FieldBase
from pymrrc.constants import END_OF_FIELD, SUBFIELD_INDICATOR
from pymrrc.marc8 import marc8_to_unicode

if typing.TYPE_CHECKING:
    from typing_extensions import Self

# pymarc logs under this name; keeping it lets existing logging set-ups work.
logger: logging.Logger = logging.getLogger("pymarc")

_LEGACY_SUBFIELDS_MESSAGE = """The subfield input no longer accepts strings, and should use Subfield.
                   Please consult the documentation for details.
                """

_LEGACY_INDICATORS_MESSAGE = """The indicators input no longer accepts an iterable of arbitrary length. Use
                   the Indicators() named tuple instead. Please consult the documentation
                   for details.
                """


class Subfield(NamedTuple):
    """One subfield: its one-character code and its value."""

    code: str
    value: str


class Indicators(NamedTuple):
    """The two indicator characters of a data field."""

    first: str
    second: str


def _normalise_tag(tag: typing.Any) -> str:
    """Tag text as pymarc stores it: numeric tags padded to three digits."""
    if isinstance(tag, str):
        if not tag.isdigit() or len(tag) == 3:
            return tag
        return f"{int(tag):03}"
    try:
        return f"{int(tag):03}"
    except (TypeError, ValueError):
        return f"{tag}"


class Field(_FieldBase):
    """A MARC field: a control field (``data``) or a data field (indicators
    and a list of ``Subfield``).

    >>> Field(tag="245", indicators=Indicators("1", "0"),
    ...       subfields=[Subfield(code="a", value="A title")])
    >>> Field(tag="001", data="ocm12345")
    """

    __slots__ = ("_Field__pos",)

    def __init__(
        self,
        tag: str,
        indicators: Indicators | None = None,
        subfields: list[Subfield] | None = None,
        data: str | None = None,
    ) -> None:
        """Build a field; control fields (tags 001-009) take ``data``."""
        self.tag: str = _normalise_tag(tag)
        if subfields and isinstance(subfields[0], str):
            raise ValueError(_LEGACY_SUBFIELDS_MESSAGE)
        self.subfields: list[Subfield] = []
        self._indicators = None
        self.data = None
        self.control_field: bool = False
        if self.tag < "010" and self.tag.isdigit():
            self.control_field = True
            self.data = data
            return
        self.subfields = subfields or []
        if not indicators:
            self._indicators = Indicators(" ", " ")
        elif isinstance(indicators, (list, tuple)) and len(indicators) == 2:
            self._indicators = Indicators(*indicators)
        else:
            self.indicators = indicators

    # -- pickling and copying -------------------------------------------
    def __reduce__(self) -> tuple[typing.Any, ...]:
        state: dict[str, typing.Any] = {
            "tag": self.tag,
            "data": self.data,
            "_indicators": self._indicators,
            "subfields": self.subfields,
            "control_field": self.control_field,
        }
        try:
            state["_Field__pos"] = self._Field__pos
        except AttributeError:
            pass
        return (_restore, (type(self), state))

    # -- indicators -----------------------------------------------------
    @property
    def indicators(self) -> Indicators | None:
        """The ``Indicators`` tuple (``None`` for control fields)."""
        return self._indicators

    @indicators.setter
    def indicators(self, value: Sequence[str] | None) -> None:
        if value and isinstance(value, (list, tuple)) and len(value) != 2:
            raise ValueError(_LEGACY_INDICATORS_MESSAGE)
        if value is None:
            return
        self._indicators = value if isinstance(value, Indicators) else Indicators(*value)

    @property
    def indicator1(self) -> str:
        """The first indicator ('' for control fields)."""
        return self._indicators.first if self._indicators else ""

    @indicator1.setter
    def indicator1(self, value: str) -> None:
        if self.control_field:
            self._indicators = None
        self._indicators = self._indicators._replace(first=value)  # type: ignore[union-attr]

    @property
    def indicator2(self) -> str:
        """The second indicator ('' for control fields)."""
        return self._indicators.second if self._indicators else ""

    @indicator2.setter
    def indicator2(self, value: str) -> None:
        if self.control_field:
            self._indicators = None
        self._indicators = self._indicators._replace(second=value)  # type: ignore[union-attr]

    # -- iteration over subfields ---------------------------------------
    def __iter__(self) -> "Self":
        self._Field__pos = 0
        return self

    def __next__(self) -> Subfield:
        if self.control_field:
            raise StopIteration
        position = self._Field__pos
        try:
            item = self.subfields[position]
        except IndexError:
            raise StopIteration from None
        self._Field__pos = position + 1
        return item

    # -- editing ----------------------------------------------------------
    @classmethod
    def convert_legacy_subfields(cls, subfields: list[str]) -> list[Subfield]:
        """Turn a flat ``[code, value, code, value, ...]`` list into Subfields."""
        items = iter(subfields)
        return [Subfield._make(pair) for pair in zip(items, items, strict=True)]

    def __setitem__(self, code: str, value: str) -> None:
        if self.control_field:
            raise KeyError("field is a control field")
        positions = [i for i, sub in enumerate(self.subfields) if sub.code == code]
        if len(positions) > 1:
            raise KeyError(f"more than one code '{code}'")
        if not positions:
            raise KeyError(f"no code '{code}'")
        index = positions[0]
        self.subfields[index] = Subfield(code=self.subfields[index].code, value=value)

    def add_subfield(self, code: str, value: str, pos: int | None = None) -> None:
        """Append a subfield, or insert it at ``pos`` when that is in range."""
        if self.control_field:
            return None
        new = Subfield(code=code, value=value)
        if pos is None or pos > len(self.subfields):
            self.subfields.append(new)
        else:
            self.subfields.insert(pos, new)
        return None

    def delete_subfield(self, code: str) -> str | None:
        """Remove the first subfield with ``code`` and return its value."""
        if self.control_field:
            return None
        for index, sub in enumerate(self.subfields):
            if sub.code == code:
                return self.subfields.pop(index).value
        return None

    def subfields_as_dict(self) -> dict[str, list[str]]:
        """Map each subfield code to the list of its values."""
        if self.control_field:
            return {}
        grouped: defaultdict[str, list[str]] = defaultdict(list)
        for sub in self.subfields:
            grouped[sub.code].append(sub.value)
        return dict(grouped)

    def is_control_field(self) -> bool:
        """Whether this is a control field (prefer the attribute)."""
        return self.control_field

    def linkage_occurrence_num(self) -> str | None:
        """The occurrence number from subfield 6, or None."""
        linkage = self.get("6", "")
        if not linkage:
            return None
        return linkage.split("-")[1].split("/")[0]

    if typing.TYPE_CHECKING:

        def as_marc21(self, encoding: str) -> bytes: ...

    else:
        as_marc21 = _FieldBase.as_marc

    # -- reference implementations used by the native base ---------------
    def _py_value(self) -> str:
        if self.control_field:
            return self.data or ""
        return " ".join(sub.value.strip() for sub in self.subfields)

    def _py_get(self, code: str, default: typing.Any = None) -> typing.Any:
        if self.control_field:
            return default
        for sub in self.subfields:
            if sub.code == code:
                return sub.value
        return default

    def _py_getitem(self, code: str) -> str:
        if self.control_field:
            raise KeyError
        for sub in self.subfields:
            if sub.code == code:
                return sub.value
        raise KeyError

    def _py_contains(self, code: object) -> bool:
        if self.control_field:
            return False
        return any(sub.code == code for sub in self.subfields)

    def _py_get_subfields(self, *codes: str) -> list[str]:
        if self.control_field or not codes:
            return []
        if len(codes) == 1:
            wanted = codes[0]
            return [sub.value for sub in self.subfields if sub.code == wanted]
        return [sub.value for sub in self.subfields if sub.code in codes]

    def _py_format_field(self) -> str:
        if self.control_field:
            return self.data or ""
        subject = self.is_subject_field()
        pieces: list[str] = []
        for sub in self.subfields:
            if sub.code == "6":
                continue
            if subject and sub.code in ("v", "x", "y", "z"):
                pieces.append(f" -- {sub.value}")
            else:
                pieces.append(f" {sub.value}")
        return "".join(pieces).strip()

    def _py_str(self) -> str:
        if self.control_field:
            text = self.data.replace(" ", "\\") if self.data else ""
            return f"={self.tag}  {text}"
        marks = "".join(
            "\\" if ind in (" ", "\\") else f"{ind}" for ind in self._indicators  # type: ignore[union-attr]
        )
        subs = "".join(f"${sub.code}{sub.value}" for sub in self.subfields)
        return f"={self.tag}  {marks}{subs}"

    def _py_as_marc(self, encoding: str) -> bytes:
        if self.control_field:
            return f"{self.data}{END_OF_FIELD}".encode(encoding)
        subs = "".join(f"{SUBFIELD_INDICATOR}{sub.code}{sub.value}" for sub in self.subfields)
        text = f"{self.indicator1}{self.indicator2}{subs}{END_OF_FIELD}"
        return text.encode(encoding)


class RawField(Field):
    """A field whose values stay undecoded ``bytes`` (``to_unicode=False``).

    Like pymarc's, it declares no ``__slots__``, so instances take extra
    attributes.
    """

    # A RawField's data and subfield values are bytes where Field's say str
    # (pymarc's types are the same); the ignores below are about that.
    def as_marc(self, encoding: str | None = None) -> bytes:
        """The field's bytes; values are written as they are."""
        if encoding is not None:
            logger.warning("Attempt to force a RawField into encoding %s", encoding)
        if self.control_field:
            return self.data + END_OF_FIELD.encode("ascii")  # type: ignore[operator, return-value]
        out = self.indicator1.encode("ascii") + self.indicator2.encode("ascii")
        for sub in self.subfields:
            out += SUBFIELD_INDICATOR.encode("ascii") + sub.code.encode("ascii") + sub.value  # type: ignore[operator]
        return out + END_OF_FIELD.encode("ascii")


def _restore(cls: type[Field], state: dict[str, typing.Any]) -> Field:
    """Rebuild a pickled field without running ``__init__``."""
    field = cls.__new__(cls)
    for name, value in state.items():
        setattr(field, name, value)
    return field


def map_marc8_field(f: Field) -> Field:
    """Convert a field's MARC-8 text to Unicode in place and return it."""
    # The field holds MARC-8 bytes (a RawField) where Field's types say str.
    if f.control_field:
        f.data = marc8_to_unicode(f.data)  # type: ignore[arg-type]
    else:
        f.subfields = [Subfield(sub.code, marc8_to_unicode(sub.value)) for sub in f.subfields]  # type: ignore[arg-type]
    return f


__all__ = ["Subfield", "Indicators", "Field", "RawField", "map_marc8_field"]
