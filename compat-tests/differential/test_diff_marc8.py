"""MARC-8: pymarc vs pymrrc, text decoding and whole records.

* Generated MARC-8 byte strings (hypothesis) covering every character set of
  ``CODESETS``, ``ODD_MAP`` codes, every escape form (G0 and G1
  designations, two-byte escapes, resets) and malformed escapes: the text,
  the stderr/stdout output and the exception (class and message) of
  ``marc8_to_unicode`` must be equal, and so must ``MARC8ToUnicode``'s state
  across calls.
* Every table entry, every combining mark before every base character, and
  pairs of marks before a sample of bases: the native decoder's NFC must be
  Python 3.11's (pymarc's) on everything the tables can produce.
* Whole MARC-8 records, from the UTF-8 corpus re-encoded as MARC-8
  (benchmarks/marc8_corpus.py) and generated ones, read through every reader
  backend (path, bytes, file object) and ``Record(data=...)``: the same
  records, ``as_marc()`` (also on untouched records), ``current_chunk`` and
  ``current_exception``, warnings, log and stderr.

PYMRRC_HYPOTHESIS_EXAMPLES sets max_examples (default 200).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import random
import unicodedata
from pathlib import Path

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py
import pytest
from hypothesis import given
from hypothesis import strategies as st

MAX_EXAMPLES = diff.MAX_EXAMPLES
SETTINGS = diff.hypothesis_settings()
REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("PYMRRC_CACHE", Path.home() / ".cache" / "marc-corpus"))
EACC = 0x31


def _mapping():
    import pymarc.marc8_mapping

    return pymarc.marc8_mapping


CODESETS = _mapping().CODESETS
ODD_MAP = _mapping().ODD_MAP
FINALS = sorted(CODESETS)


def code_bytes(final: int, code: int) -> bytes:
    return code.to_bytes(3, "big") if final == EACC else bytes([code])


def select(final: int, code: int) -> bytes:
    """An escape that makes ``code`` of set ``final`` decodable."""
    if final == EACC:
        return b"\x1b$1"
    if code > 0x80:
        return b"\x1b)" + bytes([final])
    return b"\x1b(" + bytes([final])


RESET = b"\x1b(B\x1b)E"

# ---------------------------------------------------------------------------
# Strategies.


def _escapes(final: int) -> list[bytes]:
    f = bytes([final])
    return [
        b"\x1b(" + f, b"\x1b," + f, b"\x1b$" + f, b"\x1b$," + f,
        b"\x1b)" + f, b"\x1b-" + f, b"\x1b$-" + f, b"\x1b" + f,
    ]


ANY_FINAL = st.one_of(st.sampled_from(FINALS), st.integers(0, 255))
ESCAPE = st.one_of(
    ANY_FINAL.flatmap(lambda f: st.sampled_from(_escapes(f))),
    st.sampled_from([b"\x1bs", b"\x1b", b"\x1b(", b"\x1b$", b"\x1b$,", b"\x1b)", b"\x1b-"]),
    st.binary(min_size=1, max_size=2).map(lambda b: b"\x1b" + b),
)


def _segment(final: int):
    """An escape choosing ``final`` (usually the right way) and characters of it."""
    codes = sorted(CODESETS[final])
    chars = st.lists(st.sampled_from(codes).map(lambda c: code_bytes(final, c)), max_size=6)
    g1 = final != EACC and codes[0] > 0x80
    right = st.just(b"\x1b$1" if final == EACC else (b"\x1b)" if g1 else b"\x1b(") + bytes([final]))
    return st.tuples(st.one_of(right, right, st.sampled_from(_escapes(final))), chars).map(
        lambda t: t[0] + b"".join(t[1])
    )


SEGMENT = st.sampled_from(FINALS).flatmap(_segment)
PIECE = st.one_of(
    SEGMENT,
    SEGMENT,
    ESCAPE,
    st.sampled_from(sorted(ODD_MAP)).map(lambda c: b"\x1b$1" + c.to_bytes(3, "big")),
    st.binary(max_size=4),
    st.sampled_from([b" ", b"a", b"\xe2", b"\xf2", b"\x1f", b"\x88", RESET]),
)
MARC8 = st.lists(PIECE, max_size=8).map(b"".join)

# ---------------------------------------------------------------------------
# Text decoding.


def _outcome(func, *args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = ("ok", func(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - compared
            result = ("raised", type(exc).__name__, str(exc))
    return result, out.getvalue(), err.getvalue()


def check_text(reference, target, data: bytes) -> None:
    for quiet in (False, True):
        ref = _outcome(reference.marc8.marc8_to_unicode, data, hide_utf8_warnings=quiet)
        got = _outcome(target.marc8.marc8_to_unicode, data, hide_utf8_warnings=quiet)
        assert got == ref, (data, quiet)


def test_generated_text(reference, target):
    @SETTINGS
    @given(data=MARC8)
    def check(data):
        check_text(reference, target, data)

    check()


def test_generated_converter_state(reference, target):
    """One converter fed several strings: state carries over, as in pymarc."""

    @SETTINGS
    @given(chunks=st.lists(MARC8, min_size=1, max_size=4),
           g0=st.one_of(st.sampled_from(FINALS), st.integers(0, 255)),
           g1=st.one_of(st.sampled_from(FINALS), st.integers(0, 255)),
           quiet=st.booleans())
    def check(chunks, g0, g1, quiet):
        ours = target.marc8.MARC8ToUnicode(G0=g0, G1=g1, quiet=quiet)
        ref = reference.marc8.MARC8ToUnicode(G0=g0, G1=g1, quiet=quiet)
        for chunk in chunks:
            assert _outcome(ours.translate, chunk) == _outcome(ref.translate, chunk), chunk
            assert (ours.g0, ours.g1) == (ref.g0, ref.g1), chunk

    check()


@pytest.mark.parametrize("final", FINALS)
def test_every_table_entry(reference, target, final):
    """Each entry alone, after its escape, then all of a set in one string."""
    pieces = []
    for code in sorted(CODESETS[final]):
        pieces.append(select(final, code) + code_bytes(final, code) + RESET + b" ")
    for start in range(0, len(pieces), 2000):
        check_text(reference, target, b"".join(pieces[start:start + 2000]))
    for piece in pieces[:300]:
        check_text(reference, target, piece)


def test_odd_map_codes(reference, target):
    for code in ODD_MAP:
        check_text(reference, target, b"\x1b$1" + code.to_bytes(3, "big") + b"\x1b(Bx")


def _entries():
    marks, bases = [], []
    for final, table in CODESETS.items():
        for code, (point, combining) in table.items():
            if code < 0x20 or 0x80 < code < 0xA0:
                continue  # dropped before lookup
            (marks if combining else bases).append((final, code, chr(point)))
    return marks, bases


def _native_vs_nfc(target, items):
    """Decode MARC-8 snippets in batches with the target and compare with
    Python's NFC of the characters the tables give (pymarc's definition)."""
    for start in range(0, len(items), 20000):
        batch = items[start:start + 20000]
        data = b"".join(b for b, _ in batch)
        expected = unicodedata.normalize("NFC", "".join(t for _, t in batch))
        got = target.marc8.marc8_to_unicode(data)
        if got != expected:
            for b, t in batch:
                assert target.marc8.marc8_to_unicode(b) == unicodedata.normalize("NFC", t), b
        assert got == expected


def test_nfc_every_mark_on_every_base(target):
    marks, bases = _entries()
    items = []
    for mf, mc, mark in marks:
        head = select(mf, mc) + code_bytes(mf, mc)
        for bf, bc, base in bases:
            items.append((head + select(bf, bc) + code_bytes(bf, bc) + RESET + b" ",
                          base + mark + " "))
    assert len(items) > 900_000
    _native_vs_nfc(target, items)


def test_nfc_two_marks(target):
    marks, bases = _entries()
    rng = random.Random(4)
    sample = [b for b in bases if b[0] != EACC] + rng.sample([b for b in bases if b[0] == EACC], 50)
    sample = rng.sample(sample, 120)
    items = []
    for m1 in marks:
        for m2 in marks:
            head = b"".join(select(f, c) + code_bytes(f, c) for f, c, _ in (m1, m2))
            for bf, bc, base in sample:
                items.append((head + select(bf, bc) + code_bytes(bf, bc) + RESET + b" ",
                              base + m1[2] + m2[2] + " "))
    _native_vs_nfc(target, items)


# ---------------------------------------------------------------------------
# Whole records.


def _marc8_corpus_module():
    spec = importlib.util.spec_from_file_location(
        "pymrrc_bench_marc8_corpus", REPO / "benchmarks" / "marc8_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus_marc8(tmp_path_factory) -> Path:
    source = CORPUS / "loc-10000.mrc"
    if not source.exists():
        pytest.skip(f"corpus slice {source} not found")
    out = tmp_path_factory.mktemp("marc8") / "loc-marc8.mrc"
    written, _ = _marc8_corpus_module().make_marc8_file(source, out, limit=1500)
    assert written == 1500
    return out


def _lazy_view(module, source, **options) -> list:
    """Per item: as_marc() and title taken first, on untouched records,
    then str(); with the reader's chunk/exception and stderr."""
    items = []
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        reader = module.MARCReader(source, **options)
        for record in reader:
            chunk = reader.current_chunk
            if record is None:
                items.append((None, chunk, diff.observe(lambda: repr(reader.current_exception))))
                continue
            items.append((diff.observe(record.as_marc), diff.observe(lambda record=record: record.title),
                          str(record), str(record.leader), chunk))
    return items + [err.getvalue()]


