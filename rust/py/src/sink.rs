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
//! record took. Writes answer signals (Ctrl-C) between system calls, as
//! Python's files do (PEP 475). A sink garbage-collected unclosed (its
//! Python subclass's `__del__` calls [`FileSink::_finalize`]) warns with
//! `ResourceWarning` and closes itself, reporting a failure to write out
//! what it held through `sys.unraisablehook`: no loss goes unreported.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use pyo3::exceptions::{PyResourceWarning, PyValueError, PyWarning};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict};

use crate::record::{untouched_snapshot, RecordBase};
use crate::record_class::plain_record_type;
use crate::storage::UntouchedRecord;

/// Bytes buffered before the file is written.
const BUFFER: usize = 1 << 20;

/// A buffered output file owned by Rust.
#[pyclass(module = "pymrrc._core", subclass)]
pub struct FileSink {
    out: Option<File>,
    /// The path as given, for `name` and `repr()`.
    name: Py<PyAny>,
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

/// Writes `data` until all of it is written, a write is interrupted by a
/// signal or cut short (which a signal can also cause), or one fails.
/// Returns how much was written and `Ok(true)` when that is all of it,
/// `Ok(false)` when the caller should look at signals and go on.
fn write_some(out: &mut File, data: &[u8]) -> (usize, std::io::Result<bool>) {
    let mut written = 0;
    while written < data.len() {
        match out.write(&data[written..]) {
            Ok(0) => return (written, Err(std::io::ErrorKind::WriteZero.into())),
            Ok(n) => {
                written += n;
                if written < data.len() {
                    return (written, Ok(false));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return (written, Ok(false)),
            Err(e) => return (written, Err(e)),
        }
    }
    (written, Ok(true))
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
        warn_function(py)?;
        let file = py
            .detach(|| File::create(&target))
            .map_err(|err| crate::errors::os_error(py, &err, Some(path)))?;
        Ok(Self {
            out: Some(file),
            name: path.clone().unbind(),
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
    /// Signals are looked at whenever a write is interrupted or cut short:
    /// an exception raised by a handler (`KeyboardInterrupt`) is raised
    /// here, the rest of the buffer staying for a later `flush()`.
    fn flush(&mut self, py: Python<'_>) -> PyResult<()> {
        let Self {
            out,
            pending,
            queued,
            queued_size,
            ..
        } = self;
        let out = out.as_mut().ok_or_else(closed)?;
        py.detach(|| encode_queued(queued, pending));
        *queued_size = 0;
        let mut written = 0;
        let result = loop {
            let rest = &pending[written..];
            let (n, outcome) = py.detach(|| write_some(out, rest));
            written += n;
            match outcome {
                Ok(true) => break Ok(()),
                Ok(false) => {
                    if let Err(err) = py.check_signals() {
                        break Err(err);
                    }
                }
                Err(err) => break Err(crate::errors::os_error(py, &err, None)),
            }
        };
        pending.drain(..written);
        result
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

    /// The path the sink writes to, as given.
    #[getter]
    fn name(&self, py: Python<'_>) -> Py<PyAny> {
        self.name.clone_ref(py)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let ty = slf.get_type();
        let name = slf.borrow().name.bind(slf.py()).repr()?.to_string();
        Ok(format!("<{}.{} name={name}>", ty.module()?, ty.qualname()?))
    }

    /// What a Python file does when it is garbage-collected unclosed: a
    /// `ResourceWarning` naming it, then `close()`. Whatever either raises
    /// goes to `sys.unraisablehook`, with the sink as the object (Python's
    /// files report a failed close so only under `-X dev`; a lost write is
    /// always reported here). Called by the Python subclass's `__del__`.
    fn _finalize(slf: &Bound<'_, Self>) {
        let py = slf.py();
        if slf.borrow().out.is_none() {
            return;
        }
        if let Err(err) = warn_unclosed(slf) {
            // A warning turned into an error (`-W error`) is reported; any
            // other failure to warn (at shutdown) is not, as with Python's
            // files.
            if err.is_instance_of::<PyWarning>(py) {
                err.write_unraisable(py, Some(slf.as_any()));
            }
        }
        let result = slf.borrow_mut().close(py);
        if let Err(err) = result {
            err.write_unraisable(py, Some(slf.as_any()));
        }
    }
}

/// `warnings.warn(f"unclosed file {sink!r}", ResourceWarning, stacklevel=2,
/// source=sink)`, as Python's files warn: attributed to the code in which
/// the sink was dropped (the first frame is the `__del__` calling this).
fn warn_unclosed(slf: &Bound<'_, FileSink>) -> PyResult<()> {
    let py = slf.py();
    let message = format!("unclosed file {}", slf.repr()?);
    let kwargs = PyDict::new(py);
    kwargs.set_item("stacklevel", 2)?;
    kwargs.set_item("source", slf)?;
    warn_function(py)?
        .bind(py)
        .call((message, py.get_type::<PyResourceWarning>()), Some(&kwargs))?;
    Ok(())
}

/// `warnings.warn`, looked up once while imports still work (a sink may
/// be finalised late in interpreter shutdown).
fn warn_function(py: Python<'_>) -> PyResult<&Py<PyAny>> {
    static WARN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    WARN.get_or_try_init(py, || Ok(py.import("warnings")?.getattr("warn")?.unbind()))
}
