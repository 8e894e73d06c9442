"""Running a job over the inputs of a ``pymrrc`` command.

ISO 2709 inputs go through ``pymrrc._core.FileJob``: batches of records
are read, validated and converted in Rust with the GIL released (in
parallel for a path), and come back as output bytes; the records Rust does
not handle itself come back one by one and are decoded here by
``MARCReader``, exactly as pymarc's reader decodes them. MARCXML files go
through ``FileJob`` too (parsed natively, pymarc's handler replayed), and
from where the native reader stops, if it does, through ``map_xml``;
MARC-in-JSON is parsed natively (serde_json) and its records converted in
the same way, with ``JSONReader`` going on where that stops. MARCXML on
standard input and MARCMaker text are read by pymrrc's readers.

A command gives a :class:`Sink`; the engine calls it with what each input
holds, in order, and keeps the counts.
"""

from __future__ import annotations

import io
import json
import sys
import typing

from pymrrc._core import FileJob
from pymrrc.cli.errors import DataError, describe
from pymrrc.cli.inputs import Input, open_input, text_stream
from pymrrc.cli.progress import Progress

if typing.TYPE_CHECKING:
    from pymrrc.record import Record


class ReaderOptions:
    """pymarc's reader options, from the command line. (Plain classes here
    and in the other modules the command starts with: ``dataclasses`` alone
    would add a tenth to its start-up.)"""

    def __init__(self, force_utf8: bool = False, utf8_handling: str = "strict",
                 file_encoding: str = "iso8859-1", hide_utf8_warnings: bool = False,
                 workers: int | None = None) -> None:
        self.force_utf8: bool = force_utf8
        self.utf8_handling: str = utf8_handling
        self.file_encoding: str = file_encoding
        self.hide_utf8_warnings: bool = hide_utf8_warnings
        self.workers: int | None = workers

    def reader_kwargs(self) -> dict[str, typing.Any]:
        return {
            "force_utf8": self.force_utf8,
            "utf8_handling": self.utf8_handling,
            "file_encoding": self.file_encoding,
            "hide_utf8_warnings": self.hide_utf8_warnings,
        }


class Counts:
    """What one input (or all of them) held."""

    def __init__(self) -> None:
        self.records: int = 0
        self.rejected: int = 0
        self.references: int = 0

    def add(self, other: "Counts") -> None:
        self.records += other.records
        self.rejected += other.rejected
        self.references += other.references


class Sink:
    """What a command does with an input's contents; every method may be
    left as it is."""

    def begin(self, source: Input) -> None:
        """An input starts."""

    def blob(self, data: bytes, count: int, sizes: typing.Sequence[int] | None) -> None:
        """``count`` records converted natively, joined by the separator
        (``sizes``: each record's length, when asked for)."""

    def record(self, record: Record, number: int, offset: int | None) -> None:
        """A record read in Python (number from 1; offset if known)."""

    def rejected(self, number: int, offset: int | None, chunk: bytes | None, exc: BaseException) -> None:
        """A record pymarc's reader yields ``None`` for."""

    def select(self, values: list[str], owners: list[int], count: int) -> list[int]:
        """``grep``: the batch positions (of ``count``) of the records to
        keep, given each value and the position of its record."""
        return []

    def trailing(self, data: bytes) -> None:
        """Bytes after a framing error (raw output keeps them)."""

    def native_stats(self, stats: typing.Any) -> None:
        """``stats``: what Rust counted over the input's records."""

    def end(self, source: Input, counts: Counts) -> None:
        """An input ends."""


class Job:
    """How the inputs are worked through."""

    def __init__(self, native: str, options: ReaderOptions, separator: bytes = b"", sizes: bool = False,
                 start: int = 0, stop: int | None = None, report_invalid: bool = True, stats: bool = False,
                 grep: tuple[str, str | None] | None = None) -> None:
        #: The native format name (``raw``, ``none``, ``xml``, ...).
        self.native: str = native
        self.options: ReaderOptions = options
        self.separator: bytes = separator
        self.sizes: bool = sizes
        self.start: int = start
        self.stop: int | None = stop
        self.report_invalid: bool = report_invalid
        self.stats: bool = stats
        self.grep: tuple[str, str | None] | None = grep
        #: Records seen so far over all inputs, for windows over all of them.
        self.seen: int = 0

    def done(self) -> bool:
        return self.stop is not None and self.seen >= self.stop


