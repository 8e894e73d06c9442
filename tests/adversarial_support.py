"""Building hostile ISO 2709 input and observing what a reader makes of it:
the helpers test_adversarial.py and test_adversarial_big.py share."""

from __future__ import annotations

import faulthandler

import pytest

from reader_items import describe, quiet  # noqa: F401 - for the test modules

# A test that takes longer than this is taken to hang: the watchdog dumps
# every thread's stack and ends the process.
WATCHDOG_S = 150


@pytest.fixture(autouse=True)
def watchdog():
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# -- building records ------------------------------------------------------------


def entry(tag: bytes, length, offset) -> bytes:
    """One 12-byte directory entry; ``length``/``offset`` may be ``int`` or
    already formatted ``bytes`` (4 and 5 bytes)."""
    if isinstance(length, int):
        length = b"%04d" % length
    if isinstance(offset, int):
        offset = b"%05d" % offset
    assert len(tag) == 3 and len(length) == 4 and len(offset) == 5
    return tag + length + offset


def build(
    fields=(),
    entries=None,
    data=None,
    leader9=b"a",
    base=None,
    length=None,
    leader=None,
):
    """A record in transmission format.

    ``fields`` holds ``(tag, body)`` pairs (body without its terminator).
    ``entries``/``data`` replace the computed directory entries and the
    field data (without the record terminator); ``base``, ``length`` and
    ``leader`` replace those parts of the computed leader.
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
        b"%05dnam %s22%05d   4500" % (total % 100000, leader9, base_address % 100000)
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
    return data[:position] + replacement + data[position + len(replacement) :]


GOOD = build(
    [
        (b"001", b"adv0001"),
        (b"008", b"850101s1985    xx            000 0 eng d"),
        (b"100", b"1 \x1faAuthor, An,\x1fd1900-1990."),
        (b"245", b"10\x1faT\xc3\xaftle :\x1fbsubtitle."),
    ]
)
GOOD2 = build([(b"001", b"adv0002"), (b"245", b"00\x1faSecond.")])


# -- observing readers: tests/reader_items.py
