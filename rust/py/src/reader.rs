//! `ReaderBase`: the engine under `pymrrc.reader.MARCReader`.
//!
//! It frames records from an in-memory `bytes` object or from a Python file
//! object (read in large batches), validates each one natively and yields
//! lazy `Record` objects, reproducing pymarc's `None` /
//! `current_exception` / `current_chunk` protocol exactly. Records that need
//! an encoding Rust does not decode yet go through `Record(chunk, ...)`, the
//! exact Python fallback.

use pyo3::exceptions::{PyException, PyStopIteration, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString};

use crate::errors::framing_exception;
use crate::materialize::LazyRecord;
use crate::pytypes::{new_instance, types};
use crate::record::{decode_checked, RecordBase};
use crate::text::truthy;
use pymrrc_core::decode::DecodeOptions;
use pymrrc_core::framing::{bytes_wanted, next_frame, Frame};
use pymrrc_core::text::Utf8Handling;

/// How much a file-object reader asks for per `.read()` call.
const READ_BATCH: usize = 1 << 20;

enum Source {
    Closed,
    Bytes { data: Py<PyBytes>, pos: usize },
    File { handle: Py<PyAny>, buf: Vec<u8>, start: usize, eof: bool },
}

/// What `current_chunk` holds.
enum Chunk {
    None,
    Object(Py<PyAny>),
}

/// Native reader state: the source, the options and pymarc's current
/// chunk/exception pair.
#[pyclass(subclass, module = "pymrrc._core")]
pub struct ReaderBase {
    source: Source,
    to_unicode: Option<Py<PyAny>>,
    force_utf8: Option<Py<PyAny>>,
    fallback_kwargs: Option<Py<PyDict>>,
    native: Option<DecodeOptions>,
    chunk: Chunk,
    exception: Option<Py<PyAny>>,
    fatal: bool,
}

impl ReaderBase {
    /// Makes sure the buffered input holds a whole frame (or the stream is
    /// exhausted) and returns the frame with its bytes.
    fn next_frame(&mut self, py: Python<'_>) -> PyResult<(Frame, Vec<u8>)> {
        match &mut self.source {
            Source::Closed => Ok((Frame::End, Vec::new())),
            Source::Bytes { data, pos } => {
                let bytes = data.bind(py).as_bytes();
                let rest = &bytes[(*pos).min(bytes.len())..];
                let frame = next_frame(rest, true);
                let len = frame_len(frame);
                let out = rest[..len].to_vec();
                *pos += len;
                Ok((frame, out))
            }
            Source::File { handle, buf, start, eof } => loop {
                let rest = &buf[*start..];
                let frame = next_frame(rest, *eof);
                if frame != Frame::NeedMore {
                    let len = frame_len(frame);
                    let out = rest[..len].to_vec();
                    *start += len;
                    if *start > buf.len() / 2 {
                        buf.drain(..*start);
                        *start = 0;
                    }
                    return Ok((frame, out));
                }
                let want = bytes_wanted(rest).unwrap_or(READ_BATCH).max(READ_BATCH);
                let got = handle.bind(py).call_method1("read", (want,))?;
                let before = buf.len();
                if let Ok(b) = got.cast::<PyBytes>() {
                    buf.extend_from_slice(b.as_bytes());
                } else if let Ok(b) = got.cast::<PyByteArray>() {
                    buf.extend_from_slice(&b.to_vec());
                } else if got.is_none() {
                    // A non-blocking stream with nothing available yet.
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "MARCReader needs a binary file object; read() returned {}",
                        got.get_type().name()?
                    )));
                }
                if buf.len() == before && !got.is_none() {
                    *eof = true;
                }
            },
        }
    }

    fn set_exception(&mut self, exc: Bound<'_, PyAny>) {
        self.exception = Some(exc.unbind());
    }
}

fn frame_len(frame: Frame) -> usize {
    match frame {
        Frame::Record { len } | Frame::Fatal { len, .. } => len,
        Frame::NeedMore | Frame::End => 0,
    }
}

