//! pymrrc-columnar: MARC records as Apache Arrow record batches, and back.
//!
//! No Python here. Records come in as the core reader delivers them (bytes
//! and a [`pymrrc_core::Layout`]) or walked in through
//! [`pymrrc_core::visit::RecordSink`]; batches come out in one of three
//! layouts:
//!
//! * [`nested`]: one row per record, fields as a list of structs (lossless);
//! * [`long`]: one row per leader, control field and subfield (lossless);
//! * [`wide`]: one row per record, a list column per tag and subfield code,
//!   with marctable's column names.
//!
//! [`read`] turns `nested` and `long` batches back into records.
#![forbid(unsafe_code)]

mod access;
pub mod builder;
mod column;
pub mod error;
pub mod long;
pub mod nested;
pub mod read;
pub mod recycle;
pub mod sink;
pub mod wide;
mod wide_columns;

pub use builder::{BatchBuilder, Provenance, TableShape};
pub use error::ColumnarError;
pub use long::long_schema;
pub use nested::nested_schema;
pub use read::{nested_records, FieldParts, LongReader, RecordParts, TableLayout};
pub use recycle::BufferPool;
pub use sink::ByteSink;
pub use wide::{ColumnScan, WideColumns};
