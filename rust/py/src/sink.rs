//! `FileSink`: where `MARCWriter(path)` writes. Rust owns the file and a
//! 1 MiB buffer, and writes in three phases:
//!
//! 1. `write_record` takes what it needs from a record with the GIL held:
//!    for a record nobody edited, a reference to the bytes it was read from
//!    and its leader text ([`UntouchedRecord`]); for any other record, the
//!    bytes of its `as_marc()`.
//! 2. Once about a buffer's worth is queued, the queued records are encoded
//!    with the GIL released,
//! 3. and the buffer is written to the file, still without the GIL.
//!
//! Bytes reach the file in the order they were given, whichever way each
//! record took.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::record::{untouched_snapshot, RecordBase, UntouchedRecord};
use crate::walk::plain_record_type;

/// Bytes buffered before the file is written.
const BUFFER: usize = 1 << 20;

/// A buffered output file owned by Rust.
#[pyclass(module = "pymrrc._core")]
pub struct FileSink {
    out: Option<File>,
    /// Bytes ready for the file; they precede everything in `queued`.
    pending: Vec<u8>,
    /// Records written but not yet encoded, in order.
    queued: Vec<UntouchedRecord>,
    /// The most bytes `queued` will encode to.
    queued_size: usize,
}

/// Encodes `queued` onto the end of `pending`, in order.
fn encode_queued(queued: &mut Vec<UntouchedRecord>, pending: &mut Vec<u8>) {
    for record in queued.drain(..) {
        record.encode_into(pending);
    }
}

/// Writes as much of `data` as the file takes; returns how much was
/// written and the error that stopped it, if any.
fn write_some(out: &mut File, data: &[u8]) -> (usize, std::io::Result<()>) {
    let mut written = 0;
    while written < data.len() {
        match out.write(&data[written..]) {
            Ok(0) => return (written, Err(std::io::ErrorKind::WriteZero.into())),
            Ok(n) => written += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (written, Err(e)),
        }
    }
    (written, Ok(()))
}

/// A writer that is dropped without `close()` still writes what it holds,
/// as a Python file object does when it is garbage-collected.
impl Drop for FileSink {
    fn drop(&mut self) {
        if let Some(out) = self.out.as_mut() {
            encode_queued(&mut self.queued, &mut self.pending);
            // Nowhere to report an error from a destructor; best effort,
            // as for an unclosed Python file.
            let _ = out.write_all(&self.pending);
        }
    }
}

fn closed() -> PyErr {
    PyValueError::new_err("write to closed file")
}

#[pymethods]
impl FileSink {
    /// Creates (or truncates) the file at `path`.
    #[new]
    fn py_new(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let target: PathBuf = path.extract()?;
        let file = py
            .detach(|| File::create(&target))
            .map_err(|err| crate::errors::os_error(py, &err, Some(path)))?;
        Ok(Self {
            out: Some(file),
            pending: Vec::with_capacity(BUFFER),
            queued: Vec::new(),
            queued_size: 0,
        })
    }

    /// Appends `record.as_marc()`. A plain `Record` nobody edited is only
    /// queued, and encoded later with the GIL released; the bytes are the
    /// same.
    fn write_record(&mut self, py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.out.is_none() {
            return Err(closed());
        }
        if let Ok(base) = record.cast::<RecordBase>() {
            if plain_record_type(base, &["as_marc"])? {
                if let Some(snapshot) = untouched_snapshot(base)? {
                    self.queued_size += snapshot.size_hint();
                    self.queued.push(snapshot);
                    if self.pending.len() + self.queued_size >= BUFFER {
                        self.flush(py)?;
                    }
                    return Ok(());
                }
            }
        }
        let data = record.call_method0("as_marc")?;
        self.write(py, data.cast::<PyBytes>()?)
    }

    /// Appends `data`.
    fn write(&mut self, py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<()> {
        if self.out.is_none() {
            return Err(closed());
        }
        // What was queued goes first. Encoded here, under the GIL: records
        // that alternate with bytes would otherwise hand the GIL over and
        // back for each one.
        encode_queued(&mut self.queued, &mut self.pending);
        self.queued_size = 0;
        self.pending.extend_from_slice(data.as_bytes());
        if self.pending.len() >= BUFFER {
            self.flush(py)?;
        }
        Ok(())
    }

    /// Writes out the buffer. On an error, what reached the file is dropped
    /// from the buffer (so a retry does not write it twice) and the error is
    /// raised as Python's file objects raise it (an `OSError` with errno).
    fn flush(&mut self, py: Python<'_>) -> PyResult<()> {
        let out = self.out.as_mut().ok_or_else(closed)?;
        let (pending, queued) = (&mut self.pending, &mut self.queued);
        let (written, result) = py.detach(|| {
            encode_queued(queued, pending);
            write_some(out, pending)
        });
        self.queued_size = 0;
        self.pending.drain(..written);
        result.map_err(|err| crate::errors::os_error(py, &err, None))
    }

    /// Writes out the buffer and closes the file; later calls do nothing.
    fn close(&mut self, py: Python<'_>) -> PyResult<()> {
        if self.out.is_some() {
            let result = self.flush(py);
            self.out = None;
            result?;
        }
        Ok(())
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.out.is_none()
    }
}
