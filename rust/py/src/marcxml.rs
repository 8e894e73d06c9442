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
use pyo3::types::{PyBool, PyList, PyString};

use crate::field::FieldBase;
use crate::pytypes::{ascii_char, indicators, new_instance, new_pair, tag_str, types};
use crate::record::RecordBase;
use pymrrc_core::consts::LEADER_LEN;
use pymrrc_core::marcxml::{Fallback, FieldOrigin, MarcXmlParser, XmlField, XmlRecord};

/// How much of a chunk is parsed per release of the GIL: signals (Ctrl-C)
/// are looked at between slices, and between batches of records built.
const SLICE: usize = 256 << 10;
/// Records built between two looks at signals.
const RECORDS_PER_CHECK: usize = 256;

/// The leader of a `Record()` built with no arguments.
const DEFAULT_LEADER: &[u8; LEADER_LEN] = b"          22        4500";

/// A record read from MARCXML whose Python objects are not built yet,
/// with the normalisation to apply to its text when they are.
pub(crate) struct XmlLazy {
    record: XmlRecord,
    normalize: Option<Py<PyAny>>,
}

/// Incremental MARCXML reader producing pymarc-shaped records.
#[pyclass(module = "pymrrc._core")]
pub struct XmlParser {
    parser: MarcXmlParser,
    /// `functools.partial(unicodedata.normalize, form)`, or `None`.
    normalize: Option<Py<PyAny>>,
    fallback: Option<Fallback>,
}

/// Element text as pymarc stores it: normalised when a form was asked for
/// (ASCII text is the same in every form, so it is left alone).
fn text<'py>(
    py: Python<'py>,
    normalize: Option<&Py<PyAny>>,
    s: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let obj = PyString::new(py, s).into_any();
    match normalize {
        Some(f) if !s.is_ascii() => f.bind(py).call1((obj,)),
        _ => Ok(obj),
    }
}

/// A `Subfield` (or `Indicators`) tuple of two `str`, left out of the
/// cyclic garbage collector's lists.
///
/// Measured: with every subfield tracked, full collections took over half
/// the time of building the fields of 10,000 records. A tuple holding two
/// strings can never be part of a reference cycle (its class has no
/// `__dict__`), so the collector has nothing to find in it; CPython itself
/// untracks such plain tuples during collections.
fn untracked_pair<'py>(
    py: Python<'py>,
    cls: &Bound<'py, pyo3::types::PyType>,
    first: Bound<'py, PyAny>,
    second: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let pair = new_pair(py, cls, first, second)?;
    if pair.is_instance_of::<pyo3::types::PyTuple>() {
        #[allow(unsafe_code)]
        // SAFETY: `pair` is a live object owned here (the GIL is held);
        // untracking an object is allowed whether or not it is tracked, and
        // only removes it from the collector's lists.
        unsafe {
            pyo3::ffi::PyObject_GC_UnTrack(pair.as_ptr().cast());
        }
    }
    Ok(pair)
}

/// An attribute value used as a subfield code (one ASCII letter is interned).
fn code<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyAny> {
    match s.as_bytes() {
        [b] if b.is_ascii() => ascii_char(py, *b).into_any(),
        _ => PyString::new(py, s).into_any(),
    }
}

