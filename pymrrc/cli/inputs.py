"""Opening the inputs of a ``pymrrc`` command: paths, ``-`` for standard
input, gzip by its magic bytes, and the input format (ISO 2709, MARCXML,
MARC-in-JSON or MARCMaker text) detected from the first bytes or given.

A regular, uncompressed ISO 2709 file is handed to Rust by its path (read
and validated in parallel there); everything else is a binary stream.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import typing

from pymrrc.cli.errors import UsageError

#: The input formats, by their ``--from`` names.
INPUT_FORMATS = ("marc", "xml", "json", "mrk")
GZIP_MAGIC = b"\x1f\x8b"
_SNIFF = 256
_BOM = b"\xef\xbb\xbf"


class Input:
    """One opened input."""

    def __init__(self, name: str, format: str, path: str | None = None,
                 stream: typing.BinaryIO | None = None, size: int | None = None,
                 _owned: list[typing.Any] | None = None, raw: typing.Any = None) -> None:
        #: As given on the command line (``-`` for standard input).
        self.name: str = name
        #: ``marc``, ``xml``, ``json`` or ``mrk``.
        self.format: str = format
        #: The path, when Rust reads the file itself.
        self.path: str | None = path
        #: Otherwise the (decompressed) binary stream.
        self.stream: typing.BinaryIO | None = stream
        #: Bytes to read, when known (for progress).
        self.size: int | None = size
        #: What to close afterwards.
        self._owned: list[typing.Any] = [] if _owned is None else _owned
        #: The compressed file under a gzip stream (its position is progress).
        self.raw: typing.Any = raw

    @property
    def label(self) -> str:
        return "<stdin>" if self.name == "-" else self.name

    def position(self, fallback: int) -> int:
        """How far reading has got, in the bytes ``size`` counts."""
        if self.raw is not None:
            try:
                return int(self.raw.tell())
            except (OSError, ValueError):
                return fallback
        return fallback

    def close(self) -> None:
        for handle in reversed(self._owned):
            try:
                handle.close()
            except OSError:
                pass
        self._owned.clear()


def sniff(head: bytes) -> str:
    """The input format the first bytes look like."""
    text = head[len(_BOM):] if head.startswith(_BOM) else head
    text = text.lstrip()
    if text.startswith(b"<"):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    if text.startswith(b"="):
        return "mrk"
    return "marc"


def _peek(stream: typing.Any) -> bytes:
    """The first bytes of a stream that can peek, without consuming them."""
    head = b""
    try:
        head = bytes(stream.peek(_SNIFF)[:_SNIFF])
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise UsageError(f"cannot read {getattr(stream, 'name', 'input')}: {exc}") from exc
    return head


def open_input(name: str, forced: str | None = None) -> Input:
    """Opens ``name`` (``-``: standard input)."""
    if name == "-":
        stdin: typing.Any = sys.stdin.buffer
        buffered = stdin if hasattr(stdin, "peek") else io.BufferedReader(stdin)
        return _from_stream(name, buffered, None, [], forced)
    try:
        info = os.stat(name)
        handle = open(name, "rb")  # noqa: SIM115 - kept open in the Input
    except OSError as exc:
        raise UsageError(f"cannot open {name}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        handle.close()
        raise UsageError(f"cannot open {name}: Is a directory")
    regular = stat.S_ISREG(info.st_mode)
    size = info.st_size if regular else None
    head = _peek(handle)
    if head.startswith(GZIP_MAGIC):
        opened = _from_stream(name, handle, size, [handle], forced)
        opened.raw = handle
        return opened
    fmt = forced or sniff(head)
    if fmt == "marc" and regular:
        handle.close()
        return Input(name=name, format=fmt, path=name, size=size)
    return Input(name=name, format=fmt, stream=handle, size=size, _owned=[handle], raw=handle)


def _from_stream(
    name: str, stream: typing.Any, size: int | None, owned: list[typing.Any], forced: str | None
) -> Input:
    head = _peek(stream)
    if head.startswith(GZIP_MAGIC):
        import gzip

        gz = gzip.GzipFile(filename=name, fileobj=stream, mode="rb")
        stream = io.BufferedReader(gz, buffer_size=1 << 20)
        owned = [*owned, gz, stream]
        head = _peek(stream)
    fmt = forced or sniff(head)
    return Input(name=name, format=fmt, stream=stream, size=size, _owned=owned)


def text_stream(binary: typing.BinaryIO) -> io.TextIOWrapper:
    """A UTF-8 text view of a binary input (MARC-in-JSON, MARCMaker)."""
    return io.TextIOWrapper(binary, encoding="utf-8", newline=None)
