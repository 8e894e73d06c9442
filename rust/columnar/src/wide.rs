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
//! `--column` does; add `"other"` or `"LDR"` to keep those too.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::{ArrayRef, ListArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pymrrc_core::visit::RecordSink;

use crate::column::{IntColumn, ListOffsets, StrColumn};
use crate::error::ColumnarError;
use crate::nested::{fields_type, FieldLists, FieldMark};

/// Which columns a wide table has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WideColumns {
    /// `(tag, code)` of each list column in order; `code` is `None` for a
    /// control field's column.
    columns: Vec<(String, Option<String>)>,
    leader: bool,
    other: bool,
    lookup: HashMap<String, TagColumns>,
}

/// The columns of one tag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct TagColumns {
    control: Option<usize>,
    codes: HashMap<String, usize>,
}

impl WideColumns {
    fn build(columns: Vec<(String, Option<String>)>, leader: bool, other: bool) -> Self {
        let mut lookup: HashMap<String, TagColumns> = HashMap::new();
        for (i, (tag, code)) in columns.iter().enumerate() {
            let entry = lookup.entry(tag.clone()).or_default();
            match code {
                None => entry.control = Some(i),
                Some(c) => {
                    entry.codes.insert(c.clone(), i);
                }
            }
        }
        Self {
            columns,
            leader,
            other,
            lookup,
        }
    }

    /// A selection, as marctable's `--column` takes it: `"245a"` (or
    /// `"F245a"`) for a data field's subfield, `"001"` (or `"F001"`) for a
    /// control field, `"LDR"` (or `"FLDR"`) for the leader and `"other"`
    /// for the catch-all column.
    ///
    /// # Errors
    /// [`ColumnarError::UnknownColumn`] for a name of another shape,
    /// including a data field's tag alone.
    pub fn select<S: AsRef<str>>(names: &[S]) -> Result<Self, ColumnarError> {
        let mut columns = Vec::new();
        let (mut leader, mut other) = (false, false);
        for name in names {
            let name = name.as_ref();
            let bare = name.strip_prefix('F').unwrap_or(name);
            match bare {
                "LDR" => leader = true,
                "other" if name == "other" => other = true,
                _ => {
                    let (tag, code) = split_column(bare)
                        .filter(|_| !bare.contains('\0'))
                        .ok_or_else(|| ColumnarError::UnknownColumn(name.to_owned()))?;
                    let key = (tag.to_owned(), code.map(str::to_owned));
                    if !columns.contains(&key) {
                        columns.push(key);
                    }
                }
            }
        }
        Ok(Self::build(columns, leader, other))
    }

    /// Every column `scan` found, in tag and code order, with the leader
    /// and `other`.
    #[must_use]
    pub fn discovered(scan: &ColumnScan) -> Self {
        // A name holding NUL cannot cross Arrow's C interface (names are C
        // strings): such a tag or code keeps its values in `other`.
        let columns = scan
            .found
            .iter()
            .filter(|(tag, code)| {
                !tag.contains('\0') && !code.as_deref().is_some_and(|c| c.contains('\0'))
            })
            .cloned()
            .collect();
        Self::build(columns, true, true)
    }

    /// The column names, in order (without `record_id`).
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if self.leader {
            names.push("FLDR".to_owned());
        }
        for (tag, code) in &self.columns {
            names.push(format!("F{tag}{}", code.as_deref().unwrap_or("")));
        }
        if self.other {
            names.push("other".to_owned());
        }
        names
    }

    /// The schema of a wide table with these columns.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, false)));
        let mut fields = vec![Field::new("record_id", DataType::Int64, false)];
        for name in self.names() {
            let field = match name.as_str() {
                "FLDR" => Field::new(name, DataType::Utf8, false),
                "other" => Field::new(name, fields_type(), true),
                _ => Field::new(name, list.clone(), true),
            };
            fields.push(field);
        }
        Arc::new(Schema::new(fields))
    }
}

/// `"245a"` → `("245", Some("a"))`, `"001"` → `("001", None)`.
fn split_column(name: &str) -> Option<(&str, Option<&str>)> {
    let tag = name.get(..3)?;
    let code = name.get(3..)?;
    let control = tag.bytes().all(|b| b.is_ascii_digit()) && tag < "010";
    match (control, code.chars().count()) {
        (true, 0) => Some((tag, None)),
        (false, 1) => Some((tag, Some(code))),
        _ => None,
    }
}

