//! `ArrowStream`: what `pymrrc.to_arrow` returns. It implements the Arrow
//! PyCapsule interface (`__arrow_c_stream__`, `__arrow_c_schema__`), so
//! pyarrow, Polars and DuckDB read it through Arrow's C stream interface
//! with no copy and no pyarrow in pymrrc. `_next_batch` hands out one
//! batch at a time (`__arrow_c_array__`), for `to_parquet`'s own loop.

use std::sync::Mutex;

use arrow_array::ffi::to_ffi;
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{Array, RecordBatch, RecordBatchReader, StructArray};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList};

use super::options::{shape, ErrorMode, ReaderOptions};
use super::producer::{lock, Producer, SharedSummary};
use super::source::Source;
use crate::native_options::OptionValues;
use pymrrc_core::pipeline::PathPipeline;

/// A stream of record batches of MARC records.
#[pyclass(module = "pymrrc._core")]
pub struct ArrowStream {
    producer: Mutex<Option<Producer>>,
    schema: SchemaRef,
    summary: SharedSummary,
}

fn schema_capsule<'py>(py: Python<'py>, schema: &SchemaRef) -> PyResult<Bound<'py, PyCapsule>> {
    let ffi = FFI_ArrowSchema::try_from(schema.as_ref())
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    PyCapsule::new_with_value(py, ffi, c"arrow_schema")
}

#[pymethods]
impl ArrowStream {
    /// `kind`: "path", "memory", "file" or "records" (an iterable of
    /// `Record`s, whose iterator is `source`; `origin` the iterable). A
    /// path is read from `start` (a record's start) up to the first record
    /// that starts at or after `stop`, record ids counting from `first_id`.
    #[new]
    #[pyo3(signature = (kind, source, origin, layout, columns, batch_size, errors, workers, source_name, to_unicode, force_utf8, hide_utf8_warnings, utf8_handling, file_encoding, start = 0, stop = None, first_id = 0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        kind: &str,
        source: &Bound<'_, PyAny>,
        origin: &Bound<'_, PyAny>,
        layout: &str,
        columns: Option<Vec<String>>,
        batch_size: usize,
        errors: &str,
        workers: Option<Bound<'_, PyAny>>,
        source_name: Option<String>,
        to_unicode: &Bound<'_, PyAny>,
        force_utf8: &Bound<'_, PyAny>,
        hide_utf8_warnings: &Bound<'_, PyAny>,
        utf8_handling: &Bound<'_, PyAny>,
        file_encoding: &Bound<'_, PyAny>,
        start: u64,
        stop: Option<u64>,
        first_id: i64,
    ) -> PyResult<Self> {
        let shape = shape(layout, columns)?;
        let mode = ErrorMode::parse(errors)?;
        let options = ReaderOptions::new(&OptionValues {
            to_unicode,
            force_utf8,
            hide_utf8_warnings,
            utf8_handling,
            file_encoding,
        })?;
        let workers = crate::reader::workers_from(workers.as_ref())?;
        let source = match kind {
            "path" => {
                let path: std::path::PathBuf = source.extract()?;
                let validation = options.validation;
                let opened =
                    py.detach(|| PathPipeline::open_range(&path, validation, workers, start, stop));
                Source::Path(opened.map_err(|e| crate::errors::os_error(py, &e, Some(source)))?)
            }
            "memory" => Source::Memory {
                data: source.cast::<pyo3::types::PyBytes>()?.clone().unbind(),
                pos: 0,
            },
            "file" => Source::File {
                handle: source.clone().unbind(),
                buf: Vec::new(),
                offset: 0,
                eof: false,
            },
            _ => Source::Records {
                origin: origin.clone().unbind(),
                iter: source.clone().unbind(),
            },
        };
        let producer = Producer::new(
            py,
            source,
            shape,
            source_name,
            batch_size,
            mode,
            options,
            first_id,
        )?;
        Ok(Self {
            schema: producer.schema(),
            summary: producer.summary(),
            producer: Mutex::new(Some(producer)),
        })
    }

    /// The Arrow C stream of the batches (consumes this stream).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let producer = self.take()?;
        let reader = StreamReader {
            producer: Some(producer),
            schema: self.schema.clone(),
            summary: self.summary.clone(),
        };
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
    }

    /// The schema, through Arrow's C data interface.
    fn __arrow_c_schema__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        schema_capsule(py, &self.schema)
    }

    /// The column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }

    /// Reads and builds every batch on the calling thread (`pymrrc.dask`'s
    /// tasks: one core each); before the first batch, else it does nothing.
    fn _read_on_calling_thread(&self) {
        if let Some(producer) = self
            .producer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_mut()
        {
            producer.read_on_calling_thread();
        }
    }

    /// The next batch, or `None` at the end; raises what the stream raises.
    fn _next_batch(&self, py: Python<'_>) -> PyResult<Option<ArrowBatch>> {
        let mut slot = self
            .producer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(producer) = slot.as_mut() else {
            return Err(PyValueError::new_err("this stream has been read already"));
        };
        let batch = producer.next_batch(py)?;
        Ok(batch.map(|batch| ArrowBatch { batch }))
    }

    /// Records written to batches so far.
    #[getter]
    fn records_written(&self) -> u64 {
        lock(&self.summary).written
    }

    /// Records rejected so far.
    #[getter]
    fn records_rejected(&self) -> u64 {
        lock(&self.summary).rejected
    }

    /// Rejected records per exception class name.
    #[getter]
    fn rejected_reasons<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &lock(&self.summary).reasons {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// `(record_id, offset, chunk, exception)` of each rejected record
    /// (with `errors="collect"`).
    #[getter]
    fn rejected<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let summary = lock(&self.summary);
        let items = summary.collected.iter().map(|r| {
            (
                r.record_id,
                r.offset,
                r.chunk.as_ref().map(|c| c.clone_ref(py)),
                r.exception.clone_ref(py),
            )
        });
        PyList::new(py, items)
    }

    /// The exception that ended a stream read through the C interface.
    fn _take_error(&self) -> Option<PyErr> {
        lock(&self.summary).error.take()
    }
}

