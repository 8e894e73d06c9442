"""The installed ``pymrrc`` command, run as a subprocess, on what is hard to
read: every subcommand on pymarc's damaged and oddly encoded test files
(and on a file cut short), pymarc's reader options given as flags,
``--from`` overriding detection, and ``--to parquet`` read back to the
records pymarc's reader gives."""

from __future__ import annotations

import gzip
import json
import re
import warnings
from collections import Counter
from pathlib import Path

import cli_support as cli
import data_support
import pymarc
import pytest

DAMAGED = ["bad_records.mrc", "bad_indicator.dat", "utf8_invalid.mrc", "utf8_errors.dat",
           "bad_marc8_escape.dat", "bad_eacc_encoding.dat", "testunimarc.dat", "regression45.dat",
           "cut-short"]


def pymarc_file(name: str, tmp_path: Path) -> Path:
    folder = data_support.pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    if name != "cut-short":
        return Path(folder) / name
    # Records, then one broken off in its directory.
    data = (Path(folder) / "test.dat").read_bytes()
    path = tmp_path / "cut-short.mrc"
    path.write_bytes(data + data[:40])
    return path


def reader_outcome(data: bytes, **options: object) -> list[pymarc.Record | None]:
    """What pymarc's reader yields for each record (``None``: rejected)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(pymarc.MARCReader(data, **options))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", DAMAGED)
def test_every_subcommand_on_damaged_records(tmp_path, name):
    path = pymarc_file(name, tmp_path)
    data = path.read_bytes()
    outcome = reader_outcome(data)
    records = [r for r in outcome if r is not None]
    rejected = len(outcome) - len(records)

    counted = json.loads(cli.run("count", path, "--json").stdout)
    assert (counted["records"], counted["rejected"]) == (len(records), rejected)

    report = tmp_path / "report.jsonl"
    validated = cli.run("validate", path, "--report", report, check=False)
    assert validated.returncode == (1 if rejected else 0), validated.stderr
    reported = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(r["record"], r["exception"], r["message"], r["offset"]) for r in reported] == [
        (number, cls, message, offset) for number, cls, message, _, offset in cli.pymarc_rejected(data)]

    # A job that writes records stops at a rejected one, and writes nothing.
    out = tmp_path / "out.xml"
    stopped = cli.run("convert", path, out, "--to", "xml", check=False)
    assert stopped.returncode == (1 if rejected else 0), stopped.stderr
    assert out.exists() == (not rejected)
    # MARC-8 conversion messages may come first, as pymarc prints them.
    assert len([line for line in stopped.stderr.decode().splitlines() if line.startswith("pymrrc")]) <= 1

    # --permissive: the records pymarc's reader yields, as its writers write them.
    assert cli.run("convert", path, "-", "--to", "json", "--permissive").stdout == \
        cli.pymarc_output(records, "json")
    # slice counts every record read, rejected ones too.
    # (Read afresh: pymarc's as_marc sets leader/09 of the records it writes.)
    sliced = cli.run("slice", path, "--offset", 1, "--limit", 3, "--to", "marc", "--permissive").stdout
    assert sliced == cli.pymarc_output([r for r in reader_outcome(data)[1:4] if r is not None], "marc")
    matched = cli.run("grep", path, "--field", "245", "--regex", "[aeiou]", "--to", "text",
                      "--permissive").stdout
    vowel = re.compile("[aeiou]")
    expected_matches = cli.pymarc_output(
        [r for r in records if any(vowel.search(f.value()) for f in r.get_fields("245"))], "text")
    assert matched == expected_matches

    stats = json.loads(cli.run("stats", path, "--json").stdout)
    assert (stats["records"], stats["rejected"]) == (len(records), rejected)
    tags = Counter(f.tag for r in records for f in r.fields)
    assert {k: v["occurrences"] for k, v in stats["tags"].items()} == dict(tags)

    dumped = cli.run("dump", path).stdout.decode()
    assert dumped.count("# record ") == len(outcome)
    for record in records:
        assert str(record) in dumped

    # split keeps every byte, rejected records and trailing garbage too.
    cli.run("split", path, "--records", 2, "--prefix", tmp_path / "part-")
    parts = sorted(tmp_path.glob("part-*.mrc"))
    assert b"".join(p.read_bytes() for p in parts) == data


@pytest.mark.parametrize(
    "name, flags, options",
    [
        ("utf8_errors.dat", ["--force-utf8", "--utf8-handling", "replace"],
         {"force_utf8": True, "utf8_handling": "replace"}),
        ("utf8_invalid.mrc", ["--utf8-handling", "ignore"], {"utf8_handling": "ignore"}),
        ("utf8_invalid.mrc", ["--utf8-handling", "backslashreplace"], {"utf8_handling": "backslashreplace"}),
        ("1251.dat", ["--file-encoding", "cp1251"], {"file_encoding": "cp1251"}),
        ("marc8.dat", ["--force-utf8", "--utf8-handling", "replace"],
         {"force_utf8": True, "utf8_handling": "replace"}),
        ("utf8_without_leader_flag.dat", ["--force-utf8"], {"force_utf8": True}),
    ],
)
def test_reader_flags_read_as_pymarcs_options(tmp_path, name, flags, options):
    path = pymarc_file(name, tmp_path)
    outcome = reader_outcome(path.read_bytes(), **options)
    records = [r for r in outcome if r is not None]
    for fmt in ("xml", "text"):
        out = cli.run("convert", path, "-", "--to", fmt, "--permissive", "--hide-utf8-warnings",
                      *flags).stdout
        assert out == cli.pymarc_output(records, fmt), (fmt, flags)
    counted = json.loads(cli.run("count", path, "--json", *flags).stdout)
    assert counted["rejected"] == len(outcome) - len(records)


def test_from_overrides_detection(tmp_path):
    data = cli.SAMPLE.read_bytes()
    records = cli.pymarc_records(data)
    mrk_file = tmp_path / "sample.mrk"
    cli.run("convert", cli.SAMPLE, mrk_file, "--to", "mrk")
    # MARCMaker text on standard input, gzipped, named by --from.
    out = cli.run("convert", "-", "-", "--from", "mrk", "--to", "xml",
                  input=gzip.compress(mrk_file.read_bytes())).stdout
    assert out == cli.pymarc_output(list(pymarc.MARCMakerReader(str(mrk_file))), "xml")
    # MARC-in-JSON after blank lines (detected) and as --from json.
    document = b"\n\n" + cli.run("convert", cli.SAMPLE, "-", "--to", "json").stdout
    for extra in ([], ["--from", "json"]):
        got = cli.run("convert", "-", "-", "--to", "marc", *extra, input=document).stdout
        assert got == cli.pymarc_output(records, "marc")
    # ISO 2709 named as JSON: pymarc's JSONReader fails, so does the job, in one line.
    proc = cli.run("convert", cli.SAMPLE, "-", "--from", "json", check=False)
    assert proc.returncode == 1 and proc.stdout == b""
    assert len(proc.stderr.decode().strip().splitlines()) == 1


def test_parquet_reads_back_as_pymarcs_records(tmp_path):
    pytest.importorskip("pyarrow.parquet")
    from pymrrc import from_arrow

    folder = data_support.pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    bad = Path(folder) / "bad_records.mrc"

    def read_back(path: Path) -> list[bytes]:
        return [r.as_marc() for r in from_arrow(str(path))]

    sample = cli.SAMPLE.read_bytes()
    expected = [r.as_marc() for r in cli.pymarc_records(sample)]
    out = tmp_path / "one.parquet"
    cli.run("convert", cli.SAMPLE, out, "--to", "parquet")
    assert read_back(out) == expected
    # Several inputs, standard input and gzip: the records of all, in order.
    gz = tmp_path / "sample.mrc.gz"
    gz.write_bytes(gzip.compress(sample))
    both = tmp_path / "both.parquet"
    cli.run("convert", gz, "-", both, "--to", "parquet", "--layout", "long", input=sample)
    assert read_back(both) == expected + expected
    # A rejected record stops the job unless --permissive.
    failed = tmp_path / "bad.parquet"
    proc = cli.run("convert", bad, failed, "--to", "parquet", check=False)
    assert proc.returncode == 1 and not failed.exists()
    cli.run("convert", bad, failed, "--to", "parquet", "--permissive")
    assert read_back(failed) == [r.as_marc() for r in cli.pymarc_records(bad.read_bytes())]


def test_every_subcommand_reads_several_inputs_in_order(tmp_path):
    data = cli.SAMPLE.read_bytes()
    gz = tmp_path / "sample.mrc.gz"
    gz.write_bytes(gzip.compress(data))
    inputs = [cli.SAMPLE, gz]
    records = cli.pymarc_records(data)
    n = len(records)
    assert json.loads(cli.run("count", *inputs, "--json").stdout)["records"] == 2 * n
    assert cli.run("validate", *inputs).stdout.decode().strip() == f"{2 * n} records read, 0 rejected"
    assert json.loads(cli.run("stats", *inputs, "--json").stdout)["records"] == 2 * n
    assert cli.run("dump", *inputs).stdout.decode().count("# record ") == 2 * n
    # A slice across the boundary between the inputs.
    across = cli.run("slice", *inputs, "--offset", n - 5, "--limit", 10).stdout
    assert across == b"".join(r.as_marc() for r in records[n - 5:] + records[:5])
    matched = cli.run("grep", *inputs, "--field", "001", "--regex", "0$").stdout
    once = [r.as_marc() for r in records if r["001"] is not None and r["001"].data.endswith("0")]
    assert matched == b"".join(once + once)
    cli.run("split", *inputs, "--records", 100, "--prefix", tmp_path / "p-")
    parts = sorted(tmp_path.glob("p-*.mrc"))
    assert len(parts) == 5 and b"".join(p.read_bytes() for p in parts) == data + data
