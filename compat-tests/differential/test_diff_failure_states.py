"""pymarc vs pymrrc on records whose decoding fails part way: what the
record holds afterwards.

pymarc's ``decode_marc`` sets the leader as soon as it has read it and adds
fields one at a time, so a record that fails holds the leader and the fields
before the failing one (and the log lines about them were written). For
every one-byte change and every truncation of a few small records, and for
pymarc's own bad records, under several option sets:

* ``r = Record(); r.decode_marc(bad)``, also on a record that already had a
  field: the exception, then everything observable about ``r``;
* ``Record(data=bad)`` (the exact class, which pymrrc may keep lazy), with
  the record reached through the traceback's ``__init__`` frame, and a
  subclass whose ``__init__`` catches the exception;
* the log lines and warnings written on the way.
"""

from __future__ import annotations

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py

SF = diff.SF
OPTIONS = (
    {},
    {"to_unicode": False},
    {"force_utf8": True},
    {"utf8_handling": "replace"},
)
REPLACEMENTS = (b"\xff", b"x", b"\x1e", b"\x1f", b"0", b" ", b"\xc3")


def _small_records():
    """Small records covering control fields, data fields with and without
    two indicators, MARC-8 and UTF-8 text."""
    fields = [
        (b"001", b"ab1"),
        (b"245", b"10" + SF + b"aT\xc3\xa9" + SF + b"bs"),
        (b"500", SF + b"aN"),
        (b"650", b" 0" + SF + b"ax" + SF + b"vy"),
    ]
    return [
        diff.encode_record(b"00000nam a2200000   4500", fields),
        diff.encode_record(b"00000nam  2200000   4500", [fields[0], (b"245", b"00" + SF + b"a\xe1e")]),
    ]


def _mutations(record):
    seen = set()
    for position in range(len(record)):
        for byte in REPLACEMENTS:
            changed = record[:position] + byte + record[position + 1 :]
            if changed != record and changed not in seen:
                seen.add(changed)
                yield changed
    for length in range(len(record)):
        yield record[:length]


def _init_self(exc, lib):
    """The record ``Record.__init__`` was building when ``exc`` was raised."""
    tb = exc.__traceback__
    while tb is not None:
        candidate = tb.tb_frame.f_locals.get("self")
        if tb.tb_frame.f_code.co_name == "__init__" and isinstance(candidate, lib.Record):
            return candidate
        tb = tb.tb_next
    return None


def _observe_failure(lib, chunk, options):
    decode_options = dict(options)
    out = {}
    with diff.capture_side_effects() as effects:
        record = lib.Record()
        out["decode_marc"] = diff.observe(lambda: record.decode_marc(chunk, **decode_options))
        out["after_decode_marc"] = diff.observe_record(record)
    out["decode_marc_effects"] = effects

    with diff.capture_side_effects() as effects:
        record = lib.Record()
        record.add_field(lib.Field("999", data="kept"))
        out["appended"] = diff.observe(lambda: record.decode_marc(chunk, **decode_options))
        out["after_appended"] = diff.observe_record(record)

    with diff.capture_side_effects() as effects:
        try:
            made = lib.Record(data=chunk, **options)
        except Exception as exc:  # noqa: BLE001 - the failure is the result
            out["init"] = ("raised",) + diff._exc(exc)
            state = _init_self(exc, lib)
            out["after_init"] = None if state is None else diff.observe_record(state)
        else:
            out["init"] = ("ok", diff.observe_record(made))
    out["init_effects"] = effects

    class Catching(lib.Record):
        __slots__ = ()

        def __init__(self, data, **kwargs):
            try:
                super().__init__(data=data, **kwargs)
            except Exception as exc:  # noqa: BLE001
                self.pos = diff._exc(exc)

    with diff.capture_side_effects():
        out["subclass"] = diff.observe(lambda: diff.observe_record(Catching(chunk, **options)))
    return out


def _compare(reference, target, chunks, options, label):
    failures = 0
    for index, chunk in enumerate(chunks):
        ref = _observe_failure(reference, chunk, options)
        got = _observe_failure(target, chunk, options)
        failures += ref["decode_marc"][0] == "raised"
        assert got == ref, diff.first_difference(ref, got, f"{label} {index} {chunk!r}")
    return failures


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "defaults")
@pytest.mark.parametrize("which", [0, 1])
def test_every_one_byte_change_and_truncation(reference, target, options, which):
    record = _small_records()[which]
    failures = _compare(reference, target, list(_mutations(record)), options, "mutation")
    # The point is failing part way: most of these must fail.
    assert failures > 100


@pytest.mark.parametrize("name", ["bad_records.mrc", "utf8_invalid.mrc", "bad_eacc_encoding.dat",
                                  "bad_marc8_escape.dat", "bad_subfield_code.dat", "bad_indicator.dat"])
@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "defaults")
def test_pymarc_bad_records(reference, target, pymarc_test_dir, name, options):
    data = (pymarc_test_dir / name).read_bytes()
    chunks = diff.split_records(data) or [data]
    _compare(reference, target, chunks, options, name)