impl ArrowStream {
    fn take(&self) -> PyResult<Producer> {
        self.producer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .ok_or_else(|| PyValueError::new_err("this stream has been read already"))
    }
}

/// One record batch, handed to Python through `__arrow_c_array__`.
#[pyclass(module = "pymrrc._core")]
pub struct ArrowBatch {
    batch: RecordBatch,
}

#[pymethods]
impl ArrowBatch {
    /// The batch as an Arrow struct array (schema and array capsules).
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_array__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<(Bound<'py, PyCapsule>, Bound<'py, PyCapsule>)> {
        let _ = requested_schema;
        let data = StructArray::from(self.batch.clone()).to_data();
        let (array, schema) = to_ffi(&data).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok((
            PyCapsule::new_with_value(py, schema, c"arrow_schema")?,
            PyCapsule::new_with_value(py, array, c"arrow_array")?,
        ))
    }

    /// Rows in the batch.
    #[getter]
    fn num_rows(&self) -> usize {
        self.batch.num_rows()
    }
}

/// The producer as Arrow's `RecordBatchReader`: called by the consumer
/// from any thread, with or without the GIL.
struct StreamReader {
    producer: Option<Producer>,
    schema: SchemaRef,
    summary: SharedSummary,
}

impl Iterator for StreamReader {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut producer = self.producer.take()?;
        let result = Python::attach(|py| match producer.next_batch(py) {
            Ok(Some(batch)) => Some(Ok(batch)),
            Ok(None) => None,
            Err(err) => {
                // The consumer reports the failure in its own terms (pyarrow:
                // ArrowInvalid), with this message; the exception itself
                // (pymarc's, or KeyboardInterrupt) waits in `_take_error`.
                let message = format!(
                    "{}: {}",
                    err.get_type(py)
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                    err.value(py)
                );
                lock(&self.summary).error = Some(err);
                Some(Err(ArrowError::ExternalError(message.into())))
            }
        });
        if matches!(result, Some(Ok(_))) {
            self.producer = Some(producer);
        } else {
            // Dropped with the GIL released: it may join reader threads.
            Python::attach(|py| py.detach(move || drop(producer)));
        }
        result
    }
}

impl RecordBatchReader for StreamReader {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}
