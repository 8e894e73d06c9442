"""MARC-8 to Unicode decoding, behaving exactly like ``pymarc.marc8``.

MARC-8 is an ISO 2022 style encoding: escape sequences select the character
sets in use as G0 (bytes 0x21-0x7E) and G1 (bytes 0xA1-0xFE), diacritics
come *before* the letter they modify, and the East Asian set (EACC) uses
three bytes per character.  The decoder here reproduces pymarc 5.4.0's
results byte for byte, including its handling of malformed input:

* ``ESC ( F``, ``ESC , F`` and ``ESC $ F`` (also ``ESC $ , F``) set G0;
  ``ESC ) F`` and ``ESC - F`` set G1.  When fewer than three bytes are left
  for a G0 sequence the ESC is kept in the output as U+001B.
* A two-byte ``ESC F`` whose F is a known charset sets G0, ``ESC s`` resets
  G0 to Basic Latin; in both cases decoding continues *at the following
  byte without re-checking it for an escape*.  An ``ESC`` followed by
  anything else is decoded as an ordinary (dropped) control byte.
* Bytes below 0x20 and in 0x81-0x9F are dropped.
* A code missing from the active table is looked up in ``ODD_MAP``; failing
  that it becomes a space, and (unless quiet) a line is written to
  ``sys.stderr``.
* Combining marks are held back and emitted after the next base character;
  marks still pending at the end are discarded.  The result is NFC.
* In EACC mode a truncated final character reports its position on
  ``sys.stderr`` (even when quiet) and is then treated as code 0x20, which
  the EACC table lacks, so it ends up as an unmappable space.

The character tables live in :mod:`pymrrc.marc8_mapping`.  The decoding
itself runs in Rust (``pymrrc._core.marc8_translate``, generated from the
same tables); the Python code below is the reference it is tested against,
and it still decodes the inputs on which pymarc raises (so the exception,
and what is written before it, are pymarc's) and unusual arguments (input
that is not ``bytes``, charsets that are not byte values).
"""

import sys
import types as _types
import typing as _typing
import unicodedata

from pymrrc._core import marc8_encode as _native_encode
from pymrrc._core import marc8_record_from_parts as _native_from_parts
from pymrrc._core import marc8_translate as _native_translate
from pymrrc._core import record_as_marc8 as _native_record

if _typing.TYPE_CHECKING:
    from pymrrc.record import Record


def _mapping() -> _types.ModuleType:
    """The MARC-8 tables, imported on first use (the module is large and
    most programs never read MARC-8)."""
    from pymrrc import marc8_mapping

    return marc8_mapping

__all__ = ["MARC8ToUnicode", "marc8_to_unicode"]

_ESC = b"\x1b"
# ISO final byte of the three-byte-per-character EACC set.
_EACC = 0x31
# Final byte of the two-byte escape that returns G0 to Basic Latin.
_RESET_G0 = 0x73
# The intermediate bytes that introduce G0 and G1 designations.
_G0_INTROS = frozenset({b"(", b",", b"$"})
_G1_INTROS = frozenset({b")", b"-", b"$"})


def marc8_to_unicode(marc8: bytes, hide_utf8_warnings: bool = False) -> str:
    """Decode MARC-8 bytes to a ``str``.

    ``hide_utf8_warnings`` silences the "Unable to parse character" lines
    written to ``sys.stderr`` for unmappable codes.  Malformed escape or
    multibyte sequences that break decoding raise :class:`UnicodeDecodeError`
    with the codec name ``'marc8_to_unicode'``.
    """
    decoder = MARC8ToUnicode(quiet=hide_utf8_warnings)
    try:
        return decoder.translate(marc8)
    except (IndexError, TypeError) as exc:
        raise UnicodeDecodeError(
            "marc8_to_unicode",
            marc8,
            0,
            len(marc8),
            "invalid multibyte character encoding",
        ) from exc


