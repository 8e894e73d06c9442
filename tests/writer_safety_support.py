"""Records and helpers shared by test_writer_safety.py and
test_writer_safety_failures.py: 3,000 raw records, the same records read
by each library (the ``both`` fixture), and how a call's outcome is
compared (``_outcome``: ``"ok"``, or the exception's class, errno,
``str()`` and ``args``).
"""

from __future__ import annotations

from pathlib import Path

import pymarc
import pytest

import pymrrc
from marc_bytes import build  # noqa: F401 (for the test modules)

REPO = Path(__file__).resolve().parents[1]


# -- records ---------------------------------------------------------------------


def raw_record(i: int) -> bytes:
    notes = [
        (b"500", b"  \x1faNote %d.%d \xc3\xa9\xe2\x80\x94 " % (i, j) + b"x" * (i % 97))
        for j in range(1 + i % 7)
    ]
    return build(
        [
            (b"001", b"safe%06d" % i),
            (b"008", b"850101s1985    xx            000 0 eng d"),
            (b"100", b"1 \x1faAuthor %d,\x1fd1900-1990." % i),
            (b"245", b"10\x1faTitle %d :\x1fbsubtitle /\x1fcby someone." % i),
            *notes,
            (b"650", b" 0\x1faSubject %d\x1fxSubdivision." % (i % 13)),
        ]
    )


RAW = b"".join(raw_record(i) for i in range(3000))


def records(lib, count=3000):
    reader = lib.MARCReader(RAW)
    out = [next(reader) for _ in range(count)]
    assert all(record is not None for record in out)
    return out


@pytest.fixture(scope="module")
def both():
    """The same records as pymarc and as pymrrc objects."""
    theirs, ours = records(pymarc), records(pymrrc)
    assert [r.as_marc() for r in theirs] == [r.as_marc() for r in ours]
    return theirs, ours


def marc_of(recs):
    return b"".join(record.as_marc() for record in recs)


def _outcome(fn):
    try:
        fn()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the failure is the observation
        return (type(exc).__name__, getattr(exc, "errno", None), str(exc), exc.args)