MARC8_OPTIONS = [{}, {"hide_utf8_warnings": True}]


@pytest.mark.parametrize("options", MARC8_OPTIONS, ids=["default", "hide"])
@pytest.mark.parametrize("backend", ["path", "bytes", "file"])
def test_corpus_records(reference, target, corpus_marc8, backend, options):
    data = corpus_marc8.read_bytes()
    with open(corpus_marc8, "rb") as fh:
        ref = list(diff.iter_snapshots(reference, fh, max_items=len(data) + 2, **options))
    if backend == "path":
        got = list(diff.iter_snapshots(target, str(corpus_marc8), max_items=len(data) + 2, **options))
    elif backend == "bytes":
        got = list(diff.iter_snapshots(target, data, **options))
    else:
        with open(corpus_marc8, "rb") as fh:
            got = list(diff.iter_snapshots(target, fh, max_items=len(data) + 2, **options))
    diff.assert_same(ref, got, f"MARC-8 corpus via {backend} with {options}")


@pytest.mark.parametrize("backend", ["path", "bytes", "file"])
def test_corpus_records_untouched(reference, target, corpus_marc8, backend):
    data = corpus_marc8.read_bytes()
    with open(corpus_marc8, "rb") as fh:
        ref = _lazy_view(reference, fh)
    if backend == "path":
        got = _lazy_view(target, str(corpus_marc8))
    elif backend == "bytes":
        got = _lazy_view(target, data)
    else:
        with open(corpus_marc8, "rb") as fh:
            got = _lazy_view(target, fh)
    assert len(got) == len(ref)
    for i, (a, b) in enumerate(zip(ref, got)):
        assert a == b, (i, diff.first_difference(a, b))


