"""Writers that serialize records to an open file handle.

* :class:`MARCWriter` - ISO 2709 transmission format (binary handle)
* :class:`JSONWriter` - a JSON array of MARC-in-JSON objects (text handle)
* :class:`TextWriter` - human readable MARCMaker-style text (text handle)
* :class:`XMLWriter` - a MARCXML ``collection`` document (binary handle)

``JSONWriter`` and ``XMLWriter`` only produce a complete document once they
are closed; call ``close(close_fh=False)`` to finish the document while
leaving the underlying handle (e.g. an ``io.StringIO``) open.
"""

import json
import os as _os
import typing as _typing
import xml.etree.ElementTree as ET
from typing import IO

from pymrrc import marcxml as _marcxml
from pymrrc._core import FileSink as _NativeSink
from pymrrc.exceptions import WriteNeedsRecord
from pymrrc.marc8 import record_to_marc8 as _record_to_marc8
from pymrrc.marcxml import record_to_xml_node
from pymrrc.record import Record

if _typing.TYPE_CHECKING:
    import typing_extensions as _typing_extensions

_ORIGINAL_RECORD_TO_XML_NODE = record_to_xml_node


class _FileSink(_NativeSink):
    """The file ``MARCWriter(path)`` writes to: Rust's buffered output.

    Like a Python file, one garbage-collected while still open warns with
    ``ResourceWarning`` (shown under ``-X dev``) and closes itself. If what
    it held cannot be written out then, the ``OSError`` goes to
    ``sys.unraisablehook``, which prints it: unlike a Python file, whose
    error is printed only under ``-X dev``, a lost write is always reported.
    """

    __slots__ = ()

    def __del__(self) -> None:
        self._finalize()


_JSON_SEPARATORS = (",", ":")


class Writer:
    """Common base of the writers: holds the handle and checks the input."""

    def __init__(self, file_handle: IO[_typing.Any]) -> None:
        """Keep ``file_handle`` as the destination of later writes."""
        self.file_handle: IO[_typing.Any] = file_handle

    def write(self, record: Record) -> None:
        """Reject anything that is not a :class:`~pymrrc.record.Record`."""
        if not isinstance(record, Record):
            raise WriteNeedsRecord

    def close(self, close_fh: bool = True) -> None:
        """Finish writing.

        The underlying file handle is closed too unless ``close_fh`` is
        false.  Either way the writer forgets the handle afterwards.
        """
        if close_fh and self.file_handle:
            self.file_handle.close()
        self.file_handle = None  # type: ignore


class JSONWriter(Writer):
    """Write records as one JSON array of MARC-in-JSON objects.

    The closing bracket is only written by :meth:`close`, so the writer must
    be closed to obtain valid JSON:

    .. code-block:: python

        out = io.StringIO()
        writer = JSONWriter(out)
        writer.write(record)
        writer.close(close_fh=False)
        text = out.getvalue()
    """

    def __init__(self, file_handle: IO[_typing.Any]) -> None:
        """Start the array on ``file_handle`` (a text stream)."""
        super().__init__(file_handle)
        self.write_count: int = 0
        if self.file_handle:
            self.file_handle.write("[")

    def write(self, record: Record) -> None:
        """Append ``record`` to the array."""
        Writer.write(self, record)
        if self.file_handle:
            if self.write_count > 0:
                self.file_handle.write(",")
            text = record._json_text(True)
            if text is not None:
                self.file_handle.write(text)
                self.write_count += 1
                return
            data = record.as_dict()
            try:
                text = json.dumps(data, separators=_JSON_SEPARATORS)
            except Exception:
                # Serialize again while streaming, so that whatever precedes
                # the failing value reaches the handle before the same error
                # propagates, just as pymarc's incremental json.dump does.
                json.dump(data, self.file_handle, separators=_JSON_SEPARATORS)
            else:
                self.file_handle.write(text)
            self.write_count += 1

    def close(self, close_fh: bool = True) -> None:
        """End the array, then close as :meth:`Writer.close` does."""
        if self.file_handle:
            self.file_handle.write("]")
        Writer.close(self, close_fh)


