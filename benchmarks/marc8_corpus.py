"""Make a MARC-8 file from a UTF-8 MARC file, for MARC-8 benchmarks and tests.

    python benchmarks/marc8_corpus.py SOURCE OUT [--limit N]

Each record of SOURCE (UTF-8 MARC 21, e.g. the Library of Congress corpus)
is re-encoded as MARC-8 the way a MARC-8 cataloguing system writes it:

* every subfield value is put in Unicode NFD and each character is encoded
  with the Basic Latin (ASCII) or Extended Latin (ANSEL) table; combining
  marks are written *before* the character they modify, as MARC-8 requires;
* control fields, indicators and subfield codes are kept (they must be
  ASCII);
* leader position 9 becomes a blank (MARC-8), and the record is re-framed
  with correct lengths, directory and base address.

Records holding a character neither table has (other scripts, say) or
non-ASCII control data are skipped. The tables come from
``pymrrc.marc8_mapping``; nothing else of pymrrc or pymarc is used, so the
file can serve to compare the two.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASIC_LATIN = 0x42
ANSEL = 0x45
LEADER_LEN = 24
ENTRY_LEN = 12
FIELD_END = b"\x1e"
RECORD_END = b"\x1d"
DELIMITER = b"\x1f"


def _mapping():
    """pymrrc/marc8_mapping.py, imported by path (no compiled code needed)."""
    path = ROOT / "pymrrc" / "marc8_mapping.py"
    spec = importlib.util.spec_from_file_location("_marc8_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reverse_tables() -> tuple[dict[str, int], set[str]]:
    """Character -> MARC-8 byte for Basic Latin (printable) and ANSEL, and
    the set of characters that are combining marks in MARC-8."""
    tables = _mapping().CODESETS
    encode: dict[str, int] = {}
    combining: set[str] = set()
    for code, (point, is_mark) in sorted(tables[ANSEL].items()):
        if 0xA1 <= code <= 0xFE:
            char = chr(point)
            encode.setdefault(char, code)
            if is_mark:
                combining.add(char)
    for code, (point, _) in tables[BASIC_LATIN].items():
        if 0x20 <= code <= 0x7E:
            encode[chr(point)] = code
    return encode, combining


class Marc8Encoder:
    """Unicode text -> MARC-8 (Basic Latin + ANSEL only)."""

    def __init__(self) -> None:
        self.encode, self.combining = reverse_tables()

    def text(self, value: str) -> bytes | None:
        """MARC-8 bytes for ``value``, or ``None`` if a character has no
        Basic Latin or ANSEL code."""
        out = bytearray()
        marks = bytearray()
        base: int | None = None
        for char in unicodedata.normalize("NFD", value):
            code = self.encode.get(char)
            if code is None:
                return None
            if char in self.combining:
                if base is None:
                    return None  # a mark with nothing to sit on
                marks.append(code)
                continue
            if base is not None:
                out += marks
                out.append(base)
                marks.clear()
            base = code
        if base is not None:
            out += marks
            out.append(base)
        elif marks:
            return None
        return bytes(out)

    def record(self, data: bytes) -> bytes | None:
        """The MARC-8 version of one UTF-8 record, or ``None`` to skip it."""
        try:
            base = int(data[12:17])
            directory = data[LEADER_LEN : base - 1]
        except ValueError:
            return None
        if len(directory) % ENTRY_LEN:
            return None
        fields = []
        for at in range(0, len(directory), ENTRY_LEN):
            entry = directory[at : at + ENTRY_LEN]
            try:
                tag = entry[:3]
                length = int(entry[3:7])
                offset = int(entry[7:12])
            except ValueError:
                return None
            body = data[base + offset : base + offset + length - 1]
            if tag < b"010" and tag.isdigit():
                if not body.isascii():
                    return None
                fields.append((tag, body))
                continue
            pieces = body.split(DELIMITER)
            if not pieces[0].isascii():
                return None
            encoded = [pieces[0]]
            for piece in pieces[1:]:
                if not piece:
                    encoded.append(piece)
                    continue
                if not piece[:1].isascii():
                    return None
                try:
                    value = piece[1:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
                text = self.text(value)
                if text is None:
                    return None
                encoded.append(piece[:1] + text)
            fields.append((tag, DELIMITER.join(encoded)))
        if not fields:
            return None
        leader = bytearray(data[:LEADER_LEN])
        leader[9] = ord(" ")
        return frame(bytes(leader), fields)


def frame(leader: bytes, fields: list[tuple[bytes, bytes]]) -> bytes:
    """An ISO 2709 record from a leader and (tag, body) pairs."""
    directory = bytearray()
    body = bytearray()
    for tag, data in fields:
        directory += tag + b"%04d%05d" % (len(data) + 1, len(body))
        body += data + FIELD_END
    directory += FIELD_END
    body += RECORD_END
    base = LEADER_LEN + len(directory)
    total = base + len(body)
    return b"%05d" % total + leader[5:12] + b"%05d" % base + leader[17:24] + bytes(directory) + bytes(body)


def iter_records(path: Path):
    """The raw records of a MARC file (framing by the leader's length)."""
    with open(path, "rb") as handle:
        while True:
            head = handle.read(5)
            if len(head) < 5:
                return
            try:
                length = int(head)
            except ValueError:
                return
            rest = handle.read(length - 5)
            if len(rest) < length - 5:
                return
            yield head + rest


def make_marc8_file(source: Path, out: Path, limit: int | None = None) -> tuple[int, int]:
    """Write up to ``limit`` MARC-8 records made from ``source`` to ``out``.
    Returns (records written, records skipped)."""
    encoder = Marc8Encoder()
    written = skipped = 0
    with open(out, "wb") as sink:
        for data in iter_records(source):
            if limit is not None and written >= limit:
                break
            converted = encoder.record(data)
            if converted is None or len(converted) > 99999:
                skipped += 1
                continue
            sink.write(converted)
            written += 1
    return written, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="UTF-8 MARC file")
    parser.add_argument("out", type=Path, help="MARC-8 file to write")
    parser.add_argument("--limit", type=int, help="stop after this many records")
    args = parser.parse_args(argv)
    written, skipped = make_marc8_file(args.source, args.out, args.limit)
    print(f"wrote {written} MARC-8 records to {args.out} ({skipped} skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
