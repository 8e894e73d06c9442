"""The columnar export's benchmark cases (``pymrrc.to_parquet``/``to_arrow``
against pymarc's plain read, and marctable when it is installed), their
table and their targets.

Cases run on the whole corpus from a path, each in a fresh process
(``case.py`` hands kind ``"columnar"`` to :func:`run_case`). The targets
(issue 15) compare records/second with pymarc's plain file-object read of
the same file in the same run, and bound the peak memory of ``to_parquet``
over the whole corpus.
"""

import importlib.util
import os

# (label, operation, layout): the timed cases besides pymarc's read.
CASES = (
    ("to_parquet nested / pymrrc path", "to_parquet", "nested"),
    ("to_parquet long / pymrrc path", "to_parquet", "long"),
    ("to_parquet wide / pymrrc path", "to_parquet", "wide"),
    ("to_arrow long -> pyarrow.table / pymrrc path", "to_arrow_table", "long"),
    ("to_arrow nested -> pyarrow.table / pymrrc path", "to_arrow_table", "nested"),
)
PYMARC_READ = "plain read / pymarc file object"
MARCTABLE = "marctable parquet / marctable file object"
MEMORY = "to_parquet nested, peak memory / pymrrc path"

# (label, factor over pymarc's read, what the issue asks)
TARGETS = (
    ("to_parquet nested / pymrrc path", 25.0),
    ("to_arrow long -> pyarrow.table / pymrrc path", 30.0),
    ("to_parquet wide / pymrrc path", 20.0),
)
MEMORY_LIMIT_MIB = 256


def marctable_installed():
    return importlib.util.find_spec("marctable") is not None


def cases(run, path, scratch, repeat, with_marctable=True):
    """Runs every columnar case on ``path`` (the whole corpus in a full run)."""
    out = os.path.join(scratch, "columnar.parquet")
    run.measure("columnar", PYMARC_READ,
                {"kind": "columnar", "lib": "pymarc", "op": "pymarc_read", "file": path,
                 "repeat": repeat})
    for label, op, layout in CASES:
        run.measure("columnar", label, {"kind": "columnar", "lib": "pymrrc", "op": op, "layout": layout,
                                        "file": path, "out": out, "repeat": repeat})
    run.measure("columnar", MEMORY, {"kind": "columnar", "lib": "pymrrc", "op": "to_parquet", "layout": "nested",
                                     "file": path, "out": out, "repeat": 1, "warm_up": False})
    if with_marctable and marctable_installed():
        # marctable reads through pymarc at a few thousand records/s: one pass.
        run.measure("columnar", MARCTABLE, {"kind": "columnar", "lib": "pymarc", "op": "marctable", "file": path,
                                            "out": out, "repeat": 1, "warm_up": False})


# -- in the case's process ---------------------------------------------------------
def run_case(case, timed):
    """The work of one columnar case; ``timed`` is case.py's timer."""
    op, path = case["op"], case["file"]
    repeat, warm_up = case.get("repeat", 1), case.get("warm_up", True)
    outputs = [case["out"]] if "out" in case else []
    if op == "pymarc_read":
        import pymarc

        def read():
            with open(path, "rb") as handle:
                return sum(1 for _ in pymarc.MARCReader(handle))

        return timed(repeat, read, warm_up=warm_up)
    if op == "to_parquet":
        import pymrrc

        def convert():
            return pymrrc.to_parquet(path, case["out"], case["layout"]).records_written

        return timed(repeat, convert, outputs=outputs, warm_up=warm_up)
    if op == "to_arrow_table":
        import pyarrow

        import pymrrc

        def table():
            stream = pymrrc.to_arrow(path, case["layout"])
            pyarrow.table(stream)
            return stream.records_written

        return timed(repeat, table, warm_up=warm_up)
    if op == "marctable":
        from marctable.utils import to_parquet

        def convert_marctable():
            with open(path, "rb") as handle, open(case["out"], "wb") as out:
                to_parquet(handle, out)
            import pyarrow.parquet

            return pyarrow.parquet.ParquetFile(case["out"]).metadata.num_rows

        return timed(repeat, convert_marctable, outputs=outputs, warm_up=warm_up)
    raise ValueError(f"unknown columnar operation {op!r}")


# -- the report ------------------------------------------------------------------------
def _rows(results):
    return {row["label"]: row for row in results["cases"] if row["group"] == "columnar"}


def table(results):
    """The markdown table of the columnar cases, or '' when none ran."""
    rows = _rows(results)
    if not rows:
        return ""
    base = rows.get(PYMARC_READ, {}).get("rate")
    out = ["| case | records | records/s | vs pymarc's read | peak MiB |", "|---|---:|---:|---:|---:|"]
    for label, row in rows.items():
        ratio = f"{row['rate'] / base:.1f}x" if base else "–"
        out.append(f"| {label} | {row['records']:,} | {row['rate']:,.0f} | {ratio} | {row['peak_rss_mib']:,.0f} |")
    return "\n".join(out)


def targets(results):
    """The issue's targets, met or not, as a markdown table ('' when none ran)."""
    rows = _rows(results)
    base = rows.get(PYMARC_READ, {}).get("rate")
    if not rows or not base:
        return ""
    out = ["| target | measured | goal | |", "|---|---:|---:|---|"]
    for label, goal in TARGETS:
        row = rows.get(label)
        value = row["rate"] / base if row else None
        shown = "–" if value is None else f"{value:.1f}x"
        verdict = "not measured" if value is None else ("met" if value >= goal else "**not met**")
        out.append(f"| {label} vs pymarc's read | {shown} | ≥ {goal:.0f}x | {verdict} |")
    memory = rows.get(MEMORY)
    if memory:
        verdict = "met" if memory["peak_rss_mib"] <= MEMORY_LIMIT_MIB else "**not met**"
        out.append(f"| {MEMORY} | {memory['peak_rss_mib']:,.0f} MiB | ≤ {MEMORY_LIMIT_MIB} MiB | {verdict} |")
    return "\n".join(out)
