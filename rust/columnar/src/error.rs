//! What can go wrong while building or reading columns.

use std::fmt;

/// An error of the columnar layer.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnarError {
    /// A batch's string data passed 2 GiB (Arrow's 32-bit offsets); use a
    /// smaller `batch_size`.
    BatchTooLarge,
    /// Arrow refused the arrays (a bug, reported rather than panicking).
    Arrow(String),
    /// A table read back does not have this layout's schema.
    Schema(String),
    /// A row read back cannot be a MARC record (e.g. a two-byte tag).
    Row {
        /// The row's `record_id`, or its position when there is none.
        record: i64,
        /// What is wrong with it.
        reason: String,
    },
    /// A column name given to the wide layout is not one it knows.
    UnknownColumn(String),
}

impl fmt::Display for ColumnarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BatchTooLarge => write!(
                f,
                "a batch holds more than 2 GiB of text; use a smaller batch_size"
            ),
            Self::Arrow(msg) => write!(f, "arrow: {msg}"),
            Self::Schema(msg) => write!(f, "not a pymrrc table: {msg}"),
            Self::Row { record, reason } => write!(f, "record {record}: {reason}"),
            Self::UnknownColumn(name) => write!(
                f,
                "unknown column {name:?}: use a tag (\"001\", \"LDR\") or a tag and subfield code (\"245a\")"
            ),
        }
    }
}

impl std::error::Error for ColumnarError {}
