//! The `nested` layout: one row per record, lossless.
//!
//! `record_id: int64, leader: string, fields: list<struct<tag: string,
//! ind1: string, ind2: string, data: string, subfields: list<struct<code:
//! string, value: string>>>>, source: string, offset: int64, length: int64`.
//! A control field has `data` and null indicators and subfields; a data
//! field has indicators and a (possibly empty) subfield list, and null
//! `data`. `source`, `offset` and `length` say where the record's bytes
//! were read (null for records that were not read from bytes).

use std::sync::{Arc, OnceLock};

use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};

use crate::column::{IntColumn, ListOffsets, StrColumn};
use crate::error::ColumnarError;
use crate::recycle::BufferPool;
use crate::sink::ByteSink;
use crate::Provenance;

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

/// The struct of one subfield.
pub(crate) fn subfield_fields() -> Fields {
    Fields::from(vec![utf8("code", false), utf8("value", false)])
}

/// The struct of one field, as `nested` and wide's `other` hold it.
pub(crate) fn field_fields() -> Fields {
    Fields::from(vec![
        utf8("tag", false),
        utf8("ind1", true),
        utf8("ind2", true),
        utf8("data", true),
        Field::new(
            "subfields",
            DataType::List(Arc::new(Field::new(
                "item",
                DataType::Struct(subfield_fields()),
                false,
            ))),
            true,
        ),
    ])
}

/// The type of a list of fields.
pub(crate) fn fields_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(field_fields()),
        false,
    )))
}

/// The `nested` schema.
#[must_use]
pub fn nested_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new("record_id", DataType::Int64, false),
                utf8("leader", false),
                Field::new("fields", fields_type(), false),
                utf8("source", true),
                Field::new("offset", DataType::Int64, true),
                Field::new("length", DataType::Int64, true),
            ]))
        })
        .clone()
}

/// Lists of fields (one list per row), shared by `nested` and wide's
/// `other` column.
#[derive(Debug, Default)]
pub(crate) struct FieldLists {
    lists: ListOffsets,
    tag: StrColumn,
    ind1: StrColumn,
    ind2: StrColumn,
    data: StrColumn,
    subfields: ListOffsets,
    code: StrColumn,
    value: StrColumn,
}

/// Row counts of a [`FieldLists`], to take a partial record back.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FieldMark {
    lists: usize,
}

impl FieldLists {
    /// Takes vectors for a new batch from `pool`.
    pub(crate) fn prepare(&mut self, pool: &BufferPool) {
        self.lists.prepare(pool);
        for c in [
            &mut self.tag,
            &mut self.ind1,
            &mut self.ind2,
            &mut self.data,
            &mut self.code,
            &mut self.value,
        ] {
            c.prepare(pool);
        }
        self.subfields.prepare(pool);
    }

    pub(crate) fn mark(&self) -> FieldMark {
        FieldMark {
            lists: self.lists.len(),
        }
    }

    pub(crate) fn rollback(&mut self, mark: FieldMark) {
        let fields = self.lists.child_len_at(mark.lists);
        let subs = self.subfields.child_len_at(fields);
        self.lists.truncate(mark.lists);
        for c in [
            &mut self.tag,
            &mut self.ind1,
            &mut self.ind2,
            &mut self.data,
        ] {
            c.truncate(fields);
        }
        self.subfields.truncate(fields);
        self.code.truncate(subs);
        self.value.truncate(subs);
    }

    pub(crate) fn text_bytes(&self) -> usize {
        self.value.data_len() + self.data.data_len()
    }

    pub(crate) fn control_field(&mut self, tag: &[u8], data: &[u8]) {
        self.tag.push(tag);
        self.ind1.push_null();
        self.ind2.push_null();
        self.data.push(data);
        self.subfields.push_null();
    }

    pub(crate) fn begin_data_field(&mut self, tag: &[u8], ind1: &[u8], ind2: &[u8]) {
        self.tag.push(tag);
        self.ind1.push(ind1);
        self.ind2.push(ind2);
        self.data.push_null();
    }

    pub(crate) fn subfield(&mut self, code: &[u8], value: &[u8]) {
        self.code.push(code);
        self.value.push(value);
    }

    pub(crate) fn end_data_field(&mut self) {
        self.subfields.push(self.code.len());
    }

    /// Closes the current row's list.
    pub(crate) fn end_list(&mut self) {
        self.lists.push(self.tag.len());
    }

    /// A null list for the current row.
    pub(crate) fn null_list(&mut self) {
        self.lists.push_null();
    }

