//! The errors a record can raise, one kind per pymarc exception class.

use std::fmt;
use std::ops::Range;

/// What went wrong; each kind maps onto exactly one Python exception class.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `pymarc.exceptions.RecordLengthInvalid` (fatal to a reader).
    RecordLengthInvalid,
    /// `pymarc.exceptions.TruncatedRecord` (fatal to a reader).
    TruncatedRecord,
    /// `pymarc.exceptions.EndOfRecordNotFound` (fatal to a reader).
    EndOfRecordNotFound,
    /// `pymarc.exceptions.RecordLeaderInvalid`.
    RecordLeaderInvalid,
    /// `pymarc.exceptions.BaseAddressNotFound`.
    BaseAddressNotFound,
    /// `pymarc.exceptions.BaseAddressInvalid`.
    BaseAddressInvalid,
    /// `pymarc.exceptions.RecordDirectoryInvalid`.
    RecordDirectoryInvalid,
    /// `pymarc.exceptions.NoFieldsFound`.
    NoFieldsFound,
    /// `ValueError` from `int()` on the bytes in `span`.
    IntFromBytes,
    /// `ValueError` from `int()` on the ASCII text in `span`.
    IntFromText,
    /// `UnicodeDecodeError` from decoding the bytes in `span` as ASCII.
    NotAscii,
    /// `UnicodeDecodeError` from decoding the bytes in `span` as strict UTF-8.
    NotUtf8,
}

impl ErrorKind {
    /// True for the kinds after which pymarc's reader stops.
    #[must_use]
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            Self::RecordLengthInvalid | Self::TruncatedRecord | Self::EndOfRecordNotFound
        )
    }

    /// The name of the Python exception class this kind becomes.
    #[must_use]
    pub fn class_name(self) -> &'static str {
        match self {
            Self::RecordLengthInvalid => "RecordLengthInvalid",
            Self::TruncatedRecord => "TruncatedRecord",
            Self::EndOfRecordNotFound => "EndOfRecordNotFound",
            Self::RecordLeaderInvalid => "RecordLeaderInvalid",
            Self::BaseAddressNotFound => "BaseAddressNotFound",
            Self::BaseAddressInvalid => "BaseAddressInvalid",
            Self::RecordDirectoryInvalid => "RecordDirectoryInvalid",
            Self::NoFieldsFound => "NoFieldsFound",
            Self::IntFromBytes | Self::IntFromText => "ValueError",
            Self::NotAscii | Self::NotUtf8 => "UnicodeDecodeError",
        }
    }
}

/// An error in one record: its kind and the bytes (relative to the start of
/// the record) that the failing step looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Which pymarc exception this is.
    pub kind: ErrorKind,
    /// The bytes the failing step examined, as offsets into the record.
    pub span: Range<usize>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, span: Range<usize>) -> Self {
        Self { kind, span }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at bytes {}..{}",
            self.kind.class_name(),
            self.span.start,
            self.span.end
        )
    }
}

impl std::error::Error for Error {}
