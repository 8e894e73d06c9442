"""Side-by-side observation of pymarc and pymrrc reading the same bytes.

:func:`snapshot` reads bytes with ``module.MARCReader`` and turns everything a
user can observe into plain, comparable Python data (lists, tuples, dicts,
str, bytes, bool, None).  Two implementations agree when their snapshots are
equal; :func:`first_difference` explains where they do not.

Loaded by ``compat-tests/conftest.py`` under the module name
``pymrrc_compat_diff`` (no sys.path changes).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import os
import re
import warnings
from collections.abc import Iterator

# ---------------------------------------------------------------------------
# Which implementation is compared with pymarc.

#: env var naming the module compared with pymarc; "pymarc" compares pymarc
#: with itself (validates the harness while pymrrc is not ready).
TARGET_ENV = "PYMRRC_DIFF_TARGET"
DEFAULT_TARGET = "pymrrc"


# Hypothesis settings shared by the differential tests; the environment
# variable PYMRRC_HYPOTHESIS_EXAMPLES sets max_examples (default 200).
MAX_EXAMPLES = int(os.environ.get("PYMRRC_HYPOTHESIS_EXAMPLES", "200"))


def hypothesis_settings():
    """The settings every differential Hypothesis test runs with."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def target_name() -> str:
    return os.environ.get(TARGET_ENV, "").strip() or DEFAULT_TARGET


def load_target():
    name = target_name()
    try:
        return importlib.import_module(name)
    except Exception as exc:
        hint = ""
        if isinstance(exc, ImportError) and "_core" in str(exc):
            hint = (" (a source checkout without the compiled extension may be "
                    "shadowing an installed pymrrc: run `pytest`, not `python -m "
                    "pytest`, from the repo root)")
        raise ImportError(
            f"cannot import the differential target {name!r} ({type(exc).__name__}: "
            f"{exc}){hint}; install pymrrc (e.g. `pip install -e .` or `maturin "
            f"develop`) or set {TARGET_ENV}=pymarc to validate the harness against "
            f"pymarc itself"
        ) from exc


# ---------------------------------------------------------------------------
# MARC-8 scope.
#
# Reading paths that decode MARC-8 must match pymarc.  With
# PYMRRC_MARC8_IN_SCOPE=0 they are only reported (xfail with the first
# difference) and do not fail.
MARC8_IN_SCOPE = os.environ.get("PYMRRC_MARC8_IN_SCOPE", "1") == "1"


def options_decode_marc8(options: dict) -> bool:
    """True when MARCReader(**options) decodes records with leader/09 != 'a' as MARC-8.

    pymarc uses MARC-8 for such records only when to_unicode is true,
    force_utf8 is false and file_encoding is the default 'iso8859-1'.
    """
    return (
        options.get("to_unicode", True)
        and not options.get("force_utf8", False)
        and options.get("file_encoding", "iso8859-1") == "iso8859-1"
    )


def chunk_needs_marc8(chunk, options: dict) -> bool:
    """Would pymarc decode this chunk (a reader's current_chunk) as MARC-8?"""
    return (
        isinstance(chunk, bytes)
        and len(chunk) > 9
        and chunk[9:10] != b"a"
        and options_decode_marc8(options)
    )


def snapshot_needs_marc8(snap: list, options: dict) -> bool:
    """Does a (pymarc) snapshot contain any item whose chunk needs MARC-8?"""
    return any(
        item.get("chunk", (None, None))[0] == "ok"
        and chunk_needs_marc8(item["chunk"][1], options)
        for item in snap
    )


# ---------------------------------------------------------------------------
# Reader option sets used by the tests.

OPTION_SETS: dict[str, dict] = {
    "default": {},
    "to_unicode_false": {"to_unicode": False},
    "force_utf8": {"force_utf8": True},
    "utf8_replace": {"utf8_handling": "replace"},
    "utf8_ignore": {"utf8_handling": "ignore"},
    "force_utf8_replace": {"force_utf8": True, "utf8_handling": "replace"},
    "hide_utf8_warnings": {"hide_utf8_warnings": True},
    # Non-MARC-8 legacy path: leader/09 != 'a' decoded with a codec.
    "file_encoding_cp1251": {"file_encoding": "cp1251"},
}


