#!/usr/bin/env python3
"""Generate pymrrc/marc8_mapping.py from the Library of Congress MARC-8 tables.

Source
------
The Library of Congress publishes the MARC-8 character sets as one XML file,
``codetables.xml``.  A copy of it is shipped, unchanged, inside the Perl
distribution MARC-Charset 1.35, which Debian packages as the source package
``libmarc-charset-perl`` (version 1.35-4, Debian 12 "bookworm").  We read
two members of Debian's upstream tarball ``libmarc-charset-perl_1.35.orig.tar.gz``
(sha256 pinned below):

* ``MARC-Charset-1.35/etc/codetables.xml``: the LC code tables (every
  ``CHARSET_xx`` table and ``CODESETS``);
* ``MARC-Charset-1.35/etc/additional-iii-characters.xml``: six non-standard
  three-byte codes written by the Innovative Interfaces (III) ILS, which
  become ``ODD_MAP``.

Nothing is vendored in this repository.  Either pass the tarball with
``--tarball PATH`` or let ``--fetch`` download it with apt-get (a private
``deb-src`` list for bookworm is set up in a temporary folder; the system's
apt configuration is not touched).

Rules
-----
* One ``CHARSET_<ISOcode>`` dict per ``<characterSet>``; ``CODESETS`` maps
  the ISO final byte (``int(ISOcode, 16)``) to that dict.
* Key: the ``<marc>`` code as an int (the tables already give G1 sets such
  as ANSEL at 0xA1-0xFE and EACC as three-byte codes).
* Value: ``(code point, combining flag)``, the flag being 1 when the entry
  has ``<isCombining>true</isCombining>`` and 0 otherwise.
* The code point is ``<ucs>``; when ``<ucs>`` is empty, or the entry is one
  half of a two-part double diacritic (it has ``<marc_left_half>`` or
  ``<marc_right_half>``: ANSEL EB/EC and FA/FB), ``<alt>`` is used instead,
  so both halves decode to the matching COMBINING ... LEFT/RIGHT HALF marks.
* ``OVERRIDES`` below then aligns the few entries where pymarc 5.4.0 (the
  behavioural spec of pymrrc) disagrees with this revision of the LC tables.
  tests/test_marc8_tables.py checks the result against pymarc's tables.

Usage::

    python3 tools/gen_marc8_mapping.py --fetch            # write the module
    python3 tools/gen_marc8_mapping.py --tarball T.tar.gz
    python3 tools/gen_marc8_mapping.py --fetch --check    # compare only
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "pymrrc" / "marc8_mapping.py"

DEBIAN_SOURCE = "libmarc-charset-perl"
DEBIAN_VERSION = "1.35-4"
DEBIAN_SUITE = "bookworm"
TARBALL_NAME = "libmarc-charset-perl_1.35.orig.tar.gz"
TARBALL_SHA256 = "4dd41849b97b3e342f7747123184376d4aeca38edbe29165dc272ad84d5cfb23"
CODETABLES_MEMBER = "MARC-Charset-1.35/etc/codetables.xml"
III_MEMBER = "MARC-Charset-1.35/etc/additional-iii-characters.xml"

# ---------------------------------------------------------------------------
# Where pymarc 5.4.0 differs from the LC tables read above.  pymrrc must
# behave exactly like pymarc, so pymarc's choice wins.  Each entry is
# (ISO final byte, MARC-8 code) -> replacement value, or None to drop the key.
# ---------------------------------------------------------------------------
OVERRIDES: dict[tuple[int, int], tuple[int, int] | None] = {
    # Extended Arabic: the LC table lists the zero-width joiner / non-joiner
    # at 0x8D / 0x8E.  pymarc has no entry for them, and its decoder drops
    # every byte in 0x81-0x9F before any table lookup anyway, so removing the
    # keys only keeps the table itself identical to pymarc's.
    (0x34, 0x8D): None,  # ZERO WIDTH JOINER
    (0x34, 0x8E): None,  # ZERO WIDTH NON-JOINER
    # EACC variant ideographs: this LC revision maps them to unified CJK
    # ideographs; pymarc keeps an older mapping to the CJK COMPATIBILITY
    # IDEOGRAPHs.  Each of those has a canonical singleton decomposition to
    # the unified ideograph, so after marc8_to_unicode's NFC step the decoded
    # text is the same either way; only the raw table differs.
    (0x31, 0x214339): (0xFA12, 0),  # LC: U+6674
    (0x31, 0x215061): (0xFA1D, 0),  # LC: U+7CBE
    (0x31, 0x215C32): (0xFA25, 0),  # LC: U+9038
    (0x31, 0x215F71): (0xFA1C, 0),  # LC: U+9756
    (0x31, 0x4B333E): (0xF92E, 0),  # LC: U+51B7
    (0x31, 0x4B4B3E): (0xF9AD, 0),  # LC: U+73B2
    (0x31, 0x4B5F58): (0xF9B2, 0),  # LC: U+96F6
    (0x31, 0x4B7421): (0xF9A9, 0),  # LC: U+56F9
    # EACC ideographs that the LC table maps into CJK Extension B (outside
    # the BMP); pymarc substitutes U+3013 GETA MARK, as older LC revisions
    # did for ideographs without a BMP code point.  This changes decoded text.
    (0x31, 0x217559): (0x3013, 0),  # LC: U+212C4
    (0x31, 0x222A34): (0x3013, 0),  # LC: U+2251B
    (0x31, 0x223339): (0x3013, 0),  # LC: U+22C4D
    # EACC hangul: the LC table maps these to standard Unicode (an ancient
    # hangul letter, and a syllable unified with EACC 6F5658); pymarc keeps
    # LC's older private-use assignments.  This changes decoded text.
    (0x31, 0x6F7625): (0xE8B1, 0),  # LC: U+318D
    (0x31, 0x6F773C): (0xE8CB, 0),  # LC: U+C717
}


class SourceError(RuntimeError):
    """The source tarball is missing, damaged or not the pinned one."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_tarball(dest: Path) -> Path:
    """Download the Debian orig tarball with apt-get into ``dest``."""
    work = Path(tempfile.mkdtemp(prefix="marc8-apt-"))
    try:
        parts = work / "sources.list.d"
        lists = work / "lists"
        (lists / "partial").mkdir(parents=True)
        parts.mkdir()
        (work / "sources.list").write_text("")
        (parts / "debian-src.sources").write_text(
            "Types: deb-src\n"
            "URIs: http://deb.debian.org/debian\n"
            f"Suites: {DEBIAN_SUITE}\n"
            "Components: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )
        opts = [
            "-o", f"Dir::Etc::SourceList={work / 'sources.list'}",
            "-o", f"Dir::Etc::SourceParts={parts}",
            "-o", f"Dir::State::Lists={lists}",
            "-o", "APT::Sandbox::User=root",
        ]
        subprocess.run(["apt-get", *opts, "-qq", "update"], check=True)
        download = work / "download"
        download.mkdir()
        # Only the orig tarball is needed; apt-get may still fail on the
        # other parts of the source package, so its exit status is ignored
        # and the tarball is checked by its sha256 instead.
        proc = subprocess.run(
            ["apt-get", *opts, "-qq", "source", "--download-only",
             f"{DEBIAN_SOURCE}={DEBIAN_VERSION}"],
            cwd=download,
            check=False,
            capture_output=True,
            text=True,
        )
        got = download / TARBALL_NAME
        if not got.is_file():
            raise SourceError(
                f"apt-get did not download {TARBALL_NAME}:\n{proc.stderr[-2000:]}"
            )
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / TARBALL_NAME
        shutil.copyfile(got, target)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def read_members(tarball: Path) -> tuple[bytes, bytes]:
    """Return the bytes of codetables.xml and additional-iii-characters.xml."""
    digest = sha256_file(tarball)
    if digest != TARBALL_SHA256:
        raise SourceError(
            f"{tarball}: sha256 {digest} is not the pinned {TARBALL_SHA256}"
        )
    with tarfile.open(tarball, "r:gz") as tar:
        out = []
        for name in (CODETABLES_MEMBER, III_MEMBER):
            member = tar.extractfile(name)
            if member is None:
                raise SourceError(f"{tarball}: no file {name}")
            out.append(member.read())
    return out[0], out[1]


def _text(elem: ET.Element, tag: str) -> str:
    child = elem.find(tag)
    if child is None or child.text is None:
        return ""
    return child.text.strip()


def _label(text: str) -> str:
    """A character name squeezed onto one line for a comment."""
    return re.sub(r"\s+", " ", text).strip()


class Charset:
    def __init__(self, iso: int, name: str) -> None:
        self.iso = iso
        self.name = name
        # code -> (code point, combining flag, label)
        self.entries: dict[int, tuple[int, int, str]] = {}


def parse_codetables(data: bytes) -> list[Charset]:
    root = ET.fromstring(data)
    charsets = []
    for cs_elem in root.iter("characterSet"):
        cs = Charset(int(cs_elem.get("ISOcode"), 16), _label(cs_elem.get("name")))
        for code in cs_elem.iter("code"):
            key = int(_text(code, "marc"), 16)
            ucs = _text(code, "ucs")
            alt = _text(code, "alt")
            is_half = (
                code.find("marc_left_half") is not None
                or code.find("marc_right_half") is not None
            )
            chosen = alt if (is_half or not ucs) else ucs
            if not chosen:
                raise SourceError(f"charset {cs.iso:02X}: code {key:X} has no mapping")
            combining = 1 if _text(code, "isCombining").lower() == "true" else 0
            if key in cs.entries:
                raise SourceError(f"charset {cs.iso:02X}: code {key:X} listed twice")
            cs.entries[key] = (int(chosen, 16), combining, _label(_text(code, "name")))
        charsets.append(cs)
    if len({cs.iso for cs in charsets}) != len(charsets):
        raise SourceError("a character set is listed twice")
    return charsets


def parse_iii(data: bytes) -> dict[int, tuple[int, str]]:
    root = ET.fromstring(data)
    odd = {}
    for code in root.iter("code"):
        odd[int(_text(code, "marc"), 16)] = (
            int(_text(code, "ucs"), 16),
            _label(_text(code, "name")),
        )
    return odd


def apply_overrides(charsets: list[Charset]) -> None:
    by_iso = {cs.iso: cs for cs in charsets}
    for (iso, key), value in OVERRIDES.items():
        cs = by_iso[iso]
        if key not in cs.entries:
            raise SourceError(f"override for {iso:02X}/{key:X}: not in the source")
        if value is None:
            del cs.entries[key]
            continue
        old_cp, _, label = cs.entries[key]
        if (old_cp, cs.entries[key][1]) == value:
            raise SourceError(f"override for {iso:02X}/{key:X} changes nothing")
        cs.entries[key] = (value[0], value[1], f"{label} [pymarc value; LC: U+{old_cp:04X}]")


def _hex(value: int, width: int) -> str:
    return f"0x{value:0{width}X}"


def render(charsets: list[Charset], odd: dict[int, tuple[int, str]]) -> str:
    lines = [
        "# GENERATED FILE - DO NOT EDIT.",
        "# Generator: tools/gen_marc8_mapping.py (edit it and regenerate instead).",
        "# Source: Library of Congress MARC-8 code tables (codetables.xml) and the",
        "#   III additions (additional-iii-characters.xml), as shipped in the Debian",
        f"#   source package {DEBIAN_SOURCE} {DEBIAN_VERSION} ({DEBIAN_SUITE}):",
        f"#   {TARBALL_NAME} (sha256 {TARBALL_SHA256[:16]}...),",
        f"#   members {CODETABLES_MEMBER}",
        f"#   and {III_MEMBER}.",
        f"# {len(OVERRIDES)} entries follow pymarc 5.4.0 instead of the LC source; they",
        "#   are marked 'pymarc value' below and explained in the generator.",
        "",
        '"""MARC-8 character set tables.',
        "",
        "Each ``CHARSET_xx`` dict maps a MARC-8 code (one byte, or three bytes",
        "packed big-endian for EACC) to ``(unicode code point, combining flag)``.",
        "``CODESETS`` maps the final byte of a charset's escape sequence to its",
        "table, and ``ODD_MAP`` holds vendor codes outside the standard tables.",
        '"""',
        "",
    ]
    for cs in charsets:
        width = 6 if cs.iso == 0x31 else 2
        lines.append(f"CHARSET_{cs.iso:02X} = {{  # {cs.name}")
        for key in sorted(cs.entries):
            cp, flag, label = cs.entries[key]
            lines.append(f"    {_hex(key, width)}: ({_hex(cp, 4)}, {flag}),  # {label}")
        lines.append("}")
        lines.append("")
    lines.append("# ISO 2022 final byte of each charset's escape sequence -> its table.")
    lines.append("CODESETS = {")
    for cs in charsets:
        lines.append(f"    0x{cs.iso:02X}: CHARSET_{cs.iso:02X},")
    lines.append("}")
    lines.append("")
    lines.append("# Three-byte codes written by the III ILS -> unicode code point.")
    lines.append("ODD_MAP = {")
    for key in sorted(odd):
        cp, label = odd[key]
        lines.append(f"    {_hex(key, 6)}: {_hex(cp, 4)},  # {label}")
    lines.append("}")
    lines.append("")
    return "\n".join(lines)


def generate(tarball: Path) -> str:
    tables_xml, iii_xml = read_members(tarball)
    charsets = parse_codetables(tables_xml)
    apply_overrides(charsets)
    return render(charsets, parse_iii(iii_xml))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--tarball", type=Path, help=f"path to {TARBALL_NAME}")
    src.add_argument(
        "--fetch", action="store_true",
        help="download the tarball with apt-get (Debian bookworm deb-src)",
    )
    parser.add_argument(
        "--keep", type=Path, default=None,
        help="with --fetch: folder to keep the downloaded tarball in",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true",
        help="do not write; exit 1 if --output differs from the generated text",
    )
    args = parser.parse_args(argv)

    tmp = None
    try:
        if args.fetch:
            dest = args.keep
            if dest is None:
                tmp = Path(tempfile.mkdtemp(prefix="marc8-src-"))
                dest = tmp
            tarball = fetch_tarball(dest)
        else:
            tarball = args.tarball
        text = generate(tarball)
    except (SourceError, OSError, subprocess.CalledProcessError) as exc:
        print(f"gen_marc8_mapping: {exc}", file=sys.stderr)
        return 2
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else ""
        if current != text:
            print(f"{args.output} is out of date; rerun the generator", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    tmp_out = args.output.with_name(args.output.name + ".tmp")
    tmp_out.write_text(text, encoding="utf-8")
    os.replace(tmp_out, args.output)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