/// Collects the columns a wide table needs for the records walked into it.
#[derive(Debug, Default)]
pub struct ColumnScan {
    found: BTreeSet<(String, Option<String>)>,
    tag: String,
}

impl RecordSink for ColumnScan {
    fn leader(&mut self, _text: &str) {}
    fn control_field(&mut self, tag: &str, _data: &str) {
        if !self.found.contains(&(tag.to_owned(), None)) {
            self.found.insert((tag.to_owned(), None));
        }
    }
    fn begin_data_field(&mut self, tag: &str, _ind1: &str, _ind2: &str) {
        self.tag.clear();
        self.tag.push_str(tag);
    }
    fn subfield(&mut self, code: &str, _value: &str) {
        let key = (self.tag.clone(), Some(code.to_owned()));
        self.found.insert(key);
    }
    fn end_data_field(&mut self) {}
}

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
    /// The open data field's tag and indicators, and whether it was
    /// opened in `other`.
    field_head: [String; 3],
    field_in_other: bool,
    other_mark: Option<FieldMark>,
}

impl WideBuilder {
    /// A builder for the columns `spec` names.
    #[must_use]
    pub fn new(spec: WideColumns) -> Self {
        let columns = (0..spec.columns.len())
            .map(|_| ListColumn::default())
            .collect();
        Self {
            spec,
            record_id: IntColumn::default(),
            leader: StrColumn::default(),
            columns,
            other: FieldLists::default(),
            touched: Vec::new(),
            field_head: Default::default(),
            field_in_other: false,
            other_mark: None,
        }
    }

    /// The schema of the batches built.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        self.spec.schema()
    }

    pub(crate) fn begin_record(&mut self, record_id: i64) {
        self.record_id.push(record_id);
        self.touched.clear();
        self.other_mark = Some(self.other.mark());
    }

    fn row(&self) -> usize {
        self.record_id.len().saturating_sub(1)
    }

    fn push_value(&mut self, column: usize, value: &str) {
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

    pub(crate) fn finish(&mut self) -> Result<RecordBatch, ColumnarError> {
        let rows = self.record_id.len();
        let mut arrays: Vec<ArrayRef> = vec![self.record_id.finish()];
        if self.spec.leader {
            arrays.push(self.leader.finish()?);
        }
        let item = Arc::new(Field::new("item", DataType::Utf8, false));
        for col in &mut self.columns {
            col.pad_to(rows);
            col.open_row = None;
            let (offsets, nulls) = col.lists.finish();
            let list = ListArray::try_new(item.clone(), offsets, col.values.finish()?, nulls)
                .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
            arrays.push(Arc::new(list));
        }
        if self.spec.other {
            arrays.push(self.other.finish()?);
        }
        RecordBatch::try_new(self.spec.schema(), arrays)
            .map_err(|e| ColumnarError::Arrow(e.to_string()))
    }
}

impl RecordSink for WideBuilder {
    fn leader(&mut self, text: &str) {
        if self.spec.leader {
            self.leader.push(text);
        }
    }

    fn control_field(&mut self, tag: &str, data: &str) {
        match self.spec.lookup.get(tag).and_then(|t| t.control) {
            Some(i) => self.push_value(i, data),
            None if self.spec.other => self.other.control_field(tag, data),
            None => {}
        }
    }

    fn begin_data_field(&mut self, tag: &str, ind1: &str, ind2: &str) {
        for (buf, text) in self.field_head.iter_mut().zip([tag, ind1, ind2]) {
            buf.clear();
            buf.push_str(text);
        }
        self.field_in_other = false;
    }

    fn subfield(&mut self, code: &str, value: &str) {
        let column = self
            .spec
            .lookup
            .get(self.field_head[0].as_str())
            .and_then(|t| t.codes.get(code).copied());
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
        let has_columns = self.spec.lookup.contains_key(self.field_head[0].as_str());
        // A data field with no subfields at all, whose tag has no column,
        // still goes to `other` (its indicators are values pymarc sees).
        if !self.field_in_other && !has_columns && self.spec.other {
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
