"""The installed ``pymrrc`` command, run as a subprocess, against pymarc
5.4.0 doing the same job: conversions byte for byte as pymarc's writers
write them, ``validate`` finding exactly the records pymarc's reader
yields ``None`` for, counts, slices, grep, statistics and dumps as a pymarc
script computes them; on the bundled sample, pymarc's own test files
(damaged records included), a slice of the LoC corpus and the benchmark's
MARC-8 corpus made from it."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import cli_support as cli
import data_support
import pytest

FORMATS = ["marc", "xml", "json", "jsonl", "text", "mrk"]
PYMARC_FILES = ["marc8.dat", "test.dat", "utf8_with_leader_flag.dat", "bad_records.mrc",
                "regression45.dat", "bad_subfield_code.dat", "1251.dat"]


def pymarc_file(name: str) -> Path:
    folder = data_support.pymarc_test_dir()
    if isinstance(folder, str):
        pytest.skip(folder)
    return folder / name


@pytest.fixture(scope="module")
def corpus() -> Path:
    path = data_support.corpus_slice(2000)
    if isinstance(path, str):
        pytest.skip(path)
    return Path(path)


@pytest.fixture(scope="module")
def marc8_corpus(tmp_path_factory, corpus) -> Path:
    module = data_support.load_by_path("pymrrc_marc8_corpus", cli.REPO / "benchmarks" / "marc8_corpus.py")
    out = tmp_path_factory.mktemp("marc8") / "marc8.mrc"
    module.make_marc8_file(corpus, out, 500)
    return out


def convert(tmp_path: Path, source: Path, fmt: str, *extra: str) -> bytes:
    out = tmp_path / f"out.{fmt}"
    cli.run("convert", source, out, "--to", fmt, "--permissive", "--hide-utf8-warnings", *extra)
    return out.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_converts_as_pymarc_writes(tmp_path, fmt):
    expected = cli.pymarc_output(cli.pymarc_records(cli.SAMPLE.read_bytes()), fmt)
    assert convert(tmp_path, cli.SAMPLE, fmt) == expected


@pytest.mark.parametrize("name", PYMARC_FILES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_pymarc_files_convert_as_pymarc_writes(tmp_path, name, fmt):
    path = pymarc_file(name)
    records = cli.pymarc_records(path.read_bytes(), hide_utf8_warnings=True)
    assert convert(tmp_path, path, fmt) == cli.pymarc_output(records, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_corpus_converts_as_pymarc_writes(tmp_path, corpus, marc8_corpus, fmt):
    for path in (corpus, marc8_corpus):
        records = cli.pymarc_records(path.read_bytes())
        assert convert(tmp_path, path, fmt) == cli.pymarc_output(records, fmt)


def test_marc8_to_utf8_and_back(tmp_path, marc8_corpus):
    """MARC-8 in, UTF-8 out (leader/09 'a'), then MARC-8 again: the MARC-8
    corpus is canonical, so it comes back byte for byte."""
    utf8 = tmp_path / "utf8.mrc"
    cli.run("convert", marc8_corpus, utf8, "--to", "marc")
    assert all(r.leader[9] == "a" for r in cli.pymarc_records(utf8.read_bytes()))
    back = tmp_path / "back.mrc"
    cli.run("convert", utf8, back, "--to", "marc", "--charset", "marc8")
    assert back.read_bytes() == marc8_corpus.read_bytes()


def test_utf8_to_marc8_reads_back_with_pymarc(tmp_path):
    out = tmp_path / "m8.mrc"
    proc = cli.run("convert", cli.SAMPLE, out, "--to", "marc", "--charset", "marc8")
    originals = cli.pymarc_records(cli.SAMPLE.read_bytes())
    back = cli.pymarc_records(out.read_bytes())
    assert len(back) == len(originals)
    references = 0
    for a, b in zip(originals, back):
        assert b.leader[9] == " "
        for fa, fb in zip(a.fields, b.fields):
            if "&#x" in str(fb):
                references += 1
            else:
                assert str(fb) == unicodedata.normalize("NFC", str(fa))
    if references:
        assert b"no MARC-8 form" in proc.stderr


@pytest.mark.parametrize("fmt", ["xml", "json", "mrk"])
def test_other_input_formats(tmp_path, fmt):
    """MARCXML, MARC-in-JSON and MARCMaker text in (detected), as pymarc
    reads them, out as pymarc writes them."""
    import pymarc

    source = tmp_path / f"in.{fmt}"
    cli.run("convert", cli.SAMPLE, source, "--to", fmt)
    if fmt == "xml":
        records = pymarc.parse_xml_to_array(str(source))
    elif fmt == "json":
        records = list(pymarc.JSONReader(source.read_text()))
    else:
        records = list(pymarc.MARCMakerReader(str(source)))
    for out_fmt in ("marc", "xml"):
        out = tmp_path / f"out.{out_fmt}"
        cli.run("convert", source, out, "--to", out_fmt)
        assert out.read_bytes() == cli.pymarc_output(records, out_fmt)


def test_marcxml_that_pymarc_reads_its_own_way(tmp_path):
    """MARCXML is read natively up to a record (or a document) pymarc
    builds in its own way; from there pymrrc's readers go on. The output is
    pymarc's either way."""
    import pymarc

    source = tmp_path / "in.xml"
    cli.run("convert", cli.SAMPLE, source, "--to", "xml")
    text = source.read_text()
    # The odd records come after some plain ones.
    half = text.index("<record>", len(text) // 2)
    odd = text[:half] + text[half:].replace('<datafield ind1="1" ind2="0" tag="245">',
                       '<datafield ind1="12" tag="245"><subfield code="ab">x</subfield></datafield>'
                       '<datafield ind1="1" ind2="0" tag="245">', 1)
    odd = odd[:half] + odd[half:].replace(
        '<controlfield tag="008">',
        '<datafield tag="008" ind1=" " ind2=" "><subfield code="a">x</subfield></datafield>'
        '<controlfield tag="008">', 3)
    doctype = '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE collection>' + text.split("?>", 1)[1]
    for name, document in (("odd", odd), ("doctype", doctype)):
        path = tmp_path / f"{name}.xml"
        path.write_text(document)
        records = pymarc.parse_xml_to_array(str(path))
        for fmt in ("marc", "json", "text"):
            out = tmp_path / f"{name}.{fmt}"
            cli.run("convert", path, out, "--to", fmt)
            assert out.read_bytes() == cli.pymarc_output(records, fmt), (name, fmt)
        assert json.loads(cli.run("count", path, "--json").stdout)["records"] == len(records)
    # A document that breaks off: pymarc's reader fails, so does the job.
    broken = tmp_path / "broken.xml"
    broken.write_text(text[: len(text) // 2])
    out = tmp_path / "broken.mrc"
    proc = cli.run("convert", broken, out, "--to", "marc", check=False)
    assert proc.returncode == 1 and b"cannot read it as xml" in proc.stderr
    assert not out.exists()


def test_marc_in_json_that_pymarc_reads_its_own_way(tmp_path):
    """MARC-in-JSON records are converted natively up to one pymarc builds
    in its own way (here a control field under a data field's tag, a
    number where text belongs), JSONReader goes on from there."""
    import pymarc

    source = tmp_path / "in.json"
    cli.run("convert", cli.SAMPLE, source, "--to", "json")
    data = json.loads(source.read_text())
    data[100]["fields"].append({"245": "a control field?"})
    data[150]["fields"][0] = {"001": ["not", "text"]}
    data[200]["fields"][0] = {"001": 12345}
    for cut, name in ((150, "odd"), (200, "odder"), (len(data), "oddest")):
        odd = tmp_path / f"{name}.json"
        odd.write_text(json.dumps(data[:cut]))
        for fmt in ("marc", "xml", "text"):
            out = tmp_path / f"{name}.{fmt}"
            proc = cli.run("convert", odd, out, "--to", fmt, check=False)
            try:
                expected = cli.pymarc_output(list(pymarc.JSONReader(odd.read_text())), fmt)
            except Exception:  # noqa: BLE001 - pymarc fails reading or writing: so must we
                assert proc.returncode == 1 and not out.exists(), (name, fmt, proc.stderr)
                continue
            assert proc.returncode == 0, proc.stderr
            assert out.read_bytes() == expected, (name, fmt)
    one = tmp_path / "one.json"
    one.write_text(json.dumps(data[0]))
    assert cli.run("convert", one, "-", "--to", "marc").stdout == cli.pymarc_output(
        list(pymarc.JSONReader(one.read_text())), "marc")


LEADER = "00000nam a2200000   4500"
ODD_JSON = [
    # A repeated key keeps its first place and its last value, as in a dict.
    '{"leader": "%s", "fields": [{"245": {"ind1": "1", "ind2": "0", "ind1": "2",'
    ' "subfields": [{"a": "x", "b": "y", "a": "z"}]}}, {"001": "a", "001": "b"}]}' % LEADER,
    # Keys pymarc does not read, a field object with two keys (the first counts).
    '[{"leader": "%s", "other": 1, "fields": [{"500": {"ind1": " ", "ind2": " ", "x": 2,'
    ' "subfields": []}, "600": "y"}]}]' % LEADER,
    # What Python's json reads and serde_json does not: a control character
    # in a string (strict=False), NaN.
    '[{"leader": "%s", "fields": [{"001": "a\tb	c"}]}]' % LEADER,
    '[{"leader": "%s", "fields": [{"001": NaN}]}]' % LEADER,
    # What JSONReader fails on: a missing indicator, fields that are not a list.
    '[{"leader": "%s", "fields": [{"245": {"ind1": " ", "subfields": []}}]}]' % LEADER,
    '[{"leader": "%s", "fields": "none"}]' % LEADER,
    '"just a string"',
    '[]',
]


@pytest.mark.parametrize("document", ODD_JSON)
def test_odd_marc_in_json_reads_as_pymarc_reads_it(tmp_path, document):
    import pymarc

    path = tmp_path / "odd.json"
    path.write_text(document)
    proc = cli.run("convert", path, "-", "--to", "marc", check=False)
    try:
        expected = cli.pymarc_output(list(pymarc.JSONReader(str(path))), "marc")
    except Exception:  # noqa: BLE001 - pymarc fails: so must we, in one line
        assert proc.returncode == 1 and proc.stdout == b"", proc.stderr
        assert len(proc.stderr.decode().strip().splitlines()) == 1
        return
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected


def test_validate_finds_what_pymarc_rejects(tmp_path):
    for name in ("bad_records.mrc", "bad_indicator.dat", "testunimarc.dat", "marc8.dat"):
        path = pymarc_file(name)
        expected = cli.pymarc_rejected(path.read_bytes())
        bad, report = tmp_path / "bad.mrc", tmp_path / "report.jsonl"
        proc = cli.run("validate", path, "--invalid-out", bad, "--report", report, check=False)
        assert proc.returncode == (1 if expected else 0), proc.stderr
        lines = [json.loads(line) for line in report.read_text().splitlines()]
        assert [(r["record"], r["exception"], r["message"]) for r in lines] == [e[:3] for e in expected]
        assert bad.read_bytes() == b"".join(e[3] for e in expected)
        for number, cls, message, _, offset in expected:
            line = f"record {number} at byte {offset}: {cls}: {message}"
            assert line.encode() in proc.stdout
            assert [r for r in lines if r["record"] == number][0]["offset"] == offset


def test_validate_finds_what_pymarc_rejects_in_damaged_corpus_records(tmp_path, corpus):
    """One byte of each record set to a value that breaks a number, a
    field's text or a subfield code, in records with text beyond ASCII and
    in the same records made all ASCII (which validate looks into least)."""
    import random

    data = corpus.read_bytes()
    chunks, at = [], 0
    while at < len(data) and len(chunks) < 300:
        length = int(data[at:at + 5])
        chunks.append(bytearray(data[at:at + length]))
        at += length
    rng = random.Random(17)
    for ascii_only in (False, True):
        damaged = []
        for chunk in chunks:
            chunk = bytearray(b if b < 0x80 else 0x65 for b in chunk) if ascii_only else bytearray(chunk)
            # Not the length or the end-of-record mark: framing holds.
            chunk[rng.randrange(5, len(chunk) - 1)] = rng.choice(b"x \x1f\x1e\x80\xc3\xe9\xff")
            damaged.append(bytes(chunk))
        path = tmp_path / "damaged.mrc"
        path.write_bytes(b"".join(damaged))
        expected = cli.pymarc_rejected(path.read_bytes())
        assert 10 < len(expected) < len(damaged)
        report = tmp_path / "report.jsonl"
        proc = cli.run("validate", path, "--report", report, check=False)
        assert proc.returncode == 1, proc.stderr
        lines = [json.loads(line) for line in report.read_text().splitlines()]
        assert [(r["record"], r["exception"], r["message"]) for r in lines] == [e[:3] for e in expected]


def test_count_matches_pymarc():
    names = ["bad_records.mrc", "marc.dat", "test.dat"]
    paths = [pymarc_file(n) for n in names]
    proc = cli.run("count", *paths, "--json")
    result = json.loads(proc.stdout)
    for entry, path in zip(result["files"], paths):
        data = path.read_bytes()
        assert entry["records"] == len(cli.pymarc_records(data))
        assert entry["rejected"] == len(cli.pymarc_rejected(data))
    assert result["records"] == sum(e["records"] for e in result["files"])
    table = cli.run("count", *paths).stdout.decode()
    assert table.splitlines()[-1].split()[-1] == "total"


def test_slice_and_grep_match_a_pymarc_script(tmp_path, corpus):
    records = cli.pymarc_records(corpus.read_bytes())
    part = cli.run("slice", corpus, "--offset", 100, "--limit", 50, "--to", "xml").stdout
    assert part == cli.pymarc_output(records[100:150], "xml")
    # Without --to: the records' own bytes.
    raw = cli.run("slice", corpus, "--offset", 1990, "--limit", 50).stdout
    assert raw == b"".join(r.as_marc() for r in records[1990:])
    pattern = re.compile("^The", re.IGNORECASE)

    def title_matches(r):
        return any(pattern.search(v) for f in r.get_fields("245") for v in f.get_subfields("a"))

    out = cli.run("grep", corpus, "--field", "245", "--subfield", "a", "--regex", "^The", "-i",
                  "--to", "json").stdout
    assert out == cli.pymarc_output([r for r in records if title_matches(r)], "json")
    out = cli.run("grep", corpus, "--field", "650", "--regex", "History", "--invert",
                  "--to", "text").stdout
    kept = [r for r in records if not any("History" in f.value() for f in r.get_fields("650"))]
    assert out == cli.pymarc_output(kept, "text")


def test_split_parts_put_together_are_the_input(tmp_path, corpus):
    # A file ending in garbage after a truncated record: kept too.
    source = tmp_path / "in.mrc"
    source.write_bytes(corpus.read_bytes() + b"00042broken")
    cli.run("split", source, "--records", 300, "--prefix", tmp_path / "r-")
    parts = sorted(tmp_path.glob("r-*.mrc"))
    assert len(parts) == 7
    assert b"".join(p.read_bytes() for p in parts) == source.read_bytes()
    assert [len(cli.pymarc_records(p.read_bytes())) for p in parts[:-1]] == [300] * 6
    gz = tmp_path / "in.mrc.gz"
    gz.write_bytes(gzip.compress(corpus.read_bytes()))
    cli.run("split", gz, "--bytes", "200K", "--prefix", tmp_path / "b-")
    parts = sorted(tmp_path.glob("b-*.mrc"))
    assert all(p.stat().st_size <= 200 * 1024 for p in parts)
    assert b"".join(p.read_bytes() for p in parts) == corpus.read_bytes()
    # Converted parts are whole documents.
    cli.run("split", corpus, "--records", 1000, "--to", "xml", "--prefix", tmp_path / "x-")
    xml_parts = sorted(tmp_path.glob("x-*.xml"))
    records = cli.pymarc_records(corpus.read_bytes())
    assert [p.read_bytes() for p in xml_parts] == [
        cli.pymarc_output(records[:1000], "xml"), cli.pymarc_output(records[1000:], "xml")]


def test_stats_match_a_pymarc_script(corpus):
    records = cli.pymarc_records(corpus.read_bytes())
    result = json.loads(cli.run("stats", corpus, "--json").stdout)
    tags: Counter[str] = Counter()
    having: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    for r in records:
        seen = Counter(f.tag for f in r.fields)
        tags.update(seen)
        having.update(seen.keys())
        for f in r.fields:
            if not f.control_field:
                codes.update(f"{f.tag}${s.code}" for s in f.subfields)
    assert result["records"] == len(records)
    assert {k: v["occurrences"] for k, v in result["tags"].items()} == dict(tags)
    assert {k: v["records"] for k, v in result["tags"].items()} == dict(having)
    assert {k: v["occurrences"] for k, v in result["subfields"].items()} == dict(codes)
    assert result["leader_06_07"] == dict(Counter(str(r.leader)[6:8] for r in records))
    assert result["leader_09"] == dict(Counter(str(r.leader)[9] for r in records))
    assert b"tag" in cli.run("stats", corpus).stdout


def test_dump_is_str_of_each_record():
    path = pymarc_file("bad_records.mrc")
    data = path.read_bytes()
    text = cli.run("dump", path, "--offsets").stdout.decode()
    reader_records = cli.pymarc_records(data)
    assert f"# record 1, offset 0\n{reader_records[0]}\n" in text
    assert "# record 4, offset 381: RecordDirectoryInvalid: Invalid directory\n" in text
    plain = cli.run("dump", cli.SAMPLE).stdout.decode()
    records = cli.pymarc_records(cli.SAMPLE.read_bytes())
    assert plain == "".join(f"# record {i}\n{r}\n" for i, r in enumerate(records, 1))


def test_parquet_through_the_columnar_export(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "sample.parquet"
    cli.run("convert", cli.SAMPLE, out, "--to", "parquet")
    assert pq.read_table(out).num_rows == len(cli.pymarc_records(cli.SAMPLE.read_bytes()))
