"""pymarc vs pymrrc when the reader's options change between records.

pymarc's ``MARCReader`` reads ``to_unicode``, ``force_utf8``,
``hide_utf8_warnings``, ``utf8_handling`` and ``file_encoding`` from itself
at every record (and stores ``permissive``, which it never reads), so a
program may set them after building the reader (FOLIO's migration tools set
``reader.force_utf8 = True``), or between two ``next()`` calls. pymrrc reads
ahead (batches on other threads for a path, a batch at a time for bytes and
file objects): records read ahead under the old options must come out as the
new ones make them.

A script of option changes, drawn from a seed, is played on pymarc (over a
``BytesIO``) and on pymrrc over every backend; everything observable about
each item (the record, current_chunk, current_exception, warnings, log
records, stdout/stderr) must be equal. The data mixes pymarc's own test
records whose reading depends on each option (UTF-8 with and without the
leader flag, MARC-8, cp1251, invalid UTF-8), over more than two batches of
512 records, so that changes fall on records read ahead.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import os
import random
import socket
import threading

import pytest

import pymrrc_compat_diff as diff  # registered by compat-tests/conftest.py

#: pymarc test files whose records are mixed into the data.
SOURCES = (
    "utf8_with_leader_flag.dat",
    "utf8_without_leader_flag.dat",
    "utf8_invalid.mrc",
    "utf8_errors.dat",
    "marc8.dat",
    "diacritic.dat",
    "1251.dat",
    "test.dat",
    "one.dat",
)
#: Records in the data: more than two batches of 512.
RECORDS = 1100

#: The values each option takes in the scripts.
OPTION_VALUES = {
    "to_unicode": (True, False, 1, ""),
    "force_utf8": (True, False),
    "hide_utf8_warnings": (True, False),
    # "backslashreplace" is a handler only the Python decoder implements.
    "utf8_handling": ("strict", "replace", "ignore", "backslashreplace"),
    "file_encoding": ("iso8859-1", "cp1251", "utf-8", "latin-1"),
    "permissive": (True, False),
}

BACKENDS = (
    "path", "path-workers=1", "path-workers=3", "bytes", "BytesIO", "open", "open-unbuffered",
    "gzip", "read-only", "pipe", "raw-pipe", "socket",
)


@pytest.fixture(scope="module")
def data(pymarc_test_dir) -> bytes:
    records = []
    for name in SOURCES:
        records.extend(diff.split_records((pymarc_test_dir / name).read_bytes()))
    # A UTF-8 record (leader/09 'a') with an invalid byte in its last
    # subfield: utf8_handling decides what becomes of it.
    utf8 = diff.split_records((pymarc_test_dir / "utf8_with_leader_flag.dat").read_bytes())[0]
    at = utf8.rindex(b"\x1f") + 2
    records.append(utf8[:at] + b"\xff" + utf8[at + 1 :])
    rng = random.Random(13)
    return b"".join(rng.choice(records) for _ in range(RECORDS))


@pytest.fixture(scope="module")
def files(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("options")
    path, gz_path = folder / "records.mrc", folder / "records.mrc.gz"
    path.write_bytes(data)
    gz_path.write_bytes(gzip.compress(data, compresslevel=1))
    return path, gz_path


def script(seed: int | None) -> dict[int, list[tuple[str, object]]]:
    """Which options to set before which ``next()`` call: often at the
    start (before the first record: the path reader has not begun), now
    and then later, sometimes several at once."""
    if seed is None:
        # The FOLIO case: one change after construction, before reading.
        return {0: [("force_utf8", True)]}
    rng = random.Random(seed)
    plan: dict[int, list] = {}
    for step in range(RECORDS + 1):
        if rng.random() < (0.5 if step == 0 else 0.02):
            names = rng.sample(sorted(OPTION_VALUES), rng.randint(1, 3))
            plan[step] = [(name, rng.choice(OPTION_VALUES[name])) for name in names]
    return plan


class ReadOnly:
    """A stream with nothing but ``read()``."""

    def __init__(self, data: bytes):
        self._inner = io.BytesIO(data)

    def read(self, size=-1):
        return self._inner.read(size)

    def close(self):
        self._inner.close()


def _feed(write_end, data: bytes):
    """Writes ``data`` to a file descriptor or socket from a thread."""

    def run():
        with contextlib.suppress(OSError):
            if isinstance(write_end, socket.socket):
                write_end.sendall(data)
                write_end.close()
            else:
                with open(write_end, "wb") as out:
                    out.write(data)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@contextlib.contextmanager
def open_reader(module, backend, data, files):
    """A pymrrc reader over ``backend``."""
    path, gz_path = files
    if backend.startswith("path"):
        workers = {"path": None, "path-workers=1": 1, "path-workers=3": 3}[backend]
        reader = module.MARCReader(str(path), workers=workers)
        with reader:
            yield reader
        return
    if backend == "bytes":
        yield module.MARCReader(data)
        return
    with contextlib.ExitStack() as stack:
        if backend == "BytesIO":
            stream = io.BytesIO(data)
        elif backend == "open":
            stream = stack.enter_context(open(path, "rb"))
        elif backend == "open-unbuffered":
            stream = stack.enter_context(open(path, "rb", buffering=0))
        elif backend == "gzip":
            stream = stack.enter_context(gzip.open(gz_path, "rb"))
        elif backend == "read-only":
            stream = ReadOnly(data)
        elif backend in ("pipe", "raw-pipe"):
            read_fd, write_fd = os.pipe()
            stream = stack.enter_context(open(read_fd, "rb", buffering=-1 if backend == "pipe" else 0))
            stack.callback(_feed(write_fd, data).join, 30)
        elif backend == "socket":
            ours, theirs = socket.socketpair()
            stack.callback(ours.close)
            stream = stack.enter_context(ours.makefile("rb"))
            stack.callback(_feed(theirs, data).join, 30)
        else:  # pragma: no cover
            raise AssertionError(backend)
        yield module.MARCReader(stream)


def observe_record(record) -> tuple:
    """What the options change about a record (lighter than
    ``diff.observe_record``, which the other differential tests use)."""
    fields = []
    for field in record.fields:
        if field.control_field:
            fields.append((field.tag, field.data))
        else:
            fields.append((field.tag, tuple(field.indicators), [tuple(s) for s in field.subfields]))
    return (type(record).__name__, str(record.leader), record.to_unicode, record.force_utf8,
            fields, diff.observe(record.as_marc))


def play(reader, plan) -> list:
    """Every item ``reader`` yields, with the options set per ``plan``."""
    seen = []
    for step in range(RECORDS + 3):
        for name, value in plan.get(step, ()):
            setattr(reader, name, value)
        with diff.capture_side_effects() as effects:
            try:
                record = next(reader)
            except StopIteration:
                item = {"kind": "end"}
            else:
                item = {"kind": "none" if record is None else "record", **diff._reader_state(reader)}
                if record is not None:
                    item["record"] = observe_record(record)
        item.update(effects)
        seen.append(item)
        if item["kind"] == "end":
            return seen
    pytest.fail("the reader did not stop")


@functools.lru_cache(maxsize=None)
def pymarc_plays(data: bytes, seed: int | None) -> list:
    import pymarc

    return play(pymarc.MARCReader(io.BytesIO(data)), script(seed))


SEEDS = (None, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_options_changed_between_records(reference, target, data, files, backend, seed):
    plan = script(seed)
    expected = pymarc_plays(data, seed)
    with open_reader(target, backend, data, files) as reader:
        got = play(reader, plan)
    diff.assert_same(expected, got, f"{backend}, seed {seed}")


def test_scripts_change_every_option(data, reference):
    """The scripts set every option to every value, and the data has
    records that each option changes."""
    changed = {(name, repr(value)) for seed in (1, 2, 3) for steps in script(seed).values()
               for name, value in steps}
    assert changed == {(name, repr(v)) for name, values in OPTION_VALUES.items() for v in values}

    def as_read(**options):
        reader = reference.MARCReader(io.BytesIO(data), **options)
        with diff.capture_side_effects() as effects:
            marcs = [None if r is None else diff.observe(r.as_marc) for r in reader]
        return marcs, effects["stderr"]

    default = as_read()
    for name, values in OPTION_VALUES.items():
        if name == "permissive":
            continue
        assert any(as_read(**{name: value}) != default for value in values), name


@pytest.mark.parametrize("backend", ["path", "bytes", "open", "pipe", "gzip"])
def test_file_handle_assigned_between_records(reference, target, data, files, backend):
    """pymarc reads from whatever ``file_handle`` is at each record."""
    half = diff.split_records(data)
    second = b"".join(half[: len(half) // 3])

    def run(module, reader):
        with diff.capture_side_effects() as effects:
            seen = [next(reader).as_marc() for _ in range(5)]
            reader.file_handle = io.BytesIO(second)
            seen += [None if r is None else r.as_marc() for r in reader]
        return seen, effects

    expected = run(reference, reference.MARCReader(io.BytesIO(data)))
    with open_reader(target, backend, data, files) as reader:
        assert run(target, reader) == expected
