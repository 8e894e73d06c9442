"""The field-access cases (issue 14): what a pymarc script does with the
fields of each record, pymarc and pymrrc in the same run; their table and
their targets.

Every per-record case reads ``--records`` records through a file object
(``MARCReader(open(path, "rb"))``) and does one thing to each record:

- *title + values*: ``record.title`` and every field's ``value()``;
- *get_fields + get_subfields*: ``get_fields("650", "700", "100")`` and each
  found field's ``get_subfields("a")``;
- *record['245']['a']*: one subfield by tag and code;
- *format_field*: every field's ``format_field()``.

The format cases use ``--format-records`` records: *parse_xml_to_array +
fields* parses a MARCXML collection (written by pymarc from the slice, kept
in a cache directory between runs) and then goes over every record's fields;
*JSONReader* iterates a MARC-in-JSON array read from a file object.
*list(reader)* holds every record of the ``--records`` slice, for its peak
memory.

Each case runs in a fresh process (``case.py`` hands kind ``"fields"`` to
:func:`run_case`).
"""

import hashlib
import os

import workloads

GROUP = "fields"
LIBS = ("pymarc", "pymrrc")

# label -> (per-record work name, goal as a ratio over pymarc)
PER_RECORD_CASES = {
    "title + values": ("title_values", 15.0),
    "get_fields + get_subfields": ("get_fields", 15.0),
    "record['245']['a']": ("245a", 25.0),
    "format_field": ("format_field", 12.0),
}
XML = "parse_xml_to_array + fields"
JSON = "JSONReader (file object)"
LIST = "list(reader), file object"
FORMAT_GOALS = {XML: 8.0, JSON: 10.0}
LIST_GOAL_MIB = 124.0


# -- per-record work -------------------------------------------------------------
def _title_values(record):
    record.title  # noqa: B018
    for field in record.fields:
        field.value()


def _get_fields(record):
    for field in record.get_fields("650", "700", "100"):
        field.get_subfields("a")


def _245a(record):
    field = record["245"]
    if field is not None:
        field["a"]  # noqa: B018


def _format_field(record):
    for field in record.fields:
        field.format_field()


WORK = {
    "title_values": _title_values,
    "get_fields": _get_fields,
    "245a": _245a,
    "format_field": _format_field,
}


def _fields_of(records):
    """Goes over every field of every record (pymrrc builds them on first use)."""
    count = 0
    for record in records:
        for field in record.fields:
            field.tag  # noqa: B018
        count += 1
    return count


