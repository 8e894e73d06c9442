//! Reading `nested` and `long` tables back into records.
//!
//! Each record comes back as [`RecordParts`]: its leader and its fields in
//! order. [`RecordParts::encode`] lays a record out as UTF-8 text with
//! MARC's delimiters (the leader, then each field and a terminator) and a
//! [`Layout`] over it, the form in which a reader hands out a record;
//! records that text cannot carry (a value holding a delimiter, a tag that
//! is not three ASCII characters, ...) are left to the caller.

use arrow_array::RecordBatch;
use pymrrc_core::consts::{END_OF_FIELD, END_OF_RECORD, LEADER_LEN, SUBFIELD_INDICATOR};
use pymrrc_core::decode::{FieldSpan, Layout};

use crate::access::{child, Ints, Lists, Strings};
use crate::error::ColumnarError;
use crate::long::LEADER_TAG;

/// One field read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldParts {
    /// A control field.
    Control {
        /// Its tag.
        tag: String,
        /// Its data.
        data: String,
    },
    /// A data field.
    Data {
        /// Its tag.
        tag: String,
        /// First indicator.
        ind1: String,
        /// Second indicator.
        ind2: String,
        /// `(code, value)` pairs in order.
        subfields: Vec<(String, String)>,
    },
}

/// One record read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordParts {
    /// The row's `record_id`.
    pub record_id: i64,
    /// The leader text.
    pub leader: String,
    /// The fields in order.
    pub fields: Vec<FieldParts>,
}

/// Whether text may stand in a record laid out with MARC's delimiters.
fn plain(text: &str) -> bool {
    !text
        .bytes()
        .any(|b| b == SUBFIELD_INDICATOR || b == END_OF_FIELD || b == END_OF_RECORD)
}

fn one_ascii(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [b] if b.is_ascii() && plain(text) => Some(*b),
        _ => None,
    }
}

impl RecordParts {
    /// The record as UTF-8 text laid out like a record, and where its fields
    /// lie; `None` when that text could not give the same fields back.
    #[must_use]
    pub fn encode(&self) -> Option<(Vec<u8>, Layout)> {
        let leader: [u8; LEADER_LEN] = self.leader.as_bytes().try_into().ok()?;
        if !leader.is_ascii() {
            return None;
        }
        let mut text = Vec::with_capacity(LEADER_LEN + 64 * self.fields.len());
        text.extend_from_slice(&leader);
        let mut spans = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            let (tag, control) = match field {
                FieldParts::Control { tag, .. } => (tag, true),
                FieldParts::Data { tag, .. } => (tag, false),
            };
            let tag: [u8; 3] = tag.as_bytes().try_into().ok()?;
            if !tag.is_ascii() {
                return None;
            }
            let start = text.len();
            match field {
                FieldParts::Control { data, .. } if plain(data) => {
                    text.extend_from_slice(data.as_bytes());
                }
                FieldParts::Data {
                    ind1,
                    ind2,
                    subfields,
                    ..
                } => {
                    text.push(one_ascii(ind1)?);
                    text.push(one_ascii(ind2)?);
                    for (code, value) in subfields {
                        if !plain(value) {
                            return None;
                        }
                        text.push(SUBFIELD_INDICATOR);
                        text.push(one_ascii(code)?);
                        text.extend_from_slice(value.as_bytes());
                    }
                }
                FieldParts::Control { .. } => return None,
            }
            let span = FieldSpan {
                tag,
                start,
                end: text.len(),
            };
            // The reader decides control fields by tag, as pymarc does.
            if span.is_control() != control {
                return None;
            }
            spans.push(span);
            text.push(END_OF_FIELD);
        }
        Some((
            text,
            Layout {
                leader,
                fields: spans,
                utf8: true,
                needs_fallback: false,
                canonical: false,
            },
        ))
    }
}

/// Which layout a table has, from its column names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableLayout {
    /// One row per record, with a `fields` column.
    Nested,
    /// One row per leader, control field or subfield.
    Long,
}

impl TableLayout {
    /// The layout of a table with these columns.
    ///
    /// # Errors
    /// [`ColumnarError::Schema`] when it is neither.
    pub fn detect(batch_schema: &arrow_schema::Schema) -> Result<Self, ColumnarError> {
        let has = |n: &str| batch_schema.column_with_name(n).is_some();
        if has("record_id") && has("leader") && has("fields") {
            Ok(Self::Nested)
        } else if [
            "record_id",
            "field_seq",
            "tag",
            "ind1",
            "ind2",
            "code",
            "value",
        ]
        .iter()
        .all(|n| has(n))
        {
            Ok(Self::Long)
        } else {
            Err(ColumnarError::Schema(
                "from_arrow reads the nested and long layouts (columns record_id, leader, fields; or record_id, field_seq, tag, ind1, ind2, code, value)".into(),
            ))
        }
    }
}

fn column<'a>(
    batch: &'a RecordBatch,
    name: &str,
) -> Result<&'a arrow_array::ArrayRef, ColumnarError> {
    batch
        .column_by_name(name)
        .ok_or_else(|| ColumnarError::Schema(format!("no column {name}")))
}

fn row_error(record: i64, reason: &str) -> ColumnarError {
    ColumnarError::Row {
        record,
        reason: reason.to_owned(),
    }
}

