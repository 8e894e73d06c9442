//! `FileSink`: where `MARCWriter(path)` writes. Rust owns the file and a
//! buffer; bytes are written with the GIL released.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A buffered output file owned by Rust.
#[pyclass(module = "pymrrc._core")]
pub struct FileSink {
    out: Option<BufWriter<File>>,
}

fn closed() -> PyErr {
    PyValueError::new_err("write to closed file")
}

#[pymethods]
impl FileSink {
    /// Creates (or truncates) the file at `path`.
    #[new]
    fn py_new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let file = py.detach(|| File::create(&path))?;
        Ok(Self {
            out: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// Appends `data`.
    fn write(&mut self, py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<()> {
        let out = self.out.as_mut().ok_or_else(closed)?;
        let bytes = data.as_bytes();
        py.detach(|| out.write_all(bytes))?;
        Ok(())
    }

    /// Writes out the buffer.
    fn flush(&mut self, py: Python<'_>) -> PyResult<()> {
        let out = self.out.as_mut().ok_or_else(closed)?;
        py.detach(|| out.flush())?;
        Ok(())
    }

    /// Flushes and closes the file; later calls do nothing.
    fn close(&mut self, py: Python<'_>) -> PyResult<()> {
        if let Some(mut out) = self.out.take() {
            py.detach(move || {
                out.flush()
                    .and_then(|()| out.get_ref().sync_data().or(Ok(())))
            })?;
        }
        Ok(())
    }

    /// Whether `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.out.is_none()
    }
}