    /// Whether the current row's list has fields yet.
    pub(crate) fn open_list_is_empty(&self) -> bool {
        self.lists.child_len_at(self.lists.len()) == self.tag.len()
    }

    pub(crate) fn finish(&mut self, pool: &Arc<BufferPool>) -> Result<ArrayRef, ColumnarError> {
        let subfield_struct = StructArray::try_new(
            subfield_fields(),
            vec![self.code.finish(pool)?, self.value.finish(pool)?],
            None,
        )
        .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
        let (sub_offsets, sub_nulls) = self.subfields.finish(pool);
        let DataType::List(sub_item) = field_fields()[4].data_type().clone() else {
            unreachable!("subfields is a list")
        };
        let subfields =
            ListArray::try_new(sub_item, sub_offsets, Arc::new(subfield_struct), sub_nulls)
                .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
        let field_struct = StructArray::try_new(
            field_fields(),
            vec![
                self.tag.finish(pool)?,
                self.ind1.finish(pool)?,
                self.ind2.finish(pool)?,
                self.data.finish(pool)?,
                Arc::new(subfields),
            ],
            None,
        )
        .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
        let (offsets, nulls) = self.lists.finish(pool);
        let DataType::List(item) = fields_type() else {
            unreachable!("fields is a list")
        };
        let list = ListArray::try_new(item, offsets, Arc::new(field_struct), nulls)
            .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
        Ok(Arc::new(list))
    }
}

/// Builds `nested` batches.
#[derive(Debug, Default)]
pub struct NestedBuilder {
    source: Option<String>,
    record_id: IntColumn<i64>,
    leader: StrColumn,
    fields: FieldLists,
    source_col: StrColumn,
    offset: IntColumn<i64>,
    length: IntColumn<i64>,
    mark: Option<FieldMark>,
}

impl NestedBuilder {
    /// A builder whose rows name `source` as where they were read.
    #[must_use]
    pub fn new(source: Option<String>) -> Self {
        Self {
            source,
            ..Self::default()
        }
    }

    /// Takes vectors for a new batch from `pool`.
    pub(crate) fn prepare(&mut self, pool: &BufferPool) {
        self.record_id.prepare(pool);
        self.leader.prepare(pool);
        self.fields.prepare(pool);
        self.source_col.prepare(pool);
        self.offset.prepare(pool);
        self.length.prepare(pool);
    }

    pub(crate) fn begin_record(&mut self, record_id: i64, prov: Provenance) {
        self.mark = Some(self.fields.mark());
        self.record_id.push(record_id);
        self.source_col.push_opt(
            self.source
                .as_deref()
                .map(str::as_bytes)
                .filter(|_| prov.offset.is_some()),
        );
        self.offset.push_opt(prov.offset);
        self.length.push_opt(prov.length);
    }

    pub(crate) fn end_record(&mut self) {
        self.fields.end_list();
        self.mark = None;
    }

    pub(crate) fn rollback(&mut self) {
        let Some(mark) = self.mark.take() else {
            return;
        };
        let rows = self.record_id.len() - 1;
        self.record_id.truncate(rows);
        self.leader.truncate(rows);
        self.source_col.truncate(rows);
        self.offset.truncate(rows);
        self.length.truncate(rows);
        self.fields.rollback(mark);
    }

    pub(crate) fn rows(&self) -> usize {
        self.record_id.len()
    }

    pub(crate) fn text_bytes(&self) -> usize {
        self.fields.text_bytes()
    }

    pub(crate) fn finish(&mut self, pool: &Arc<BufferPool>) -> Result<RecordBatch, ColumnarError> {
        let columns = vec![
            self.record_id.finish(pool),
            self.leader.finish(pool)?,
            self.fields.finish(pool)?,
            self.source_col.finish(pool)?,
            self.offset.finish(pool),
            self.length.finish(pool),
        ];
        RecordBatch::try_new(nested_schema(), columns)
            .map_err(|e| ColumnarError::Arrow(e.to_string()))
    }
}

impl ByteSink for NestedBuilder {
    fn leader(&mut self, text: &[u8]) {
        self.leader.push(text);
    }
    fn control_field(&mut self, tag: &[u8], data: &[u8]) {
        self.fields.control_field(tag, data);
    }
    fn begin_data_field(&mut self, tag: &[u8], ind1: &[u8], ind2: &[u8]) {
        self.fields.begin_data_field(tag, ind1, ind2);
    }
    fn subfield(&mut self, code: &[u8], value: &[u8]) {
        self.fields.subfield(code, value);
    }
    fn end_data_field(&mut self) {
        self.fields.end_data_field();
    }
}
