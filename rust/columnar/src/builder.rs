//! One builder for any layout, and the ways records get into it: from a
//! validated record's bytes, or walked in by a caller (Python records).

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::visit::{leader_text, visit_fields, RecordSink, VisitError};
use pymrrc_core::Layout;

use crate::error::ColumnarError;
use crate::long::{long_schema, LongBuilder};
use crate::nested::{nested_schema, NestedBuilder};
use crate::recycle::BufferPool;
use crate::sink::{walk_checked, AsBytes, ByteSink};
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
pub struct BatchBuilder {
    layout: Layouts,
    /// Where the vectors of finished batches come back to.
    pool: Arc<BufferPool>,
    /// Whether the batch under way has taken its vectors from the pool.
    prepared: bool,
}

/// The builder of each layout.
#[derive(Debug)]
enum Layouts {
    Nested(NestedBuilder),
    Long(LongBuilder),
    Wide(WideBuilder),
}

macro_rules! each {
    (&mut $self:ident, $b:ident => $e:expr) => {
        each!(@ &mut $self.layout, $b => $e)
    };
    (& $self:ident, $b:ident => $e:expr) => {
        each!(@ &$self.layout, $b => $e)
    };
    (@ $layout:expr, $b:ident => $e:expr) => {
        match $layout {
            Layouts::Nested($b) => $e,
            Layouts::Long($b) => $e,
            Layouts::Wide($b) => $e,
        }
    };
}

impl BatchBuilder {
    /// A builder for `shape`; `source` names where records are read from
    /// (the `nested` layout's `source` column). Its batches' memory comes
    /// back to a pool of its own (see [`Self::with_pool`]).
    #[must_use]
    pub fn new(shape: TableShape, source: Option<String>) -> Self {
        let layout = match shape {
            TableShape::Nested => Layouts::Nested(NestedBuilder::new(source)),
            TableShape::Long => Layouts::Long(LongBuilder::default()),
            TableShape::Wide(columns) => Layouts::Wide(WideBuilder::new(columns)),
        };
        Self {
            layout,
            pool: Arc::new(BufferPool::default()),
            prepared: false,
        }
    }

    /// This builder, building in (and returning memory to) `pool`, which
    /// builders of the same conversion share.
    #[must_use]
    pub fn with_pool(mut self, pool: Arc<BufferPool>) -> Self {
        self.pool = pool;
        self
    }

    /// The schema of every batch this builder makes.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        match &self.layout {
            Layouts::Nested(_) => nested_schema(),
            Layouts::Long(_) => long_schema(),
            Layouts::Wide(b) => b.schema(),
        }
    }

    /// Takes the vectors of a new batch from the pool, sized like the
    /// last batch's (once per batch).
    fn prepare(&mut self) {
        if !self.prepared {
            let pool = Arc::clone(&self.pool);
            each!(&mut self, b => b.prepare(&pool));
            self.prepared = true;
        }
    }

    /// Starts a record; its leader and fields follow through the
    /// [`RecordSink`] (or [`ByteSink`]) methods, then
    /// [`Self::end_record`] or [`Self::rollback`].
    pub fn begin_record(&mut self, record_id: i64, prov: Provenance) {
        self.prepare();
        match &mut self.layout {
            Layouts::Nested(b) => b.begin_record(record_id, prov),
            Layouts::Long(b) => b.begin_record(record_id),
            Layouts::Wide(b) => b.begin_record(record_id),
        }
    }

    /// Completes the record begun.
    pub fn end_record(&mut self) {
        each!(&mut self, b => b.end_record());
    }

    /// Takes back everything written since [`Self::begin_record`].
    pub fn rollback(&mut self) {
        each!(&mut self, b => b.rollback());
    }

    /// Rows in the batch being built.
    #[must_use]
    pub fn rows(&self) -> usize {
        each!(&self, b => b.rows())
    }

    /// Bytes of value text in the batch being built (a batch is finished
    /// before its text could reach Arrow's 2 GiB limit).
    #[must_use]
    pub fn text_bytes(&self) -> usize {
        each!(&self, b => b.text_bytes())
    }

    /// The batch built so far; the builder starts a new one.
    ///
    /// # Errors
    /// [`ColumnarError::BatchTooLarge`], or Arrow refused the arrays.
    pub fn finish(&mut self) -> Result<RecordBatch, ColumnarError> {
        self.prepare();
        self.prepared = false;
        let pool = Arc::clone(&self.pool);
        each!(&mut self, b => b.finish(&pool))
    }

    /// Adds a validated record from its bytes: `text` and `layout` as the
    /// core reader gives them (the record's own bytes, or a MARC-8 record's
    /// UTF-8 transcoding, decoded with `handling`).
    ///
    /// Under the strict handler the reader has checked every field's text
    /// (or the transcoder wrote it): it is copied into the columns as it
    /// is. Other handlers may change text, which is then decoded value by
    /// value.
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
        if handling == Utf8Handling::Strict && layout.utf8 {
            if walk_checked(text, layout, self).is_ok() {
                self.end_record();
                return Ok(());
            }
            self.rollback();
            self.begin_record(record_id, prov);
        }
        RecordSink::leader(self, &leader_text(&layout.leader));
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

impl ByteSink for BatchBuilder {
    fn leader(&mut self, text: &[u8]) {
        each!(&mut self, b => b.leader(text));
    }
    fn control_field(&mut self, tag: &[u8], data: &[u8]) {
        each!(&mut self, b => b.control_field(tag, data));
    }
    fn begin_data_field(&mut self, tag: &[u8], ind1: &[u8], ind2: &[u8]) {
        each!(&mut self, b => b.begin_data_field(tag, ind1, ind2));
    }
    fn subfield(&mut self, code: &[u8], value: &[u8]) {
        each!(&mut self, b => b.subfield(code, value));
    }
    fn end_data_field(&mut self) {
        each!(&mut self, b => b.end_data_field());
    }
}

impl RecordSink for BatchBuilder {
    fn leader(&mut self, text: &str) {
        AsBytes(self).leader(text);
    }
    fn control_field(&mut self, tag: &str, data: &str) {
        AsBytes(self).control_field(tag, data);
    }
    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        AsBytes(self).begin_data_field(tag, ind1, ind2);
    }
    fn subfield(&mut self, code: &str, value: &str) {
        AsBytes(self).subfield(code, value);
    }
    fn end_data_field(&mut self) {
        ByteSink::end_data_field(self);
    }
}
