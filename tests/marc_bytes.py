"""Records in transmission format (ISO 2709) made by hand, for tests that
need exact bytes: well-formed ones, and damaged ones (a wrong directory,
base address, length or leader)."""

from __future__ import annotations


def _ascii(value: bytes | str) -> bytes:
    return value.encode("ascii") if isinstance(value, str) else value


def entry(tag: bytes | str, length: int | bytes, offset: int | bytes) -> bytes:
    """One 12-byte directory entry; ``length``/``offset`` may be ``int`` or
    already formatted ``bytes`` (4 and 5 bytes)."""
    if isinstance(length, int):
        length = b"%04d" % length
    if isinstance(offset, int):
        offset = b"%05d" % offset
    tag = _ascii(tag)
    assert len(tag) == 3 and len(length) == 4 and len(offset) == 5
    return tag + length + offset


def build(
    fields=(),
    leader9: bytes | str = b"a",
    status: bytes | str = b"n",
    *,
    entries=None,
    data=None,
    leader=None,
    base=None,
    length=None,
) -> bytes:
    """A record from ``(tag, body)`` pairs (``body`` without its field
    terminator, ``tag`` as ``bytes`` or ``str``).

    ``entries``/``data`` replace the computed directory entries (12-byte
    ``bytes`` each) and the field data (without the record terminator);
    ``leader`` is written over the start of the computed leader, ``base``
    and ``length`` over its base address and record length (5 bytes each).
    The computed numbers wrap at 100,000, so that the leader keeps 24 bytes.
    """
    directory = b""
    body = b""
    for tag, value in fields:
        value += b"\x1e"
        directory += entry(tag, len(value), len(body))
        body += value
    if entries is not None:
        directory = b"".join(entries)
    if data is not None:
        body = data
    directory += b"\x1e"
    body += b"\x1d"
    base_address = 24 + len(directory)
    total = base_address + len(body)
    head = bytearray(
        b"%05d%sam %s22%05d   4500"
        % (total % 100000, _ascii(status), _ascii(leader9), base_address % 100000)
    )
    if leader is not None:
        head[: len(leader)] = leader
    if base is not None:
        head[12:17] = base
    if length is not None:
        head[0:5] = length
    assert len(head) == 24
    return bytes(head) + directory + body


def patch(data: bytes, position: int, replacement: bytes) -> bytes:
    """``data`` with ``replacement`` written over it at ``position``."""
    return data[:position] + replacement + data[position + len(replacement) :]
