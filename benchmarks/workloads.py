"""What each benchmark case does, for pymarc and pymrrc alike.

A *case* is one library, one way of handing it the data (a *backend*) and
one *workload*. Every function here takes the imported library module as
``lib`` so that the same code measures both libraries. ``case.py`` runs one
case in a fresh process; ``suite.py`` chooses the cases.
"""

import importlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor


# -- per-record work ---------------------------------------------------------
def _nothing(record):
    return None


def _title(record):
    return record.title


def _values(record):
    for field in record.fields:
        field.value()


def _as_marc(record):
    return record.as_marc()


PER_RECORD = {
    "iterate": _nothing,
    "title": _title,
    "values": _values,
    "as_marc": _as_marc,
}


# -- readers over each backend ----------------------------------------------
def open_reader(lib, backend, path, **options):
    """A MARCReader over ``path`` through ``backend``, and what to close."""
    if backend == "file":
        handle = open(path, "rb")
        return lib.MARCReader(handle, **options), handle
    if backend == "bytes":
        with open(path, "rb") as handle:
            data = handle.read()
        return lib.MARCReader(data, **options), None
    if backend == "path":
        return lib.MARCReader(path, **options), None
    if backend == "path-workers=1":
        return lib.MARCReader(path, workers=1, **options), None
    raise ValueError(f"unknown backend {backend!r}")


def read_records(lib, backend, path, work, **options):
    """Iterates every record of ``path``, applying ``work``; returns the count."""
    reader, handle = open_reader(lib, backend, path, **options)
    count = 0
    try:
        for record in reader:
            work(record)
            count += 1
    finally:
        if handle is not None:
            handle.close()
    return count


def load_records(lib, path, **options):
    """Every record of ``path``, read through a file object (not timed)."""
    reader, handle = open_reader(lib, "file", path, **options)
    try:
        return list(reader)
    finally:
        handle.close()


# -- writing -----------------------------------------------------------------
def write_records(lib, backend, records, out_path):
    """Writes ``records`` with MARCWriter to a file object or (pymrrc) a path."""
    if backend == "path":
        writer = lib.MARCWriter(out_path)
        for record in records:
            writer.write(record)
        writer.close()
        return len(records)
    with open(out_path, "wb") as handle:
        writer = lib.MARCWriter(handle)
        for record in records:
            writer.write(record)
        writer.close(close_fh=False)
    return len(records)


# -- MARCXML and MARC-in-JSON --------------------------------------------------
def xml_write(lib, records):
    """record_to_xml on every record."""
    to_xml = lib.marcxml.record_to_xml
    for record in records:
        to_xml(record)
    return len(records)


def xml_read(lib, xml_path, build_fields=False):
    """parse_xml_to_array over a MARCXML collection; with ``build_fields``,
    also look at every record's fields (pymrrc builds them on first use)."""
    records = lib.parse_xml_to_array(xml_path)
    if build_fields:
        for record in records:
            record.fields  # noqa: B018
    return len(records)


def json_write(lib, records):
    """as_json on every record."""
    for record in records:
        record.as_json()
    return len(records)


def json_read(lib, json_path):
    """JSONReader over a MARC-in-JSON array."""
    with open(json_path, encoding="utf-8") as handle:
        return sum(1 for _ in lib.JSONReader(handle.read()))


def make_xml(lib, records, xml_path):
    """A MARCXML collection of ``records`` written by ``lib``'s XMLWriter."""
    with open(xml_path, "wb") as handle:
        writer = lib.XMLWriter(handle)
        for record in records:
            writer.write(record)
        writer.close(close_fh=False)


def make_json(lib, records, json_path):
    """A MARC-in-JSON array of ``records`` written by ``lib``'s JSONWriter."""
    with open(json_path, "w", encoding="utf-8") as handle:
        writer = lib.JSONWriter(handle)
        for record in records:
            writer.write(record)
        writer.close(close_fh=False)


# -- threads -------------------------------------------------------------------
def threaded(work, inputs, outputs):
    """Runs ``work(input, output)`` in one thread per input; total records."""
    with ThreadPoolExecutor(max_workers=len(inputs)) as pool:
        return sum(pool.map(work, inputs, outputs))


def read_file_in_process(lib_name, path):
    """Reads every record of ``path`` through a file object in this process;
    the count (the work of one process of ``PROCESS_CASE``)."""
    return read_records(importlib.import_module(lib_name), "file", path, _nothing)


def process_pool(processes):
    """Worker processes for ``PROCESS_CASE``: started by the case's first,
    untimed, call, and reused by the timed ones."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))


def in_processes(pool, lib_name, inputs):
    """Reads each input in a process of its own at the same time; total records."""
    return sum(pool.map(read_file_in_process, [lib_name] * len(inputs), inputs))


def thread_work(lib, case, records=None):
    """The per-thread function of a thread-scaling case: ``work(src, out)``
    reads ``src`` or writes ``records`` to ``out``, and returns the count."""
    if case == "path, workers=1":
        return lambda src, out: read_records(lib, "path-workers=1", src, _nothing)
    if case == "path, default pool":
        return lambda src, out: read_records(lib, "path", src, _nothing)
    if case == "file object":
        return lambda src, out: read_records(lib, "file", src, _nothing)
    if case in WRITE_THREAD_CASES:
        backend = "file" if case == "MARCWriter(file object)" else "path"
        return lambda src, out: write_records(lib, backend, records, out)
    raise ValueError(f"unknown thread case {case!r}")


# Writers write records read beforehand (not timed); every thread writes
# the same list. "tmpfs" writes to /dev/shm, which shows pymrrc's own
# scaling apart from how well the disk's filesystem takes parallel writes.
WRITE_THREAD_CASES = ("MARCWriter(path)", "MARCWriter(path), tmpfs", "MARCWriter(file object)")
# The file-object case again with each thread's work in a process of its
# own (no GIL shared): what the machine itself gives two independent
# readers, the most the threads could reach.
PROCESS_CASE = "file object, separate processes"
THREAD_CASES = ("path, workers=1", "path, default pool", "file object", PROCESS_CASE, *WRITE_THREAD_CASES)


def peak_rss_kib():
    """This process's peak resident set size (VmHWM), in KiB.

    ``getrusage``'s ``ru_maxrss`` is not used: it survives ``exec``, so a
    case started from a large parent would report the parent's size.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0
