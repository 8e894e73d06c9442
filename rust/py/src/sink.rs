//! `FileSink`: where `MARCWriter(path)` writes. Rust owns the file and a
//! 1 MiB buffer. Appending to the buffer keeps the GIL (a copy costs less
//! than handing the GIL to another thread and back); the file is written
//! with the GIL released, once per full buffer.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Bytes buffered before the file is written.
const BUFFER: usize = 1 << 20;

/// A buffered output file owned by Rust.
#[pyclass(module = "pymrrc._core")]
pub struct FileSink {
    out: Option<File>,
    pending: Vec<u8>,
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
        })
    }

    /// Appends `data`.
    fn write(&mut self, py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<()> {
        if self.out.is_none() {
            return Err(closed());
        }
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
        let pending = &self.pending;
        let (written, result) = py.detach(|| write_some(out, pending));
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