class MARCWriter(Writer):
    """Write records in MARC 21 transmission format (ISO 2709).

    .. code-block:: python

        with open('out.mrc', 'wb') as fh:
            writer = MARCWriter(fh)
            writer.write(record)
            writer.close(close_fh=False)

    ``encoding="marc8"`` (a pymrrc extension) writes each record as
    ``record.as_marc8()`` does, in MARC-8; ``marc8_references`` then counts
    the characters written as ``&#xXXXX;`` because MARC-8 lacks them.
    """

    # Class defaults, so that a writer made as in pymarc has pymarc's
    # instance attributes and no others.
    encoding: "str | None" = None
    marc8_references: int = 0

    def __init__(
        self,
        file_handle: "IO[_typing.Any] | str | _os.PathLike[str]",
        encoding: "str | None" = None,
    ) -> None:
        """Write to ``file_handle``, a binary stream, or to a new file at a
        path (``str`` or ``os.PathLike``), which Rust writes through a
        buffer with the GIL released. ``encoding``: ``None`` (pymarc's
        ``as_marc()``) or ``"marc8"``."""
        if encoding is not None:
            if encoding != "marc8":
                raise ValueError(f"MARCWriter encoding must be None or 'marc8', not {encoding!r}")
            self.encoding = encoding
        handle: IO[_typing.Any] | _FileSink
        if isinstance(file_handle, (str, _os.PathLike)):
            # Rust creates the file; a missing folder, a directory or no
            # permission raises FileNotFoundError, IsADirectoryError or
            # PermissionError with the path in the message, as open() does.
            handle = _FileSink(_os.fspath(file_handle))
        else:
            handle = file_handle
        super().__init__(handle)  # type: ignore[arg-type]

    def write(self, record: Record) -> None:
        """Append the transmission-format bytes of ``record``."""
        handle: IO[_typing.Any] | _FileSink = self.file_handle
        if self.encoding is not None:
            Writer.write(self, record)
            if handle:
                data, references = _record_to_marc8(record)
                self.marc8_references += references
                handle.write(data)
            return
        if type(record) is Record and type(handle) is _FileSink:
            # The common case, with nothing to check: queues a record nobody
            # edited (see below).
            handle.write_record(record)
            return
        Writer.write(self, record)
        if handle:
            if type(handle) is _FileSink:
                # Queues a record nobody edited; it is encoded later with
                # the GIL released (the same bytes as as_marc()).
                handle.write_record(record)
            else:
                handle.write(record.as_marc())

    def close(self, close_fh: bool = True) -> None:
        """Finish writing; a file the writer opened itself is always closed."""
        Writer.close(self, close_fh or isinstance(self.file_handle, _FileSink))

    def __enter__(self) -> "_typing_extensions.Self":
        return self

    def __exit__(self, *exc_info: object) -> "_typing.Literal[False]":
        self.close(close_fh=isinstance(self.file_handle, _FileSink))
        return False


class TextWriter(Writer):
    """Write records as readable MARCMaker-style text, one blank line apart.

    .. code-block:: python

        out = io.StringIO()
        writer = TextWriter(out)
        writer.write(record)
        writer.close(close_fh=False)
    """

    def __init__(self, file_handle: IO[_typing.Any]) -> None:
        """Write to ``file_handle``, a text stream."""
        super().__init__(file_handle)
        self.write_count: int = 0

    def write(self, record: Record) -> None:
        """Append the text form of ``record``."""
        Writer.write(self, record)
        if self.file_handle:
            if self.write_count > 0:
                self.file_handle.write("\n")
            self.file_handle.write(str(record))
            self.write_count += 1


class XMLWriter(Writer):
    """Write records into a MARCXML ``collection`` document.

    The XML declaration and the opening ``collection`` tag are written at
    construction, the closing tag by :meth:`close`, so the writer must be
    closed to obtain a well-formed document:

    .. code-block:: python

        out = io.BytesIO()
        writer = XMLWriter(out)
        writer.write(record)
        writer.close(close_fh=False)
        data = out.getvalue()
    """

    def __init__(self, file_handle: IO[_typing.Any]) -> None:
        """Open the collection on ``file_handle`` (a binary stream)."""
        super().__init__(file_handle)
        if self.file_handle:
            self.file_handle.write(b'<?xml version="1.0" encoding="UTF-8"?>')
            self.file_handle.write(
                b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
            )

    def write(self, record: Record) -> None:
        """Append ``record`` as a UTF-8 encoded ``record`` element."""
        Writer.write(self, record)
        if self.file_handle:
            if record_to_xml_node is _ORIGINAL_RECORD_TO_XML_NODE:
                data = _marcxml._record_xml_bytes(record, "utf-8")
            else:
                # record_to_xml_node was replaced on this module: use it.
                data = ET.tostring(record_to_xml_node(record), encoding="utf-8")
            self.file_handle.write(data)

    def close(self, close_fh: bool = True) -> None:
        """End the collection, then close as :meth:`Writer.close` does."""
        if self.file_handle:
            self.file_handle.write(b"</collection>")
        Writer.close(self, close_fh)