/// The records of a `nested` batch, in row order.
///
/// # Errors
/// The batch lacks a column, has one of another type, or holds a row that
/// is not a record (a null leader, a data field without indicators).
pub fn nested_records(batch: &RecordBatch) -> Result<Vec<RecordParts>, ColumnarError> {
    let ids = Ints::of(column(batch, "record_id")?, "record_id")?;
    let leaders = Strings::of(column(batch, "leader")?, "leader")?;
    let lists = Lists::of(column(batch, "fields")?, "fields")?;
    let items = lists.items;
    let tags = Strings::of(child(items, "tag")?, "tag")?;
    let ind1 = Strings::of(child(items, "ind1")?, "ind1")?;
    let ind2 = Strings::of(child(items, "ind2")?, "ind2")?;
    let data = Strings::of(child(items, "data")?, "data")?;
    let subs = Lists::of(child(items, "subfields")?, "subfields")?;
    let codes = Strings::of(child(subs.items, "code")?, "code")?;
    let values = Strings::of(child(subs.items, "value")?, "value")?;
    let mut out = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let record_id = ids.get(row).unwrap_or(-1);
        let leader = leaders
            .get(row)
            .ok_or_else(|| row_error(record_id, "null leader"))?;
        let mut fields = Vec::new();
        for f in lists.range(row).unwrap_or(0..0) {
            let tag = tags
                .get(f)
                .ok_or_else(|| row_error(record_id, "null tag"))?;
            let field = match (subs.range(f), data.get(f)) {
                (None, Some(d)) => FieldParts::Control {
                    tag: tag.to_owned(),
                    data: d.to_owned(),
                },
                (Some(range), _) => FieldParts::Data {
                    tag: tag.to_owned(),
                    ind1: ind1.get(f).unwrap_or(" ").to_owned(),
                    ind2: ind2.get(f).unwrap_or(" ").to_owned(),
                    subfields: range
                        .map(|s| {
                            (
                                codes.get(s).unwrap_or("").to_owned(),
                                values.get(s).unwrap_or("").to_owned(),
                            )
                        })
                        .collect(),
                },
                (None, None) => {
                    return Err(row_error(
                        record_id,
                        "a field with neither data nor subfields",
                    ))
                }
            };
            fields.push(field);
        }
        out.push(RecordParts {
            record_id,
            leader: leader.to_owned(),
            fields,
        });
    }
    Ok(out)
}

/// Reads `long` batches: a record's rows may span batches, so a record is
/// handed out once a row of the next record (or the end) is seen.
#[derive(Debug, Default)]
pub struct LongReader {
    open: Option<OpenRecord>,
}

#[derive(Debug)]
struct OpenRecord {
    parts: RecordParts,
    has_leader: bool,
    field_seq: Option<i64>,
}

impl LongReader {
    /// The records completed by `batch`'s rows.
    ///
    /// # Errors
    /// As [`nested_records`], for the long layout's columns.
    pub fn push(&mut self, batch: &RecordBatch) -> Result<Vec<RecordParts>, ColumnarError> {
        let ids = Ints::of(column(batch, "record_id")?, "record_id")?;
        let seqs = Ints::of(column(batch, "field_seq")?, "field_seq")?;
        let tags = Strings::of(column(batch, "tag")?, "tag")?;
        let ind1 = Strings::of(column(batch, "ind1")?, "ind1")?;
        let ind2 = Strings::of(column(batch, "ind2")?, "ind2")?;
        let codes = Strings::of(column(batch, "code")?, "code")?;
        let values = Strings::of(column(batch, "value")?, "value")?;
        let mut done = Vec::new();
        for row in 0..batch.num_rows() {
            let id = ids
                .get(row)
                .ok_or_else(|| row_error(-1, "null record_id"))?;
            if self.open.as_ref().map(|o| o.parts.record_id) != Some(id) {
                if let Some(record) = self.finish()? {
                    done.push(record);
                }
                self.open = Some(OpenRecord {
                    parts: RecordParts {
                        record_id: id,
                        leader: String::new(),
                        fields: Vec::new(),
                    },
                    has_leader: false,
                    field_seq: None,
                });
            }
            let Some(open) = self.open.as_mut() else {
                continue;
            };
            let tag = tags.get(row).ok_or_else(|| row_error(id, "null tag"))?;
            let seq = seqs.get(row);
            let Some(seq) = seq else {
                if tag != LEADER_TAG {
                    return Err(row_error(
                        id,
                        "a row with no field_seq that is not the leader",
                    ));
                }
                open.parts.leader = values.get(row).unwrap_or("").to_owned();
                open.has_leader = true;
                continue;
            };
            let value = values.get(row);
            match (ind1.get(row), codes.get(row)) {
                (None, _) => open.parts.fields.push(FieldParts::Control {
                    tag: tag.to_owned(),
                    data: value.unwrap_or("").to_owned(),
                }),
                (Some(i1), code) => {
                    let same = open.field_seq == Some(seq);
                    if !same {
                        open.parts.fields.push(FieldParts::Data {
                            tag: tag.to_owned(),
                            ind1: i1.to_owned(),
                            ind2: ind2.get(row).unwrap_or(" ").to_owned(),
                            subfields: Vec::new(),
                        });
                    }
                    if let (Some(code), Some(FieldParts::Data { subfields, .. })) =
                        (code, open.parts.fields.last_mut())
                    {
                        subfields.push((code.to_owned(), value.unwrap_or("").to_owned()));
                    }
                }
            }
            open.field_seq = Some(seq);
        }
        Ok(done)
    }

    /// The last record, once the table has ended.
    ///
    /// # Errors
    /// The record had no leader row.
    pub fn finish(&mut self) -> Result<Option<RecordParts>, ColumnarError> {
        match self.open.take() {
            None => Ok(None),
            Some(open) if !open.has_leader => {
                Err(row_error(open.parts.record_id, "no leader row (tag LDR)"))
            }
            Some(open) => Ok(Some(open.parts)),
        }
    }
}