#[pymethods]
impl ReaderBase {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn py_new(_args: &Bound<'_, pyo3::types::PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        Self {
            source: Source::Closed,
            to_unicode: None,
            force_utf8: None,
            fallback_kwargs: None,
            native: None,
            chunk: Chunk::None,
            exception: None,
            fatal: false,
        }
    }

    /// Starts reading `source` (a `bytes` object or a binary file object)
    /// with pymarc's reader options.
    #[pyo3(signature = (source, to_unicode, force_utf8, hide_utf8_warnings, utf8_handling, file_encoding))]
    fn _start(
        &mut self,
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        to_unicode: &Bound<'_, PyAny>,
        force_utf8: &Bound<'_, PyAny>,
        hide_utf8_warnings: &Bound<'_, PyAny>,
        utf8_handling: &Bound<'_, PyAny>,
        file_encoding: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.source = match source.cast_exact::<PyBytes>() {
            Ok(b) => Source::Bytes { data: b.clone().unbind(), pos: 0 },
            Err(_) => Source::File { handle: source.clone().unbind(), buf: Vec::new(), start: 0, eof: false },
        };
        let handling = utf8_handling
            .cast_exact::<PyString>()
            .ok()
            .and_then(|s| s.to_cow().ok().and_then(|n| Utf8Handling::from_name(&n)));
        self.native = match handling {
            Some(h) if truthy(to_unicode)? => Some(DecodeOptions {
                force_utf8: truthy(force_utf8)?,
                to_unicode: true,
                utf8_handling: h,
            }),
            _ => None,
        };
        let kwargs = PyDict::new(py);
        kwargs.set_item("to_unicode", to_unicode)?;
        kwargs.set_item("force_utf8", force_utf8)?;
        kwargs.set_item("hide_utf8_warnings", hide_utf8_warnings)?;
        kwargs.set_item("utf8_handling", utf8_handling)?;
        kwargs.set_item("file_encoding", file_encoding)?;
        self.fallback_kwargs = Some(kwargs.unbind());
        self.to_unicode = Some(to_unicode.clone().unbind());
        self.force_utf8 = Some(force_utf8.clone().unbind());
        Ok(())
    }

    /// The bytes of the record (or failed chunk) last read.
    #[getter]
    fn current_chunk(&self, py: Python<'_>) -> Py<PyAny> {
        match &self.chunk {
            Chunk::None => py.None(),
            Chunk::Object(o) => o.clone_ref(py),
        }
    }

    /// The exception raised by the record last read, or `None`.
    #[getter]
    fn current_exception(&self, py: Python<'_>) -> Py<PyAny> {
        self.exception.as_ref().map_or_else(|| py.None(), |e| e.clone_ref(py))
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.fatal {
            return Err(PyStopIteration::new_err(()));
        }
        self.chunk = Chunk::None;
        self.exception = None;
        let (frame, bytes) = self.next_frame(py)?;
        match frame {
            Frame::End | Frame::NeedMore => {
                self.chunk = Chunk::Object(PyBytes::new(py, b"").into_any().unbind());
                Err(PyStopIteration::new_err(()))
            }
            Frame::Fatal { kind, .. } => {
                self.chunk = Chunk::Object(PyBytes::new(py, &bytes).into_any().unbind());
                self.fatal = true;
                let exc = framing_exception(py, kind)?;
                self.set_exception(exc);
                Ok(py.None())
            }
            Frame::Record { .. } => self.decode_record(py, bytes),
        }
    }
}

impl ReaderBase {
    fn decode_record(&mut self, py: Python<'_>, bytes: Vec<u8>) -> PyResult<Py<PyAny>> {
        let t = types(py)?;
        if let Some(options) = self.native {
            if options.force_utf8 || bytes.get(9) == Some(&b'a') {
                let chunk_obj = PyBytes::new(py, &bytes);
                match decode_checked(py, &bytes, &options, chunk_obj.as_any()) {
                    Ok(Some(lazy)) => return self.yield_lazy(py, lazy, chunk_obj),
                    Ok(None) => {}
                    Err(err) => return self.fail(py, err, chunk_obj.into_any()),
                }
            }
        }
        let chunk_obj = PyBytes::new(py, &bytes).into_any();
        self.chunk = Chunk::Object(chunk_obj.clone().unbind());
        let kwargs = self.fallback_kwargs.as_ref().map(|k| k.bind(py).clone());
        match t.record.bind(py).call((&chunk_obj,), kwargs.as_ref()) {
            Ok(record) => Ok(record.unbind()),
            Err(err) => self.fail(py, err, chunk_obj),
        }
    }

    fn yield_lazy(&mut self, py: Python<'_>, lazy: LazyRecord, chunk: Bound<'_, PyBytes>) -> PyResult<Py<PyAny>> {
        let t = types(py)?;
        self.chunk = Chunk::Object(chunk.into_any().unbind());
        let record = new_instance(py, t.record.bind(py))?;
        let to_unicode = self.to_unicode.as_ref().map_or_else(|| py.None(), |o| o.clone_ref(py));
        let force = self.force_utf8.as_ref().map_or_else(|| py.None(), |o| o.clone_ref(py));
        *record.cast::<RecordBase>()?.borrow_mut() = RecordBase::lazy_from_reader(py, lazy, to_unicode, force);
        Ok(record.unbind())
    }

    /// pymarc catches `Exception` from decoding and yields `None`; anything
    /// else (KeyboardInterrupt, SystemExit) propagates.
    fn fail(&mut self, py: Python<'_>, err: PyErr, chunk: Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.chunk = Chunk::Object(chunk.unbind());
        if err.is_instance_of::<PyException>(py) {
            self.exception = Some(err.into_value(py).into_any());
            Ok(py.None())
        } else {
            Err(err)
        }
    }
}
