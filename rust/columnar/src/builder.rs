//! One builder for any layout, and the ways records get into it: from a
//! validated record's bytes, or walked in by a caller (Python records).

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::visit::{leader_text, visit_fields, RecordSink, VisitError};
use pymrrc_core::Layout;

use crate::error::ColumnarError;
use crate::long::{long_schema, LongBuilder};
use crate::nested::{nested_schema, NestedBuilder};
use crate::wide::{WideBuilder, WideColumns};

/// Where a record's bytes were read: `offset` and `length` in the source
/// (both `None` for a record that was not read from bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// Byte offset of the record in its source.
    pub offset: Option<i64>,
    /// The record's length in bytes.
    pub length: Option<i64>,
}

/// The three layouts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableShape {
    /// One row per record, lossless.
    Nested,
    /// One row per leader, control field and subfield, lossless.
    Long,
    /// One row per record, a list column per tag and subfield code.
    Wide(WideColumns),
}

/// Builds record batches of one layout.
#[derive(Debug)]
pub enum BatchBuilder {
    /// `nested`.
    Nested(NestedBuilder),
    /// `long`.
    Long(LongBuilder),
    /// `wide`.
    Wide(WideBuilder),
}

macro_rules! each {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            BatchBuilder::Nested($b) => $e,
            BatchBuilder::Long($b) => $e,
            BatchBuilder::Wide($b) => $e,
        }
    };
}

impl BatchBuilder {
    /// A builder for `shape`; `source` names where records are read from
    /// (the `nested` layout's `source` column).
    #[must_use]
    pub fn new(shape: TableShape, source: Option<String>) -> Self {
        match shape {
            TableShape::Nested => Self::Nested(NestedBuilder::new(source)),
            TableShape::Long => Self::Long(LongBuilder::default()),
            TableShape::Wide(columns) => Self::Wide(WideBuilder::new(columns)),
        }
    }

    /// The schema of every batch this builder makes.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        match self {
            Self::Nested(_) => nested_schema(),
            Self::Long(_) => long_schema(),
            Self::Wide(b) => b.schema(),
        }
    }

    /// Starts a record; its leader and fields follow through the
    /// [`RecordSink`] methods, then [`Self::end_record`] or
    /// [`Self::rollback`].
    pub fn begin_record(&mut self, record_id: i64, prov: Provenance) {
        match self {
            Self::Nested(b) => b.begin_record(record_id, prov),
            Self::Long(b) => b.begin_record(record_id),
            Self::Wide(b) => b.begin_record(record_id),
        }
    }

    /// Completes the record begun.
    pub fn end_record(&mut self) {
        each!(self, b => b.end_record());
    }

    /// Takes back everything written since [`Self::begin_record`].
    pub fn rollback(&mut self) {
        each!(self, b => b.rollback());
    }

    /// Rows in the batch being built.
    #[must_use]
    pub fn rows(&self) -> usize {
        each!(self, b => b.rows())
    }

    /// Bytes of value text in the batch being built (a batch is finished
    /// before its text could reach Arrow's 2 GiB limit).
    #[must_use]
    pub fn text_bytes(&self) -> usize {
        each!(self, b => b.text_bytes())
    }

    /// The batch built so far; the builder starts a new one.
    ///
    /// # Errors
    /// [`ColumnarError::BatchTooLarge`], or Arrow refused the arrays.
    pub fn finish(&mut self) -> Result<RecordBatch, ColumnarError> {
        each!(self, b => b.finish())
    }

    /// Adds a validated record from its bytes: `text` and `layout` as the
    /// core reader gives them (the record's own bytes, or a MARC-8 record's
    /// UTF-8 transcoding, decoded with `handling`).
    ///
    /// # Errors
    /// The layout does not fit the bytes (not for a layout made from them);
    /// nothing of the record is kept.
    pub fn append_layout(
        &mut self,
        record_id: i64,
        prov: Provenance,
        text: &[u8],
        layout: &Layout,
        handling: Utf8Handling,
    ) -> Result<(), VisitError> {
        self.begin_record(record_id, prov);
        self.leader(&leader_text(&layout.leader));
        match visit_fields(text, layout, handling, self) {
            Ok(_) => {
                self.end_record();
                Ok(())
            }
            Err(err) => {
                self.rollback();
                Err(err)
            }
        }
    }
}

impl RecordSink for BatchBuilder {
    fn leader(&mut self, text: &str) {
        each!(self, b => b.leader(text));
    }
    fn control_field(&mut self, tag: &str, data: &str) {
        each!(self, b => b.control_field(tag, data));
    }
    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        each!(self, b => b.begin_data_field(tag, ind1, ind2));
    }
    fn subfield(&mut self, code: &str, value: &str) {
        each!(self, b => b.subfield(code, value));
    }
    fn end_data_field(&mut self) {
        each!(self, b => b.end_data_field());
    }
}
