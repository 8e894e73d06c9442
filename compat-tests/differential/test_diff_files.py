"""pymarc vs pymrrc on every .dat/.mrc fixture of pymarc 5.4.0's test/ folder.

Each file is read with every option set of ``OPTION_SETS``; the snapshots
(see diffharness.snapshot) must be equal.  Combinations that decode MARC-8
records are out of scope until pymrrc supports MARC-8 (see
MARC8_DEPENDENT_FILES): they run in test_marc8_dependent_file, which reports
differences as failures (or, with PYMRRC_MARC8_IN_SCOPE=0, as xfail with
the first difference as the reason).
"""

from __future__ import annotations

import io

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py

#: Every binary MARC fixture in pymarc-5.4.0/test/ (checked by test_fixture_list).
PYMARC_TEST_FILES = (
    "1251.dat",
    "alphatag.dat",
    "bad_eacc_encoding.dat",
    "bad_indicator.dat",
    "bad_marc8_escape.dat",
    "bad_records.mrc",
    "bad_subfield_code.dat",
    "diacritic.dat",
    "marc.dat",
    "marc8-to-unicode.dat",
    "marc8.dat",
    "multi_isbn.dat",
    "one.dat",
    "regression45.dat",
    "test.dat",
    "testunimarc.dat",
    "utf8_errors.dat",
    "utf8_invalid.mrc",
    "utf8_with_leader_flag.dat",
    "utf8_without_leader_flag.dat",
)

#: Files holding records with leader/09 != 'a'.  Read with options that decode
#: such records as MARC-8 (to_unicode=True, force_utf8=False, default
#: file_encoding; see diff.options_decode_marc8) they need pymrrc's MARC-8
#: support (in scope by default; see diffharness.MARC8_IN_SCOPE).
MARC8_DEPENDENT_FILES = {
    "1251.dat": "cp1251 (Cyrillic) bytes in records marked MARC-8; the MARC-8 converter "
    "prints errors for them",
    "bad_eacc_encoding.dat": "MARC-8 record with a malformed EACC (CJK) sequence",
    "bad_marc8_escape.dat": "MARC-8 record with a bad escape sequence",
    "bad_records.mrc": "its two readable records are MARC-8",
    "bad_subfield_code.dat": "MARC-8 record (also has a non-ASCII subfield code)",
    "marc.dat": "20 MARC-8 records",
    "marc8.dat": "MARC-8 record with diacritics",
    "test.dat": "10 MARC-8 records",
    "testunimarc.dat": "UNIMARC record with blank leader/09, decoded as MARC-8",
    "utf8_without_leader_flag.dat": "UTF-8 data with blank leader/09, decoded as MARC-8",
}


def _cases(in_scope: bool):
    for name in PYMARC_TEST_FILES:
        for opt_name, options in diff.OPTION_SETS.items():
            pending = name in MARC8_DEPENDENT_FILES and diff.options_decode_marc8(options)
            if pending != in_scope:
                yield pytest.param(name, opt_name, id=f"{name}-{opt_name}")


def _read(pymarc_test_dir, name: str) -> bytes:
    return (pymarc_test_dir / name).read_bytes()


def test_fixture_list(pymarc_test_dir):
    """PYMARC_TEST_FILES is exactly the set of .dat/.mrc files in the sdist."""
    found = sorted(p.name for p in pymarc_test_dir.iterdir() if p.suffix in (".dat", ".mrc"))
    assert found == sorted(PYMARC_TEST_FILES)


def test_marc8_dependent_files_constant(pymarc_test_dir, reference):
    """MARC8_DEPENDENT_FILES lists exactly the files whose reading needs MARC-8."""
    needing = set()
    for name in PYMARC_TEST_FILES:
        snap = diff.snapshot(reference, _read(pymarc_test_dir, name))
        if diff.snapshot_needs_marc8(snap, {}):
            needing.add(name)
    assert needing == set(MARC8_DEPENDENT_FILES)


@pytest.mark.parametrize(("name", "opt_name"), list(_cases(in_scope=True)))
def test_file(pymarc_test_dir, reference, target, name, opt_name):
    data = _read(pymarc_test_dir, name)
    options = diff.OPTION_SETS[opt_name]
    ref = diff.snapshot(reference, data, **options)
    got = diff.snapshot(target, data, **options)
    diff.assert_same(ref, got, f"{name} with {options}")


@pytest.mark.parametrize("name", PYMARC_TEST_FILES)
@pytest.mark.parametrize("source", ["bytes", "file"])
def test_file_other_sources(pymarc_test_dir, reference, target, name, source):
    """MARCReader also takes raw bytes, and real (buffered) files."""
    data = _read(pymarc_test_dir, name)
    options = {"to_unicode": False} if name in MARC8_DEPENDENT_FILES else {}

    def read(module):
        if source == "bytes":
            return list(diff.iter_snapshots(module, data, **options))
        with open(pymarc_test_dir / name, "rb") as fh:
            return list(diff.iter_snapshots(module, fh, max_items=len(data) + 2, **options))

    ref, got = read(reference), read(target)
    diff.assert_same(ref, got, f"{name} as {source} with {options}")


@pytest.mark.parametrize(("name", "opt_name"), list(_cases(in_scope=False)))
def test_marc8_dependent_file(pymarc_test_dir, reference, target, name, opt_name):
    """MARC-8 decoding paths: reported, not failed, until MARC-8 support lands."""
    data = _read(pymarc_test_dir, name)
    options = diff.OPTION_SETS[opt_name]
    ref = diff.snapshot(reference, data, **options)
    got = diff.snapshot(target, data, **options)
    if ref != got:
        message = diff.describe_mismatch(ref, got, f"{name} with {options}",
                                         with_chunk=diff.MARC8_IN_SCOPE)
        if diff.MARC8_IN_SCOPE:
            pytest.fail(message)
        pytest.xfail(f"MARC-8 pending ({MARC8_DEPENDENT_FILES[name]}): {message}")


def test_snapshot_sees_everything(pymarc_test_dir, reference):
    """Guard the harness: a snapshot must notice a changed value or warning."""
    data = _read(pymarc_test_dir, "utf8_invalid.mrc")
    snap = diff.snapshot(reference, data)
    assert snap[-1]["kind"] == "end"
    assert any(item["kind"] == "record" for item in snap)
    bad_subfield = diff.snapshot(reference, _read(pymarc_test_dir, "bad_subfield_code.dat"),
                                 to_unicode=False)
    assert bad_subfield[0]["warnings"], "BadSubfieldCodeWarning not captured"
    bad_indicator = diff.snapshot(reference, _read(pymarc_test_dir, "bad_indicator.dat"))
    assert any(item["log"] for item in bad_indicator), "pymarc log records not captured"
    marc8_errors = diff.snapshot(reference, _read(pymarc_test_dir, "1251.dat"))
    assert any(item["stderr"] for item in marc8_errors), "stderr output not captured"
    mutated = io.BytesIO(data.replace(b"a", b"b", 1)).getvalue()
    assert diff.snapshot(reference, mutated) != snap
