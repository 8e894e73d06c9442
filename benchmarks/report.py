"""Markdown from a suite run: the tables (results.md) and docs/PERFORMANCE.md.

    python benchmarks/report.py RESULTS_JSON   # rewrites docs/PERFORMANCE.md

Every number in the output is read from the results file; the prose around
them states the targets and compares, it does not assert numbers of its own.
"""

import json
import os
import shutil
import sys

import columnar_bench
import fields_bench
import scaling_bench

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# -- looking results up -----------------------------------------------------------
def _rows(results, group):
    return [row for row in results["cases"] if row["group"] == group]


def rate(results, group, label):
    """Records/second of one case, or None when the run did not measure it."""
    for row in _rows(results, group):
        if row["label"] == label:
            return row["rate"]
    return None


def rss(results, group, label):
    for row in _rows(results, group):
        if row["label"] == label:
            return row["peak_rss_mib"]
    return None


def _n(value):
    return "–" if value is None else f"{value:,.0f}"


def _x(numerator, denominator):
    if numerator is None or not denominator:
        return "–"
    return f"{numerator / denominator:.1f}x"


def _pct(numerator, denominator):
    if numerator is None or not denominator:
        return "–"
    return f"{100 * numerator / denominator:.0f}%"


# -- tables ------------------------------------------------------------------------
READ_LABELS = {
    "iterate": "iterate only",
    "title": "iterate + `title`",
    "values": "iterate + every field's `value()`",
    "as_marc": "iterate + `as_marc()`",
}