def run(inputs: typing.Sequence[Input], sink: Sink, job: Job, progress: Progress) -> list[Counts]:
    """Works through ``inputs`` in order; returns each one's counts."""
    results = []
    for source in inputs:
        if job.done():
            break
        progress.next_input(source.label)
        sink.begin(source)
        counts = Counts()
        try:
            if source.format == "marc":
                _run_native(source, sink, job, progress, counts)
            elif source.format == "xml" and source.name != "-":
                _run_xml(source, sink, job, progress, counts)
            elif source.format == "json":
                _run_json(source, sink, job, progress, counts)
            else:
                _run_python(source, sink, job, progress, counts)
        finally:
            source.close()
        sink.end(source, counts)
        results.append(counts)
    return results


def _sizes(data: bytes | None) -> list[int] | None:
    return None if data is None else list(memoryview(data).cast("Q"))


def _run_xml(source: Input, sink: Sink, job: Job, progress: Progress, counts: Counts) -> None:
    """MARCXML read natively; where the native reader stops early (a
    document or a record it does not read exactly), the input is opened
    again and read on by pymrrc's readers, past the records already done."""
    seen_before = job.seen
    stopped = _run_native(source, sink, job, progress, counts, xml=True)
    if stopped is None or job.done():
        return
    again = open_input(source.name, "xml")
    try:
        _run_python(again, sink, job, progress, counts, skip=job.seen - seen_before)
    finally:
        again.close()


def _run_json(source: Input, sink: Sink, job: Job, progress: Progress, counts: Counts) -> None:
    """MARC-in-JSON: parsed and converted natively up to a record pymarc's
    ``JSONReader`` builds in its own way (or not at all, for a document
    only Python's json module reads), the rest by ``JSONReader``."""
    document = typing.cast(typing.BinaryIO, source.stream).read()
    seen_before = job.seen
    stopped = _run_native(source, sink, job, progress, counts, json_document=document)
    if stopped is None or job.done():
        return
    try:
        data = json.load(text_stream(io.BytesIO(document)), strict=False)
    except Exception as exc:  # noqa: BLE001 - the reader's own error, reported in one line
        raise DataError(f"{source.label}: cannot read it as json: {describe(exc)}") from exc
    _run_python(source, sink, job, progress, counts, skip=job.seen - seen_before, loaded=data)


def _run_native(source: Input, sink: Sink, job: Job, progress: Progress, counts: Counts,
                xml: bool = False, json_document: bytes | None = None) -> str | None:
    """Reads an ISO 2709 input natively (or with ``xml`` a MARCXML one, or
    the records of a loaded MARC-in-JSON document); returns why a MARCXML
    or JSON reader stopped early, if it did."""
    start = max(job.start - job.seen, 0)
    stop = None if job.stop is None else job.stop - job.seen
    grep_tag, grep_code = job.grep if job.grep else (None, None)
    has_offsets = not xml and json_document is None
    native_format = "dump" if not has_offsets and job.native == "dump-offsets" else job.native
    try:
        native = FileJob(
            source.path if source.path is not None else source.stream,
            format=native_format,
            xml=xml,
            json=json_document,
            workers=job.options.workers,
            separator=job.separator,
            sizes=job.sizes,
            start=start,
            stop=stop,
            report_invalid=job.report_invalid,
            stats=job.stats,
            grep_tag=grep_tag,
            grep_code=grep_code,
            **job.options.reader_kwargs(),
        )
    except OSError as exc:
        raise DataError(f"cannot read {source.label}: {exc.strerror or exc}") from exc
    reader_kwargs = job.options.reader_kwargs()
    seen_before = job.seen
    try:
        for batch in native:
            if batch.values is not None and batch.owners is not None:
                batch = native.select(sink.select(batch.values, batch.owners, batch.count))
            counts.records += batch.records
            counts.rejected += batch.rejected
            counts.references += batch.references
            sizes = _sizes(batch.sizes)
            at = 0
            for part in batch.parts:
                if len(part) == 2:
                    at = _blob(sink, part[0], part[1], sizes, at)
                    continue
                number, offset, chunk, error = part
                if error is None:
                    record, error = _decode(chunk, reader_kwargs)
                    if record is not None:
                        counts.records += 1
                        sink.record(record, number, offset)
                        continue
                    counts.rejected += 1
                sink.rejected(number, offset, chunk, error)
            progress.update(source.position(batch.position), batch.records)
        if job.native == "raw" and not job.stop and has_offsets:
            _trailing(source, native, sink)
        if job.stats:
            sink.native_stats(native.stats())
        stopped: str | None = native.stopped
    finally:
        job.seen = seen_before + native.seen
        native.close()
    return stopped


