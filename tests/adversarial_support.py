"""Building hostile ISO 2709 input and observing what a reader makes of it:
the helpers test_adversarial.py and test_adversarial_big.py share."""

from __future__ import annotations

import faulthandler

import pytest

from reader_items import describe, quiet  # noqa: F401 - for the test modules
from marc_bytes import build, entry, patch  # noqa: F401 (for the test modules)

# A test that takes longer than this is taken to hang: the watchdog dumps
# every thread's stack and ends the process.
WATCHDOG_S = 150


@pytest.fixture(autouse=True)
def watchdog():
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


# -- building records ------------------------------------------------------------


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
