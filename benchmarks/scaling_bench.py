"""The scaling cases (issue 16): pickling records (how they move between
processes) against pymarc, planning partitions of the whole corpus, and
``pymrrc.dask`` on a ``LocalCluster`` of 1, 2, ... worker processes; their
table and their targets.

Each case runs in a fresh process (``case.py`` hands kind ``"scaling"`` to
:func:`run_case`). A Dask case starts one cluster of each size
(``LocalCluster`` of worker processes, ``threads_per_worker=1``,
``RAYON_NUM_THREADS=1`` in the workers, no memory limit) and runs the job
on each in turn, one untimed round and then ``repeat`` timed rounds, so
that the machine's load weighs on every size alike. Every size reads the
same partitions: the blocksize is chosen once per run, so that the largest
cluster gets about four partitions per worker (``--blocksize`` overrides
it).
"""

import os
import pickle
import statistics
import sys
import time

# Labels.
PICKLE = "pickle (protocol 5)"
UNPICKLE = "unpickle (protocol 5)"
PLAN = "plan partitions, 128 MiB / pymrrc path"
TITLES = "dask read_marc -> title frequencies"
COUNT = "dask read_marc -> titles counted"
TOP = "dask read_marc -> 20 most frequent titles"
GATHER = "dask: one string per record to the client (no pymrrc)"
PARQUET = "dask to_parquet nested"

PICKLE_GOAL = 5.0
PLAN_GOAL_MS = 50.0
SCALING_GOAL = 1.7


# The Dask jobs, in the order of the report. "gather" is Dask's own cost of
# handing a list of one short string per record to the client, the size of the
# result of the title-frequencies job: distributed serialises a list item by
# item (dask/distributed#6368), a fixed cost no number of workers shortens.
JOBS = (("titles", TITLES), ("top", TOP), ("count", COUNT), ("parquet", PARQUET), ("gather", GATHER))


def auto_blocksize(path, workers):
    """About four partitions per worker of the largest cluster, at least 1 MiB."""
    size = os.path.getsize(path)
    return max(1 << 20, size // (4 * max(workers)))


def cases(run, slice_path, full_path, scratch, repeat, runner, workers=(1, 2), blocksize=None):
    """Every scaling case: pickling on ``slice_path``, planning and Dask on
    ``full_path`` with each number of ``workers``. ``runner`` runs a case in
    a fresh process (suite.py's ``python_case``)."""
    for op, label in (("pickle", PICKLE), ("unpickle", UNPICKLE)):
        for lib in ("pymarc", "pymrrc"):
            run.measure("scaling", f"{label} / {lib}",
                        {"kind": "scaling", "lib": lib, "op": op, "file": slice_path, "repeat": repeat},
                        runner)
    run.measure("scaling", PLAN, {"kind": "scaling", "lib": "pymrrc", "op": "plan", "file": full_path,
                                  "repeat": max(repeat, 5)}, runner)
    size = blocksize or auto_blocksize(full_path, workers)
    for job, label in JOBS:
        case = {"kind": "scaling", "lib": "pymrrc", "op": "dask", "job": job, "file": full_path,
                "workers": list(workers), "blocksize": size, "repeat": repeat,
                "out": os.path.join(scratch, "dask-parquet")}
        dask_rows(run, label, case, runner)


def dask_rows(run, label, case, runner):
    """One case process runs ``case["job"]`` on a cluster of each size,
    the clusters taking turns (so that a change in the machine's load
    affects every size alike); one result row per size."""
    started = time.perf_counter()
    output, rss = runner(case)
    for n, seconds in output["seconds"].items():
        median = statistics.median(seconds)
        row = {"group": "scaling", "label": f"{label} / {n} workers",
               "case": dict(case, workers=int(n)), "records": output["records"], "seconds": seconds,
               "median_s": median, "rate": output["records"] / median if median > 0 else 0.0,
               "peak_rss_mib": round(rss, 1)}
        run.cases.append(row)
        print(f"  scaling  {row['label']:48} {row['rate']:>12,.0f} rec/s"
              f"  ({time.perf_counter() - started:.0f}s)", file=sys.stderr, flush=True)


# -- in the case's process ---------------------------------------------------------
def _records(lib, path):
    module = __import__(lib)
    with open(path, "rb") as handle:
        return [r for r in module.MARCReader(handle) if r is not None]


def _cluster(n):
    from distributed import Client, LocalCluster

    # One thread per worker: pymrrc.dask's tasks add no threads of their own
    # (decision 0041); RAYON_NUM_THREADS=1 keeps a pool, should one be asked
    # for (workers=...), to one thread too.
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit=0, env={"RAYON_NUM_THREADS": "1"})
    return cluster, Client(cluster, set_as_default=False)


def _records_in(path):
    """The number of records in ``path`` (counted once per process)."""
    if path not in _COUNTED:
        import pymrrc

        _COUNTED[path] = sum(1 for _ in pymrrc.MARCReader(path))
    return _COUNTED[path]


_COUNTED = {}


