"""Runs one benchmark case in this (fresh) process and prints its result.

    python benchmarks/case.py '<case as JSON>'

The case names a library (``pymarc`` or ``pymrrc``), a kind of work and its
inputs; see ``suite.py`` for the cases it builds. The work is repeated
``repeat`` times; the output is one JSON line with the record count and the
seconds each repetition took. Data a case needs but does not measure (e.g.
the records a writer writes) is prepared before the clock starts. The output also
carries the process's peak memory (VmHWM).
"""

import importlib
import json
import os
import sys
import time

import workloads

import columnar_bench
import fields_bench
import scaling_bench


def _timed(repeat, run, outputs=(), warm_up=True):
    """Times ``repeat`` calls of ``run``, after one untimed call when
    ``warm_up`` (the first pass over a file in a fresh process also pays for
    starting threads and growing the heap; both libraries get it).
    ``outputs`` are deleted before each call (not timed), so that every
    repetition writes new files, as a conversion job does: overwriting a
    file would add the filesystem's cost of truncating the old one to the
    writer's time."""
    seconds = []
    count = 0
    for attempt in range(repeat + bool(warm_up)):
        for path in outputs:
            if os.path.exists(path):
                os.remove(path)
        started = time.perf_counter()
        count = run()
        if attempt or not warm_up:
            seconds.append(time.perf_counter() - started)
    return count, seconds


def run_case(case):
    lib = importlib.import_module(case["lib"])
    importlib.import_module(f"{case['lib']}.marcxml")
    kind = case["kind"]
    repeat = case.get("repeat", 1)
    if kind in ("read", "stream"):
        work = workloads.PER_RECORD[case.get("workload", "iterate")]
        # A memory case ("stream") is one pass; its peak is what counts.
        return _timed(repeat, lambda: workloads.read_records(lib, case["backend"], case["file"], work),
                      warm_up=kind == "read")
    if kind == "list":

        def hold():
            reader, handle = workloads.open_reader(lib, case["backend"], case["file"])
            records = list(reader)
            if handle is not None:
                handle.close()
            return len(records)

        return _timed(1, hold, warm_up=False)
    if kind == "write":
        records = workloads.load_records(lib, case["file"])
        return _timed(repeat, lambda: workloads.write_records(lib, case["backend"], records, case["out"]),
                      outputs=[case["out"]])
    if kind in ("xml_write", "json_write"):
        records = workloads.load_records(lib, case["file"])
        if case.get("materialized"):
            for record in records:
                record.fields  # noqa: B018 - builds the fields of a lazy record
        write = workloads.xml_write if kind == "xml_write" else workloads.json_write
        return _timed(repeat, lambda: write(lib, records))
    if kind == "xml_read":
        build = case.get("build_fields", False)
        return _timed(repeat, lambda: workloads.xml_read(lib, case["doc"], build))
    if kind == "json_read":
        return _timed(repeat, lambda: workloads.json_read(lib, case["doc"]))
    if kind == "threads" and case["case"] == workloads.PROCESS_CASE:
        with workloads.process_pool(len(case["inputs"])) as pool:
            return _timed(repeat, lambda: workloads.in_processes(pool, case["lib"], case["inputs"]))
    if kind == "threads":
        records = None
        if case["case"] in workloads.WRITE_THREAD_CASES:
            records = workloads.load_records(lib, case["inputs"][0])
        work = workloads.thread_work(lib, case["case"], records)
        outputs = case["outputs"] if records is not None else []
        return _timed(repeat, lambda: workloads.threaded(work, case["inputs"], case["outputs"]), outputs)
    if kind == "columnar":
        return columnar_bench.run_case(case, _timed)
    if kind == "fields":
        return fields_bench.run_case(case, _timed)
    if kind == "scaling":
        return scaling_bench.run_case(case, _timed)
    raise ValueError(f"unknown case kind {kind!r}")


def main():
    case = json.loads(sys.argv[1])
    count, seconds = run_case(case)
    print(json.dumps({"records": count, "seconds": seconds, "peak_rss_kib": workloads.peak_rss_kib()}))


if __name__ == "__main__":
    main()
