//! `JsonDocument`: the native engine behind `pymrrc.JSONReader`.
//!
//! The document is parsed by serde_json with the GIL released
//! (`jobs::parse_json_document`, the visitors the `pymrrc` command reads
//! MARC-in-JSON with) into records shaped as pymarc's `JSONReader` shapes
//! them; each becomes a `Record` only when the reader hands it out, and
//! its `Field` objects are built on first use, like a record read from
//! MARCXML (`marcxml::plain_record`). A record pymarc builds in a way this
//! does not (a tag `Field()` rewrites, parts that are not strings, a
//! missing key) is `None` here: the Python side builds that one from
//! Python's own parse of the document, so its result, or its exception, is
//! pymarc's.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use pymrrc_core::marcxml::{FieldOrigin, XmlRecord};

/// A parsed MARC-in-JSON document whose records are not built yet.
#[pyclass(module = "pymrrc._core")]
pub struct JsonDocument {
    records: Vec<Option<XmlRecord>>,
}

/// `r` as `JSONReader` builds it, in the terms of a record read from
/// MARCXML, or `None` when a tag is not three ASCII characters (`Field()`
/// rewrites such tags; the Python path does that).
///
/// `JSONReader` makes `Field(tag, data=body)` of a body that is not a
/// subfield object: a tag below `010` made of digits is a control field
/// holding the body, any other tag a data field with blank indicators, no
/// subfields and no data (`Field()` drops `data` there).
fn as_json_reader_builds(mut r: XmlRecord) -> Option<XmlRecord> {
    for field in &mut r.fields {
        let tag: [u8; 3] = field.tag.as_bytes().try_into().ok()?;
        if !tag.is_ascii() {
            return None;
        }
        let control = tag.iter().all(u8::is_ascii_digit) && tag < *b"010";
        if !control && field.origin == FieldOrigin::Control {
            field.origin = FieldOrigin::Data {
                ind1: Some(" ".to_owned()),
                ind2: Some(" ".to_owned()),
            };
            field.data = None;
        }
    }
    Some(r)
}

#[pymethods]
impl JsonDocument {
    /// Parses `data` (a MARC-in-JSON document as UTF-8 `bytes`); `None`
    /// when serde_json does not read it as Python's `json.loads` does (the
    /// caller then uses `json.loads`, and its errors).
    #[staticmethod]
    fn parse(py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<Option<Self>> {
        let document = data.as_bytes().to_vec();
        Ok(
            crate::jobs::parse_json_document(py, document)?.map(|records| Self {
                records: records
                    .into_iter()
                    .map(|r| r.and_then(as_json_reader_builds))
                    .collect(),
            }),
        )
    }

    fn __len__(&self) -> usize {
        self.records.len()
    }

    /// Record `index` as a new `Record`, handed out once (its data moves
    /// into the record); `None` when the Python path must build it (not
    /// plain, or handed out before).
    fn take<'py>(&mut self, py: Python<'py>, index: usize) -> PyResult<Option<Bound<'py, PyAny>>> {
        match self.records.get_mut(index).and_then(Option::take) {
            Some(record) => crate::marcxml::plain_record(py, record).map(Some),
            None => Ok(None),
        }
    }
}
