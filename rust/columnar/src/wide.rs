//! The `wide` layout: one row per record, one column per control field tag
//! (`F001`) and per data field tag and subfield code (`F245a`), named as
//! marctable names them, plus `FLDR` for the leader.
//!
//! Every column but `record_id` and `FLDR` is a `list<string>`: a value can
//! occur more than once in a record (repeated fields and subfields), and
//! each list keeps the values in record order; a record without any value
//! for a column has a null list there. Fields or subfields that have no
//! column of their own go to `other` (a list of fields shaped as `nested`
//! holds them), so nothing is dropped silently. A selection of columns
//! (`columns=["245a", "650a"]`) holds only those columns, as marctable's
//! `--column` does; add `"other"` or `"LDR"` to keep those too. Which
//! columns a table has is [`WideColumns`]' business.

use std::sync::Arc;

use arrow_array::{ArrayRef, ListArray, RecordBatch};
use arrow_schema::{DataType, Field, SchemaRef};

use crate::column::{IntColumn, ListOffsets, StrColumn};
use crate::error::ColumnarError;
use crate::nested::{FieldLists, FieldMark};
use crate::recycle::BufferPool;
use crate::sink::ByteSink;
pub use crate::wide_columns::{ColumnScan, WideColumns};

/// One list column being built.
#[derive(Debug, Default)]
struct ListColumn {
    lists: ListOffsets,
    values: StrColumn,
    /// The record (row) whose list is open, if any.
    open_row: Option<usize>,
}

impl ListColumn {
    fn pad_to(&mut self, rows: usize) {
        let have = self.lists.len();
        if have < rows {
            self.lists.push_nulls(rows - have);
        }
    }
}

/// Builds `wide` batches.
#[derive(Debug)]
pub struct WideBuilder {
    spec: WideColumns,
    record_id: IntColumn<i64>,
    leader: StrColumn,
    columns: Vec<ListColumn>,
    other: FieldLists,
    touched: Vec<usize>,
    /// The open data field's tag and indicators, the index of its tag's
    /// columns, and whether it was opened in `other`.
    field_head: [Vec<u8>; 3],
    field_has_columns: bool,
    field_in_other: bool,
    other_mark: Option<FieldMark>,
}

impl WideBuilder {
    /// A builder for the columns `spec` names.
    #[must_use]
    pub fn new(spec: WideColumns) -> Self {
        let columns = (0..spec.len()).map(|_| ListColumn::default()).collect();
        Self {
            spec,
            record_id: IntColumn::default(),
            leader: StrColumn::default(),
            columns,
            other: FieldLists::default(),
            touched: Vec::new(),
            field_head: Default::default(),
            field_has_columns: false,
            field_in_other: false,
            other_mark: None,
        }
    }

