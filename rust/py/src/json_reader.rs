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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::PyStopIteration;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use pyo3::PyTraverseError;

use pymrrc_core::marcxml::{FieldOrigin, XmlRecord};

/// A parsed MARC-in-JSON document whose records are not built yet. Each
/// record is taken out once (by whichever thread gets there first), so it
/// is shared by the reader's cursors ([`JsonCursor`]) without a borrow.
#[pyclass(module = "pymrrc._core", frozen)]
pub struct JsonDocument {
    records: Mutex<Vec<Option<XmlRecord>>>,
    len: usize,
}

impl JsonDocument {
    /// Record `index`, taken out (`None`: not plain, or taken before).
    fn take_record(&self, index: usize) -> Option<XmlRecord> {
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        records.get_mut(index).and_then(Option::take)
    }
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
            crate::jobs::parse_json_document(py, document)?.map(|records| {
                let records: Vec<_> = records
                    .into_iter()
                    .map(|r| r.and_then(as_json_reader_builds))
                    .collect();
                Self {
                    len: records.len(),
                    records: Mutex::new(records),
                }
            }),
        )
    }

    fn __len__(&self) -> usize {
        self.len
    }
}

/// One iteration of `JSONReader` over a [`JsonDocument`]: each call of
/// `next_record` hands out the next record, built natively while nothing
/// pymarc's `JSONReader` calls was replaced (`ReadingHooks`), or its index
/// for the Python side to build by pymarc's calls.
#[pyclass(module = "pymrrc._core", frozen)]
pub struct JsonCursor {
    document: Py<JsonDocument>,
    next: AtomicUsize,
    /// `pymrrc.reader`'s globals, and the names there that must still be
    /// the original objects.
    names: Py<PyDict>,
    originals: Vec<(Py<PyString>, Py<PyAny>)>,
    /// `(class, attribute, original value or None)` that must still hold.
    hooks: Vec<(Py<PyAny>, Py<PyString>, Py<PyAny>)>,
}

impl JsonCursor {
    /// Whether a native record is what pymarc's calls would build now.
    fn allowed(&self, py: Python<'_>) -> PyResult<bool> {
        let names = self.names.bind(py);
        for (name, original) in &self.originals {
            match names.get_item(name)? {
                Some(value) if value.is(original) => {}
                _ => return Ok(false),
            }
        }
        for (cls, name, original) in &self.hooks {
            let current = cls.bind(py).getattr_opt(name)?;
            let same = match current {
                Some(value) => value.is(original),
                None => original.is_none(py),
            };
            if !same {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[pymethods]
impl JsonCursor {
    /// `JsonCursor(document, names, originals, hooks)`: see the fields.
    #[new]
    fn py_new(
        document: Py<JsonDocument>,
        names: Py<PyDict>,
        originals: Vec<(Py<PyString>, Py<PyAny>)>,
        hooks: Vec<(Py<PyAny>, Py<PyString>, Py<PyAny>)>,
    ) -> Self {
        Self {
            document,
            next: AtomicUsize::new(0),
            names,
            originals,
            hooks,
        }
    }

    /// The next record, or its index (an `int`) when the Python side must
    /// build it; `StopIteration` at the end.
    fn next_record<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let document = self.document.get();
        let index = self.next.fetch_add(1, Ordering::Relaxed);
        if index >= document.len {
            self.next.store(document.len, Ordering::Relaxed);
            return Err(PyStopIteration::new_err(()));
        }
        if self.allowed(py)? {
            if let Some(record) = document.take_record(index) {
                return crate::marcxml::plain_record(py, record);
            }
        }
        Ok(index.into_pyobject(py)?.into_any())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.document)?;
        visit.call(&self.names)?;
        for (name, original) in &self.originals {
            visit.call(name)?;
            visit.call(original)?;
        }
        for (cls, name, original) in &self.hooks {
            visit.call(cls)?;
            visit.call(name)?;
            visit.call(original)?;
        }
        Ok(())
    }
}