# -- data --------------------------------------------------------------------------
def cache_dir():
    """Where made documents are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pymrrc-bench")


def cached_xml(slice_path):
    """A MARCXML collection of every record of ``slice_path``, written by
    pymarc's XMLWriter, made once and kept in :func:`cache_dir` (named by
    the slice's size and the first MiB's digest, so a changed slice makes a
    new one)."""
    with open(slice_path, "rb") as handle:
        digest = hashlib.sha256(handle.read(1 << 20)).hexdigest()[:16]
    name = f"{os.path.basename(slice_path)}-{os.path.getsize(slice_path)}-{digest}.xml"
    target = os.path.join(cache_dir(), name)
    if not os.path.exists(target):
        import pymarc

        os.makedirs(cache_dir(), exist_ok=True)
        partial = f"{target}.{os.getpid()}.partial"
        records = workloads.load_records(pymarc, slice_path)
        workloads.make_xml(pymarc, records, partial)
        os.replace(partial, target)
    return target


# -- the cases ---------------------------------------------------------------------
def cases(run, slice_path, format_path, scratch, repeat, runner):
    """Every field-access case: per-record work and list(reader) on
    ``slice_path``, MARCXML and MARC-in-JSON made from ``format_path``."""
    for label, (work, _) in PER_RECORD_CASES.items():
        for lib in LIBS:
            run.measure(GROUP, f"{label} / {lib}",
                        {"kind": GROUP, "op": "read", "work": work, "lib": lib, "file": slice_path,
                         "repeat": repeat}, runner)
    xml_doc = cached_xml(format_path)
    json_doc = os.path.join(scratch, "fields-records.json")
    import pymarc

    workloads.make_json(pymarc, workloads.load_records(pymarc, format_path), json_doc)
    for lib in LIBS:
        run.measure(GROUP, f"{XML} / {lib}",
                    {"kind": GROUP, "op": "xml", "lib": lib, "doc": xml_doc, "repeat": repeat}, runner)
    for lib in LIBS:
        run.measure(GROUP, f"{JSON} / {lib}",
                    {"kind": GROUP, "op": "json", "lib": lib, "doc": json_doc, "repeat": repeat}, runner)
    for lib in LIBS:
        run.measure(GROUP, f"{LIST} / {lib}",
                    {"kind": GROUP, "op": "list", "lib": lib, "file": slice_path}, runner)


# -- in the case's process -----------------------------------------------------------
def run_case(case, timed):
    """The work of one field-access case; ``timed`` is case.py's timer."""
    lib = __import__(case["lib"])
    op, repeat = case["op"], case.get("repeat", 1)
    if op == "read":
        work = WORK[case["work"]]
        return timed(repeat, lambda: workloads.read_records(lib, "file", case["file"], work))
    if op == "xml":
        return timed(repeat, lambda: _fields_of(lib.parse_xml_to_array(case["doc"])))
    if op == "json":

        def read_json():
            with open(case["doc"], encoding="utf-8") as handle:
                return sum(1 for _ in lib.JSONReader(handle))

        return timed(repeat, read_json)
    if op == "list":
        return timed(1, lambda: len(workloads.load_records(lib, case["file"])), warm_up=False)
    raise ValueError(f"unknown fields operation {op!r}")


# -- the report ----------------------------------------------------------------------
def _rows(results):
    return {row["label"]: row for row in results["cases"] if row["group"] == GROUP}


def _pairs(rows):
    for label in (*PER_RECORD_CASES, XML, JSON):
        ours, theirs = rows.get(f"{label} / pymrrc"), rows.get(f"{label} / pymarc")
        if ours and theirs:
            yield label, theirs, ours


def table(results):
    """The markdown table of the field-access cases, or '' when none ran."""
    rows = _rows(results)
    if not rows:
        return ""
    out = ["| case | records | pymarc records/s | pymrrc records/s | pymrrc vs pymarc |",
           "|---|---:|---:|---:|---:|"]
    for label, theirs, ours in _pairs(rows):
        out.append(f"| {label} | {ours['records']:,} | {theirs['rate']:,.0f} | {ours['rate']:,.0f} "
                   f"| {ours['rate'] / theirs['rate']:.1f}x |")
    theirs, ours = rows.get(f"{LIST} / pymarc"), rows.get(f"{LIST} / pymrrc")
    if theirs and ours:
        out.append(f"| {LIST}: peak MiB (not records/s) | {ours['records']:,} | {theirs['peak_rss_mib']:,.0f} "
                   f"| {ours['peak_rss_mib']:,.0f} | {ours['peak_rss_mib'] / theirs['peak_rss_mib']:.2f}x |")
    return "\n".join(out)


def targets(results):
    """Issue 14's targets, met or not ('' when none ran)."""
    rows = _rows(results)
    if not rows:
        return ""
    goals = {label: goal for label, (_, goal) in PER_RECORD_CASES.items()} | FORMAT_GOALS
    out = ["| target | measured | goal | |", "|---|---:|---:|---|"]

    def verdict(ok):
        return "met" if ok else "**not met**"

    for label, theirs, ours in _pairs(rows):
        ratio = ours["rate"] / theirs["rate"]
        out.append(f"| {label} vs pymarc | {ratio:.1f}x | ≥ {goals[label]:.0f}x | {verdict(ratio >= goals[label])} |")
    row = rows.get(f"{LIST} / pymrrc")
    if row:
        mib = row["peak_rss_mib"]
        out.append(f"| {LIST}, pymrrc peak | {mib:,.0f} MiB | ≤ {LIST_GOAL_MIB:.0f} MiB "
                   f"| {verdict(mib <= LIST_GOAL_MIB)} |")
    return "\n".join(out)