# ---------------------------------------------------------------------------
# Observation helpers.

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")

#: Record properties returning str | None.
SCALAR_PROPERTIES = (
    "title", "author", "isbn", "issn", "issnl", "issn_title", "uniformtitle",
    "sudoc", "publisher", "pubyear",
)
#: Record properties returning list[Field]; observed as lists of str(field).
LIST_PROPERTIES = (
    "series", "subjects", "addedentries", "location", "notes",
    "physicaldescription",
)


def _text(value) -> str:
    return _ADDRESS.sub(" at 0x?", str(value))


def _exc(exc: BaseException) -> tuple:
    """An exception as (class name, str, names of its class hierarchy)."""
    mro = tuple(c.__name__ for c in type(exc).__mro__)
    return (type(exc).__name__, _text(exc), mro)


def observe(fn):
    """('ok', value) or ('raised', exception class name, str(exception), mro)."""
    try:
        return ("ok", fn())
    except Exception as exc:  # noqa: BLE001 - everything is observable
        return ("raised",) + _exc(exc)


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[tuple] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            msg = record.getMessage()
        except Exception as exc:  # noqa: BLE001
            msg = f"<unformattable: {exc!r}>"
        self.records.append((record.name, record.levelname, _text(msg)))


@contextlib.contextmanager
def capture_side_effects():
    """Capture warnings, log records and writes to sys.stdout/sys.stderr."""
    handler = _LogCapture()
    root = logging.getLogger()
    root.addHandler(handler)
    out, err = io.StringIO(), io.StringIO()
    captured: dict = {}
    try:
        with warnings.catch_warnings(record=True) as caught, \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            yield captured
    finally:
        root.removeHandler(handler)
        # A ResourceWarning reports an object the garbage collector freed, made
        # by whichever code left it unclosed, at a moment set by allocation:
        # it says nothing about the calls being compared.
        captured["warnings"] = [(w.category.__name__, _text(w.message)) for w in caught
                                if not issubclass(w.category, ResourceWarning)]
        captured["log"] = handler.records
        captured["stdout"] = out.getvalue()
        captured["stderr"] = err.getvalue()


def _indicators(field):
    ind = field.indicators
    return None if ind is None else (type(ind).__name__, tuple(ind))


def observe_field(field) -> dict:
    # Fast path: one try block for the common case where nothing raises; the
    # result is identical to the per-attribute path below.
    try:
        ind = field.indicators
        return {
            "type": type(field).__name__,
            "tag": ("ok", field.tag),
            "control_field": ("ok", field.control_field),
            "data": ("ok", field.data),
            "indicators": ("ok", None if ind is None else (type(ind).__name__, tuple(ind))),
            "subfields": ("ok", [(type(s).__name__, s.code, s.value) for s in field.subfields]),
            "str": ("ok", str(field)),
            "value": ("ok", field.value()),
            "format_field": ("ok", field.format_field()),
        }
    except Exception:  # noqa: BLE001
        pass
    return {
        "type": type(field).__name__,
        "tag": observe(lambda: field.tag),
        "control_field": observe(lambda: field.control_field),
        "data": observe(lambda: field.data),
        "indicators": observe(lambda: _indicators(field)),
        "subfields": observe(
            lambda: [(type(s).__name__, s.code, s.value) for s in field.subfields]
        ),
        "str": observe(lambda: str(field)),
        "value": observe(field.value),
        "format_field": observe(field.format_field),
    }


