//! `JsonStream`: `JSONReader(..., stream=True)` reading a MARC-in-JSON
//! document one record at a time from its file object, in bounded memory
//! (the bytes of the record under way and of one read, not the document).
//!
//! The document's frame (the top-level array) is followed by the core's
//! [`Splitter`]; each element is read as the whole-document reader reads
//! each (`jobs::json_read`), into a record laid out like a decoded one,
//! when it is plain and nothing `JSONReader` calls was replaced. Any other
//! element is handed to the Python side as its bytes, with where it
//! starts, for Python's `json` to parse (its errors placed in the whole
//! document) and pymarc's calls to build; a broken frame is handed over
//! as Python's `json` message and its place.

use pyo3::exceptions::{PyStopIteration, PyTypeError};
use pyo3::gc::PyVisit;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};
use pyo3::PyTraverseError;

use crate::jobs::record_from_str;
use crate::json_reader::{laid_record, HookArgs, NativeHooks};
use pymrrc_core::json_split::{Split, Splitter};

/// How much is asked of the file object at a time (characters of a text
/// stream, bytes of a binary one).
const READ_SIZE: usize = 1 << 18;

/// Where a character of the document is, as Python's `json` says it: the
/// character's index, and its line and column (from 1).
#[derive(Clone, Copy, Default)]
struct Place {
    pos: u64,
    line: u64,
    /// The index of the first character of the line.
    line_start: u64,
}

impl Place {
    /// The place just after `bytes` (UTF-8) read from this one.
    fn after(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + 1;
            }
            // Each character is counted at its first byte.
            if b & 0xC0 != 0x80 {
                self.pos += 1;
            }
        }
        self
    }

    /// `(pos, lineno, colno)`.
    fn triple(self) -> (u64, u64, u64) {
        (self.pos, self.line + 1, self.pos - self.line_start + 1)
    }
}

/// A MARC-in-JSON document read from a file object one record at a time.
#[pyclass(module = "pymrrc._core")]
pub struct JsonStream {
    handle: Py<PyAny>,
    hooks: NativeHooks,
    splitter: Splitter,
    /// The document from the first byte not dropped yet.
    buffer: Vec<u8>,
    /// A byte of `buffer` and its place in the document (the last place
    /// asked for, so that each byte is counted once).
    mark: (usize, Place),
    eof: bool,
    started: bool,
}

impl JsonStream {
    /// Appends `chunk` (what the file object's `read` gave) as UTF-8.
    fn append(&mut self, py: Python<'_>, chunk: &Bound<'_, PyAny>) -> PyResult<()> {
        if let Ok(bytes) = chunk.cast::<PyBytes>() {
            self.buffer.extend_from_slice(bytes.as_bytes());
        } else if let Ok(text) = chunk.cast::<PyString>() {
            match text.to_str() {
                Ok(s) => self.buffer.extend_from_slice(s.as_bytes()),
                // Lone surrogates: kept as Python's `json` reading bytes
                // decodes them back (`surrogatepass`).
                Err(_) => {
                    let encoded = text.call_method1(
                        intern!(py, "encode"),
                        (intern!(py, "utf-8"), intern!(py, "surrogatepass")),
                    )?;
                    self.buffer
                        .extend_from_slice(encoded.cast::<PyBytes>()?.as_bytes());
                }
            }
        } else {
            return Err(PyTypeError::new_err(format!(
                "the JSON object must be str, bytes or bytearray, not {}",
                chunk.get_type().name()?
            )));
        }
        Ok(())
    }

    /// Drops what was read, then reads the next piece of the document.
    fn read_more(&mut self, py: Python<'_>) -> PyResult<()> {
        let done = self.splitter.consumed();
        self.mark = (0, self.place_of(done));
        self.buffer.drain(..done);
        self.splitter.shift(done);
        let chunk = self
            .handle
            .bind(py)
            .call_method1(intern!(py, "read"), (READ_SIZE,))?;
        self.eof = chunk.len().map_or(true, |n| n == 0);
        self.append(py, &chunk)
    }

    /// The place of the buffer's byte `at` (at or after the mark, as
    /// the splitter only moves on).
    fn place_of(&mut self, at: usize) -> Place {
        let (from, place) = self.mark;
        let place = place.after(self.buffer.get(from..at).unwrap_or_default());
        self.mark = (at, place);
        place
    }
}

#[pymethods]
impl JsonStream {
    /// `JsonStream(handle, first, names, originals, hooks)`: `first` is
    /// what was read of the document already (`str` or `bytes`); the hooks
    /// are those of `JsonCursor`.
    #[new]
    fn py_new(
        py: Python<'_>,
        handle: Py<PyAny>,
        first: &Bound<'_, PyAny>,
        names: HookArgs,
    ) -> PyResult<Self> {
        let mut stream = Self {
            handle,
            hooks: NativeHooks::new(names),
            splitter: Splitter::new(),
            buffer: Vec::new(),
            mark: (0, Place::default()),
            eof: false,
            started: false,
        };
        stream.append(py, first)?;
        Ok(stream)
    }

    /// The next record (built natively when `native` and it is plain), or
    /// `(element, pos, lineno, colno)`: the element's bytes for the Python
    /// side and where it starts; or `(message, pos, lineno, colno)` when
    /// the document's frame is broken there. `StopIteration` at the end.
    fn next_element<'py>(&mut self, py: Python<'py>, native: bool) -> PyResult<Bound<'py, PyAny>> {
        self.started = true;
        loop {
            match self.splitter.next(&self.buffer, self.eof) {
                Split::Element(range) => {
                    let text = &self.buffer[range.clone()];
                    if native && self.hooks.allowed(py)? {
                        let parsed = std::str::from_utf8(text).ok().map(record_from_str);
                        if let Some(Ok(Some(laid))) = parsed {
                            return laid_record(py, laid);
                        }
                    }
                    let (pos, line, col) = self.place_of(range.start).triple();
                    let element = PyBytes::new(py, &self.buffer[range]);
                    return Ok(PyTuple::new(
                        py,
                        [
                            element.into_any(),
                            pos.into_pyobject(py)?.into_any(),
                            line.into_pyobject(py)?.into_any(),
                            col.into_pyobject(py)?.into_any(),
                        ],
                    )?
                    .into_any());
                }
                Split::NeedMore => self.read_more(py)?,
                Split::End => return Err(PyStopIteration::new_err(())),
                Split::Broken(at, error) => {
                    let (pos, line, col) = self.place_of(at).triple();
                    return Ok((error.message(), pos, line, col)
                        .into_pyobject(py)?
                        .into_any());
                }
            }
        }
    }

    /// Ends the stream: every later `next_element` raises `StopIteration`
    /// (the Python side met an error that ends the document).
    fn stop(&mut self) {
        self.buffer = Vec::new();
        self.mark = (0, Place::default());
        self.splitter = Splitter::finished();
        self.eof = true;
    }

    /// Whether `next_element` was called.
    fn started(&self) -> bool {
        self.started
    }

    /// What was read of the document (UTF-8 bytes) before `next_element`
    /// was called, taken out: the stream is over.
    fn take_buffered<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let rest = PyBytes::new(py, &self.buffer);
        self.buffer = Vec::new();
        self.mark = (0, Place::default());
        self.splitter = Splitter::new();
        self.eof = true;
        rest
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.handle)?;
        self.hooks.traverse(&visit)
    }
}
