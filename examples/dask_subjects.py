"""The most frequent subject headings of several MARC files, counted by a
Dask cluster of worker processes.

    python examples/dask_subjects.py [--workers N] [--top N] [--scheduler ADDRESS] FILE [FILE ...]

Each file is cut into record-aligned partitions (``--blocksize``, default
128 MiB), and each worker process reads its partitions with pymrrc: the
bag's records are exactly what one ``MARCReader`` reads from each file, in
order. The script starts a ``LocalCluster`` of ``--workers`` processes on
this machine; ``--scheduler tcp://host:8786`` runs the same code on an
existing cluster instead (the files must be readable at the same paths on
every worker, e.g. on a shared filesystem). Needs ``pip install
'pymrrc[dask]'``.

A subject heading here is a 6XX field's subfields a, b, c, d, v, x, y and z
joined by ``--`` (650 $a Cats $x Behavior → "Cats--Behavior"). Counting
happens on the workers; only the ``--top`` headings come back.
"""

import argparse
import time

from distributed import Client, LocalCluster

import pymrrc.dask

HEADING_CODES = "abcdvxyz"


def headings(record):
    """The subject headings of one record, as text."""
    out = []
    for field in record.subjects:
        parts = [value.strip(" .,;") for code, value in field.subfields if code in HEADING_CODES]
        if parts:
            out.append("--".join(parts))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="MARC files, or glob patterns such as 'dump/*.mrc'")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the local cluster")
    parser.add_argument("--scheduler", help="the address of an existing Dask scheduler")
    parser.add_argument("--blocksize", default="128MiB", help="partition size (default 128MiB)")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()

    if args.scheduler:
        client, cluster = Client(args.scheduler), None
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        started = time.perf_counter()
        records = pymrrc.dask.read_marc(args.files, blocksize=args.blocksize)
        counted = records.map(headings).flatten().frequencies()
        top = counted.topk(args.top, key=lambda pair: pair[1]).compute()
        total = records.count().compute()
        elapsed = time.perf_counter() - started
        print(f"{total:,} records in {records.npartitions} partitions, "
              f"{len(client.scheduler_info()['workers'])} workers, {elapsed:.1f} s")
        for heading, count in top:
            print(f"{count:>8,}  {heading}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    main()