/// One field, as pymarc's handler leaves it: `Field(tag)` or
/// `Field(tag, Indicators(ind1, ind2))`, then `add_subfield` calls (ignored
/// on control fields), then `data` when a `controlfield` element closed it.
fn field<'py>(
    py: Python<'py>,
    normalize: Option<&Py<PyAny>>,
    f: &XmlField,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let Ok(tag_bytes) = <[u8; 3]>::try_from(f.tag.as_bytes()) else {
        return field_by_python(py, normalize, f);
    };
    let control = tag_bytes.iter().all(u8::is_ascii_digit) && tag_bytes < *b"010";
    let data = match &f.data {
        Some(d) => text(py, normalize, d)?.unbind(),
        None => py.None(),
    };
    let tag = tag_str(py, tag_bytes).into_any().unbind();
    let values = if control {
        FieldBase::with_values(
            tag,
            data,
            py.None(),
            PyList::empty(py).into_any().unbind(),
            PyBool::new(py, true).to_owned().into_any().unbind(),
        )
    } else {
        let (ind1, ind2) = match &f.origin {
            FieldOrigin::Control => (None, None),
            FieldOrigin::Data { ind1, ind2 } => (ind1.as_deref(), ind2.as_deref()),
        };
        let ind1 = ind1.unwrap_or(" ");
        let ind2 = ind2.unwrap_or(" ");
        let inds = match (ind1.as_bytes(), ind2.as_bytes()) {
            ([a], [b]) if a.is_ascii() && b.is_ascii() => indicators(py, *a, *b)?,
            _ => untracked_pair(
                py,
                t.indicators.bind(py),
                PyString::new(py, ind1).into_any(),
                PyString::new(py, ind2).into_any(),
            )?,
        };
        let subfield_cls = t.subfield.bind(py);
        let mut subfields = Vec::with_capacity(f.subfields.len());
        for (c, value) in &f.subfields {
            subfields.push(untracked_pair(
                py,
                subfield_cls,
                code(py, c),
                text(py, normalize, value)?,
            )?);
        }
        FieldBase::with_values(
            tag,
            data,
            inds.unbind(),
            PyList::new(py, subfields)?.into_any().unbind(),
            PyBool::new(py, false).to_owned().into_any().unbind(),
        )
    };
    let obj = new_instance(py, t.field.bind(py))?;
    *obj.cast::<FieldBase>()?.borrow_mut() = values;
    Ok(obj)
}

/// A field whose tag `Field()` rewrites (not three characters long): made
/// by the very Python calls pymarc's handler makes.
fn field_by_python<'py>(
    py: Python<'py>,
    normalize: Option<&Py<PyAny>>,
    f: &XmlField,
) -> PyResult<Bound<'py, PyAny>> {
    let t = types(py)?;
    let field_cls = t.field.bind(py);
    let field = match &f.origin {
        FieldOrigin::Control => field_cls.call1((f.tag.as_str(),))?,
        FieldOrigin::Data { ind1, ind2 } => {
            let inds = t.indicators.bind(py).call1((
                ind1.as_deref().unwrap_or(" "),
                ind2.as_deref().unwrap_or(" "),
            ))?;
            field_cls.call1((f.tag.as_str(), inds))?
        }
    };
    for (c, value) in &f.subfields {
        field.call_method1("add_subfield", (code(py, c), text(py, normalize, value)?))?;
    }
    if let Some(d) = &f.data {
        field.setattr("data", text(py, normalize, d)?)?;
    }
    Ok(field)
}

/// Builds `record.fields` for a record read from MARCXML.
pub(crate) fn build_xml_fields<'py>(
    py: Python<'py>,
    lazy: &XmlLazy,
) -> PyResult<Bound<'py, PyList>> {
    let normalize = lazy.normalize.as_ref();
    let mut fields = Vec::with_capacity(lazy.record.fields.len());
    for f in &lazy.record.fields {
        fields.push(field(py, normalize, f)?);
    }
    PyList::new(py, fields)
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
        let lazy = XmlLazy {
            record: r,
            normalize: self.normalize.as_ref().map(|n| n.clone_ref(py)),
        };
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

/// A `Record` built from `r` as this reader builds its records (no
/// normalisation): for the readers of other formats whose records pymarc
/// builds with the same calls (MARC-in-JSON, `crate::json_reader`).
pub(crate) fn plain_record<'py>(py: Python<'py>, r: XmlRecord) -> PyResult<Bound<'py, PyAny>> {
    XmlParser::py_new(false, None).record(py, r)
}