def _blob(sink: Sink, data: bytes, count: int, sizes: list[int] | None, at: int) -> int:
    """Hands a blob of ``count`` records to the sink, with their sizes if
    asked for; returns where the next blob's sizes start."""
    if sizes is None:
        sink.blob(data, count, None)
        return at
    sink.blob(data, count, sizes[at : at + count])
    return at + count


_quiet = False


def python_reading() -> None:
    """Called before records are read in Python: pymarc's decoder
    diagnostics (missing indicators, odd subfield codes) are a library's
    notes, not the command's output. (Rust's batches log nothing.)"""
    global _quiet
    if not _quiet:
        import logging

        logging.getLogger("pymarc").setLevel(logging.CRITICAL)
        _quiet = True


def _decode(chunk: bytes, kwargs: dict[str, typing.Any]) -> tuple[Record | None, BaseException | None]:
    """The record pymarc's reader makes of ``chunk``, or its exception."""
    from pymrrc.reader import MARCReader

    python_reading()
    reader = MARCReader(chunk, **kwargs)
    record = next(reader, None)
    if record is None:
        return None, reader.current_exception
    return record, None


def _trailing(source: Input, native: typing.Any, sink: Sink) -> None:
    """What follows a framing error, for outputs that copy bytes."""
    if source.path is not None:
        with open(source.path, "rb") as handle:
            handle.seek(native.position)
            rest = handle.read()
    else:
        rest = native.unframed() + typing.cast(typing.BinaryIO, source.stream).read()
    if rest:
        sink.trailing(rest)


class _Enough(Exception):
    """Stops reading an input once the window asked for is done."""


class _SinkFailed(Exception):
    """Carries what the sink raised through the reader, untouched."""

    def __init__(self, inner: BaseException) -> None:
        super().__init__()
        self.inner = inner


def _each_record(source: Input, handle: typing.Callable[[Record], None], loaded: typing.Any) -> None:
    """Calls ``handle`` with each record of a MARCXML, MARC-in-JSON or
    MARCMaker input, in order (MARCXML is read as a stream; ``loaded``: a
    MARC-in-JSON document loaded already)."""
    from pymrrc.marcxml import map_xml
    from pymrrc.reader import JSONReader, MARCMakerReader

    python_reading()
    stream = typing.cast(typing.BinaryIO, source.stream)
    if source.format == "xml":
        map_xml(handle, stream)
        return
    if source.format == "json" and loaded is not _NOT_LOADED:
        reader = JSONReader.__new__(JSONReader)
        reader.records = loaded
        records: typing.Iterable[Record] = reader
    else:
        reader_class = JSONReader if source.format == "json" else MARCMakerReader
        records = reader_class(text_stream(stream))
    for record in records:
        handle(record)


#: ``_each_record``'s ``loaded`` when nothing was loaded beforehand.
_NOT_LOADED = object()


def _run_python(source: Input, sink: Sink, job: Job, progress: Progress, counts: Counts,
                skip: int = 0, loaded: typing.Any = _NOT_LOADED) -> None:
    """Reads an input that is not ISO 2709 record by record in Python (the
    first ``skip`` records were handled already)."""
    number = 0

    def handle(record: Record) -> None:
        nonlocal number
        number += 1
        if number <= skip:
            return
        job.seen += 1
        if job.seen <= job.start:
            return
        counts.records += 1
        try:
            sink.record(record, number, None)
        except Exception as exc:  # noqa: BLE001 - re-raised as it is below
            raise _SinkFailed(exc) from exc
        progress.update(source.position(0), 1)
        if job.done():
            raise _Enough

    try:
        _each_record(source, handle, loaded)
    except _Enough:
        pass
    except _SinkFailed as failed:
        raise failed.inner from None
    except Exception as exc:  # noqa: BLE001 - the reader's own error, reported in one line
        raise DataError(f"{source.label}: cannot read it as {source.format}: {describe(exc)}") from exc
    if job.stats and not skip:
        sink.native_stats(None)


def warn(message: str) -> None:
    """One line on standard error."""
    print(f"pymrrc: {message}", file=sys.stderr)