class MARC8ToUnicode:
    """A stateful MARC-8 decoder.

    ``G0`` and ``G1`` are the ISO final bytes of the character sets in
    effect at the start (Basic Latin and ANSEL by default).  Escape
    sequences met by :meth:`translate` change ``self.g0`` / ``self.g1``, and
    the change carries over to later calls on the same object.  With
    ``quiet`` set, unmappable characters are replaced silently.
    """

    basic_latin = 0x42
    ansel = 0x45

    def __init__(
        self, G0: int = basic_latin, G1: int = ansel, quiet: bool = False
    ) -> None:
        self.g0: int = G0
        self.g0_set: set[bytes] = {b"(", b",", b"$"}
        self.g1: int = G1
        self.g1_set: set[bytes] = {b")", b"-", b"$"}
        self.quiet: bool = quiet

    def translate(self, marc8_string: bytes) -> str:
        """Decode ``marc8_string`` and return the NFC-normalised text."""
        if not marc8_string:
            return ""
        g0, g1, quiet = self.g0, self.g1, self.quiet
        if (
            type(marc8_string) is bytes
            and type(g0) is int
            and type(g1) is int
            and 0 <= g0 <= 0xFF
            and 0 <= g1 <= 0xFF
            and (quiet is None or type(quiet) in (bool, int))
            and self.g0_set == _G0_INTROS
            and self.g1_set == _G1_INTROS
        ):
            result = _native_translate(marc8_string, g0, g1, bool(quiet))
            if result is not None:
                text, self.g0, self.g1, lines = result
                for line in lines:
                    sys.stderr.write(line + "\n")
                return text
        return self._translate_py(marc8_string)

    def _translate_py(self, marc8_string: bytes) -> str:
        """The reference decoder (pymarc's algorithm, in Python)."""
        data = marc8_string
        tables = _mapping().CODESETS
        odd_map = _mapping().ODD_MAP
        size = len(data)
        out: list[str] = []
        pending_marks: list[str] = []
        i = 0
        while i < size:
            if data[i : i + 1] == _ESC:
                intro = data[i + 1 : i + 2]
                if intro in self.g0_set:
                    if size < i + 3:
                        # Too short to be a designation: keep the bare ESC.
                        out.append(data[i : i + 1].decode("ascii"))
                        i += 1
                        continue
                    if data[i + 2 : i + 3] == b"," and intro == b"$":
                        i += 1  # ESC $ , F: skip the extra intermediate byte
                    self.g0 = ord(data[i + 2 : i + 3])
                    i += 3
                    continue
                if intro in self.g1_set:
                    if data[i + 2 : i + 3] == b"-" and intro == b"$":
                        i += 1
                    self.g1 = ord(data[i + 2 : i + 3])
                    i += 3
                    continue
                final = ord(intro)
                if final in tables:
                    self.g0 = final
                    i += 2
                elif final == _RESET_G0:
                    self.g0 = self.basic_latin
                    i += 2
                    if i == size:
                        break
                # Otherwise (and after the two-byte forms) fall through and
                # decode the byte at ``i`` as a character.

            wide = self.g0 == _EACC
            if wide:
                if size < i + 3:
                    sys.stderr.write(
                        f"Multi-byte position {i + 3} exceeds length of "
                        f"marc8 string {size}\n"
                    )
                    code = 0x20
                else:
                    code = (
                        (ord(data[i : i + 1]) << 16)
                        + (ord(data[i + 1 : i + 2]) << 8)
                        + ord(data[i + 2 : i + 3])
                    )
                i += 3
            else:
                code = ord(data[i : i + 1])
                i += 1

            if code < 0x20 or 0x80 < code < 0xA0:
                continue  # C0 / C1 control: dropped

            try:
                if code > 0x80 and not wide:
                    point, combining = tables[self.g1][code]
                else:
                    point, combining = tables[self.g0][code]
            except KeyError:
                if code in odd_map:
                    out.append(chr(odd_map[code]))
                    continue
                if not self.quiet:
                    sys.stderr.write(
                        f"Unable to parse character 0x{code:x} in "
                        f"g0={self.g0} g1={self.g1}\n"
                    )
                point, combining = 0x20, False

            if combining:
                pending_marks.append(chr(point))
            else:
                out.append(chr(point))
                if pending_marks:
                    out.extend(pending_marks)
                    pending_marks = []

        return unicodedata.normalize("NFC", "".join(out))


# --- MARC-8 writing (a pymrrc extension; pymarc cannot write MARC-8) -------


def encode_marc8(text: str) -> tuple[bytes, int]:
    """Encode ``text`` as MARC-8; pymrrc extension.

    Returns the bytes and the number of characters that have no MARC-8 form
    and were written as LoC's numeric character reference ``&#xXXXX;``.
    The bytes start and end in the default sets (Basic Latin and ANSEL);
    combining marks are written before the letter they modify. pymarc's
    ``marc8_to_unicode`` reads them back as ``text`` in NFC (when the count
    is 0).
    """
    if type(text) is not str:
        raise TypeError(f"encode_marc8() argument must be str, not {type(text).__name__}")
    return _native_encode(text)


def record_to_marc8(record: "Record") -> tuple[bytes, int]:
    """``record`` in ISO 2709 with MARC-8 text; pymrrc extension.

    The layout is ``record.as_marc()``'s, with leader position 9 blank; the
    record itself is not changed. Subfield values are MARC-8; control
    fields, indicators and subfield codes are written one byte per character
    (ISO 8859-1, as pymarc reads them from a MARC-8 record). Returns the
    bytes and how many characters were written as ``&#xXXXX;``.
    """
    native = _native_record(record)
    if native is not None:
        return native
    from pymrrc.field import RawField

    parts: list[tuple[_typing.Any, ...]] = []
    for field in record.fields:
        tag = field.tag
        tag = f"{int(tag):03d}" if tag.isdigit() else f"{tag:>03}"
        if isinstance(field, RawField):
            parts.append((tag, field.as_marc()))
        elif field.control_field:
            parts.append((tag, field.data))
        else:
            subfields = [(sub.code, sub.value) for sub in field.subfields]
            parts.append((tag, field.indicator1, field.indicator2, subfields))
    return _native_from_parts(str(record.leader), parts)
