//! The `long` layout: one row per leader, control field and subfield,
//! lossless and made for `GROUP BY`.
//!
//! `record_id: int64, field_seq: int32, subfield_seq: int32, tag: string,
//! ind1: string, ind2: string, code: string, value: string`.
//!
//! * The leader: `tag = "LDR"`, `value` = the leader; `field_seq`,
//!   `subfield_seq`, indicators and `code` null.
//! * A control field: `field_seq` (0-based among the record's fields),
//!   `tag`, `value` = its data; `subfield_seq`, indicators and `code` null.
//! * A subfield: `field_seq`, `subfield_seq` (0-based within the field),
//!   `tag`, `ind1`, `ind2`, `code`, `value`.
//! * A data field without subfields: one row with its indicators and null
//!   `subfield_seq`, `code` and `value`.

use std::sync::{Arc, OnceLock};

use crate::column::{IntColumn, StrColumn};
use crate::error::ColumnarError;
use crate::recycle::BufferPool;
use crate::sink::ByteSink;
use arrow_array::RecordBatch;
use arrow_schema::{DataType, Field, Schema, SchemaRef};

/// The tag of the leader's row.
pub const LEADER_TAG: &str = "LDR";
const LEADER_TAG_BYTES: &[u8] = LEADER_TAG.as_bytes();

/// The `long` schema.
#[must_use]
pub fn long_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            let utf8 = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
            Arc::new(Schema::new(vec![
                Field::new("record_id", DataType::Int64, false),
                Field::new("field_seq", DataType::Int32, true),
                Field::new("subfield_seq", DataType::Int32, true),
                utf8("tag", false),
                utf8("ind1", true),
                utf8("ind2", true),
                utf8("code", true),
                utf8("value", true),
            ]))
        })
        .clone()
}

/// Builds `long` batches.
#[derive(Debug, Default)]
pub struct LongBuilder {
    record_id: IntColumn<i64>,
    field_seq: IntColumn<i32>,
    subfield_seq: IntColumn<i32>,
    tag: StrColumn,
    ind1: StrColumn,
    ind2: StrColumn,
    code: StrColumn,
    value: StrColumn,
    current: i64,
    next_field: i32,
    /// The open data field: tag and indicators (buffers reused from field
    /// to field), and its subfields so far (`None`: no field open).
    open: [Vec<u8>; 3],
    open_subfields: Option<i32>,
    mark: usize,
}

impl LongBuilder {
    /// Takes vectors for a new batch from `pool`.
    pub(crate) fn prepare(&mut self, pool: &BufferPool) {
        self.record_id.prepare(pool);
        self.field_seq.prepare(pool);
        self.subfield_seq.prepare(pool);
        for c in self.text_columns() {
            c.prepare(pool);
        }
    }

    fn text_columns(&mut self) -> [&mut StrColumn; 5] {
        [
            &mut self.tag,
            &mut self.ind1,
            &mut self.ind2,
            &mut self.code,
            &mut self.value,
        ]
    }

    pub(crate) fn begin_record(&mut self, record_id: i64) {
        self.current = record_id;
        self.next_field = 0;
        self.open_subfields = None;
        self.mark = self.record_id.len();
    }

    pub(crate) fn end_record(&mut self) {
        self.mark = self.record_id.len();
    }

    pub(crate) fn rollback(&mut self) {
        let rows = self.mark;
        self.record_id.truncate(rows);
        self.field_seq.truncate(rows);
        self.subfield_seq.truncate(rows);
        for c in self.text_columns() {
            c.truncate(rows);
        }
        self.open_subfields = None;
    }

    pub(crate) fn rows(&self) -> usize {
        self.record_id.len()
    }

    pub(crate) fn text_bytes(&self) -> usize {
        self.value.data_len()
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        field_seq: Option<i32>,
        subfield_seq: Option<i32>,
        tag: &[u8],
        ind: Option<(&[u8], &[u8])>,
        code: Option<&[u8]>,
        value: Option<&[u8]>,
    ) {
        self.record_id.push(self.current);
        self.field_seq.push_opt(field_seq);
        self.subfield_seq.push_opt(subfield_seq);
        self.tag.push(tag);
        self.ind1.push_opt(ind.map(|i| i.0));
        self.ind2.push_opt(ind.map(|i| i.1));
        self.code.push_opt(code);
        self.value.push_opt(value);
    }

    pub(crate) fn finish(&mut self, pool: &Arc<BufferPool>) -> Result<RecordBatch, ColumnarError> {
        let columns = vec![
            self.record_id.finish(pool),
            self.field_seq.finish(pool),
            self.subfield_seq.finish(pool),
            self.tag.finish(pool)?,
            self.ind1.finish(pool)?,
            self.ind2.finish(pool)?,
            self.code.finish(pool)?,
            self.value.finish(pool)?,
        ];
        self.mark = 0;
        RecordBatch::try_new(long_schema(), columns)
            .map_err(|e| ColumnarError::Arrow(e.to_string()))
    }
}

impl ByteSink for LongBuilder {
    fn leader(&mut self, text: &[u8]) {
        self.row(None, None, LEADER_TAG_BYTES, None, None, Some(text));
    }

    fn control_field(&mut self, tag: &[u8], data: &[u8]) {
        let seq = self.next_field;
        self.next_field += 1;
        self.row(Some(seq), None, tag, None, None, Some(data));
    }

    fn begin_data_field(&mut self, tag: &[u8], ind1: &[u8], ind2: &[u8]) {
        for (buf, text) in self.open.iter_mut().zip([tag, ind1, ind2]) {
            buf.clear();
            buf.extend_from_slice(text);
        }
        self.open_subfields = Some(0);
    }

    fn subfield(&mut self, code: &[u8], value: &[u8]) {
        let seq = self.next_field;
        let Some(n) = self.open_subfields else {
            return;
        };
        let [tag, ind1, ind2] = std::mem::take(&mut self.open);
        self.row(
            Some(seq),
            Some(n),
            &tag,
            Some((&ind1, &ind2)),
            Some(code),
            Some(value),
        );
        self.open = [tag, ind1, ind2];
        self.open_subfields = Some(n + 1);
    }

    fn end_data_field(&mut self) {
        let seq = self.next_field;
        self.next_field += 1;
        if self.open_subfields.take() == Some(0) {
            let [tag, ind1, ind2] = std::mem::take(&mut self.open);
            self.row(Some(seq), None, &tag, Some((&ind1, &ind2)), None, None);
            self.open = [tag, ind1, ind2];
        }
    }
}