    /// The schema of the batches built.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        self.spec.schema()
    }

    /// Takes vectors for a new batch from `pool`.
    pub(crate) fn prepare(&mut self, pool: &BufferPool) {
        self.record_id.prepare(pool);
        self.leader.prepare(pool);
        for col in &mut self.columns {
            col.lists.prepare(pool);
            col.values.prepare(pool);
        }
        self.other.prepare(pool);
    }

    pub(crate) fn begin_record(&mut self, record_id: i64) {
        self.record_id.push(record_id);
        self.touched.clear();
        self.other_mark = Some(self.other.mark());
    }

    fn row(&self) -> usize {
        self.record_id.len().saturating_sub(1)
    }

    fn push_value(&mut self, column: usize, value: &[u8]) {
        let row = self.row();
        let col = &mut self.columns[column];
        if col.open_row != Some(row) {
            col.pad_to(row);
            col.open_row = Some(row);
            self.touched.push(column);
        }
        col.values.push(value);
    }

    pub(crate) fn end_record(&mut self) {
        for &i in &self.touched {
            let col = &mut self.columns[i];
            col.lists.push(col.values.len());
        }
        self.touched.clear();
        if self.spec.other {
            if self.other.open_list_is_empty() {
                self.other.null_list();
            } else {
                self.other.end_list();
            }
        }
        self.other_mark = None;
    }

    pub(crate) fn rollback(&mut self) {
        let row = self.row();
        for &i in &self.touched {
            let col = &mut self.columns[i];
            let keep = col.lists.child_len_at(col.lists.len());
            col.values.truncate(keep);
            col.open_row = None;
        }
        self.touched.clear();
        if let Some(mark) = self.other_mark.take() {
            self.other.rollback(mark);
        }
        self.record_id.truncate(row);
        self.leader.truncate(row);
        self.field_in_other = false;
    }

    pub(crate) fn rows(&self) -> usize {
        self.record_id.len()
    }

    pub(crate) fn text_bytes(&self) -> usize {
        self.columns
            .iter()
            .map(|c| c.values.data_len())
            .sum::<usize>()
            + self.other.text_bytes()
    }

    pub(crate) fn finish(&mut self, pool: &Arc<BufferPool>) -> Result<RecordBatch, ColumnarError> {
        self.prepare(pool);
        let rows = self.record_id.len();
        let mut arrays: Vec<ArrayRef> = vec![self.record_id.finish(pool)];
        if self.spec.leader {
            arrays.push(self.leader.finish(pool)?);
        }
        let item = Arc::new(Field::new("item", DataType::Utf8, false));
        for col in &mut self.columns {
            col.pad_to(rows);
            col.open_row = None;
            let (offsets, nulls) = col.lists.finish(pool);
            let list = ListArray::try_new(item.clone(), offsets, col.values.finish(pool)?, nulls)
                .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
            arrays.push(Arc::new(list));
        }
        if self.spec.other {
            arrays.push(self.other.finish(pool)?);
        }
        RecordBatch::try_new(self.spec.schema(), arrays)
            .map_err(|e| ColumnarError::Arrow(e.to_string()))
    }
}

impl ByteSink for WideBuilder {
    fn leader(&mut self, text: &[u8]) {
        if self.spec.leader {
            self.leader.push(text);
        }
    }

    fn control_field(&mut self, tag: &[u8], data: &[u8]) {
        match self.spec.tag(tag).and_then(|t| t.control()) {
            Some(i) => self.push_value(i, data),
            None if self.spec.other => self.other.control_field(tag, data),
            None => {}
        }
    }

    fn begin_data_field(&mut self, tag: &[u8], ind1: &[u8], ind2: &[u8]) {
        for (buf, text) in self.field_head.iter_mut().zip([tag, ind1, ind2]) {
            buf.clear();
            buf.extend_from_slice(text);
        }
        self.field_has_columns = self.spec.tag(tag).is_some();
        self.field_in_other = false;
    }

    fn subfield(&mut self, code: &[u8], value: &[u8]) {
        let column = if self.field_has_columns {
            self.spec
                .tag(&self.field_head[0])
                .and_then(|t| t.code(code))
        } else {
            None
        };
        match column {
            Some(i) => self.push_value(i, value),
            None if self.spec.other => {
                if !self.field_in_other {
                    let [tag, ind1, ind2] = &self.field_head;
                    self.other.begin_data_field(tag, ind1, ind2);
                    self.field_in_other = true;
                }
                self.other.subfield(code, value);
            }
            None => {}
        }
    }

    fn end_data_field(&mut self) {
        // A data field with no subfields at all, whose tag has no column,
        // still goes to `other` (its indicators are values pymarc sees).
        if !self.field_in_other && !self.field_has_columns && self.spec.other {
            let [tag, ind1, ind2] = &self.field_head;
            self.other.begin_data_field(tag, ind1, ind2);
            self.field_in_other = true;
        }
        if self.field_in_other {
            self.other.end_data_field();
        }
        self.field_in_other = false;
    }
}