def read_table(results):
    out = [
        "| workload | pymarc, file object | pymrrc, file object | pymrrc, bytes | pymrrc, path "
        "| Rust ceiling | file object vs pymarc | path vs pymarc | path vs ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, name in READ_LABELS.items():
        base = rate(results, "read", f"{key} / pymarc file")
        f = rate(results, "read", f"{key} / pymrrc file")
        b = rate(results, "read", f"{key} / pymrrc bytes")
        p = rate(results, "read", f"{key} / pymrrc path")
        c = rate(results, "read", f"{key} / rust ceiling path")
        out.append(f"| {name} | {_n(base)} | {_n(f)} | {_n(b)} | {_n(p)} | {_n(c)} "
                   f"| {_x(f, base)} | {_x(p, base)} | {_pct(p, c)} |")
    return "\n".join(out)


def write_table(results):
    base = rate(results, "write", "MARCWriter / pymarc file")
    out = ["| writer | records/s | vs pymarc |", "|---|---:|---:|"]
    for label, name in (("MARCWriter / pymarc file", "pymarc `MARCWriter(file object)`"),
                        ("MARCWriter / pymrrc file", "pymrrc `MARCWriter(file object)`"),
                        ("MARCWriter / pymrrc path", "pymrrc `MARCWriter(path)`")):
        r = rate(results, "write", label)
        out.append(f"| {name} | {_n(r)} | {_x(r, base)} |")
    return "\n".join(out)


FORMAT_LABELS = (
    ("record_to_xml", "`record_to_xml` (untouched records)", "record_to_xml / pymrrc"),
    ("record_to_xml", "`record_to_xml` (fields already built)", "record_to_xml / pymrrc (fields built)"),
    ("parse_xml_to_array", "`parse_xml_to_array` (pymrrc builds fields on first use)", "parse_xml_to_array / pymrrc"),
    ("parse_xml_to_array + fields", "`parse_xml_to_array`, then every record's `fields`",
     "parse_xml_to_array + fields / pymrrc"),
    ("as_json", "`as_json` (untouched records)", "as_json / pymrrc"),
    ("as_json", "`as_json` (fields already built)", "as_json / pymrrc (fields built)"),
    ("JSONReader", "`JSONReader`", "JSONReader / pymrrc"),
)


def format_table(results):
    out = ["| operation | pymarc rec/s | pymrrc rec/s | ratio |", "|---|---:|---:|---:|"]
    for key, name, label in FORMAT_LABELS:
        base = rate(results, "formats", f"{key} / pymarc")
        r = rate(results, "formats", label)
        if r is not None:
            out.append(f"| {name} | {_n(base)} | {_n(r)} | {_x(r, base)} |")
    return "\n".join(out)


def marc8_table(results):
    rows = _rows(results, "marc8")
    if not rows:
        return ""
    base = rate(results, "marc8", "MARC-8 read / pymarc file")
    out = ["| reader | records/s | vs pymarc |", "|---|---:|---:|"]
    for row in rows:
        name = row["label"].split(" / ")[1].replace(" file", ", file object").replace(" path", ", path")
        out.append(f"| {name} | {_n(row['rate'])} | {_x(row['rate'], base)} |")
    return "\n".join(out)


def thread_counts(results):
    return results["settings"]["threads"]


def thread_table(results):
    counts = thread_counts(results)
    out = ["| case | " + " | ".join(f"{n} thread{'s' if n > 1 else ''}" for n in counts) + " |",
           "|---|" + "---:|" * len(counts)]
    from workloads import THREAD_CASES

    for name in THREAD_CASES:
        one = rate(results, "threads", f"{name} / {counts[0]}")
        cells = []
        for n in counts:
            r = rate(results, "threads", f"{name} / {n}")
            cells.append(f"{_n(r)} ({_x(r, one)})")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def memory_table(results):
    out = ["| case | records | peak RSS (MiB) |", "|---|---:|---:|"]
    for row in _rows(results, "memory"):
        out.append(f"| {row['label']} | {row['records']:,} | {row['peak_rss_mib']:,.0f} |")
    return "\n".join(out)


def machine_lines(results):
    m = results["machine"]
    return "\n".join([
        f"- date: {m['date']}; pymrrc commit `{m['pymrrc_commit']}`",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory_gib']} GiB; {m['os']}",
        f"- Python {m['python']}, {m['rustc']}, pymarc {m['pymarc']}, pymrrc {m['pymrrc']}",
        f"- corpus: `{m['corpus']}` (sha256 `{m['corpus_sha256']}`)",
        f"- command: `{results['settings']['command']}` (took {results['elapsed_s']:.0f} s)",
    ])


def tables(results):
    s = results["settings"]
    parts = [
        "## Machine\n\n" + machine_lines(results),
        f"## Reading ({s['records']:,} records, median of {s['repeat']})\n\n" + read_table(results),
        f"## Writing ({s['records']:,} records)\n\n" + write_table(results),
        f"## MARCXML and MARC-in-JSON ({s['format_records']:,} records)\n\n" + format_table(results),
    ]
    marc8 = marc8_table(results)
    if marc8:
        parts.append(f"## MARC-8 ({s['format_records']:,} records)\n\n" + marc8)
    repeats = s.get("thread_repeat", s["repeat"])
    parts.append(f"## Thread scaling (aggregate records/s, median of {repeats}, speedup over one thread)\n\n"
                 + thread_table(results))
    parts.append("## Memory\n\n" + memory_table(results))
    columnar = columnar_bench.table(results)
    if columnar:
        parts.append("## Columnar export (whole corpus, from a path)\n\n" + columnar
                     + "\n\n" + columnar_bench.targets(results))
    scaling = scaling_bench.table(results)
    if scaling:
        parts.append("## Scaling: pickling, partitions, Dask\n\n" + scaling
                     + "\n\n" + scaling_bench.targets(results))
    fields = fields_bench.table(results)
    if fields:
        parts.append("## Field access (file object)\n\n" + fields + "\n\n" + fields_bench.targets(results))
    cli = _cli_table(results)
    if cli:
        parts.append("## The pymrrc command, yaz-marcdump and pymarc scripts (whole corpus)\n\n" + cli)
    return "\n\n".join(parts) + "\n"


def _cli_table(results):
    sys.path.insert(0, HERE)
    import cli_jobs

    return cli_jobs.cli_table(results)


# -- docs/PERFORMANCE.md -----------------------------------------------------------
def _speedup(results, name, n):
    counts = thread_counts(results)
    one = rate(results, "threads", f"{name} / {counts[0]}")
    r = rate(results, "threads", f"{name} / {n}")
    return r / one if r and one else None


def _met(value, target):
    if value is None:
        return "not measured"
    return "met" if value >= target else "**not met**"


def targets_table(results):
    ceiling = rate(results, "read", "iterate / rust ceiling path")
    path = rate(results, "read", "iterate / pymrrc path")
    pool = rate(results, "threads", "path, default pool / 1")
    one = rate(results, "threads", "path, workers=1 / 1")
    rows = [
        ("pymrrc path, iterate only, as a share of the Rust ceiling", path / ceiling if path and ceiling else None, 0.9, "{:.0%}", "≥ 90%"),
        ("2 threads vs 1, `MARCReader(path, workers=1)`", _speedup(results, "path, workers=1", 2), 1.8, "{:.2f}x", "≥ 1.8x"),
        ("1 thread, default pool vs `workers=1`", pool / one if pool and one else None, 1.4, "{:.2f}x", "≥ 1.4x"),
        ("2 threads vs 1, file objects", _speedup(results, "file object", 2), 1.8, "{:.2f}x", "≥ 1.8x"),
        ("2 threads vs 1, `MARCWriter(path)` to disk", _speedup(results, "MARCWriter(path)", 2), 1.5, "{:.2f}x", "≥ 1.5x"),
        ("2 threads vs 1, `MARCWriter(path)` to tmpfs", _speedup(results, "MARCWriter(path), tmpfs", 2), 1.5, "{:.2f}x", "≥ 1.5x"),
        ("2 threads vs 1, `MARCWriter(file object)`", _speedup(results, "MARCWriter(file object)", 2), 1.5, "{:.2f}x", "≥ 1.5x"),
    ]
    out = ["| target | measured | goal | |", "|---|---:|---:|---|"]
    for name, value, goal, fmt, goal_text in rows:
        shown = "–" if value is None else fmt.format(value)
        out.append(f"| {name} | {shown} | {goal_text} | {_met(value, goal)} |")
    return "\n".join(out)


DOC_HEAD = """# Performance

<!-- Generated by benchmarks/suite.py (benchmarks/report.py); do not edit by hand. -->

Every number on this page comes from one run of the benchmark suite, with
pymarc and pymrrc measured in the same run on the same files, each case in a
fresh process, on a release build. To regenerate this page, its tables and
its plots from scratch on a fresh clone (the corpus is downloaded and checked
on first use):

```sh
make bench        # = make develop, then .venv/bin/python benchmarks/suite.py
```

Records/second are medians of the repetitions, each case having first run
once untimed (both libraries); peak memory is the case process's max RSS
(memory cases run once, with no such warm-up). The machine is shared and noisy: compare ratios within
this run rather than with numbers from other machines.
"""

DOC_READING = """
## Reading

*file object* is `MARCReader(open(path, "rb"))`, *bytes* is
`MARCReader(data)` and *path* is `MARCReader(path)` (Rust reads and parses
the file with the GIL released, on a pool sized to the machine). The *Rust
ceiling* is `rust/bench`'s `ceiling` binary doing the same framing and
validation through the same pipeline with no Python at all, plus the
workload's own work where it has a Rust counterpart (`values`: every
subfield's text is UTF-8 checked and split; `as_marc`: the record is
re-encoded). pymrrc hands out records lazily: a record costs one small
Python object until its fields are looked at, so *iterate only* measures
framing, validation and that object.
"""

DOC_THREADS = """
## Threads

Each Python thread reads its own copy of the {records:,}-record slice, or
writes the slice's records (read beforehand, not timed) to its own file;
the numbers are aggregate records/second over all threads, with the speedup
over one thread in brackets. The dashed line in the plot is perfect scaling
(linear up to the core count, flat after it); the vertical line marks the
machine's {cores} cores.

![Thread scaling](img/thread-scaling.png)

Where threads help and where they do not, on this machine:

- A single `MARCReader(path)` already uses more than one core: its
  background thread frames and validates while the Python thread builds
  records. With `workers=1` the second Python thread can only add the idle
  share of the cores, so two threads gain less than 2x on a 2-core
  machine; on a machine with more cores each reader gets its own.
- The default pool (no `workers=`) parses on all cores for one reader;
  several readers share the pool.
- File objects: pymrrc reads a large batch per GIL acquisition and parses
  it with the GIL released. To keep pymarc's stream position on a plain
  `open()` file it reads through the file's own buffer, made 512 KiB, and
  moves the file within it after each record, with no system call: one
  `read` per 512 KiB, where each refill of the file's usual 4 KiB buffer
  would release the GIL and hand it to the other thread every few records.
- `MARCWriter(path)` keeps a record nobody edited as a reference to the
  bytes it was read from, and encodes and writes about 1 MiB of them at a
  time with the GIL released. Each repetition writes new files (the old
  ones are deleted before the clock starts): overwriting a file makes the
  filesystem free the old one first, which on this machine's ext4 costs
  more than writing the records. *tmpfs* writes to `/dev/shm`.
- `MARCWriter(file object)` calls the file's `write()` once per record, as
  pymarc does, so that a writer that is never closed loses nothing; those
  calls hold the GIL, so threads writing to file objects do not gain. Give
  `MARCWriter` a path when you write in threads.
- Anything past the core count only adds contention.

| goal (from the project's issues) | measured | goal | |
|---|---:|---:|---|
"""

DOC_TAIL = """
## Reproducing a single number

`python benchmarks/case.py '<case JSON>'` runs one case (every case of
this run, with its JSON and all its timings, is in
[performance-results.json](performance-results.json)); `target/release/ceiling
FILE --workload iterate` runs the Rust ceiling alone; `cargo bench -p
pymrrc-bench` runs the criterion benches of the core (framing, validation,
field text, re-encoding) on the bundled sample, or on the file named by
`PYMRRC_BENCH_FILE`.
"""


WIDE_RESULTS = os.path.join("docs", "performance-results-16core.json")

DOC_WIDE = """
## Threads on a machine with more cores

The same thread cases (`python benchmarks/suite.py --only threads --slice
FILE`), run on a lent machine that this project's CI never uses, with the
same {records:,}-record slice; its results are in
[performance-results-16core.json](performance-results-16core.json).

Reading levels off at about 1.5 million records/s in all, whichever way
the work is split: every record still becomes a Python object under the
one GIL (about 0.3 to 0.4 µs of the calling thread's time per record on
the 2-core machine above, measured with `time.thread_time()`), so beyond
that, more threads cannot help within one process; several processes
(one file or slice each) can. That machine is shared too: two runs there
the same day differed by up to 1.5x on single cases (file object, one
thread: 348,046 and 226,212 records/s).

"""


def _wide_machine_section(root):
    """The thread table of the run on a machine with more cores, if any."""
    path = os.path.join(root, WIDE_RESULTS)
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        wide = json.load(handle)
    return (DOC_WIDE.format(records=wide["settings"]["records"]) + machine_lines(wide)
            + "\n\n" + thread_table(wide) + "\n")


def render(results, root=ROOT):
    s = results["settings"]
    m = results["machine"]
    targets = targets_table(results).split("\n", 2)[2]
    parts = [
        DOC_HEAD,
        "## Machine and run\n\n" + machine_lines(results) + "\n",
        DOC_READING,
        read_table(results) + "\n",
        "![Records per second by workload](img/throughput.png)\n",
        f"## Writing ({s['records']:,} records, read beforehand)\n\n" + write_table(results) + "\n",
        f"## MARCXML and MARC-in-JSON ({s['format_records']:,} records)\n\n"
        "The XML and JSON documents read here were written by pymarc.\n\n" + format_table(results) + "\n",
    ]
    marc8 = marc8_table(results)
    if marc8:
        parts.append(f"## MARC-8 ({s['format_records']:,} records)\n\n"
                     "A MARC-8 file made from the UTF-8 slice by `benchmarks/marc8_corpus.py` "
                     "(Basic Latin and ANSEL, combining marks before their base letter; records "
                     "with characters outside those sets are left out).\n\n" + marc8 + "\n")
    parts.append(DOC_THREADS.format(records=s["records"], cores=m["cores"]) + targets + "\n\n" + thread_table(results) + "\n")
    wide = _wide_machine_section(root)
    if wide:
        parts.append(wide)
    parts.append(
        "## Memory\n\n*list(reader)* holds every record of the slice; *stream* iterates "
        "without keeping records, over the slice and over the whole corpus: pymrrc's peak "
        "stays the same whatever the file size (the path backend keeps a bounded number "
        "of batches in flight; see docs/threading.md).\n\n" + memory_table(results) + "\n"
    )
    columnar = columnar_bench.table(results)
    if columnar:
        parts.append(
            "## Arrow and Parquet export\n\n`pymrrc.to_parquet` and `pymrrc.to_arrow` on the whole "
            "corpus from a path, against pymarc's plain read of the same file through a file "
            "object (and marctable, which reads through pymarc, when it is installed); see "
            "[columnar.md](columnar.md).\n\n" + columnar + "\n\n" + columnar_bench.targets(results) + "\n"
        )
    scaling = scaling_bench.table(results)
    if scaling:
        parts.append(
            "## Scaling: pickling, partitions, Dask\n\nRecords pickled and unpickled "
            "(how they move between processes), planning partitions of the whole corpus, and "
            "`pymrrc.dask` on a `LocalCluster` of worker processes; see [scaling.md](scaling.md).\n\n"
            + scaling + "\n\n" + scaling_bench.targets(results) + "\n"
        )
    fields = fields_bench.table(results)
    if fields:
        parts.append(
            "## Field access\n\nWhat a pymarc script does with each record's fields, through a "
            "file object: titles and values, `get_fields` and `get_subfields`, one subfield, "
            "`format_field`, MARCXML parsed and its fields visited, `JSONReader` over a file "
            "object, and the peak memory of `list(reader)` (`benchmarks/fields_bench.py`).\n\n"
            + fields + "\n\n" + fields_bench.targets(results) + "\n"
        )
    cli = _cli_table(results)
    if cli:
        parts.append("## Whole-file jobs: the `pymrrc` command (docs/cli.md)\n\n"
                     "Each job on the whole corpus (and on the MARC-8 file made from it), as "
                     "the `pymrrc` command, as `yaz-marcdump` and as a pymarc script doing the "
                     "same job (`benchmarks/cli_jobs.py`); wall time from start to exit, "
                     "Python's start-up included.\n\n" + cli + "\n")
    parts.append(DOC_TAIL)
    return "\n".join(parts)


def write_docs(results, images, root=ROOT):
    img_dir = os.path.join(root, "docs", "img")
    os.makedirs(img_dir, exist_ok=True)
    for image in images:
        shutil.copyfile(image, os.path.join(img_dir, os.path.basename(image)))
    with open(os.path.join(root, "docs", "PERFORMANCE.md"), "w", encoding="utf-8") as out:
        out.write(render(results, root))
    with open(os.path.join(root, "docs", "performance-results.json"), "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)


def main():
    sys.path.insert(0, HERE)
    with open(sys.argv[1], encoding="utf-8") as handle:
        results = json.load(handle)
    import plots

    images = plots.draw(results, os.path.dirname(os.path.abspath(sys.argv[1])))
    write_docs(results, images)


if __name__ == "__main__":
    main()