def test_corpus_is_decoded_natively(target, corpus_marc8):
    """The re-encoded corpus takes the native path (records stay lazy)."""
    reader = target.MARCReader(str(corpus_marc8))
    assert all(record._is_lazy for record in reader)


# Generated records: MARC-8 subfield values, ASCII control fields, indicators.
VALUE = MARC8.map(lambda b: b.replace(b"\x1d", b"").replace(b"\x1e", b"").replace(b"\x1f", b""))
SUBFIELD = st.tuples(st.sampled_from(b"abcz6"), VALUE).map(lambda t: bytes([t[0]]) + t[1])
DATA_FIELD = st.tuples(
    st.sampled_from([b"100", b"245", b"260", b"650", b"880"]),
    st.sampled_from([b"10", b"  ", b"0", b"123"]),
    st.lists(SUBFIELD, max_size=4),
).map(lambda t: (t[0], t[1] + b"".join(diff.SF + s for s in t[2])))
CONTROL_FIELD = st.tuples(
    st.sampled_from([b"001", b"005", b"008"]),
    st.binary(max_size=12).map(lambda b: b.replace(b"\x1d", b"").replace(b"\x1e", b"")),
)
RECORD = st.lists(st.one_of(CONTROL_FIELD, DATA_FIELD, DATA_FIELD), min_size=1, max_size=5).map(
    lambda fields: diff.encode_record(b"00000nam  2200000   4500", fields)
)


def test_generated_records(reference, target, tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")

    @SETTINGS
    @given(records=st.lists(RECORD, min_size=1, max_size=3))
    def check(records):
        data = b"".join(records)
        path = folder / "records.mrc"
        path.write_bytes(data)
        for options in MARC8_OPTIONS:
            ref = diff.snapshot(reference, data, **options)
            diff.assert_same(ref, diff.snapshot(target, data, **options), f"{data!r} {options}")
            got = list(diff.iter_snapshots(target, str(path), max_items=len(data) + 2, **options))
            diff.assert_same(ref, got, f"path {data!r} {options}")
            assert _lazy_view(target, data, **options) == _lazy_view(reference, io.BytesIO(data), **options)
        for record in records:
            for quiet in (False, True):
                ref = _record_view(reference, record, quiet)
                assert _record_view(target, record, quiet) == ref, record

    check()


def _record_view(module, data: bytes, quiet: bool):
    """Record(data=...) then as_marc() first, and Record(data=...) observed."""
    with diff.capture_side_effects() as fx1:
        first = diff.observe(lambda: module.Record(data=data, hide_utf8_warnings=quiet).as_marc())
    with diff.capture_side_effects() as fx2:
        full = diff.observe(lambda: diff.observe_record(module.Record(data=data, hide_utf8_warnings=quiet)))
    return first, fx1, full, fx2


@pytest.mark.parametrize("name", ["marc8.dat", "test.dat", "marc.dat", "bad_eacc_encoding.dat",
                                  "bad_marc8_escape.dat", "1251.dat", "testunimarc.dat",
                                  "utf8_without_leader_flag.dat"])
@pytest.mark.parametrize("options", MARC8_OPTIONS, ids=["default", "hide"])
def test_pymarc_files_by_path(pymarc_test_dir, reference, target, name, options):
    """pymarc's MARC-8 fixtures through the path reader (the other backends
    are in test_diff_files), and untouched as_marc()."""
    path = pymarc_test_dir / name
    data = path.read_bytes()
    with open(path, "rb") as fh:
        ref = list(diff.iter_snapshots(reference, fh, max_items=len(data) + 2, **options))
    got = list(diff.iter_snapshots(target, str(path), max_items=len(data) + 2, **options))
    diff.assert_same(ref, got, f"{name} by path with {options}")
    assert _lazy_view(target, str(path), **options) == _lazy_view(reference, io.BytesIO(data), **options)