def observe_record(record) -> dict:
    """Everything observable about a record, in a fixed order.

    as_marc() comes last: with to_unicode it sets leader/09 to 'a' (a
    mutation), which is then observed as ``leader_after_as_marc``.
    """
    snap: dict = {"type": type(record).__name__}
    snap["leader_type"] = type(record.leader).__name__
    snap["leader"] = observe(lambda: str(record.leader))
    snap["to_unicode"] = observe(lambda: record.to_unicode)
    snap["force_utf8"] = observe(lambda: record.force_utf8)
    snap["fields"] = observe(lambda: [observe_field(f) for f in record.fields])
    snap["iter_tags"] = observe(lambda: [f.tag for f in record])
    snap["str"] = observe(lambda: str(record))
    for name in SCALAR_PROPERTIES:
        snap[name] = observe(lambda name=name: getattr(record, name))
    for name in LIST_PROPERTIES:
        snap[name] = observe(lambda name=name: [str(f) for f in getattr(record, name)])
    snap["as_dict"] = observe(record.as_dict)
    snap["as_json"] = observe(record.as_json)
    snap["as_marc"] = observe(record.as_marc)
    snap["leader_after_as_marc"] = observe(lambda: str(record.leader))
    return snap


def _reader_state(reader) -> dict:
    def exception():
        exc = reader.current_exception
        return None if exc is None else _exc(exc)

    return {
        "chunk": observe(lambda: reader.current_chunk),
        "exception": observe(exception),
    }


def iter_snapshots(module, source, max_items: int | None = None,
                   **reader_kwargs) -> Iterator[dict]:
    """Yield one observation per item the reader yields, then a final 'end'.

    ``source`` is whatever MARCReader accepts (a binary file object or
    bytes).  ``max_items`` stops a runaway reader (a 'runaway' entry).
    Each observation is made inside its own capture of warnings, logging
    and stdio, so interleaving two of these generators is safe.
    """
    with capture_side_effects() as fx:
        try:
            reader = module.MARCReader(source, **reader_kwargs)
        except Exception as exc:  # noqa: BLE001
            reader = None
            failure = _exc(exc)
    if reader is None:
        yield {"kind": "constructor_raised", "exception": failure, **fx}
        return

    iterator = iter(reader)
    if max_items is None and isinstance(source, bytes | bytearray):
        max_items = len(source) + 2
    count = 0
    while True:
        with capture_side_effects() as fx:
            try:
                item = next(iterator)
            except StopIteration:
                item = StopIteration
                snap = {"kind": "end", **_reader_state(reader)}
            except Exception as exc:  # noqa: BLE001
                item = StopIteration
                snap = {"kind": "next_raised", "exception": _exc(exc),
                        **_reader_state(reader)}
            else:
                if item is None:
                    snap = {"kind": "none", **_reader_state(reader)}
                else:
                    snap = {"kind": "record", **_reader_state(reader),
                            "record": observe_record(item)}
        snap.update(fx)
        yield snap
        if item is StopIteration:
            return
        count += 1
        if max_items is not None and count > max_items:
            yield {"kind": "runaway", "detail": f"more than {max_items} items"}
            return


def snapshot(module, data: bytes, **reader_kwargs) -> list:
    """Read ``data`` with ``module.MARCReader(io.BytesIO(data), **reader_kwargs)``.

    Returns a list with one dict per yielded item (None or a record) and a
    final ``{'kind': 'end', ...}`` entry with the reader's state after
    iteration stopped.  For None items: the reader's current_exception
    (class name, str, class hierarchy) and current_chunk; for records: the
    leader, every field (type, tag, control_field, data, indicators,
    subfields, str, value(), format_field()), str(record), the properties,
    as_dict(), as_json(), as_marc() and the leader after as_marc().  Every
    item also carries the warnings, log records and stdout/stderr output
    produced while it was read and observed.  Any exception raised by an
    observation is recorded in place of its value.
    """
    # Every item consumes at least one byte, so more items than bytes means
    # a runaway reader.
    return list(iter_snapshots(module, io.BytesIO(data), max_items=len(data) + 2,
                               **reader_kwargs))


# ---------------------------------------------------------------------------
# Explaining differences.


