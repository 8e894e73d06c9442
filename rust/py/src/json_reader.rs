//! `JsonDocument`: the native engine behind `pymrrc.JSONReader`.
//!
//! The document is parsed by serde_json with the GIL released
//! (`jobs::read_document_until`, the visitors the `pymrrc` command reads
//! MARC-in-JSON with) straight into records laid out like decoded ISO 2709
//! ones; each becomes a `Record` only when the reader hands it out, exactly
//! as `MARCReader` makes its records (its fields are built on first use).
//! A record pymarc builds in a way this does not (a tag `Field()` rewrites,
//! parts that are not strings, a missing key) is `None` here: the Python
//! side builds that one from Python's own parse of the document, so its
//! result, or its exception, is pymarc's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::PyStopIteration;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use pyo3::PyTraverseError;

use crate::jobs::{read_document_until, Laid};
use crate::lazy_record::LazyRecord;
use crate::pytypes::{new_instance, py_bool, types};
use crate::record::RecordBase;
use pymrrc_core::text::Utf8Handling;

/// A parsed MARC-in-JSON document whose records are not built yet. Each
/// record is taken out once (by whichever thread gets there first), so it
/// is shared by the reader's cursors ([`JsonCursor`]) without a borrow.
#[pyclass(module = "pymrrc._core", frozen)]
pub struct JsonDocument {
    records: Mutex<Vec<Option<Laid>>>,
    len: usize,
}

impl JsonDocument {
    /// Record `index`, taken out (`None`: not plain, or taken before).
    fn take_record(&self, index: usize) -> Option<Laid> {
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        records.get_mut(index).and_then(Option::take)
    }
}

/// A `Record` for a laid-out record, as `JSONReader`'s `Record()` would
/// hold it (`to_unicode` true, `force_utf8` false), its leader kept as
/// text and its fields built on first use.
pub(crate) fn laid_record<'py>(
    py: Python<'py>,
    (bytes, layout): Laid,
) -> PyResult<Bound<'py, PyAny>> {
    let record = new_instance(py, types(py)?.record.bind(py))?;
    let lazy = LazyRecord {
        bytes,
        layout,
        handling: Utf8Handling::Strict,
    };
    record.cast::<RecordBase>()?.borrow_mut().fill_from_reader(
        lazy,
        py_bool(py, true),
        py_bool(py, false),
    );
    Ok(record)
}

#[pymethods]
impl JsonDocument {
    /// Parses `data` (a MARC-in-JSON document: UTF-8 `bytes`, or a `str`,
    /// best an ASCII one, whose UTF-8 is its own text); `None` when
    /// serde_json does not read it as Python's `json.loads` does (the
    /// caller then uses `json.loads`, and its errors).
    ///
    /// The document is read where it lies (no copy), with the GIL
    /// released; signals are looked at every thousand records or so, with
    /// the GIL taken back for that moment, and an exception a handler
    /// raises (`KeyboardInterrupt`) stops the parse.
    #[staticmethod]
    fn parse(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        let document: &[u8] = match data.cast::<PyString>() {
            Ok(text) => text.to_str()?.as_bytes(),
            Err(_) => data.cast::<PyBytes>()?.as_bytes(),
        };
        let mut raised = None;
        let parsed = py.detach(|| {
            read_document_until(document, &mut || {
                raised = Python::attach(|py| py.check_signals().err());
                raised.is_some()
            })
        });
        if let Some(err) = raised {
            return Err(err);
        }
        Ok(parsed.map(|records| Self {
            len: records.len(),
            records: Mutex::new(records),
        }))
    }

    fn __len__(&self) -> usize {
        self.len
    }
}

/// What must still be the originals for a native record to be what
/// pymarc's `JSONReader` calls would build now.
pub(crate) struct NativeHooks {
    /// `pymrrc.reader`'s globals, and the names there that must still be
    /// the original objects.
    names: Py<PyDict>,
    originals: Vec<(Py<PyString>, Py<PyAny>)>,
    /// `(class, attribute, original value or None)` that must still hold.
    hooks: Vec<(Py<PyAny>, Py<PyString>, Py<PyAny>)>,
}

/// The Python arguments a [`NativeHooks`] is made of (see its fields).
pub(crate) type HookArgs = (
    Py<PyDict>,
    Vec<(Py<PyString>, Py<PyAny>)>,
    Vec<(Py<PyAny>, Py<PyString>, Py<PyAny>)>,
);

impl NativeHooks {
    pub(crate) fn new((names, originals, hooks): HookArgs) -> Self {
        Self {
            names,
            originals,
            hooks,
        }
    }

    /// Whether a native record is what pymarc's calls would build now.
    pub(crate) fn allowed(&self, py: Python<'_>) -> PyResult<bool> {
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

    pub(crate) fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
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

/// One iteration of `JSONReader` over a [`JsonDocument`]: each call of
/// `next_record` hands out the next record, built natively while nothing
/// pymarc's `JSONReader` calls was replaced ([`NativeHooks`]), or its index
/// for the Python side to build by pymarc's calls.
#[pyclass(module = "pymrrc._core", frozen)]
pub struct JsonCursor {
    document: Py<JsonDocument>,
    next: AtomicUsize,
    hooks: NativeHooks,
}

#[pymethods]
impl JsonCursor {
    /// `JsonCursor(document, names, originals, hooks)`: see
    /// [`NativeHooks`].
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
            hooks: NativeHooks::new((names, originals, hooks)),
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
        if self.hooks.allowed(py)? {
            if let Some(record) = document.take_record(index) {
                return laid_record(py, record);
            }
        }
        Ok(index.into_pyobject(py)?.into_any())
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.document)?;
        self.hooks.traverse(&visit)
    }
}
