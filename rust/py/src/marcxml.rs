//! `XmlParser`: the native engine behind `pymrrc.marcxml`'s reading side.
//!
//! Python hands it the document in chunks; each chunk is parsed with the
//! GIL released by `pymrrc_core::marcxml`, and each record it completed
//! becomes a `Record` holding the parsed data; its `Field`, `Subfield` and
//! `Indicators` objects are built on first use of `record.fields`, exactly
//! as pymarc's `XmlHandler` builds them (like records read from MARC,
//! see `materialize`). When the core meets something it does
//! not read exactly it reports a fallback reason, and the Python side reads
//! the document with expat instead.

use pyo3::buffer::PyBuffer;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};

use crate::pytypes::{new_instance, types};
use crate::record::RecordBase;
use crate::xml_fields::{field, text, XmlLazy};
use pymrrc_core::consts::LEADER_LEN;
use pymrrc_core::marcxml::{Fallback, MarcXmlParser, XmlRecord};

/// How much of a chunk is parsed per release of the GIL: signals (Ctrl-C)
/// are looked at between slices, and between batches of records built.
const SLICE: usize = 256 << 10;
/// Records built between two looks at signals.
const RECORDS_PER_CHECK: usize = 256;

/// The leader of a `Record()` built with no arguments.
const DEFAULT_LEADER: &[u8; LEADER_LEN] = b"          22        4500";

/// Incremental MARCXML reader producing pymarc-shaped records.
#[pyclass(module = "pymrrc._core")]
pub struct XmlParser {
    parser: MarcXmlParser,
    /// `functools.partial(unicodedata.normalize, form)`, or `None`.
    normalize: Option<Py<PyAny>>,
    fallback: Option<Fallback>,
}

impl XmlParser {
    /// A `Record` for `r`: its leader is set now (as ASCII bytes built
    /// lazily, or as a `Leader` object), its fields are built on first use.
    fn record<'py>(&self, py: Python<'py>, r: XmlRecord) -> PyResult<Bound<'py, PyAny>> {
        let record = new_instance(py, types(py)?.record.bind(py))?;
        let (raw, leader) = match r.leader.as_deref() {
            None => (Some(*DEFAULT_LEADER), None),
            Some(s) => match <[u8; LEADER_LEN]>::try_from(s.as_bytes()) {
                Ok(raw) if s.is_ascii() => (Some(raw), None),
                _ => {
                    let leader = types(py)?.leader.bind(py).call1((text(
                        py,
                        self.normalize.as_ref(),
                        s,
                    )?,))?;
                    (None, Some(leader.unbind()))
                }
            },
        };
        let lazy = XmlLazy::new(r, self.normalize.as_ref().map(|n| n.clone_ref(py)));
        record
            .cast::<RecordBase>()?
            .borrow_mut()
            .fill_from_xml(lazy, raw, leader);
        Ok(record)
    }

    fn collect<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let done = self.parser.take_records();
        let mut out = Vec::with_capacity(done.len());
        for (i, r) in done.into_iter().enumerate() {
            if i % RECORDS_PER_CHECK == RECORDS_PER_CHECK - 1 {
                py.check_signals()?;
            }
            out.push(self.record(py, r)?);
        }
        PyList::new(py, out)
    }

    /// Parses `data` a slice at a time with the GIL released, looking at
    /// signals in between; an exception a handler raises (`KeyboardInterrupt`)
    /// stops it there.
    fn feed_slices(&mut self, py: Python<'_>, data: &[u8]) -> PyResult<()> {
        for piece in data.chunks(SLICE) {
            let parser = &mut self.parser;
            if let Err(f) = py.detach(|| parser.feed(piece)) {
                self.fallback = Some(f);
                return Ok(());
            }
            if data.len() > SLICE {
                py.check_signals()?;
            }
        }
        Ok(())
    }
}

#[pymethods]
impl XmlParser {
    /// `XmlParser(strict, normalize)`: `strict` is pymarc's flag (already a
    /// `bool`); `normalize` is a callable applied to non-ASCII text (or
    /// `None`).
    #[new]
    #[pyo3(signature = (strict, normalize=None))]
    fn py_new(strict: bool, normalize: Option<Py<PyAny>>) -> Self {
        Self {
            parser: MarcXmlParser::new(strict, normalize.is_some()),
            normalize,
            fallback: None,
        }
    }

    /// Parses the next chunk (any bytes-like object); returns the records
    /// it completed. After a fallback, `fallback` says why and every later
    /// call returns an empty list.
    fn feed<'py>(
        &mut self,
        py: Python<'py>,
        chunk: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        if self.fallback.is_some() {
            return Ok(PyList::empty(py));
        }
        if let Ok(bytes) = chunk.cast::<pyo3::types::PyBytes>() {
            self.feed_slices(py, bytes.as_bytes())?;
        } else {
            let buffer = PyBuffer::<u8>::get(chunk)?;
            let data = buffer.to_vec(py)?;
            self.feed_slices(py, &data)?;
        }
        self.collect(py)
    }

    /// Ends the document; returns the last records (see `feed`).
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        if self.fallback.is_some() {
            return Ok(PyList::empty(py));
        }
        let parser = &mut self.parser;
        if let Err(f) = py.detach(|| parser.finish()) {
            self.fallback = Some(f);
        }
        self.collect(py)
    }

    /// Whether the handler state left at the end carries nothing over.
    fn is_clean(&self) -> bool {
        self.parser.is_clean()
    }

    /// `(field, code)`: the field object and subfield code pymarc's handler
    /// would still hold after this document (each may be `None`).
    fn take_leftover(&mut self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let (f, c) = self.parser.take_leftover();
        let f = match f {
            Some(f) => field(py, self.normalize.as_ref(), &f)?.unbind(),
            None => py.None(),
        };
        let c = match c {
            Some(c) => PyString::new(py, &c).into_any().unbind(),
            None => py.None(),
        };
        Ok((f, c))
    }

    /// Why the fast path gave up, as `(reason, byte_offset)`, or `None`.
    #[getter]
    fn fallback(&self) -> Option<(&'static str, u64)> {
        self.fallback.map(|f| (f.reason, f.offset))
    }
}