def short(value, limit: int = 400) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def first_difference(a, b, path: str = "") -> str | None:
    """Describe the first place where ``a`` and ``b`` differ, or None."""
    if a == b and type(a) is type(b):
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return (f"{path}.{key}: present only in "
                        f"{'reference' if key in a else 'target'}")
            diff = first_difference(a[key], b[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and type(a) is type(b):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            diff = first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        if len(a) != len(b):
            return (f"{path}: length {len(a)} (reference) != {len(b)} (target); "
                    f"extra: {short(a[len(b):] if len(a) > len(b) else b[len(a):])}")
        return None
    return f"{path or '<root>'}:\n    reference: {short(a)}\n    target:    {short(b)}"


def describe_mismatch(ref: list, got: list, context: str = "",
                      with_chunk: bool = True) -> str:
    """A failure message for two differing snapshots (item index, path, values)."""
    diff = first_difference(ref, got) or "(values equal but types differ)"
    lines = [f"pymarc and {target_name()} differ{(' on ' + context) if context else ''}:",
             f"  at {diff}"]
    match = re.match(r"\[(\d+)\]", diff)
    if match and with_chunk:
        idx = int(match.group(1))
        if idx < len(ref):
            chunk = ref[idx].get("chunk")
            if chunk and chunk[0] == "ok" and chunk[1] is not None:
                lines.append(f"  reference current_chunk of item {idx}: {short(chunk[1], 600)}")
    return "\n".join(lines)


def assert_same(ref: list, got: list, context: str = "") -> None:
    """Raise AssertionError with a focused message unless the snapshots match."""
    if ref != got:
        raise AssertionError(describe_mismatch(ref, got, context))


# ---------------------------------------------------------------------------
# Framing and encoding helpers of our own (independent of both libraries).


def split_records(data: bytes) -> list[bytes]:
    """Split ISO 2709 data into records by their leader lengths.

    Stops at the first length that is not 5 ASCII digits (trailing padding).
    """
    out, pos = [], 0
    while pos + 5 <= len(data) and data[pos:pos + 5].isdigit():
        length = int(data[pos:pos + 5])
        if length < 5:
            break
        out.append(data[pos:pos + length])
        pos += length
    return out


def iter_file_records(path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while True:
            head = fh.read(5)
            if len(head) < 5:
                return
            yield head + fh.read(int(head) - 5)


FT = b"\x1e"  # field terminator
RT = b"\x1d"  # record terminator
SF = b"\x1f"  # subfield delimiter


def encode_record(leader: bytes, fields: list[tuple[bytes, bytes]]) -> bytes:
    """Encode ``fields`` as ISO 2709 with a correct directory and leader.

    ``leader`` is 24 bytes (positions 0-4 and 12-16 are overwritten);
    each field is (3-byte tag, body) where the body excludes the field
    terminator, e.g. b"00" + SF + b"aTitle".
    """
    directory, bodies, offset = [], [], 0
    for tag, body in fields:
        body = body + FT
        directory.append(tag + b"%04d%05d" % (len(body), offset))
        bodies.append(body)
        offset += len(body)
    dir_bytes = b"".join(directory) + FT
    base = 24 + len(dir_bytes)
    total = base + offset + 1
    lead = bytearray(leader[:24].ljust(24, b" "))
    lead[0:5] = b"%05d" % total
    lead[12:17] = b"%05d" % base
    return bytes(lead) + dir_bytes + b"".join(bodies) + RT


def decode_structure(record: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """Inverse of :func:`encode_record` for well-formed records."""
    base = int(record[12:17])
    directory = record[24:base - 1]
    fields = []
    for i in range(0, len(directory) - len(directory) % 12, 12):
        entry = directory[i:i + 12]
        length, offset = int(entry[3:7]), int(entry[7:12])
        body = record[base + offset:base + offset + length]
        fields.append((entry[:3], body[:-1] if body.endswith(FT) else body))
    return record[:24], fields
