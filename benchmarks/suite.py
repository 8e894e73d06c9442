"""pymrrc's benchmark suite: one command, one run, every number in
docs/PERFORMANCE.md.

    python benchmarks/suite.py [--records N] [--format-records N]
                               [--threads 1 2 4 8] [--repeat 5] [--thread-repeat 7]
                               [--out DIR] [--no-docs] [--quick]
                               [--only threads --slice FILE] [--only columnar] [--only cli]
                               [--only dask [--workers 1 2 4 8 16] [--slice FILE] [--blocksize N]]
                               [--only fields]

It measures records/second and peak memory (max RSS) for pymarc and pymrrc
on the same files in the same run, each case in a fresh process, plus the
pure-Rust ceiling (``rust/bench``'s ``ceiling`` binary). Data: the Library of
Congress corpus (fetched and checked by ../shared/corpus/get-loc-corpus.sh):
a slice of ``--records`` records for reading and writing, ``--format-records``
for MARCXML, MARC-in-JSON and MARC-8, and the whole corpus for the streaming
memory check. Results go to ``--out`` (results.json, results.md and the PNG
plots); unless ``--no-docs`` is given, docs/PERFORMANCE.md and docs/img/ are
regenerated from them. ``--quick`` is a smoke run on a few hundred records
(its numbers mean nothing). ``--only threads --slice FILE`` runs only the
thread-scaling cases, on FILE, with no download and no cargo (for a machine
with more cores; its results go to --out and are not written to docs/).
``--only columnar`` runs only the Arrow/Parquet export's cases
(benchmarks/columnar_bench.py) on the whole corpus, or on ``--slice FILE``.
``--only dask`` runs only the scaling cases (benchmarks/scaling_bench.py:
pickling, planning, pymrrc.dask on a LocalCluster of each of ``--workers``
worker processes) on the whole corpus, or on ``--slice FILE`` with no
download (for a machine with more cores).
``--only fields`` runs only the field-access cases of issue 14
(benchmarks/fields_bench.py: title and values, get_fields, one subfield,
format_field, parse_xml_to_array + fields, JSONReader, list(reader) peak
memory) on the ``--records`` and ``--format-records`` slices.
``--only cli`` runs only the whole-file jobs of the ``pymrrc`` command
against yaz-marcdump and pymarc scripts (``cli_jobs.py``), on the whole
corpus (results to --out only).
Thread cases are repeated ``--thread-repeat`` times; writers write new files
in each repetition (the old ones are deleted before the clock starts).
Needs a release build (``make develop``).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(1, ROOT)

import cli_jobs  # noqa: E402
import columnar_bench  # noqa: E402
import fields_bench  # noqa: E402
import scaling_bench  # noqa: E402
import machine  # noqa: E402
import plots  # noqa: E402
import report  # noqa: E402
from workloads import PER_RECORD, THREAD_CASES  # noqa: E402

CORPUS_SCRIPT = os.path.join(ROOT, "..", "shared", "corpus", "get-loc-corpus.sh")
CEILING = os.path.join(ROOT, "target", "release", "ceiling")


# -- running one case ------------------------------------------------------------
def run_measured(argv, env=None):
    """Runs ``argv`` to completion; returns (its JSON output, peak RSS in MiB).

    The case reports its own peak (VmHWM from /proc/self/status) because
    ``ru_maxrss`` survives ``exec`` and would include this parent's size.
    """
    proc = subprocess.run(argv, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed ({proc.returncode}):\n{proc.stderr.decode()[-3000:]}")
    output = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    return output, output["peak_rss_kib"] / 1024


def python_case(case):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))
    return run_measured([sys.executable, os.path.join(HERE, "case.py"), json.dumps(case)], env)


def ceiling_case(case):
    argv = [CEILING, case["file"], "--source", case["source"], "--workers", case["workers"],
            "--workload", case["workload"], "--repeat", str(case["repeat"])]
    return run_measured(argv)


class Run:
    """Collects the results of one suite run."""

    def __init__(self, settings):
        self.settings = settings
        self.cases = []

    def measure(self, group, label, case, runner=python_case):
        started = time.perf_counter()
        output, rss = runner(case)
        median = statistics.median(output["seconds"])
        row = {
            "group": group,
            "label": label,
            "case": {k: v for k, v in case.items() if k not in ("inputs", "outputs")},
            "records": output["records"],
            "seconds": output["seconds"],
            "median_s": median,
            "rate": output["records"] / median if median > 0 else 0.0,
            "peak_rss_mib": round(rss, 1),
        }
        self.cases.append(row)
        print(f"  {group:8} {label:48} {row['rate']:>12,.0f} rec/s {rss:>8.0f} MiB"
              f"  ({time.perf_counter() - started:.0f}s)", file=sys.stderr, flush=True)
        return row


# -- data ----------------------------------------------------------------------
def corpus_paths(*slices):
    """The full corpus and slices of it, fetched and checked by the shared script."""
    def fetch(*args):
        out = subprocess.run(["bash", CORPUS_SCRIPT, "", *args], check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    paths = {"full": fetch()}
    for n in slices:
        paths[n] = fetch(str(n))
    return paths


def build_ceiling():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "pymrrc-bench", "--bin", "ceiling"],
                   cwd=ROOT, check=True)


# -- the cases -------------------------------------------------------------------
READ_BACKENDS = (("pymarc", "file"), ("pymrrc", "file"), ("pymrrc", "bytes"), ("pymrrc", "path"))
CEILING_WORKLOADS = {"iterate": "iterate", "values": "values", "as_marc": "as_marc"}


def read_cases(run, path, repeat):
    for workload in PER_RECORD:
        for lib, backend in READ_BACKENDS:
            case = {"kind": "read", "lib": lib, "backend": backend, "workload": workload,
                    "file": path, "repeat": repeat}
            run.measure("read", f"{workload} / {lib} {backend}", case)
        if workload in CEILING_WORKLOADS:
            case = {"file": path, "source": "path", "workers": "default",
                    "workload": CEILING_WORKLOADS[workload], "repeat": repeat}
            run.measure("read", f"{workload} / rust ceiling path", case, runner=ceiling_case)


def write_cases(run, path, scratch, repeat):
    for lib, backend in (("pymarc", "file"), ("pymrrc", "file"), ("pymrrc", "path")):
        case = {"kind": "write", "lib": lib, "backend": backend, "file": path,
                "out": os.path.join(scratch, f"written-{lib}-{backend}.mrc"), "repeat": repeat}
        run.measure("write", f"MARCWriter / {lib} {backend}", case)


def format_cases(run, path, scratch, repeat):
    import pymarc

    with open(path, "rb") as handle:
        records = list(pymarc.MARCReader(handle))
    xml_doc = os.path.join(scratch, "records.xml")
    json_doc = os.path.join(scratch, "records.json")
    import workloads

    workloads.make_xml(pymarc, records, xml_doc)
    workloads.make_json(pymarc, records, json_doc)
    for lib in ("pymarc", "pymrrc"):
        for kind, label in (("xml_write", "record_to_xml"), ("json_write", "as_json")):
            run.measure("formats", f"{label} / {lib}",
                        {"kind": kind, "lib": lib, "file": path, "repeat": repeat})
        if lib == "pymrrc":
            for kind, label in (("xml_write", "record_to_xml"), ("json_write", "as_json")):
                run.measure("formats", f"{label} / {lib} (fields built)",
                            {"kind": kind, "lib": lib, "file": path, "repeat": repeat,
                             "materialized": True})
        run.measure("formats", f"parse_xml_to_array / {lib}",
                    {"kind": "xml_read", "lib": lib, "doc": xml_doc, "repeat": repeat})
        run.measure("formats", f"parse_xml_to_array + fields / {lib}",
                    {"kind": "xml_read", "lib": lib, "doc": xml_doc, "repeat": repeat,
                     "build_fields": True})
        run.measure("formats", f"JSONReader / {lib}",
                    {"kind": "json_read", "lib": lib, "doc": json_doc, "repeat": repeat})


def marc8_cases(run, path, scratch, repeat):
    """Reading MARC-8: a file made from the UTF-8 slice by marc8_corpus.py."""
    import marc8_corpus

    marc8_path = os.path.join(scratch, "records-marc8.mrc")
    marc8_corpus.make_marc8_file(Path(path), Path(marc8_path))
    for lib, backend in (("pymarc", "file"), ("pymrrc", "file"), ("pymrrc", "path")):
        case = {"kind": "read", "lib": lib, "backend": backend, "workload": "iterate",
                "file": marc8_path, "repeat": repeat}
        run.measure("marc8", f"MARC-8 read / {lib} {backend}", case)


def thread_cases(run, path, scratch, threads, repeat):
    inputs, outputs = [], []
    for i in range(max(threads)):
        copy = os.path.join(scratch, f"thread-in-{i}.mrc")
        shutil.copyfile(path, copy)
        inputs.append(copy)
        outputs.append(os.path.join(scratch, f"thread-out-{i}.mrc"))
    # Have the copies written out now, not by the kernel's flusher threads
    # in the middle of the measurements, where they would take CPU time.
    os.sync()
    tmpfs = None
    needed = 2 * max(threads) * os.path.getsize(path)
    if os.path.isdir("/dev/shm") and shutil.disk_usage("/dev/shm").free > needed:
        tmpfs = tempfile.mkdtemp(prefix="pymrrc-suite-", dir="/dev/shm")
    try:
        for name in THREAD_CASES:
            targets = outputs
            if name.endswith("tmpfs"):
                if tmpfs is None:
                    continue
                targets = [os.path.join(tmpfs, os.path.basename(out)) for out in outputs]
            for n in threads:
                case = {"kind": "threads", "lib": "pymrrc", "case": name, "threads": n,
                        "inputs": inputs[:n], "outputs": targets[:n], "repeat": repeat}
                run.measure("threads", f"{name} / {n}", case)
    finally:
        if tmpfs is not None:
            shutil.rmtree(tmpfs, ignore_errors=True)


def memory_cases(run, slice_path, full_path, with_pymarc_stream):
    for lib, backend in (("pymarc", "file"), ("pymrrc", "file"), ("pymrrc", "path")):
        run.measure("memory", f"list(reader) / {lib} {backend}",
                    {"kind": "list", "lib": lib, "backend": backend, "file": slice_path})
    streams = [("pymrrc", "path"), ("pymrrc", "file"), ("pymrrc", "bytes")]
    if with_pymarc_stream:
        streams.insert(0, ("pymarc", "file"))
    for name, path in (("slice", slice_path), ("full corpus", full_path)):
        for lib, backend in streams:
            if backend == "bytes" and name == "full corpus":
                continue  # holds the whole file by design
            run.measure("memory", f"stream {name} / {lib} {backend}",
                        {"kind": "stream", "lib": lib, "backend": backend, "file": path})


# -- main ----------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50000)
    parser.add_argument("--format-records", type=int, default=10000)
    parser.add_argument("--threads", type=int, nargs="+")
    parser.add_argument("--repeat", type=int, default=5)
    # Thread cases last a fraction of a second each (a writer thread writes
    # 50,000 records in about 30 ms), so one hiccup of this shared machine
    # moves a median of three; they are repeated more.
    parser.add_argument("--thread-repeat", type=int, default=7)
    parser.add_argument("--out", default=os.path.join(HERE, "results", "latest"))
    parser.add_argument("--no-docs", action="store_true")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["threads", "columnar", "cli", "dask", "fields"])
    parser.add_argument("--cli-repeat", type=int, default=3,
                        help="runs of each pymrrc and yaz-marcdump job (pymarc scripts run once)")
    parser.add_argument("--slice", help="with --only threads: the file each thread reads")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="Dask worker processes of the scaling cases")
    parser.add_argument("--blocksize", type=int, help="partition size of the Dask cases (bytes)")
    args = parser.parse_args(argv)
    if args.quick:
        args.records, args.format_records, args.repeat, args.no_docs = 300, 100, 1, True
        args.thread_repeat = 1
        args.threads = args.threads or [1, 2]
    cores = os.cpu_count() or 1
    threads = args.threads or sorted({1, 2, 4, 8} | ({cores} if cores > 8 else set()))

    if args.only == "threads":
        return threads_only(args, threads)
    if args.only == "columnar":
        return columnar_only(args)
    if args.only == "dask":
        return dask_only(args)
    if args.only == "cli":
        return cli_only(args)
    if args.only == "fields":
        return fields_only(args)
    build_ceiling()
    paths = corpus_paths(args.format_records, args.records)
    os.makedirs(args.out, exist_ok=True)
    settings = {"records": args.records, "format_records": args.format_records,
                "threads": threads, "repeat": args.repeat, "thread_repeat": args.thread_repeat,
                "quick": args.quick, "command": "python benchmarks/suite.py " + " ".join(argv or sys.argv[1:])}
    run = Run(settings)
    scratch = tempfile.mkdtemp(prefix="pymrrc-suite-")
    started = time.perf_counter()
    try:
        print(f"reading {paths[args.records]} ({args.records:,} records)", file=sys.stderr)
        read_cases(run, paths[args.records], args.repeat)
        write_cases(run, paths[args.records], scratch, args.repeat)
        format_cases(run, paths[args.format_records], scratch, args.repeat)
        marc8_cases(run, paths[args.format_records], scratch, args.repeat)
        thread_cases(run, paths[args.records], scratch, threads, args.thread_repeat)
        full = paths[args.records] if args.quick else paths["full"]
        memory_cases(run, paths[args.records], full, with_pymarc_stream=not args.quick)
        fields_bench.cases(run, paths[args.records], paths[args.format_records], scratch, args.repeat,
                           python_case)
        columnar_bench.cases(run, full, scratch, args.repeat, with_marctable=not args.quick)
        scaling_bench.cases(run, paths[args.records], full, scratch, args.repeat, python_case, args.workers,
                            args.blocksize)
        cli_jobs.cli_cases(run, full, scratch, 1 if args.quick else args.cli_repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {
        "machine": machine.describe(ROOT, paths["full"]),
        "settings": settings,
        "elapsed_s": round(time.perf_counter() - started, 1),
        "cases": run.cases,
    }
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)
    images = plots.draw(results, args.out)
    with open(os.path.join(args.out, "results.md"), "w", encoding="utf-8") as out:
        out.write(report.tables(results))
    print(report.tables(results))
    if not args.no_docs:
        report.write_docs(results, images, ROOT)
        print(f"regenerated docs/PERFORMANCE.md and docs/img/ from {args.out}", file=sys.stderr)


def cli_only(args):
    """Only the ``pymrrc`` command's jobs, on the whole corpus (``--quick``:
    on a slice); results to --out."""
    os.makedirs(args.out, exist_ok=True)
    full = corpus_paths()["full"] if not args.quick else corpus_paths(args.records)[args.records]
    settings = {"records": args.records, "repeat": args.cli_repeat, "quick": args.quick, "only": "cli",
                "command": "python benchmarks/suite.py " + " ".join(sys.argv[1:])}
    run = Run(settings)
    scratch = tempfile.mkdtemp(prefix="pymrrc-suite-")
    started = time.perf_counter()
    try:
        cli_jobs.cli_cases(run, full, scratch, 1 if args.quick else args.cli_repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {"machine": machine.describe(ROOT, full), "settings": settings,
               "elapsed_s": round(time.perf_counter() - started, 1), "cases": run.cases}
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)
    print(report.machine_lines(results) + "\n\n" + (cli_jobs.cli_table(results) or ""))


def threads_only(args, threads):
    """Only the thread-scaling cases, on ``args.slice``; results to --out."""
    os.makedirs(args.out, exist_ok=True)
    settings = {"records": args.records, "threads": threads, "repeat": args.thread_repeat,
                "quick": args.quick, "only": "threads",
                "command": "python benchmarks/suite.py " + " ".join(sys.argv[1:])}
    run = Run(settings)
    scratch = tempfile.mkdtemp(prefix="pymrrc-suite-")
    started = time.perf_counter()
    try:
        thread_cases(run, args.slice, scratch, threads, args.thread_repeat)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {"machine": machine.describe(ROOT, args.slice), "settings": settings,
               "elapsed_s": round(time.perf_counter() - started, 1), "cases": run.cases}
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)
    print(report.machine_lines(results) + "\n\n" + report.thread_table(results))


def columnar_only(args):
    """Only the columnar export's cases, on the whole corpus (``--slice FILE``:
    on FILE); results to --out, tables printed, docs/ left alone."""
    path = args.slice or corpus_paths()["full"]
    _partial_run(args, path, "columnar",
                 lambda run, scratch: columnar_bench.cases(run, path, scratch, args.repeat,
                                                           with_marctable=not args.quick),
                 lambda results: columnar_bench.table(results) + "\n\n" + columnar_bench.targets(results))


def fields_only(args):
    """Only the field-access cases (issue 14), on the ``--records`` and
    ``--format-records`` slices; results to --out, tables printed, docs/
    left alone."""
    paths = corpus_paths(args.format_records, args.records)
    _partial_run(args, paths[args.records], "fields",
                 lambda run, scratch: fields_bench.cases(run, paths[args.records], paths[args.format_records],
                                                         scratch, args.repeat, python_case),
                 lambda results: fields_bench.table(results) + "\n\n" + fields_bench.targets(results),
                 format_records=args.format_records)


def dask_only(args):
    """Only the scaling cases: pickling on the first ``--records`` records,
    planning and Dask on the whole corpus (``--slice FILE``: on FILE, with
    no download); results to --out, tables printed, docs/ left alone."""
    path = args.slice or corpus_paths()["full"]
    os.makedirs(args.out, exist_ok=True)
    records = os.path.join(args.out, f"first-{args.records}.mrc")
    _first_records(path, records, args.records)
    _partial_run(args, path, "dask",
                 lambda run, scratch: scaling_bench.cases(run, records, path, scratch, args.repeat, python_case,
                                                          args.workers, args.blocksize),
                 lambda results: scaling_bench.table(results) + "\n\n" + scaling_bench.targets(results),
                 workers=args.workers)


def _partial_run(args, path, only, measure, tables, **settings):
    """One group of cases (``measure(run, scratch)``) on ``path``: results
    to --out, ``tables(results)`` printed, docs/ left alone."""
    os.makedirs(args.out, exist_ok=True)
    settings = {"records": args.records, "repeat": args.repeat, "quick": args.quick, "only": only,
                **settings, "command": "python benchmarks/suite.py " + " ".join(sys.argv[1:])}
    run = Run(settings)
    scratch = tempfile.mkdtemp(prefix="pymrrc-suite-")
    started = time.perf_counter()
    try:
        measure(run, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results = {"machine": machine.describe(ROOT, path), "settings": settings,
               "elapsed_s": round(time.perf_counter() - started, 1), "cases": run.cases}
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2)
    print(report.machine_lines(results) + "\n\n" + tables(results))


def _first_records(src, dst, count):
    """The first ``count`` records of ``src`` (as framed by their lengths) in ``dst``."""
    with open(src, "rb") as f, open(dst, "wb") as out:
        for _ in range(count):
            head = f.read(5)
            if len(head) < 5 or not head.isdigit():
                break
            out.write(head + f.read(int(head) - 5))


if __name__ == "__main__":
    main()
