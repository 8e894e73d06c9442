"""The scaling cases (issue 16): pickling records (how they move between
processes) against pymarc, planning partitions of the whole corpus, and
``pymrrc.dask`` on a ``LocalCluster`` of 1, 2, ... worker processes; their
table and their targets.

Each case runs in a fresh process (``case.py`` hands kind ``"scaling"`` to
:func:`run_case`). A Dask case starts its own cluster (``threads_per_worker=1``,
worker processes, no memory limit), runs the job once untimed, then
``repeat`` timed times. Every worker count reads the same partitions: the
blocksize is chosen once per run, so that the largest cluster gets about
four partitions per worker (``--blocksize`` overrides it).
"""

import os
import pickle

# Labels.
PICKLE = "pickle (protocol 5)"
UNPICKLE = "unpickle (protocol 5)"
PLAN = "plan partitions, 128 MiB / pymrrc path"
TITLES = "dask read_marc -> title frequencies"
COUNT = "dask read_marc -> titles counted"
PARQUET = "dask to_parquet nested"

PICKLE_GOAL = 5.0
PLAN_GOAL_MS = 50.0
SCALING_GOAL = 1.7


def auto_blocksize(path, workers):
    """About four partitions per worker of the largest cluster, at least 1 MiB."""
    size = os.path.getsize(path)
    return max(1 << 20, size // (4 * max(workers)))


def cases(run, slice_path, full_path, scratch, repeat, workers=(1, 2), blocksize=None):
    """Every scaling case: pickling on ``slice_path``, planning and Dask on
    ``full_path`` with each number of ``workers``."""
    for op, label in (("pickle", PICKLE), ("unpickle", UNPICKLE)):
        for lib in ("pymarc", "pymrrc"):
            run.measure("scaling", f"{label} / {lib}",
                        {"kind": "scaling", "lib": lib, "op": op, "file": slice_path, "repeat": repeat})
    run.measure("scaling", PLAN, {"kind": "scaling", "lib": "pymrrc", "op": "plan", "file": full_path,
                                  "repeat": max(repeat, 5)})
    size = blocksize or auto_blocksize(full_path, workers)
    for n in workers:
        common = {"kind": "scaling", "lib": "pymrrc", "file": full_path, "workers": n,
                  "blocksize": size, "repeat": repeat}
        run.measure("scaling", f"{TITLES} / {n} workers", dict(common, op="dask_titles"))
        run.measure("scaling", f"{COUNT} / {n} workers", dict(common, op="dask_count"))
        out = os.path.join(scratch, f"dask-parquet-{n}")
        run.measure("scaling", f"{PARQUET} / {n} workers", dict(common, op="dask_parquet", out=out))


# -- in the case's process ---------------------------------------------------------
def _records(lib, path):
    module = __import__(lib)
    with open(path, "rb") as handle:
        return [r for r in module.MARCReader(handle) if r is not None]


def _cluster(n):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address=None, memory_limit=0)
    return cluster, Client(cluster)


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
    if op in ("dask_titles", "dask_count", "dask_parquet"):
        import pymrrc.dask

        cluster, client = _cluster(case["workers"])
        try:
            if op == "dask_titles":
                def job():
                    bag = pymrrc.dask.read_marc(path, blocksize=case["blocksize"])
                    return sum(n for _, n in bag.map(lambda r: r.title).frequencies().compute())
            elif op == "dask_count":
                # The same reading and mapping, with a small result: no
                # (title, count) pair crosses a process boundary.
                def job():
                    bag = pymrrc.dask.read_marc(path, blocksize=case["blocksize"])
                    return bag.map(lambda r: r.title).count().compute()
            else:
                def job():
                    summary = pymrrc.dask.to_parquet(path, case["out"], blocksize=case["blocksize"],
                                                     overwrite=True)
                    return summary.records_written
            return timed(repeat, job)
        finally:
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
    for label in (TITLES, COUNT, PARQUET):
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
    for label in (TITLES, COUNT, PARQUET):
        one, two = rows.get(f"{label} / 1 workers"), rows.get(f"{label} / 2 workers")
        if one and two:
            ratio = two["rate"] / one["rate"]
            out.append(f"| {label}: 2 workers vs 1 | {ratio:.2f}x | ≥ {SCALING_GOAL}x | {verdict(ratio >= SCALING_GOAL)} |")
    return "\n".join(out)
