//! `ArrowRecords`: `pymrrc.from_arrow`'s engine. It reads a `nested` or
//! `long` table through Arrow's C stream interface and hands out `Record`
//! objects, each made as a reader makes one (lazy, over UTF-8 text laid out
//! like a record); records that text cannot carry are built in Python.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use arrow_array::ffi_stream::{ArrowArrayStreamReader, FFI_ArrowArrayStream};
use arrow_array::RecordBatchReader;
use pyo3::exceptions::{PyStopIteration, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};

use crate::materialize::LazyRecord;
use crate::pytypes::{new_instance, types};
use crate::record::RecordBase;
use pymrrc_columnar::{nested_records, FieldParts, LongReader, RecordParts, TableLayout};
use pymrrc_core::text::Utf8Handling;

struct State {
    reader: ArrowArrayStreamReader,
    layout: TableLayout,
    long: LongReader,
    ready: VecDeque<RecordParts>,
    done: bool,
}

/// An iterator of `Record`s read from an Arrow stream.
#[pyclass(module = "pymrrc._core")]
pub struct ArrowRecords {
    state: Mutex<State>,
}

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

#[pymethods]
impl ArrowRecords {
    /// Takes the stream out of an `arrow_array_stream` capsule.
    #[new]
    fn new(capsule: &Bound<'_, PyCapsule>) -> PyResult<Self> {
        let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
        #[allow(unsafe_code)]
        // SAFETY: a capsule named "arrow_array_stream" holds a valid
        // `ArrowArrayStream` (the Arrow PyCapsule interface). `from_raw`
        // moves the struct out and marks the capsule's copy released, so
        // the capsule's destructor does not release it again.
        let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.as_ptr().cast()) };
        let reader = ArrowArrayStreamReader::try_new(stream).map_err(value_error)?;
        let layout = TableLayout::detect(reader.schema().as_ref()).map_err(value_error)?;
        Ok(Self {
            state: Mutex::new(State {
                reader,
                layout,
                long: LongReader::default(),
                ready: VecDeque::new(),
                done: false,
            }),
        })
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let parts = {
            let mut state = self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            loop {
                if let Some(parts) = state.ready.pop_front() {
                    break parts;
                }
                if state.done {
                    return Err(PyStopIteration::new_err(()));
                }
                let st = &mut *state;
                let read = py.detach(|| -> Result<(), String> {
                    match st.reader.next() {
                        Some(Ok(batch)) => {
                            let records = match st.layout {
                                TableLayout::Nested => nested_records(&batch),
                                TableLayout::Long => st.long.push(&batch),
                            }
                            .map_err(|e| e.to_string())?;
                            st.ready.extend(records);
                        }
                        Some(Err(e)) => return Err(e.to_string()),
                        None => {
                            st.done = true;
                            if let Some(last) = st.long.finish().map_err(|e| e.to_string())? {
                                st.ready.push_back(last);
                            }
                        }
                    }
                    Ok(())
                });
                read.map_err(PyValueError::new_err)?;
                py.check_signals()?;
            }
        };
        record_from_parts(py, &parts)
    }
}

/// A `Record` for one row: lazy when its text can carry it, else built in
/// Python from its parts.
fn record_from_parts(py: Python<'_>, parts: &RecordParts) -> PyResult<Py<PyAny>> {
    if let Some((text, layout)) = parts.encode() {
        let t = types(py)?;
        let record = new_instance(py, t.record.bind(py))?;
        let lazy = LazyRecord {
            bytes: Arc::from(text),
            layout,
            handling: Utf8Handling::Strict,
        };
        let true_ = pyo3::types::PyBool::new(py, true)
            .to_owned()
            .into_any()
            .unbind();
        let false_ = pyo3::types::PyBool::new(py, false)
            .to_owned()
            .into_any()
            .unbind();
        record
            .cast::<RecordBase>()?
            .borrow_mut()
            .fill_from_reader(lazy, true_, false_);
        return Ok(record.unbind());
    }
    let fields: Vec<_> = parts
        .fields
        .iter()
        .map(|f| match f {
            FieldParts::Control { tag, data } => {
                (tag.clone(), None, None, Some(data.clone()), None)
            }
            FieldParts::Data {
                tag,
                ind1,
                ind2,
                subfields,
            } => (
                tag.clone(),
                Some(ind1.clone()),
                Some(ind2.clone()),
                None,
                Some(subfields.clone()),
            ),
        })
        .collect();
    Ok(py
        .import("pymrrc.columnar")?
        .call_method1("_record_from_parts", (parts.leader.clone(), fields))?
        .unbind())
}