def _dask_job(job, path, case, client):
    import pymrrc.dask

    if job == "titles":
        bag = pymrrc.dask.read_marc(path, blocksize=case["blocksize"])
        return sum(n for _, n in bag.map(lambda r: r.title).frequencies().compute(scheduler=client))
    if job == "top":
        bag = pymrrc.dask.read_marc(path, blocksize=case["blocksize"])
        top = bag.map(lambda r: r.title).frequencies().topk(20, key=1).compute(scheduler=client)
        assert len(top) == 20, top
        return _records_in(path)
    if job == "gather":
        strings = client.submit(lambda n: [f"title number {i} of the corpus" for i in range(n)],
                                _records_in(path), pure=False)
        return len(strings.result())
    if job == "count":
        # The same reading and mapping, with a small result: no (title,
        # count) pair crosses a process boundary.
        bag = pymrrc.dask.read_marc(path, blocksize=case["blocksize"])
        return bag.map(lambda r: r.title).count().compute(scheduler=client)
    summary = pymrrc.dask.to_parquet(path, case["out"], blocksize=case["blocksize"], overwrite=True,
                                     compute=False)
    return summary.compute(scheduler=client).records_written


def run_case(case, timed):
    """The work of one scaling case; ``timed`` is case.py's timer."""
    op, path, repeat = case["op"], case["file"], case.get("repeat", 1)
    if op == "pickle":
        records = _records(case["lib"], path)
        return timed(repeat, lambda: len([pickle.dumps(r, 5) for r in records]))
    if op == "unpickle":
        blobs = [pickle.dumps(r, 5) for r in _records(case["lib"], path)]
        return timed(repeat, lambda: len([pickle.loads(b) for b in blobs]))
    if op == "plan":
        import pymrrc

        return timed(repeat, lambda: len(pymrrc.partitions(path, 128 * 2**20)))
    if op == "dask":
        clusters = {n: _cluster(n) for n in case["workers"]}
        try:
            seconds = {n: [] for n in clusters}
            count = 0
            for attempt in range(repeat + 1):  # the first round warms up
                for n, (_, client) in clusters.items():
                    started = time.perf_counter()
                    count = _dask_job(case["job"], path, case, client)
                    if attempt:
                        seconds[n].append(time.perf_counter() - started)
            return count, seconds
        finally:
            for cluster, client in clusters.values():
                client.close()
                cluster.close()
    raise ValueError(f"unknown scaling operation {op!r}")


# -- the report ------------------------------------------------------------------------
def _rows(results):
    return {row["label"]: row for row in results["cases"] if row["group"] == "scaling"}


def _workers(rows, label):
    found = []
    for name in rows:
        if name.startswith(label + " / ") and name.endswith(" workers"):
            found.append(int(name[len(label) + 3:].split()[0]))
    return sorted(found)


def table(results):
    """The markdown tables of the scaling cases, or '' when none ran."""
    rows = _rows(results)
    if not rows:
        return ""
    out = ["| case | records | records/s | vs pymarc | peak MiB |", "|---|---:|---:|---:|---:|"]
    for label in (PICKLE, UNPICKLE):
        base = rows.get(f"{label} / pymarc", {}).get("rate")
        for lib in ("pymarc", "pymrrc"):
            row = rows.get(f"{label} / {lib}")
            if row:
                ratio = f"{row['rate'] / base:.1f}x" if base else "–"
                out.append(f"| {label} / {lib} | {row['records']:,} | {row['rate']:,.0f} | {ratio} "
                           f"| {row['peak_rss_mib']:,.0f} |")
    plan = rows.get(PLAN)
    if plan:
        out.append(f"\nPlanning the corpus ({plan['records']} partitions): "
                   f"{plan['median_s'] * 1000:.2f} ms (median of {len(plan['seconds'])}).")
    for label in (label for _, label in JOBS):
        counts = _workers(rows, label)
        if not counts:
            continue
        one = rows[f"{label} / {counts[0]} workers"]
        out += ["", f"| {label} | records | seconds | records/s | speedup over {counts[0]} |",
                "|---:|---:|---:|---:|---:|"]
        for n in counts:
            row = rows[f"{label} / {n} workers"]
            out.append(f"| {n} workers | {row['records']:,} | {row['median_s']:.2f} | {row['rate']:,.0f} "
                       f"| {row['rate'] / one['rate']:.2f}x |")
    return "\n".join(out)


def targets(results):
    """Issue 16's targets, met or not ('' when none ran)."""
    rows = _rows(results)
    if not rows:
        return ""
    out = ["| target | measured | goal | |", "|---|---:|---:|---|"]

    def verdict(ok):
        return "met" if ok else "**not met**"

    for label in (PICKLE, UNPICKLE):
        ours, theirs = rows.get(f"{label} / pymrrc"), rows.get(f"{label} / pymarc")
        if ours and theirs:
            ratio = ours["rate"] / theirs["rate"]
            out.append(f"| {label} vs pymarc | {ratio:.1f}x | ≥ {PICKLE_GOAL:.0f}x | {verdict(ratio >= PICKLE_GOAL)} |")
    plan = rows.get(PLAN)
    if plan:
        ms = plan["median_s"] * 1000
        out.append(f"| planning the corpus | {ms:.2f} ms | ≤ {PLAN_GOAL_MS:.0f} ms | {verdict(ms <= PLAN_GOAL_MS)} |")
    for label in (TITLES, TOP, COUNT, PARQUET):
        one, two = rows.get(f"{label} / 1 workers"), rows.get(f"{label} / 2 workers")
        if one and two:
            ratio = two["rate"] / one["rate"]
            out.append(f"| {label}: 2 workers vs 1 | {ratio:.2f}x | ≥ {SCALING_GOAL}x | {verdict(ratio >= SCALING_GOAL)} |")
    return "\n".join(out)
