"""Error and warning classes raised by pymrrc.

The class names, their inheritance and their messages are part of the public
API shared with pymarc, so that ``except`` clauses written against pymarc keep
working unchanged.
"""

import typing as _typing

if _typing.TYPE_CHECKING:
    from pymrrc.field import Field


class PymarcException(Exception):
    """Root of every error raised by this package."""


class FatalReaderError(PymarcException):
    """A problem after which a reader cannot carry on with the stream."""


class RecordLengthInvalid(FatalReaderError):
    """The five leading bytes of a record are not a usable length."""

    def __str__(self) -> str:
        return "Invalid record length in first 5 bytes of record"


class TruncatedRecord(FatalReaderError):
    """Fewer bytes were available than the leader announced."""

    def __str__(self) -> str:
        return "Record length in leader is greater than the length of data"


class EndOfRecordNotFound(FatalReaderError):
    """The record terminator (0x1D) is missing."""

    def __str__(self) -> str:
        return "Unable to locate end of record marker"


class RecordLeaderInvalid(PymarcException):
    """A leader could not be obtained (or does not have 24 characters)."""

    def __str__(self) -> str:
        return "Unable to extract record leader"


class RecordDirectoryInvalid(PymarcException):
    """The directory section of a record is malformed."""

    def __str__(self) -> str:
        return "Invalid directory"


class NoFieldsFound(PymarcException):
    """A record was decoded but contained no fields at all."""

    def __str__(self) -> str:
        return "Unable to locate fields in record data"


class BaseAddressInvalid(PymarcException):
    """The base address of data points past the end of the record."""

    def __str__(self) -> str:
        return "Base address exceeds size of record"


class BaseAddressNotFound(PymarcException):
    """The base address of data could not be determined."""

    def __str__(self) -> str:
        return "Unable to locate base address of record"


class WriteNeedsRecord(PymarcException):
    """A writer was handed something other than a record."""

    def __str__(self) -> str:
        return "Write requires a pymarc.Record object as an argument"


class NoActiveFile(PymarcException):
    """A writer was used without an open file handle."""

    def __str__(self) -> str:
        return "There is no active file to write to in call to write"


class FieldNotFound(PymarcException):
    """A requested field is absent from the record."""

    def __str__(self) -> str:
        return "Record does not contain the specified field"


class BadSubfieldCodeWarning(Warning):
    """Emitted when a subfield code is not an ASCII character.

    The offending code is kept in the ``subf`` attribute.
    """

    def __init__(self, subf: bytes) -> None:
        super().__init__()
        self.subf = subf

    def __str__(self) -> str:
        return f"The subfield contained a non-ASCII subfield code: {self.subf!s}"


class BadLeaderValue(PymarcException):
    """A value written into a leader position has the wrong size."""


class MissingLinkedFields(PymarcException):
    """A field carries a $6 linkage but no matching 880 field exists.

    The field whose linkage could not be resolved is kept in ``field``.
    """

    def __init__(self, field: "Field") -> None:
        super().__init__(field)
        self.field = field

    def __str__(self) -> str:
        return f"{self.field.tag} field includes a subfield 6 but no linked fields could be found."
